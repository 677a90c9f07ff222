"""Mediation cases: the transitions table, opening from a tip (link, tip event, one open case per tip,
stale tip version), optimistic locking, the scope matrix, sessions and time zones (local times, the
off-hours flag, the common window), validation messages, and the demo year of cases."""

import json
import re
from collections import Counter
from datetime import date

import pytest

from lib.core import audit
from lib.core.db import write_transaction
from lib.core.errors import InvalidState, NotFoundError, ScopeError, ValidationError
from lib.demo import demo_mediation, demo_tips
from lib.i18n import i18n
from lib.mediation import mediation, timezones
from lib.tips import tips
from tests.factories import case_parties, case_values, make_case, make_tip

NOW = "2026-11-28T10:00:00Z"
LATER = "2026-12-01 15:00"  # Beijing time, after NOW


def tip_version(db, user, tip_id) -> int:
    return tips.get_tip(db, user, tip_id)["version"]


def set_state(db, case_id, state):
    db.execute("UPDATE mediation_cases SET state = ?, is_open = ? WHERE id = ?",
               [state, int(mediation.state_types(db)[state] == "open"), case_id])


# --- the migration ---------------------------------------------------------------------------------


def test_migration_7_keeps_tip_history_and_lets_tips_record_a_mediation(tmp_path):
    from lib.core import migrations
    from lib.core.db import connect

    db = connect(tmp_path / "old.db", migrate=False)
    migrations.apply_migrations(db, [m for m in migrations.MIGRATIONS if m[0] < 7])
    db.execute("INSERT INTO tips (id, tracking_code, kind, description, created_at, updated_at, due_at)"
               " VALUES (1, 'AAAAABBBBB', 'request', '邻居装修噪音', ?, ?, ?)", [NOW, NOW, NOW])
    db.execute("INSERT INTO tip_events (tip_id, at, kind, is_public, text) VALUES (1, ?, 'reply', 1, '已处理')", [NOW])
    assert migrations.apply_migrations(db) == [m[0] for m in migrations.MIGRATIONS if m[0] >= 7]
    assert db.execute("SELECT tip_id, kind, is_public, text FROM tip_events").fetchall() == [(1, "reply", 1, "已处理")]
    db.execute("INSERT INTO tip_events (tip_id, at, kind) VALUES (1, ?, 'mediation_opened')", [NOW])
    import sqlite3

    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO tip_events (tip_id, at, kind) VALUES (1, ?, 'gossip')", [NOW])
    plan = " ".join(str(r) for r in db.execute("EXPLAIN QUERY PLAN SELECT * FROM tip_events WHERE tip_id = 1"))
    assert "idx_tip_events_tip" in plan
    plan = " ".join(str(r) for r in db.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM mediation_cases WHERE station_id = 2 AND is_open = 1"
        " ORDER BY updated_at DESC LIMIT 25"))
    assert "idx_mediation_cases_open" in plan


# --- states and the transitions table -----------------------------------------------------------


def test_every_state_has_a_type_and_both_labels(demo_db):
    types = mediation.state_types(demo_db)
    assert set(types) == set(mediation.STATES)
    assert {s for s, t in types.items() if t == "closed"} == {"closed", "withdrawn"}
    for state in mediation.STATES:
        assert i18n.t(f"mediation.state.{state}", "zh") != f"mediation.state.{state}"
        assert i18n.t(f"mediation.state.{state}", "en") != f"mediation.state.{state}"
    for action, (sources, target) in mediation.TRANSITIONS.items():
        assert set(sources) <= set(types) and target in types, action


@pytest.mark.parametrize("state,action,ok", [
    ("accepted", "settle", True), ("accepted", "fail", True), ("accepted", "withdraw", True),
    ("accepted", "close", False), ("accepted", "reopen", False),
    ("scheduled", "settle", True), ("scheduled", "fail", True), ("scheduled", "withdraw", True),
    ("scheduled", "close", False),
    ("settled", "close", True), ("settled", "reopen", True), ("settled", "settle", False),
    ("settled", "withdraw", False),
    ("not_settled", "close", True), ("not_settled", "settle", False),
    ("closed", "reopen", True), ("closed", "close", False), ("closed", "settle", False),
    ("withdrawn", "reopen", True), ("withdrawn", "withdraw", False), ("withdrawn", "fail", False),
])
def test_transitions_table(demo_db, users, state, action, ok):
    clerk = users["clerk"]
    case = make_case(demo_db, clerk)
    set_state(demo_db, case["id"], state)
    kwargs = {"outcome": "双方达成协议", "reason": "当事人申请"}
    if ok:
        moved = mediation.move(demo_db, clerk, case["id"], case["version"], action, **kwargs)
        target = mediation.TRANSITIONS[action][1]
        assert moved["state"] == target and moved["version"] == case["version"] + 1
        assert moved["is_open"] == int(mediation.state_types(demo_db)[target] == "open")
        assert (moved["closed_at"] is None) == bool(moved["is_open"])
    else:
        with pytest.raises(mediation.InvalidTransition) as info:
            mediation.move(demo_db, clerk, case["id"], case["version"], action, **kwargs)
        assert info.value.key == "mediation.error.transition"


