"""Online situations (网情处置): something seen inside a group — a rumour, harmful or illegal content, a
brewing conflict, disorder, a public-opinion risk — and its handling.

A situation belongs to the station of its group. Its states live in ``online_situation_states`` with a
type (open/closed): reported → verifying → handled (how: :data:`HANDLINGS`) → closed, the moves of
:data:`TRANSITIONS`; code asks :func:`is_open`. The first action (a move out of ``reported``) is due
within :data:`FIRST_ACTION_HOURS` of the report, by severity. A severe situation needs a station
admin's (or the district's) sign-off before it can be closed. Every change names the ``version`` the
user was shown (:class:`StaleEdit` otherwise) and writes its audit row in the same transaction.

The duty checklist reads the table with SQL: ``first_action_at`` is set at the first move out of
``reported``, ``closed_at`` at the close, ``is_open`` follows the state's type — keep those meanings.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlite_utils

from lib.core import audit, clock, files, query, scope, workflow
from lib.core.auth import User
from lib.core.db import query_one, write_transaction
from lib.core.errors import FieldErrors, InvalidState, NotFoundError, ScopeError, ValidationError
from lib.core.workflow import InvalidTransition, StaleEdit  # noqa: F401  (part of this module's interface)
from lib.i18n.i18n import Msg
from lib.pushes import push_message, pushes
from lib.pushes.targeting import Target
from lib.tips import tips

STATES = ("reported", "verifying", "handled", "closed")
# to state: the states it may be reached from
TRANSITIONS = {
    "verifying": ("reported",),
    "handled": ("reported", "verifying"),
    "closed": ("handled",),
}
CATEGORIES = ("rumour", "harmful", "illegal", "conflict", "disorder", "opinion_risk")
SEVERITIES = ("general", "serious", "severe")
HANDLINGS = ("rebuttal", "content_removed", "member_removed", "referred", "case")
FIRST_ACTION_HOURS = {"severe": 1, "serious": 4, "general": 24}
"""How long after it is logged a situation's first action (verifying or handling it) is due:
severe 1 hour, serious 4 hours, general 24 hours."""
SIGN_OFF_SEVERITIES = ("severe",)  # these need an admin's sign-off before they can be closed
TEXT_MAX = 2000
NOTE_MAX = 500
PAGE_SIZE = 25
GROUP_HISTORY_MAX = 50
REBUTTAL_CATEGORY = "police_bulletin"

# The catalog keys of the codes' names (lib/i18n/messages/online_situations.py), written out so that the
# catalog's checks see every one.
STATE_KEYS = {"reported": "situations.state.reported", "verifying": "situations.state.verifying",
              "handled": "situations.state.handled", "closed": "situations.state.closed"}
CATEGORY_KEYS = {"rumour": "situations.category.rumour", "harmful": "situations.category.harmful",
                 "illegal": "situations.category.illegal", "conflict": "situations.category.conflict",
                 "disorder": "situations.category.disorder", "opinion_risk": "situations.category.opinion_risk"}
SEVERITY_KEYS = {"general": "situations.severity.general", "serious": "situations.severity.serious",
                 "severe": "situations.severity.severe"}
HANDLING_KEYS = {"rebuttal": "situations.handling.rebuttal", "content_removed": "situations.handling.content_removed",
                 "member_removed": "situations.handling.member_removed", "referred": "situations.handling.referred",
                 "case": "situations.handling.case"}

# What a rebuttal push starts from (the push goes to Chinese groups, so its text is Chinese). It never
# quotes the harmful post: the clerk writes the verified facts in.
REBUTTAL_TITLE = "【辟谣】关于“{group}”群内不实信息的说明"
REBUTTAL_TITLE_SHORT = "【辟谣】关于网传不实信息的说明"
REBUTTAL_BODY = ("近日，“{group}”群内有人发布不实信息，引起部分群众关注。经{station}核查，现将有关情况说明如下：\n"
                 "（请在此填写经核实的事实）\n"
                 "请广大群众不信谣、不传谣，以公安机关发布的权威信息为准；发现可疑信息请及时向社区民警反映。")


class SituationErrors(FieldErrors):
    """Several fields of a report refused at once: ``errors`` maps field → (message key, params), so
    that a form can show each message by its field and keep what was typed."""

    def __init__(self):
        super().__init__("situations.error.fields")


# --- states -------------------------------------------------------------------------------------


def state_types(db: sqlite_utils.Database) -> dict[str, str]:
    """Each state's type (open/closed), from ``online_situation_states``."""
    return workflow.state_types(db, "online_situation_states")


