"""Mediation cases (远程视频调解): civil disputes settled over video, with parties who may be abroad
(a Haimen merchant in Kenya, say).

A case belongs to one station and may come from a tip (:func:`open_from_tip`) or be opened directly
for a walk-in dispute (:func:`open_case`). Its states live in ``mediation_case_states`` with a type
(open/closed); moves are the :data:`TRANSITIONS` table; code asks :func:`is_open`. The case is the unit
of optimistic locking: every change to it, its parties or its sessions names the ``version`` the
user was shown and bumps it, so an edit made meanwhile by someone else is refused, not overwritten.

Times: a session is stored in UTC and entered in Beijing time; each party has an IANA time zone, and
:func:`lib.mediation.timezones.party_times` shows a session in every party's local time, flagged when it falls outside
08:00–22:00 there.
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime, timedelta

import sqlite_utils

from lib.core import audit, clock, query, scope, taxonomy, workflow
from lib.core.auth import User
from lib.core.clock import utcnow
from lib.core.db import query_one, write_transaction
from lib.core.errors import InvalidState, NotFoundError, ScopeError, ValidationError
from lib.core.workflow import InvalidTransition, StaleEdit  # noqa: F401  (part of this module's interface)
from lib.i18n import i18n
from lib.mediation import timezones
from lib.tips import tips

STATES = ("accepted", "scheduled", "settled", "not_settled", "closed", "withdrawn")
# action: (from states, to state). "schedule" happens through schedule_session (it needs a session).
TRANSITIONS = {
    "schedule": (("accepted", "scheduled"), "scheduled"),
    "settle": (("accepted", "scheduled"), "settled"),
    "fail": (("accepted", "scheduled"), "not_settled"),
    "close": (("settled", "not_settled"), "closed"),
    "withdraw": (("accepted", "scheduled"), "withdrawn"),
    "reopen": (("settled", "not_settled", "closed", "withdrawn"), "accepted"),
}
MOVES = tuple(a for a in TRANSITIONS if a != "schedule")
NEEDS_OUTCOME = ("settle", "fail")
NEEDS_REASON = ("withdraw", "reopen")

ROLES = ("applicant", "respondent", "other")
PLATFORMS = ("wechat", "wecom", "tencent_meeting", "police_messenger", "other")
SESSION_RESULTS = ("held", "missed", "cancelled")
LANGUAGES = ("zh", "en", "fr", "ar", "es", "it", "pt", "ru", "id", "sw", "vi", "other")
TITLE_MAX = 60
SUMMARY_MIN, SUMMARY_MAX = 5, 2000
OUTCOME_MAX = 1000
REASON_MAX = 200
NAME_MAX = 30
NOTE_MAX = 200
ROOM_MAX = 100
PARTIES_MAX = 10
AMOUNT_MAX = 100_000_000
DURATION_MIN, DURATION_MAX = 5, 480
SCHEDULE_AHEAD_DAYS = 365
PAGE_SIZE = 25
SEARCH_MAX = 40
_PHONE = re.compile(r"^\+?\d[\d-]{3,22}\d$")  # Chinese mobiles and landlines, and +254 712 345 678
_STAMP = clock.STAMP


def state_types(db: sqlite_utils.Database) -> dict[str, str]:
    """Each state's type (open/closed), from ``mediation_case_states``."""
    return workflow.state_types(db, "mediation_case_states")


def is_open(case: dict) -> bool:
    """True while the case is being worked (its state's type is open)."""
    return bool(case["is_open"])


def allowed_moves(case: dict) -> list[str]:
    """The actions of :func:`move` that the case's state allows, in table order."""
    return [a for a in MOVES if case["state"] in TRANSITIONS[a][0]]


def can_schedule(case: dict) -> bool:
    """True when the case's state allows planning a session (:func:`schedule_session`)."""
    return case["state"] in TRANSITIONS["schedule"][0]


# --- input ----------------------------------------------------------------------------------


def _text(value, limit: int) -> str:
    return tips.clean_text(value, limit)  # the tips' cleaning: control characters out, spaces folded


def _text_at_most(value, limit: int, key: str, field: str, **params) -> str:
    """Cleaned text, or the refusal ``key`` when it is longer than ``limit``."""
    text = _text(value, limit)
    if len(text) > limit:
        raise ValidationError(key, field=field, max=limit, **params)
    return text


