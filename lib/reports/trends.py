"""Weekly trends (数据看板 → 趋势): tips received, response times and pushes by week, for the district or one
station — what people would rather look at than read, with exactly the data charted for download.

A week runs Monday to Sunday in Beijing time and is named by its Monday. Per week:

- tips received (merged duplicates not counted) and, of them, leads;
- the median minutes to the first response of the week's tips that were answered, and the share of the
  clocks that ran out that week which were answered in time;
- pushes sent (a station's own; for the district every push, the center's included) and deliveries posted.

Coverage has no history (the registry keeps today's member counts, not last month's), so it has no trend.
Tips are read by id range, grouped in SQL (medians from per-minute counts)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

import sqlite_utils

from lib.core import clock, scope
from lib.core.errors import ValidationError
from lib.duty import periods
from lib.reports.league import median_of_counts
from lib.tips import tip_ranges

if TYPE_CHECKING:
    from lib.core.auth import User

SERIES = ("tips", "leads", "first_response_min", "on_time", "pushes", "deliveries")
MAX_WEEKS = 52
# The Monday (Beijing) of a UTC stamp column, as an ISO date.
_WEEK = "date(julianday({c}, '+8 hours') - ((CAST(strftime('%w', {c}, '+8 hours') AS INTEGER) + 6) % 7))"


def weeks_back(n: int, today: date | None = None) -> tuple[date, date]:
    """The ``n`` weeks up to this one: ``[the Monday n-1 weeks ago, next Monday)``."""
    if not 1 <= n <= MAX_WEEKS:
        raise ValidationError("trends.error.weeks", max=MAX_WEEKS)
    this_week = periods.containing("weekly", today or periods.beijing_date())
    return this_week.start - timedelta(weeks=n - 1), this_week.end


def weekly(db: sqlite_utils.Database, user: User, *, weeks: int = 12, station_id: int | None = None,
           now: datetime | None = None) -> list[dict]:
    """One row per week, oldest first: ``{"week": Monday, <series>: value or None}`` for the user's scope
    (a district admin may pick a station)."""
    scope.require_a_scope(user)
    station = scope.filter_station(user, station_id)
    start, end = weeks_back(weeks, periods.beijing_date(now))
    lo = clock.from_beijing(datetime(start.year, start.month, start.day))
    hi = min(clock.from_beijing(datetime(end.year, end.month, end.day)), clock.stamp(now or datetime.now(UTC)))
    out: dict[str, dict] = {}
    for k in range(weeks):
        monday = (start + timedelta(weeks=k)).isoformat()
        out[monday] = {"week": monday, **{s: None for s in SERIES}}
    w, p = (" AND t.station_id = ?", [station]) if station is not None else ("", [])
    first = tip_ranges.first_tip_since(db, lo)
    received = f" FROM tips t WHERE t.id >= ? AND t.created_at >= ? AND t.created_at < ? AND t.duplicate_of IS NULL{w}"
    for week, n, leads in db.execute(f"SELECT {_WEEK.format(c='t.created_at')}, COUNT(*), SUM(t.kind = 'lead')"
                                     f"{received} GROUP BY 1", [first, lo, hi, *p]):
        if week in out:
            out[week]["tips"], out[week]["leads"] = n, leads
    minutes: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for week, m, n in db.execute(
            f"SELECT {_WEEK.format(c='t.created_at')}, CAST(ROUND((julianday(t.first_response_at)"
            f" - julianday(t.created_at)) * 1440) AS INTEGER), COUNT(*){received} AND t.first_response_at IS NOT NULL"
            " GROUP BY 1, 2", [first, lo, hi, *p]):
        minutes[week].append((m, n))
    for week, counts in minutes.items():
        if week in out:
            out[week]["first_response_min"] = median_of_counts(counts)
    first_due = tip_ranges.first_tip_due_since(db, lo)
    for week, in_time, n in db.execute(
            f"SELECT {_WEEK.format(c='t.due_at')}, SUM({tip_ranges.IN_TIME}), COUNT(*) FROM tips t WHERE t.id >= ? AND t.due_at >= ? AND t.due_at < ?"
            f" AND t.duplicate_of IS NULL{w} GROUP BY 1", [first_due, lo, hi, *p]):
        if week in out:
            out[week]["on_time"] = round(100.0 * in_time / n, 1) if n else None
    pw, pp = (" AND p.station_id = ?", [station]) if station is not None else ("", [])
    for week, n in db.execute(f"SELECT {_WEEK.format(c='p.sent_at')}, COUNT(*) FROM pushes p WHERE p.state IN"
                              f" ('sending', 'sent') AND p.sent_at >= ? AND p.sent_at < ?{pw} GROUP BY 1", [lo, hi, *pp]):
        if week in out:
            out[week]["pushes"] = n
    dw, dp = (" AND d.station_id = ?", [station]) if station is not None else ("", [])
    posted = "COALESCE(d.confirmed_at, d.sent_at)"
    for week, n in db.execute(
            f"SELECT {_WEEK.format(c=posted)}, COUNT(*) FROM pushes p JOIN deliveries d ON d.push_id = p.id"
            f" WHERE p.state IN ('sending', 'sent') AND p.sent_at >= ? AND p.sent_at < ?"
            f" AND d.state IN ('sent', 'confirmed') AND {posted} >= ? AND {posted} < ?{dw} GROUP BY 1",
            [clock.stamp(clock.parse(lo) - timedelta(days=30)), hi, lo, hi, *dp]):
        if week in out:
            out[week]["deliveries"] = n
    for row in out.values():  # weeks with nothing counted read 0, not "not measured"
        for key in ("tips", "leads", "pushes", "deliveries"):
            row[key] = row[key] or 0
    return list(out.values())
