"""The 远程视频调解 page (AppTest): a station's user sees their station's cases only, opens a case
through the form (refusals keep what was typed), schedules a session seeing each party's local time,
and settles a case."""

import datetime as dt
import zoneinfo

from lib.mediation import mediation, timezones
from tests.apptest import goto, metrics, texts
from tests.factories import make_case


def open_page(app, username, lang=None):
    """The mediation page as ``username``; clicks work from the second run on (see tests/apptest.py)."""
    at = app(username, lang).run()
    return goto(at, "mediation").run()


def case_numbers(at) -> list[str]:
    return list(at.dataframe[0].value["案件编号"]) if at.dataframe else []


def test_clerk_sees_their_stations_real_cases_and_no_other(app, demo_db, users):
    clerk = users["clerk"]
    at = open_page(app, "clerk")
    assert not at.exception
    assert "远程视频调解" in texts(at)
    assert not any(s.key == "mediation_station" for s in at.selectbox)  # no station choice for a clerk
    mine = demo_db.execute("SELECT COUNT(*) FROM mediation_cases WHERE station_id = ?", [clerk.station_id]).fetchone()
    assert sum(int(v) for v in metrics(at).values()) == mine[0] > 0
    at.selectbox(key="mediation_state").set_value("all").run()
    expected = [r[0] for r in demo_db.execute(
        "SELECT case_no FROM mediation_cases WHERE station_id = ? ORDER BY updated_at DESC, id DESC LIMIT ?",
        [clerk.station_id, mediation.PAGE_SIZE])]
    assert case_numbers(at) == expected and all(no.startswith("三星-") for no in expected)
    theirs = demo_db.execute("SELECT case_no FROM mediation_cases WHERE station_id = ? LIMIT 1",
                             [users["other_clerk"].station_id]).fetchone()[0]
    at.text_input(key="mediation_text").input(theirs).run()
    assert case_numbers(at) == [] and "没有符合条件的调解案件" in texts(at)


def test_district_admin_sees_every_station_and_filters_by_one(app, demo_db, users):
    at = open_page(app, "district")
    assert not at.exception
    assert sum(int(v) for v in metrics(at).values()) == demo_db.execute(
        "SELECT COUNT(*) FROM mediation_cases").fetchone()[0]
    other = users["other_clerk"].station_id
    at.selectbox(key="mediation_station").set_value(other).run()
    at.selectbox(key="mediation_state").set_value("all").run()
    prefix = demo_db.execute("SELECT name FROM units WHERE id = ?", [other]).fetchone()[0].removesuffix("派出所")
    assert case_numbers(at) and all(no.startswith(prefix + "-") for no in case_numbers(at))


def test_a_walk_in_case_is_opened_through_the_form(app, demo_db, users):
    clerk = users["clerk"]
    before = demo_db.execute("SELECT COUNT(*) FROM mediation_cases").fetchone()[0]
    at = open_page(app, "clerk")
    at.selectbox(key="mediation_new_type").set_value("commercial_trade")
    at.text_area(key="mediation_new_summary").input("双方在肯尼亚经商，因销售同类床上用品发生矛盾，唐某到顾某仓库滋事。")
    at.text_input(key="mediation_new_p0_name").input("顾建国")
    at.text_input(key="mediation_new_p0_phone").input("139 1234 5678")
    at.text_input(key="mediation_new_p1_name").input("唐海涛")
    at.text_input(key="mediation_new_p1_phone").input("+254 712 345 678")
    at.selectbox(key="mediation_new_p1_country").set_value("KE")
    at.button(key="mediation_new_submit").click().run()
    assert not at.exception
    assert any("请填写案由" in e.value for e in at.error)  # the title is missing: nothing saved …
    assert demo_db.execute("SELECT COUNT(*) FROM mediation_cases").fetchone()[0] == before
    assert at.text_input(key="mediation_new_p1_name").value == "唐海涛"  # … and what was typed is kept
    at.text_input(key="mediation_new_title").input("顾某与唐某商贸纠纷")
    at.button(key="mediation_new_submit").click().run()
    assert not at.exception
    case = demo_db.execute("SELECT id, case_no, station_id, created_by, state, title FROM mediation_cases"
                           " WHERE id > (SELECT MAX(id) - 1 FROM mediation_cases)").fetchone()
    assert case[2:] == (clerk.station_id, clerk.id, "accepted", "顾某与唐某商贸纠纷")
    parties = demo_db.execute("SELECT role, name, phone, country, time_zone FROM mediation_parties WHERE case_id = ?"
                              " ORDER BY id", [case[0]]).fetchall()
    assert parties == [("applicant", "顾建国", "13912345678", None, "Asia/Shanghai"),
                       ("respondent", "唐海涛", "+254712345678", "KE", "Africa/Nairobi")]
    assert any(case[1] in s.value for s in at.success)
    assert case_numbers(at)[0] == case[1]  # in the list, first (the newest change) …
    assert at.selectbox(key="mediation_pick").value == case[0]  # … and opened
    assert at.text_input(key="mediation_new_title").value == ""  # the form is ready for the next one