def is_open(situation: dict) -> bool:
    """True while the situation is being worked (its state's type is open)."""
    return bool(situation["is_open"])


def allowed_moves(situation: dict) -> list[str]:
    """The states :func:`move` may take the situation to from where it is, in table order."""
    return [to for to, sources in TRANSITIONS.items() if situation["state"] in sources]


def needs_sign_off(situation: dict) -> bool:
    """True while a severe situation waits for an admin's sign-off."""
    return bool(situation["needs_sign_off"]) and situation["signed_off_at"] is None


def can_sign_off(user: User, situation: dict) -> bool:
    """True when ``user`` may sign the situation off now: an admin of its station (or the district's),
    once it is handled, if it needs a sign-off and has none."""
    return (user.is_admin and scope.can_see_station(user, situation["station_id"])
            and situation["state"] == "handled" and needs_sign_off(situation))


def first_action_due(created_at: str, severity: str) -> str:
    """When the first action on a situation of ``severity`` logged at ``created_at`` is due."""
    return clock.stamp(clock.parse(created_at) + timedelta(hours=FIRST_ACTION_HOURS[severity]))


def is_overdue(situation: dict, now: str | None = None) -> bool:
    """True when the first action is still missing and its time has passed."""
    return (situation["first_action_at"] is None and is_open(situation)
            and situation["first_action_due_at"] < (now or clock.utcnow()))


# --- reporting ----------------------------------------------------------------------------------


def _group(db, user: User, group_id) -> dict | None:
    """The group, if it exists and is in the user's scope (another station's reads as unknown)."""
    if isinstance(group_id, bool) or not isinstance(group_id, int):
        return None
    row = query_one(db, "SELECT c.id, c.name, c.station_id, c.status, s.name AS station_name FROM chat_groups c"
                        " JOIN units s ON s.id = c.station_id WHERE c.id = ?", [group_id])
    return row if row and scope.can_see_station(user, row["station_id"]) else None


def _posted_at(value, now: str, errors: SituationErrors) -> str | None:
    if value is None or value == "":
        return None
    try:
        stamp = clock.stamp(value) if isinstance(value, datetime) else clock.stamp(clock.parse(str(value)))
    except (TypeError, ValueError):
        errors.add("posted_at", "situations.error.posted_at")
        return None
    if stamp > now:
        errors.add("posted_at", "situations.error.posted_at_future")
    return stamp


def report(db: sqlite_utils.Database, user: User, *, group_id: int, category: str, severity: str, posted_text: str,
           posted_at: str | datetime | None = None, screenshot: bytes | None = None, now: str | None = None) -> dict:
    """Log a situation seen in a group of the user's scope.

    ``posted_text``: what was posted (1–2,000 characters, shown to staff as text only); ``posted_at``:
    when (a stamp, ISO text or an aware datetime; not in the future), if known; ``screenshot``: an
    image, decoded and re-encoded (EXIF and GPS dropped, size bounded — :mod:`lib.core.files`). The
    first action is due :data:`FIRST_ACTION_HOURS` after ``now``; a severe one needs a sign-off.
    Returns the situation (see :func:`get_situation`). Raises :class:`SituationErrors` with every
    field refused (``group_id``, ``category``, ``severity``, ``posted_text``, ``posted_at``,
    ``screenshot``); nothing is written then.
    """
    now = now or clock.utcnow()
    errors = SituationErrors()
    group = _group(db, user, group_id)
    if group is None:
        errors.add("group_id", "situations.error.group")
    if category not in CATEGORIES:
        errors.add("category", "situations.error.category")
    if severity not in SEVERITIES:
        errors.add("severity", "situations.error.severity")
    text = tips.clean_text(posted_text, TEXT_MAX)
    if not text:
        errors.add("posted_text", "situations.error.text_missing")
    elif len(text) > TEXT_MAX:
        errors.add("posted_text", "situations.error.text_long", max=TEXT_MAX)
    posted = _posted_at(posted_at, now, errors)
    cleaned = None
    if screenshot:
        try:
            cleaned = files.reencode_image(screenshot)  # before the write lock: the slow step
        except ValidationError as exc:
            errors.add("screenshot", exc.key, **exc.params)
    errors.raise_if_any()
    with write_transaction(db):
        file_id = files.store_clean_image(db, user.id, cleaned) if cleaned else None
        row = {"group_id": group["id"], "station_id": group["station_id"], "category": category,
               "severity": severity, "posted_text": text, "posted_at": posted, "screenshot_file_id": file_id,
               "state": "reported", "is_open": 1, "first_action_due_at": first_action_due(now, severity),
               "needs_sign_off": int(severity in SIGN_OFF_SEVERITIES), "reported_by": user.id,
               "created_at": now, "updated_at": now}
        situation_id = db.execute(
            f"INSERT INTO online_situations ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
            list(row.values())).lastrowid
        audit.record(db, user, "create", "online_situations", situation_id, at=now,
                     after={k: row[k] for k in ("group_id", "station_id", "category", "severity",
                                                "screenshot_file_id", "first_action_due_at")})
        return get_situation(db, user, situation_id, now=now)