@pytest.mark.parametrize("action", ["schedule", "fly", ""])
def test_unknown_moves_are_refused(demo_db, users, action):
    case = make_case(demo_db, users["clerk"])
    with pytest.raises(mediation.InvalidTransition) as info:
        mediation.move(demo_db, users["clerk"], case["id"], case["version"], action)
    assert info.value.key == "mediation.error.action"


def test_allowed_moves_follow_the_table(demo_db, users):
    case = make_case(demo_db, users["clerk"])
    assert mediation.allowed_moves(case) == ["settle", "fail", "withdraw"]
    assert mediation.allowed_moves({**case, "state": "closed"}) == ["reopen"]


def test_a_full_journey_is_audited_and_on_the_timeline(demo_db, users):
    clerk = users["clerk"]
    case = make_case(demo_db, clerk)
    assert re.fullmatch(r"三星-\d{4}-\d{4}", case["case_no"])
    case = mediation.schedule_session(demo_db, clerk, case["id"], case["version"], LATER, now=NOW)
    assert case["state"] == "scheduled"
    session = mediation.get_case_detail(demo_db, clerk, case["id"], now=NOW)["sessions"][0]
    case = mediation.record_session(demo_db, clerk, case["id"], case["version"], session["id"], "held",
                                    "双方均上线", now="2026-12-01T08:00:00Z")
    case = mediation.move(demo_db, clerk, case["id"], case["version"], "settle",
                          outcome="唐某赔偿顾某医药费 5,000 元，当场履行。", amount="5,000")
    assert case["agreement_amount"] == 5000.0 and case["is_open"] == 1
    case = mediation.move(demo_db, clerk, case["id"], case["version"], "close")
    assert case["state"] == "closed" and not mediation.is_open(case) and case["closed_at"]
    detail = mediation.get_case_detail(demo_db, clerk, case["id"])
    assert [e["kind"] for e in detail["events"]] == ["created", "session_planned", "session_recorded", "state",
                                                     "state"]
    assert detail["sessions"][0]["state"] == "held" and detail["next_session"] is None
    actions = [e["action"] for e in audit.list_entries(demo_db, users["district_admin"], entity="mediation_cases",
                                                       entity_id=case["id"])]
    assert actions == ["close", "settle", "record_session", "schedule", "create"]
    assert case["version"] == 5


def test_settle_needs_an_outcome_and_a_sane_amount(demo_db, users):
    clerk = users["clerk"]
    case = make_case(demo_db, clerk)
    for kwargs, key in (({}, "mediation.error.outcome_missing"),
                        ({"outcome": "  "}, "mediation.error.outcome_missing"),
                        ({"outcome": "协" * 1001}, "mediation.error.outcome_long"),
                        ({"outcome": "达成协议", "amount": -1}, "mediation.error.amount"),
                        ({"outcome": "达成协议", "amount": "五千"}, "mediation.error.amount"),
                        ({"outcome": "达成协议", "amount": float("nan")}, "mediation.error.amount"),
                        ({"outcome": "达成协议", "amount": 10**9}, "mediation.error.amount")):
        with pytest.raises(ValidationError) as info:
            mediation.move(demo_db, clerk, case["id"], case["version"], "settle", **kwargs)
        assert info.value.key == key
    assert mediation.get_case(demo_db, clerk, case["id"])["version"] == case["version"]  # nothing written
    settled = mediation.move(demo_db, clerk, case["id"], case["version"], "settle", outcome="互相道歉", amount="")
    assert settled["agreement_amount"] is None


def test_withdraw_needs_a_reason_and_cancels_planned_sessions(demo_db, users):
    clerk = users["clerk"]
    case = make_case(demo_db, clerk)
    case = mediation.schedule_session(demo_db, clerk, case["id"], case["version"], LATER, now=NOW)
    with pytest.raises(ValidationError) as info:
        mediation.move(demo_db, clerk, case["id"], case["version"], "withdraw")
    assert info.value.key == "mediation.error.reason_missing" and info.value.field == "reason"
    case = mediation.move(demo_db, clerk, case["id"], case["version"], "withdraw", reason="双方已自行和解")
    assert case["state"] == "withdrawn"
    [session] = mediation.get_case_detail(demo_db, clerk, case["id"])["sessions"]
    assert session["state"] == "cancelled" and session["note"] == "双方已自行和解"


