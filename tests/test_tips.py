"""Tips core: intake validation, routing, tracking codes, SLA, the transitions table, scope,
optimistic locking, contact privacy, the public tracker."""

import io

import pytest
from PIL import Image

from lib.core.errors import NotFoundError, ScopeError, ValidationError
from lib.tips import tips, triage_queue
from tests.factories import grid_center, jpeg, make_tip, sent_appeal, station_grid, tip_input

NOW = "2026-11-28T10:00:00Z"


def test_a_tip_by_its_grid_goes_to_that_station(demo_db, users):
    made = make_tip(demo_db, station=users["clerk"], kind="lead", now=NOW)
    assert made["station_id"] == users["clerk"].station_id
    assert len(made["tracking_code"]) == tips.TRACKING_LENGTH
    assert set(made["tracking_code"]) <= set(tips.TRACKING_ALPHABET)


def test_a_tip_by_coordinates_is_routed_by_point_in_polygon(demo_db, users):
    grid_id = station_grid(demo_db, users["clerk"])
    lat, lon = grid_center(demo_db, grid_id)
    made = make_tip(demo_db, kind="lead", lat=lat + 0.0001, lon=lon - 0.0001, now=NOW)
    tip = tips.get_tip(demo_db, users["clerk"], made["id"])
    assert tip["grid_id"] == grid_id and tip["station_id"] == users["clerk"].station_id


def test_an_unplaced_tip_goes_to_the_district_center(demo_db, users):
    made = make_tip(demo_db, kind="lead", lat=0.0, lon=0.0, now=NOW)
    assert made["station_id"] is None
    assert tips.get_tip(demo_db, users["district_admin"], made["id"])
    with pytest.raises(NotFoundError):
        tips.get_tip(demo_db, users["clerk"], made["id"])


@pytest.mark.parametrize("over,field", [
    ({"kind": "gossip"}, "kind"), ({"description": "短"}, "description"),
    ({"description": "长" * 2001}, "description"), ({"location_text": "地" * 121}, "location_text"),
    ({"grid_id": 99_999_999}, "grid_id"), ({"lat": 31.9}, "lat"), ({"lat": 91.0, "lon": 121.0}, "lat"),
    ({"happened_at": "昨天晚上"}, "happened_at"), ({"is_anonymous": False}, "contact_phone"),
    ({"is_anonymous": False, "contact_phone": "12345"}, "contact_phone"), ({"rating": 6}, "rating"),
    ({"consent": False}, "consent"), ({"photos": (b"x",) * 6}, "photos"),
])
def test_each_limit_is_refused_by_field(demo_db, over, field):
    before = demo_db.execute("SELECT COUNT(*) FROM tips").fetchone()[0]
    with pytest.raises(tips.TipErrors) as info:
        tips.create_tip(demo_db, tip_input(**{"kind": "lead", **over}), now=NOW)
    assert field in info.value.errors
    assert demo_db.execute("SELECT COUNT(*) FROM tips").fetchone()[0] == before


def test_a_non_image_photo_refuses_the_whole_tip(demo_db):
    before = demo_db.execute("SELECT COUNT(*) FROM tips").fetchone()[0]
    with pytest.raises(ValidationError):
        tips.create_tip(demo_db, tip_input("lead", photos=(jpeg(gps=True), b"%PDF-1.4 not an image")), now=NOW)
    assert demo_db.execute("SELECT COUNT(*) FROM tips").fetchone()[0] == before


def test_photos_are_stored_without_gps(demo_db, users):
    from lib.core import files

    made = make_tip(demo_db, station=users["clerk"], kind="lead", photos=(jpeg(gps=True),), now=NOW)
    file_id = demo_db.execute("SELECT file_id FROM tip_photos WHERE tip_id = ?", [made["id"]]).fetchone()[0]
    data, _ = files.read_file(demo_db, users["clerk"], file_id)
    assert not Image.open(io.BytesIO(data)).getexif()


