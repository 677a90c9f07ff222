"""The 工作清单 and 查纠整改 pages (AppTest) for each role: what each sees, the figures the lib computes,
a district admin's standard change and inspection finding through the forms."""

from lib.core import auth
from lib.duty import checklist, problems, standards
from tests.apptest import goto, metrics, texts


def open_page(app, username, path, lang=None):
    at = app(username, lang).run()
    return goto(at, path).run()


def table(at, column: str):
    """The first table shown that has ``column``."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_a_clerk_sees_their_own_items_with_the_same_counts_as_the_lib(app, demo_db):
    at = open_page(app, "clerk", "checklist")
    assert not at.exception
    clerk = auth.load_user(demo_db, "clerk")
    assert f"{clerk.name}：本人所管的群" in texts(at)
    found = checklist.checklist(demo_db, clerk)
    shown = metrics(at)
    assert int(shown["已逾期"]) == found.counts["overdue"] and int(shown["已完成"]) == found.counts["done"]
    items = table(at, "当前数值")
    assert set(items["对象"]) <= {f"{clerk.name}（民警）", f"{clerk.unit_name}（派出所）"}
    assert "没有超过30天未推送资讯的群" in set(items["工作规范"])


def test_a_station_admin_sees_which_officer_is_behind_in_which_area(app, demo_db):
    admin = auth.load_user(demo_db, "station")
    behind = [r for r in checklist.checklist(demo_db, admin).behind("officer") if r["total"]]
    at = open_page(app, "station", "checklist")
    assert not at.exception and "哪位民警落后（已逾期、未完成项数）" in texts(at)
    shown = table(at, "合计")
    assert list(shown["对象"]) == [r["name"] for r in behind]
    assert list(shown["合计"]) == [r["total"] for r in behind] and list(shown["管理"]) == [r["management"] for r in behind]


def test_the_district_reads_stations_and_drills_into_one(app, demo_db):
    at = open_page(app, "district", "checklist")
    assert not at.exception and "各派出所落后项" in texts(at)
    district = auth.load_user(demo_db, "district")
    by_station = checklist.checklist(demo_db, district).behind_by_station()
    shown = table(at, "落后民警")
    assert len(shown) == len(by_station) == 17
    assert list(shown["落后民警"]) == [r["officers"] for r in by_station] and sum(shown["落后民警"]) > 0
    items = table(at, "当前数值")
    assert set(items["对象"]) and all(s.endswith("（派出所）") for s in items["对象"])
    station = auth.load_user(demo_db, "station").station_id
    at.selectbox(key="checklist_station").set_value(station).run()
    assert "哪位民警落后（已逾期、未完成项数）" in texts(at)


def test_the_district_changes_a_standard_from_the_next_period(app, demo_db):
    at = open_page(app, "district", "checklist")
    at.selectbox(key="checklist_edit_code").set_value("publicity.pushes").run()
    at.number_input(key="checklist_edit_publicity.pushes_threshold").set_value(2.0)
    next(b for b in at.button if b.label == "保存（下一个周期生效）").click().run()
    assert not at.exception
    assert any("publicity.pushes 自" in s.value for s in at.success)
    pending = [r for r in standards.list_standards(demo_db, auth.load_user(demo_db, "district"))
               if r["code"] == "publicity.pushes"][0]["pending"]
    assert pending["threshold"] == 2.0


def test_a_station_admin_cannot_edit_standards(app):
    at = open_page(app, "station", "checklist")
    assert not any(s.key == "checklist_edit_code" for s in at.selectbox)
    assert "修改工作规范" not in texts(at)


def test_the_problem_list_of_a_station_and_its_counts(app, demo_db):
    admin = auth.load_user(demo_db, "station")
    at = open_page(app, "station", "problems")
    assert not at.exception
    counts = problems.counts(demo_db, admin)
    assert int(metrics(at)["未销号"]) == counts["open"]
    listed = problems.list_problems(demo_db, admin, page_size=25)
    assert listed.rows, "the demo station has problems"
    shown = table(at, "责任人")
    if listed.rows:
        assert list(shown["编号"]) == [r["id"] for r in listed.rows]
        assert set(shown["派出所"]) == {admin.unit_name}


def test_the_linkage_center_logs_an_inspection_finding(app, demo_db):
    at = open_page(app, "district", "problems")
    station = auth.load_user(demo_db, "station")
    at.selectbox(key="problems_insp_station").set_value(station.station_id)
    at.selectbox(key="problems_insp_area").set_value("publicity")
    at.text_input(key="problems_insp_title").input("宣传栏二维码失效")
    at.text_area(key="problems_insp_detail").input("抽查三星镇宣传栏，张贴的线索二维码扫码后打不开。")
    next(b for b in at.button if b.label == "登记并交办").click().run()
    assert not at.exception
    row = demo_db.execute("SELECT id, station_id, area, owner_user_id FROM duty_problems WHERE source = 'inspection'"
                          " ORDER BY id DESC LIMIT 1").fetchone()
    assert (row[1], row[2], row[3]) == (station.station_id, "publicity", station.id)
    assert f"已登记问题 #{row[0]}" in texts(at) or any(f"#{row[0]}" in s.value for s in at.success)


def test_an_inspection_without_a_station_keeps_what_was_typed(app, demo_db):
    at = open_page(app, "district", "problems")
    at.text_input(key="problems_insp_title").input("群公告未更新")
    next(b for b in at.button if b.label == "登记并交办").click().run()
    assert not at.exception
    assert any("派出所：请选择派出所" in e.value for e in at.error)
    assert at.text_input(key="problems_insp_title").value == "群公告未更新"


def test_the_pages_speak_english_on_request(app):
    at = open_page(app, "station", "checklist", lang="en")
    assert not at.exception and "Checklist" in texts(at) and "Officers behind (overdue and missed items)" in texts(at)
