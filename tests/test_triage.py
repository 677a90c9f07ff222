"""Triage: reply templates, the expert directory, the SLA column, and the 线索研判 page per role
(AppTest)."""

from datetime import UTC, datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from lib.core import audit, auth
from lib.core.clock import utcnow
from lib.core.db import connect
from lib.core.errors import NotFoundError, ScopeError, ValidationError
from lib.tips import experts, reply_templates, retention, tips, triage_queue
from lib.tips.tips import TipInput
from tests.apptest import APP, goto, metrics, texts

NOW = "2026-11-28T10:00:00Z"


def ago(minutes: int) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def grid_of(db, station_id):
    return db.execute("SELECT id FROM grids WHERE station_id = ? AND geometry IS NOT NULL ORDER BY id LIMIT 1",
                      [station_id]).fetchone()[0]


def make(db, station_id, description="三星镇汽车站旁停着一辆灰色面包车，车头有撞痕。", *, now=None, priority=None,
         **over) -> int:
    values = dict(kind="lead", description=description, grid_id=grid_of(db, station_id), consent=True)
    values.update(over)
    return tips.create_tip(db, TipInput(**values), now=now or utcnow(), priority=priority)["id"]


# --- SLA column ---------------------------------------------------------------------------


@pytest.mark.parametrize("due_in,lang,expected", [
    (8, "zh", "剩余 8 分钟"), (-25, "zh", "⚠ 已超时 25 分钟"), (200, "zh", "剩余 3 小时 20 分"),
    (-(2 * 24 * 60 + 3 * 60), "zh", "⚠ 已超时 2 天 3 小时"), (8, "en", "8 min left"), (-25, "en", "⚠ 25 min overdue"),
])
def test_sla_text(due_in, lang, expected):
    due = (datetime(2026, 11, 28, 10, tzinfo=UTC) + timedelta(minutes=due_in)).strftime("%Y-%m-%dT%H:%M:%SZ")
    tip = {"is_open": 1, "first_response_at": None, "due_at": due}
    assert triage_queue.sla_text(tip, NOW, lang) == expected


def test_sla_stops_when_answered_or_closed():
    tip = {"is_open": 1, "first_response_at": NOW, "due_at": "2026-11-28T09:00:00Z"}
    assert triage_queue.sla_text(tip, NOW) == "已答复" and triage_queue.sla_minutes(tip, NOW) is None
    assert triage_queue.sla_text({**tip, "is_open": 0}, NOW) == "—"


def test_local_time_is_china_time():
    assert triage_queue.local_time("2026-11-28T10:30:00Z") == "2026-11-28 18:30"
    assert triage_queue.local_time(None) == ""


# --- reply templates ----------------------------------------------------------------------


def test_demo_templates_cover_every_kind(demo_db, users):
    assert demo_db.execute("SELECT COUNT(*) FROM reply_templates").fetchone()[0] >= 12  # seeded with the demo
    assert reply_templates.seed_reply_templates(demo_db) == 0  # seeding twice adds nothing
    for kind in tips.KINDS:
        assert 3 <= len(reply_templates.list_templates(demo_db, users["clerk"], kind)) <= 4


def test_district_admin_adds_and_deletes_templates_softly(demo_db, users):
    admin = users["district_admin"]
    made = reply_templates.add_template(demo_db, admin, "request", "路灯已报修", "您好，已通知供电所维修路灯。")
    with pytest.raises(ValidationError) as info:
        reply_templates.add_template(demo_db, admin, "request", "路灯已报修", "重复")
    assert info.value.key == "templates.error.duplicate"
    reply_templates.add_template(demo_db, admin, "inquiry", "路灯已报修", "同名但类型不同，可以。")
    reply_templates.delete_template(demo_db, admin, made["id"])
    assert "路灯已报修" not in [r["title"] for r in reply_templates.list_templates(demo_db, admin, "request")]
    assert demo_db.execute("SELECT is_deleted FROM reply_templates WHERE id = ?", [made["id"]]).fetchone()[0] == 1
    again = reply_templates.add_template(demo_db, admin, "request", "路灯已报修", "新的内容")
    assert again["id"] == made["id"]  # the deleted row comes back
    actions = [e["action"] for e in audit.list_entries(demo_db, admin, entity="reply_templates")]
    assert actions.count("create") == 3 and actions.count("delete") == 1