@pytest.mark.parametrize("kind,priority,minutes", [("lead", "urgent", 10), ("request", "normal", 1440),
                                                   ("complaint", "high", 120)])
def test_sla_due_time_from_kind_and_priority(demo_db, kind, priority, minutes):
    from datetime import datetime, timedelta

    due = tips.due_at(demo_db, kind, priority, NOW)
    start = datetime.strptime(NOW, "%Y-%m-%dT%H:%M:%SZ")
    assert datetime.strptime(due, "%Y-%m-%dT%H:%M:%SZ") - start == timedelta(minutes=minutes)


def test_sla_rules_are_configurable(demo_db):
    demo_db.execute("UPDATE sla_rules SET first_response_minutes = 5 WHERE kind = 'lead' AND priority = 'urgent'")
    assert tips.due_at(demo_db, "lead", "urgent", NOW) == "2026-11-28T10:05:00Z"


def test_overdue_tips_are_counted(demo_db, users):
    make_tip(demo_db, station=users["clerk"], kind="lead", priority="urgent", now="2026-11-28T09:00:00Z")
    counts = triage_queue.queue_counts(demo_db, users["clerk"], now="2026-11-28T09:30:00Z")
    assert counts["overdue"] == 1 and counts["total"] == 1


def test_queue_puts_urgent_first_then_earliest_due(demo_db, users):
    clerk = users["clerk"]
    low = make_tip(demo_db, station=clerk, kind="request", priority="low", now=NOW)
    urgent = make_tip(demo_db, station=clerk, kind="lead", priority="urgent", now=NOW)
    normal = make_tip(demo_db, station=clerk, kind="inquiry", now=NOW)
    order = [t["id"] for t in triage_queue.queue(demo_db, clerk)]
    assert order == [urgent["id"], normal["id"], low["id"]]
    assert triage_queue.queue(demo_db, users["other_clerk"]) == []


@pytest.mark.parametrize("state,action,ok", [
    ("new", "triage", True), ("new", "close", False), ("triaged", "start", False), ("assigned", "start", True),
    ("in_progress", "resolve", True), ("resolved", "close", True), ("closed", "triage", False),
    ("closed", "reopen", True), ("duplicate", "resolve", False), ("rejected", "reopen", True),
    ("referred", "assign", False),
])
def test_transitions_table(demo_db, users, state, action, ok):
    made = make_tip(demo_db, station=users["clerk"], kind="lead", now=NOW)
    demo_db.execute("UPDATE tips SET state = ?, is_open = ? WHERE id = ?",
                    [state, int(state in ("new", "triaged", "assigned", "in_progress")), made["id"]])
    tip = tips.get_tip(demo_db, users["clerk"], made["id"])
    if ok:
        moved = tips.move(demo_db, users["clerk"], tip["id"], tip["version"], action, reason="核实")
        assert moved["state"] == tips.TRANSITIONS[action][1]
    else:
        with pytest.raises(tips.InvalidTransition):
            tips.move(demo_db, users["clerk"], tip["id"], tip["version"], action, reason="核实")


def test_full_journey_with_assignment_and_public_reply(demo_db, users):
    clerk = users["clerk"]
    made = make_tip(demo_db, station=clerk, kind="lead", now=NOW)
    tip = tips.get_tip(demo_db, clerk, made["id"])
    tip = tips.move(demo_db, clerk, tip["id"], tip["version"], "triage")
    tip = tips.move(demo_db, clerk, tip["id"], tip["version"], "assign", assignee_user_id=clerk.id)
    tips.add_note(demo_db, clerk, tip["id"], "内部：已调取监控", public=False)
    tips.add_note(demo_db, clerk, tip["id"], "感谢您的线索，民警已在核实。", public=True)
    view = tips.track(demo_db, made["tracking_code"].lower())
    assert view["state"] == "assigned" and [r["text"] for r in view["replies"]] == ["感谢您的线索，民警已在核实。"]
    assert "内部" not in str(view) and "assignee" not in str(view)
    assert tips.track(demo_db, "AAAAA-AAAAA") is None
    assert tips.track(demo_db, "") is None


