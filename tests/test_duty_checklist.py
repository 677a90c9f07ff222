"""Duty standards (versioned, refused when they cannot be computed), the checklist's items and their
status for each role, and the nightly snapshot that keeps past periods and raises problems."""

import json
from datetime import date, timedelta

import pytest

from lib.core.errors import FieldErrors, NotFoundError, ScopeError
from lib.duty import checklist, periods, snapshots, standards
from lib.duty.measures import MEASURES, Figure
from tests import duty_world as w
from tests.duty_world import NOW


@pytest.fixture
def db(fresh_db):
    w.build(fresh_db)
    return fresh_db


# --- periods ---------------------------------------------------------------------------------


def test_periods_are_beijing_days_weeks_from_monday_and_months():
    day = date(2026, 12, 6)  # a Sunday
    assert periods.containing("weekly", day).key == "2026-11-30"
    assert periods.containing("monthly", day).end == date(2027, 1, 1)
    assert periods.containing("daily", day).stamps() == ("2026-12-05T16:00:00Z", "2026-12-06T16:00:00Z")
    ended = periods.ended_since("daily", "2026-12-02", NOW + timedelta(days=6))
    assert [p.key for p in ended] == ["2026-12-03", "2026-12-04", "2026-12-05"]


# --- standards -------------------------------------------------------------------------------


def test_defaults_are_installed_one_per_code_in_force_from_the_start(db):
    rows = standards.in_force(db, date(2026, 11, 30))
    defaults = json.loads(standards.DEFAULTS_PATH.read_text(encoding="utf-8"))["standards"]
    assert len(rows) == len({r["code"] for r in rows}) == len(defaults) >= 15
    assert {r["area"] for r in rows} == {"management", "service", "foundation", "prevention", "publicity"}
    for default in defaults:  # migration 16 writes them as they are: each must be a valid standard
        cleaned = standards.clean(default)
        assert cleaned["area"] == default["code"].split(".")[0] == MEASURES[default["measure"]].area


@pytest.mark.parametrize(("values", "field", "key"), [
    ({"measure": "pushes_per_weekday"}, "measure", "duty.error.measure"),
    ({"threshold": -1}, "threshold", "duty.error.threshold_negative"),
    ({"threshold": "many"}, "threshold", "duty.error.threshold"),
    ({"threshold": 120}, "threshold", "duty.error.threshold_max"),
    ({"period": "daily"}, "period", "duty.error.period_unsupported"),  # pushes are counted by week or month
    ({"scope": "officer", "measure": "coverage", "period": "monthly"}, "scope", "duty.error.scope_unsupported"),
    ({"text_zh": "  "}, "text_zh", "duty.error.text_missing"),
    ({"params": {"days": 0}}, "params", "duty.error.params"),
])
def test_a_standard_that_cannot_be_computed_is_refused(db, values, field, key):
    base = {"measure": "fraud_warning_reach", "scope": "station", "period": "monthly", "threshold": 50,
            "text_zh": "反诈", "text_en": "Fraud", "fix_days": 7}
    with pytest.raises(FieldErrors) as refused:
        standards.clean({**base, **values})
    assert refused.value.errors[field][0] == key


def test_a_change_applies_from_the_next_period_and_the_past_keeps_its_standard(db):
    admin = w.user(db, w.DISTRICT)
    before = standards.version_for(db, "publicity.pushes", "2026-11-01")
    made = standards.change_standard(db, admin, "publicity.pushes", {"threshold": 3}, now=NOW)
    assert made["effective_from"] == "2026-12-01" and made["threshold"] == 3
    assert standards.version_for(db, "publicity.pushes", "2026-11-01")["threshold"] == before["threshold"]
    assert standards.version_for(db, "publicity.pushes", "2026-12-01")["threshold"] == 3
    # Changed again before it applies: the pending version is replaced, not stacked.
    standards.change_standard(db, admin, "publicity.pushes", {"threshold": 2.5}, now=NOW)
    rows = db.execute("SELECT threshold, effective_from, effective_to FROM duty_standards WHERE code = ?"
                      " ORDER BY effective_from", ["publicity.pushes"]).fetchall()
    assert [tuple(r) for r in rows] == [(before["threshold"], standards.ALWAYS, "2026-12-01"), (2.5, "2026-12-01", None)]
    assert db.execute("SELECT COUNT(*) FROM audit_log WHERE entity = 'duty_standards'").fetchone()[0] == 2


def test_only_the_district_changes_standards(db):
    with pytest.raises(ScopeError):
        standards.change_standard(db, w.user(db, w.ADMIN), "publicity.pushes", {"threshold": 3}, now=NOW)


def test_a_retired_standard_ends_with_its_period(db):
    admin = w.user(db, w.DISTRICT)
    assert standards.retire_standard(db, admin, "publicity.pushes", now=NOW) == "2026-12-01"
    assert "publicity.pushes" in {r["code"] for r in standards.in_force(db, date(2026, 11, 30))}
    assert "publicity.pushes" not in {r["code"] for r in standards.in_force(db, date(2026, 12, 1))}


# --- statuses --------------------------------------------------------------------------------