def test_reopen_clears_the_outcome_and_the_closing_time(demo_db, users):
    clerk = users["clerk"]
    case = make_case(demo_db, clerk)
    case = mediation.move(demo_db, clerk, case["id"], case["version"], "settle", outcome="还款一万元", amount=10000)
    case = mediation.move(demo_db, clerk, case["id"], case["version"], "close")
    case = mediation.move(demo_db, clerk, case["id"], case["version"], "reopen", reason="被申请人未按协议付款")
    assert (case["state"], case["is_open"], case["closed_at"], case["outcome"], case["agreement_amount"]) == \
        ("accepted", 1, None, None, None)


def test_a_closed_case_cannot_be_changed_until_reopened(demo_db, users):
    clerk = users["clerk"]
    case = make_case(demo_db, clerk)
    case = mediation.move(demo_db, clerk, case["id"], case["version"], "withdraw", reason="撤回")
    with pytest.raises(InvalidState):
        mediation.add_party(demo_db, clerk, case["id"], case["version"], {"role": "other", "name": "见证人"})
    with pytest.raises(mediation.InvalidTransition):
        mediation.schedule_session(demo_db, clerk, case["id"], case["version"], LATER, now=NOW)


# --- optimistic locking ------------------------------------------------------------------------


def test_a_stale_case_version_is_refused(demo_db, users):
    clerk, admin = users["clerk"], users["station_admin"]
    case = make_case(demo_db, clerk)
    mediation.add_party(demo_db, admin, case["id"], case["version"], {"role": "other", "name": "顾母"})
    for write in (lambda: mediation.move(demo_db, clerk, case["id"], case["version"], "withdraw", reason="撤回"),
                  lambda: mediation.schedule_session(demo_db, clerk, case["id"], case["version"], LATER, now=NOW),
                  lambda: mediation.assign_mediator(demo_db, clerk, case["id"], case["version"], admin.id),
                  lambda: mediation.add_party(demo_db, clerk, case["id"], case["version"], {"name": "某"})):
        with pytest.raises(mediation.StaleEdit) as info:
            write()
        assert info.value.key == "mediation.error.stale"
    assert mediation.get_case(demo_db, clerk, case["id"])["state"] == "accepted"


# --- from a tip ----------------------------------------------------------------------------------


def test_open_from_tip_links_the_tip_and_writes_its_event(demo_db, users):
    clerk = users["clerk"]
    tip_id = make_tip(demo_db, station=clerk)["id"]
    tip = tips.get_tip(demo_db, clerk, tip_id)
    case = mediation.open_from_tip(demo_db, clerk, tip_id, tip["version"], {"dispute_type": "neighbour"},
                                   case_parties())
    assert case["tip_id"] == tip_id and case["station_id"] == tip["station_id"]
    assert case["summary"] == tip["description"] and case["title"] == tip["description"][:24]
    [event] = [e for e in tips.events(demo_db, clerk, tip_id) if e["kind"] == "mediation_opened"]
    assert json.loads(event["data"]) == {"case_id": case["id"], "case_no": case["case_no"]}
    assert event["user_id"] == clerk.id
    assert mediation.tip_event_text(event["data"], "zh") == f"已转为远程视频调解案件 {case['case_no']}"
    assert mediation.open_case_of_tip(demo_db, clerk, tip_id)["id"] == case["id"]
    detail = mediation.get_case_detail(demo_db, clerk, case["id"])
    assert detail["tip"]["tracking_code"] and detail["tip"]["description"] == tip["description"]
    assert json.loads(detail["events"][0]["data"])["tip_id"] == tip_id


def test_a_tip_cannot_get_two_open_cases(demo_db, users):
    clerk, admin = users["clerk"], users["station_admin"]
    tip_id = make_tip(demo_db, station=clerk)["id"]
    first = mediation.open_from_tip(demo_db, clerk, tip_id, tip_version(demo_db, clerk, tip_id),
                                    case_values(title="邻里纠纷"))
    with pytest.raises(ValidationError) as info:
        mediation.open_from_tip(demo_db, admin, tip_id, tip_version(demo_db, admin, tip_id), case_values())
    assert info.value.key == "mediation.error.tip_has_case"
    assert info.value.params["case_no"] == first["case_no"] and info.value.params["case_id"] == first["id"]
    assert demo_db.execute("SELECT COUNT(*) FROM mediation_cases WHERE tip_id = ?", [tip_id]).fetchone()[0] == 1
    # Once the first case is over, the dispute may come back as a new case …
    done = mediation.move(demo_db, clerk, first["id"], first["version"], "fail", outcome="分歧较大，建议诉讼")
    done = mediation.move(demo_db, clerk, done["id"], done["version"], "close")
    second = mediation.open_from_tip(demo_db, clerk, tip_id, tip_version(demo_db, clerk, tip_id), case_values())
    # … and then the first cannot be reopened beside it.
    with pytest.raises(ValidationError) as info:
        mediation.move(demo_db, clerk, done["id"], done["version"], "reopen", reason="再次调解")
    assert info.value.key == "mediation.error.tip_has_case" and info.value.params["case_no"] == second["case_no"]


