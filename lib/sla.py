"""First-response times (答复时限) of tips, by tip kind and priority: the ``sla_rules`` table.

Every staff user may read the rules (the triage page shows the clock they set); district
admins change them. A tip's due time is computed once, at intake, from the rule in force
then (:func:`first_response_minutes`): changing a rule applies to tips received from then
on and never moves the due time of a tip already received.
"""

from __future__ import annotations

import sqlite_utils

from lib import audit, i18n
from lib.auth import User
from lib.db import write_transaction
from lib.errors import ScopeError, ValidationError

DEFAULT_MINUTES = 24 * 60  # a kind/priority with no row gets a day, as before this module
DEFAULT_RESOLUTION_MINUTES = 7 * 24 * 60  # and a week to be resolved
MIN_MINUTES = 1
MAX_MINUTES = 30 * 24 * 60  # 43,200: beyond a month a "first response" clock means nothing


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


def list_rules(db: sqlite_utils.Database, user: User) -> list[dict]:
    """Every kind × priority pair, in the order of :data:`lib.tips.KINDS` and
    :data:`lib.tips.PRIORITIES`, as ``{"kind", "priority", "minutes", "is_default"}``
    (``is_default``: no row, the default applies). Any staff user may read them."""
    if user is None:
        raise ScopeError()
    from lib import tips  # not at the top: tips reads its due times from here

    saved = {(k, p): m for k, p, m in db.execute("SELECT kind, priority, first_response_minutes FROM sla_rules")}
    return [{"kind": kind, "priority": priority, "minutes": saved.get((kind, priority), DEFAULT_MINUTES),
             "is_default": (kind, priority) not in saved}
            for kind in tips.KINDS for priority in tips.PRIORITIES]


def _minutes(value, kind: str, priority: str) -> int:
    """The value as whole minutes in range, or a refusal naming the pair (``field``)."""
    field = f"{kind}.{priority}"
    if isinstance(value, bool):  # True is an int to Python, never a duration to a user
        raise ValidationError("rules.error.minutes", field=field, min=MIN_MINUTES, max=MAX_MINUTES)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, str) and value.strip().isdecimal():
        value = int(value.strip())
    if not isinstance(value, int) or not MIN_MINUTES <= value <= MAX_MINUTES:
        raise ValidationError("rules.error.minutes", field=field, min=MIN_MINUTES, max=MAX_MINUTES)
    return value


def set_rules(db: sqlite_utils.Database, user: User, changes: dict[tuple[str, str], int]) -> list[dict]:
    """Set first-response minutes for some kind/priority pairs (district admins only).

    All or nothing: every value is checked before anything is written, and the writes share
    one transaction. A pair whose value does not change is skipped; each changed pair gets
    one audit row with the old and new minutes. Returns the changed pairs as
    ``{"kind", "priority", "before", "after"}``.
    """
    if user is None or not user.is_district:
        raise ScopeError()
    from lib import tips  # not at the top: tips reads its due times from here

    wanted: dict[tuple[str, str], int] = {}
    for pair, value in changes.items():
        kind, priority = pair if isinstance(pair, tuple) and len(pair) == 2 else (None, None)
        if kind not in tips.KINDS:
            raise ValidationError("tips.error.kind", field="kind")
        if priority not in tips.PRIORITIES:
            raise ValidationError("tips.error.priority", field="priority")
        wanted[(kind, priority)] = _minutes(value, kind, priority)
    changed = []
    with write_transaction(db):
        # Read inside the write lock: "before" is what this change really replaced.
        current = {(k, p): m for k, p, m in db.execute("SELECT kind, priority, first_response_minutes FROM sla_rules")}
        for (kind, priority), minutes in wanted.items():
            before = current.get((kind, priority))
            if before == minutes:
                continue
            db.execute("INSERT INTO sla_rules (kind, priority, first_response_minutes) VALUES (?, ?, ?)"
                       " ON CONFLICT (kind, priority)"
                       " DO UPDATE SET first_response_minutes = excluded.first_response_minutes",
                       [kind, priority, minutes])
            audit.record(db, user, "update", "sla_rules", f"{kind}.{priority}",
                         before={"first_response_minutes": before}, after={"first_response_minutes": minutes})
            changed.append({"kind": kind, "priority": priority, "before": before, "after": minutes})
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
