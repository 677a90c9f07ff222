"""The public side of tips through the pages (AppTest): the form, from a push's QR code or
not, each refusal keeping what was typed and writing nothing, the honeypot, rate limit and
challenge, junk query parameters, the tracker; and a fuzz of intake (lib.tips)."""

import io
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from lib import i18n, intake_guard, messages, public_grids, pushes, tips
from lib.db import connect
from lib.errors import ValidationError
from lib.messages import tip_public
from lib.tips import TipInput
from tests.apptest import goto, texts

DESCRIPTION = "小区东门停着一辆灰色面包车，车头有撞痕，已经停了三天。"


@pytest.fixture(autouse=True)
def _catalog(monkeypatch):
    """lib/messages/__init__.py may not list tip_public yet: add its texts for these tests."""
    for key, (zh, en) in tip_public.MESSAGES.items():
        if key not in i18n.CATALOG["zh"]:
            monkeypatch.setitem(i18n.CATALOG["zh"], key, zh)
            monkeypatch.setitem(i18n.CATALOG["en"], key, en)


def jpeg(color=(30, 90, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 200), color).save(out, "JPEG")
    return out.getvalue()


def count(db, table: str) -> int:
    return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def last_tip(db) -> dict:
    cur = db.execute("SELECT * FROM tips ORDER BY id DESC LIMIT 1")
    return dict(zip([c[0] for c in cur.description], cur.fetchone(), strict=True))


def open_page(app, url_path="tip", lang=None, session=None, **params):
    at = app(lang=lang).run()
    for key, value in (session or {}).items():
        at.session_state[key] = value
    for key, value in params.items():
        at.query_params[key] = value
    at = goto(at, url_path).run()
    assert not at.exception, at.exception
    return at


def fill(at, *, description=DESCRIPTION, kind=None, grid=None, place=None, when=None, consent=True,
         anonymous=None, name=None, phone=None, photos=None, honeypot=None):
    if kind:
        at.radio(key="tip_kind").set_value(kind)
    at.text_area(key="tip_description").input(description)
    if grid is not None:
        at.selectbox(key="tip_grid").set_value(grid)
    if place is not None:
        at.text_input(key="tip_place").input(place)
    if when is not None:
        at.text_input(key="tip_when").input(when)
    if anonymous is not None:
        at.checkbox(key="tip_anonymous").set_value(anonymous)
    if name is not None:
        at.text_input(key="tip_name").input(name)
    if phone is not None:
        at.text_input(key="tip_phone").input(phone)
    if photos is not None:
        at.file_uploader(key="tip_photos").set_value(photos)
    if honeypot is not None:
        at.text_input(key="tip_website").input(honeypot)
    at.checkbox(key="tip_consent").set_value(consent)
    return at


def submit(at):
    at.button(key="tip_submit").click().run()
    assert not at.exception, at.exception
    return at


def shown_code(at) -> str | None:
    for md in at.markdown:
        if md.value.startswith("# `"):
            return md.value.strip("# `")
    return None


def sent_appeal(db, users) -> dict:
    from tests.test_pushes import complete_appeal

    push = complete_appeal(db, users["clerk"])
    push = pushes.submit(db, users["clerk"], push["id"], push["version"])
    push = pushes.review(db, users["station_admin"], push["id"], push["version"], approve=True)
    return pushes.send(db, users["clerk"], push["id"], push["version"])


def own_grid(db, user) -> int:
    return db.execute("SELECT id FROM grids WHERE station_id = ? AND category = 'comprehensive' ORDER BY id LIMIT 1",
                      [user.station_id]).fetchone()[0]


# --- the catalog ---------------------------------------------------------------------------


def test_no_key_of_tip_public_is_defined_elsewhere():
    others = set()
    for module in messages.MODULES:
        if module is not tip_public:
            others |= set(module.MESSAGES)
    assert set(tip_public.MESSAGES) & others == set()
    assert all(k.split(".")[0] in ("tip", "track", "guard") for k in tip_public.MESSAGES)


# --- the form ------------------------------------------------------------------------------


