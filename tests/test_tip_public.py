"""The public side of tips through the pages (AppTest): the form, from a push's QR code or
not (the volunteer's minute: unit, title and photo, then only what a lead needs), anonymous unless
a phone is typed, each refusal keeping what was typed and writing nothing, a too-long paste cut,
the honeypot, rate limit and challenge, junk query parameters, the done page and its card, the
tracker and the sender's additions; and a fuzz of intake (lib.tips.tips)."""

import io
import math
import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image

from lib.core import files
from lib.core.db import connect
from lib.core.errors import PortalError, ValidationError
from lib.grids import public_grids
from lib.i18n import i18n, messages
from lib.i18n.messages import tip_public
from lib.pushes import pushes
from lib.tips import intake_guard, tips, tracking_card
from lib.tips.tips import TipInput
from pages import tip as tip_form  # the page of /tip (was pages/tip_form.py)
from tests.apptest import goto, texts
from tests.factories import complete_appeal, jpeg, make_tip, sent_appeal, station_grid

DESCRIPTION = "小区东门停着一辆灰色面包车，车头有撞痕，已经停了三天。"


@pytest.fixture(autouse=True)
def _catalog(monkeypatch):
    """lib/i18n/messages/__init__.py may not list tip_public yet: add its texts for these tests."""
    for key, (zh, en) in tip_public.MESSAGES.items():
        if key not in i18n.CATALOG["zh"]:
            monkeypatch.setitem(i18n.CATALOG["zh"], key, zh)
            monkeypatch.setitem(i18n.CATALOG["en"], key, en)


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


def choose_place(at, db, grid_id: int | None = None, community: str | None = None):
    """The place picker as a resident uses it: the community (a rerun shows its grids), then the grid."""
    key = community or public_grids.grid_place(db, grid_id)["key"]
    at.selectbox(key="tip_community").set_value(key).run()
    assert not at.exception, at.exception
    if grid_id is not None:
        at.selectbox(key="tip_grid").set_value(grid_id)
    return at


def fill(at, *, description=DESCRIPTION, kind=None, place=None, when=None, consent=True,
         name=None, phone=None, photos=None, honeypot=None):
    if kind:
        at.radio(key="tip_kind").set_value(kind)
    at.text_area(key="tip_description").input(description)
    if place is not None:
        at.text_input(key="tip_place").input(place)
    if when is not None:
        at.text_input(key="tip_when").input(when)
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


def keys(widgets) -> list:
    return [w.key for w in widgets]


def own_grid(db, user) -> int:
    """A grid of the user's station that the form offers (a comprehensive one)."""
    return station_grid(db, user, category="comprehensive")


# --- the catalog ---------------------------------------------------------------------------


def test_no_key_of_tip_public_is_defined_elsewhere():
    others = set()
    for module in messages.MODULES:
        if module is not tip_public:
            others |= set(module.MESSAGES)
    assert set(tip_public.MESSAGES) & others == set()
    assert all(k.split(".")[0] in ("tip", "track", "guard") for k in tip_public.MESSAGES)


# --- the form ------------------------------------------------------------------------------


def test_a_valid_anonymous_tip_gets_a_code_and_reaches_the_grids_station(app, demo_path, users):
    db = connect(demo_path)
    grid_id = own_grid(db, users["clerk"])
    at = open_page(app)
    assert at.radio(key="tip_kind").value == "request"  # no push: an ordinary request by default
    assert keys(at.checkbox) == ["tip_consent"]  # no "anonymous" box any more
    assert "不留电话即匿名提交" in texts(at)
    before = count(db, "tips")
    choose_place(at, db, grid_id)
    submit(fill(at, kind="lead", when="今天下午3点", photos=[("p.jpg", jpeg(), "image/jpeg")]))
    code = shown_code(at)
    assert code and len(code) == 11 and code[5] == "-"
    assert count(db, "tips") == before + 1
    tip = last_tip(db)
    assert tip["tracking_code"] == tips.normalize_code(code)
    assert (tip["kind"], tip["station_id"], tip["grid_id"], tip["channel"]) == (
        "lead", users["clerk"].station_id, grid_id, "web")
    assert tip["is_anonymous"] == 1 and tip["contact_phone"] is None and tip["push_id"] is None
    # Words that are not a time stay words, in the description.
    assert tip["description"].startswith(DESCRIPTION) and "今天下午3点" in tip["description"]
    assert tip["happened_at"] is None
    assert count(db, "tip_photos") >= 1