@pytest.mark.parametrize("role", ["clerk", "station_admin"])
def test_only_district_admins_change_templates(demo_db, users, role):
    with pytest.raises(ScopeError):
        reply_templates.add_template(demo_db, users[role], "lead", "标题", "内容")
    made = reply_templates.add_template(demo_db, users["district_admin"], "lead", "标题", "内容")
    with pytest.raises(ScopeError):
        reply_templates.delete_template(demo_db, users[role], made["id"])


@pytest.mark.parametrize("kind,title,body,key", [
    ("gossip", "标题", "内容", "tips.error.kind"), ("lead", "", "内容", "templates.error.title"),
    ("lead", "长" * 31, "内容", "templates.error.title"), ("lead", "标题", " ", "templates.error.body"),
])
def test_bad_templates_are_refused(demo_db, users, kind, title, body, key):
    with pytest.raises(ValidationError) as info:
        reply_templates.add_template(demo_db, users["district_admin"], kind, title, body)
    assert info.value.key == key


# --- experts --------------------------------------------------------------------------------


def test_demo_experts_are_searchable_by_field_and_text(demo_db, users):
    assert demo_db.execute("SELECT COUNT(*) FROM experts").fetchone()[0] == 12  # seeded with the demo
    assert experts.seed_experts(demo_db) == 0 and experts.seed_experts(demo_db) == 0
    clerk = users["clerk"]
    assert {e["field"] for e in experts.search_experts(demo_db, clerk)} >= {"lawyer", "doctor", "counsellor",
                                                                           "anti_fraud"}
    assert all(e["field"] == "anti_fraud" for e in experts.search_experts(demo_db, clerk, field="anti_fraud"))
    assert [e["name"] for e in experts.search_experts(demo_db, clerk, text="法律援助")] == ["沈丽华"]
    assert experts.search_experts(demo_db, clerk, text="100%_") == []
    assert all(e["phone"].startswith("0513-8") for e in experts.search_experts(demo_db, clerk))


def test_district_admin_adds_edits_and_deactivates_experts(demo_db, users):
    admin = users["district_admin"]
    made = experts.add_expert(demo_db, admin, {"name": "周律师", "field": "lawyer", "organization": "海门律师事务所",
                                               "phone": "0513 82216000", "note": "物业纠纷"})
    assert made["phone"] == "0513-82216000"
    edited = experts.update_expert(demo_db, admin, made["id"], {"note": "物业纠纷、租赁合同"})
    assert edited["note"] == "物业纠纷、租赁合同" and edited["name"] == "周律师"
    experts.set_active(demo_db, admin, made["id"], False)
    assert made["id"] not in [e["id"] for e in experts.search_experts(demo_db, admin)]
    assert made["id"] in [e["id"] for e in experts.search_experts(demo_db, admin, include_inactive=True)]
    actions = [e["action"] for e in audit.list_entries(demo_db, admin, entity="experts")]
    assert actions[:3] == ["deactivate", "update", "create"]
    with pytest.raises(ScopeError):
        experts.add_expert(demo_db, users["station_admin"], {"name": "某", "field": "doctor"})
    with pytest.raises(ValidationError) as info:
        experts.add_expert(demo_db, admin, {"name": "某", "field": "doctor", "phone": "12345"})
    assert info.value.key == "experts.error.phone"


def test_attach_expert_adds_an_internal_expert_event(demo_db, users):
    experts.seed_experts(demo_db)
    clerk = users["clerk"]
    tip_id = make(demo_db, clerk.station_id, "邻居欠我三万元不还，能起诉吗？", kind="inquiry")
    lawyer = experts.search_experts(demo_db, clerk, field="lawyer")[0]
    experts.attach_expert(demo_db, clerk, tip_id, lawyer["id"], "可向海门区人民法院起诉，注意三年诉讼时效。")
    [event] = [e for e in tips.events(demo_db, clerk, tip_id) if e["kind"] == "expert"]
    assert not event["is_public"] and "诉讼时效" in event["text"] and lawyer["name"] in event["data"]
    assert tips.track(demo_db, demo_db.execute("SELECT tracking_code FROM tips WHERE id = ?",
                                               [tip_id]).fetchone()[0])["replies"] == []
    assert audit.list_entries(demo_db, users["district_admin"], entity="tips", entity_id=tip_id)[0]["action"] \
        == "attach_expert"
    with pytest.raises(NotFoundError):
        experts.attach_expert(demo_db, users["other_clerk"], tip_id, lawyer["id"], "越权")
    experts.set_active(demo_db, users["district_admin"], lawyer["id"], False)
    with pytest.raises(ValidationError):
        experts.attach_expert(demo_db, clerk, tip_id, lawyer["id"], "已停用")