def test_a_valid_anonymous_lead_gets_a_code_and_reaches_the_grids_station(app, demo_path, users):
    db = connect(demo_path)
    grid_id = own_grid(db, users["clerk"])
    at = open_page(app)
    assert at.radio(key="tip_kind").value == "request"  # no push: an ordinary request by default
    assert at.checkbox(key="tip_anonymous").value is True
    assert "匿名提交：我们不会知道您是谁；如需民警回电，请留下手机号。" in texts(at)
    before = count(db, "tips")
    submit(fill(at, kind="lead", grid=grid_id, when="今天下午3点", photos=[("p.jpg", jpeg(), "image/jpeg")]))
    code = shown_code(at)
    assert code and len(code) == 11 and code[5] == "-"
    assert count(db, "tips") == before + 1
    tip = last_tip(db)
    assert tip["tracking_code"] == tips.normalize_code(code)
    assert (tip["kind"], tip["station_id"], tip["grid_id"], tip["channel"]) == (
        "lead", users["clerk"].station_id, grid_id, "web")
    assert tip["is_anonymous"] == 1 and tip["contact_phone"] is None and tip["push_id"] is None
    assert tip["description"].startswith(DESCRIPTION) and "今天下午3点" in tip["description"]
    assert count(db, "tip_photos") >= 1
    assert "请截图或抄下这个查询码" in texts(at)


def test_the_consent_text_states_the_configured_retention_period(app, monkeypatch):
    assert "办结后保存 3 年，到期删除您写的内容、地点、照片和联系方式" in texts(open_page(app))
    monkeypatch.setenv("PORTAL_TIP_RETENTION_YEARS", "5")
    assert "办结后保存 5 年" in texts(open_page(app))
    assert "**How long**: 5 years after the case is closed" in texts(open_page(app, lang="en"))


def test_a_tip_with_contact_keeps_name_and_phone(app, demo_path):
    db = connect(demo_path)
    at = submit(fill(open_page(app), place="三星镇汽车站", anonymous=False, name="王先生", phone="139 1234 5678"))
    assert shown_code(at)
    tip = last_tip(db)
    assert (tip["is_anonymous"], tip["contact_name"], tip["contact_phone"], tip["location_text"]) == (
        0, "王先生", "13912345678", "三星镇汽车站")


def test_from_a_push_qr_code_the_tip_is_linked_and_rated(app, demo_path, users):
    db = connect(demo_path)
    push = sent_appeal(db, users)
    grid_id = own_grid(db, users["clerk"])
    at = open_page(app, push=str(push["id"]), grid=str(grid_id))
    assert "七旬老人走失" in texts(at)  # which appeal it answers (its title only)
    assert at.radio(key="tip_kind").value == "lead"
    assert at.selectbox(key="tip_grid").value == grid_id
    at.feedback[0].set_value(3)  # the fourth star
    submit(fill(at))
    assert shown_code(at)
    tip = last_tip(db)
    assert (tip["push_id"], tip["rating"], tip["channel"], tip["grid_id"], tip["station_id"]) == (
        push["id"], 4, "qr", grid_id, users["clerk"].station_id)


def test_a_qr_grid_of_another_category_is_offered_too(app, demo_path):
    db = connect(demo_path)
    grid_id = db.execute("SELECT id FROM grids WHERE category = 'industry' LIMIT 1").fetchone()[0]
    at = open_page(app, grid=str(grid_id))
    assert at.selectbox(key="tip_grid").value == grid_id


def test_an_unsent_push_is_not_shown_nor_linked(app, demo_path, users):
    db = connect(demo_path)
    draft = pushes.save_draft(db, users["clerk"], (d := pushes.new_draft(db, users["clerk"], "news"))["id"],
                              d["version"], title="内部草稿标题")
    at = open_page(app, push=str(draft["id"]))
    assert "内部草稿标题" not in texts(at) and not at.feedback
    assert at.radio(key="tip_kind").value == "request"
    submit(fill(at))
    assert last_tip(db)["push_id"] is None and last_tip(db)["channel"] == "web"


@pytest.mark.parametrize("push,grid", [("abc", "-1"), ("1e3", "0"), ("９", "4.5"), ("' OR 1=1 --", "99999999999"),
                                       ("", "<script>"), ("12345678901234567890", "")])
def test_junk_query_parameters_are_ignored(app, demo_path, push, grid):
    db = connect(demo_path)
    at = open_page(app, push=push, grid=grid)
    assert at.selectbox(key="tip_grid").value is None and not at.feedback
    submit(fill(at))
    tip = last_tip(db)
    assert shown_code(at) and tip["push_id"] is None and tip["grid_id"] is None and tip["channel"] == "web"