def test_when_starts_as_now_in_beijing_and_a_typed_time_is_stored_as_such(app, demo_path):
    db = connect(demo_path)
    at = open_page(app)
    prefilled = at.text_input(key="tip_when").value
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", prefilled)
    beijing = datetime.now(UTC) + timedelta(hours=8)
    assert abs((datetime.strptime(prefilled, "%Y-%m-%d %H:%M") - beijing.replace(tzinfo=None)).total_seconds()) < 120
    submit(fill(at))  # left as it was: "now"
    assert last_tip(db)["happened_at"] == prefilled and last_tip(db)["description"] == DESCRIPTION
    at.button(key="tip_again").click().run()
    submit(fill(at, when="２０２６/11/28 9:05"))
    assert last_tip(db)["happened_at"] == "2026-11-28 09:05" and last_tip(db)["description"] == DESCRIPTION


def test_the_consent_is_one_box_right_above_the_button_and_states_the_retention(app, monkeypatch):
    at = open_page(app)
    order = [getattr(e, "key", None) or type(e).__name__ for e in at.main]
    assert order[order.index("tip_submit") - 1] == "tip_consent"
    assert order[order.index("tip_consent") - 1] == "Caption"  # the one line on what, who, how long
    assert at.checkbox(key="tip_consent").label == "我同意按上面的说明提交"
    assert "办结后保存 3 年，到期删除" in texts(at)
    monkeypatch.setenv("PORTAL_TIP_RETENTION_YEARS", "5")
    assert "办结后保存 5 年" in texts(open_page(app))
    assert "deleted 5 years after the case is closed" in texts(open_page(app, lang="en"))


def test_a_phone_number_means_call_me_back(app, demo_path):
    db = connect(demo_path)
    at = submit(fill(open_page(app), place="三星镇汽车站", name="王先生", phone="139 1234 5678"))
    assert shown_code(at)
    tip = last_tip(db)
    assert (tip["is_anonymous"], tip["contact_name"], tip["contact_phone"], tip["location_text"]) == (
        0, "王先生", "13912345678", "三星镇汽车站")


def test_a_name_without_a_phone_is_not_kept(app, demo_path):
    db = connect(demo_path)
    assert shown_code(submit(fill(open_page(app), name="王先生")))
    tip = last_tip(db)
    assert (tip["is_anonymous"], tip["contact_name"], tip["contact_phone"]) == (1, None, None)


# --- opened from a push --------------------------------------------------------------------


def test_from_an_appeal_the_page_shows_its_unit_title_and_photo_and_asks_no_kind_and_no_grid(app, demo_path, users):
    db = connect(demo_path)
    push = sent_appeal(db, users["clerk"])
    unit = public_grids.short_unit_name(pushes.issuing_unit(db, push))
    assert unit == "海门公安 · 三星派出所"
    at = open_page(app, push=str(push["id"]), grid=str(own_grid(db, users["clerk"])))
    shown = [str(getattr(e, "value", "")) for e in at.main]  # in page order
    assert shown.index(unit) < shown.index("寻人启事：七旬老人走失") < shown.index("看到相关情况？写下这几项就行，一分钟即可。情况紧急请直接拨打 110。")  # the unit first, for trust
    assert not [r for r in at.radio if r.key == "tip_kind"]
    assert not [s for s in at.selectbox if s.key in ("tip_community", "tip_grid")]
    assert len(at.image) == 2  # the logo and the appeal's photo
    assert at.text_area(key="tip_description").label == "您看到了什么？"
    order = [getattr(e, "key", None) for e in at.main]
    assert order.index("tip_rating") > order.index("tip_phone")  # the rating, optional, after the lead


