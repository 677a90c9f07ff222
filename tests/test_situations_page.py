"""The 网情处置 page (AppTest): a clerk logs a situation field by field (a refusal keeps what was typed),
finds it in the list and moves it; a clerk cannot close a severe one unsigned, and the station admin signs
it off; an overdue one is marked red, and a rebuttal push is started from it and linked."""

from datetime import UTC, datetime, time, timedelta

import pytest

from lib.core import clock
from lib.duty import online_situations as situations
from lib.pushes import pushes
from tests.apptest import goto, metrics, texts
from tests.factories import jpeg

TEXT = "群里有人说三星镇自来水被污染了，让大家赶紧囤水。"


@pytest.fixture(autouse=True)
def _fresh(monkeypatch, tmp_path, demo_db):
    """Screenshots in a temporary folder; the demo's year of situations cleared (what a test counts is
    what it logged)."""
    monkeypatch.setenv("PORTAL_UPLOADS", str(tmp_path / "uploads"))
    demo_db.execute("DELETE FROM online_situations")


def open_page(app, username, lang=None):
    """The situations page as ``username``; clicks work from the second run on (see tests/apptest.py)."""
    at = app(username, lang).run()
    return goto(at, "situations").run()


def group_of(db, station_id) -> dict:
    return dict(next(db.query("SELECT id, name FROM chat_groups WHERE station_id = ? AND status = 'active'"
                              " ORDER BY name, id LIMIT 1", [station_id])))


def ids_listed(at) -> list[int]:
    return [int(i) for i in at.dataframe[0].value["编号"]] if at.dataframe else []


def test_a_clerk_logs_a_situation_field_by_field_and_moves_it(app, demo_db, users):
    clerk = users["clerk"]
    group = group_of(demo_db, clerk.station_id)
    at = open_page(app, "clerk")
    assert not at.exception
    assert "网情处置" in texts(at)
    assert metrics(at) == {"未办结": "0", "首次处置超时": "0", "待审核签字": "0"}
    assert not any(s.key == "situations_station" for s in at.selectbox)  # no station choice for a clerk
    picker = at.selectbox(key="situations_new_group")
    assert picker.value is None and picker.placeholder == "请选择群组，可输入群名搜索"
    assert group["id"] in picker.options or any(group["name"] in o for o in picker.options)
    picker.set_value(group["id"])
    at.selectbox(key="situations_new_category").set_value("rumour")
    at.selectbox(key="situations_new_severity").set_value("serious")
    at.button(key="situations_new_submit").click().run()
    assert not at.exception
    assert any("请填写群内发布的内容" in e.value for e in at.error)  # nothing saved …
    assert demo_db.execute("SELECT COUNT(*) FROM online_situations").fetchone()[0] == 0
    assert at.selectbox(key="situations_new_category").value == "rumour"  # … and what was chosen is kept
    at.text_area(key="situations_new_text").input(TEXT)
    yesterday = (datetime.now(UTC) + timedelta(hours=8) - timedelta(days=1)).date()
    at.date_input(key="situations_new_day").set_value(yesterday)
    at.time_input(key="situations_new_time").set_value(time(21, 30))
    at.file_uploader(key="situations_new_shot_0").set_value(("shot.jpg", jpeg(gps=True), "image/jpeg"))
    at.button(key="situations_new_submit").click().run()
    assert not at.exception
    row = demo_db.execute("SELECT id, group_id, station_id, category, severity, posted_text, posted_at,"
                          " screenshot_file_id, state, reported_by FROM online_situations").fetchone()
    sid = row[0]
    assert row[1:6] == (group["id"], clerk.station_id, "rumour", "serious", TEXT)
    assert row[6] == clock.from_beijing(datetime.combine(yesterday, time(21, 30)))
    assert row[7] is not None and row[8:] == ("reported", clerk.id)
    made = situations.get_situation(demo_db, clerk, sid)
    assert any(f"已登记网情 #{sid}" in s.value and clock.beijing(made["first_action_due_at"]) in s.value
               for s in at.success)
    assert ids_listed(at) == [sid] and at.selectbox(key="situations_pick").value == sid  # listed, and opened
    assert metrics(at)["未办结"] == "1"
    assert TEXT in [t.value for t in at.text]  # the post, as text
    assert f"首次处置时限（北京时间）：{clock.beijing(made['first_action_due_at'])}" in texts(at)
    assert len(at.image) == 1  # the screenshot
    assert at.text_area(key="situations_new_text").value == ""  # the form is ready for the next one
    at.radio(key=f"situations_to_{sid}").set_value("verifying")
    at.button(key=f"situations_do_{sid}").click().run()
    assert not at.exception
    assert situations.get_situation(demo_db, clerk, sid)["state"] == "verifying"
    assert any(f"网情 #{sid} 已改为“核查中”" in s.value for s in at.success)
    at.radio(key=f"situations_to_{sid}").set_value("handled").run()
    at.button(key=f"situations_do_{sid}").click().run()
    assert any("请选择处置方式" in e.value for e in at.error)
    at.selectbox(key=f"situations_handling_{sid}").set_value("content_removed")
    at.text_input(key=f"situations_note_{sid}").input("已联系群主删除")
    at.button(key=f"situations_do_{sid}").click().run()
    assert not at.exception
    done = situations.get_situation(demo_db, clerk, sid)
    assert (done["state"], done["handling"], done["handling_note"]) == ("handled", "content_removed", "已联系群主删除")
    shown = texts(at)
    assert "处置方式：删除信息" in shown and "首次处置：" in shown and "处置完毕：" in shown