def test_the_database_itself_refuses_two_open_cases_of_a_tip(demo_db, users):
    import sqlite3

    clerk = users["clerk"]
    tip_id = make_tip(demo_db, station=clerk)["id"]
    mediation.open_from_tip(demo_db, clerk, tip_id, tip_version(demo_db, clerk, tip_id), case_values())
    other = make_case(demo_db, clerk)
    with pytest.raises(sqlite3.IntegrityError):
        demo_db.execute("UPDATE mediation_cases SET tip_id = ? WHERE id = ?", [tip_id, other["id"]])


def test_a_stale_tip_version_is_refused_and_nothing_is_written(demo_db, users):
    clerk = users["clerk"]
    tip_id = make_tip(demo_db, station=clerk)["id"]
    seen = tip_version(demo_db, clerk, tip_id)
    tips.move(demo_db, users["station_admin"], tip_id, seen, "triage")  # someone else, meanwhile
    before = demo_db.execute("SELECT COUNT(*) FROM mediation_cases").fetchone()[0]
    with pytest.raises(tips.StaleEdit):
        mediation.open_from_tip(demo_db, clerk, tip_id, seen, case_values())
    assert demo_db.execute("SELECT COUNT(*) FROM mediation_cases").fetchone()[0] == before
    assert not [e for e in tips.events(demo_db, clerk, tip_id) if e["kind"] == "mediation_opened"]


def test_an_unrouted_or_duplicate_tip_is_refused(demo_db, users):
    district = users["district_admin"]
    unrouted = make_tip(demo_db, kind="complaint", description="江边有人吵架，要求调解赔偿。", lat=0.0, lon=0.0)["id"]
    with pytest.raises(ValidationError) as info:
        mediation.open_from_tip(demo_db, district, unrouted, 1, case_values())
    assert info.value.key == "mediation.error.tip_unrouted"
    clerk = users["clerk"]
    first, second = make_tip(demo_db, station=clerk)["id"], make_tip(demo_db, station=clerk)["id"]
    tips.move(demo_db, clerk, second, 1, "mark_duplicate", duplicate_of=first)
    with pytest.raises(ValidationError) as info:
        mediation.open_from_tip(demo_db, clerk, second, 2, case_values())
    assert info.value.key == "mediation.error.tip_duplicate" and info.value.params["id"] == first


def test_a_deleted_tip_leaves_its_case_unlinked(demo_db, users):
    clerk = users["clerk"]
    tip_id = make_tip(demo_db, station=clerk)["id"]
    case = mediation.open_from_tip(demo_db, clerk, tip_id, 1, case_values())
    for table in ("tip_events", "tip_photos", "tips"):
        demo_db.execute(f"DELETE FROM {table}")
    assert mediation.get_case(demo_db, clerk, case["id"])["tip_id"] is None


# --- scope -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("actor,owner,allowed", [
    ("clerk", "clerk", True), ("station_admin", "clerk", True), ("other_clerk", "clerk", False),
    ("clerk", "other_clerk", False), ("district_admin", "clerk", True), ("district_admin", "other_clerk", True),
])
def test_scope_matrix(demo_db, users, actor, owner, allowed):
    case = make_case(demo_db, users[owner]) if owner != "other_clerk" else \
        make_case(demo_db, users["district_admin"], station_id=users["other_clerk"].station_id)
    who = users[actor]
    listed = [r["id"] for r in mediation.list_cases(demo_db, who, page_size=500).rows]
    if allowed:
        assert mediation.get_case(demo_db, who, case["id"])["id"] == case["id"]
        assert case["id"] in listed
        moved = mediation.move(demo_db, who, case["id"], case["version"], "withdraw", reason="撤回")
        assert moved["state"] == "withdrawn"
    else:
        assert case["id"] not in listed
        for call in (lambda: mediation.get_case(demo_db, who, case["id"]),
                     lambda: mediation.get_case_detail(demo_db, who, case["id"]),
                     lambda: mediation.move(demo_db, who, case["id"], case["version"], "withdraw", reason="越权"),
                     lambda: mediation.add_party(demo_db, who, case["id"], case["version"], {"name": "某"}),
                     lambda: mediation.schedule_session(demo_db, who, case["id"], case["version"], LATER, now=NOW),
                     lambda: mediation.assign_mediator(demo_db, who, case["id"], case["version"], who.id)):
            with pytest.raises(NotFoundError):
                call()
        assert mediation.get_case(demo_db, users["district_admin"], case["id"])["state"] == "accepted"