# --- the page -----------------------------------------------------------------------------------


@pytest.fixture
def open_triage(demo_path, monkeypatch):
    """Open the triage page as ``username``; run it again to follow an st.rerun()."""
    monkeypatch.setenv("PORTAL_DB", str(demo_path))

    def open_as(username, lang=None):
        at = AppTest.from_file(APP, default_timeout=60)
        at.session_state["authentication_status"] = True
        at.session_state["username"] = username
        at.session_state["roles"] = [auth.load_user(connect(demo_path), username).role]
        if lang:
            at.session_state["app_lang"] = lang
        at.run()
        return goto(at, "triage").run()

    return open_as


def table_ids(at) -> list[int]:
    if not at.dataframe:
        return []
    frame = at.dataframe[0].value
    return [int(v) for v in frame["编号"]]


def test_clerk_sees_only_their_stations_tips(open_triage, demo_db, users):
    mine = make(demo_db, users["clerk"].station_id)
    theirs = make(demo_db, users["other_clerk"].station_id)
    at = open_triage("clerk")
    assert not at.exception
    assert table_ids(at) == [mine]
    assert theirs not in table_ids(at)
    assert not any(s.key == "triage_station" for s in at.selectbox)
    at.number_input(key="triage_open_id").set_value(theirs).run()
    assert any("未找到该记录" in e.value for e in at.error)


def test_district_admin_sees_every_station_and_can_filter(open_triage, demo_db, users):
    mine = make(demo_db, users["clerk"].station_id)
    theirs = make(demo_db, users["other_clerk"].station_id)
    at = open_triage("district")
    assert not at.exception
    assert set(table_ids(at)) == {mine, theirs}
    at.selectbox(key="triage_station").set_value(users["other_clerk"].station_id).run()
    assert table_ids(at) == [theirs]


def test_an_overdue_tip_is_marked_and_counted(open_triage, demo_db, users):
    late = make(demo_db, users["clerk"].station_id, priority="urgent", now=ago(40))  # due after 10 minutes
    fresh = make(demo_db, users["clerk"].station_id, "小区门口的路灯坏了一个星期，晚上很黑。", kind="request")
    at = open_triage("clerk")
    frame = at.dataframe[0].value
    row = frame[frame["编号"] == late].iloc[0]
    assert row["答复时限"].startswith("⚠ 已超时 ")
    other = frame[frame["编号"] == fresh].iloc[0]
    assert other["答复时限"].startswith("剩余 ")
    assert metrics(at)["答复已超时"] == "1" and metrics(at)["待办线索"] == "2"
    at.toggle(key="triage_overdue").set_value(True).run()
    assert table_ids(at) == [late]


def test_a_move_through_the_page_changes_the_database(open_triage, demo_db, users):
    tip_id = make(demo_db, users["clerk"].station_id)
    at = open_triage("clerk")
    at.number_input(key="triage_open_id").set_value(tip_id).run()
    assert f"#{tip_id}" in texts(at)
    at.radio(key=f"triage_action_{tip_id}").set_value("triage").run()
    at.button(key=f"triage_do_{tip_id}").click().run()
    assert tips.get_tip(demo_db, users["clerk"], tip_id)["state"] == "triaged"
    at.radio(key=f"triage_action_{tip_id}").set_value("assign").run()
    at.selectbox(key=f"triage_assignee_{tip_id}").set_value(users["clerk"].id).run()
    at.button(key=f"triage_do_{tip_id}").click().run()
    tip = tips.get_tip(demo_db, users["clerk"], tip_id)
    assert tip["state"] == "assigned" and tip["assignee_user_id"] == users["clerk"].id
    at.radio(key=f"triage_action_{tip_id}").set_value("reject").run()
    at.button(key=f"triage_do_{tip_id}").click().run()
    assert any("请填写原因" in e.value for e in at.error)
    assert tips.get_tip(demo_db, users["clerk"], tip_id)["state"] == "assigned"