def _amount(value) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(str(value).replace(",", "").replace("，", "").replace("元", "").strip())
    except ValueError:
        raise ValidationError("mediation.error.amount", field="amount", max=AMOUNT_MAX) from None
    if not math.isfinite(number) or not 0 <= number <= AMOUNT_MAX:
        raise ValidationError("mediation.error.amount", field="amount", max=AMOUNT_MAX)
    return round(number, 2)


def clean_party(values: dict, n: int = 1) -> dict:
    """A party's columns, cleaned; ``n`` (its position, from 1) names it in a refusal."""
    role = values.get("role") or "applicant"
    if role not in ROLES:
        raise ValidationError("mediation.error.party_role", field="role", n=n)
    name = _text(values.get("name"), NAME_MAX)
    if not name:
        raise ValidationError("mediation.error.party_name", field="name", n=n)
    if len(name) > NAME_MAX:
        raise ValidationError("mediation.error.party_name_long", field="name", n=n, max=NAME_MAX)
    phone = re.sub(r"[\s()（）.]", "", str(values.get("phone") or ""))
    if phone and (not _PHONE.match(phone) or not 5 <= sum(ch.isdigit() for ch in phone) <= 20):
        raise ValidationError("mediation.error.party_phone", field="phone", n=n)
    country = (values.get("country") or "").strip().upper() or None
    if country is not None and country not in timezones.COUNTRY_ZONES:
        raise ValidationError("mediation.error.party_country", field="country", n=n)
    zone = (values.get("time_zone") or "").strip() or timezones.zone_for_country(country)
    if not timezones.is_valid_zone(zone):
        raise ValidationError("mediation.error.party_zone", field="time_zone", n=n)
    language = values.get("language") or "zh"
    if language not in LANGUAGES:
        raise ValidationError("mediation.error.party_language", field="language", n=n)
    note = _text_at_most(values.get("note"), NOTE_MAX, "mediation.error.party_note_long", "note", n=n)
    return {"role": role, "name": name, "phone": phone or None, "country": country, "time_zone": zone,
            "language": language, "note": note or None}


def _case_values(values: dict) -> dict:
    title = _text(values.get("title"), TITLE_MAX)
    if not title:
        raise ValidationError("mediation.error.title", field="title")
    if len(title) > TITLE_MAX:
        raise ValidationError("mediation.error.title_long", field="title", max=TITLE_MAX)
    dispute_type = values.get("dispute_type")
    if not taxonomy.is_code("dispute_types", dispute_type):
        raise ValidationError("mediation.error.dispute_type", field="dispute_type")
    summary = _text(values.get("summary"), SUMMARY_MAX)
    if len(summary) < SUMMARY_MIN:
        raise ValidationError("mediation.error.summary_short", field="summary", min=SUMMARY_MIN)
    if len(summary) > SUMMARY_MAX:
        raise ValidationError("mediation.error.summary_long", field="summary", max=SUMMARY_MAX)
    return {"title": title, "dispute_type": dispute_type, "summary": summary}


def _check_mediator(db, station_id: int, user_id) -> int:
    """A mediator is an active user of the case's station (or its outposts) or of the district center."""
    row = query_one(db, "SELECT u.id, un.kind, COALESCE(un.station_id, un.id) AS station_id FROM users u"
                        " JOIN units un ON un.id = u.unit_id WHERE u.id = ? AND u.is_active = 1", [user_id])
    if not row or (row["kind"] != "district_center" and row["station_id"] != station_id):
        raise ValidationError("mediation.error.mediator", field="mediator")
    return row["id"]


def list_mediators(db: sqlite_utils.Database, user: User, station_id: int) -> list[dict]:
    """Who may mediate a case of ``station_id``: its officers, then the district center's staff."""
    scope.require_station(user, station_id)
    return list(db.query(
        "SELECT u.id, u.name, un.name AS unit_name, un.kind = 'district_center' AS is_district FROM users u"
        " JOIN units un ON un.id = u.unit_id WHERE u.is_active = 1"
        " AND (COALESCE(un.station_id, un.id) = ? AND un.kind != 'district_center' OR un.kind = 'district_center')"
        " ORDER BY un.kind = 'district_center', u.name, u.id", [station_id]))