def test_a_station_user_lists_and_counts_only_their_station(demo_db, users):
    clerk, other = users["clerk"], users["other_clerk"]
    rows = mediation.list_cases(demo_db, clerk, page_size=500).rows
    assert rows and {r["station_id"] for r in rows} == {clerk.station_id}
    with pytest.raises(ScopeError):
        mediation.list_cases(demo_db, clerk, station_id=other.station_id)
    with pytest.raises(ScopeError):
        mediation.case_counts(demo_db, clerk, station_id=other.station_id)
    mine = demo_db.execute("SELECT COUNT(*) FROM mediation_cases WHERE station_id = ?", [clerk.station_id]).fetchone()
    assert sum(mediation.case_counts(demo_db, clerk).values()) == mine[0]
    everything = demo_db.execute("SELECT COUNT(*) FROM mediation_cases").fetchone()[0]
    assert sum(mediation.case_counts(demo_db, users["district_admin"]).values()) == everything
    with pytest.raises(NotFoundError):
        mediation.list_mediators(demo_db, clerk, other.station_id)


def test_a_station_user_opens_cases_of_their_own_station_only(demo_db, users):
    clerk, other = users["clerk"], users["other_clerk"]
    with pytest.raises(ScopeError):
        mediation.open_case(demo_db, clerk, case_values(station_id=other.station_id), case_parties())
    with pytest.raises(NotFoundError):
        mediation.open_from_tip(demo_db, clerk, make_tip(demo_db, station=other)["id"], 1, case_values())
    with pytest.raises(ValidationError) as info:
        mediation.open_case(demo_db, users["district_admin"], case_values(), case_parties())  # which station?
    assert info.value.key == "mediation.error.station"


def test_the_mediator_is_of_the_station_or_the_district(demo_db, users):
    clerk = users["clerk"]
    case = make_case(demo_db, clerk)
    assert case["mediator_user_id"] == clerk.id
    with pytest.raises(ValidationError) as info:
        mediation.assign_mediator(demo_db, clerk, case["id"], case["version"], users["other_clerk"].id)
    assert info.value.key == "mediation.error.mediator"
    case = mediation.assign_mediator(demo_db, clerk, case["id"], case["version"], users["district_admin"].id)
    assert case["mediator_name"] == users["district_admin"].name
    ids = [m["id"] for m in mediation.list_mediators(demo_db, clerk, clerk.station_id)]
    assert clerk.id in ids and users["district_admin"].id in ids and users["other_clerk"].id not in ids


# --- numbers, list, search ---------------------------------------------------------------------------


def test_case_numbers_follow_on_per_station_and_year(demo_db, users):
    first, second = make_case(demo_db, users["clerk"]), make_case(demo_db, users["station_admin"])
    prefix, year, seq = first["case_no"].split("-")
    assert prefix == "三星" and second["case_no"] == f"三星-{year}-{int(seq) + 1:04d}"
    other = make_case(demo_db, users["district_admin"], station_id=users["other_clerk"].station_id)
    assert not other["case_no"].startswith("三星-")


