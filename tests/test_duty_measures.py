"""Each duty measure against hand-built records (tests/duty_world.py): the figure it computes, a case
where the standard is missed and the change of records that meets it."""

from datetime import timedelta

import pytest

from lib.core import clock
from lib.duty import measures, periods
from lib.duty.measures import MEASURES, Figure
from lib.tips import tip_ranges
from tests import duty_world as w
from tests.duty_world import NOW


@pytest.fixture
def db(fresh_db):
    w.build(fresh_db)
    return fresh_db


def figures(db, code: str, subject: str, period: str = "weekly", *, station: int | None = None,
            params: dict | None = None, now=NOW, back: int = 0) -> dict[int, Figure]:
    measure = MEASURES[code]
    p = periods.current(period, now)
    for _ in range(back):
        p = p.previous()
    return measure.compute(db, measures.run_for(measure, subject, station, p, now, {**measure.params, **(params or {})}))


def test_groups_staffed_misses_a_group_without_an_admin_phone(db):
    assert figures(db, "groups_staffed", "officer")[w.ZHANG].value == 100.0
    db.execute("UPDATE chat_groups SET admin_phone = '' WHERE id = ?", [w.C2])
    fig = figures(db, "groups_staffed", "officer")
    assert (fig[w.ZHANG].value, fig[w.ZHANG].numerator, fig[w.ZHANG].denominator) == (50.0, 1, 2)
    assert fig[w.LI].value == 100.0
    rows = MEASURES["groups_staffed"].records(db, measures.run_for(
        MEASURES["groups_staffed"], "officer", None, periods.current("daily", NOW), NOW), w.ZHANG)
    assert [r["group_id"] for r in rows] == [w.C2]


def test_group_names_standard_by_station_and_outpost(db):
    station = figures(db, "group_names_standard", "station", "monthly")
    assert station[w.STATION].value == pytest.approx(66.7) and station[w.OTHER_STATION].value == 100.0
    # c2's grid has no outpost: the outpost counts only c1 and c3.
    assert figures(db, "group_names_standard", "outpost", "monthly")[w.OUTPOST].value == 100.0


def test_silent_groups_counts_groups_without_a_delivery_for_the_days_given(db):
    w.push(db, sent_days_ago=20, groups=(w.C1, w.C3))
    fig = figures(db, "silent_groups", "officer", "daily", params={"days": 14})
    assert fig[w.ZHANG].value == 2 and fig[w.LI].value == 1  # 20 days ago is more than 14
    fig = figures(db, "silent_groups", "officer", "daily", params={"days": 30})
    assert fig[w.ZHANG].value == 1 and fig[w.LI].value == 0  # c2 never had one
    w.push(db, sent_days_ago=1, groups=(w.C2,))
    assert figures(db, "silent_groups", "officer", "daily", params={"days": 30})[w.ZHANG].value == 0
    assert MEASURES["silent_groups"].met(Figure(0.0), 0) and not MEASURES["silent_groups"].met(Figure(1.0), 0)


def test_silent_groups_ignores_a_delivery_never_posted_and_a_young_group(db):
    w.push(db, sent_days_ago=1, groups=(w.C1, w.C2, w.C3), state="queued")
    assert figures(db, "silent_groups", "officer", "daily", params={"days": 14})[w.ZHANG].value == 2
    db.execute("UPDATE chat_groups SET created_on = ? WHERE id = ?", [clock.beijing(w.ago(5))[:10], w.C2])
    assert figures(db, "silent_groups", "officer", "daily", params={"days": 14})[w.ZHANG].value == 1


def test_situations_on_time_counts_only_clocks_that_ran_out(db):
    w.situation(db, created_days_ago=1, deadline_hours=4, acted_hours=1)
    late = w.situation(db, created_days_ago=1, deadline_hours=4, acted_hours=6)
    w.situation(db, created_days_ago=0.05, deadline_hours=4, acted_hours=None)  # still within its hour
    fig = figures(db, "situations_on_time", "station", "weekly", back=1)
    assert (fig[w.STATION].value, fig[w.STATION].denominator) == (50.0, 2)
    db.execute("UPDATE online_situations SET first_action_at = created_at WHERE id = ?", [late])
    assert figures(db, "situations_on_time", "station", "weekly", back=1)[w.STATION].value == 100.0


def test_tips_answered_on_time_by_officer_and_station(db):
    w.tip(db, created_days_ago=3, due_hours=24, answered_hours=2)
    w.tip(db, kind="inquiry", created_days_ago=3, due_hours=24, answered_hours=30, assignee=w.LI)
    w.tip(db, created_days_ago=3, due_hours=24, answered_hours=None)
    w.tip(db, kind="lead", created_days_ago=3, due_hours=24, answered_hours=None)  # a lead: another measure
    w.tip(db, created_days_ago=0.1, due_hours=24)  # its clock still runs
    fig = figures(db, "tips_answered_on_time", "officer", back=1)
    assert fig[w.ZHANG].value == 50.0 and fig[w.LI].value == 0.0
    assert figures(db, "tips_answered_on_time", "station", back=1)[w.STATION].value == pytest.approx(33.3)