REFUSALS = [
    (dict(consent=False), "请阅读并勾选同意说明"),
    (dict(description="短"), "请至少用 5 个字"),
    (dict(anonymous=False), "留下联系方式时请填写手机号"),
    (dict(anonymous=False, phone="12345"), "手机号格式不对"),
    (dict(phone="13912345678"), "仍勾选着“匿名提交”"),
    (dict(anonymous=False, phone="12345", consent=False), "手机号格式不对"),  # several at once
]


@pytest.mark.parametrize("over,message", REFUSALS)
def test_each_refusal_shows_under_its_field_keeps_the_text_and_writes_nothing(app, demo_path, over, message):
    db = connect(demo_path)
    before = (count(db, "tips"), count(db, "tip_events"), count(db, "files"))
    values = dict(description=DESCRIPTION, when="昨晚十点左右", name="老张")
    values.update(over)
    at = submit(fill(open_page(app), **values))
    assert shown_code(at) is None
    errors = [e.value for e in at.error]
    assert any(message in e for e in errors), errors
    assert any("您填写的内容都还在" in e for e in errors)
    assert (count(db, "tips"), count(db, "tip_events"), count(db, "files")) == before
    assert at.text_area(key="tip_description").value == values["description"]
    assert at.text_input(key="tip_when").value == "昨晚十点左右"
    assert at.text_input(key="tip_name").value == "老张"
    assert at.checkbox(key="tip_consent").value == values.get("consent", True)


def test_a_non_image_photo_is_refused_and_the_text_kept(app, demo_path):
    db = connect(demo_path)
    before = (count(db, "tips"), count(db, "files"))
    at = submit(fill(open_page(app), photos=[("p.jpg", jpeg(), "image/jpeg"), ("q.jpg", b"%PDF-1.4 no", "image/jpeg")]))
    assert shown_code(at) is None
    assert any("无法识别为图片" in e.value and "重新选择" in e.value for e in at.error)
    assert (count(db, "tips"), count(db, "files")) == before
    assert at.text_area(key="tip_description").value == DESCRIPTION


def test_too_many_photos_are_refused(app, demo_path):
    db = connect(demo_path)
    before = count(db, "tips")
    at = submit(fill(open_page(app), photos=[(f"p{i}.jpg", jpeg((i * 40, 0, 0)), "image/jpeg") for i in range(6)]))
    assert any("最多上传 5 张照片" in e.value for e in at.error)
    assert count(db, "tips") == before


def test_a_refused_form_is_sent_again_once_fixed(app, demo_path):
    db = connect(demo_path)
    before = count(db, "tips")
    at = submit(fill(open_page(app), consent=False))
    at.checkbox(key="tip_consent").check()
    submit(at)
    assert shown_code(at) and count(db, "tips") == before + 1
    at.button(key="tip_again").click().run()
    assert at.text_area(key="tip_description").value == ""  # a fresh form for the next one


def test_the_honeypot_pretends_success_and_stores_nothing(app, demo_path):
    db = connect(demo_path)
    before = count(db, "tips")
    at = submit(fill(open_page(app), honeypot="http://cheap-pills.example"))
    assert shown_code(at)
    assert count(db, "tips") == before
    assert db.execute("SELECT COUNT(*) FROM intake_events WHERE key LIKE 'trap:%'").fetchone()[0] == 1


def test_the_honeypot_is_hidden_by_a_fixed_style_rule(app):
    at = open_page(app)
    styles = [h.proto.body for h in at.get("html")]
    assert any(".st-key-tip_website" in s and "-10000px" in s for s in styles)
    assert all("<style>" in s and "<script" not in s for s in styles)


def test_over_the_rate_limit_the_form_says_how_long_and_keeps_the_text(app, demo_path):
    db = connect(demo_path)
    for _ in range(intake_guard.CLIENT_PER_WINDOW):
        intake_guard.record(db, client_key="session:test", contact_phone=None)
    before = count(db, "tips")
    at = open_page(app, session={"guard_client": "session:test"})
    assert any("提交太频繁了" in w.value and "分钟后再试" in w.value for w in at.warning)
    submit(fill(at))
    assert shown_code(at) is None and count(db, "tips") == before
    assert any("提交太频繁了" in w.value for w in at.warning)
    assert at.text_area(key="tip_description").value == DESCRIPTION