def test_list_search_paging_and_what_a_row_tells(demo_db, users):
    clerk = users["clerk"]
    case = make_case(demo_db, clerk, title="独一无二的案由")
    mediation.schedule_session(demo_db, clerk, case["id"], case["version"], LATER, now=NOW)
    for text in ("独一无二", case["case_no"], "唐海涛", "712345"):
        [row] = mediation.list_cases(demo_db, clerk, text=text, now=NOW).rows
        assert row["id"] == case["id"], text
    assert row["party_names"] == "顾建国、唐海涛" and row["abroad_countries"] == "KE"
    assert row["next_session_at"] == "2026-12-01T07:00:00Z"
    assert mediation.list_cases(demo_db, clerk, text="100%_").rows == []
    found = mediation.list_cases(demo_db, clerk, page_size=2, page=2)
    assert len(found.rows) == 2 and found.page == 2 and found.pages == -(-found.total // 2)
    assert mediation.list_cases(demo_db, clerk, page=10_000).page == mediation.list_cases(demo_db, clerk).pages
    assert all(r["is_open"] for r in mediation.list_cases(demo_db, clerk, open_only=True, page_size=500).rows)
    assert {r["state"] for r in mediation.list_cases(demo_db, clerk, state="scheduled", page_size=500).rows} \
        == {"scheduled"}


# --- sessions and time zones -----------------------------------------------------------------------------


def test_beijing_time_is_stored_in_utc():
    assert timezones.to_utc("2026-12-01 14:00") == "2026-12-01T06:00:00Z"
    assert timezones.to_utc("2026-12-01T09:00", "Africa/Nairobi") == "2026-12-01T06:00:00Z"
    for bad, key in (("明天下午", "mediation.error.time"), ("2026-02-30 10:00", "mediation.error.time")):
        with pytest.raises(ValidationError) as info:
            timezones.to_utc(bad)
        assert info.value.key == key
    with pytest.raises(ValidationError) as info:
        timezones.to_utc("2026-03-08 02:30", "America/New_York")  # clocks jump from 02:00 to 03:00
    assert info.value.key == "mediation.error.time_nonexistent"
    with pytest.raises(ValidationError):
        timezones.to_utc("2026-12-01 14:00", "Mars/Olympus_Mons")


@pytest.mark.parametrize("beijing,zone,local,offset,off_hours,shift", [
    ("2026-12-01 14:00", "Africa/Nairobi", "2026-12-01 09:00", "UTC+3", False, 0),
    ("2026-12-01 07:00", "Africa/Nairobi", "2026-12-01 02:00", "UTC+3", True, 0),
    ("2026-12-01 21:30", "Africa/Nairobi", "2026-12-01 16:30", "UTC+3", False, 0),
    ("2026-12-01 09:00", "America/New_York", "2026-11-30 20:00", "UTC-5", False, -1),
    ("2026-07-01 09:00", "America/New_York", "2026-06-30 21:00", "UTC-4", False, -1),  # summer time
    ("2026-12-01 10:00", "America/New_York", "2026-11-30 21:00", "UTC-5", False, -1),  # ends at 22:00 sharp
    ("2026-12-01 10:30", "America/New_York", "2026-11-30 21:30", "UTC-5", True, -1),  # ends 22:30: too late
    ("2026-12-01 15:00", "Asia/Kolkata", "2026-12-01 12:30", "UTC+5:30", False, 0),
    ("2026-12-01 21:00", "Asia/Shanghai", "2026-12-01 21:00", "UTC+8", False, 0),
    ("2026-12-01 21:30", "Asia/Shanghai", "2026-12-01 21:30", "UTC+8", True, 0),  # a 60-minute call ends 22:30
])
def test_each_party_sees_the_session_in_their_zone(beijing, zone, local, offset, off_hours, shift):
    view = timezones.local_view(timezones.to_utc(beijing), zone, 60)
    assert (view["local"], view["offset"], view["is_off_hours"], view["day_shift"]) == \
        (local, offset, off_hours, shift)


def test_the_common_window_is_when_everyone_is_awake():
    day = date(2026, 12, 1)
    assert timezones.common_window([], day) == [("08:00", "22:00")]
    assert timezones.common_window(["Africa/Nairobi"], day) == [("13:00", "22:00")]
    assert timezones.common_window(["Africa/Nairobi", "Asia/Dubai"], day) == [("13:00", "22:00")]
    assert timezones.common_window(["America/New_York"], day) == [("08:00", "11:00"), ("21:00", "22:00")]
    assert timezones.common_window(["America/Los_Angeles", "Europe/Rome"], day) == []


def test_the_detail_flags_a_party_for_whom_the_session_is_at_night(demo_db, users):
    clerk = users["clerk"]
    case = make_case(demo_db, clerk)
    mediation.schedule_session(demo_db, clerk, case["id"], case["version"], "2026-12-01 07:00", now=NOW)
    detail = mediation.get_case_detail(demo_db, clerk, case["id"], now=NOW)
    applicant, respondent = detail["party_times"]
    assert (applicant["time_zone"], applicant["time"], applicant["is_off_hours"]) == ("Asia/Shanghai", "07:00", True)
    assert (respondent["time_zone"], respondent["time"], respondent["is_off_hours"]) == ("Africa/Nairobi", "02:00",
                                                                                          True)
    assert i18n.t("mediation.off_hours", "zh", time=respondent["time"]) == "⚠ 对方当地时间 02:00，可能不便"
    assert detail["next_session"]["starts_at"] == "2026-11-30T23:00:00Z"
    # Once the session is over it is no longer the next one.
    assert mediation.get_case_detail(demo_db, clerk, case["id"], now="2026-12-01T00:30:00Z")["next_session"] is None


def test_any_valid_zone_is_accepted_and_the_country_gives_a_default(demo_db, users):
    clerk = users["clerk"]
    case = make_case(demo_db, clerk)
    case = mediation.add_party(demo_db, clerk, case["id"], case["version"],
                               {"role": "other", "name": "翻译", "country": "US", "time_zone": "America/Los_Angeles"})
    case = mediation.add_party(demo_db, clerk, case["id"], case["version"],
                               {"role": "other", "name": "见证人", "country": "id"})
    zones = [p["time_zone"] for p in mediation.get_case_detail(demo_db, clerk, case["id"])["parties"]]
    assert zones == ["Asia/Shanghai", "Africa/Nairobi", "America/Los_Angeles", "Asia/Jakarta"]
    assert all(timezones.is_valid_zone(z) for z in timezones.COUNTRY_ZONES.values())


def test_scheduling_needs_both_sides_and_a_sensible_time(demo_db, users):
    clerk = users["clerk"]
    lonely = mediation.open_case(demo_db, clerk, case_values(), [{"role": "applicant", "name": "顾建国"}])
    with pytest.raises(ValidationError) as info:
        mediation.schedule_session(demo_db, clerk, lonely["id"], lonely["version"], LATER, now=NOW)
    assert info.value.key == "mediation.error.parties_missing"
    case = make_case(demo_db, clerk)
    for args, key in ((("2026-11-28 09:00",), "mediation.error.time_past"),
                      (("2028-01-01 09:00",), "mediation.error.time_far"),
                      ((LATER, "Asia/Shanghai", 3), "mediation.error.duration"),
                      ((LATER, "Asia/Shanghai", 600), "mediation.error.duration"),
                      ((LATER, "Asia/Shanghai", 60, "zoom"), "mediation.error.platform"),
                      ((LATER, "Asia/Shanghai", 60, "wechat", "号" * 101), "mediation.error.room_long")):
        with pytest.raises(ValidationError) as info:
            mediation.schedule_session(demo_db, clerk, case["id"], case["version"], *args, now=NOW)
        assert info.value.key == key
    assert mediation.get_case_detail(demo_db, clerk, case["id"])["sessions"] == []


def test_a_session_result_is_recorded_once_and_only_after_it_started(demo_db, users):
    clerk = users["clerk"]
    case = make_case(demo_db, clerk)
    case = mediation.schedule_session(demo_db, clerk, case["id"], case["version"], LATER, now=NOW)
    session_id = mediation.get_case_detail(demo_db, clerk, case["id"])["sessions"][0]["id"]
    with pytest.raises(ValidationError) as info:
        mediation.record_session(demo_db, clerk, case["id"], case["version"], session_id, "held", now=NOW)
    assert info.value.key == "mediation.error.session_future"
    with pytest.raises(ValidationError):
        mediation.record_session(demo_db, clerk, case["id"], case["version"], session_id, "postponed", now=NOW)
    case = mediation.record_session(demo_db, clerk, case["id"], case["version"], session_id, "cancelled",
                                    "当事人临时有事", now=NOW)
    with pytest.raises(InvalidState):
        mediation.record_session(demo_db, clerk, case["id"], case["version"], session_id, "held",
                                 now="2026-12-02T00:00:00Z")
    assert case["state"] == "scheduled"  # the mediator decides what comes next


# --- validation messages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("party,key,field", [
    ({"name": ""}, "mediation.error.party_name", "name"),
    ({"name": "名" * 31}, "mediation.error.party_name_long", "name"),
    ({"phone": "12"}, "mediation.error.party_phone", "phone"),
    ({"phone": "call me"}, "mediation.error.party_phone", "phone"),
    ({"country": "XX"}, "mediation.error.party_country", "country"),
    ({"time_zone": "Mars/Base"}, "mediation.error.party_zone", "time_zone"),
    ({"time_zone": "../../etc/passwd"}, "mediation.error.party_zone", "time_zone"),
    ({"language": "klingon"}, "mediation.error.party_language", "language"),
    ({"role": "judge"}, "mediation.error.party_role", "role"),
    ({"note": "注" * 201}, "mediation.error.party_note_long", "note"),
])
def test_a_bad_party_is_refused_by_field_with_its_number(demo_db, users, party, key, field):
    before = demo_db.execute("SELECT COUNT(*) FROM mediation_cases").fetchone()[0]
    given = case_parties()
    given[1] = {**given[1], **party}
    with pytest.raises(ValidationError) as info:
        mediation.open_case(demo_db, users["clerk"], case_values(), given)
    assert (info.value.key, info.value.field, info.value.params["n"]) == (key, field, 2)
    assert "第 2 位当事人" in i18n.error_text(info.value, "zh") and "Party 2" in i18n.error_text(info.value, "en")
    assert demo_db.execute("SELECT COUNT(*) FROM mediation_cases").fetchone()[0] == before