# --- reading ------------------------------------------------------------------------------------

_COLUMNS = ("s.id, s.group_id, s.station_id, s.category, s.severity, s.posted_text, s.posted_at,"
            " s.screenshot_file_id, s.state, s.is_open, s.handling, s.handling_note, s.first_action_due_at,"
            " s.first_action_at, s.needs_sign_off, s.signed_off_by, s.signed_off_at, s.rebuttal_push_id,"
            " s.reported_by, s.created_at, s.updated_at, s.closed_at, s.version,"
            " c.name AS group_name, st.name AS station_name, r.name AS reporter_name")
_FROM = ("online_situations s JOIN chat_groups c ON c.id = s.group_id JOIN units st ON st.id = s.station_id"
         " LEFT JOIN users r ON r.id = s.reported_by")
_OVERDUE = "(s.first_action_at IS NULL AND s.is_open = 1 AND s.first_action_due_at < ?)"


def get_situation(db: sqlite_utils.Database, user: User, situation_id: int, *, now: str | None = None) -> dict:
    """One situation in the user's scope (another station's reads as not found), with its group's,
    station's, reporter's and signer's names, ``is_overdue`` (at ``now``) and ``handled_at`` (from
    its audit rows: the row keeps no column for it)."""
    row = query_one(
        db, f"SELECT {_COLUMNS}, {_OVERDUE} AS is_overdue, so.name AS signer_name,"
            " (SELECT MIN(a.at) FROM audit_log a WHERE a.entity = 'online_situations'"
            "  AND a.entity_id = CAST(s.id AS TEXT) AND json_extract(a.after, '$.state') = 'handled') AS handled_at"
            f" FROM {_FROM} LEFT JOIN users so ON so.id = s.signed_off_by WHERE s.id = ?",
        [now or clock.utcnow(), situation_id])
    if not row:
        raise NotFoundError()
    scope.require_station(user, row["station_id"])
    return row


def screenshot(db: sqlite_utils.Database, user: User, situation_id: int) -> tuple[bytes, str] | None:
    """(bytes, mime) of the situation's screenshot, or None; the situation must be in the user's scope."""
    situation = get_situation(db, user, situation_id)
    if situation["screenshot_file_id"] is None:
        return None
    try:
        return files.read_file(db, user, situation["screenshot_file_id"])
    except (NotFoundError, OSError):
        return None  # its file is gone from disk: the page says "no screenshot" rather than fail


def _where(user: User, *, station_id, state, open_only: bool, overdue: bool, now: str) -> tuple[str, list]:
    condition, params = scope.station_condition(user, station_id, "s.station_id")
    where = [condition]
    if state:
        if state not in STATES:
            raise ValidationError("situations.error.state", field="state")
        where.append("s.state = ?")
        params.append(state)
    elif open_only:
        where.append("s.is_open = 1")
    if overdue:
        where.append(_OVERDUE)
        params.append(now)
    return " AND ".join(where) or "1 = 1", params


