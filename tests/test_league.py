"""The league table (数据看板): its figures against hand-built records (tests/duty_world.py), each with the
case a naive query gets wrong — a district push is not a station's, a tip moved to another station counts
where it is, a merged duplicate is not a tip received, a reopen is counted once per step — and the date
ranges, the worst-three marks, scope, and the page for each role."""

from datetime import date

import pytest

from lib.core.db import write_transaction
from lib.core.errors import ScopeError, ValidationError
from lib.reports import league
from tests import duty_world as w
from tests.apptest import goto, texts
from tests.duty_world import NOW

START, END = date(2026, 11, 23), date(2026, 12, 1)  # the week before Monday 2026-11-30, and that Monday


@pytest.fixture
def db(fresh_db):
    w.build(fresh_db)
    return fresh_db


def rows(db, user_id=w.DISTRICT, **kw) -> dict[str, dict]:
    found = league.league(db, w.user(db, user_id), start=kw.pop("start", START), end=kw.pop("end", END), now=NOW, **kw)
    return {r["name"]: r for r in found.rows}


def test_date_ranges_and_their_refusals():
    today = date(2026, 12, 6)
    assert league.date_range("today", today=today) == (today, date(2026, 12, 7))
    assert league.date_range("7d", today=today) == (date(2026, 11, 30), date(2026, 12, 7))
    assert league.date_range("month", today=today) == (date(2026, 12, 1), date(2026, 12, 7))
    assert league.date_range("custom", today=today, start=date(2026, 11, 1), end=date(2026, 11, 30)) == (
        date(2026, 11, 1), date(2026, 12, 1))
    for start, end, key in ((date(2026, 11, 5), date(2026, 11, 1), "league.error.range_order"),
                            (date(2026, 12, 7), date(2026, 12, 8), "league.error.range_future"),
                            (date(2025, 1, 1), date(2026, 12, 1), "league.error.range_long")):
        with pytest.raises(ValidationError) as refused:
            league.date_range("custom", today=today, start=start, end=end)
        assert refused.value.key == key


def test_pushes_count_the_issuing_station_and_delivery_includes_district_pushes(db):
    w.push(db, category="anti_fraud", sent_days_ago=3, groups=(w.C1, w.C2))
    w.push(db, category="news", sent_days_ago=2, groups=(w.C3,), state="queued")
    w.push(db, category="news", station_id=None, sent_days_ago=2, groups=(w.C1, w.C4))  # the center's
    w.push(db, category="news", sent_days_ago=20, groups=(w.C1,))  # before the range
    got = rows(db)
    sanxing, yuelai = got["三星派出所"], got["悦来派出所"]
    assert (sanxing["pushes"], sanxing["prevention_pushes"]) == (2, 1) and yuelai["pushes"] == 0
    direct = db.execute("SELECT SUM(d.state IN ('sent', 'confirmed')) * 100.0 / COUNT(*) FROM deliveries d"
                        " JOIN pushes p ON p.id = d.push_id WHERE d.station_id = ? AND p.sent_at >= ?",
                        [w.STATION, w.ago(7)]).fetchone()[0]
    assert sanxing["delivered"] == pytest.approx(direct, abs=0.1) == pytest.approx(75.0)  # 3 of 4, the center's included
    assert yuelai["delivered"] == 100.0


def test_tips_by_kind_where_they_are_now_without_duplicates(db):
    w.tip(db, kind="request", created_days_ago=3, answered_hours=2)
    w.tip(db, kind="inquiry", created_days_ago=3, due_hours=4, answered_hours=6)
    w.tip(db, kind="lead", created_days_ago=2)
    moved = w.tip(db, kind="complaint", created_days_ago=2)
    copy = w.tip(db, kind="request", created_days_ago=1)
    w.tip(db, kind="request", created_days_ago=30)  # before the range
    with write_transaction(db):
        db.execute("UPDATE tips SET station_id = ?, grid_id = ?, assignee_user_id = NULL WHERE id = ?",
                   [w.OTHER_STATION, w.G4, moved])
        db.execute("UPDATE tips SET duplicate_of = ?, state = 'duplicate', is_open = 0 WHERE id = ?", [moved, copy])
    got = rows(db)
    sanxing, yuelai = got["三星派出所"], got["悦来派出所"]
    assert (sanxing["tips"], sanxing["tips_request"], sanxing["tips_inquiry"], sanxing["tips_lead"]) == (3, 1, 1, 1)
    assert (yuelai["tips"], yuelai["tips_complaint"]) == (1, 1)
    direct = db.execute("SELECT COUNT(*) FROM tips WHERE station_id = ? AND created_at >= ? AND duplicate_of IS NULL"
                        " AND created_at < ?", [w.STATION, w.ago(7), w.ago(-1)]).fetchone()[0]
    assert sanxing["tips"] == direct
    assert sanxing["first_response_min"] == pytest.approx((120 + 360) / 2)  # median of the answered two
    # On time: of the clocks that ran out in the range, the request (answered in 2 h of 24) made it.
    assert sanxing["on_time"] == pytest.approx(33.3)


def test_open_overdue_reopened_and_resolution(db):
    late = w.tip(db, created_days_ago=3, due_hours=24)
    w.tip(db, created_days_ago=5, closed_days_ago=2)  # 3 days to close
    with write_transaction(db):
        db.execute("UPDATE tips SET lane = 1, lane_due_at = due_at WHERE id = ?", [late])
        for _ in range(2):  # reopened twice: two steps
            db.execute("INSERT INTO tip_events (tip_id, at, kind, data) VALUES (?, ?, 'state',"
                       " '{\"action\": \"reopen\", \"to\": \"triaged\"}')", [late, w.ago(1)])
    sanxing = rows(db)["三星派出所"]
    assert (sanxing["open"], sanxing["overdue"], sanxing["reopened"]) == (1, 1, 2)
    assert sanxing["resolution_h"] == pytest.approx(72.0)