def test_a_severe_situation_is_closed_after_the_station_admins_sign_off(app, demo_db, users):
    clerk = users["clerk"]
    group = group_of(demo_db, clerk.station_id)
    s = situations.report(demo_db, clerk, group_id=group["id"], category="conflict", severity="severe",
                          posted_text="两户因宅基地争执，约定今晚到村口“讲理”。")
    s = situations.move(demo_db, clerk, s["id"], s["version"], "handled", handling="referred")
    at = open_page(app, "clerk")
    at.selectbox(key="situations_pick").set_value(s["id"]).run()
    assert not any(b.key == f"situations_sign_{s['id']}" for b in at.button)  # a clerk does not sign
    at.radio(key=f"situations_to_{s['id']}").set_value("closed").run()
    at.button(key=f"situations_do_{s['id']}").click().run()
    assert any("须经所领导审核签字后方可办结" in e.value for e in at.error)
    assert situations.get_situation(demo_db, clerk, s["id"])["state"] == "handled"

    at = open_page(app, "station")
    assert metrics(at)["待审核签字"] == "1"
    at.selectbox(key="situations_pick").set_value(s["id"]).run()
    at.button(key=f"situations_sign_{s['id']}").click().run()
    assert not at.exception
    signed = situations.get_situation(demo_db, clerk, s["id"])
    assert signed["signed_off_by"] == users["station_admin"].id
    assert any(f"网情 #{s['id']} 已审核签字" in m.value for m in at.success)
    assert metrics(at)["待审核签字"] == "0"
    assert f"审核签字：{clock.beijing(signed['signed_off_at'])}（{users['station_admin'].name}）" in texts(at)
    at.radio(key=f"situations_to_{s['id']}").set_value("closed")
    at.button(key=f"situations_do_{s['id']}").click().run()
    assert situations.get_situation(demo_db, clerk, s["id"])["state"] == "closed"


def test_an_overdue_situation_is_marked_and_gets_a_rebuttal_push(app, demo_db, users):
    clerk = users["clerk"]
    group = group_of(demo_db, clerk.station_id)
    two_hours_ago = clock.stamp(datetime.now(UTC) - timedelta(hours=2))
    s = situations.report(demo_db, clerk, group_id=group["id"], category="rumour", severity="severe",
                          posted_text=TEXT, now=two_hours_ago)
    at = open_page(app, "clerk")
    assert metrics(at)["首次处置超时"] == "1"
    assert at.dataframe[0].value["首次处置时限"][0].endswith("（已超时）")
    at.selectbox(key="situations_pick").set_value(s["id"]).run()
    assert any("首次处置已超时" in m.value and ":red-badge" in m.value for m in at.markdown)
    at.button(key=f"situations_rebuttal_{s['id']}").click().run()
    assert not at.exception
    push_id = situations.get_situation(demo_db, clerk, s["id"])["rebuttal_push_id"]
    push = pushes.get_push(demo_db, clerk, push_id)
    assert push["targeting"]["group_ids"] == [group["id"]] and push["category"] == "police_bulletin"
    assert any(f"已生成辟谣推送草稿 #{push_id}" in m.value for m in at.success)
    links = [(p.proto.label, p.proto.page, p.proto.query_string) for p in at.get("page_link")]
    assert (f"打开辟谣推送草稿 #{push_id}", "compose", f"push={push_id}") in links


def test_another_stations_situation_stays_hidden_and_the_page_speaks_english(app, demo_db, users):
    theirs = group_of(demo_db, users["other_clerk"].station_id)
    s = situations.report(demo_db, users["district_admin"], group_id=theirs["id"], category="disorder",
                          severity="general", posted_text="他所群内刷屏广告。")
    at = open_page(app, "clerk", lang="en")
    assert not at.exception
    assert "Online situations" in texts(at) and ids_listed(at) == []
    at.session_state["situations_open_next"] = s["id"]  # as if a link handed the page its id
    at.run()
    assert "他所群内刷屏广告。" not in texts(at)
    assert any("not found" in e.value.lower() for e in at.error)


def test_the_registry_shows_a_groups_situations(app, demo_db, users):
    clerk = users["clerk"]
    at = goto(app("clerk").run(), "registry").run()
    group_id = int(at.dataframe[0].value["编号"].iloc[0])
    s = situations.report(demo_db, clerk, group_id=group_id, category="opinion_risk", severity="general",
                          posted_text="有人在群里组织明天去镇政府门口聚集。")
    at.selectbox(key="registry_edit_pick").set_value(group_id).run()
    assert not at.exception
    assert [e.label for e in at.expander] == ["网情记录（1）"]
    table = at.expander[0].dataframe[0].value
    assert list(table["编号"]) == [s["id"]] and list(table["类别"]) == ["舆情风险"]
    assert "有人在群里组织" not in texts(at)  # the post itself stays on the situations page