def test_assign_only_to_an_officer_of_the_station(demo_db, users):
    made = make_tip(demo_db, station=users["clerk"], kind="lead", now=NOW)
    tip = tips.get_tip(demo_db, users["clerk"], made["id"])
    with pytest.raises(ValidationError):
        tips.move(demo_db, users["clerk"], tip["id"], tip["version"], "assign",
                  assignee_user_id=users["other_clerk"].id)


def test_stale_edits_are_refused(demo_db, users):
    made = make_tip(demo_db, station=users["clerk"], kind="lead", now=NOW)
    tip = tips.get_tip(demo_db, users["clerk"], made["id"])
    tips.move(demo_db, users["station_admin"], tip["id"], tip["version"], "triage")
    with pytest.raises(tips.StaleEdit):
        tips.move(demo_db, users["clerk"], tip["id"], tip["version"], "reject", reason="重复")


def test_contact_is_for_the_assignee_and_admins_and_every_view_is_audited(demo_db, users):
    clerk, admin = users["clerk"], users["station_admin"]
    made = make_tip(demo_db, station=clerk, kind="lead", is_anonymous=False, contact_name="王先生",
                    contact_phone="139 1234 5678", now=NOW)
    with pytest.raises(ScopeError):
        tips.contact_of(demo_db, clerk, made["id"])
    assert tips.contact_of(demo_db, admin, made["id"])["contact_phone"] == "13912345678"
    tip = tips.get_tip(demo_db, admin, made["id"])
    tips.move(demo_db, admin, tip["id"], tip["version"], "assign", assignee_user_id=clerk.id)
    assert tips.contact_of(demo_db, clerk, made["id"])["contact_name"] == "王先生"
    views = demo_db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'view_contact' AND entity_id = ?",
                            [str(made["id"])]).fetchone()[0]
    assert views == 2
    assert "contact_phone" not in tips.get_tip(demo_db, clerk, made["id"])


def test_reroute_is_audited_and_moves_the_tip(demo_db, users):
    made = make_tip(demo_db, station=users["clerk"], kind="lead", now=NOW)
    tip = tips.get_tip(demo_db, users["district_admin"], made["id"])
    other = users["other_clerk"].station_id
    tips.reroute(demo_db, users["district_admin"], tip["id"], tip["version"], other, "发生地属他所辖区")
    assert tips.get_tip(demo_db, users["other_clerk"], made["id"])["station_id"] == other
    with pytest.raises(NotFoundError):
        tips.get_tip(demo_db, users["clerk"], made["id"])


def test_tip_from_a_push_qr_is_linked(demo_db, users):
    from lib.pushes import pushes

    push = sent_appeal(demo_db, users["clerk"], users["station_admin"])
    made = make_tip(demo_db, kind="lead", push_id=push["id"], channel="qr", rating=5, now=NOW)
    assert demo_db.execute("SELECT push_id, rating FROM tips WHERE id = ?", [made["id"]]).fetchone() == (push["id"], 5)
    draft = pushes.new_draft(demo_db, users["clerk"], "news")
    unlinked = make_tip(demo_db, kind="lead", push_id=draft["id"], now=NOW)
    assert demo_db.execute("SELECT push_id FROM tips WHERE id = ?", [unlinked["id"]]).fetchone()[0] is None


def test_intake_writes_the_tip_and_its_audit_row_and_history_starts_with_its_arrival(demo_db, users):
    before = {t: demo_db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("tips", "tip_events", "audit_log")}
    made = tips.create_tip(demo_db, tip_input("lead", channel="qr"), now=NOW)
    after = {t: demo_db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in before}
    assert {t: after[t] - before[t] for t in before} == {"tips": 1, "tip_events": 0, "audit_log": 1}
    history = tips.events(demo_db, users["district_admin"], made["id"])
    assert [e["kind"] for e in history] == ["created"]
    assert history[0]["at"] == NOW and '"qr"' in history[0]["data"] and history[0]["user_name"] is None