def test_status_of_state_rate_and_cumulative_items():
    week = periods.containing("weekly", date(2026, 11, 30))
    monday_noon = NOW
    pushes = MEASURES["pushes_per_group"]
    rate = MEASURES["tips_answered_on_time"]
    assert checklist.status_of(rate, Figure(95.0), 90, week, monday_noon)[0] == "done"
    assert checklist.status_of(rate, Figure(80.0), 90, week, monday_noon)[0] == "overdue"
    assert checklist.status_of(rate, Figure(80.0), 90, week, NOW + timedelta(days=7))[0] == "missed"
    assert checklist.status_of(rate, Figure(None), 90, week, monday_noon)[0] == "scheduled"
    assert checklist.status_of(rate, Figure(None), 90, week, NOW + timedelta(days=7))[0] == "done"
    month = periods.containing("monthly", date(2026, 11, 30))  # noon of its last day: 29.5/30 gone, less a quarter
    assert checklist.status_of(pushes, Figure(0.2), 1, month, monday_noon) == ("overdue", 0.73)
    early = periods.containing("monthly", date(2026, 12, 2))
    assert checklist.status_of(pushes, Figure(0.0), 1, early, NOW + timedelta(days=2))[0] == "scheduled"


# --- the checklist by role -------------------------------------------------------------------


def test_an_officer_sees_their_own_their_outposts_and_their_stations_items(db):
    zhang = w.user(db, w.ZHANG)
    found = checklist.checklist(db, zhang, now=NOW)
    assert found.view == "officer"
    subjects = {(i.subject_kind, i.subject_id) for i in found.items}
    assert ("officer", w.ZHANG) in subjects and ("station", w.STATION) in subjects
    assert ("officer", w.LI) not in subjects and ("station", w.OTHER_STATION) not in subjects
    silent = next(i for i in found.items if i.code == "management.silent_groups")
    assert (silent.figure.value, silent.status) == (2, "overdue")  # neither of his groups had a push


def test_a_station_admin_sees_who_is_behind(db):
    w.push(db, sent_days_ago=2, groups=(w.C3,))
    found = checklist.checklist(db, w.user(db, w.ADMIN), now=NOW)
    assert found.view == "station"
    assert {i.station_id for i in found.items} == {w.STATION}
    behind = {r["name"]: r for r in found.behind("officer")}
    assert behind["张警官"]["management"] >= 1 and behind["李警官"]["management"] == 0


def test_the_district_sees_every_station_and_may_pick_one(db):
    admin = w.user(db, w.DISTRICT)
    found = checklist.checklist(db, admin, now=NOW)
    assert found.view == "district" and {w.STATION, w.OTHER_STATION} <= {i.station_id for i in found.items}
    by_station = {r["name"]: r for r in found.behind_by_station()}
    assert by_station["三星派出所"]["officers"] == 2  # neither officer has had a push to his groups
    assert by_station["悦来派出所"]["officers"] == 1 and by_station["三星派出所"]["outposts"] == 0  # no outpost standard
    one = checklist.checklist(db, admin, station_id=w.OTHER_STATION, now=NOW)
    assert one.view == "station" and {i.station_id for i in one.items} == {w.OTHER_STATION}


def test_a_clerk_cannot_read_another_stations_checklist_or_records(db):
    with pytest.raises(ScopeError):
        checklist.checklist(db, w.user(db, w.ZHANG), station_id=w.OTHER_STATION, now=NOW)
    silent = standards.version_for(db, "management.silent_groups", "2026-11-30")
    with pytest.raises(NotFoundError):
        checklist.records(db, w.user(db, w.ZHANG), silent["id"], "officer", w.WANG, "2026-11-30", now=NOW)


def test_records_behind_an_item_and_the_push_that_fixes_it(db):
    zhang = w.user(db, w.ZHANG)
    silent = standards.version_for(db, "management.silent_groups", "2026-11-30")
    rows = checklist.records(db, zhang, silent["id"], "officer", w.ZHANG, "2026-11-30", now=NOW)
    assert sorted(r["group_id"] for r in rows) == [w.C1, w.C2]
    draft = checklist.draft_push_to(db, zhang, [r["group_id"] for r in rows] + [w.C4], "prevention_tip")
    assert draft["state"] == "draft" and draft["targeting"]["group_ids"] == [w.C1, w.C2]  # c4 is not his station's
    assert draft["targeting"]["use_filter"] is False


# --- the snapshot ----------------------------------------------------------------------------


def test_the_snapshot_keeps_an_ended_period_and_raises_its_misses_once(db):
    later = NOW + timedelta(days=1)
    taken = snapshots.take(db, now=later)
    assert taken["periods"] > 0 and taken["raised"] > 0
    row = db.execute("SELECT value, status FROM duty_snapshots s JOIN duty_standards d ON d.id = s.standard_id"
                     " WHERE d.code = 'management.silent_groups' AND s.subject_kind = 'officer' AND s.subject_id = ?"
                     " AND s.period_start = '2026-11-30'", [w.ZHANG]).fetchone()
    assert tuple(row) == (2.0, "missed")
    problem = db.execute("SELECT state, owner_user_id, value FROM duty_problems WHERE code = 'management.silent_groups'"
                         " AND subject_id = ?", [w.ZHANG]).fetchone()
    assert tuple(problem) == ("open", w.ZHANG, 2.0)
    assert snapshots.take(db, now=later) == {"periods": 0, "items": 0, "raised": 0, "updated": 0}
    # The records change; the reviewed day does not.
    w.push(db, sent_days_ago=0, groups=(w.C1, w.C2))
    past = checklist.checklist(db, w.user(db, w.ZHANG), on=date(2026, 11, 30), now=later + timedelta(hours=1))
    item = next(i for i in past.items if i.code == "management.silent_groups")
    assert (item.figure.value, item.status, item.from_snapshot) == (2.0, "missed", True)
    # Missed again the next day: the open problem is updated, not doubled.
    snapshots.take(db, now=later + timedelta(days=1))
    assert db.execute("SELECT COUNT(*) FROM duty_problems WHERE code = 'management.silent_groups'"
                      " AND subject_id = ?", [w.LI]).fetchone()[0] == 1
