"""Tips (线索): what residents send — requests, case leads, inquiries, complaints — and the
work on them: routing to a station, the state workflow, SLA clocks, notes and replies. The queue
that orders them for triage is lib/tips/triage_queue.py.

States live in the ``tip_states`` table with a type (open/closed); moves are the
:data:`TRANSITIONS` table; code asks :func:`is_open`, never compares raw strings.
"""

from __future__ import annotations

import functools
import json
import re
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlite_utils

from lib.core import audit, clock, files, scope, workflow
from lib.core.auth import User
from lib.core.clock import utcnow
from lib.core.db import query_one, write_transaction
from lib.core.errors import NotFoundError, ScopeError, ValidationError
from lib.core.workflow import InvalidTransition, StaleEdit  # noqa: F401  (part of this module's interface)
from lib.grids import geo
from lib.tips import sla, tip_clocks
from lib.tips.kinds import KINDS, PRIORITIES, PRIORITY_RANK

CHANNELS = ("web", "qr", "group", "phone", "walk_in")
DESCRIPTION_MAX = 2000
LOCATION_MAX = 120
NAME_MAX = 30
MAX_PHOTOS = 5
TRACKING_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud over the phone
TRACKING_LENGTH = 10  # 31^10 ≈ 8·10^14: not guessable, short enough to type
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
_PHONE_PUNCTUATION = re.compile(r"[\s()（）]")

# (action, from states, to state, what it needs)
TRANSITIONS = {
    "triage": (("new",), "triaged"),
    "assign": (("new", "triaged", "assigned", "in_progress"), "assigned"),
    "start": (("assigned",), "in_progress"),
    "resolve": (("new", "triaged", "assigned", "in_progress"), "resolved"),
    "close": (("resolved",), "closed"),
    "reopen": (("resolved", "closed", "rejected", "referred"), "triaged"),
    "reject": (("new", "triaged", "assigned", "in_progress"), "rejected"),
    "refer": (("new", "triaged", "assigned", "in_progress"), "referred"),
    "mark_duplicate": (("new", "triaged", "assigned", "in_progress"), "duplicate"),
}
NEEDS_REASON = ("reject", "refer", "reopen")


def state_types(db: sqlite_utils.Database) -> dict[str, str]:
    """Each tip state's type (open/closed), from ``tip_states``."""
    return workflow.state_types(db, "tip_states")


def is_open(tip: dict) -> bool:
    return bool(tip["is_open"])


_UNBIASED = 256 - 256 % len(TRACKING_ALPHABET)  # bytes at or above this would favour the first letters


def new_tracking_code() -> str:
    """A short, unguessable code the sender keeps, shown as XXXXX-XXXXX.

    One read of the system's random source per code (rejection sampling keeps every
    letter equally likely) instead of one per letter: it is on the intake's hot path."""
    letters: list[str] = []
    while len(letters) < TRACKING_LENGTH:
        letters += [TRACKING_ALPHABET[b % len(TRACKING_ALPHABET)] for b in secrets.token_bytes(16) if b < _UNBIASED]
    return "".join(letters[:TRACKING_LENGTH])


def format_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def normalize_code(text: str) -> str:
    """What a sender typed (any case, dashes, spaces, O for 0 …) → the stored code."""
    cleaned = re.sub(r"[\s\-–—_]", "", (text or "").upper())
    return cleaned.replace("O", "0").replace("I", "1")[:TRACKING_LENGTH * 2]


# --- SLA and routing ------------------------------------------------------------------


def due_at(db: sqlite_utils.Database, kind: str, priority: str, created_at: str | datetime) -> str:
    """When the first response is due, from the configurable ``sla_rules``."""
    minutes = sla.first_response_minutes(db, kind, priority)
    start = created_at if isinstance(created_at, datetime) else clock.parse(created_at)
    return clock.stamp(start + timedelta(minutes=minutes))


def default_priority(kind: str) -> str:
    return "high" if kind == "lead" else "normal"


