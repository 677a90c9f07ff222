"""The triage queue (线索研判): which tips a user sees first and how many match, what a live page
announces, and how the queue shows a tip's clock.

Order: open leads on active appeals first, then the other unanswered tips, then the answered ones —
each by the time left on the clock that runs (lib/tips/tip_clocks.py). Every filter is served in this
order by an index (migrations 11–12); ``make bench`` measures the first page at 1M tips."""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from lib.core import clock, scope, taxonomy
from lib.core.auth import User
from lib.core.clock import utcnow
from lib.core.errors import ScopeError
from lib.i18n import i18n
from lib.tips import tip_clocks, tips
from lib.tips.kinds import PRIORITY_RANK

# --- the queue --------------------------------------------------------------------------


@dataclass
class QueueFilter:
    station_id: int | None = None
    states: tuple[str, ...] = ()
    open_only: bool = True
    kind: str | None = None
    priority: str | None = None
    assignee_user_id: int | None = None
    overdue: bool = False
    push_id: int | None = None


def _queue_where(user: User, f: QueueFilter, now: str) -> tuple[str, list]:
    where, params = [], []
    # With a state chosen, the state's own index (in queue order) finds a station's rows soonest:
    # a station's share of one state is small. "+station_id" keeps SQLite from picking the
    # station's all-states index and filtering the state on the way instead.
    station_term = "+station_id = ?" if f.states else "station_id = ?"
    if user.is_district:
        if f.station_id is not None:
            where.append(station_term)
            params.append(f.station_id)
    else:
        if f.station_id not in (None, user.station_id):
            raise ScopeError()
        where.append(station_term)
        params.append(user.station_id)
    if f.states:
        where.append(f"state IN ({', '.join('?' * len(f.states))})")
        params += list(f.states)
    elif f.open_only:
        where.append("is_open = 1")
    for column, value in (("kind", f.kind), ("priority_rank", PRIORITY_RANK.get(f.priority)),
                          ("assignee_user_id", f.assignee_user_id), ("push_id", f.push_id)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if f.overdue:
        where.append(_OVERDUE)
        params.append(now)
    return " AND ".join(where) or "1 = 1", params


# Overdue: open and unanswered (lanes 0 and 1, where lane_due_at is the first-response due time)
# past its due time — two ranges of the queue's own index.
_OVERDUE = "is_open = 1 AND lane IN (0, 1) AND lane_due_at < ?"
QUEUE_ORDER = "lane, lane_due_at, id"


def queue(db: sqlite_utils.Database, user: User, f: QueueFilter | None = None, *, page: int = 1, page_size: int = 50,
          now: str | None = None) -> list[dict]:
    """A page of the triage queue: unanswered tips on active appeals first, then the other
    unanswered tips, then the answered ones — each by the time left on the clock that runs
    (see :mod:`lib.tips.tip_clocks`). Keyset-free OFFSET paging is fine for the first pages, which is
    where triage happens."""
    f = f or QueueFilter()
    now = now or utcnow()
    where, params = _queue_where(user, f, now)
    return list(db.query(
        f"SELECT {tips.PUBLIC_COLUMNS} FROM tips WHERE {where} ORDER BY {QUEUE_ORDER} LIMIT ? OFFSET ?",
        params + [int(page_size), (max(1, int(page)) - 1) * int(page_size)]))


def queue_counts(db: sqlite_utils.Database, user: User, f: QueueFilter | None = None, now: str | None = None) -> dict:
    """How many tips match, and how many of them are overdue."""
    f = f or QueueFilter()
    now = now or utcnow()
    where, params = _queue_where(user, f, now)
    total = db.execute(f"SELECT COUNT(*) FROM tips WHERE {where}", params).fetchone()[0]
    overdue = db.execute(f"SELECT COUNT(*) FROM tips WHERE {where} AND {_OVERDUE}", params + [now]).fetchone()[0]
    return {"total": total, "overdue": overdue}


def latest_id(db: sqlite_utils.Database, user: User) -> int:
    """The newest tip id in the user's scope (0 when none): where "new since" starts counting."""
    if user.is_district:
        return db.execute("SELECT COALESCE(MAX(id), 0) FROM tips").fetchone()[0]
    return db.execute("SELECT COALESCE(MAX(id), 0) FROM tips WHERE station_id = ?", [user.station_id]).fetchone()[0]


def arrivals(db: sqlite_utils.Database, user: User, since_id: int, *, limit: int = 50) -> list[dict]:
    """Tips in the user's scope that arrived after ``since_id``, oldest first: what a live page
    announces. (A tip sent on from another station keeps its older id and is not announced.)"""
    clause, params = scope.station_clause(user, "station_id")
    if user.is_district:
        clause, params = "1 = 1", []
    return list(db.query(
        f"SELECT id, kind, priority, push_id, lane, is_open, created_at FROM tips WHERE id > ? AND {clause}"
        " ORDER BY id LIMIT ?", [int(since_id), *params, int(limit)]))


def is_alert(tip: dict) -> bool:
    """Worth a notice the moment it arrives: an open lead on an active appeal, or an urgent tip."""
    return bool(tip["is_open"]) and (tip["lane"] == tip_clocks.LANE_APPEAL or tip["priority"] == "urgent")


def is_overdue(tip: dict, now: str | None = None) -> bool:
    return bool(tip["is_open"]) and tip["first_response_at"] is None and tip["due_at"] < (now or utcnow())


def kinds_label(kind: str, lang: str) -> str:
    return taxonomy.label("tip_kinds", kind, lang)


# --- what the triage page shows about a tip ----------------------------------------------



_parse = clock.parse


def local_time(ts: str | None) -> str:
    """An ISO UTC timestamp as China time, '2026-11-28 18:30' ('' for none)."""
    return clock.beijing(ts)


def sla_minutes(tip: dict, now: str | None = None) -> int | None:
    """Minutes until the first response is due (negative: overdue); ``None`` when the clock
    has stopped — the tip was answered or is closed."""
    if not tip["is_open"] or tip["first_response_at"] is not None:
        return None
    return int((_parse(tip["due_at"]) - _parse(now or utcnow())).total_seconds() // 60)


_span = tip_clocks.span_text


def sla_text(tip: dict, now: str | None = None, lang: str = "zh") -> str:
    """The SLA column: '剩余 8 分钟', '⚠ 已超时 25 分钟', '已答复' or '—' for closed tips."""
    if not tip["is_open"]:
        return "—"
    minutes = sla_minutes(tip, now)
    if minutes is None:
        return i18n.t("triage.sla.answered", lang)
    if minutes < 0:
        return i18n.t("triage.sla.overdue", lang, span=_span(-minutes, lang))
    return i18n.t("triage.sla.left", lang, span=_span(minutes, lang))