def list_situations(db: sqlite_utils.Database, user: User, *, station_id: int | None = None, state: str | None = None,
                    overdue: bool = False, open_only: bool = False, page: int = 1, page_size: int = PAGE_SIZE,
                    now: str | None = None) -> query.Page:
    """A page of the situations in the user's scope: open ones first — those still waiting for their
    first action by due time — then the newest.

    Filters: a ``station_id`` (district staff; a station's user asking for another station gets
    ScopeError), one ``state`` (or ``open_only``), ``overdue`` (first action missing past its time at
    ``now``). Each row carries the group's and station's names and ``is_overdue``.
    """
    now = now or clock.utcnow()
    where, params = _where(user, station_id=station_id, state=state, open_only=open_only, overdue=overdue, now=now)
    return query.fetch_page(
        db, select=f"{_COLUMNS}, {_OVERDUE} AS is_overdue", select_params=[now], source=_FROM,
        count_source="online_situations s", where=where, params=params,
        order="s.is_open DESC, (s.first_action_at IS NULL AND s.is_open = 1) DESC,"
              " CASE WHEN s.first_action_at IS NULL THEN s.first_action_due_at END, s.created_at DESC, s.id DESC",
        page=page, page_size=page_size)


def counts(db: sqlite_utils.Database, user: User, now: str | None = None, *,
           station_id: int | None = None) -> dict[str, int]:
    """In the user's scope (or one station of it): ``open`` situations, ``overdue`` (open, first action
    missing past its due time at ``now``) and ``awaiting_sign_off`` (handled severe ones not yet signed)."""
    now = now or clock.utcnow()
    where, params = _where(user, station_id=station_id, state=None, open_only=True, overdue=False, now=now)
    row = db.execute(
        f"SELECT COUNT(*), COALESCE(SUM({_OVERDUE}), 0),"
        " COALESCE(SUM(s.state = 'handled' AND s.needs_sign_off = 1 AND s.signed_off_at IS NULL), 0)"
        f" FROM online_situations s WHERE {where}", [now, *params]).fetchone()
    return {"open": row[0], "overdue": row[1], "awaiting_sign_off": row[2]}


def list_for_group(db: sqlite_utils.Database, user: User, group_id: int) -> list[dict]:
    """The situations of one group of the user's scope, newest first (at most
    :data:`GROUP_HISTORY_MAX`): the group's history in the registry."""
    group = query_one(db, "SELECT station_id FROM chat_groups WHERE id = ?", [group_id])
    if not group:
        raise NotFoundError()
    scope.require_station(user, group["station_id"])
    return list(db.query(
        "SELECT id, category, severity, state, is_open, handling, created_at, first_action_at, closed_at"
        " FROM online_situations WHERE group_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
        [group_id, GROUP_HISTORY_MAX]))


def group_choices(db: sqlite_utils.Database, user: User, station_id: int | None = None) -> list[dict]:
    """The active groups a situation can be logged for: a station's user's own station's, or (district
    staff) those of ``station_id``; ``id``, ``name``, ``grid_name``, by name."""
    sid = scope.filter_station(user, station_id)
    if sid is None:
        return []
    return list(db.query(
        "SELECT c.id, c.name, g.name AS grid_name FROM chat_groups c JOIN grids g ON g.id = c.grid_id"
        " WHERE c.station_id = ? AND c.status = 'active' ORDER BY c.name, c.id", [sid]))


# --- handling -----------------------------------------------------------------------------------


def _fresh(db, user: User, situation_id: int, version: int, now: str | None = None) -> dict:
    return workflow.check_version(get_situation(db, user, situation_id, now=now), version, "situations.error.stale")


def _update(db, user: User, situation: dict, changes: dict, *, action: str, audit_after: dict | None = None) -> dict:
    return workflow.versioned_update(db, user, "online_situations", situation, changes, action=action,
                                     stale_key="situations.error.stale", audit_after=audit_after)


