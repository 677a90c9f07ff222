"""Duty standards (工作规范): what each duty area asks of an officer, an outpost or a station per period.

The checked-in defaults (``data/duty_standards.json``, the area of each is its code's first word) are
installed by migration 16; the district
admin edits them here. A standard is versioned by ``code``: a change closes the version in force at
the end of the current period and adds a version from the next period on, so a period is always
measured against the standard it had when it began (a pending change made twice replaces itself).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import sqlite_utils

from lib.core import audit
from lib.core.clock import utcnow
from lib.core.db import write_transaction
from lib.core.errors import FieldErrors, NotFoundError, ScopeError
from lib.duty import periods
from lib.duty.measures import AREAS, MEASURES, SCOPES

if TYPE_CHECKING:
    from lib.core.auth import User

DEFAULTS_PATH = Path(__file__).resolve().parents[2] / "data" / "duty_standards.json"
ALWAYS = "2000-01-01"  # the defaults' first day (migration 16): before any record
TEXT_MAX = 120
FIX_DAYS_MAX = 90
FIELDS = ("area", "measure", "scope", "period", "threshold", "params", "text_zh", "text_en", "fix_days")


def _errors() -> FieldErrors:
    return FieldErrors("duty.error.fields")


def clean(values: dict) -> dict:
    """A standard's fields checked against its measure; raises :class:`~lib.core.errors.FieldErrors` listing every
    problem (an unknown measure, a scope or period it cannot support, a negative or impossible
    threshold, empty texts)."""
    errors = _errors()
    out: dict = {}
    measure = MEASURES.get(str(values.get("measure") or ""))
    if measure is None:
        errors.add("measure", "duty.error.measure", measure=str(values.get("measure") or ""))
    out["measure"] = values.get("measure")
    area = values.get("area") or (measure.area if measure else None)
    if area not in AREAS:
        errors.add("area", "duty.error.area")
    out["area"] = area
    scope = values.get("scope")
    if scope not in SCOPES:
        errors.add("scope", "duty.error.scope")
    elif measure and scope not in measure.scopes:
        errors.add("scope", "duty.error.scope_unsupported", scope=scope)
    out["scope"] = scope
    period = values.get("period")
    if period not in periods.PERIODS:
        errors.add("period", "duty.error.period")
    elif measure and period not in measure.periods:
        errors.add("period", "duty.error.period_unsupported", period=period)
    out["period"] = period
    try:
        threshold = float(values.get("threshold"))
        if threshold != threshold or threshold in (float("inf"), float("-inf")):
            raise ValueError
    except (TypeError, ValueError):
        errors.add("threshold", "duty.error.threshold")
    else:
        if threshold < 0:
            errors.add("threshold", "duty.error.threshold_negative")
        elif measure and measure.max_threshold is not None and threshold > measure.max_threshold:
            errors.add("threshold", "duty.error.threshold_max", max=measure.max_threshold)
        out["threshold"] = threshold
    params = values.get("params") or {}
    if isinstance(params, str):
        try:
            params = json.loads(params or "{}")
        except ValueError:
            params = None
    if not isinstance(params, dict) or (measure and set(params) - set(measure.params)) or any(
            not isinstance(v, int | float) or isinstance(v, bool) or not 0 < v <= 365 for v in params.values()):
        errors.add("params", "duty.error.params")
        params = {}
    out["params"] = json.dumps(params, sort_keys=True)
    for lang in ("zh", "en"):
        text = " ".join(str(values.get(f"text_{lang}") or "").split())
        if not text:
            errors.add(f"text_{lang}", "duty.error.text_missing")
        elif len(text) > TEXT_MAX:
            errors.add(f"text_{lang}", "duty.error.text_long", max=TEXT_MAX)
        out[f"text_{lang}"] = text
    fix_days = values.get("fix_days", 7)
    if not isinstance(fix_days, int) or isinstance(fix_days, bool) or not 1 <= fix_days <= FIX_DAYS_MAX:
        errors.add("fix_days", "duty.error.fix_days", max=FIX_DAYS_MAX)
    out["fix_days"] = fix_days
    if errors.errors:
        raise errors
    return out


def in_force(db: sqlite_utils.Database, on: date | None = None) -> list[dict]:
    """The standards in force on a Beijing date (default today), in area order: each standard's version
    whose ``[effective_from, effective_to)`` holds the start of its period on that date."""
    day = on or periods.beijing_date()
    out = []
    for row in db.query("SELECT * FROM duty_standards ORDER BY code, effective_from"):
        start = periods.containing(row["period"], day).key
        if row["effective_from"] <= start and (row["effective_to"] is None or start < row["effective_to"]):
            out.append(row)
    return sorted(out, key=lambda r: (AREAS.index(r["area"]), r["code"]))


def version_for(db: sqlite_utils.Database, code: str, period_start: str) -> dict | None:
    """The version of standard ``code`` a period beginning on ``period_start`` is measured against."""
    rows = list(db.query(
        "SELECT * FROM duty_standards WHERE code = ? AND effective_from <= ? AND (effective_to IS NULL"
        " OR effective_to > ?) ORDER BY effective_from DESC LIMIT 1", [code, period_start, period_start]))
    return rows[0] if rows else None


def list_standards(db: sqlite_utils.Database, user: User, on: date | None = None) -> list[dict]:
    """Every standard with its version in force and, if one waits for the next period, that one
    (``pending``). Any staff user may read the standards they are held to."""
    current = in_force(db, on)
    day = on or periods.beijing_date()
    for row in current:
        start = periods.containing(row["period"], day).key
        row["pending"] = next(iter(db.query(
            "SELECT * FROM duty_standards WHERE code = ? AND effective_from > ? ORDER BY effective_from LIMIT 1",
            [row["code"], start])), None)
    codes = {r["code"] for r in current}
    # A standard added this period begins with the next one: shown with its pending version only.
    for row in db.query("SELECT * FROM duty_standards WHERE effective_to IS NULL ORDER BY code"):
        if row["code"] not in codes and row["effective_from"] > day.isoformat():
            current.append({**row, "pending": row, "upcoming": True})
            codes.add(row["code"])
    return current


def _require_district(user: User) -> None:
    if not user.is_district:
        raise ScopeError()


def _next_start(period: str, now: datetime | None) -> str:
    return periods.current(period, now).next().key


def change_standard(db: sqlite_utils.Database, user: User, code: str, values: dict, *,
                    now: datetime | None = None) -> dict:
    """Change standard ``code`` from its next period on (district admin). ``values`` are the fields
    to change; the others keep the version in force. Returns the new version."""
    _require_district(user)
    now = now or datetime.now(UTC)
    with write_transaction(db):
        latest = next(iter(db.query("SELECT * FROM duty_standards WHERE code = ? ORDER BY effective_from DESC"
                                    " LIMIT 1", [code])), None)
        if latest is None:
            raise NotFoundError()
        merged = clean({**{f: latest[f] for f in FIELDS}, **values})
        start = _next_start(merged["period"], now)
        if latest["effective_from"] >= start or latest["effective_from"] > periods.beijing_date(now).isoformat():
            # Not in force yet: a second change before the next period replaces the pending one.
            db.execute("DELETE FROM duty_standards WHERE id = ? AND NOT EXISTS (SELECT 1 FROM duty_snapshots"
                       " WHERE standard_id = ?)", [latest["id"], latest["id"]])
            previous = next(iter(db.query("SELECT * FROM duty_standards WHERE code = ? ORDER BY effective_from DESC"
                                          " LIMIT 1", [code])), None)
            if previous is not None:
                db.execute("UPDATE duty_standards SET effective_to = ? WHERE id = ?", [start, previous["id"]])
        else:
            db.execute("UPDATE duty_standards SET effective_to = ? WHERE id = ?", [start, latest["id"]])
        new_id = db.execute(
            "INSERT INTO duty_standards (code, area, measure, scope, period, threshold, params, text_zh, text_en,"
            " fix_days, effective_from, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [code, *(merged[f] for f in FIELDS), start, user.id, utcnow()]).lastrowid
        audit.record(db, user, "change", "duty_standards", new_id,
                     before={f: latest[f] for f in FIELDS}, after={**merged, "effective_from": start})
    return next(iter(db.query("SELECT * FROM duty_standards WHERE id = ?", [new_id])))


def add_standard(db: sqlite_utils.Database, user: User, code: str, values: dict, *,
                 now: datetime | None = None) -> dict:
    """A new standard (district admin), in force from its next period on."""
    _require_district(user)
    code = str(code or "").strip()
    if not code or len(code) > 40 or db.execute("SELECT 1 FROM duty_standards WHERE code = ?", [code]).fetchone():
        errors = _errors()
        errors.add("code", "duty.error.code")
        raise errors
    merged = clean(values)
    start = _next_start(merged["period"], now)
    with write_transaction(db):
        new_id = db.execute(
            "INSERT INTO duty_standards (code, area, measure, scope, period, threshold, params, text_zh, text_en,"
            " fix_days, effective_from, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [code, *(merged[f] for f in FIELDS), start, user.id, utcnow()]).lastrowid
        audit.record(db, user, "create", "duty_standards", new_id, after={**merged, "effective_from": start})
    return next(iter(db.query("SELECT * FROM duty_standards WHERE id = ?", [new_id])))


def retire_standard(db: sqlite_utils.Database, user: User, code: str, *, now: datetime | None = None) -> str:
    """End standard ``code`` with its current period (district admin); returns the first day it no
    longer applies."""
    _require_district(user)
    with write_transaction(db):
        latest = next(iter(db.query("SELECT * FROM duty_standards WHERE code = ? AND effective_to IS NULL",
                                    [code])), None)
        if latest is None:
            raise NotFoundError()
        end = _next_start(latest["period"], now)
        if latest["effective_from"] >= end:
            db.execute("DELETE FROM duty_standards WHERE id = ?", [latest["id"]])
        else:
            db.execute("UPDATE duty_standards SET effective_to = ? WHERE id = ?", [end, latest["id"]])
        audit.record(db, user, "retire", "duty_standards", latest["id"], after={"effective_to": end})
    return end
