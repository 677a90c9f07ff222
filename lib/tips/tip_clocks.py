"""The two clocks of a tip, and its lane in the triage queue.

- **First response (答复时限)** runs from arrival until the sender hears from the police: the first
  public reply (what the tracker shows) or a logged call-back (回电). An internal step — triage, an
  assignment, a note — does not stop it: the sender has heard nothing yet, and the figures the linkage
  center watches must say so.
- **Resolution (办结时限)** runs from arrival until the tip is resolved; a reopened tip gets a fresh one.

Both due times come from ``sla_rules`` (kind × priority) at intake. The queue reads tips in
``(lane, lane_due_at, id)`` order from one index: lane 0 holds unanswered tips on an active appeal (a
missing person's leads come first), lane 1 the other unanswered tips, lane 2 the answered ones; within a
lane, the clock that runs decides (``lane_due_at``: the first-response due time while unanswered, the
resolution due time once answered). So an answered tip never outranks an unanswered one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlite_utils

from lib.core import clock
from lib.i18n import i18n
from lib.tips import sla

LANE_APPEAL, LANE_UNANSWERED, LANE_ANSWERED = 0, 1, 2
LANES = (LANE_APPEAL, LANE_UNANSWERED, LANE_ANSWERED)


parse = clock.parse
stamp = clock.stamp


def first_response_due(db: sqlite_utils.Database, kind: str, priority: str, start: datetime) -> str:
    """When the first response is due for a tip of this kind and priority received at ``start``."""
    return stamp(start + timedelta(minutes=sla.first_response_minutes(db, kind, priority)))


def resolution_due(db: sqlite_utils.Database, kind: str, priority: str, start: datetime) -> str:
    """When a tip of this kind and priority received (or reopened) at ``start`` should be resolved."""
    return stamp(start + timedelta(minutes=sla.resolution_minutes(db, kind, priority)))


def is_active_appeal(db: sqlite_utils.Database, push_id: int | None) -> bool:
    """True when ``push_id`` is an appeal for information that is out and not closed."""
    if push_id is None:
        return False
    row = db.execute("SELECT 1 FROM pushes WHERE id = ? AND category = 'appeal' AND state IN ('sending', 'sent')"
                     " AND appeal_closed_at IS NULL", [push_id]).fetchone()
    return row is not None


def lane_columns(*, answered: bool, on_active_appeal: bool, due_at: str, resolve_due_at: str) -> dict:
    """``lane`` and ``lane_due_at`` for a tip in this situation."""
    if answered:
        return {"lane": LANE_ANSWERED, "lane_due_at": resolve_due_at}
    return {"lane": LANE_APPEAL if on_active_appeal else LANE_UNANSWERED, "lane_due_at": due_at}


def answered_changes(tip: dict, at: str) -> dict:
    """The columns that change when ``tip`` gets its first response at ``at`` (none if it had one)."""
    if tip.get("first_response_at"):
        return {}
    return {"first_response_at": at, "lane": LANE_ANSWERED, "lane_due_at": tip["resolve_due_at"]}


def reopened_changes(db: sqlite_utils.Database, tip: dict, at: datetime) -> dict:
    """A reopened tip gets a fresh resolution clock (its first response, if any, stands)."""
    due = resolution_due(db, tip["kind"], tip["priority"], at)
    changes = {"resolve_due_at": due}
    if tip.get("first_response_at"):
        changes["lane_due_at"] = due
    return changes


def priority_changes(db: sqlite_utils.Database, tip: dict, priority: str) -> dict:
    """Both due times follow a new priority, counted from the tip's arrival."""
    start = parse(tip["created_at"])
    due = first_response_due(db, tip["kind"], priority, start)
    resolve = resolution_due(db, tip["kind"], priority, start)
    return {"due_at": due, "resolve_due_at": resolve,
            "lane_due_at": resolve if tip.get("first_response_at") else due}


def resolution_minutes_left(tip: dict, now: str) -> int | None:
    """Minutes until the tip should be resolved (negative: late); None once resolved or closed."""
    if not tip["is_open"] or not tip.get("resolve_due_at"):
        return None
    return int((parse(tip["resolve_due_at"]) - parse(now)).total_seconds() // 60)


def span_text(minutes: int, lang: str) -> str:
    """'8 分钟', '2 小时 5 分钟', '3 天 4 小时'."""
    if minutes < 60:
        return i18n.t("triage.span.minutes", lang, m=minutes)
    if minutes < 24 * 60:
        return i18n.t("triage.span.hours", lang, h=minutes // 60, m=minutes % 60)
    return i18n.t("triage.span.days", lang, d=minutes // (24 * 60), h=minutes % (24 * 60) // 60)


def resolution_text(tip: dict, now: str, lang: str = "zh") -> str:
    """The resolution clock as shown: '办结剩余 3 天 4 小时', '⚠ 办结超时 2 小时', '—' once resolved."""
    minutes = resolution_minutes_left(tip, now)
    if minutes is None:
        return "—"
    if minutes < 0:
        return i18n.t("triage.resolve.overdue", lang, span=span_text(-minutes, lang))
    return i18n.t("triage.resolve.left", lang, span=span_text(minutes, lang))