def test_a_tip_resolved_then_closed_stays_open_on_the_page(open_triage, demo_db, users):
    # Issue #10: after 办结, choosing 关闭 replaced the tip with "未找到该记录" until a reload (the tip
    # had left the open queue the page picked it from).
    tip_id = make(demo_db, users["clerk"].station_id)
    at = open_triage("clerk")
    at.number_input(key="triage_open_id").set_value(tip_id).run()
    for action, state, shown in (("resolve", "resolved", "已办结"), ("close", "closed", "已关闭")):
        at.radio(key=f"triage_action_{tip_id}").set_value(action).run()
        at.button(key=f"triage_do_{tip_id}").click().run()
        assert tips.get_tip(demo_db, users["clerk"], tip_id)["state"] == state
        assert not at.exception and not any("未找到" in e.value for e in at.error)
        assert any(h.value.startswith(f"#{tip_id} ") and h.value.endswith(shown) for h in at.subheader), \
            [h.value for h in at.subheader]
    assert tip_id not in table_ids(at)  # off the open queue, still open on the page


def test_a_public_reply_through_the_page_reaches_the_tracker(open_triage, demo_db, users):
    reply_templates.seed_reply_templates(demo_db)
    tip_id = make(demo_db, users["clerk"].station_id)
    code = demo_db.execute("SELECT tracking_code FROM tips WHERE id = ?", [tip_id]).fetchone()[0]
    at = open_triage("clerk")
    at.number_input(key="triage_open_id").set_value(tip_id).run()
    template = next(r for r in reply_templates.list_templates(demo_db, users["clerk"], "lead")
                    if r["title"] == "感谢提供线索")
    at.selectbox(key=f"triage_template_{tip_id}").set_value(template["id"]).run()
    assert at.text_area(key=f"triage_reply_{tip_id}").value == template["body"]
    at.text_area(key=f"triage_note_{tip_id}").input("内部：已调取汽车站监控").run()
    at.button(key=f"triage_note_add_{tip_id}").click().run()
    at.button(key=f"triage_reply_send_{tip_id}").click().run()
    view = tips.track(demo_db, code)
    assert [r["text"] for r in view["replies"]] == [template["body"]]
    assert "监控" not in str(view)
    assert "内部：已调取汽车站监控" in [e.value for e in at.text]


def test_contact_is_hidden_from_a_clerk_not_assigned(open_triage, demo_db, users):
    tip_id = make(demo_db, users["clerk"].station_id, is_anonymous=False, contact_name="王先生",
                  contact_phone="13912345678")
    at = open_triage("clerk")
    at.number_input(key="triage_open_id").set_value(tip_id).run()
    assert not any(b.key == f"triage_contact_{tip_id}" for b in at.button)
    assert "13912345678" not in texts(at)
    assert any("仅对承办民警和所领导可见" in c.value for c in at.caption)
    admin = open_triage("station")
    admin.number_input(key="triage_open_id").set_value(tip_id).run()
    assert "13912345678" not in texts(admin)
    admin.button(key=f"triage_contact_{tip_id}").click().run()
    assert "13912345678" in texts(admin)
    views = demo_db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'view_contact' AND entity_id = ?",
                            [str(tip_id)]).fetchone()[0]
    assert views == 1


def test_a_stale_edit_is_refused_with_a_clear_message(open_triage, demo_db, users):
    tip_id = make(demo_db, users["clerk"].station_id)
    at = open_triage("clerk")
    at.number_input(key="triage_open_id").set_value(tip_id).run()
    tips.move(demo_db, users["station_admin"], tip_id, 1, "triage")  # someone else, meanwhile
    at.run()
    assert any("已被他人修改" in w.value for w in at.warning)
    at.radio(key=f"triage_action_{tip_id}").set_value("reject").run()
    at.text_input(key=f"triage_reason_{tip_id}").input("重复报警").run()
    at.button(key=f"triage_do_{tip_id}").click().run()
    assert any("刚刚被他人修改过" in e.value for e in at.error)
    assert tips.get_tip(demo_db, users["clerk"], tip_id)["state"] == "triaged"
    at.button(key=f"triage_reload_{tip_id}").click().run()
    assert not any("已被他人修改" in w.value for w in at.warning)


def test_a_likely_duplicate_is_merged_from_the_page(open_triage, demo_db, users):
    station = users["clerk"].station_id
    first = make(demo_db, station, "汽车站边上有辆灰色的面包车，车头被撞坏了，怀疑是昨天晚上肇事逃逸的车！")
    second = make(demo_db, station, "三星镇汽车站旁边停着一辆灰色面包车，车头有撞痕，像是昨晚撞人的那辆。")
    at = open_triage("clerk")
    at.number_input(key="triage_open_id").set_value(second).run()
    assert any(f"#{first}" in m.value for m in at.markdown)
    at.button(key=f"triage_merge_{second}_{first}").click().run()
    merged = tips.get_tip(demo_db, users["clerk"], second)
    assert merged["state"] == "duplicate" and merged["duplicate_of"] == first
    assert any(e["kind"] == "merge" for e in tips.events(demo_db, users["clerk"], first))