def test_a_lead_with_a_phone_from_an_appeal_is_stored_with_it_and_goes_to_the_issuing_station(
        app, demo_path, users):
    db = connect(demo_path)
    push = sent_appeal(db, users["clerk"])
    other = db.execute("SELECT id FROM grids WHERE station_id != ? AND category = 'comprehensive' LIMIT 1",
                       [push["station_id"]]).fetchone()[0]
    at = open_page(app, push=str(push["id"]), grid=str(other))
    at.session_state["tip_locate"] = {"position": {"lat": 31.93012, "lon": 121.28034, "accuracy": 12}}
    submit(fill(at, place="三星镇汽车站", phone="13912345678", name="王先生"))
    assert shown_code(at)
    tip = last_tip(db)
    assert (tip["kind"], tip["push_id"], tip["channel"], tip["station_id"], tip["grid_id"]) == (
        "lead", push["id"], "qr", push["station_id"], other)  # the issuing station, wherever the grid is
    assert (tip["is_anonymous"], tip["contact_phone"], tip["contact_name"]) == (0, "13912345678", "王先生")
    assert (tip["lat"], tip["lon"], tip["location_text"]) == (31.93012, 121.28034, "三星镇汽车站")
    assert tip["rating"] is None  # not asked for: none stored


def test_a_lead_without_a_phone_from_an_appeal_is_anonymous_and_may_be_rated(app, demo_path, users):
    db = connect(demo_path)
    push = sent_appeal(db, users["clerk"])
    at = open_page(app, push=str(push["id"]))
    at.feedback[0].set_value(3)  # the fourth star
    submit(fill(at))
    tip = last_tip(db)
    assert (tip["push_id"], tip["is_anonymous"], tip["contact_phone"], tip["rating"]) == (push["id"], 1, None, 4)


def test_a_closed_appeal_shows_no_photo_any_more(app, demo_path, users):
    db = connect(demo_path)
    push = sent_appeal(db, users["clerk"])
    db.execute("UPDATE pushes SET appeal_closed_at = '2026-01-01T00:00:00Z', appeal_outcome = 'found' WHERE id = ?",
               [push["id"]])
    db.conn.commit()
    at = open_page(app, push=str(push["id"]))
    assert "这条通报已经结束" in texts(at) and len(at.image) == 1  # the logo only
    card = public_grids.sent_push_card(db, push["id"])
    assert card["is_closed"] and card["photo"] is None


def test_an_unsent_push_is_not_shown_nor_linked(app, demo_path, users):
    db = connect(demo_path)
    draft = complete_appeal(db, users["clerk"])
    draft = pushes.save_draft(db, users["clerk"], draft["id"], draft["version"], title="内部草稿标题")
    at = open_page(app, push=str(draft["id"]))
    assert "内部草稿标题" not in texts(at) and not at.feedback and len(at.image) == 0
    assert at.radio(key="tip_kind").value == "request"
    submit(fill(at))
    assert last_tip(db)["push_id"] is None and last_tip(db)["channel"] == "web"


def test_a_qr_grid_of_another_category_is_offered_too(app, demo_path):
    db = connect(demo_path)
    grid_id = db.execute("SELECT id FROM grids WHERE category = 'industry' LIMIT 1").fetchone()[0]
    at = open_page(app, grid=str(grid_id))
    place = public_grids.grid_place(db, grid_id)
    assert at.selectbox(key="tip_community").value == place["key"]
    assert at.selectbox(key="tip_community").format_func(place["key"]) == place["community_label"]
    assert at.selectbox(key="tip_grid").value == grid_id and at.selectbox(key="tip_grid").options == [place["grid_label"]]
    submit(fill(at))
    assert last_tip(db)["grid_id"] == grid_id


