"""The two clocks of tips, by tip kind and priority: the ``sla_rules`` table.

- First response (答复时限, ``first_response_minutes``): from arrival until the first public reply
  (what the sender reads on the tracker) or a logged call-back — an assignment or an internal
  note does not stop it.
- Resolution (办结时限, ``resolution_minutes``): from arrival, or reopening, until the tip is resolved.

Every staff user may read the rules (the triage page shows the clocks they set); district
admins change them. A tip's due times are computed at intake (a reopened tip's resolution due
time at reopening) from the rules in force then: changing a rule applies to tips received from
then on and never moves the due time of a tip already received.
"""

from __future__ import annotations

import sqlite_utils

from lib.core import audit
from lib.core.auth import User
from lib.core.db import write_transaction
from lib.core.errors import ScopeError, ValidationError
from lib.i18n import i18n
from lib.tips.kinds import KINDS, PRIORITIES

DEFAULT_MINUTES = 24 * 60  # a kind/priority with no row gets a day, as before this module
DEFAULT_RESOLUTION_MINUTES = 7 * 24 * 60  # and a week to be resolved
MIN_MINUTES = 1
MAX_MINUTES = 30 * 24 * 60  # 43,200: beyond a month a "first response" clock means nothing
RESOLUTION_MAX_MINUTES = 90 * 24 * 60  # 129,600: a quarter; a tip open longer is a case, not a tip
CLOCKS = {  # clock → (column, longest value, refusal key)
    "first_response": ("first_response_minutes", MAX_MINUTES, "rules.error.minutes"),
    "resolution": ("resolution_minutes", RESOLUTION_MAX_MINUTES, "rules.error.resolution_minutes"),
}


def first_response_minutes(db: sqlite_utils.Database, kind: str, priority: str) -> int:
    """Minutes allowed before the first response to a new tip of this kind and priority.

    Used at intake (a public submission has no acting user, hence no ``user``); a pair
    with no rule gets :data:`DEFAULT_MINUTES`.
    """
    row = db.execute("SELECT first_response_minutes FROM sla_rules WHERE kind = ? AND priority = ?",
                     [kind, priority]).fetchone()
    return int(row[0]) if row else DEFAULT_MINUTES


def resolution_minutes(db: sqlite_utils.Database, kind: str, priority: str) -> int:
    """Minutes allowed from arrival (or reopening) until a tip of this kind and priority is
    resolved (办结时限); a pair with no rule gets :data:`DEFAULT_RESOLUTION_MINUTES`."""
    row = db.execute("SELECT resolution_minutes FROM sla_rules WHERE kind = ? AND priority = ?",
                     [kind, priority]).fetchone()
    return int(row[0]) if row else DEFAULT_RESOLUTION_MINUTES


def minutes(db: sqlite_utils.Database, kind: str, priority: str) -> tuple[int, int]:
    """(first response, resolution) minutes for a new tip of this kind and priority, in one read:
    intake needs both."""
    row = db.execute("SELECT first_response_minutes, resolution_minutes FROM sla_rules WHERE kind = ? AND"
                     " priority = ?", [kind, priority]).fetchone()
    return (int(row[0]), int(row[1])) if row else (DEFAULT_MINUTES, DEFAULT_RESOLUTION_MINUTES)


def list_rules(db: sqlite_utils.Database, user: User) -> list[dict]:
    """Every kind × priority pair, in the order of :data:`lib.tips.kinds.KINDS` and
    :data:`lib.tips.kinds.PRIORITIES`, as ``{"kind", "priority", "minutes", "resolution_minutes",
    "is_default"}``: ``minutes`` is the first-response time; ``is_default`` means the pair has no
    row, so both clocks take their defaults (a row always holds both). Any staff user may read them."""
    if user is None:
        raise ScopeError()
    saved = {(k, p): (m, r) for k, p, m, r in db.execute(
        "SELECT kind, priority, first_response_minutes, resolution_minutes FROM sla_rules")}
    rules = []
    for kind in KINDS:
        for priority in PRIORITIES:
            first, resolve = saved.get((kind, priority), (DEFAULT_MINUTES, DEFAULT_RESOLUTION_MINUTES))
            rules.append({"kind": kind, "priority": priority, "minutes": first, "resolution_minutes": resolve,
                          "is_default": (kind, priority) not in saved})
    return rules


