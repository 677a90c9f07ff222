"""Station scope of every tip and mediation write (and the reads they rest on), role × function.

The record is always of the demo's own station (三星派出所, the station of ``clerk`` and ``station``).
A clerk and a station admin of ANOTHER station get "not found" (ids cannot be probed) — or, where
the caller names a station, "not allowed" — and nothing changes in the database: the tips, their
history and photos, the mediation tables, the notices and the audit log are compared before and
after. The own station's staff and the district admin succeed where their role allows, and the
effect is checked in the database; a role of the own station that may not (a clerk rerouting, a
clerk reading an unassigned sender's contact) gets "not allowed", again with nothing changed.

Then stored files (:func:`lib.core.files.read_file`): who may read a tip's photo, a push's photo,
and what a visitor of the public form may read.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections.abc import Callable

import pytest
from PIL import Image

from lib.core import auth, files
from lib.core.errors import NotFoundError, ScopeError, ValidationError
from lib.grids import public_grids
from lib.mediation import mediation
from lib.pushes import appeals, pushes
from lib.pushes.targeting import Target
from lib.tips import experts, tip_actions, tip_duplicates, tips, triage_queue
from lib.tips.tips import TipInput

OWN_ROLES = ("district_admin", "station_admin", "clerk")
OTHERS = ("other_clerk", "other_admin")
ACTORS = OWN_ROLES + OTHERS
PHONE = "13800138000"


def image(color) -> bytes:
    """A JPEG of one colour: a colour per test image keeps their stored files apart (files are
    stored once by content)."""
    out = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(out, "JPEG")
    return out.getvalue()


@dataclasses.dataclass
class World:
    own: int
    other: int
    tip: int
    tip2: int
    unrouted: int
    tip_file: int
    unrouted_file: int
    case: int
    party: int
    session: int
    expert: int
    station_admin_id: int
    clerk_id: int


@pytest.fixture
def actors(demo_db, users) -> dict[str, auth.User]:
    """The demo users, the other station's clerk (conftest), and an admin of that other station."""
    other = users["other_clerk"].station_id
    made = auth.create_user(demo_db, None, username="other_admin", name="他所所长", role="station_admin",
                            unit_id=other, password=None)  # a record without a login: its id
    other_admin = auth.get_user_by_id(demo_db, made)
    assert other_admin.role == "station_admin" and other_admin.station_id == other
    return {**users, "other_admin": other_admin, "anonymous": None}


def _beijing(days: int) -> str:
    moment = dt.datetime.now(dt.UTC) + dt.timedelta(days=days)
    return moment.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d 15:00")


@pytest.fixture
def world(demo_db, actors) -> World:
    clerk = actors["clerk"]
    own, other = clerk.station_id, actors["other_clerk"].station_id
    assert own != other
    grid = demo_db.execute("SELECT id FROM grids WHERE station_id = ? AND geometry IS NOT NULL ORDER BY id LIMIT 1",
                           [own]).fetchone()[0]
    base = dict(kind="lead", description="邻居家门口每天夜里有人争吵，已经持续一周，担心出事。", grid_id=grid,
                consent=True)
    tip = tips.create_tip(demo_db, TipInput(**base, is_anonymous=False, contact_name="王某", contact_phone=PHONE,
                                            photos=(image((10, 120, 200)),)))
    tip2 = tips.create_tip(demo_db, TipInput(**{**base, "description": "夜里有人在楼下争吵，声音很大，像要打起来。"}))
    unrouted = tips.create_tip(demo_db, TipInput(**{**base, "grid_id": None}, lat=0.0, lon=0.0,
                                                 photos=(image((240, 200, 10)),)))
    assert tip["station_id"] == tip2["station_id"] == own and unrouted["station_id"] is None
    file_of = {r[0]: r[1] for r in demo_db.execute("SELECT tip_id, file_id FROM tip_photos")}
    case = mediation.open_case(demo_db, clerk, {"title": "邻里噪音纠纷", "dispute_type": "neighbour",
                                                "summary": "楼上楼下就夜间噪音发生争执。"},
                               [{"role": "applicant", "name": "陈某"},
                                {"role": "respondent", "name": "吴某", "country": "KE"}])
    case = mediation.schedule_session(demo_db, clerk, case["id"], case["version"], _beijing(3))
    party = demo_db.execute("SELECT MIN(id) FROM mediation_parties WHERE case_id = ?", [case["id"]]).fetchone()[0]
    session = demo_db.execute("SELECT id FROM mediation_sessions WHERE case_id = ?", [case["id"]]).fetchone()[0]
    expert = demo_db.execute("SELECT id FROM experts WHERE is_active = 1 ORDER BY id LIMIT 1").fetchone()[0]
    return World(own=own, other=other, tip=tip["id"], tip2=tip2["id"], unrouted=unrouted["id"],
                 tip_file=file_of[tip["id"]], unrouted_file=file_of[unrouted["id"]], case=case["id"], party=party,
                 session=session, expert=expert, station_admin_id=actors["station_admin"].id, clerk_id=clerk.id)