def test_a_busy_client_must_answer_the_challenge(app, demo_path):
    db = connect(demo_path)
    for _ in range(intake_guard.CHALLENGE_AFTER):
        intake_guard.record(db, client_key="session:busy", contact_phone=None)
    before = count(db, "tips")
    at = open_page(app, session={"guard_client": "session:busy"})
    question = at.text_input(key="tip_challenge_answer")
    assert "等于几" in question.label
    question.input("999")
    submit(fill(at))
    assert shown_code(at) is None and count(db, "tips") == before
    assert any("答案不对" in e.value for e in at.error)
    assert at.text_area(key="tip_description").value == DESCRIPTION
    seed = at.session_state["tip_seed"]  # a new question: the old answer is void
    q = intake_guard.make_challenge(seed)
    answer = sum(intake_guard._ZH_DIGITS.index(q.params[k]) for k in ("a", "b"))
    at.text_input(key="tip_challenge_answer").input(str(answer))
    submit(at)
    assert shown_code(at) and count(db, "tips") == before + 1


def test_the_form_speaks_english_on_request(app):
    at = open_page(app, lang="en")
    assert at.title[0].value == "Send a tip"
    assert at.radio(key="tip_kind").label == "What is it about?"
    assert "Case lead" in [at.radio(key="tip_kind").format_func(k) for k in tips.KINDS]


def test_grid_picker_lists_comprehensive_grids_by_station_names_only(demo_db):
    options = public_grids.grid_options(demo_db)
    total = demo_db.execute("SELECT COUNT(*) FROM grids WHERE category = 'comprehensive'").fetchone()[0]
    assert len(options) == total and set(options[0]) == {"id", "label"}
    assert " · " in options[0]["label"]
    labels = [o["label"] for o in options[:12]]
    first_station = labels[0].split(" · ")[0]
    names = [label.split(" · ")[1] for label in labels if label.startswith(first_station)]
    assert names == sorted(names, key=public_grids._natural)  # 第2网格 before 第10网格


def test_sent_push_title_says_nothing_of_unsent_pushes(demo_db, users):
    push = sent_appeal(demo_db, users)
    assert public_grids.sent_push_title(demo_db, push["id"]) == "寻人启事：七旬老人走失"
    draft = pushes.new_draft(demo_db, users["clerk"], "news")
    assert public_grids.sent_push_title(demo_db, draft["id"]) is None
    assert public_grids.sent_push_title(demo_db, None) is None
    assert public_grids.sent_push_title(demo_db, 10**8) is None


@pytest.mark.parametrize("value,expected", [("12", 12), (" 7 ", 7), (["3", "4"], 4), ("0", None), ("-1", None),
                                            ("1e3", None), ("９", None), ("1" * 10, None), (None, None), ("", None)])
def test_parse_id(value, expected):
    assert public_grids.parse_id(value) == expected


def test_china_time():
    assert public_grids.china_time("2026-11-28T16:30:00Z") == "2026-11-29 00:30"
    assert public_grids.china_time(None) == "" and public_grids.china_time("junk") == ""


# --- the tracker ---------------------------------------------------------------------------


def test_tracker_shows_state_and_public_replies_never_internal_notes(app, demo_path, users):
    db = connect(demo_path)
    clerk = users["clerk"]
    made = tips.create_tip(db, TipInput(kind="lead", description=DESCRIPTION, grid_id=own_grid(db, clerk),
                                        location_text="叠石桥家纺城东门", is_anonymous=False, contact_name="王先生",
                                        contact_phone="13912345678", consent=True))
    tip = tips.get_tip(db, clerk, made["id"])
    tips.move(db, clerk, tip["id"], tip["version"], "assign", assignee_user_id=clerk.id)
    tips.add_note(db, clerk, made["id"], "内部：已调取监控，嫌疑人王某", public=False)
    tips.add_note(db, clerk, made["id"], "感谢您的线索，民警已在核实。**不是粗体**", public=True)
    code = tips.format_code(made["tracking_code"]).lower().replace("-", " ")
    at = open_page(app, "track", code=code)
    shown = texts(at)
    assert "处理中" in shown and "案件线索" in shown
    assert "感谢您的线索，民警已在核实。**不是粗体**" in [t.value for t in at.text]  # plain text, not markdown
    for secret in ("内部", "王某", "王先生", "13912345678", "叠石桥", clerk.name, DESCRIPTION):
        assert secret not in shown, secret