def test_appeal_leads_answered_in_time(db):
    appeal = w.push(db, category="appeal", sent_days_ago=4)
    w.tip(db, kind="lead", push_id=appeal, created_days_ago=3, due_hours=2, answered_hours=1)
    slow = w.tip(db, kind="lead", push_id=appeal, created_days_ago=3, due_hours=2, answered_hours=5)
    assert figures(db, "appeal_leads_answered", "station", back=1)[w.STATION].value == 50.0
    db.execute("UPDATE tips SET first_response_at = created_at WHERE id = ?", [slow])
    assert figures(db, "appeal_leads_answered", "station", back=1)[w.STATION].value == 100.0


def test_tips_closed_with_a_public_reply(db):
    w.tip(db, created_days_ago=5, closed_days_ago=2, public_reply=True)
    w.tip(db, created_days_ago=5, closed_days_ago=2, public_reply=False)
    fig = figures(db, "tips_closed_with_reply", "station", back=1)
    assert (fig[w.STATION].value, fig[w.STATION].denominator) == (50.0, 2)


def test_member_counts_fresh_within_the_days_given(db):
    assert figures(db, "member_counts_fresh", "officer", "monthly")[w.ZHANG].value == 100.0
    db.execute("UPDATE chat_groups SET members_updated_at = ? WHERE id = ?", [w.ago(40), w.C2])
    assert figures(db, "member_counts_fresh", "officer", "monthly")[w.ZHANG].value == 50.0
    assert figures(db, "member_counts_fresh", "officer", "monthly", params={"days": 60})[w.ZHANG].value == 100.0


def test_comprehensive_grids_covered_coverage_and_boundaries(db):
    covered = figures(db, "comprehensive_grids_covered", "outpost", "monthly")
    assert covered[w.OUTPOST].value == 50.0  # g2 has no group; g3 is not comprehensive
    coverage = figures(db, "coverage", "station", "monthly")
    assert coverage[w.STATION].value == pytest.approx(100.0 * 450 / 1500, abs=0.1)  # members / residents
    assert coverage[w.OTHER_STATION].value == 25.0
    bounded = figures(db, "boundaries_present", "station", "monthly")
    assert bounded[w.STATION].value == 50.0 and bounded[w.OTHER_STATION].value == 100.0


def test_prevention_pushes_per_group_and_fraud_reach_count_this_periods_deliveries(db):
    w.push(db, category="anti_fraud", sent_days_ago=40, groups=(w.C1, w.C2, w.C3))  # last month
    assert figures(db, "prevention_pushes_per_group", "station", "monthly")[w.STATION].value == 0
    w.push(db, category="anti_fraud", sent_days_ago=3, groups=(w.C1, w.C3))
    w.push(db, category="prevention_tip", sent_days_ago=2, groups=(w.C1,))
    w.push(db, category="news", sent_days_ago=2, groups=(w.C2,))
    fig = figures(db, "prevention_pushes_per_group", "station", "monthly")[w.STATION]
    assert (fig.value, fig.numerator, fig.denominator) == (1.0, 3, 3)
    assert figures(db, "fraud_warning_reach", "station", "monthly")[w.STATION].value == pytest.approx(66.7)
    assert figures(db, "pushes_per_group", "station", "monthly")[w.STATION].value == pytest.approx(1.33)


def test_a_delivery_posted_in_this_period_of_a_push_sent_before_it_counts(db):
    w.push(db, category="anti_fraud", sent_days_ago=35, delivered_days_ago=3, groups=(w.C1, w.C2, w.C3))
    assert figures(db, "fraud_warning_reach", "station", "monthly")[w.STATION].value == 100.0


def test_content_rating_is_the_mean_of_ratings_on_this_periods_tips(db):
    push = w.push(db, category="qa", sent_days_ago=10)
    w.tip(db, kind="inquiry", push_id=push, created_days_ago=8, rating=2)
    w.tip(db, kind="inquiry", push_id=push, created_days_ago=8, rating=4)
    fig = figures(db, "content_rating", "station", "monthly")[w.STATION]
    assert (fig.value, fig.denominator) == (3.0, 2)
    assert not MEASURES["content_rating"].met(fig, 3.5)


def test_nothing_to_measure_meets_the_standard(db):
    assert MEASURES["tips_answered_on_time"].met(Figure(None), 90)
    assert w.STATION not in figures(db, "tips_answered_on_time", "station")


def test_station_filter_keeps_other_stations_out(db):
    assert set(figures(db, "groups_staffed", "officer", station=w.STATION)) == {w.ZHANG, w.LI}


def test_first_tip_id_finds_the_first_tip_of_a_time(db):
    first = w.tip(db, created_days_ago=10)
    second = w.tip(db, created_days_ago=5)
    assert tip_ranges.first_tip_since(db, w.ago(7)) in (first + 1, second)  # a day's margin, then by time
    assert tip_ranges.first_tip_since(db, w.ago(1)) == second + 1
    assert tip_ranges.first_tip_since(db, clock.stamp(NOW - timedelta(days=30))) == first