def test_a_likely_duplicate_is_merged_into_the_open_tip(open_triage, demo_db, users):
    station = users["clerk"].station_id
    first = make(demo_db, station, "汽车站边上有辆灰色的面包车，车头被撞坏了，怀疑是昨天晚上肇事逃逸的车！")
    second = make(demo_db, station, "三星镇汽车站旁边停着一辆灰色面包车，车头有撞痕，像是昨晚撞人的那辆。")
    at = open_triage("clerk")
    at.number_input(key="triage_open_id").set_value(first).run()
    at.button(key=f"triage_merge_here_{first}_{second}").click().run()
    assert any(f"#{second} 已并入 #{first}" in s.value for s in at.success)
    assert tips.get_tip(demo_db, users["clerk"], second)["duplicate_of"] == first
    assert tips.get_tip(demo_db, users["clerk"], first)["state"] == "new"


def test_an_expert_answer_is_recorded_from_the_page(open_triage, demo_db, users):
    experts.seed_experts(demo_db)
    tip_id = make(demo_db, users["clerk"].station_id, "接到自称客服的电话要我开屏幕共享退款，是诈骗吗？",
                  kind="inquiry")
    at = open_triage("clerk")
    at.number_input(key="triage_open_id").set_value(tip_id).run()
    at.selectbox(key=f"triage_expert_field_{tip_id}").set_value("anti_fraud").run()
    expert_id = at.selectbox(key=f"triage_expert_{tip_id}").value
    at.text_area(key=f"triage_expert_answer_{tip_id}").input("是诈骗，立即挂断，勿共享屏幕。").run()
    at.button(key=f"triage_expert_attach_{tip_id}").click().run()
    [event] = [e for e in tips.events(demo_db, users["clerk"], tip_id) if e["kind"] == "expert"]
    assert f'"expert_id": {expert_id}' in event["data"] and not event["is_public"]


def test_a_phone_tip_is_logged_by_staff(open_triage, demo_db, users):
    at = open_triage("clerk")
    at.text_input(key="triage_log_grid_q").input("").run()
    grid = at.selectbox(key="triage_log_grid").options[1]
    at.selectbox(key="triage_log_grid").select(grid).run()
    at.selectbox(key="triage_log_kind").set_value("request").run()
    at.text_area(key="triage_log_description").input("来电反映：小区门口路灯坏了一个星期，晚上很黑。")
    at.text_input(key="triage_log_name").input("李阿姨")
    at.text_input(key="triage_log_phone").input("0513-82123456")
    at.button(key="triage_log_submit").click().run()
    assert any("请阅读并勾选" in e.value or "勾选" in e.value for e in at.error)  # consent missing, nothing saved
    assert demo_db.execute("SELECT COUNT(*) FROM tips").fetchone()[0] == 0
    assert at.text_area(key="triage_log_description").value.startswith("来电反映")  # what was typed is kept
    at.checkbox(key="triage_log_consent").check()
    at.button(key="triage_log_submit").click().run()
    row = demo_db.execute("SELECT channel, kind, station_id, contact_phone, created_by FROM tips").fetchone()
    assert row == ("phone", "request", users["clerk"].station_id, "0513-82123456", users["clerk"].id)
    assert any("查询码" in s.value for s in at.success)
    assert at.text_area(key="triage_log_description").value == ""  # ready for the next call


def test_the_page_speaks_english(open_triage, demo_db, users):
    make(demo_db, users["clerk"].station_id)
    at = open_triage("clerk", lang="en")
    assert not at.exception
    assert "Tip triage" in texts(at) and "Overdue" in metrics(at)