def test_scheduling_shows_each_partys_local_time_and_warns_at_night(app, demo_db, users):
    case = make_case(demo_db, users["clerk"])
    at = open_page(app, "clerk")
    at.selectbox(key="mediation_pick").set_value(case["id"]).run()
    assert case["case_no"] in texts(at).replace("\\-", "-")  # the heading escapes Markdown
    day = dt.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai")).date() + dt.timedelta(days=2)
    at.date_input(key=f"mediation_sched_day_{case['id']}").set_value(day).run()
    at.time_input(key=f"mediation_sched_time_{case['id']}").set_value(dt.time(7, 0)).run()
    shown = texts(at)
    assert "唐海涛：对方当地时间 02:00（Africa/Nairobi），可能不便" in shown
    assert "各方当地均在 08:00–22:00 的北京时间段：13:00–22:00" in shown
    at.time_input(key=f"mediation_sched_time_{case['id']}").set_value(dt.time(15, 0)).run()
    assert "可能不便" not in texts(at)
    at.selectbox(key=f"mediation_sched_platform_{case['id']}").set_value("tencent_meeting")
    at.text_input(key=f"mediation_sched_room_{case['id']}").input("腾讯会议 123 456 789")
    at.button(key=f"mediation_sched_do_{case['id']}").click().run()
    assert not at.exception
    row = demo_db.execute("SELECT starts_at, platform, room, state FROM mediation_sessions WHERE case_id = ?",
                          [case["id"]]).fetchone()
    assert row == (timezones.to_utc(f"{day} 15:00"), "tencent_meeting", "腾讯会议 123 456 789", "planned")
    assert mediation.get_case(demo_db, users["clerk"], case["id"])["state"] == "scheduled"
    assert any("已安排视频调解" in s.value for s in at.success)
    assert f"{day} 10:00（UTC+3）" in list(at.dataframe[1].value["下次调解当地时间"])  # Nairobi, in the parties table


def test_a_case_is_settled_from_the_page(app, demo_db, users):
    case = make_case(demo_db, users["clerk"])
    at = open_page(app, "clerk")
    at.selectbox(key="mediation_pick").set_value(case["id"]).run()
    at.radio(key=f"mediation_action_{case['id']}").set_value("settle").run()
    at.button(key=f"mediation_do_{case['id']}").click().run()
    assert any("请填写调解结果" in e.value for e in at.error)
    at.text_area(key=f"mediation_outcome_{case['id']}").input("唐某赔偿顾某医药费 5,000 元，当场履行。")
    at.number_input(key=f"mediation_amount_{case['id']}").set_value(5000.0)
    at.button(key=f"mediation_do_{case['id']}").click().run()
    assert not at.exception
    settled = mediation.get_case(demo_db, users["clerk"], case["id"])
    assert (settled["state"], settled["agreement_amount"]) == ("settled", 5000.0)
    assert "唐某赔偿顾某医药费 5,000 元，当场履行。" in [t.value for t in at.text]


def test_another_stations_case_cannot_be_opened_by_id(app, demo_db, users):
    theirs = make_case(demo_db, users["district_admin"], title="他所案件", dispute_type="neighbour",
                       summary="他所辖区的邻里纠纷。", station_id=users["other_clerk"].station_id, parties=[])
    at = open_page(app, "clerk")
    at.session_state["mediation_open_next"] = theirs["id"]  # as if a link handed the page its id
    at.run()
    assert any("未找到该记录" in e.value for e in at.error)
    assert "他所案件" not in texts(at)


def test_the_page_speaks_english(app, demo_db, users):
    make_case(demo_db, users["clerk"])
    at = open_page(app, "clerk", lang="en")
    assert not at.exception
    assert "Video mediation" in texts(at) and "Settled" in metrics(at)


def test_a_link_with_the_case_opens_it_and_another_stations_case_stays_closed(app, demo_db, users):
    mine = make_case(demo_db, users["clerk"])
    theirs = make_case(demo_db, users["other_clerk"])
    at = app("clerk").run()
    at.query_params["case"] = str(mine["id"])
    goto(at, "mediation").run()
    assert not at.exception
    assert at.selectbox(key="mediation_pick").value == mine["id"]
    assert "顾某与唐某商贸纠纷" in texts(at)
    at = app("clerk").run()
    at.query_params["case"] = str(theirs["id"])
    goto(at, "mediation").run()
    shown = texts(at).replace("\\", "")  # Markdown escapes of case numbers
    assert theirs["case_no"] not in shown and "唐海涛" not in shown
    assert at.error  # the other station's case reads as not found