def test_history_of_a_staff_logged_tip_names_who_logged_it(demo_db, users):
    clerk = users["clerk"]
    made = make_tip(demo_db, station=clerk, kind="lead", channel="phone", user=clerk, now=NOW)
    tips.add_note(demo_db, clerk, made["id"], "已电话回访", public=False)
    history = tips.events(demo_db, clerk, made["id"])
    assert [e["kind"] for e in history] == ["created", "note"]
    assert history[0]["user_name"] == clerk.name


def test_a_tracking_code_collision_is_retried_not_lost(demo_db, monkeypatch):
    first = make_tip(demo_db, kind="lead", now=NOW)["tracking_code"]
    codes = iter([first, "ABCDEFGHJK"])
    monkeypatch.setattr(tips, "new_tracking_code", lambda: next(codes))
    again = tips.create_tip(demo_db, tip_input("lead"), now=NOW)
    assert again["tracking_code"] == "ABCDEFGHJK"
    assert demo_db.execute("SELECT COUNT(*) FROM tips WHERE tracking_code = ?", [first]).fetchone()[0] == 1


def test_tracking_codes_use_every_letter_of_the_alphabet_and_only_those():
    seen = "".join(tips.new_tracking_code() for _ in range(400))
    assert set(seen) == set(tips.TRACKING_ALPHABET)
    assert all(len(tips.new_tracking_code()) == tips.TRACKING_LENGTH for _ in range(50))


def test_a_station_admin_sends_on_a_tip_that_is_not_theirs_or_back_to_the_center(demo_db, users):
    admin, clerk, other = users["station_admin"], users["clerk"], users["other_clerk"]
    made = make_tip(demo_db, station=clerk, kind="lead", now=NOW)
    tip = tips.get_tip(demo_db, admin, made["id"])
    targets = tips.reroute_targets(demo_db, admin, tip)
    assert None in targets and other.station_id in targets and admin.station_id not in targets
    assert tips.reroute_targets(demo_db, clerk, tip) == {}
    with pytest.raises(ScopeError):
        tips.reroute(demo_db, clerk, tip["id"], tip["version"], other.station_id, "不属本所")
    with pytest.raises(ValidationError):
        tips.reroute(demo_db, admin, tip["id"], tip["version"], admin.station_id, "原地不动")
    moved = tips.reroute(demo_db, admin, tip["id"], tip["version"], None, "辖区不明，请中心分派")
    assert moved["station_id"] is None and moved["assignee_user_id"] is None
    with pytest.raises(NotFoundError):  # out of the admin's scope now
        tips.get_tip(demo_db, admin, made["id"])
    route = [e for e in tips.events(demo_db, users["district_admin"], made["id"]) if e["kind"] == "route"]
    assert route[0]["text"] == "辖区不明，请中心分派" and route[0]["user_id"] == admin.id
    assert demo_db.execute("SELECT COUNT(*) FROM audit_log WHERE entity = 'tips' AND entity_id = ? AND"
                           " action = 'reroute'", [str(made["id"])]).fetchone()[0] == 1


def test_what_runs_with_the_tip_commits_or_rolls_back_with_it(demo_db):
    before = demo_db.execute("SELECT COUNT(*) FROM tips").fetchone()[0]

    def count_fails():
        demo_db.execute("INSERT INTO intake_events (key, at) VALUES ('tip:client:x', ?)", [NOW])
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        tips.create_tip(demo_db, tip_input("lead"), now=NOW, on_write=count_fails)
    assert demo_db.execute("SELECT COUNT(*) FROM tips").fetchone()[0] == before
    assert demo_db.execute("SELECT COUNT(*) FROM intake_events WHERE key = 'tip:client:x'").fetchone()[0] == 0
