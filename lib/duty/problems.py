"""The problem list (查纠整改): every missed checklist item, and every finding of an inspection, followed
until its figure is met or its reason accepted.

A problem's life (states in ``duty_problem_states``, each open or closed):

- **open** → **rectifying** (its owner says the fix is under way, with a note);
- → **verified**: only when the figure meets the standard on recomputation over the standard's current
  period (:func:`recheck`, run by the worker each pass, by the problem list when it opens, and by the
  button). Closing one by hand while the figure still misses is refused with the current figure. An
  inspection's finding has no figure: the district (its inspector) verifies it;
- → **explained**: a reason accepted by the station admin (a clerk proposes it; the admin accepts or
  not), audited — for a shortfall the station cannot fix (a grid whose residents moved away).

A missed item opens at most one problem per standard and subject: a standard missed again updates
the open problem's figure. A problem is due ``fix_days`` (the standard's) after it is raised; once
due and still open it is **escalated** to the linkage center's list (:func:`escalate`, the worker).
Owners: the officer for an officer's item, the station admin for an outpost's or a station's.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import sqlite_utils

from lib.core import audit, files, notices, scope, workflow
from lib.core.clock import stamp, utcnow
from lib.core.db import write_transaction
from lib.core.errors import FieldErrors, NotFoundError, ScopeError, ValidationError
from lib.core.query import Page, fetch_page
from lib.duty import periods
from lib.duty.measures import AREAS, MEASURES, params_of, run_for

if TYPE_CHECKING:
    from lib.core.auth import User
    from lib.duty.checklist import Item

STATES = ("open", "rectifying", "verified", "explained")
OPEN_STATES = ("open", "rectifying")
TEXT_MAX = 500
TITLE_MAX = 80
INSPECTION_DAYS = (3, 7, 14, 30)
STALE = "duty.error.stale"


class StillMissing(ValidationError):
    """Closing as verified while the figure still misses the standard."""


def _row(db, problem_id: int) -> dict | None:
    return next(iter(db.query("SELECT * FROM duty_problems WHERE id = ?", [problem_id])), None)


def station_admins(db: sqlite_utils.Database, station_id: int) -> list[int]:
    """Active station admins of a station (a problem's owner when the subject is not an officer)."""
    return [r[0] for r in db.execute(
        "SELECT u.id FROM users u JOIN units un ON un.id = u.unit_id WHERE u.role = 'station_admin'"
        " AND u.is_active = 1 AND COALESCE(un.station_id, un.id) = ? ORDER BY u.id", [station_id])]


def _district_admins(db) -> list[int]:
    return [r[0] for r in db.execute("SELECT id FROM users WHERE role = 'district_admin' AND is_active = 1")]


def _title(item: Item) -> str:
    return item.standard["text_zh"]


def raise_missed(db: sqlite_utils.Database, items: list[Item], *, now: datetime | None = None) -> dict[str, int]:
    """Open a problem for each missed item (or update the open one of its standard and subject);
    call inside the write transaction of the snapshot. Returns ``{"raised", "updated"}``."""
    now_s = stamp(now or datetime.now(UTC))
    raised = updated = 0
    admins: dict[int, list[int]] = {}
    for item in items:
        if item.status != "missed" or item.station_id is None:
            continue
        current = db.execute(
            "SELECT id, version FROM duty_problems WHERE code = ? AND subject_kind = ? AND subject_id = ?"
            " AND is_open = 1 AND source = 'checklist'", [item.code, item.subject_kind, item.subject_id]).fetchone()
        if current:
            db.execute("UPDATE duty_problems SET value = ?, threshold = ?, period_start = ?, standard_id = ?,"
                       " updated_at = ?, version = version + 1 WHERE id = ?",
                       [item.figure.value, item.threshold, item.period.key, item.standard["id"], now_s, current[0]])
            audit.record(db, None, "missed_again", "duty_problems", current[0],
                         after={"period_start": item.period.key, "value": item.figure.value}, at=now_s)
            updated += 1
            continue
        if item.subject_kind == "officer":
            owner = item.subject_id
        else:
            owner = next(iter(admins.setdefault(item.station_id, station_admins(db, item.station_id))), None)
        due = stamp(datetime.fromisoformat(now_s.replace("Z", "+00:00")) + timedelta(days=item.standard["fix_days"]))
        problem_id = db.execute(
            "INSERT INTO duty_problems (source, standard_id, code, area, subject_kind, subject_id, station_id, title,"
            " period_start, value, threshold, owner_user_id, due_at, created_at, updated_at)"
            " VALUES ('checklist', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [item.standard["id"], item.code, item.area, item.subject_kind, item.subject_id, item.station_id,
             _title(item), item.period.key, item.figure.value, item.threshold, owner, due, now_s, now_s]).lastrowid
        audit.record(db, None, "create", "duty_problems", problem_id,
                     after={"code": item.code, "subject": f"{item.subject_kind}:{item.subject_id}",
                            "value": item.figure.value, "threshold": item.threshold}, at=now_s)
        notices.notify(db, [owner], "problem_raised", "duty_problems", problem_id,
                       {"title": _title(item), "subject": item.subject_name}, at=now_s)
        raised += 1
    return {"raised": raised, "updated": updated}