# --- what "nothing changed" means ------------------------------------------------------------

WATCHED = ("tips", "tip_events", "tip_photos", "files", "mediation_cases", "mediation_parties",
           "mediation_sessions", "mediation_events", "notices")


def snapshot(db) -> dict:
    state = {t: db.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in WATCHED}
    state["audit_log"] = db.execute("SELECT COUNT(*), MAX(id) FROM audit_log").fetchone()
    return state


def tip_row(db, tip_id: int) -> dict:
    cursor = db.execute("SELECT * FROM tips WHERE id = ?", [tip_id])
    return dict(zip([c[0] for c in cursor.description], cursor.fetchone(), strict=True))


def case_row(db, case_id: int) -> dict:
    cursor = db.execute("SELECT * FROM mediation_cases WHERE id = ?", [case_id])
    return dict(zip([c[0] for c in cursor.description], cursor.fetchone(), strict=True))


def tip_version(db, w: World) -> int:
    return tip_row(db, w.tip)["version"]


def case_version(db, w: World) -> int:
    return case_row(db, w.case)["version"]


def last_event(db, tip_id: int) -> dict:
    cursor = db.execute("SELECT * FROM tip_events WHERE tip_id = ? ORDER BY id DESC LIMIT 1", [tip_id])
    return dict(zip([c[0] for c in cursor.description], cursor.fetchone(), strict=True))