# --- opening a case ----------------------------------------------------------------------------


def station_short_name(name: str) -> str:
    """'三星派出所' → '三星': the prefix of a case number."""
    return name.removesuffix("派出所") or name


def _number(db, station_id: int, now: str) -> tuple[str, int, int]:
    """(case_no, year, seq): the station's next number of the (Beijing) year, e.g. 三星-2026-0012.
    Runs inside the write transaction, so two cases never draw the same number."""
    year = timezones.to_beijing(now).year
    seq = db.execute("SELECT COALESCE(MAX(case_seq), 0) + 1 FROM mediation_cases WHERE station_id = ? AND"
                     " case_year = ?", [station_id, year]).fetchone()[0]
    name = db.execute("SELECT name FROM units WHERE id = ?", [station_id]).fetchone()[0]
    return f"{station_short_name(name)}-{year}-{seq:04d}", year, seq


def _event(db, case_id: int, user: User | None, kind: str, *, text: str | None = None, data: dict | None = None,
           at: str | None = None) -> None:
    db.execute("INSERT INTO mediation_events (case_id, at, user_id, kind, text, data) VALUES (?, ?, ?, ?, ?, ?)",
               [case_id, at or utcnow(), user.id if user else None, kind, text,
                json.dumps(data, ensure_ascii=False) if data else None])