def raise_inspection(db: sqlite_utils.Database, user: User, *, station_id: int, area: str, title: str,
                     detail: str = "", days: int = 7, photo: bytes | None = None,
                     now: datetime | None = None) -> dict:
    """A problem found in an inspection (linkage center only), assigned to a station and owned by its
    station admin; ``photo`` is decoded and re-encoded like any upload."""
    if not user.is_district:
        raise ScopeError()
    errors = FieldErrors("duty.error.fields")
    title = " ".join(str(title or "").split())
    detail = str(detail or "").strip()
    if not title:
        errors.add("title", "duty.error.title_missing")
    elif len(title) > TITLE_MAX:
        errors.add("title", "duty.error.text_long", max=TITLE_MAX)
    if len(detail) > TEXT_MAX:
        errors.add("detail", "duty.error.text_long", max=TEXT_MAX)
    if area not in AREAS:
        errors.add("area", "duty.error.area")
    if days not in INSPECTION_DAYS:
        errors.add("days", "duty.error.days")
    if not db.execute("SELECT 1 FROM units WHERE id = ? AND kind = 'station'", [station_id]).fetchone():
        errors.add("station_id", "duty.error.station")
    cleaned = None
    try:
        cleaned = files.reencode_image(photo) if photo else None
    except ValidationError as exc:
        errors.add("photo", exc.key, **exc.params)
    errors.raise_if_any()
    now_s = stamp(now or datetime.now(UTC))
    due = stamp(datetime.fromisoformat(now_s.replace("Z", "+00:00")) + timedelta(days=days))
    with write_transaction(db):
        file_id = files.store_clean_image(db, user.id, cleaned) if cleaned else None
        owner = next(iter(station_admins(db, station_id)), None)
        problem_id = db.execute(
            "INSERT INTO duty_problems (source, area, subject_kind, subject_id, station_id, title, detail,"
            " owner_user_id, due_at, file_id, created_by, created_at, updated_at)"
            " VALUES ('inspection', ?, 'station', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [area, station_id, station_id, title, detail or None, owner, due, file_id, user.id, now_s, now_s]).lastrowid
        audit.record(db, user, "create", "duty_problems", problem_id,
                     after={"source": "inspection", "station_id": station_id, "title": title, "days": days}, at=now_s)
        notices.notify(db, [owner], "problem_raised", "duty_problems", problem_id,
                       {"title": title, "subject": ""}, at=now_s)
    return get_problem(db, user, problem_id)


# --- reading ---------------------------------------------------------------------------------

_SELECT = ("p.*, un.name AS station_name, o.name AS owner_name, s.text_zh AS standard_zh, s.text_en AS standard_en,"
           " s.measure AS measure, (SELECT name FROM users WHERE id = p.explained_by) AS explained_by_name,"
           " CASE p.subject_kind WHEN 'officer' THEN (SELECT name FROM users WHERE id ="
           " p.subject_id) ELSE (SELECT name FROM units WHERE id = p.subject_id) END AS subject_name")
_SOURCE = ("duty_problems p JOIN units un ON un.id = p.station_id LEFT JOIN users o ON o.id = p.owner_user_id"
           " LEFT JOIN duty_standards s ON s.id = p.standard_id")


def get_problem(db: sqlite_utils.Database, user: User, problem_id: int) -> dict:
    """One problem of the user's scope (another station's reads as not found)."""
    row = next(iter(db.query(f"SELECT {_SELECT} FROM {_SOURCE} WHERE p.id = ?", [problem_id])), None)
    if row is None:
        raise NotFoundError()
    scope.require_station(user, row["station_id"])
    return row


def list_problems(db: sqlite_utils.Database, user: User, *, station_id: int | None = None,
                  state: str | None = None, open_only: bool = True, escalated: bool = False, mine: bool = False,
                  area: str | None = None, source: str | None = None, page: int = 1, page_size: int = 25) -> Page:
    """Problems of the user's scope, escalated and most overdue first."""
    condition, params = scope.station_condition(user, station_id, "p.station_id")
    where = [condition]
    if state in STATES:
        where.append("p.state = ?")
        params.append(state)
    elif open_only:
        where.append("p.is_open = 1")
    if escalated:
        where.append("p.escalated_at IS NOT NULL AND p.is_open = 1")
    if mine:
        where.append("p.owner_user_id = ?")
        params.append(user.id)
    if area in AREAS:
        where.append("p.area = ?")
        params.append(area)
    if source in ("checklist", "inspection"):
        where.append("p.source = ?")
        params.append(source)
    return fetch_page(db, select=_SELECT, source=_SOURCE, where=" AND ".join(where), params=params,
                      order="p.is_open DESC, p.escalated_at IS NULL, p.due_at, p.id", page=page, page_size=page_size,
                      count_source="duty_problems p")


def counts(db: sqlite_utils.Database, user: User, *, station_id: int | None = None,
           now: datetime | None = None) -> dict[str, int]:
    """Open, overdue, escalated, awaiting an admin's acceptance, and mine."""
    where, params = scope.station_condition(user, station_id, "p.station_id")
    now_s = stamp(now or datetime.now(UTC))
    row = db.execute(
        "SELECT COUNT(*), SUM(p.due_at < ?), SUM(p.escalated_at IS NOT NULL), SUM(p.explanation IS NOT NULL),"
        f" SUM(p.owner_user_id = ?) FROM duty_problems p WHERE p.is_open = 1 AND {where}",
        [now_s, user.id, *params]).fetchone()
    return {"open": row[0] or 0, "overdue": row[1] or 0, "escalated": row[2] or 0, "explaining": row[3] or 0,
            "mine": row[4] or 0}


# --- recomputation -------------------------------------------------------------------------


def current_figure(db: sqlite_utils.Database, problem: dict, *, now: datetime | None = None) -> tuple[float | None, bool]:
    """``(value, met)`` of a checklist problem's figure now: its standard as in force today (the
    version of the current period), over the current period, for the problem's subject."""
    now = now or datetime.now(UTC)
    standard, figures = _figures(db, problem, now)
    figure = figures.get(problem["subject_id"])
    if standard is None or figure is None or figure.value is None:
        # Retired, re-scoped, or nothing to measure yet this period: not verified by a figure.
        return None, False
    return figure.value, MEASURES[standard["measure"]].met(figure, standard["threshold"])


def _close(db, user: User | None, problem: dict, state: str, *, value: float | None = None,
           extra: dict | None = None, now_s: str | None = None) -> dict:
    now_s = now_s or utcnow()
    changes = {"state": state, "is_open": 0, "closed_at": now_s, **(extra or {})}
    if value is not None or state == "verified":
        changes.update(checked_at=now_s, checked_value=value)
    updated = workflow.versioned_update(db, user, "duty_problems", problem, changes, action=state, stale_key=STALE)
    notices.notify(db, [problem["owner_user_id"]], "problem_closed", "duty_problems", problem["id"],
                   {"title": problem["title"], "state": state}, at=now_s)
    return updated


def recheck(db: sqlite_utils.Database, user: User | None, problem_id: int, *,
            now: datetime | None = None) -> dict:
    """Recompute an open checklist problem's figure; verify it if the standard is met now (the acting
    user, or the system when ``user`` is None, in the audit row). Returns the problem as it is."""
    now = now or datetime.now(UTC)
    problem = _row(db, problem_id) if user is None else get_problem(db, user, problem_id)
    if problem is None:
        raise NotFoundError()
    if not problem["is_open"] or problem["source"] != "checklist":
        return problem
    value, met = current_figure(db, problem, now=now)
    with write_transaction(db):
        fresh = _row(db, problem_id)
        if not fresh["is_open"]:
            return fresh
        if met:
            return _close(db, user, fresh, "verified", value=value, now_s=stamp(now))
        db.execute("UPDATE duty_problems SET checked_at = ?, checked_value = ? WHERE id = ?",
                   [stamp(now), value, problem_id])
    return {**fresh, "checked_at": stamp(now), "checked_value": value}


def recheck_open(db: sqlite_utils.Database, *, station_id: int | None = None, now: datetime | None = None) -> int:
    """Recheck every open checklist problem (of one station, or all: the worker's minute), one computation
    per standard rather than per problem, and verify those whose figure meets the standard now.
    Returns how many were verified."""
    now = now or datetime.now(UTC)
    where, params = ("AND station_id = ?", [station_id]) if station_id is not None else ("", [])
    by_code: dict[str, list[dict]] = {}
    for problem in db.query(f"SELECT * FROM duty_problems WHERE is_open = 1 AND source = 'checklist' {where}"
                            " ORDER BY id", params):
        by_code.setdefault(problem["code"], []).append(problem)
    memo: dict = {}
    verified = 0
    for rows in by_code.values():
        standard, computed = _figures(db, {**rows[0], "station_id": station_id}, now, memo)
        for problem in rows:
            figure = computed.get(problem["subject_id"])
            if standard is None or figure is None or figure.value is None:
                continue  # nothing to measure yet: stays open (see current_figure)
            if not MEASURES[standard["measure"]].met(figure, standard["threshold"]):
                continue
            with write_transaction(db):
                fresh = _row(db, problem["id"])
                if fresh["is_open"]:
                    _close(db, None, fresh, "verified", value=figure.value, now_s=stamp(now))
                    verified += 1
    return verified


def _figures(db, problem: dict, now: datetime, memo: dict | None = None) -> tuple[dict | None, dict]:
    """The standard of a problem's code as in force now, and its figures over the current period for the
    problem's station (``station_id`` None: every station)."""
    standard = next(iter(db.query(
        "SELECT * FROM duty_standards WHERE code = ? AND effective_from <= ? ORDER BY effective_from DESC LIMIT 1",
        [problem["code"], periods.beijing_date(now).isoformat()])), None)
    if standard is None or standard["scope"] != problem["subject_kind"]:
        return None, {}
    measure = MEASURES[standard["measure"]]
    run = run_for(measure, standard["scope"], problem["station_id"], periods.current(standard["period"], now), now,
                  params_of(measure, standard["params"]), memo)
    return standard, measure.compute(db, run)


def escalate(db: sqlite_utils.Database, *, now: datetime | None = None) -> int:
    """Mark open problems past their due date as escalated (once), audited, with a notice to the
    linkage center; returns how many."""
    now_s = stamp(now or datetime.now(UTC))
    rows = list(db.query("SELECT id, title, station_id FROM duty_problems WHERE is_open = 1 AND due_at < ?"
                         " AND escalated_at IS NULL", [now_s]))
    if not rows:
        return 0
    with write_transaction(db):
        district = _district_admins(db)
        for row in rows:
            db.execute("UPDATE duty_problems SET escalated_at = ?, version = version + 1 WHERE id = ?"
                       " AND escalated_at IS NULL", [now_s, row["id"]])
            audit.record(db, None, "escalate", "duty_problems", row["id"], after={"escalated_at": now_s}, at=now_s)
        # One notice per admin per pass, not one per problem: a night can escalate hundreds.
        notices.notify(db, district, "problem_escalated", "duty_problems", None, {"count": len(rows)}, at=now_s)
    return len(rows)


# --- moves -----------------------------------------------------------------------------------


def _fresh(db, user: User, problem_id: int, version: int) -> dict:
    problem = get_problem(db, user, problem_id)
    workflow.check_version(problem, version, STALE)
    if not problem["is_open"]:
        raise workflow.InvalidTransition("duty.error.closed")
    return problem


def _may_act(user: User, problem: dict) -> None:
    """Owners and the station's admins (and the district) act on a problem; other clerks read it."""
    if user.is_admin or problem["owner_user_id"] == user.id:
        return
    raise ScopeError()


def _text(value, field: str) -> str:
    """A required note or reason, at most TEXT_MAX characters."""
    text = str(value or "").strip()
    if not text:
        raise ValidationError("duty.error.text_missing", field=field)
    if len(text) > TEXT_MAX:
        raise ValidationError("duty.error.text_long", field=field, max=TEXT_MAX)
    return text


def start_rectifying(db: sqlite_utils.Database, user: User, problem_id: int, version: int, note: str) -> dict:
    """open → rectifying, with what is being done (owner or admin)."""
    note = _text(note, "note")
    with write_transaction(db):
        problem = _fresh(db, user, problem_id, version)
        _may_act(user, problem)
        if problem["state"] != "open":
            raise workflow.InvalidTransition("duty.error.transition")
        return workflow.versioned_update(db, user, "duty_problems", problem, {"state": "rectifying"},
                                         action="rectifying", stale_key=STALE, audit_after={"note": note})


def verify(db: sqlite_utils.Database, user: User, problem_id: int, version: int, *,
           now: datetime | None = None) -> dict:
    """Close as verified. A checklist problem: only if its figure meets the standard now (else
    :class:`StillMissing` with the current figure). An inspection's: by the district (the inspector)."""
    now = now or datetime.now(UTC)
    problem = get_problem(db, user, problem_id)
    if problem["source"] == "inspection":
        if not user.is_district:
            raise ScopeError()
        value, met = None, True
    else:
        _may_act(user, problem)
        value, met = current_figure(db, problem, now=now)
    if not met:
        raise StillMissing("duty.error.still_missing", value=value, threshold=problem["threshold"])
    with write_transaction(db):
        problem = _fresh(db, user, problem_id, version)
        return _close(db, user, problem, "verified", value=value, now_s=stamp(now))


def propose_explanation(db: sqlite_utils.Database, user: User, problem_id: int, version: int, reason: str) -> dict:
    """A reason the standard cannot be met (owner or admin); a station admin's own reason is accepted at
    once, a clerk's waits for the station admin (with a notice)."""
    reason = _text(reason, "reason")
    with write_transaction(db):
        problem = _fresh(db, user, problem_id, version)
        _may_act(user, problem)
        now_s = utcnow()
        changes = {"explanation": reason, "explained_by": user.id, "explained_at": now_s}
        if user.is_admin and (problem["source"] == "checklist" or user.is_district):
            return _close(db, user, problem, "explained", extra={**changes, "accepted_by": user.id}, now_s=now_s)
        updated = workflow.versioned_update(db, user, "duty_problems", problem, changes, action="explain",
                                            stale_key=STALE)
        notices.notify(db, station_admins(db, problem["station_id"]), "problem_explained", "duty_problems",
                       problem_id, {"title": problem["title"], "by": user.name}, at=now_s)
        return updated


def decide_explanation(db: sqlite_utils.Database, user: User, problem_id: int, version: int, accept: bool) -> dict:
    """The station admin accepts a proposed reason (→ explained) or turns it down (the reason is cleared,
    the problem stays open). An inspection's finding is explained only with the district's consent."""
    if not user.is_admin:
        raise ScopeError()
    with write_transaction(db):
        problem = _fresh(db, user, problem_id, version)
        if not problem["explanation"]:
            raise workflow.InvalidTransition("duty.error.transition")
        if problem["source"] == "inspection" and not user.is_district:
            raise ScopeError()
        if accept:
            return _close(db, user, problem, "explained", extra={"accepted_by": user.id})
        return workflow.versioned_update(db, user, "duty_problems", problem,
                                         {"explanation": None, "explained_by": None, "explained_at": None},
                                         action="explanation_declined", stale_key=STALE,
                                         audit_after={"declined": problem["explanation"]})


def history(db: sqlite_utils.Database, user: User, problem_id: int) -> list[dict]:
    """A problem's audit rows, oldest first (anyone who may read the problem may read its history)."""
    get_problem(db, user, problem_id)
    return list(db.query(
        "SELECT a.at, a.username, u.name AS user_name, a.action, a.after FROM audit_log a"
        " LEFT JOIN users u ON u.id = a.user_id WHERE a.entity = 'duty_problems' AND a.entity_id = ? ORDER BY a.id",
        [str(problem_id)]))


def refresh(db: sqlite_utils.Database, user: User, *, now: datetime | None = None) -> int:
    """Recheck the open problems of the user's station when the problem list opens, so that a cause
    fixed a moment ago shows as verified at once; returns how many were verified. The district's
    (every station's) are left to the worker's minute: too many for a page view."""
    if user.is_district or user.station_id is None:
        return 0
    return recheck_open(db, station_id=user.station_id, now=now)