def last_audit(db) -> tuple:
    return db.execute("SELECT user_id, action, entity, entity_id FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()


# --- the functions ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Op:
    call: Callable  # (db, user, world) -> result
    done: Callable  # (db, world, user, result): asserts the effect
    roles: tuple[str, ...] = OWN_ROLES  # the own station's roles (and the district admin) that may
    foreign: type = NotFoundError  # what another station's staff get
    refused: type = ScopeError  # what a role of the own station that may not gets


def _moved(db, w, u, r):
    assert r["state"] == tip_row(db, w.tip)["state"] == "triaged"
    assert last_event(db, w.tip)["kind"] == "state" and last_audit(db)[:2] == (u.id, "triage")


def _noted(db, w, u, r):
    event = last_event(db, w.tip)
    assert (event["kind"], event["text"], event["user_id"], event["is_public"]) == ("note", "已电话核实，待走访。", u.id, 0)
    assert last_audit(db) == (u.id, "note", "tips", str(w.tip))


def _prioritised(db, w, u, r):
    assert tip_row(db, w.tip)["priority"] == r["priority"] == "low"
    assert last_audit(db)[:2] == (u.id, "set_priority")


def _rerouted(db, w, u, r):
    assert tip_row(db, w.tip)["station_id"] == w.other and last_event(db, w.tip)["kind"] == "route"


def _contact(db, w, u, r):
    assert r["contact_phone"] == PHONE and r["contact_name"] == "王某" and not r["is_anonymous"]
    assert last_audit(db) == (u.id, "view_contact", "tips", str(w.tip))


def _resolved(db, w, u, r):
    row = tip_row(db, w.tip)
    assert row["state"] == r["state"] == "resolved" and row["first_response_at"]
    assert db.execute("SELECT COUNT(*) FROM tip_events WHERE tip_id = ? AND kind = 'reply' AND is_public = 1"
                      " AND text = '已处理，感谢反映。'", [w.tip]).fetchone()[0] == 1


def _assigned(db, w, u, r):
    row = tip_row(db, w.tip)
    assert row["state"] == "assigned" and row["assignee_user_id"] == w.clerk_id and row["first_response_at"]


def _called_back(db, w, u, r):
    assert last_event(db, w.tip)["kind"] == "callback" and tip_row(db, w.tip)["first_response_at"]


def _merged(db, w, u, r):
    row = tip_row(db, w.tip)
    assert row["state"] == "duplicate" and row["duplicate_of"] == w.tip2 and last_event(db, w.tip2)["kind"] == "merge"


def _expert(db, w, u, r):
    event = last_event(db, w.tip)
    assert event["kind"] == "expert" and event["is_public"] == 0 and event["user_id"] == u.id


def _logged(db, w, u, r):
    row = tip_row(db, r["id"])
    assert row["station_id"] == w.own and row["created_by"] == u.id and row["channel"] == "phone"


def _case_from_tip(db, w, u, r):
    assert case_row(db, r["id"])["tip_id"] == w.tip and r["station_id"] == w.own
    assert last_event(db, w.tip)["kind"] == "mediation_opened"


TIP_OPS = {
    "tips.get_tip": Op(lambda db, u, w: tips.get_tip(db, u, w.tip),
                       lambda db, w, u, r: (r["id"], r["station_id"]) == (w.tip, w.own) and "contact_phone" not in r),
    "tips.events": Op(lambda db, u, w: tips.events(db, u, w.tip),
                      lambda db, w, u, r: [e["kind"] for e in r] == ["created"] and r[0]["tip_id"] == w.tip),
    "tips.photo_ids": Op(lambda db, u, w: tips.photo_ids(db, u, w.tip), lambda db, w, u, r: r == [w.tip_file]),
    "tips.contact_of": Op(lambda db, u, w: tips.contact_of(db, u, w.tip), _contact,
                          roles=("district_admin", "station_admin")),
    "tips.move": Op(lambda db, u, w: tips.move(db, u, w.tip, tip_version(db, w), "triage"), _moved),
    "tips.add_note": Op(lambda db, u, w: tips.add_note(db, u, w.tip, "已电话核实，待走访。", public=False), _noted),
    "tips.set_priority": Op(lambda db, u, w: tips.set_priority(db, u, w.tip, tip_version(db, w), "low"), _prioritised),
    "tips.reroute": Op(lambda db, u, w: tips.reroute(db, u, w.tip, tip_version(db, w), w.other, "辖区错误，转他所"),
                       _rerouted, roles=("district_admin", "station_admin")),
    "tips.create_tip(logged by staff)": Op(
        lambda db, u, w: tips.create_tip(db, TipInput(kind="request", description="群里有人反映小区路灯坏了。",
                                                      grid_id=tip_row(db, w.tip)["grid_id"], channel="phone",
                                                      consent=True), user=u),
        _logged, foreign=ScopeError),
    "tip_actions.reply_and_resolve": Op(
        lambda db, u, w: tip_actions.reply_and_resolve(db, u, w.tip, tip_version(db, w), "已处理，感谢反映。"), _resolved),
    "tip_actions.assign_and_reply": Op(
        lambda db, u, w: tip_actions.assign_and_reply(db, u, w.tip, tip_version(db, w), w.clerk_id, "已安排民警处理。"),
        _assigned),
    "tip_actions.log_callback": Op(lambda db, u, w: tip_actions.log_callback(db, u, w.tip, "已回电，当事人同意调解。"),
                                   _called_back),
    "tip_duplicates.merge": Op(lambda db, u, w: tip_duplicates.merge(db, u, w.tip, tip_version(db, w), w.tip2),
                               _merged),
    "experts.attach_expert": Op(lambda db, u, w: experts.attach_expert(db, u, w.tip, w.expert, "建议先行调解。"),
                                _expert),
    "mediation.open_from_tip": Op(lambda db, u, w: mediation.open_from_tip(db, u, w.tip, tip_version(db, w),
                                                                        {"dispute_type": "neighbour"}),
                                  _case_from_tip),
}


def _settled(db, w, u, r):
    row = case_row(db, w.case)
    assert row["state"] == r["state"] == "settled" and row["agreement_amount"] == 800
    assert last_audit(db)[:2] == (u.id, "settle")


def _mediator(db, w, u, r):
    assert case_row(db, w.case)["mediator_user_id"] == r["mediator_user_id"] == w.station_admin_id


def _party_added(db, w, u, r):
    assert db.execute("SELECT COUNT(*) FROM mediation_parties WHERE case_id = ? AND name = '赵某'",
                      [w.case]).fetchone()[0] == 1


def _party_updated(db, w, u, r):
    assert db.execute("SELECT name FROM mediation_parties WHERE id = ?", [w.party]).fetchone()[0] == "陈某某"


def _scheduled(db, w, u, r):
    assert db.execute("SELECT COUNT(*) FROM mediation_sessions WHERE case_id = ? AND state = 'planned'",
                      [w.case]).fetchone()[0] == 2


def _recorded(db, w, u, r):
    assert db.execute("SELECT state, recorded_by FROM mediation_sessions WHERE id = ?",
                      [w.session]).fetchone() == ("cancelled", u.id)


def _opened(db, w, u, r):
    row = case_row(db, r["id"])
    assert row["station_id"] == w.own and row["created_by"] == u.id and row["title"] == "商铺租金纠纷"


CASE_OPS = {
    "mediation.get_case": Op(lambda db, u, w: mediation.get_case(db, u, w.case),
                             lambda db, w, u, r: (r["id"], r["station_id"]) == (w.case, w.own)),
    "mediation.get_case_detail": Op(lambda db, u, w: mediation.get_case_detail(db, u, w.case),
                                    lambda db, w, u, r: [p["name"] for p in r["parties"]] == ["陈某", "吴某"]),
    "mediation.list_cases(station)": Op(lambda db, u, w: mediation.list_cases(db, u, station_id=w.own, open_only=True),
                                        lambda db, w, u, r: w.case in [c["id"] for c in r.rows],
                                        foreign=ScopeError),
    "mediation.list_mediators": Op(lambda db, u, w: mediation.list_mediators(db, u, w.own),
                                   lambda db, w, u, r: w.clerk_id in [m["id"] for m in r]),
    "mediation.open_case(station)": Op(
        lambda db, u, w: mediation.open_case(db, u, {"title": "商铺租金纠纷", "dispute_type": "commercial_trade",
                                                     "summary": "房东与租户就押金退还发生争执。", "station_id": w.own}),
        _opened, foreign=ScopeError),
    "mediation.move": Op(lambda db, u, w: mediation.move(db, u, w.case, case_version(db, w), "settle",
                                                         outcome="双方达成和解，当场赔偿。", amount=800), _settled),
    "mediation.assign_mediator": Op(
        lambda db, u, w: mediation.assign_mediator(db, u, w.case, case_version(db, w), w.station_admin_id), _mediator),
    "mediation.add_party": Op(lambda db, u, w: mediation.add_party(db, u, w.case, case_version(db, w),
                                                                   {"role": "other", "name": "赵某"}), _party_added),
    "mediation.update_party": Op(lambda db, u, w: mediation.update_party(
        db, u, w.case, case_version(db, w), w.party, {"role": "applicant", "name": "陈某某"}), _party_updated),
    "mediation.schedule_session": Op(lambda db, u, w: mediation.schedule_session(
        db, u, w.case, case_version(db, w), _beijing(5)), _scheduled),
    "mediation.record_session": Op(lambda db, u, w: mediation.record_session(
        db, u, w.case, case_version(db, w), w.session, "cancelled", "当事人申请改期"), _recorded),
}

OPS = {**TIP_OPS, **CASE_OPS}


def test_every_public_write_of_the_modules_is_in_the_matrix():
    """A new function taking ``user`` in these modules must be added here (or named as exempt)."""
    import inspect

    exempt = {
        # lists and counters of the user's scope (their filters: tests/test_tips.py, test_mediation.py)
        "triage_queue.queue", "triage_queue.queue_counts", "triage_queue.latest_id", "triage_queue.arrivals",
        "tips.reroute_targets",
        "mediation.case_counts", "mediation.workload", "mediation.open_case_of_tip",
        # pure: no database
        "tips.may_see_contact", "tips.may_reroute",
        "tip_duplicates.likely_duplicates",  # a read of the user's scope (test_tip_duplicates.py)
        "tips.record_event",  # a history line written inside a write that checked the scope
    }
    covered = {name.split("(")[0] for name in OPS} | exempt
    for module, short in ((tips, "tips"), (triage_queue, "triage_queue"), (tip_actions, "tip_actions"),
                          (mediation, "mediation"), (tip_duplicates, "tip_duplicates")):
        for name, fn in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(fn) or fn.__module__ != module.__name__:
                continue
            if "user" in inspect.signature(fn).parameters:
                assert f"{short}.{name}" in covered, f"{short}.{name} takes a user and is not in the scope matrix"


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("name", list(OPS))
def test_scope_of_each_function_for_each_role(demo_db, actors, world, name, actor):
    op, user = OPS[name], actors[actor]
    before = snapshot(demo_db)
    if actor in op.roles:
        result = op.call(demo_db, user, world)
        assert op.done(demo_db, world, user, result) is not False
        assert snapshot(demo_db) != before or name.split(".")[1].startswith(("get_", "events", "photo_ids",
                                                                             "list_"))
        return
    expected = op.foreign if actor in OTHERS else op.refused
    with pytest.raises(expected) as refused:
        op.call(demo_db, user, world)
    assert type(refused.value) is expected  # NotFoundError is no ScopeError, nor the reverse
    assert snapshot(demo_db) == before


UNROUTED_OPS = ["tips.get_tip", "tips.events", "tips.photo_ids", "tips.contact_of", "tips.move", "tips.add_note",
                "tips.set_priority", "tip_actions.reply_and_resolve", "tip_actions.log_callback",
                "experts.attach_expert"]


@pytest.mark.parametrize("actor", ["station_admin", "clerk", "other_clerk"])
@pytest.mark.parametrize("name", UNROUTED_OPS)
def test_an_unrouted_tip_is_the_district_s_alone(demo_db, actors, world, name, actor):
    unrouted = dataclasses.replace(world, tip=world.unrouted, tip_file=world.unrouted_file)
    before = snapshot(demo_db)
    with pytest.raises(NotFoundError):
        OPS[name].call(demo_db, actors[actor], unrouted)
    assert snapshot(demo_db) == before
    result = OPS[name].call(demo_db, actors["district_admin"], unrouted)
    if name == "tips.photo_ids":
        assert result == [world.unrouted_file]


# --- stored files ----------------------------------------------------------------------------


@pytest.fixture
def pushed(demo_db, actors, world) -> dict[str, int]:
    """Files of pushes: a sent appeal of the own station, a draft of the own station, a
    district-wide draft, a sent push of another category; and a file no record uses."""
    from tests.factories import complete_appeal

    clerk, district = actors["clerk"], actors["district_admin"]
    appeal = complete_appeal(demo_db, clerk)
    appeal = pushes.submit(demo_db, clerk, appeal["id"], appeal["version"])
    appeal = pushes.approve_and_send(demo_db, actors["station_admin"], appeal["id"], appeal["version"])
    draft = pushes.new_draft(demo_db, clerk, "appeal", "wanted")
    draft = pushes.add_photo(demo_db, clerk, draft["id"], image((90, 200, 90)))
    wide = pushes.new_draft(demo_db, district, "appeal", "missing_person", district_wide=True)
    wide = pushes.add_photo(demo_db, district, wide["id"], image((200, 90, 200)))
    tip_push = pushes.new_draft(demo_db, clerk, "health_tip")
    tip_push = pushes.save_draft(demo_db, clerk, tip_push["id"], tip_push["version"], title="冬季防一氧化碳中毒",
                                 body="使用煤炉取暖请保持通风。", target=Target(categories=["work"]))
    tip_push = pushes.add_photo(demo_db, clerk, tip_push["id"], image((30, 30, 30)))
    tip_push = pushes.send(demo_db, clerk, tip_push["id"], tip_push["version"])
    unused = files.store_image(demo_db, clerk.id, image((1, 2, 3)))
    assert appeal["state"] in public_grids.PUBLIC_PUSH_STATES and tip_push["state"] in public_grids.PUBLIC_PUSH_STATES
    return {"tip": world.tip_file, "unrouted_tip": world.unrouted_file, "sent_appeal": appeal["photo_file_ids"][0],
            "own_draft": draft["photo_file_ids"][0], "district_draft": wide["photo_file_ids"][0],
            "sent_health_tip": tip_push["photo_file_ids"][0], "unused": unused,
            "appeal_id": appeal["id"], "draft_id": draft["id"]}


READERS = ("district_admin", "station_admin", "clerk", "other_clerk", "other_admin", "anonymous")
# Who reads what: a tip's photo, its station's staff and the district; a push's photo, who may see
# the push (district-wide pushes: all staff); a sent push's photo, anyone (it is out in the groups).
MAY_READ = {
    "tip": {"district_admin", "station_admin", "clerk"},
    "unrouted_tip": {"district_admin"},
    "sent_appeal": set(READERS),
    "sent_health_tip": set(READERS),
    "own_draft": {"district_admin", "station_admin", "clerk"},
    "district_draft": set(READERS) - {"anonymous"},
    "unused": set(),
}


@pytest.mark.parametrize("reader", READERS)
def test_who_may_read_which_file(demo_db, actors, pushed, reader):
    for what, readers in MAY_READ.items():
        if reader in readers:
            data, mime = files.read_file(demo_db, actors[reader], pushed[what])
            assert mime == "image/jpeg" and Image.open(io.BytesIO(data)).size == (320, 240), what
        else:
            with pytest.raises(NotFoundError):
                files.read_file(demo_db, actors[reader], pushed[what])
    with pytest.raises(NotFoundError):  # no such file reads the same as one not to be seen
        files.read_file(demo_db, actors[reader], 10**9)


def test_a_closed_appeal_s_photo_leaves_the_public_and_other_stations(demo_db, actors, pushed):
    card = public_grids.sent_push_card(demo_db, pushed["appeal_id"])
    assert card["photo"] and Image.open(io.BytesIO(card["photo"])).format == "JPEG"  # the form shows it
    appeals.close(demo_db, actors["clerk"], pushed["appeal_id"], "found")
    for reader in ("anonymous", "other_clerk"):  # a person found is not shown any longer
        with pytest.raises(NotFoundError):
            files.read_file(demo_db, actors[reader], pushed["sent_appeal"])
    assert public_grids.sent_push_card(demo_db, pushed["appeal_id"])["photo"] is None
    for reader in ("clerk", "district_admin"):  # its station keeps it
        assert files.read_file(demo_db, actors[reader], pushed["sent_appeal"])[0]


def test_a_file_shared_by_a_tip_and_a_sent_push_is_public_through_the_push(demo_db, actors, world, pushed):
    # The same image sent in by a resident is stored once: what the public may read of it is the push's.
    grid = tip_row(demo_db, world.tip)["grid_id"]
    made = tips.create_tip(demo_db, TipInput(kind="lead", description="在车站看见推送里的这位老人，照片如下。",
                                             grid_id=grid, consent=True, photos=(image((30, 30, 30)),)))
    assert tips.photo_ids(demo_db, actors["clerk"], made["id"]) == [pushed["sent_health_tip"]]
    assert files.read_file(demo_db, None, pushed["sent_health_tip"])[0]


def test_push_photos_and_posters_through_pushes(demo_db, actors, pushed):
    draft = pushes.get_push(demo_db, actors["clerk"], pushed["draft_id"])
    assert pushes.photo_bytes(demo_db, actors["clerk"], draft["id"], pushed["own_draft"])
    with pytest.raises(NotFoundError):
        pushes.photo_bytes(demo_db, actors["other_clerk"], draft["id"], pushed["own_draft"])
    with pytest.raises(NotFoundError):  # only the push's own photos, even one the user may read
        pushes.photo_bytes(demo_db, actors["clerk"], draft["id"], pushed["tip"])
    poster = pushes.poster_png(demo_db, draft)  # a draft's poster: the server reads its photos (files.SYSTEM)
    assert poster is None or poster.startswith(b"\x89PNG")
    assert files.may_read(demo_db, files.SYSTEM, pushed["unused"])
    assert files.PUBLIC_PUSH_STATES == public_grids.PUBLIC_PUSH_STATES  # one rule, stated twice


def test_ids_of_another_station_passed_through_an_own_record_are_refused(demo_db, actors, world):
    """The own clerk, on the own station's tip or case, naming a row of another station."""
    clerk, other = actors["clerk"], actors["other_clerk"]
    grid = demo_db.execute("SELECT id FROM grids WHERE station_id = ? ORDER BY id LIMIT 1", [world.other]).fetchone()[0]
    foreign_tip = tips.create_tip(demo_db, TipInput(kind="lead", description="他所辖区的一条线索，内容足够长。",
                                                    grid_id=grid, consent=True))
    foreign_case = mediation.open_case(demo_db, other, {"title": "他所纠纷", "dispute_type": "neighbour",
                                                        "summary": "另一个派出所的调解案件。"},
                                       [{"role": "applicant", "name": "甲某"}, {"role": "respondent", "name": "乙某"}])
    foreign_case = mediation.schedule_session(demo_db, other, foreign_case["id"], foreign_case["version"], _beijing(4))
    foreign_party = demo_db.execute("SELECT MIN(id) FROM mediation_parties WHERE case_id = ?",
                                    [foreign_case["id"]]).fetchone()[0]
    foreign_session = demo_db.execute("SELECT id FROM mediation_sessions WHERE case_id = ?",
                                      [foreign_case["id"]]).fetchone()[0]
    refusals = [
        (NotFoundError, lambda: tip_duplicates.merge(demo_db, clerk, world.tip, tip_version(demo_db, world),
                                                     foreign_tip["id"])),
        (NotFoundError, lambda: tips.move(demo_db, clerk, world.tip, tip_version(demo_db, world), "mark_duplicate",
                                          duplicate_of=foreign_tip["id"])),
        (ValidationError, lambda: tip_actions.assign_and_reply(demo_db, clerk, world.tip, tip_version(demo_db, world),
                                                               other.id, "已安排民警处理。")),
        (NotFoundError, lambda: mediation.update_party(demo_db, clerk, world.case, case_version(demo_db, world),
                                                       foreign_party, {"role": "applicant", "name": "改名"})),
        (NotFoundError, lambda: mediation.record_session(demo_db, clerk, world.case, case_version(demo_db, world),
                                                         foreign_session, "cancelled")),
        (ValidationError, lambda: mediation.assign_mediator(demo_db, clerk, world.case, case_version(demo_db, world),
                                                            other.id)),
        (ValidationError, lambda: mediation.open_case(demo_db, clerk, {"title": "商铺租金纠纷", "dispute_type": "neighbour",
                                                                      "summary": "房东与租户就押金发生争执。",
                                                                      "mediator_user_id": other.id})),
    ]
    for expected, call in refusals:
        before = snapshot(demo_db)
        with pytest.raises(expected):
            call()
        assert snapshot(demo_db) == before