def test_tracker_by_typing_the_code_with_confusable_letters(app, demo_path):
    db = connect(demo_path)
    made = tips.create_tip(db, TipInput(kind="request", description=DESCRIPTION, consent=True))
    at = open_page(app, "track")
    at.text_input(key="track_code").input(f"  {made['tracking_code'][:5].lower()} - {made['tracking_code'][5:]} ")
    at.button(key="track_submit").click().run()
    assert "已收到" in texts(at) and "暂时还没有答复" in texts(at)


def test_unknown_code_reveals_nothing(app):
    at = open_page(app, "track", code="AAAAA-AAAAA")
    assert any("没有找到这个查询码" in e.value for e in at.error)
    assert not at.text


def test_tracker_lookups_are_rate_limited(app, demo_path):
    db = connect(demo_path)
    for _ in range(intake_guard.LOOKUPS_PER_WINDOW):
        intake_guard.record_lookup(db, client_key="session:guesser")
    made = tips.create_tip(db, TipInput(kind="request", description=DESCRIPTION, consent=True))
    at = open_page(app, "track", session={"guard_client": "session:guesser"}, code=made["tracking_code"])
    assert any("查询太频繁了" in w.value for w in at.warning)
    assert "已收到" not in texts(at)


# --- fuzz: intake either creates a whole tip or refuses, nothing else --------------------------

INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
ANY = st.one_of(st.none(), st.text(max_size=60), INT64, st.booleans(), st.floats(allow_nan=True, allow_infinity=True))
PHOTOS = st.lists(st.one_of(st.binary(max_size=40), st.builds(jpeg, st.tuples(*[st.integers(0, 255)] * 3))),
                  max_size=6).map(tuple)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.one_of(st.sampled_from(tips.KINDS), ANY), description=st.one_of(st.text(max_size=2100), ANY),
       location_text=ANY, grid_id=st.one_of(st.sampled_from([1, 2, 33]), ANY), lat=ANY, lon=ANY,
       happened_at=st.one_of(st.none(), st.text(max_size=30), st.just("2026-11-28 18:30")),
       is_anonymous=ANY, contact_name=ANY,
       contact_phone=st.one_of(st.from_regex(r"1[3-9]\d{9}", fullmatch=True), ANY), push_id=ANY, rating=ANY,
       channel=st.one_of(st.sampled_from(tips.CHANNELS), ANY), photos=PHOTOS, consent=ANY)
def test_fuzz_intake_creates_a_whole_tip_or_refuses(demo_db, **fields):
    tables = ("tips", "tip_events", "tip_photos", "files", "audit_log")
    before = {t: count(demo_db, t) for t in tables}
    try:
        made = tips.create_tip(demo_db, TipInput(**fields))
    except (tips.TipErrors, ValidationError):
        assert {t: count(demo_db, t) for t in tables} == before
        assert not demo_db.conn.in_transaction
        return
    after = {t: count(demo_db, t) for t in tables}
    assert after["tips"] == before["tips"] + 1 and after["tip_events"] == before["tip_events"] + 1
    assert after["audit_log"] == before["audit_log"] + 1
    row = demo_db.execute("SELECT kind, description, rating, lat FROM tips WHERE id = ?", [made["id"]]).fetchone()
    assert row[0] in tips.KINDS and 5 <= len(row[1]) <= tips.DESCRIPTION_MAX
    assert row[2] is None or 1 <= row[2] <= 5
    assert row[3] is None or math.isfinite(row[3])


def test_fuzz_finding_happened_at_not_text_is_refused(demo_db):
    with pytest.raises(tips.TipErrors):
        tips.create_tip(demo_db, TipInput(kind="lead", description=DESCRIPTION, consent=True, happened_at=42))


@pytest.mark.parametrize("field", ["grid_id", "push_id"])
def test_fuzz_finding_ids_beyond_sqlite_range_are_refused_or_ignored(demo_db, field):
    try:
        tips.create_tip(demo_db, TipInput(kind="lead", description=DESCRIPTION, consent=True, **{field: 2**64}))
    except tips.TipErrors:
        pass