@pytest.mark.parametrize("over,key,field", [
    ({"title": " "}, "mediation.error.title", "title"),
    ({"title": "题" * 61}, "mediation.error.title_long", "title"),
    ({"dispute_type": "gossip"}, "mediation.error.dispute_type", "dispute_type"),
    ({"summary": "短"}, "mediation.error.summary_short", "summary"),
    ({"summary": "长" * 2001}, "mediation.error.summary_long", "summary"),
    ({"mediator_user_id": 99_999_999}, "mediation.error.mediator", "mediator"),
])
def test_bad_case_values_are_refused_with_a_clear_message(demo_db, users, over, key, field):
    before = demo_db.execute("SELECT COUNT(*) FROM mediation_cases").fetchone()[0]
    with pytest.raises(ValidationError) as info:
        mediation.open_case(demo_db, users["clerk"], case_values(**over), case_parties())
    assert (info.value.key, info.value.field) == (key, field)
    for lang in ("zh", "en"):
        assert i18n.error_text(info.value, lang) != key and "{" not in i18n.error_text(info.value, lang)
    assert demo_db.execute("SELECT COUNT(*) FROM mediation_cases").fetchone()[0] == before


def test_phone_numbers_at_home_and_abroad_are_accepted(demo_db, users):
    for phone in ("13912345678", "0513-82123456", "+254 712 345 678", "+1 (212) 555-0100", "+971-50-1234567"):
        assert mediation.clean_party({"name": "某", "phone": phone})["phone"]
    assert mediation.clean_party({"name": "某", "phone": "+254 712 345 678"})["phone"] == "+254712345678"