def test_district_admin_routes_an_unplaced_tip_by_hand(open_triage, demo_db, users):
    tip_id = tips.create_tip(demo_db, TipInput(kind="lead", description="江边码头附近有人非法捕捞，请核查。",
                                               lat=0.0, lon=0.0, consent=True))["id"]
    clerk = users["clerk"]
    assert tip_id not in table_ids(open_triage("clerk"))
    at = open_triage("district")
    frame = at.dataframe[0].value
    assert frame[frame["编号"] == tip_id].iloc[0]["派出所"] == "待联动中心分派"
    at.number_input(key="triage_open_id").set_value(tip_id).run()
    at.selectbox(key=f"triage_reroute_to_{tip_id}").set_value(clerk.station_id).run()
    at.text_input(key=f"triage_reroute_reason_{tip_id}").input("发生地属三星所辖区").run()
    at.button(key=f"triage_reroute_{tip_id}").click().run()
    assert tips.get_tip(demo_db, clerk, tip_id)["station_id"] == clerk.station_id
    assert tip_id in table_ids(open_triage("clerk"))


def test_station_admin_sends_a_tip_on_to_the_right_station(open_triage, demo_db, users):
    admin, other = users["station_admin"], users["other_clerk"]
    tip_id = make(demo_db, admin.station_id)
    at = open_triage("station")
    at.number_input(key="triage_open_id").set_value(tip_id).run()
    at.selectbox(key=f"triage_reroute_to_{tip_id}").set_value(other.station_id).run()
    at.text_input(key=f"triage_reroute_reason_{tip_id}").input("事发地在他所辖区").run()
    at.button(key=f"triage_reroute_{tip_id}").click().run()
    assert not at.exception
    assert tips.get_tip(demo_db, other, tip_id)["station_id"] == other.station_id
    assert tip_id not in table_ids(open_triage("station"))


def test_a_clerk_has_no_reroute_control(open_triage, demo_db, users):
    tip_id = make(demo_db, users["clerk"].station_id)
    at = open_triage("clerk")
    at.number_input(key="triage_open_id").set_value(tip_id).run()
    assert not [w for w in at.selectbox if w.key == f"triage_reroute_to_{tip_id}"]


def test_a_dispute_becomes_a_mediation_case_linked_both_ways(open_triage, demo_db, users):
    clerk = users["clerk"]
    tip_id = make(demo_db, clerk.station_id, "邻居装修噪音纠纷，双方多次争吵，希望派出所调解。", kind="complaint")
    at = open_triage("clerk")
    at.number_input(key="triage_open_id").set_value(tip_id).run()
    at.text_input(key=f"triage_mediation_title_{tip_id}").input("装修噪音纠纷")
    at.text_input(key=f"triage_mediation_applicant_{tip_id}_name").input("张女士")
    at.text_input(key=f"triage_mediation_respondent_{tip_id}_name").input("李先生")
    at.selectbox(key=f"triage_mediation_respondent_{tip_id}_country").set_value("KE")
    next(b for b in at.button if b.label == "转为调解案件").click().run()
    assert not at.exception
    case = demo_db.execute("SELECT id, case_no, title, station_id FROM mediation_cases WHERE tip_id = ?",
                           [tip_id]).fetchone()
    assert case[2] == "装修噪音纠纷" and case[3] == clerk.station_id
    parties = demo_db.execute("SELECT role, name, country, time_zone FROM mediation_parties WHERE case_id = ?"
                              " ORDER BY role", [case[0]]).fetchall()
    assert parties == [("applicant", "张女士", None, "Asia/Shanghai"), ("respondent", "李先生", "KE", "Africa/Nairobi")]
    shown = texts(at).replace("\\", "")  # Markdown escapes of the case number
    assert f"本线索已转为调解案件 {case[1]}" in shown  # the tab names the case instead of the form
    assert f"转为调解案件 {case[1]}" in shown  # and the tip's history says so
    assert "triage.event" not in shown


def test_an_erased_tip_says_so_instead_of_its_content(open_triage, demo_db, users):
    tip_id = make(demo_db, users["clerk"].station_id, description="东门口那辆面包车今天又来了，车牌浙A12345。")
    tip = tips.get_tip(demo_db, users["clerk"], tip_id)
    tip = tips.move(demo_db, users["clerk"], tip_id, tip["version"], "reject", reason="非警务事项")
    assert retention.erase_expired_tips(demo_db, now="2099-01-01T00:00:00Z")["tips"] == 1
    at = open_triage("clerk")
    at.number_input(key="triage_open_id").set_value(tip_id).run()
    shown = texts(at)
    assert "浙A12345" not in shown
    assert "群众提供的内容（情况说明、地点、照片、联系方式）已于 2099-01-01 08:00 按保存期限（办结后 3 年）删除" in shown