def _minutes(value, kind: str, priority: str, clock: str = "first_response") -> int:
    """The value as whole minutes in range for ``clock``, or a refusal naming the pair (``field``)."""
    _column, maximum, key = CLOCKS[clock]
    field = f"{kind}.{priority}"
    if isinstance(value, bool):  # True is an int to Python, never a duration to a user
        raise ValidationError(key, field=field, min=MIN_MINUTES, max=maximum)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, str) and value.strip().isdecimal():
        value = int(value.strip())
    if not isinstance(value, int) or not MIN_MINUTES <= value <= maximum:
        raise ValidationError(key, field=field, min=MIN_MINUTES, max=maximum)
    return value


def _pairs(changes: dict, clock: str) -> dict[tuple[str, str], int]:
    """The wanted minutes of one clock by (kind, priority), every pair and value checked."""
    wanted: dict[tuple[str, str], int] = {}
    for pair, value in (changes or {}).items():
        kind, priority = pair if isinstance(pair, tuple) and len(pair) == 2 else (None, None)
        if kind not in KINDS:
            raise ValidationError("tips.error.kind", field="kind")
        if priority not in PRIORITIES:
            raise ValidationError("tips.error.priority", field="priority")
        wanted[(kind, priority)] = _minutes(value, kind, priority, clock)
    return wanted


def set_rules(db: sqlite_utils.Database, user: User, changes: dict[tuple[str, str], int] | None = None,
              resolution: dict[tuple[str, str], int] | None = None) -> list[dict]:
    """Set the clocks of some kind/priority pairs (district admins only): ``changes`` gives
    first-response minutes, ``resolution`` resolution minutes, both by ``(kind, priority)``.

    All or nothing: every value is checked before anything is written, and the writes share
    one transaction. A value that does not change is skipped; each changed pair gets one audit
    row with the old and new minutes of the clock(s) changed. Returns the changed values, first
    response then resolution, as ``{"kind", "priority", "clock", "before", "after"}`` (``clock``:
    ``"first_response"`` or ``"resolution"``; ``before`` is None where the pair had no row).
    """
    if user is None or not user.is_district:
        raise ScopeError()
    wanted = {"first_response": _pairs(changes, "first_response"), "resolution": _pairs(resolution, "resolution")}
    changed = []
    with write_transaction(db):
        # Read inside the write lock: "before" is what this change really replaced.
        current = {(k, p): {"first_response": m, "resolution": r} for k, p, m, r in db.execute(
            "SELECT kind, priority, first_response_minutes, resolution_minutes FROM sla_rules")}
        by_pair: dict[tuple[str, str], dict[str, int]] = {}
        for clock, pairs in wanted.items():
            for pair, minutes in pairs.items():
                before = current.get(pair, {}).get(clock)
                if before == minutes:
                    continue
                by_pair.setdefault(pair, {})[clock] = minutes
                changed.append({"kind": pair[0], "priority": pair[1], "clock": clock, "before": before,
                                "after": minutes})
        for (kind, priority), clocks in by_pair.items():
            row = current.get((kind, priority))
            if row is None:
                db.execute("INSERT INTO sla_rules (kind, priority, first_response_minutes, resolution_minutes)"
                           " VALUES (?, ?, ?, ?)",
                           [kind, priority, clocks.get("first_response", DEFAULT_MINUTES),
                            clocks.get("resolution", DEFAULT_RESOLUTION_MINUTES)])
            else:
                db.execute("UPDATE sla_rules SET " + ", ".join(f"{CLOCKS[c][0]} = ?" for c in clocks)
                           + " WHERE kind = ? AND priority = ?", [*clocks.values(), kind, priority])
            audit.record(db, user, "update", "sla_rules", f"{kind}.{priority}",
                         before={CLOCKS[c][0]: (row or {}).get(c) for c in clocks},
                         after={CLOCKS[c][0]: minutes for c, minutes in clocks.items()})
    return changed


def format_minutes(minutes: int, lang: str | None = i18n.DEFAULT_LANG) -> str:
    """A duration as people say it: '10 分钟', '2 小时', '1 天 12 小时', '1 h 30 min'."""
    days, rest = divmod(int(minutes), 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(i18n.t("rules.span.days", lang, n=days))
    if hours:
        parts.append(i18n.t("rules.span.hours", lang, n=hours))
    if mins or not parts:
        parts.append(i18n.t("rules.span.minutes", lang, n=mins))
    return " ".join(parts)
