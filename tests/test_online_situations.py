"""Online situations (网情处置): reporting and its refusals (nothing written), the screenshot's hygiene,
the first-action deadline per severity, the transitions table, the sign-off rule of severe situations,
the rebuttal push (a draft to that one group, linked), optimistic locking, the scope matrix, overdue
counting at an injected time, and a group's history."""

import io
import json
from datetime import timedelta

import pytest
from PIL import Image

from lib.core import auth, clock, files
from lib.core.errors import InvalidState, NotFoundError, ScopeError, ValidationError
from lib.duty import online_situations as situations
from lib.i18n import i18n
from lib.pushes import pushes, targeting
from tests.factories import jpeg

NOW = "2026-11-28T10:00:00Z"
TEXT = "群里有人说三星镇自来水被污染了，让大家赶紧囤水。"


def at(hours: float) -> str:
    """``hours`` after NOW, as a stamp."""
    return clock.stamp(clock.parse(NOW) + timedelta(hours=hours))


@pytest.fixture(autouse=True)
def _uploads(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_UPLOADS", str(tmp_path / "uploads"))


@pytest.fixture
def places(demo_db, users):
    """An active group of the clerk's station (三星) and one of another station. The demo's year of
    situations is cleared: what a test counts is what it logged."""
    demo_db.execute("DELETE FROM online_situations")
    def first_group(station_id):
        return dict(next(demo_db.query("SELECT id, name, station_id FROM chat_groups WHERE station_id = ?"
                                       " AND status = 'active' ORDER BY id LIMIT 1", [station_id])))

    return {"mine": first_group(users["clerk"].station_id), "theirs": first_group(users["other_clerk"].station_id)}


def log(db, user, group_id, *, severity="general", now=NOW, **fields) -> dict:
    values = {"category": "rumour", "posted_text": TEXT, **fields}
    return situations.report(db, user, group_id=group_id, severity=severity, now=now, **values)


def count(db) -> int:
    return db.execute("SELECT COUNT(*) FROM online_situations").fetchone()[0]


def handled(db, user, situation, *, handling="content_removed", now=None) -> dict:
    return situations.move(db, user, situation["id"], situation["version"], "handled", handling=handling,
                           now=now or at(0.5))


# --- the states table and the catalog -----------------------------------------------------------


def test_every_state_has_a_type_and_every_code_both_labels(demo_db):
    types = situations.state_types(demo_db)
    assert set(types) == set(situations.STATES)
    assert {s for s, t in types.items() if t == "closed"} == {"closed"}
    for to, sources in situations.TRANSITIONS.items():
        assert to in types and set(sources) <= set(types)
    tables = ((situations.STATE_KEYS, situations.STATES), (situations.CATEGORY_KEYS, situations.CATEGORIES),
              (situations.SEVERITY_KEYS, situations.SEVERITIES), (situations.HANDLING_KEYS, situations.HANDLINGS))
    for keys, codes in tables:
        assert tuple(keys) == codes
        for key in keys.values():
            assert i18n.t(key, "zh") != key and i18n.t(key, "en") != key
    assert set(situations.FIRST_ACTION_HOURS) == set(situations.SEVERITIES)


def test_the_schema_keeps_the_codes_the_module_knows(demo_db):
    """The table's CHECK constraints and the module's tuples must not drift apart."""
    sql = demo_db.execute("SELECT sql FROM sqlite_master WHERE name = 'online_situations'").fetchone()[0]
    for code in (*situations.CATEGORIES, *situations.SEVERITIES, *situations.HANDLINGS):
        assert f"'{code}'" in sql


# --- reporting ---------------------------------------------------------------------------------


@pytest.mark.parametrize("severity,hours,sign_off", [("general", 24, 0), ("serious", 4, 0), ("severe", 1, 1)])
def test_a_report_takes_its_groups_station_and_the_deadline_of_its_severity(demo_db, users, places, severity,
                                                                          hours, sign_off):
    clerk = users["clerk"]
    made = log(demo_db, clerk, places["mine"]["id"], severity=severity, posted_at="2026-11-28T09:40:00Z")
    assert made["station_id"] == clerk.station_id and made["group_name"] == places["mine"]["name"]
    assert (made["state"], made["is_open"], made["first_action_at"], made["closed_at"]) == ("reported", 1, None, None)
    assert made["created_at"] == NOW and made["first_action_due_at"] == at(hours)
    assert made["needs_sign_off"] == sign_off and made["posted_at"] == "2026-11-28T09:40:00Z"
    assert made["posted_text"] == TEXT and made["reported_by"] == clerk.id and made["version"] == 1
    row = demo_db.execute("SELECT user_id, action, after FROM audit_log WHERE entity = 'online_situations'"
                          " AND entity_id = ?", [str(made["id"])]).fetchone()
    assert row[:2] == (clerk.id, "create") and json.loads(row[2])["severity"] == severity


def test_the_deadlines_are_documented_constants():
    assert situations.FIRST_ACTION_HOURS == {"severe": 1, "serious": 4, "general": 24}
    assert situations.first_action_due(NOW, "severe") == "2026-11-28T11:00:00Z"


@pytest.mark.parametrize("change,field,key", [
    ({"group_id": 99_999_999}, "group_id", "situations.error.group"),
    ({"group_id": "12"}, "group_id", "situations.error.group"),
    ({"category": "gossip"}, "category", "situations.error.category"),
    ({"category": None}, "category", "situations.error.category"),
    ({"severity": "apocalyptic"}, "severity", "situations.error.severity"),
    ({"posted_text": ""}, "posted_text", "situations.error.text_missing"),
    ({"posted_text": " \n\t "}, "posted_text", "situations.error.text_missing"),
    ({"posted_text": "谣" * 2001}, "posted_text", "situations.error.text_long"),
    ({"posted_at": at(0.1)}, "posted_at", "situations.error.posted_at_future"),
    ({"posted_at": "昨天晚上"}, "posted_at", "situations.error.posted_at"),
    ({"screenshot": b"%PDF-1.4 not an image"}, "screenshot", "files.error.not_image"),
    ({"screenshot": b"\xff\xd8" + b"0" * (files.MAX_UPLOAD_BYTES + 1)}, "screenshot", "files.error.too_large"),
])
def test_bad_input_is_refused_by_field_and_nothing_is_written(demo_db, users, places, change, field, key):
    values = {"group_id": places["mine"]["id"], "category": "rumour", "severity": "general", "posted_text": TEXT,
              **change}
    before, files_before = count(demo_db), demo_db["files"].count
    with pytest.raises(situations.SituationErrors) as refused:
        situations.report(demo_db, users["clerk"], now=NOW, **values)
    assert refused.value.errors[field][0] == key
    assert i18n.t(key, "zh", **refused.value.errors[field][1]) != key  # a message in the catalog
    assert count(demo_db) == before and demo_db["files"].count == files_before


def test_every_refused_field_is_reported_at_once(demo_db, users):
    with pytest.raises(situations.SituationErrors) as refused:
        situations.report(demo_db, users["clerk"], group_id=None, category="", severity="", posted_text="",
                          screenshot=b"junk", now=NOW)
    assert set(refused.value.errors) == {"group_id", "category", "severity", "posted_text", "screenshot"}
    assert isinstance(refused.value, ValidationError)


def test_text_is_kept_at_the_limit_and_cleaned(demo_db, users, places):
    made = log(demo_db, users["clerk"], places["mine"]["id"], posted_text="谣" * 2000)
    assert len(made["posted_text"]) == situations.TEXT_MAX
    made = log(demo_db, users["clerk"], places["mine"]["id"], posted_text="  <b>囤水</b>\x07 快  ")
    assert made["posted_text"] == "<b>囤水</b> 快"  # control characters out; shown as text, never as HTML


def test_a_clerk_cannot_log_for_another_stations_group(demo_db, users, places):
    with pytest.raises(situations.SituationErrors) as refused:
        log(demo_db, users["clerk"], places["theirs"]["id"])
    assert refused.value.errors["group_id"][0] == "situations.error.group"  # as unknown: ids are not probed
    made = log(demo_db, users["district_admin"], places["theirs"]["id"])
    assert made["station_id"] == places["theirs"]["station_id"]


def test_the_screenshot_is_reencoded_without_its_exif(demo_db, users, places):
    original = jpeg(gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825)
    made = log(demo_db, users["clerk"], places["mine"]["id"], screenshot=original)
    data, mime = situations.screenshot(demo_db, users["clerk"], made["id"])
    assert mime == "image/jpeg" and data != original
    stored = Image.open(io.BytesIO(data))
    assert stored.size == (300, 200) and not stored.getexif()
    with pytest.raises(NotFoundError):
        situations.screenshot(demo_db, users["other_clerk"], made["id"])
    assert situations.screenshot(demo_db, users["clerk"], log(demo_db, users["clerk"], places["mine"]["id"])["id"]) \
        is None


# --- moves ---------------------------------------------------------------------------------------


def test_the_handling_workflow_sets_the_times_the_checklist_reads(demo_db, users, places):
    clerk = users["clerk"]
    made = log(demo_db, clerk, places["mine"]["id"], severity="serious")
    verifying = situations.move(demo_db, clerk, made["id"], made["version"], "verifying", note="已联系群主核实",
                                now=at(1))
    assert (verifying["state"], verifying["first_action_at"], verifying["is_open"]) == ("verifying", at(1), 1)
    done = situations.move(demo_db, clerk, made["id"], verifying["version"], "handled", handling="rebuttal",
                           note="已在群内发布辟谣说明", now=at(2))
    assert (done["state"], done["handling"], done["handling_note"]) == ("handled", "rebuttal", "已在群内发布辟谣说明")
    assert done["first_action_at"] == at(1) and done["handled_at"] is not None  # the first action stays the first
    closed = situations.move(demo_db, clerk, made["id"], done["version"], "closed", now=at(3))
    assert (closed["state"], closed["is_open"], closed["closed_at"]) == ("closed", 0, at(3))
    assert situations.allowed_moves(closed) == [] and not situations.is_open(closed)
    actions = [json.loads(r[0]) for r in demo_db.execute(
        "SELECT after FROM audit_log WHERE entity = 'online_situations' AND entity_id = ? AND action = 'move'"
        " ORDER BY id", [str(made["id"])])]
    assert [a["state"] for a in actions] == ["verifying", "handled", "closed"]
    assert actions[0]["note"] == "已联系群主核实"


def test_handling_at_once_is_the_first_action(demo_db, users, places):
    made = log(demo_db, users["clerk"], places["mine"]["id"])
    assert situations.allowed_moves(made) == ["verifying", "handled"]
    done = handled(demo_db, users["clerk"], made, now=at(30))
    assert done["first_action_at"] == at(30) and done["state"] == "handled"


@pytest.mark.parametrize("path,to", [
    ((), "closed"), (("verifying",), "verifying"), (("handled",), "verifying"), (("handled",), "handled"),
    (("handled", "closed"), "handled"), (("handled", "closed"), "closed"),
])
def test_a_move_the_transitions_do_not_allow_is_refused(demo_db, users, places, path, to):
    clerk = users["clerk"]
    s = log(demo_db, clerk, places["mine"]["id"])
    for step in path:
        s = situations.move(demo_db, clerk, s["id"], s["version"], step, handling="referred", now=at(1))
    with pytest.raises(situations.InvalidTransition) as refused:
        situations.move(demo_db, clerk, s["id"], s["version"], to, handling="referred", now=at(2))
    assert refused.value.key == "situations.error.transition"
    assert "不能改为" in i18n.error_text(refused.value, "zh")
    assert situations.get_situation(demo_db, clerk, s["id"])["version"] == s["version"]


@pytest.mark.parametrize("to", ["reported", "deleted", None])
def test_an_unknown_target_state_is_refused(demo_db, users, places, to):
    s = log(demo_db, users["clerk"], places["mine"]["id"])
    with pytest.raises(situations.InvalidTransition):
        situations.move(demo_db, users["clerk"], s["id"], s["version"], to)


@pytest.mark.parametrize("handling", [None, "", "shout_at_them"])
def test_handled_needs_a_known_handling(demo_db, users, places, handling):
    s = log(demo_db, users["clerk"], places["mine"]["id"])
    with pytest.raises(ValidationError) as refused:
        situations.move(demo_db, users["clerk"], s["id"], s["version"], "handled", handling=handling)
    assert (refused.value.key, refused.value.field) == ("situations.error.handling", "handling")
    assert situations.get_situation(demo_db, users["clerk"], s["id"])["state"] == "reported"


def test_a_long_note_is_refused(demo_db, users, places):
    s = log(demo_db, users["clerk"], places["mine"]["id"])
    with pytest.raises(ValidationError) as refused:
        situations.move(demo_db, users["clerk"], s["id"], s["version"], "verifying", note="说" * 501)
    assert refused.value.key == "situations.error.note_long"


def test_a_stale_version_is_refused_and_nothing_changes(demo_db, users, places):
    clerk, admin = users["clerk"], users["station_admin"]
    s = log(demo_db, clerk, places["mine"]["id"], severity="severe")
    situations.move(demo_db, admin, s["id"], s["version"], "verifying", now=at(0.2))  # someone else, meanwhile
    audits = demo_db["audit_log"].count
    with pytest.raises(situations.StaleEdit):
        situations.move(demo_db, clerk, s["id"], s["version"], "handled", handling="content_removed")
    with pytest.raises(situations.StaleEdit):
        situations.start_rebuttal(demo_db, clerk, s["id"], s["version"])
    now = situations.get_situation(demo_db, clerk, s["id"])
    assert (now["state"], now["version"], now["rebuttal_push_id"]) == ("verifying", 2, None)
    assert demo_db["audit_log"].count == audits
    done = handled(demo_db, clerk, now)
    with pytest.raises(situations.StaleEdit):
        situations.sign_off(demo_db, admin, s["id"], now["version"])
    assert situations.sign_off(demo_db, admin, s["id"], done["version"])["signed_off_by"] == admin.id


# --- sign-off -----------------------------------------------------------------------------------


def test_a_severe_situation_is_closed_only_after_an_admins_sign_off(demo_db, users, places):
    clerk, admin = users["clerk"], users["station_admin"]
    s = log(demo_db, clerk, places["mine"]["id"], severity="severe")
    with pytest.raises(InvalidState) as early:
        situations.sign_off(demo_db, admin, s["id"], s["version"])
    assert early.value.key == "situations.error.sign_off_state"  # handled first
    s = handled(demo_db, clerk, s)
    assert situations.needs_sign_off(s) and not situations.can_sign_off(clerk, s) and situations.can_sign_off(admin, s)
    assert situations.counts(demo_db, admin, at(0.6))["awaiting_sign_off"] == 1
    with pytest.raises(InvalidState) as refused:
        situations.move(demo_db, clerk, s["id"], s["version"], "closed", now=at(1))
    assert refused.value.key == "situations.error.needs_sign_off"
    assert "审核签字" in i18n.error_text(refused.value, "zh") and "signed" in i18n.error_text(refused.value, "en")
    with pytest.raises(ScopeError) as not_admin:
        situations.sign_off(demo_db, clerk, s["id"], s["version"])
    assert not_admin.value.key == "situations.error.sign_off_role"
    signed = situations.sign_off(demo_db, admin, s["id"], s["version"], now=at(0.8))
    assert (signed["signed_off_by"], signed["signed_off_at"], signed["signer_name"]) == (admin.id, at(0.8), admin.name)
    assert demo_db.execute("SELECT user_id FROM audit_log WHERE entity = 'online_situations' AND entity_id = ?"
                           " AND action = 'sign_off'", [str(s["id"])]).fetchone()[0] == admin.id
    assert situations.counts(demo_db, admin, at(0.9))["awaiting_sign_off"] == 0
    with pytest.raises(InvalidState):
        situations.sign_off(demo_db, admin, s["id"], signed["version"])  # once
    closed = situations.move(demo_db, clerk, s["id"], signed["version"], "closed", now=at(1))
    assert closed["state"] == "closed"


def test_the_district_admin_may_sign_off_and_other_stations_may_not(demo_db, users, places):
    s = handled(demo_db, users["clerk"], log(demo_db, users["clerk"], places["mine"]["id"], severity="severe"))
    other_admin = auth.get_user_by_id(demo_db, auth.create_user(
        demo_db, None, username="otheradmin", name="他所所长", role="station_admin",
        unit_id=users["other_clerk"].station_id, password=None))
    with pytest.raises(NotFoundError):
        situations.sign_off(demo_db, other_admin, s["id"], s["version"])
    assert situations.sign_off(demo_db, users["district_admin"], s["id"], s["version"])["signed_off_at"]


def test_other_severities_need_no_sign_off(demo_db, users, places):
    s = handled(demo_db, users["clerk"], log(demo_db, users["clerk"], places["mine"]["id"], severity="serious"))
    with pytest.raises(InvalidState) as refused:
        situations.sign_off(demo_db, users["station_admin"], s["id"], s["version"])
    assert refused.value.key == "situations.error.sign_off_none"
    assert situations.move(demo_db, users["clerk"], s["id"], s["version"], "closed")["state"] == "closed"


# --- the rebuttal push --------------------------------------------------------------------------


def test_a_rebuttal_is_a_draft_to_that_group_only_and_is_linked(demo_db, users, places):
    clerk, group = users["clerk"], places["mine"]
    s = log(demo_db, clerk, group["id"], severity="serious")
    push = situations.start_rebuttal(demo_db, clerk, s["id"], s["version"])
    assert (push["state"], push["category"], push["station_id"], push["created_by"]) == (
        "draft", "police_bulletin", clerk.station_id, clerk.id)
    assert push["targeting"]["group_ids"] == [group["id"]] and push["targeting"]["use_filter"] is False
    target = targeting.Target.from_dict(push["targeting"])
    assert [g["id"] for g in targeting.resolve(demo_db, clerk, target, push["station_id"])] == [group["id"]]
    assert push["groups_targeted"] == 1
    assert "辟谣" in push["title"] and group["name"] in push["body"] and "请在此填写" in push["body"]
    assert TEXT not in push["title"] + push["body"] and "囤水" not in push["body"]  # never the harmful post
    assert len(push["title"]) <= pushes.push_message.TITLE_MAX
    now = situations.get_situation(demo_db, clerk, s["id"])
    assert (now["rebuttal_push_id"], now["version"]) == (push["id"], 2)
    with pytest.raises(InvalidState) as again:
        situations.start_rebuttal(demo_db, clerk, s["id"], now["version"])
    assert (again.value.key, again.value.params) == ("situations.error.rebuttal_exists", {"id": push["id"]})
    pushes.withdraw(demo_db, clerk, push["id"], push["version"], "重新起草")
    second = situations.start_rebuttal(demo_db, clerk, s["id"], now["version"])  # the first one is withdrawn
    assert second["id"] != push["id"]


def test_the_district_admin_drafts_a_district_rebuttal_to_the_group(demo_db, users, places):
    group = places["theirs"]
    s = log(demo_db, users["district_admin"], group["id"])
    push = situations.start_rebuttal(demo_db, users["district_admin"], s["id"], s["version"])
    assert push["station_id"] is None and push["groups_targeted"] == 1
    assert push["targeting"]["group_ids"] == [group["id"]]


def test_a_closed_situation_gets_no_rebuttal(demo_db, users, places):
    s = handled(demo_db, users["clerk"], log(demo_db, users["clerk"], places["mine"]["id"]))
    s = situations.move(demo_db, users["clerk"], s["id"], s["version"], "closed")
    with pytest.raises(InvalidState) as refused:
        situations.start_rebuttal(demo_db, users["clerk"], s["id"], s["version"])
    assert refused.value.key == "situations.error.closed"


def test_a_long_group_name_gets_the_short_title():
    title, body = situations.rebuttal_text({"group_name": "三星镇" * 12 + "群", "station_name": "三星派出所"})
    assert title == situations.REBUTTAL_TITLE_SHORT and "三星派出所" in body


# --- scope --------------------------------------------------------------------------------------


def test_a_clerk_of_another_station_sees_nothing_and_changes_nothing(demo_db, users, places):
    clerk, other = users["clerk"], users["other_clerk"]
    s = log(demo_db, clerk, places["mine"]["id"], severity="severe")
    for call in (lambda: situations.get_situation(demo_db, other, s["id"]),
                 lambda: situations.move(demo_db, other, s["id"], s["version"], "verifying"),
                 lambda: situations.start_rebuttal(demo_db, other, s["id"], s["version"]),
                 lambda: situations.list_for_group(demo_db, other, places["mine"]["id"])):
        with pytest.raises(NotFoundError):
            call()
    assert situations.list_situations(demo_db, other, now=at(5)).total == 0
    assert situations.counts(demo_db, other, at(5)) == {"open": 0, "overdue": 0, "awaiting_sign_off": 0}
    with pytest.raises(ScopeError):
        situations.list_situations(demo_db, other, station_id=clerk.station_id)
    assert situations.group_choices(demo_db, other) and all(
        g["id"] != places["mine"]["id"] for g in situations.group_choices(demo_db, other))
    with pytest.raises(ScopeError):
        situations.group_choices(demo_db, other, clerk.station_id)
    assert situations.get_situation(demo_db, clerk, s["id"])["state"] == "reported"


def test_the_district_admin_sees_every_station_and_filters_by_one(demo_db, users, places):
    mine = log(demo_db, users["clerk"], places["mine"]["id"])
    theirs = log(demo_db, users["district_admin"], places["theirs"]["id"])
    district = users["district_admin"]
    assert {r["id"] for r in situations.list_situations(demo_db, district).rows} == {mine["id"], theirs["id"]}
    only = situations.list_situations(demo_db, district, station_id=places["theirs"]["station_id"])
    assert [r["id"] for r in only.rows] == [theirs["id"]]
    assert [r["id"] for r in situations.list_situations(demo_db, users["clerk"]).rows] == [mine["id"]]
    assert situations.group_choices(demo_db, district) == []  # a station first
    assert situations.group_choices(demo_db, district, places["theirs"]["station_id"])


# --- overdue and the lists -----------------------------------------------------------------------


def test_overdue_first_actions_are_counted_at_the_time_given(demo_db, users, places):
    clerk, gid = users["clerk"], places["mine"]["id"]
    made = {sev: log(demo_db, clerk, gid, severity=sev) for sev in situations.SEVERITIES}
    assert situations.counts(demo_db, clerk, at(0.5)) == {"open": 3, "overdue": 0, "awaiting_sign_off": 0}
    assert situations.counts(demo_db, clerk, at(1.5))["overdue"] == 1
    assert situations.counts(demo_db, clerk, at(5))["overdue"] == 2
    assert situations.counts(demo_db, clerk, at(25))["overdue"] == 3
    late = situations.list_situations(demo_db, clerk, overdue=True, now=at(5))
    assert {r["id"] for r in late.rows} == {made["severe"]["id"], made["serious"]["id"]}
    assert all(r["is_overdue"] for r in late.rows)
    assert situations.get_situation(demo_db, clerk, made["severe"]["id"], now=at(5))["is_overdue"]
    assert situations.is_overdue(made["severe"], at(5)) and not situations.is_overdue(made["general"], at(5))
    # an action, even a late one, stops the clock
    situations.move(demo_db, clerk, made["severe"]["id"], 1, "verifying", now=at(3))
    assert situations.counts(demo_db, clerk, at(5))["overdue"] == 1
    assert situations.counts(demo_db, clerk, at(25)) == {"open": 3, "overdue": 2, "awaiting_sign_off": 0}


def test_the_list_puts_waiting_situations_first_and_pages(demo_db, users, places):
    clerk, gid = users["clerk"], places["mine"]["id"]
    first = log(demo_db, clerk, gid, now=at(0))
    second = log(demo_db, clerk, gid, now=at(1), severity="severe")  # due at(2): before the first's at(24)
    acted = handled(demo_db, clerk, log(demo_db, clerk, gid, now=at(2)), now=at(2.5))
    rows = situations.list_situations(demo_db, clerk, now=at(3)).rows
    assert [r["id"] for r in rows] == [second["id"], first["id"], acted["id"]]
    page = situations.list_situations(demo_db, clerk, page=2, page_size=2, now=at(3))
    assert (page.total, page.pages, [r["id"] for r in page.rows]) == (3, 2, [acted["id"]])
    assert [r["id"] for r in situations.list_situations(demo_db, clerk, state="handled").rows] == [acted["id"]]
    with pytest.raises(ValidationError):
        situations.list_situations(demo_db, clerk, state="lost")


def test_a_groups_history_lists_its_situations_newest_first(demo_db, users, places):
    clerk, gid = users["clerk"], places["mine"]["id"]
    older = log(demo_db, clerk, gid, now=at(0))
    newer = log(demo_db, clerk, gid, now=at(1), category="conflict")
    log(demo_db, users["district_admin"], places["theirs"]["id"])
    rows = situations.list_for_group(demo_db, clerk, gid)
    assert [(r["id"], r["category"]) for r in rows] == [(newer["id"], "conflict"), (older["id"], "rumour")]
    with pytest.raises(NotFoundError):
        situations.list_for_group(demo_db, clerk, 99_999_999)