def test_user_text_is_stored_as_text(demo_db, users):
    case = make_case(demo_db, users["clerk"], title="<script>alert(1)</script>", summary="**粗体** <b>x</b>\x00\x07")
    assert case["title"] == "<script>alert(1)</script>" and "\x00" not in case["summary"]


# --- the demo year --------------------------------------------------------------------------------------


def test_the_demo_cases_survive_the_tests_emptied_tip_queue(demo_db):
    rows = list(demo_db.query("SELECT * FROM mediation_cases"))
    assert 250 <= len(rows) <= 450
    assert all(r["tip_id"] is None for r in rows)  # the fixture deleted the demo tips: links set to NULL
    assert len({r["station_id"] for r in rows}) >= 15
    assert {r["state"] for r in rows} >= {"closed", "withdrawn"}
    assert sum(r["is_open"] for r in rows) >= 5  # a living portal: cases still being worked
    types = mediation.state_types(demo_db)
    for r in rows:
        assert r["is_open"] == int(types[r["state"]] == "open")
        assert (r["closed_at"] is not None) == (not r["is_open"])
        assert (r["outcome"] is not None) == (r["state"] in ("settled", "not_settled", "closed"))
    abroad = demo_db.execute("SELECT COUNT(DISTINCT case_id) FROM mediation_parties WHERE country != 'CN'"
                             ).fetchone()[0]
    assert 0.06 <= abroad / len(rows) <= 0.15
    versions = dict(demo_db.execute("SELECT case_id, COUNT(*) FROM mediation_events GROUP BY case_id"))
    assert all(r["version"] == versions[r["id"]] for r in rows)
    assert all(timezones.is_valid_zone(z) for (z,) in demo_db.execute("SELECT DISTINCT time_zone FROM mediation_parties"))


def test_demo_cases_are_deterministic_and_some_come_from_tips(demo_template, tmp_path):
    from lib.core.db import connect
    from tests.conftest import copy_database

    def generate(name, seed):
        db = connect(copy_database(demo_template, tmp_path / name))
        demo_tips.generate_tips(db, n=3000, seed=3, now=NOW)
        with write_transaction(db):
            for table in ("mediation_events", "mediation_sessions", "mediation_parties", "mediation_cases"):
                db.execute(f"DELETE FROM {table}")
        assert demo_mediation.generate_cases(db, n=120, seed=seed, now=NOW) == 120
        return db, [list(db.query(f"SELECT * FROM {t} ORDER BY id")) for t in
                    ("mediation_cases", "mediation_parties", "mediation_sessions", "mediation_events")]

    db, first = generate("a.db", 5)
    assert generate("b.db", 5)[1] == first
    assert generate("c.db", 6)[1][0] != first[0]
    linked = [c for c in first[0] if c["tip_id"]]
    assert 20 <= len(linked) <= 40
    for case in linked:
        tip = db.execute("SELECT station_id, description, kind FROM tips WHERE id = ?", [case["tip_id"]]).fetchone()
        assert (tip[0], tip[1]) == (case["station_id"], case["summary"]) and tip[2] in ("request", "complaint")
    events = [json.loads(d) for (d,) in db.execute("SELECT data FROM tip_events WHERE kind = 'mediation_opened'")]
    assert sorted(e["case_id"] for e in events) == sorted(c["id"] for c in linked)
    open_per_tip = Counter(c["tip_id"] for c in linked if c["is_open"])
    assert all(n == 1 for n in open_per_tip.values())
    assert all(re.fullmatch(r".+-\d{4}-\d{4}", c["case_no"]) for c in first[0])