_ROUTE_CACHE: dict[tuple, dict[tuple[int, int], list]] = {}
_BUCKET = 0.05  # degrees: a bucket holds a handful of grid cells


def _route_index(db: sqlite_utils.Database) -> dict[tuple[int, int], list]:
    """Parsed grid polygons in buckets of 0.05°, cached until grids change (``grids_version``):
    re-parsing ~50 GeoJSON polygons per tip was most of the intake's time."""
    version = db.execute("SELECT value FROM app_meta WHERE key = 'grids_version'").fetchone()
    key = (getattr(db, "path", None) or db.conn.execute("PRAGMA database_list").fetchone()[2],
           version[0] if version else None)
    index = _ROUTE_CACHE.get(key)
    if index is None or version is None:
        index = {}
        for gid, station_id, geometry in db.execute(
                "SELECT id, station_id, geometry FROM grids WHERE geometry IS NOT NULL"):
            shape = json.loads(geometry)
            polys = [shape["coordinates"]] if shape["type"] == "Polygon" else shape["coordinates"]
            rings = [[tuple(p) for p in poly[0]] for poly in polys]
            xs = [p[0] for r in rings for p in r]
            ys = [p[1] for r in rings for p in r]
            box = (min(xs), min(ys), max(xs), max(ys))
            for bx in range(int(box[0] // _BUCKET), int(box[2] // _BUCKET) + 1):
                for by in range(int(box[1] // _BUCKET), int(box[3] // _BUCKET) + 1):
                    index.setdefault((bx, by), []).append((gid, station_id, box, rings))
        _ROUTE_CACHE.clear()
        _ROUTE_CACHE[key] = index
    return index


def route(db: sqlite_utils.Database, *, grid_id: int | None, lat: float | None, lon: float | None) -> tuple[int | None, int | None]:
    """(station_id, grid_id) for a tip: by its grid, else by the comprehensive grid whose polygon
    holds the point, else (None, None) — the district center routes it by hand."""
    if grid_id is not None:
        row = db.execute("SELECT id, station_id FROM grids WHERE id = ?", [grid_id]).fetchone()
        if row:
            return row[1], row[0]
    if lat is not None and lon is not None:
        for gid, station_id, box, rings in _route_index(db).get((int(lon // _BUCKET), int(lat // _BUCKET)), ()):
            if box[0] <= lon <= box[2] and box[1] <= lat <= box[3] and any(
                    geo.point_in_polygon((lon, lat), ring) for ring in rings):
                return station_id, gid
    return None, None


# --- intake ---------------------------------------------------------------------------


@dataclass
class TipInput:
    """What a sender gives; every field is checked by :func:`validate`."""

    kind: str
    description: str
    location_text: str = ""
    grid_id: int | None = None
    # The station of the community a sender chose without knowing the grid: it routes the tip only
    # when neither a grid nor the phone's point does.
    station_id: int | None = None
    lat: float | None = None
    lon: float | None = None
    happened_at: str | None = None
    is_anonymous: bool = True
    contact_name: str = ""
    contact_phone: str = ""
    push_id: int | None = None
    rating: int | None = None
    channel: str = "web"
    photos: tuple[bytes, ...] = ()
    consent: bool = False


class TipErrors(ValidationError):
    """Several fields refused at once: ``errors`` maps field → (message key, params)."""

    def __init__(self):
        super().__init__("tips.error.fields")
        self.errors: dict[str, tuple[str, dict]] = {}

    def add(self, field: str, key: str, **params) -> None:
        self.errors.setdefault(field, (key, params))


_SPACES = re.compile(r"[ \t]+")


def clean_text(value, limit: int) -> str:
    """Typed text with control characters out and spaces folded, cut at ``limit`` + 1 (so
    that a length check can still tell it was too long); shown to staff as text only."""
    value = str(value or "")
    if not value.replace("\n", "").replace("\t", "").isprintable():  # the common case skips the per-letter pass
        value = "".join(ch for ch in value if ch.isprintable() or ch in "\n\t")
    return _SPACES.sub(" ", value).strip()[: limit + 1]


DESCRIPTION_MIN = 5


def _db_id(value) -> int | None:
    """An id as SQLite can hold it (a positive 64-bit int), else None."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        return None
    return value


def validate(db: sqlite_utils.Database, tip: TipInput) -> dict:
    """The tip's columns, cleaned; raises :class:`TipErrors` listing every problem."""
    errors = TipErrors()
    out: dict = {}
    if tip.kind not in KINDS:
        errors.add("kind", "tips.error.kind")
    out["kind"] = tip.kind
    description = clean_text(tip.description, DESCRIPTION_MAX)
    if len(description) < DESCRIPTION_MIN:
        errors.add("description", "tips.error.description_short", min=DESCRIPTION_MIN)
    elif len(description) > DESCRIPTION_MAX:
        errors.add("description", "tips.error.description_long", max=DESCRIPTION_MAX)
    out["description"] = description
    location = clean_text(tip.location_text, LOCATION_MAX)
    if len(location) > LOCATION_MAX:
        errors.add("location_text", "tips.error.location_long", max=LOCATION_MAX)
    out["location_text"] = location or None
    grid_id = _db_id(tip.grid_id)
    grid = db.execute("SELECT station_id FROM grids WHERE id = ?", [grid_id]).fetchone() if grid_id else None
    if tip.grid_id is not None and grid is None:
        errors.add("grid_id", "tips.error.grid")
    out["grid_id"] = grid_id
    if grid is not None:
        out["station_id"] = grid[0]  # routed by its grid: saves create_tip a second lookup
    if tip.station_id is not None:
        station_id = _db_id(tip.station_id)
        if not station_id or not db.execute("SELECT 1 FROM units WHERE id = ? AND kind = 'station'",
                                            [station_id]).fetchone():
            errors.add("station_id", "tips.error.grid")
        out["chosen_station_id"] = station_id
    if (tip.lat is None) != (tip.lon is None):
        errors.add("lat", "tips.error.coordinates")
    if tip.lat is not None and tip.lon is not None:
        try:
            lat, lon = float(tip.lat), float(tip.lon)
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValueError
            out["lat"], out["lon"] = round(lat, 5), round(lon, 5)  # ~1 m: a coarse location is enough
        except (TypeError, ValueError):
            errors.add("lat", "tips.error.coordinates")
    if tip.happened_at:
        try:
            datetime.strptime(str(tip.happened_at)[:16], "%Y-%m-%d %H:%M")
            out["happened_at"] = str(tip.happened_at)[:16]
        except ValueError:
            errors.add("happened_at", "tips.error.happened_at")
    out["is_anonymous"] = int(bool(tip.is_anonymous))
    name, phone = clean_text(tip.contact_name, NAME_MAX), _PHONE_PUNCTUATION.sub("", str(tip.contact_phone or ""))
    if not tip.is_anonymous:
        if not phone:
            errors.add("contact_phone", "tips.error.phone_missing")
        elif not _PHONE.match(phone):
            errors.add("contact_phone", "tips.error.phone")
        if len(name) > NAME_MAX:
            errors.add("contact_name", "tips.error.name_long", max=NAME_MAX)
        out["contact_name"], out["contact_phone"] = name or None, phone or None
    if tip.push_id is not None:
        push_id = _db_id(tip.push_id)
        push = db.execute("SELECT state, station_id, category = 'appeal' AND appeal_closed_at IS NULL FROM pushes"
                          " WHERE id = ?", [push_id]).fetchone() if push_id else None
        # A QR code of an unknown or unsent push still gets its tip in, unlinked.
        linked = bool(push and push[0] in ("sending", "sent"))
        out["push_id"] = push_id if linked else None
        if linked:
            # A response to a push goes to the desk that issued it (see create_tip).
            out["push_station_id"], out["on_active_appeal"] = push[1], bool(push[2])
    if tip.rating is not None:
        if not isinstance(tip.rating, int) or not 1 <= tip.rating <= 5:
            errors.add("rating", "tips.error.rating")
        else:
            out["rating"] = tip.rating
    out["channel"] = tip.channel if tip.channel in CHANNELS else "web"
    if len(tip.photos) > MAX_PHOTOS:
        errors.add("photos", "tips.error.photos_max", max=MAX_PHOTOS)
    if not tip.consent:
        errors.add("consent", "tips.error.consent")
    if errors.errors:
        raise errors
    return out


def create_tip(db: sqlite_utils.Database, tip: TipInput, *, user: User | None = None,
               priority: str | None = None, now: str | None = None, on_write=None) -> dict:
    """Take in a tip — from the public form (``user`` None) or logged by staff — route it,
    start its SLA clock, store its photos re-encoded. Returns ``id`` and ``tracking_code``.

    All or nothing: a photo that is not an image refuses the whole tip, nothing written.
    ``on_write()``, if given, runs inside the tip's write transaction (the public form counts
    the submission against its rate limits there: the tip and its count commit together).
    """
    values = validate(db, tip)
    cleaned = [files.reencode_image(p) for p in tip.photos]  # refuse before writing anything
    moment = clock.parse(now) if now else datetime.now(UTC).replace(microsecond=0)
    now = clock.stamp(moment)
    priority = priority if priority in PRIORITIES else default_priority(values["kind"])
    push_station_id = values.pop("push_station_id", None)
    on_active_appeal = values.pop("on_active_appeal", False)
    if "station_id" in values:
        station_id, grid_id = values.pop("station_id"), values["grid_id"]
    else:
        station_id, grid_id = route(db, grid_id=None, lat=values.get("lat"), lon=values.get("lon"))
    chosen_station_id = values.pop("chosen_station_id", None)
    if station_id is None:
        station_id = chosen_station_id
    if push_station_id is not None:
        # Through a station's push (its QR code or link): the issuing station, wherever the place
        # is — it is racing for this lead. A district push routes by grid or point, as any tip.
        station_id = push_station_id
    if user is not None and not user.is_district and station_id not in (None, user.station_id):
        raise ScopeError()
    if user is not None and station_id is None and not user.is_district:
        station_id = user.station_id  # a clerk logs what reached their own station
    first_minutes, resolve_minutes = sla.minutes(db, values["kind"], priority)
    due = clock.stamp(moment + timedelta(minutes=first_minutes))
    resolve_due = clock.stamp(moment + timedelta(minutes=resolve_minutes))
    row = {**values, "grid_id": grid_id, "station_id": station_id, "priority": priority,
           "priority_rank": PRIORITY_RANK[priority], "state": "new", "is_open": 1, "created_at": now,
           "updated_at": now, "due_at": due, "resolve_due_at": resolve_due,
           **tip_clocks.lane_columns(answered=False, on_active_appeal=on_active_appeal, due_at=due,
                                     resolve_due_at=resolve_due),
           "created_by": user.id if user else None, "tracking_code": new_tracking_code()}
    sql = _insert_sql(tuple(row))
    created = json.dumps({"kind": row["kind"], "station_id": station_id, "channel": row["channel"]},
                         ensure_ascii=False)
    # Everything is prepared before the write lock is taken; inside it only the rows are
    # written. The tip's "created" history line is read from the tip row itself (see
    # events()), so intake writes two rows: the tip and its audit row.
    with write_transaction(db):
        for attempt in range(5):
            try:
                # A failed INSERT undoes only itself (ON CONFLICT ABORT), not the transaction.
                tip_id = db.execute(sql, list(row.values())).lastrowid
                break
            except sqlite3.IntegrityError as exc:
                # Two equal codes are a one-in-10^14 event: let UNIQUE catch it, not a lookup per tip.
                if "tracking_code" not in str(exc) or attempt == 4:
                    raise
                row["tracking_code"] = new_tracking_code()
        for clean in cleaned:
            file_id = files.store_clean_image(db, user.id if user else None, clean)
            db.execute("INSERT OR IGNORE INTO tip_photos (tip_id, file_id) VALUES (?, ?)", [tip_id, file_id])
        audit.record(db, user, "create", "tips", tip_id, after=created, at=now)
        if on_write is not None:
            on_write()
    return {"id": tip_id, "tracking_code": row["tracking_code"], "station_id": station_id}


@functools.lru_cache(maxsize=64)
def _insert_sql(columns: tuple[str, ...]) -> str:
    return f"INSERT INTO tips ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def record_event(db, tip_id: int, user: User | None, kind: str, *, text: str | None = None, public: bool = False,
                 data: dict | None = None) -> None:
    """One line of the tip's history; call inside the write transaction of the change it tells."""
    db.execute("INSERT INTO tip_events (tip_id, at, user_id, kind, is_public, text, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
               [tip_id, utcnow(), user.id if user else None, kind, int(public), text,
                json.dumps(data, ensure_ascii=False) if data else None])


# --- reading (staff) ------------------------------------------------------------------

PUBLIC_COLUMNS = ("id, tracking_code, kind, priority, state, is_open, channel, description, location_text, grid_id,"
                   " lat, lon, happened_at, station_id, assignee_user_id, push_id, is_anonymous, rating,"
                   " duplicate_of, created_at, updated_at, due_at, first_response_at, closed_at, erased_at, version,"
                   " lane, lane_due_at, resolve_due_at")


def get_tip(db: sqlite_utils.Database, user: User, tip_id: int) -> dict:
    """A tip in the user's scope, without the sender's contact (see :func:`contact_of`).
    Unrouted tips (no station) are the district center's."""
    row = query_one(db, f"SELECT {PUBLIC_COLUMNS} FROM tips WHERE id = ?", [tip_id])
    if not row:
        raise NotFoundError()
    if row["station_id"] is None:
        if not user.is_district:
            raise NotFoundError()
    else:
        scope.require_station(user, row["station_id"])
    return row


def may_see_contact(user: User, tip: dict) -> bool:
    """Only the assigned officer and admins of the tip's station (or the district) see who sent it."""
    if user.is_district:
        return True
    if user.role == "station_admin" and user.station_id == tip["station_id"]:
        return True
    return tip["assignee_user_id"] == user.id


def contact_of(db: sqlite_utils.Database, user: User, tip_id: int) -> dict:
    """The sender's contact details; every view is audited (in its own transaction)."""
    tip = get_tip(db, user, tip_id)
    if not may_see_contact(user, tip):
        raise ScopeError("tips.error.contact_hidden")
    row = query_one(db, "SELECT is_anonymous, contact_name, contact_phone FROM tips WHERE id = ?", [tip_id])
    with write_transaction(db):
        audit.record(db, user, "view_contact", "tips", tip_id)
    return row


def events(db: sqlite_utils.Database, user: User, tip_id: int) -> list[dict]:
    """The tip's history (notes, replies, moves) for staff, starting with its arrival.

    Intake writes no "created" event (it is the tip row itself: fewer rows per tip);
    tips taken in before that change still have one, and keep it."""
    tip = get_tip(db, user, tip_id)
    rows = list(db.query("SELECT e.*, u.name AS user_name FROM tip_events e LEFT JOIN users u ON u.id = e.user_id"
                         " WHERE e.tip_id = ? ORDER BY e.id", [tip_id]))
    if not rows or rows[0]["kind"] != "created":
        creator = query_one(db, "SELECT created_by, u.name FROM tips LEFT JOIN users u ON u.id = tips.created_by"
                                " WHERE tips.id = ?", [tip_id])
        rows.insert(0, {"id": None, "tip_id": tip_id, "at": tip["created_at"], "user_id": creator["created_by"],
                        "kind": "created", "is_public": 0, "text": None, "user_name": creator["name"],
                        "data": json.dumps({"channel": tip["channel"], "station_id": tip["station_id"]})})
    return rows


# --- the tracker (public) ---------------------------------------------------------------


def track(db: sqlite_utils.Database, code: str) -> dict | None:
    """What a sender sees with their tracking code: state, kind, when, and public replies —
    never internal notes, assignees, contact or other people's data."""
    code = normalize_code(code)
    if len(code) != TRACKING_LENGTH:
        return None
    row = query_one(db, "SELECT id, kind, state, is_open, created_at, updated_at, closed_at FROM tips"
                        " WHERE tracking_code = ?", [code])
    if not row:
        return None
    events = list(db.query("SELECT at, kind, text FROM tip_events WHERE tip_id = ? AND is_public = 1"
                           " AND kind IN ('reply', 'addition') ORDER BY id", [row["id"]]))
    replies = [dict(at=r["at"], text=r["text"]) for r in events if r["kind"] == "reply"]
    return {"kind": row["kind"], "state": row["state"], "is_open": bool(row["is_open"]),
            "created_at": row["created_at"], "updated_at": row["updated_at"], "closed_at": row["closed_at"],
            "replies": replies,
            # Replies and the sender's own additions, in order (the tracker's conversation).
            "timeline": [dict(at=r["at"], text=r["text"], by="police" if r["kind"] == "reply" else "sender")
                         for r in events]}


# --- work on a tip ----------------------------------------------------------------------


def _fresh(db, user: User, tip_id: int, version: int) -> dict:
    return workflow.check_version(get_tip(db, user, tip_id), version, "tips.error.stale")


def _update(db, user: User, tip: dict, changes: dict, *, action: str) -> dict:
    return workflow.versioned_update(db, user, "tips", tip, changes, action=action, stale_key="tips.error.stale")


def move(db: sqlite_utils.Database, user: User, tip_id: int, version: int, action: str, *,
         reason: str = "", assignee_user_id: int | None = None, duplicate_of: int | None = None) -> dict:
    """Move a tip along the transitions table; refused moves say why."""
    if action not in TRANSITIONS:
        raise InvalidTransition("tips.error.action", action=action)
    sources, target = TRANSITIONS[action]
    reason = clean_text(reason, 200)
    with write_transaction(db):
        tip = _fresh(db, user, tip_id, version)
        if tip["state"] not in sources:
            raise InvalidTransition("tips.error.transition", action=action, state=tip["state"])
        if action in NEEDS_REASON and not reason:
            raise ValidationError("tips.error.reason_missing", field="reason")
        changes: dict = {"state": target, "is_open": int(state_types(db)[target] == "open")}
        if action == "assign":
            officer = query_one(db, "SELECT u.id, COALESCE(un.station_id, un.id) AS station_id FROM users u"
                                    " JOIN units un ON un.id = u.unit_id WHERE u.id = ? AND u.is_active = 1",
                                [assignee_user_id])
            if not officer or officer["station_id"] != tip["station_id"]:
                raise ValidationError("tips.error.assignee", field="assignee")
            changes["assignee_user_id"] = officer["id"]
        if action == "mark_duplicate":
            other = get_tip(db, user, duplicate_of) if duplicate_of else None
            if other is None or other["id"] == tip_id:
                raise ValidationError("tips.error.duplicate_target", field="duplicate_of")
            changes["duplicate_of"] = other["id"]
        if not changes["is_open"]:
            changes["closed_at"] = utcnow()
        elif not is_open(tip):
            changes["closed_at"] = None
            changes.update(tip_clocks.reopened_changes(db, tip, datetime.now(UTC).replace(microsecond=0)))
        # An internal step never stops the first-response clock: only a public reply or a
        # call-back does (tip_clocks), since the sender has heard nothing yet.
        tip = _update(db, user, tip, changes, action=action)
        record_event(db, tip_id, user, "state", text=reason or None, data={"action": action, "to": target})
        return tip


def add_note(db: sqlite_utils.Database, user: User, tip_id: int, text: str, *, public: bool) -> None:
    """An internal note, or a public reply the sender sees on the tracker."""
    text = clean_text(text, 1000)
    if not text:
        raise ValidationError("tips.error.note_missing", field="text")
    with write_transaction(db):
        tip = get_tip(db, user, tip_id)
        record_event(db, tip_id, user, "reply" if public else "note", text=text, public=public)
        if public:
            mark_answered(db, tip, utcnow())
        audit.record(db, user, "reply" if public else "note", "tips", tip_id)


def mark_answered(db: sqlite_utils.Database, tip: dict, at: str) -> bool:
    """Stop the tip's first-response clock at ``at`` (the sender heard from the police: a public
    reply or a call-back) and move it to the answered lane; call inside the write transaction of
    that reply. Returns False when it had been answered before."""
    changes = tip_clocks.answered_changes(tip, at)
    if not changes:
        return False
    db.execute(f"UPDATE tips SET {', '.join(f'{k} = ?' for k in changes)}, version = version + 1, updated_at = ?"
               " WHERE id = ?", [*changes.values(), at, tip["id"]])
    return True


def may_reroute(user: User) -> bool:
    """District admins route anything; a station admin sends on what reached the wrong station."""
    return user.is_district or user.role == "station_admin"


def reroute_targets(db: sqlite_utils.Database, user: User, tip: dict) -> dict[int | None, str]:
    """Where the user may send ``tip``: every other station, and (for a station) back to the
    district center — station names are not secret, the tips of other stations are."""
    if not may_reroute(user):
        return {}
    targets: dict[int | None, str] = {} if tip["station_id"] is None else {None: ""}
    for sid, name in db.execute("SELECT id, name FROM units WHERE kind = 'station' ORDER BY code"):
        if sid != tip["station_id"]:
            targets[sid] = name
    return targets


def reroute(db: sqlite_utils.Database, user: User, tip_id: int, version: int, station_id: int | None,
            reason: str) -> dict:
    """Send a tip to another station, or back to the district center (``station_id`` None):
    district admins, or an admin of the station that holds it. Audited, with the reason in
    the tip's history; the assignee is cleared (the new station assigns its own)."""
    reason = clean_text(reason, 200)
    if not reason:
        raise ValidationError("tips.error.reason_missing", field="reason")
    with write_transaction(db):
        tip = _fresh(db, user, tip_id, version)
        if not may_reroute(user):
            raise ScopeError()
        if station_id == tip["station_id"]:
            raise ValidationError("tips.error.same_station", field="station")
        if station_id is not None and not query_one(db, "SELECT id FROM units WHERE id = ? AND kind = 'station'",
                                                    [station_id]):
            raise ValidationError("tips.error.station", field="station")
        tip = _update(db, user, tip, {"station_id": station_id, "assignee_user_id": None}, action="reroute")
        record_event(db, tip_id, user, "route", text=reason, data={"station_id": station_id})
        return tip


def set_priority(db: sqlite_utils.Database, user: User, tip_id: int, version: int, priority: str) -> dict:
    """Change the priority; the SLA due time follows from the creation time."""
    if priority not in PRIORITIES:
        raise ValidationError("tips.error.priority", field="priority")
    with write_transaction(db):
        tip = _fresh(db, user, tip_id, version)
        return _update(db, user, tip, {"priority": priority, "priority_rank": PRIORITY_RANK[priority],
                                       **tip_clocks.priority_changes(db, tip, priority)},
                       action="set_priority")


def photo_ids(db: sqlite_utils.Database, user: User, tip_id: int) -> list[int]:
    """File ids of a tip's photos, for a user who may see the tip (scope checked)."""
    get_tip(db, user, tip_id)
    return [row[0] for row in db.execute("SELECT file_id FROM tip_photos WHERE tip_id = ? ORDER BY file_id",
                                         [tip_id])]