def test_an_outpost_and_its_officers(db):
    w.tip(db, created_days_ago=3, answered_hours=2)  # 张's, in 东桥 (g1)
    by_officer = rows(db, w.ADMIN, by="officer")
    assert set(by_officer) == {"张警官", "李警官"} and by_officer["张警官"]["tips"] == 1
    assert by_officer["张警官"]["groups"] == 2
    by_outpost = rows(db, w.ADMIN, by="outpost")
    assert by_outpost["东桥工作站"]["groups"] == 2 and by_outpost["东桥工作站"]["coverage"] == pytest.approx(26.7)
    assert not league.applies("pushes", "outpost") and not league.applies("coverage", "officer")


def test_a_station_admin_sees_only_their_station(db):
    assert set(rows(db, w.ADMIN)) == {"三星派出所"}
    with pytest.raises(ScopeError):
        league.league(db, w.user(db, w.ADMIN), start=START, end=END, by="officer", station_id=w.OTHER_STATION)


def test_the_worst_three_of_a_column_are_marked_and_a_wide_tie_is_not():
    rows_ = [{"id": i, "overdue": v, "coverage": 20.0} for i, v in enumerate([5, 1, 0, 9, 3, 2, 7])]
    rows_ = [{**r, **{k: None for k, _ in league.COLUMNS if k not in r}} for r in rows_]
    worst = league._worst(rows_, "station")
    assert worst["overdue"] == {3, 6, 0}  # 9, 7 and 5 overdue
    assert "coverage" not in worst  # everyone at 20%: nobody singled out


def test_the_page_for_the_linkage_center_and_a_station_admin(app, demo_db):
    at = goto(app("district").run(), "league").run()
    assert not at.exception and "数据看板" in texts(at)
    table = next(d.value for d in at.dataframe if "派出所" in d.value.columns)
    assert len(table) == 17 and "已超时（当前）" in table.columns
    assert any(b.label == "下载表格（CSV）" for b in at.get("download_button"))
    at = goto(app("station").run(), "league").run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "工作站" in d.value.columns)
    assert len(table) > 0 and "推送" not in table.columns  # a push has no outpost
    at.radio(key="league_by").set_value("officer").run()
    assert any("民警" in d.value.columns for d in at.dataframe)


def test_a_clerk_has_no_league_page(app):
    assert "league" in app("station").run().session_state["portal_pages"]
    assert "league" not in app("clerk").run().session_state["portal_pages"]
    at = goto(app("clerk").run(), "league").run()
    assert "数据看板" not in [e.value for e in at.title]


def test_weekly_trends_count_by_beijing_week(db):
    from lib.reports import trends

    # Monday 2026-11-30 00:30 Beijing is still Sunday in UTC: it belongs to the week of 11-30.
    early_monday = w.tip(db, created_days_ago=0.48)  # 2026-11-29T16:28Z
    w.tip(db, kind="lead", created_days_ago=3, answered_hours=2)  # Friday 11-27: the week of 11-23
    w.push(db, sent_days_ago=3, groups=(w.C1, w.C2))
    rows = {r["week"]: r for r in trends.weekly(db, w.user(db, w.DISTRICT), weeks=2, now=NOW)}
    assert list(rows) == ["2026-11-23", "2026-11-30"]
    assert (rows["2026-11-30"]["tips"], rows["2026-11-23"]["tips"], rows["2026-11-23"]["leads"]) == (1, 1, 1)
    assert rows["2026-11-23"]["first_response_min"] == 120.0 and rows["2026-11-30"]["first_response_min"] is None
    assert (rows["2026-11-23"]["pushes"], rows["2026-11-23"]["deliveries"]) == (1, 2)
    created = db.execute("SELECT created_at FROM tips WHERE id = ?", [early_monday]).fetchone()[0]
    assert created.startswith("2026-11-29T16")
    other = {r["week"]: r for r in trends.weekly(db, w.user(db, w.WANG), weeks=2, now=NOW)}
    assert other["2026-11-23"]["tips"] == 0  # 悦来's clerk sees 悦来 only
    with pytest.raises(ValidationError):
        trends.weekly(db, w.user(db, w.DISTRICT), weeks=60, now=NOW)


def test_the_trends_tab_charts_and_offers_its_data(app):
    at = goto(app("district").run(), "league").run()
    assert not at.exception
    assert len(at.get("vega_lite_chart")) == 5
    assert any(b.label == "下载图表数据（CSV）" for b in at.get("download_button"))


def test_the_workbench_tiles_open_their_pages_and_the_overdue_tile_filters(app):
    at = app("district").run()
    links = {link.label: link for link in at.get("page_link")}
    assert {"去线索研判", "处理超时线索", "去协查看板", "去审核推送", "去调解案件", "各派出所工作对比见数据看板"} <= set(links)
    assert links["处理超时线索"].proto.page.endswith("triage") and "overdue=1" in links["处理超时线索"].proto.query_string
    at.query_params["overdue"] = "1"
    at = goto(at, "triage").run()
    assert at.toggle(key="triage_overdue").value is True


def test_a_league_row_link_opens_that_stations_checklist_and_tips(app, demo_db):
    station = demo_db.execute("SELECT id FROM units WHERE name = '海永派出所'").fetchone()[0]
    at = app("district").run()
    at.query_params["station"] = str(station)
    at = goto(at, "checklist").run()
    assert at.selectbox(key="checklist_station").value == station and "哪位民警落后（已逾期、未完成项数）" in texts(at)
    at = goto(at, "triage").run()
    assert at.selectbox(key="triage_station").value == station