def _insert_party(db, case_id: int, party: dict, now: str) -> int:
    row = {**party, "case_id": case_id, "created_at": now, "updated_at": now}
    return db.execute(f"INSERT INTO mediation_parties ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                      list(row.values())).lastrowid


def _clean_parties(parties) -> list[dict]:
    parties = list(parties or [])
    if len(parties) > PARTIES_MAX:
        raise ValidationError("mediation.error.parties_max", field="parties", max=PARTIES_MAX)
    return [clean_party(p, n) for n, p in enumerate(parties, start=1)]


def _create(db, user: User, station_id: int, values: dict, parties: list[dict], *, tip_id: int | None = None,
            mediator_user_id=None) -> int:
    """Write a case and its parties (inside the caller's transaction); returns its id."""
    now = utcnow()
    mediator = _check_mediator(db, station_id, mediator_user_id if mediator_user_id is not None else user.id)
    case_no, year, seq = _number(db, station_id, now)
    row = {**values, "case_no": case_no, "case_year": year, "case_seq": seq, "station_id": station_id,
           "tip_id": tip_id, "state": "accepted", "is_open": 1, "mediator_user_id": mediator,
           "created_by": user.id, "created_at": now, "updated_at": now}
    case_id = db.execute(f"INSERT INTO mediation_cases ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                         list(row.values())).lastrowid
    for party in parties:
        _insert_party(db, case_id, party, now)
    _event(db, case_id, user, "created", data={"tip_id": tip_id, "case_no": case_no}, at=now)
    audit.record(db, user, "create", "mediation_cases", case_id,
                 after={"case_no": case_no, "station_id": station_id, "tip_id": tip_id,
                        "dispute_type": values["dispute_type"], "parties": len(parties)})
    return case_id


def open_case(db: sqlite_utils.Database, user: User, values: dict, parties: list[dict] | None = None) -> dict:
    """Open a case for a dispute brought to the station directly (a walk-in, a call).

    ``values``: ``title``, ``dispute_type`` (a code of the ``dispute_types`` taxonomy), ``summary``,
    optionally ``mediator_user_id`` (default: the user) and ``station_id`` (required for district
    staff; a station's user opens cases of their own station only). ``parties``: dicts of ``role``,
    ``name``, ``phone``, ``country``, ``time_zone``, ``language``, ``note`` — none required at opening,
    but a session can only be scheduled once an applicant and a respondent are recorded.
    Returns the case (see :func:`get_case`). Raises ValidationError, ScopeError.
    """
    clean = _case_values(values)
    clean_parties = _clean_parties(parties)
    station_id = values.get("station_id")
    if not user.is_district:
        if station_id not in (None, user.station_id) or user.station_id is None:
            raise ScopeError()
        station_id = user.station_id
    with write_transaction(db):
        if station_id is None or not db.execute("SELECT 1 FROM units WHERE id = ? AND kind = 'station'",
                                                [station_id]).fetchone():
            raise ValidationError("mediation.error.station", field="station")
        case_id = _create(db, user, station_id, clean, clean_parties,
                          mediator_user_id=values.get("mediator_user_id"))
        return get_case(db, user, case_id)


def open_case_of_tip(db: sqlite_utils.Database, user: User, tip_id: int) -> dict | None:
    """The open case made from a tip, if any (``id``, ``case_no``, ``state``), in the user's scope."""
    row = query_one(db, "SELECT id, case_no, state, station_id FROM mediation_cases WHERE tip_id = ? AND is_open = 1",
                    [tip_id])
    if row is None or not scope.can_see_station(user, row["station_id"]):
        return None
    return row


def open_from_tip(db: sqlite_utils.Database, user: User, tip_id: int, tip_version: int, values: dict,
                  parties: list[dict] | None = None) -> dict:
    """Turn a dispute reported as a tip into a mediation case of the tip's station.

    The tip is read with its scope rules (:func:`lib.tips.tips.get_tip`) and must still be at
    ``tip_version``; the case links it and takes its description as the summary (unless
    ``values['summary']`` is given); ``title`` defaults to the description's first words. In the
    same transaction the tip gets a ``mediation_opened`` event (data ``{"case_id", "case_no"}``).
    A tip has at most one open case. Returns the case.

    Raises NotFoundError (no such tip, or outside the user's scope), lib.tips.tips.StaleEdit (the tip
    changed), ValidationError (``mediation.error.tip_has_case`` with ``case_no``/``case_id`` of the
    open case; ``mediation.error.tip_unrouted``; ``mediation.error.tip_duplicate``; bad values).
    """
    clean_parties = _clean_parties(parties)
    with write_transaction(db):
        tip = tips.get_tip(db, user, tip_id)
        if tip["version"] != tip_version:
            raise tips.StaleEdit("tips.error.stale")
        if tip["station_id"] is None:
            raise ValidationError("mediation.error.tip_unrouted", field="tip_id")
        if tip["state"] == "duplicate":
            raise ValidationError("mediation.error.tip_duplicate", field="tip_id", id=tip["duplicate_of"])
        existing = query_one(db, "SELECT id, case_no FROM mediation_cases WHERE tip_id = ? AND is_open = 1", [tip_id])
        if existing:
            raise ValidationError("mediation.error.tip_has_case", field="tip_id", case_no=existing["case_no"],
                                  case_id=existing["id"])
        description = " ".join(tip["description"].split())
        clean = _case_values({**values, "summary": values.get("summary") or tip["description"],
                              "title": values.get("title") or description[:24]})
        case_id = _create(db, user, tip["station_id"], clean, clean_parties, tip_id=tip_id,
                          mediator_user_id=values.get("mediator_user_id"))
        case = get_case(db, user, case_id)
        tips.record_event(db, tip_id, user, "mediation_opened", data={"case_id": case_id, "case_no": case["case_no"]})
        return case


def tip_event_text(data: dict | str | None, lang: str) -> str:
    """The line a tip's history shows for its ``mediation_opened`` event."""
    data = json.loads(data) if isinstance(data, str) else (data or {})
    return i18n.t("mediation.tip_event", lang, case_no=data.get("case_no") or f"#{data.get('case_id')}")


# --- reading ---------------------------------------------------------------------------------

_CASE_COLUMNS = ("c.id, c.case_no, c.station_id, c.tip_id, c.title, c.dispute_type, c.summary, c.state, c.is_open,"
                 " c.mediator_user_id, c.outcome, c.agreement_amount, c.created_by, c.created_at, c.updated_at,"
                 " c.closed_at, c.version, s.name AS station_name, m.name AS mediator_name")
_CASE_FROM = ("mediation_cases c JOIN units s ON s.id = c.station_id"
              " LEFT JOIN users m ON m.id = c.mediator_user_id")


def get_case(db: sqlite_utils.Database, user: User, case_id: int) -> dict:
    """One case in the user's scope (another station's reads as not found)."""
    row = query_one(db, f"SELECT {_CASE_COLUMNS} FROM {_CASE_FROM} WHERE c.id = ?", [case_id])
    if not row:
        raise NotFoundError()
    scope.require_station(user, row["station_id"])
    return row


def _next_session(sessions: list[dict], now: str) -> dict | None:
    """The first planned session that has not ended yet."""
    for s in sessions:
        end = timezones.parse_utc(s["starts_at"]) + timedelta(minutes=s["duration_minutes"])
        if s["state"] == "planned" and end.strftime(_STAMP) >= now:
            return s
    return None


def get_case_detail(db: sqlite_utils.Database, user: User, case_id: int, *, now: str | None = None) -> dict:
    """Everything the case page shows: the case, its linked tip (tracking code, description — if
    the user may see the tip), parties, sessions (by time), timeline (oldest first), the next
    session and every party's local time for it."""
    now = now or utcnow()
    case = get_case(db, user, case_id)
    tip = None
    if case["tip_id"] is not None:
        try:
            found = tips.get_tip(db, user, case["tip_id"])
            tip = {k: found[k] for k in ("id", "tracking_code", "kind", "state", "description", "created_at")}
        except NotFoundError:
            tip = {"id": case["tip_id"], "tracking_code": None, "description": None}  # since routed elsewhere
    parties = list(db.query("SELECT * FROM mediation_parties WHERE case_id = ? ORDER BY id", [case_id]))
    sessions = list(db.query("SELECT * FROM mediation_sessions WHERE case_id = ? ORDER BY starts_at, id", [case_id]))
    events = list(db.query("SELECT e.*, u.name AS user_name FROM mediation_events e LEFT JOIN users u"
                           " ON u.id = e.user_id WHERE e.case_id = ? ORDER BY e.id", [case_id]))
    upcoming = _next_session(sessions, now)
    return {"case": case, "tip": tip, "parties": parties, "sessions": sessions, "events": events,
            "next_session": upcoming,
            "party_times": timezones.party_times(parties, upcoming["starts_at"], upcoming["duration_minutes"])
            if upcoming else []}


def _where(user: User, *, state, station_id, text, open_only) -> tuple[str, list]:
    condition, params = scope.station_condition(user, station_id, "c.station_id")
    where = [condition]
    if state:
        where.append("c.state = ?")
        params.append(state)
    elif open_only:
        where.append("c.is_open = 1")
    text = " ".join(str(text or "").split())[:SEARCH_MAX]
    if text:
        like = query.like_pattern(text)
        where.append("(c.case_no LIKE ? ESCAPE '\\' OR c.title LIKE ? ESCAPE '\\' OR c.summary LIKE ? ESCAPE '\\'"
                     " OR EXISTS (SELECT 1 FROM mediation_parties p WHERE p.case_id = c.id"
                     " AND (p.name LIKE ? ESCAPE '\\' OR p.phone LIKE ? ESCAPE '\\')))")
        params += [like] * 5
    return " AND ".join(where) or "1 = 1", params


def list_cases(db: sqlite_utils.Database, user: User, *, state: str | None = None, station_id: int | None = None,
               text: str = "", page: int = 1, page_size: int = PAGE_SIZE, open_only: bool = False,
               now: str | None = None) -> query.Page:
    """A page of the cases in the user's scope, most recently changed first.

    Filters: one ``state`` (or ``open_only``), a ``station_id`` (district staff; a station's user
    asking for another station gets ScopeError), ``text`` in the case number, title, summary or a
    party's name or phone. Returns a :class:`lib.core.query.Page`; each row carries the
    station and mediator names, the parties' names, ``abroad_countries`` (codes of the parties'
    countries other than China, comma-separated, or None) and ``next_session_at``.
    """
    now = now or utcnow()
    where, params = _where(user, state=state, station_id=station_id, text=text, open_only=open_only)
    return query.fetch_page(
        db, select=f"{_CASE_COLUMNS},"
        " (SELECT group_concat(name, '、') FROM (SELECT name FROM mediation_parties p WHERE p.case_id = c.id"
        "  ORDER BY p.id)) AS party_names,"
        " (SELECT group_concat(DISTINCT p.country) FROM mediation_parties p WHERE p.case_id = c.id"
        "  AND p.country != 'CN') AS abroad_countries,"
        " (SELECT MIN(starts_at) FROM mediation_sessions ms WHERE ms.case_id = c.id AND ms.state = 'planned'"
        "  AND strftime('%Y-%m-%dT%H:%M:%SZ', ms.starts_at, '+' || ms.duration_minutes || ' minutes') >= ?)"
        "  AS next_session_at", select_params=[now],
        source=_CASE_FROM, count_source="mediation_cases c", where=where, params=params,
        order="c.updated_at DESC, c.id DESC", page=page, page_size=page_size)


def case_counts(db: sqlite_utils.Database, user: User, *, station_id: int | None = None) -> dict[str, int]:
    """How many cases are in each state (every state listed, zeros included), in the user's scope."""
    where, params = _where(user, state=None, station_id=station_id, text="", open_only=False)
    counts = dict.fromkeys(STATES, 0)
    for state, n in db.execute(f"SELECT c.state, COUNT(*) FROM mediation_cases c WHERE {where} GROUP BY c.state",
                               params):
        counts[state] = n
    return counts


def workload(db: sqlite_utils.Database, user: User, *, now: str | None = None, days: int = 7) -> dict[str, int]:
    """For the workbench: open cases in the user's scope, and video sessions planned from
    ``now`` to ``days`` days ahead."""
    where, params = _where(user, state=None, station_id=None, text="", open_only=True)
    now = now or utcnow()
    until = (timezones.parse_utc(now) + timedelta(days=days)).strftime(_STAMP)
    open_cases = db.execute(f"SELECT COUNT(*) FROM mediation_cases c WHERE {where}", params).fetchone()[0]
    sessions = db.execute(f"SELECT COUNT(*) FROM mediation_sessions m JOIN mediation_cases c ON c.id = m.case_id"
                          f" WHERE {where} AND m.state = 'planned' AND m.starts_at >= ? AND m.starts_at < ?",
                          [*params, now, until]).fetchone()[0]
    return {"open": open_cases, "sessions": sessions}


# --- work on a case ---------------------------------------------------------------------------


def _fresh(db, user: User, case_id: int, version: int) -> dict:
    return workflow.check_version(get_case(db, user, case_id), version, "mediation.error.stale")


def _require_open(case: dict) -> None:
    if not is_open(case):
        raise InvalidState("mediation.error.case_closed")


def _update(db, user: User, case: dict, changes: dict, *, action: str, audit_after: dict | None = None) -> dict:
    """Apply ``changes`` to the case at the version read, bump the version, audit it."""
    return workflow.versioned_update(db, user, "mediation_cases", case, changes, action=action,
                                     stale_key="mediation.error.stale", audit_after=audit_after)


def move(db: sqlite_utils.Database, user: User, case_id: int, version: int, action: str, *,
         outcome: str | None = None, amount=None, reason: str | None = None) -> dict:
    """Move a case along :data:`TRANSITIONS`: ``settle`` (``outcome`` required, ``amount`` of the
    agreement in yuan optional), ``fail`` (``outcome``: why, and what the parties were told),
    ``close``, ``withdraw`` (``reason``; planned sessions are cancelled), ``reopen`` (``reason``).
    Returns the case. Raises InvalidTransition, StaleEdit, ValidationError, NotFoundError.
    """
    if action not in MOVES:
        raise InvalidTransition("mediation.error.action", action=action)
    sources, target = TRANSITIONS[action]
    outcome, reason = _text(outcome, OUTCOME_MAX), _text(reason, REASON_MAX)
    with write_transaction(db):
        case = _fresh(db, user, case_id, version)
        if case["state"] not in sources:
            raise InvalidTransition("mediation.error.transition", action=action)
        changes: dict = {"state": target, "is_open": int(state_types(db)[target] == "open")}
        if action in NEEDS_OUTCOME:
            if not outcome:
                raise ValidationError("mediation.error.outcome_missing", field="outcome")
            if len(outcome) > OUTCOME_MAX:
                raise ValidationError("mediation.error.outcome_long", field="outcome", max=OUTCOME_MAX)
            changes["outcome"] = outcome
            changes["agreement_amount"] = _amount(amount) if action == "settle" else None
        if action in NEEDS_REASON:
            if not reason:
                raise ValidationError("mediation.error.reason_missing", field="reason")
            if len(reason) > REASON_MAX:
                raise ValidationError("mediation.error.reason_long", field="reason", max=REASON_MAX)
        if action == "reopen":
            changes["outcome"] = changes["agreement_amount"] = None
            if case["tip_id"] is not None and not is_open(case):
                other = query_one(db, "SELECT case_no FROM mediation_cases WHERE tip_id = ? AND is_open = 1",
                                  [case["tip_id"]])
                if other:
                    raise ValidationError("mediation.error.tip_has_case", field="tip_id", case_no=other["case_no"])
        if action == "withdraw":
            db.execute("UPDATE mediation_sessions SET state = 'cancelled', note = ?, recorded_by = ?, recorded_at = ?"
                       " WHERE case_id = ? AND state = 'planned'", [reason, user.id, utcnow(), case_id])
        if not changes["is_open"]:
            changes["closed_at"] = utcnow()
        elif not is_open(case):
            changes["closed_at"] = None
        case = _update(db, user, case, changes, action=action)
        data = {"action": action, "to": target}
        if changes.get("agreement_amount") is not None:
            data["amount"] = changes["agreement_amount"]
        _event(db, case_id, user, "state", text=outcome or reason or None, data=data)
        return get_case(db, user, case_id)


def assign_mediator(db: sqlite_utils.Database, user: User, case_id: int, version: int, mediator_user_id: int) -> dict:
    """Hand the case to another mediator: a user of the case's station or of the district center."""
    with write_transaction(db):
        case = _fresh(db, user, case_id, version)
        _require_open(case)
        mediator = _check_mediator(db, case["station_id"], mediator_user_id)
        _update(db, user, case, {"mediator_user_id": mediator}, action="assign_mediator")
        name = db.execute("SELECT name FROM users WHERE id = ?", [mediator]).fetchone()[0]
        _event(db, case_id, user, "mediator", data={"user_id": mediator, "name": name})
        return get_case(db, user, case_id)


def _party_count(db, case_id: int) -> int:
    return db.execute("SELECT COUNT(*) FROM mediation_parties WHERE case_id = ?", [case_id]).fetchone()[0]


def add_party(db: sqlite_utils.Database, user: User, case_id: int, version: int, party: dict) -> dict:
    """Record one more party of an open case. Returns the case (its version bumped)."""
    with write_transaction(db):
        case = _fresh(db, user, case_id, version)
        _require_open(case)
        count = _party_count(db, case_id)
        if count >= PARTIES_MAX:
            raise ValidationError("mediation.error.parties_max", field="parties", max=PARTIES_MAX)
        clean = clean_party(party, count + 1)
        party_id = _insert_party(db, case_id, clean, utcnow())
        _update(db, user, case, {}, action="add_party",
                audit_after={"party_id": party_id, "role": clean["role"], "country": clean["country"]})
        _event(db, case_id, user, "party_added", data={"party_id": party_id, "name": clean["name"],
                                                       "role": clean["role"]})
        return get_case(db, user, case_id)


def update_party(db: sqlite_utils.Database, user: User, case_id: int, version: int, party_id: int,
                 party: dict) -> dict:
    """Change a party's details (all fields given again, as the form shows them). Returns the case."""
    with write_transaction(db):
        case = _fresh(db, user, case_id, version)
        _require_open(case)
        ids = [r[0] for r in db.execute("SELECT id FROM mediation_parties WHERE case_id = ? ORDER BY id", [case_id])]
        if party_id not in ids:
            raise NotFoundError()
        clean = clean_party(party, ids.index(party_id) + 1)
        db.execute(f"UPDATE mediation_parties SET {', '.join(f'{k} = ?' for k in clean)}, updated_at = ? WHERE id = ?",
                   [*clean.values(), utcnow(), party_id])
        _update(db, user, case, {}, action="update_party",
                audit_after={"party_id": party_id, "role": clean["role"], "country": clean["country"]})
        _event(db, case_id, user, "party_updated", data={"party_id": party_id, "name": clean["name"]})
        return get_case(db, user, case_id)


def schedule_session(db: sqlite_utils.Database, user: User, case_id: int, version: int,
                     starts_at_local: datetime | str, tz: str = timezones.BEIJING, duration: int = 60,
                     platform: str = "wechat", room: str = "", *, now: str | None = None) -> dict:
    """Plan a video session: ``starts_at_local`` is a wall-clock time in ``tz`` (Beijing by
    default; '2026-12-01 14:00' or a datetime), stored in UTC. The case needs an applicant and a
    respondent, and moves to ``scheduled``. Returns the case.

    Raises InvalidTransition, StaleEdit, ValidationError (time unreadable, past, more than a year
    ahead or skipped by a clock change; duration outside 5–480 minutes; unknown platform; room
    text too long; parties missing)."""
    now = now or utcnow()
    starts_at = timezones.to_utc(starts_at_local, tz)
    if starts_at <= now:
        raise ValidationError("mediation.error.time_past", field="starts_at")
    if timezones.parse_utc(starts_at) > timezones.parse_utc(now) + timedelta(days=SCHEDULE_AHEAD_DAYS):
        raise ValidationError("mediation.error.time_far", field="starts_at", days=SCHEDULE_AHEAD_DAYS)
    if isinstance(duration, bool) or not isinstance(duration, int) or not DURATION_MIN <= duration <= DURATION_MAX:
        raise ValidationError("mediation.error.duration", field="duration", min=DURATION_MIN, max=DURATION_MAX)
    if platform not in PLATFORMS:
        raise ValidationError("mediation.error.platform", field="platform")
    room = _text_at_most(room, ROOM_MAX, "mediation.error.room_long", "room")
    with write_transaction(db):
        case = _fresh(db, user, case_id, version)
        if not can_schedule(case):
            raise InvalidTransition("mediation.error.transition", action="schedule")
        roles = {r[0] for r in db.execute("SELECT role FROM mediation_parties WHERE case_id = ?", [case_id])}
        if not {"applicant", "respondent"} <= roles:
            raise ValidationError("mediation.error.parties_missing", field="parties")
        session_id = db.execute(
            "INSERT INTO mediation_sessions (case_id, starts_at, duration_minutes, platform, room, state, created_by,"
            " created_at) VALUES (?, ?, ?, ?, ?, 'planned', ?, ?)",
            [case_id, starts_at, duration, platform, room or None, user.id, utcnow()]).lastrowid
        _update(db, user, case, {"state": TRANSITIONS["schedule"][1]}, action="schedule",
                audit_after={"session_id": session_id, "starts_at": starts_at})
        _event(db, case_id, user, "session_planned",
               data={"session_id": session_id, "starts_at": starts_at, "duration": duration, "platform": platform})
        return get_case(db, user, case_id)


def record_session(db: sqlite_utils.Database, user: User, case_id: int, version: int, session_id: int, result: str,
                   note: str = "", *, now: str | None = None) -> dict:
    """What became of a planned session: ``held``, ``missed`` (someone did not join) — both only once
    it has started — or ``cancelled``. The case's state does not change: the mediator settles,
    records a failure or schedules again. Returns the case."""
    now = now or utcnow()
    if result not in SESSION_RESULTS:
        raise ValidationError("mediation.error.session_result", field="result")
    note = _text_at_most(note, NOTE_MAX, "mediation.error.session_note_long", "note")
    with write_transaction(db):
        case = _fresh(db, user, case_id, version)
        _require_open(case)
        session = query_one(db, "SELECT * FROM mediation_sessions WHERE id = ? AND case_id = ?", [session_id, case_id])
        if session is None:
            raise NotFoundError()
        if session["state"] != "planned":
            raise InvalidState("mediation.error.session_done")
        if result != "cancelled" and session["starts_at"] > now:
            raise ValidationError("mediation.error.session_future", field="result")
        db.execute("UPDATE mediation_sessions SET state = ?, note = ?, recorded_by = ?, recorded_at = ? WHERE id = ?",
                   [result, note or None, user.id, utcnow(), session_id])
        _update(db, user, case, {}, action="record_session", audit_after={"session_id": session_id, "result": result})
        _event(db, case_id, user, "session_recorded", text=note or None,
               data={"session_id": session_id, "result": result, "starts_at": session["starts_at"]})
        return get_case(db, user, case_id)