def move(db: sqlite_utils.Database, user: User, situation_id: int, version: int, to_state: str, *,
         handling: str | None = None, note: str | None = None, now: str | None = None) -> dict:
    """Move a situation along :data:`TRANSITIONS`: to ``verifying``, to ``handled`` (``handling``, one of
    :data:`HANDLINGS`, required; ``note``, up to 500 characters, kept with it) or to ``closed`` (a severe
    one only once signed off). The first move out of ``reported`` sets ``first_action_at``; the close
    sets ``closed_at``. A note on another move goes to the audit row; ``handling`` is kept only by a move
    to ``handled``. Returns the situation.

    Raises InvalidTransition, StaleEdit, ValidationError, InvalidState (``situations.error.needs_sign_off``),
    NotFoundError.
    """
    now = now or clock.utcnow()
    if to_state not in TRANSITIONS:
        raise InvalidTransition("situations.error.state")
    note = tips.clean_text(note, NOTE_MAX)
    if len(note) > NOTE_MAX:
        raise ValidationError("situations.error.note_long", field="note", max=NOTE_MAX)
    if to_state == "handled" and handling not in HANDLINGS:
        raise ValidationError("situations.error.handling", field="handling")
    with write_transaction(db):
        situation = _fresh(db, user, situation_id, version, now)
        if situation["state"] not in TRANSITIONS[to_state]:
            raise InvalidTransition("situations.error.transition", state=Msg(STATE_KEYS[situation["state"]]),
                                    to=Msg(STATE_KEYS[to_state]))
        if to_state == "closed" and needs_sign_off(situation):
            raise InvalidState("situations.error.needs_sign_off")
        changes: dict = {"state": to_state, "is_open": int(state_types(db)[to_state] == "open")}
        if situation["first_action_at"] is None:
            changes["first_action_at"] = now
        if to_state == "handled":
            changes["handling"] = handling
            changes["handling_note"] = note or None
        if not changes["is_open"]:
            changes["closed_at"] = now
        _update(db, user, situation, changes, action="move",
                audit_after={"note": note} if note and to_state != "handled" else None)
        return get_situation(db, user, situation_id, now=now)


def sign_off(db: sqlite_utils.Database, user: User, situation_id: int, version: int, *,
             now: str | None = None) -> dict:
    """An admin of the situation's station (or a district admin) signs off a handled severe situation,
    which may then be closed. Returns the situation. Raises ScopeError (not an admin), InvalidState
    (nothing to sign, or not handled yet), StaleEdit, NotFoundError."""
    now = now or clock.utcnow()
    with write_transaction(db):
        situation = _fresh(db, user, situation_id, version, now)
        if not user.is_admin:
            raise ScopeError("situations.error.sign_off_role")
        if not needs_sign_off(situation):
            raise InvalidState("situations.error.sign_off_none")
        if situation["state"] != "handled":
            raise InvalidState("situations.error.sign_off_state")
        _update(db, user, situation, {"signed_off_by": user.id, "signed_off_at": now}, action="sign_off")
        return get_situation(db, user, situation_id, now=now)


def rebuttal_text(situation: dict) -> tuple[str, str]:
    """(title, body) a rebuttal push starts from: it names the group and the station, never the post."""
    title = REBUTTAL_TITLE.format(group=situation["group_name"])
    if len(title) > push_message.TITLE_MAX:
        title = REBUTTAL_TITLE_SHORT
    return title, REBUTTAL_BODY.format(group=situation["group_name"], station=situation["station_name"])


def start_rebuttal(db: sqlite_utils.Database, user: User, situation_id: int, version: int) -> dict:
    """Start a 辟谣 push for an open situation: a police-bulletin draft (``pushes.new_draft``, then
    ``save_draft``) with :func:`rebuttal_text`, addressed to the situation's group only; its id is kept
    in ``rebuttal_push_id``. A station's user drafts a push of their station, a district admin a
    district push (the four eyes of lib/pushes/pushes.py apply before it is sent). Refused while an
    earlier rebuttal push is still open. Returns the push."""
    with write_transaction(db):
        situation = _fresh(db, user, situation_id, version)
        if not is_open(situation):
            raise InvalidState("situations.error.closed")
        if situation["rebuttal_push_id"] is not None:
            earlier = query_one(db, "SELECT id, state FROM pushes WHERE id = ?", [situation["rebuttal_push_id"]])
            if earlier and pushes.is_open(earlier):
                raise InvalidState("situations.error.rebuttal_exists", id=earlier["id"])
        title, body = rebuttal_text(situation)
        push = pushes.new_draft(db, user, REBUTTAL_CATEGORY)
        push = pushes.save_draft(db, user, push["id"], push["version"], title=title, body=body,
                                 fields={"where": f"“{situation['group_name']}”群"},
                                 target=Target(group_ids=[situation["group_id"]], use_filter=False))
        _update(db, user, situation, {"rebuttal_push_id": push["id"]}, action="start_rebuttal")
        return push