@pytest.mark.parametrize("push,grid", [("abc", "-1"), ("1e3", "0"), ("９", "4.5"), ("' OR 1=1 --", "99999999999"),
                                       ("", "<script>"), ("12345678901234567890", "")])
def test_junk_query_parameters_are_ignored(app, demo_path, push, grid):
    db = connect(demo_path)
    at = open_page(app, push=push, grid=grid)
    assert at.selectbox(key="tip_community").value is None and not at.feedback
    assert not [s for s in at.selectbox if s.key == "tip_grid"]  # no community chosen: no grids shown
    submit(fill(at))
    tip = last_tip(db)
    assert shown_code(at) and tip["push_id"] is None and tip["grid_id"] is None and tip["channel"] == "web"


# --- bad input -----------------------------------------------------------------------------

REFUSALS = [
    (dict(consent=False), "请阅读并勾选同意说明"),
    (dict(description="短"), "请至少用 5 个字"),
    (dict(phone="12345"), "手机号格式不对"),
    (dict(phone="12345", consent=False), "手机号格式不对"),  # several at once
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


def test_a_phone_typed_is_never_refused_for_being_anonymous(app, demo_path):
    at = submit(fill(open_page(app), phone="13912345678"))
    assert shown_code(at) and not at.error


def test_a_too_long_description_is_cut_with_a_message_and_not_sent_in_that_round(app, demo_path):
    db = connect(demo_path)
    limit = tip_form.DESCRIPTION_INPUT_MAX
    pasted = (DESCRIPTION * 200)[: limit + 300]
    before = count(db, "tips")
    at = submit(fill(open_page(app), description=pasted))
    assert shown_code(at) is None and count(db, "tips") == before
    assert at.text_area(key="tip_description").value == pasted[:limit]  # cut, kept in the field
    assert any(f"已截取前 {limit} 字，请检查后再提交" in e.value for e in at.error)
    assert any("还没有提交" in w.value for w in at.warning)
    submit(at)  # checked, sent
    assert shown_code(at) and count(db, "tips") == before + 1
    assert last_tip(db)["description"] == tips.clean_text(pasted[:limit], tips.DESCRIPTION_MAX)


def test_a_photo_over_the_lib_limit_is_refused_in_chinese_and_the_tip_not_sent(app, demo_path):
    db = connect(demo_path)
    before = (count(db, "tips"), count(db, "files"))
    at = open_page(app)
    # The widget takes what the server does (20 MB): lib's 8 MB limit speaks, not the browser.
    assert at.get("file_uploader")[0].proto.max_upload_size_mb == 20
    big = jpeg() + b"\0" * files.MAX_UPLOAD_BYTES
    at = submit(fill(at, photos=[("big.jpg", big, "image/jpeg")]))
    assert shown_code(at) is None and (count(db, "tips"), count(db, "files")) == before
    assert any("图片不能超过 8 MB" in e.value for e in at.error)
    assert at.text_area(key="tip_description").value == DESCRIPTION


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


def test_streamlits_english_is_replaced_by_fixed_css_and_placeholders(app):
    at = open_page(app)
    css = "\n".join(h.proto.body for h in at.get("html"))
    assert "stFileUploaderDropzoneInstructions" in css and "display: none" in css
    assert 'content: "点击选择照片（可选）"' in css and 'content: "每张不超过 8 MB，JPG/PNG"' in css
    assert "<script" not in css
    assert all(s.placeholder for s in at.selectbox if s.key and s.key.startswith("tip_"))
    assert 'content: "Choose photos (optional)"' in "\n".join(h.proto.body for h in open_page(app, lang="en").get("html"))


# --- after sending -------------------------------------------------------------------------


def test_the_done_page_shows_the_code_a_copy_button_the_card_and_the_tracker_link(app, demo_path, users):
    db = connect(demo_path)
    push = sent_appeal(db, users["clerk"])
    at = submit(fill(open_page(app, push=str(push["id"]))))
    code = shown_code(at)
    assert code and [s.value for s in at.success] == ["已收到，谢谢您！"]
    assert "海门公安 · 三星派出所" in texts(at)
    card = at.session_state["tip_done"]["card"]
    with Image.open(io.BytesIO(card)) as img:
        assert img.format == "PNG" and img.width == tracking_card.WIDTH
    assert [i.proto.imgs[0].alt for i in at.image][-1] == "查询码图片"
    assert [b.proto.label for b in at.get("download_button")] == ["保存为图片"]
    links = at.get("page_link")
    assert [(link.proto.label, link.proto.query_string) for link in links] == [("进度查询", f"code={code}")]
    assert any("进度查询" in i.value for i in at.info)


def test_without_a_cjk_font_the_done_page_still_shows_the_code(app, demo_path, monkeypatch):
    def no_font(*args, **kwargs):
        raise PortalError("poster.error.no_font")

    monkeypatch.setattr(tracking_card, "render_card_png", no_font)
    at = submit(fill(open_page(app)))
    assert shown_code(at) and not at.get("download_button")
    assert [i.proto.imgs[0].alt for i in at.image] == []


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
        intake_guard.record(db, client_key=intake_guard.UNKNOWN_CLIENT, contact_phone=None)
    before = count(db, "tips")
    at = open_page(app)
    assert any("提交太频繁了" in w.value and "分钟后再试" in w.value for w in at.warning)
    submit(fill(at))
    assert shown_code(at) is None and count(db, "tips") == before
    assert any("提交太频繁了" in w.value for w in at.warning)
    assert at.text_area(key="tip_description").value == DESCRIPTION


def test_a_busy_client_must_answer_the_challenge(app, demo_path):
    db = connect(demo_path)
    for _ in range(intake_guard.CHALLENGE_AFTER):
        intake_guard.record(db, client_key=intake_guard.UNKNOWN_CLIENT, contact_phone=None)
    before = count(db, "tips")
    at = open_page(app)
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


def test_the_place_picker_offers_communities_then_their_grids_in_natural_order(demo_db):
    options = public_grids.community_options(demo_db)
    grids = demo_db.execute("SELECT id, station_id, name FROM grids WHERE category = 'comprehensive'").fetchall()
    communities = {(station_id, re.fullmatch(r"(.+?)第\d+网格", name).group(1)) for _, station_id, name in grids}
    assert len(options) == len(communities) < len(grids) / 5  # the phone loads a fifth of the names, at most
    assert {(o["station_id"], o["community"]) for o in options} == communities
    assert options[0]["label"] == f"{options[0]['community']} · 海门派出所"  # its station beside it
    for option in options[:40]:
        shown = public_grids.community_grids(demo_db, option["key"])
        expected = {gid for gid, station_id, name in grids
                    if station_id == option["station_id"] and re.fullmatch(re.escape(option["community"]) + r"第\d+网格", name)}
        assert {g["id"] for g in shown} == expected
        numbers = [int(re.fullmatch(r"第(\d+)网格", g["label"]).group(1)) for g in shown]
        assert numbers == sorted(numbers)  # 第2网格 before 第10网格
    assert public_grids.community_grids(demo_db, "1:没有这个社区") == []
    assert public_grids.community_grids(demo_db, "'; DROP TABLE grids; --") == []


def test_a_resident_who_knows_the_community_but_not_the_grid_reaches_its_station(app, demo_path):
    db = connect(demo_path)
    option = next(o for o in public_grids.community_options(db) if o["label"].endswith("三星派出所"))
    # (A form's typed text across the picker's rerun is a browser's matter: tests/test_browser.py.)
    at = choose_place(open_page(app), db, community=option["key"])
    grid = at.selectbox(key="tip_grid")
    assert grid.value is None and grid.placeholder == "选择网格（不清楚可不选）"
    assert grid.options == [g["label"] for g in public_grids.community_grids(db, option["key"])]
    submit(fill(at, place="菜场北门"))
    tip = last_tip(db)
    assert shown_code(at) and tip["grid_id"] is None and tip["station_id"] == option["station_id"]
    assert tip["location_text"] == f"{option['community']}，菜场北门"  # staff read the community


def test_another_community_clears_the_grid_chosen_for_the_first(app, demo_path):
    db = connect(demo_path)
    first, second = public_grids.community_options(db)[:2]
    grid_id = public_grids.community_grids(db, first["key"])[0]["id"]
    at = choose_place(open_page(app), db, grid_id)
    at.run()
    assert at.selectbox(key="tip_grid").value == grid_id
    choose_place(at, db, community=second["key"])
    assert at.selectbox(key="tip_grid").value is None
    submit(fill(at))
    assert last_tip(db)["grid_id"] is None and last_tip(db)["station_id"] == second["station_id"]


@pytest.mark.parametrize("station", [2**64, -3, "2", True, "outpost", "district_center"])
def test_a_chosen_station_must_be_a_station(demo_db, station):
    if station in ("outpost", "district_center"):
        station = demo_db.execute("SELECT id FROM units WHERE kind = ? LIMIT 1", [station]).fetchone()[0]
    before = count(demo_db, "tips")
    with pytest.raises(tips.TipErrors) as info:
        tips.create_tip(demo_db, TipInput(kind="lead", description=DESCRIPTION, consent=True, station_id=station))
    assert info.value.errors == {"station_id": ("tips.error.grid", {})} and count(demo_db, "tips") == before


def test_a_grid_or_the_phones_point_routes_before_a_chosen_station(demo_db):
    grid_id, grid_station = demo_db.execute(
        "SELECT id, station_id FROM grids WHERE category = 'comprehensive' ORDER BY id LIMIT 1").fetchone()
    other = demo_db.execute("SELECT id FROM units WHERE kind = 'station' AND id != ? LIMIT 1", [grid_station]).fetchone()[0]
    made = tips.create_tip(demo_db, TipInput(kind="lead", description=DESCRIPTION, consent=True, grid_id=grid_id,
                                             station_id=other))
    assert demo_db.execute("SELECT station_id FROM tips WHERE id = ?", [made["id"]]).fetchone()[0] == grid_station
    made = tips.create_tip(demo_db, TipInput(kind="lead", description=DESCRIPTION, consent=True, station_id=other))
    assert demo_db.execute("SELECT station_id, grid_id FROM tips WHERE id = ?", [made["id"]]).fetchone() == (other, None)


def test_sent_push_card_says_nothing_of_unsent_pushes(demo_db, users):
    push = sent_appeal(demo_db, users["clerk"])
    card = public_grids.sent_push_card(demo_db, push["id"])
    assert (card["title"], card["unit"], card["label"], card["category"], card["appeal_kind"]) == (
        "寻人启事：七旬老人走失", "海门公安 · 三星派出所", "寻人启事", "appeal", "missing_person")
    with Image.open(io.BytesIO(card["photo"])) as img:  # the first photo, light for a phone
        assert img.format == "JPEG" and max(img.size) <= public_grids.CARD_PHOTO_SIDE
    assert public_grids.sent_push_card(demo_db, push["id"], "en")["label"] == "Missing person"
    draft = complete_appeal(demo_db, users["clerk"])  # a complete draft, photo and all: nothing of it
    assert public_grids.sent_push_card(demo_db, draft["id"]) is None
    assert public_grids.sent_push_card(demo_db, None) is None
    assert public_grids.sent_push_card(demo_db, 10**8) is None


@pytest.mark.parametrize("full,short", [("海门区公安局三星派出所", "海门公安 · 三星派出所"), ("海门区公安局", "海门公安"),
                                        ("海门区公安局警网融合联动中心", "海门公安 · 警网融合联动中心"),
                                        ("三星派出所", "三星派出所"), ("", "")])
def test_short_unit_name(full, short):
    assert public_grids.short_unit_name(full) == short


def test_tip_unit_is_the_station_it_went_to_else_the_district_center(demo_db, users):
    made = make_tip(demo_db, station=users["clerk"], kind="lead", description=DESCRIPTION)
    assert public_grids.tip_unit(demo_db, made["id"]) == "海门公安 · 三星派出所"
    assert public_grids.tip_unit(demo_db, None) == "海门公安 · 警网融合联动中心"


@pytest.mark.parametrize("typed,stored", [("2026-11-28 18:30", "2026-11-28 18:30"), (" 2026/1/2 8:05 ", "2026-01-02 08:05"),
                                          ("２０２６－１１－２８　１８：３０", "2026-11-28 18:30"), ("2026.11.28 18:30", "2026-11-28 18:30"),
                                          ("2026-02-30 10:00", None), ("2026-11-28 25:00", None), ("昨晚十点左右", None),
                                          ("2026-11-28", None), ("", None), (None, None)])
def test_parse_china_time(typed, stored):
    assert public_grids.parse_china_time(typed) == stored


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
    made = make_tip(db, station=clerk, kind="lead", description=DESCRIPTION, location_text="叠石桥家纺城东门",
                    is_anonymous=False, contact_name="王先生", contact_phone="13912345678")
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
    made = make_tip(db)
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
        intake_guard.record_lookup(db, client_key=intake_guard.UNKNOWN_CLIENT)
    made = make_tip(db)
    at = open_page(app, "track", code=made["tracking_code"])
    assert any("查询太频繁了" in w.value for w in at.warning)
    assert "已收到" not in texts(at)


def test_the_tracker_shows_the_conversation_in_order_and_takes_an_addition(app, demo_path, users):
    db = connect(demo_path)
    clerk = users["clerk"]
    made = make_tip(db, station=clerk, kind="lead")
    tips.add_note(db, clerk, made["id"], "感谢提供线索！可继续在此补充。", public=True)
    at = open_page(app, "track", code=made["tracking_code"])
    assert [t.value for t in at.text] == ["感谢提供线索！可继续在此补充。"]
    before = count(db, "tip_events")
    at.text_area(key="track_addition").input("刚才又在菜场门口看到那辆车，**往北**开了。")
    at.button(key="track_add_submit").click().run()
    assert not at.exception
    assert any("已补充" in s.value for s in at.success)
    assert count(db, "tip_events") == before + 1
    row = db.execute("SELECT kind, is_public, text FROM tip_events WHERE tip_id = ? ORDER BY id DESC LIMIT 1",
                     [made["id"]]).fetchone()
    assert tuple(row) == ("addition", 1, "刚才又在菜场门口看到那辆车，**往北**开了。")
    # Shown back, after the reply, as plain text, marked as the sender's own.
    assert [t.value for t in at.text] == ["感谢提供线索！可继续在此补充。", "刚才又在菜场门口看到那辆车，**往北**开了。"]
    assert "您的补充" in texts(at) and "民警答复" in texts(at)
    assert at.text_area(key="track_addition").value == ""


@pytest.mark.parametrize("typed,message", [("好", "请写下要补充的情况"), ("补" * 1200, "已截取前 1000 字")])
def test_a_refused_addition_says_why_keeps_the_text_and_stores_nothing(app, demo_path, typed, message):
    db = connect(demo_path)
    made = make_tip(db)
    at = open_page(app, "track", code=made["tracking_code"])
    before = count(db, "tip_events")
    at.text_area(key="track_addition").input(typed)
    at.button(key="track_add_submit").click().run()
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    assert count(db, "tip_events") == before
    assert at.text_area(key="track_addition").value == typed[:1000]


def test_additions_are_rate_limited_per_code(app, demo_path):
    db = connect(demo_path)
    made = make_tip(db)
    for n in range(intake_guard.ADDITIONS_PER_CODE):
        intake_guard.guarded_addition(db, made["tracking_code"], f"补充第{n}条情况", client_key=f"c{n}")
    at = open_page(app, "track", code=made["tracking_code"])
    at.text_area(key="track_addition").input("再补充一条情况")
    at.button(key="track_add_submit").click().run()
    assert any("补充太频繁了" in e.value for e in at.error)
    assert at.text_area(key="track_addition").value == "再补充一条情况"


# --- fuzz: intake either creates a whole tip or refuses, nothing else --------------------------

INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
ANY = st.one_of(st.none(), st.text(max_size=60), INT64, st.booleans(), st.floats(allow_nan=True, allow_infinity=True))
PHOTOS = st.lists(st.one_of(st.binary(max_size=40), st.builds(jpeg, st.tuples(*[st.integers(0, 255)] * 3))),
                  max_size=6).map(tuple)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.one_of(st.sampled_from(tips.KINDS), ANY), description=st.one_of(st.text(max_size=2100), ANY),
       location_text=ANY, grid_id=st.one_of(st.sampled_from([1, 2, 33]), ANY),
       station_id=st.one_of(st.sampled_from([1, 2, 5, 30]), ANY), lat=ANY, lon=ANY,
       happened_at=st.one_of(st.none(), st.text(max_size=30), st.just("2026-11-28 18:30")),
       is_anonymous=ANY, contact_name=ANY,
       contact_phone=st.one_of(st.from_regex(r"1[3-9]\d{9}", fullmatch=True), ANY), push_id=ANY, rating=ANY,
       channel=st.one_of(st.sampled_from(tips.CHANNELS), ANY), photos=PHOTOS, consent=ANY)
