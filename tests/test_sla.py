"""SLA rules (lib/tips/sla.py), both clocks — first response (答复时限) and resolution (办结时限): reading,
changing all or nothing, audit, scope, and the promise the rules page makes — a change applies to
tips received from then on."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from lib.core import audit
from lib.core.errors import ScopeError, ValidationError
from lib.tips import sla, tips
from lib.tips.tips import TipInput

NOW = "2026-11-28T10:00:00Z"


def rule(db, kind, priority, column="first_response_minutes"):
    row = db.execute(f"SELECT {column} FROM sla_rules WHERE kind = ? AND priority = ?",
                     [kind, priority]).fetchone()
    return row[0] if row else None


def resolution_rule(db, kind, priority):
    return rule(db, kind, priority, "resolution_minutes")


def sla_audit(db, admin):
    return audit.list_entries(db, admin, entity="sla_rules", limit=100)


def new_tip(db, station_id, kind="lead", priority="urgent", now=NOW) -> dict:
    grid_id = db.execute("SELECT id FROM grids WHERE station_id = ? AND geometry IS NOT NULL ORDER BY id LIMIT 1",
                         [station_id]).fetchone()[0]
    made = tips.create_tip(db, TipInput(kind=kind, description="三星镇汽车站旁停着一辆灰色面包车，车头有撞痕。",
                                        grid_id=grid_id, consent=True), now=now, priority=priority)
    return next(db.query("SELECT * FROM tips WHERE id = ?", [made["id"]]))


def plus(ts: str, minutes: int) -> str:
    start = datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return (start + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- reading ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["clerk", "station_admin", "district_admin"])
def test_any_staff_user_reads_every_kind_and_priority(demo_db, users, role):
    rules = sla.list_rules(demo_db, users[role])
    assert [(r["kind"], r["priority"]) for r in rules] == [(k, p) for k in tips.KINDS for p in tips.PRIORITIES]
    by_pair = {(r["kind"], r["priority"]): r for r in rules}
    assert by_pair[("lead", "urgent")]["minutes"] == 10  # the migration's rules
    assert by_pair[("request", "low")]["minutes"] == 2880
    assert by_pair[("lead", "urgent")]["resolution_minutes"] == 1440  # migration 11's
    assert by_pair[("inquiry", "high")]["resolution_minutes"] == 1440
    assert by_pair[("complaint", "low")]["resolution_minutes"] == 20160
    assert not any(r["is_default"] for r in rules)


def test_nobody_reads_rules_without_a_user(demo_db):
    with pytest.raises(ScopeError):
        sla.list_rules(demo_db, None)


def test_first_response_minutes_reads_the_rule_or_a_day_by_default(demo_db, users):
    assert sla.first_response_minutes(demo_db, "lead", "urgent") == 10
    assert sla.first_response_minutes(demo_db, "complaint", "high") == 120
    demo_db.execute("DELETE FROM sla_rules WHERE kind = 'inquiry' AND priority = 'low'")
    assert sla.first_response_minutes(demo_db, "inquiry", "low") == sla.DEFAULT_MINUTES == 24 * 60
    shown = {(r["kind"], r["priority"]): r for r in sla.list_rules(demo_db, users["clerk"])}
    assert shown[("inquiry", "low")] == {"kind": "inquiry", "priority": "low", "minutes": 1440,
                                         "resolution_minutes": 7 * 1440, "is_default": True}


def test_resolution_minutes_reads_the_rule_or_a_week_by_default(demo_db):
    assert sla.resolution_minutes(demo_db, "lead", "urgent") == 1440
    assert sla.resolution_minutes(demo_db, "request", "low") == 20160
    demo_db.execute("DELETE FROM sla_rules WHERE kind = 'inquiry' AND priority = 'low'")
    assert sla.resolution_minutes(demo_db, "inquiry", "low") == sla.DEFAULT_RESOLUTION_MINUTES == 7 * 1440


@pytest.mark.parametrize("kind,priority", [("lead", "urgent"), ("request", "normal"), ("complaint", "low")])
def test_intake_due_time_agrees_with_first_response_minutes(demo_db, kind, priority):
    # Pins what tips.due_at must keep doing when it switches to lib.tips.sla.
    assert tips.due_at(demo_db, kind, priority, NOW) == plus(NOW, sla.first_response_minutes(demo_db, kind, priority))


# --- changing -----------------------------------------------------------------------------


def test_district_admin_changes_rules_with_one_audit_row_per_changed_rule(demo_db, users):
    admin = users["district_admin"]
    before = len(sla_audit(demo_db, admin))
    changed = sla.set_rules(demo_db, admin, {("lead", "urgent"): 15, ("lead", "high"): 30,  # 30: unchanged
                                             ("request", "low"): 4320})
    assert changed == [{"kind": "lead", "priority": "urgent", "clock": "first_response", "before": 10, "after": 15},
                       {"kind": "request", "priority": "low", "clock": "first_response", "before": 2880,
                        "after": 4320}]
    assert rule(demo_db, "lead", "urgent") == 15 and rule(demo_db, "request", "low") == 4320
    assert rule(demo_db, "lead", "high") == 30
    entries = sla_audit(demo_db, admin)
    assert len(entries) == before + 2
    by_id = {e["entity_id"]: e for e in entries[:2]}
    assert set(by_id) == {"lead.urgent", "request.low"}
    assert by_id["lead.urgent"]["action"] == "update" and by_id["lead.urgent"]["username"] == "district"
    assert '"first_response_minutes": 10' in by_id["lead.urgent"]["before"]
    assert '"first_response_minutes": 15' in by_id["lead.urgent"]["after"]
    assert "resolution_minutes" not in by_id["lead.urgent"]["before"] + by_id["lead.urgent"]["after"]
    assert resolution_rule(demo_db, "lead", "urgent") == 1440  # the other clock is left alone


def test_saving_the_same_values_writes_nothing(demo_db, users):
    admin = users["district_admin"]
    current = {(r["kind"], r["priority"]): r["minutes"] for r in sla.list_rules(demo_db, admin)}
    before = len(sla_audit(demo_db, admin))
    assert sla.set_rules(demo_db, admin, current) == []
    assert sla.set_rules(demo_db, admin, {}) == []
    assert len(sla_audit(demo_db, admin)) == before


def test_a_missing_rule_is_created(demo_db, users):
    demo_db.execute("DELETE FROM sla_rules WHERE kind = 'inquiry' AND priority = 'low'")
    changed = sla.set_rules(demo_db, users["district_admin"], {("inquiry", "low"): 600})
    assert changed == [{"kind": "inquiry", "priority": "low", "clock": "first_response", "before": None, "after": 600}]
    assert sla.first_response_minutes(demo_db, "inquiry", "low") == 600
    assert sla.resolution_minutes(demo_db, "inquiry", "low") == sla.DEFAULT_RESOLUTION_MINUTES


@pytest.mark.parametrize("value,stored", [(1, 1), (43200, 43200), (90.0, 90), (" 120 ", 120)])
def test_whole_minutes_in_range_are_accepted(demo_db, users, value, stored):
    sla.set_rules(demo_db, users["district_admin"], {("lead", "normal"): value})
    assert rule(demo_db, "lead", "normal") == stored


@pytest.mark.parametrize("value", [0, -5, 43201, 1.5, "abc", "", None, True, "1e3"])
def test_bad_minutes_are_refused_naming_the_rule(demo_db, users, value):
    with pytest.raises(ValidationError) as info:
        sla.set_rules(demo_db, users["district_admin"], {("complaint", "high"): value})
    assert info.value.key == "rules.error.minutes" and info.value.field == "complaint.high"
    assert info.value.params == {"min": 1, "max": 43200}
    assert rule(demo_db, "complaint", "high") == 120


@pytest.mark.parametrize("pair,key", [
    (("gossip", "urgent"), "tips.error.kind"), (("lead", "whenever"), "tips.error.priority"),
    ("lead.urgent", "tips.error.kind"), (("lead",), "tips.error.kind"),
])
def test_unknown_kind_or_priority_is_refused(demo_db, users, pair, key):
    with pytest.raises(ValidationError) as info:
        sla.set_rules(demo_db, users["district_admin"], {pair: 60})
    assert info.value.key == key
    assert demo_db.execute("SELECT COUNT(*) FROM sla_rules").fetchone()[0] == 16


def test_one_bad_value_saves_nothing(demo_db, users):
    admin = users["district_admin"]
    before = len(sla_audit(demo_db, admin))
    with pytest.raises(ValidationError):
        sla.set_rules(demo_db, admin, {("lead", "urgent"): 15, ("lead", "high"): 45, ("lead", "low"): 0})
    with pytest.raises(ValidationError):
        sla.set_rules(demo_db, admin, {("lead", "urgent"): 15, ("nonsense", "low"): 60})
    assert [rule(demo_db, "lead", p) for p in ("urgent", "high", "low")] == [10, 30, 480]
    assert len(sla_audit(demo_db, admin)) == before


@pytest.mark.parametrize("role", ["clerk", "station_admin"])
def test_only_district_admins_change_rules(demo_db, users, role):
    with pytest.raises(ScopeError):
        sla.set_rules(demo_db, users[role], {("lead", "urgent"): 5})
    assert rule(demo_db, "lead", "urgent") == 10
    with pytest.raises(ScopeError):
        sla.set_rules(demo_db, None, {("lead", "urgent"): 5})


def test_a_change_applies_to_tips_received_afterwards_only(demo_db, users):
    station = users["clerk"].station_id
    old = new_tip(demo_db, station, now=NOW)
    assert old["due_at"] == plus(NOW, 10)
    sla.set_rules(demo_db, users["district_admin"], {("lead", "urgent"): 45})
    assert demo_db.execute("SELECT due_at FROM tips WHERE id = ?", [old["id"]]).fetchone()[0] == plus(NOW, 10)
    later = "2026-11-28T11:00:00Z"
    assert new_tip(demo_db, station, now=later)["due_at"] == plus(later, 45)


# --- the resolution clock -------------------------------------------------------------------------


def test_district_admin_changes_the_resolution_clock_with_one_audit_row_per_pair(demo_db, users):
    admin = users["district_admin"]
    before = len(sla_audit(demo_db, admin))
    changed = sla.set_rules(demo_db, admin, resolution={("lead", "urgent"): 720, ("lead", "high"): 4320,  # same
                                                        ("complaint", "normal"): 5 * 1440})
    assert changed == [
        {"kind": "lead", "priority": "urgent", "clock": "resolution", "before": 1440, "after": 720},
        {"kind": "complaint", "priority": "normal", "clock": "resolution", "before": 10080, "after": 7200}]
    assert resolution_rule(demo_db, "lead", "urgent") == 720 and resolution_rule(demo_db, "complaint", "normal") == 7200
    assert rule(demo_db, "lead", "urgent") == 10  # the first-response clock is left alone
    entries = sla_audit(demo_db, admin)
    assert len(entries) == before + 2
    entry = next(e for e in entries if e["entity_id"] == "lead.urgent")
    assert json.loads(entry["before"]) == {"resolution_minutes": 1440}
    assert json.loads(entry["after"]) == {"resolution_minutes": 720}


def test_both_clocks_of_a_pair_change_in_one_audit_row(demo_db, users):
    admin = users["district_admin"]
    before = len(sla_audit(demo_db, admin))
    changed = sla.set_rules(demo_db, admin, {("request", "urgent"): 30}, resolution={("request", "urgent"): 480})
    assert [(c["clock"], c["before"], c["after"]) for c in changed] == [("first_response", 60, 30),
                                                                        ("resolution", 1440, 480)]
    entries = sla_audit(demo_db, admin)
    assert len(entries) == before + 1
    entry = entries[0]
    assert json.loads(entry["before"]) == {"first_response_minutes": 60, "resolution_minutes": 1440}
    assert json.loads(entry["after"]) == {"first_response_minutes": 30, "resolution_minutes": 480}


def test_a_missing_rule_is_created_by_its_resolution_clock(demo_db, users):
    demo_db.execute("DELETE FROM sla_rules WHERE kind = 'inquiry' AND priority = 'low'")
    changed = sla.set_rules(demo_db, users["district_admin"], resolution={("inquiry", "low"): 2880})
    assert changed == [{"kind": "inquiry", "priority": "low", "clock": "resolution", "before": None, "after": 2880}]
    assert sla.resolution_minutes(demo_db, "inquiry", "low") == 2880
    assert sla.first_response_minutes(demo_db, "inquiry", "low") == sla.DEFAULT_MINUTES


@pytest.mark.parametrize("value,stored", [(1, 1), (43201, 43201), (129600, 129600), (" 2880 ", 2880)])
def test_a_resolution_clock_may_run_up_to_90_days(demo_db, users, value, stored):
    sla.set_rules(demo_db, users["district_admin"], resolution={("lead", "normal"): value})
    assert resolution_rule(demo_db, "lead", "normal") == stored


@pytest.mark.parametrize("value", [0, 129601, 2.5, "一周", None, False])
def test_bad_resolution_minutes_are_refused_naming_the_rule_and_saving_nothing(demo_db, users, value):
    with pytest.raises(ValidationError) as info:
        sla.set_rules(demo_db, users["district_admin"], {("lead", "urgent"): 15},
                      resolution={("complaint", "high"): value})
    assert info.value.key == "rules.error.resolution_minutes" and info.value.field == "complaint.high"
    assert info.value.params == {"min": 1, "max": 129600}
    assert rule(demo_db, "lead", "urgent") == 10 and resolution_rule(demo_db, "complaint", "high") == 4320


def test_only_district_admins_change_the_resolution_clock(demo_db, users):
    with pytest.raises(ScopeError):
        sla.set_rules(demo_db, users["station_admin"], resolution={("lead", "urgent"): 60})
    assert resolution_rule(demo_db, "lead", "urgent") == 1440


def test_a_resolution_change_applies_to_tips_received_afterwards_only(demo_db, users):
    station = users["clerk"].station_id
    old = new_tip(demo_db, station, now=NOW)
    assert old["resolve_due_at"] == plus(NOW, 1440)
    sla.set_rules(demo_db, users["district_admin"], resolution={("lead", "urgent"): 600})
    assert demo_db.execute("SELECT resolve_due_at FROM tips WHERE id = ?", [old["id"]]).fetchone()[0] == plus(NOW, 1440)
    later = "2026-11-28T11:00:00Z"
    assert new_tip(demo_db, station, now=later)["resolve_due_at"] == plus(later, 600)


# --- showing ------------------------------------------------------------------------------


@pytest.mark.parametrize("minutes,lang,text", [
    (10, "zh", "10 分钟"), (60, "zh", "1 小时"), (90, "zh", "1 小时 30 分钟"), (1440, "zh", "1 天"),
    (2 * 1440 + 30, "zh", "2 天 30 分钟"), (43200, "zh", "30 天"), (0, "zh", "0 分钟"),
    (90, "en", "1 h 30 min"), (1500, "en", "1 d 1 h"),
])
def test_minutes_read_as_people_say_them(minutes, lang, text):
    assert sla.format_minutes(minutes, lang) == text