@example(kind="request", description="路口的路灯坏了三天了", location_text=None, grid_id=1, station_id=None, lat=None, lon=None,
         happened_at=None, is_anonymous=True, contact_name=None, contact_phone=None, push_id=None, rating=None,
         channel=None, photos=(), consent=True)  # the whole-tip path runs on every run, not only when drawn
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
    # Intake writes the tip row and its audit row, no history event (the tip row is its arrival).
    assert after["tips"] == before["tips"] + 1 and after["tip_events"] == before["tip_events"]
    assert after["audit_log"] == before["audit_log"] + 1
    row = demo_db.execute("SELECT kind, description, rating, lat FROM tips WHERE id = ?", [made["id"]]).fetchone()
    assert row[0] in tips.KINDS and 5 <= len(row[1]) <= tips.DESCRIPTION_MAX
    assert row[2] is None or 1 <= row[2] <= 5
    assert row[3] is None or math.isfinite(row[3])


def test_fuzz_finding_happened_at_not_text_is_refused(demo_db):
    with pytest.raises(tips.TipErrors):
        tips.create_tip(demo_db, TipInput(kind="lead", description=DESCRIPTION, consent=True, happened_at=42))


def test_fuzz_finding_a_grid_id_beyond_sqlite_range_is_refused_under_its_field(demo_db):
    before = count(demo_db, "tips")
    with pytest.raises(tips.TipErrors) as info:
        tips.create_tip(demo_db, TipInput(kind="lead", description=DESCRIPTION, consent=True, grid_id=2**64))
    assert info.value.errors == {"grid_id": ("tips.error.grid", {})}
    assert count(demo_db, "tips") == before


def test_fuzz_finding_a_push_id_beyond_sqlite_range_is_ignored_like_an_unknown_qr_code(demo_db):
    made = tips.create_tip(demo_db, TipInput(kind="lead", description=DESCRIPTION, consent=True, push_id=2**64))
    row = demo_db.execute("SELECT push_id, description FROM tips WHERE id = ?", [made["id"]]).fetchone()
    assert row == (None, DESCRIPTION)  # the tip is in, unlinked
