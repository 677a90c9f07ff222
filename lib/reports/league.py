"""The league table (数据看板): the stations compared on the work — or, for a station admin, its outposts
and officers — over a date range, every figure from the records.

Columns (:data:`COLUMNS`), each a figure of the range ``[start, end)`` unless it says "now":

- groups, members, coverage (now): the registry; coverage is members / residents of comprehensive grids;
- pushes sent in the range by the station (the linkage center's district pushes are the center's, not a
  station's), of them prevention and anti-fraud; delivery completion: of the deliveries of pushes sent in
  the range to the row's groups (district pushes included), the share posted;
- appeals sent, and the median minutes from an appeal to its first lead;
- tips received by kind; open and overdue (now, as the queue counts them); first-response median (tips
  received in the range that were answered) and on-time rate (of those whose clock ran out in the range);
  resolution median (hours, tips closed in the range); reopened (reopen steps taken in the range); content
  rating (mean stars residents gave pushes in the range);
- mediation cases opened in the range and the share of them settled;
- checklist compliance: of the duty items of periods that ended in the range (the nightly snapshot), the
  share done; open problems (now).

A tip moved to another station counts where it is now; a merged duplicate is not a tip received. Rows
are subjects with at least one group or one tip in the range. Tips and their events are read by id
range (:func:`lib.core.query.first_id_since`), never by a scan of a million rows.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

import sqlite_utils

from lib.core import clock, query, scope
from lib.core.errors import ValidationError
from lib.duty import periods
from lib.tips import tip_ranges

if TYPE_CHECKING:
    from lib.core.auth import User

KINDS = ("request", "lead", "inquiry", "complaint")
# (key, direction): +1 when more is better, -1 when less is better, 0 when neither (a size)
COLUMNS: tuple[tuple[str, int], ...] = (
    ("groups", 0), ("members", 0), ("coverage", 1), ("pushes", 1), ("prevention_pushes", 1), ("delivered", 1),
    ("appeals", 0), ("first_lead_min", -1), ("tips", 0), *((f"tips_{k}", 0) for k in KINDS), ("open", 0),
    ("overdue", -1), ("first_response_min", -1), ("on_time", 1), ("resolution_h", -1), ("reopened", -1),
    ("rating", 1), ("mediation", 0), ("settled", 1), ("compliance", 1), ("problems", -1),
)
BY = ("station", "outpost", "officer")
RANGES = ("today", "7d", "month", "custom")
MAX_DAYS = 366
WORST = 3


@dataclass
class League:
    """The table: one dict per row (``id``, ``name`` and every column's value, None where the row has
    nothing to measure), the subjects' kind, the range, and each column's worst rows."""

    rows: list[dict]
    by: str
    start: date
    end: date  # exclusive
    worst: dict[str, set[int]] = field(default_factory=dict)


def date_range(choice: str, *, today: date | None = None, start: date | None = None,
               end: date | None = None) -> tuple[date, date]:
    """``[start, end)`` in Beijing dates for a choice of :data:`RANGES` (custom: ``start`` to ``end``
    inclusive, at most a year, not in the future)."""
    today = today or periods.beijing_date()
    if choice == "today":
        return today, today + timedelta(days=1)
    if choice == "7d":
        return today - timedelta(days=6), today + timedelta(days=1)
    if choice == "month":
        return today.replace(day=1), today + timedelta(days=1)
    if choice != "custom" or start is None or end is None:
        raise ValidationError("league.error.range")
    if end < start:
        raise ValidationError("league.error.range_order")
    if start > today:
        raise ValidationError("league.error.range_future")
    if (end - start).days + 1 > MAX_DAYS:
        raise ValidationError("league.error.range_long", days=MAX_DAYS)
    return start, min(end, today) + timedelta(days=1)


def _stamp(day: date) -> str:
    return clock.from_beijing(datetime(day.year, day.month, day.day))


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def median_of_counts(counts: list[tuple[int, int]]) -> float | None:
    """The median of values given as ``(value, how many)`` — what SQL returns grouped, rather than one
    row per tip (a month at 10x is ~90,000 tips)."""
    total = sum(n for _, n in counts)
    if not total:
        return None
    wanted = [(total - 1) // 2, total // 2]  # the middle one, or the middle two
    found: list[int] = []
    seen = 0
    for value, n in sorted(counts):
        while wanted and wanted[0] < seen + n:
            found.append(value)
            wanted.pop(0)
        seen += n
    return round(sum(found) / 2, 1)


def _pct(n: float, d: float) -> float | None:
    return round(100.0 * n / d, 1) if d else None


# The subject of each kind of record, per kind of row (None: the figure does not apply to that kind).
_GROUP = {"station": "c.station_id", "outpost": "g.outpost_id", "officer": "c.owner_user_id"}
_GRID = {"station": "g.station_id", "outpost": "g.outpost_id", "officer": None}
# "+t.station_id": grouping by the station must not lead SQLite to walk a station index over every tip
# instead of the id range.
_TIP = {"station": "+t.station_id", "outpost": "g.outpost_id", "officer": "t.assignee_user_id"}
_PUSH = {"station": "p.station_id", "outpost": None, "officer": "p.created_by"}
_CASE = {"station": "m.station_id", "outpost": None, "officer": "m.mediator_user_id"}


def _subjects(db, by: str, station_id: int | None) -> dict[int, str]:
    if by == "officer":
        return {r[0]: r[1] for r in db.execute(
            "SELECT u.id, u.name FROM users u JOIN units un ON un.id = u.unit_id WHERE COALESCE(un.station_id, un.id) = ?"
            " AND un.kind != 'district_center' ORDER BY u.name", [station_id])}
    where, params = ("", []) if station_id is None else (" AND COALESCE(station_id, id) = ?", [station_id])
    return {r[0]: r[1] for r in db.execute(f"SELECT id, name FROM units WHERE kind = ?{where} ORDER BY code",
                                           [by, *params])}


def league(db: sqlite_utils.Database, user: User, *, start: date, end: date, by: str = "station",
           station_id: int | None = None, now: datetime | None = None) -> League:
    """The league of the user's scope over ``[start, end)`` (Beijing dates): the district's stations, or
    one station's outposts or officers (a station admin's own; a district admin may pick one)."""
    if by not in BY:
        raise ValidationError("league.error.by")
    scope.require_a_scope(user)
    station = scope.filter_station(user, station_id)
    if by == "station":
        station = station if not user.is_district else station_id
    elif station is None:
        raise ValidationError("league.error.station")
    now_s = clock.stamp(now or datetime.now(UTC))
    lo, hi = _stamp(start), min(_stamp(end), now_s)
    names = _subjects(db, by, station)
    cols: dict[str, dict[int, float | None]] = defaultdict(dict)
    sf = (lambda col: (f" AND {col} = ?", [station])) if station is not None else (lambda col: ("", []))

    # The registry (now).
    key = _GROUP[by]
    w, p = sf("c.station_id")
    for s, n, m in db.execute(f"SELECT {key}, COUNT(*), SUM(c.member_count) FROM chat_groups c JOIN grids g"
                              f" ON g.id = c.grid_id WHERE c.status = 'active'{w} GROUP BY 1", p):
        cols["groups"][s], cols["members"][s] = n, m
    if _GRID[by]:
        w, p = sf("g.station_id")
        for s, m, r in db.execute(
                f"SELECT {_GRID[by]}, SUM(g.active_members), SUM(CASE WHEN g.category = 'comprehensive'"
                f" THEN g.population ELSE 0 END) FROM grids g WHERE 1 = 1{w} GROUP BY 1", p):
            cols["coverage"][s] = _pct(m, r)

    # Pushes and their delivery.
    if _PUSH[by]:
        w, p = sf("p.station_id")
        for s, n, prevention, appeals in db.execute(
                f"SELECT {_PUSH[by]}, COUNT(*), SUM(p.category IN ('prevention_tip', 'anti_fraud')),"
                f" SUM(p.category = 'appeal') FROM pushes p WHERE p.state IN ('sending', 'sent')"
                f" AND p.sent_at >= ? AND p.sent_at < ?{w} GROUP BY 1", [lo, hi, *p]):
            cols["pushes"][s], cols["prevention_pushes"][s], cols["appeals"][s] = n, prevention, appeals
        first_leads: dict[int, list[float]] = defaultdict(list)
        for s, sent, lead in db.execute(
                f"SELECT {_PUSH[by]}, p.sent_at, (SELECT MIN(t.created_at) FROM tips t WHERE t.push_id = p.id"
                f" AND t.kind = 'lead') FROM pushes p WHERE p.category = 'appeal' AND p.state IN ('sending', 'sent')"
                f" AND p.sent_at >= ? AND p.sent_at < ?{w}", [lo, hi, *p]):
            if lead:
                first_leads[s].append((clock.parse(lead) - clock.parse(sent)).total_seconds() / 60)
        for s, values in first_leads.items():
            cols["first_lead_min"][s] = _median(values)
    w, p = sf("c.station_id")
    for s, done, total in db.execute(
            f"SELECT {_GROUP[by]}, SUM(d.state IN ('sent', 'confirmed')), COUNT(*) FROM pushes p"
            " JOIN deliveries d ON d.push_id = p.id JOIN chat_groups c ON c.id = d.group_id JOIN grids g"
            f" ON g.id = c.grid_id WHERE p.state IN ('sending', 'sent') AND p.sent_at >= ? AND p.sent_at < ?{w}"
            " GROUP BY 1", [lo, hi, *p]):
        cols["delivered"][s] = _pct(done, total)

    # Tips received in the range, by id range.
    first = tip_ranges.first_tip_since(db, lo)
    tkey = _TIP[by]
    w, p = sf("t.station_id")
    grid_join = " LEFT JOIN grids g ON g.id = t.grid_id" if by == "outpost" else ""
    # Counted and timed in SQL (julianday): a month at 10x is ~90,000 tips, too many to parse in Python.
    received = (f" FROM tips t{grid_join} WHERE t.id >= ? AND t.created_at >= ? AND t.created_at < ?"
                f" AND t.duplicate_of IS NULL{w}")
    for s, kind, n in db.execute(f"SELECT {tkey}, t.kind, COUNT(*){received} GROUP BY 1, 2", [first, lo, hi, *p]):
        cols["tips"][s] = (cols["tips"].get(s) or 0) + n
        cols[f"tips_{kind}"][s] = n
    answered: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for s, minutes, n in db.execute(
            f"SELECT {tkey}, CAST(ROUND((julianday(t.first_response_at) - julianday(t.created_at)) * 1440) AS INTEGER),"
            f" COUNT(*){received} AND t.first_response_at IS NOT NULL GROUP BY 1, 2", [first, lo, hi, *p]):
        answered[s].append((minutes, n))
    for s, counts in answered.items():
        cols["first_response_min"][s] = median_of_counts(counts)
    # On time: the clocks that ran out in the range.
    first_due = tip_ranges.first_tip_due_since(db, lo)
    for s, in_time, total in db.execute(
            f"SELECT {tkey}, SUM({tip_ranges.IN_TIME}), COUNT(*)"
            f" FROM tips t{grid_join} WHERE t.id >= ? AND t.due_at >= ? AND t.due_at < ? AND t.duplicate_of IS NULL{w}"
            " GROUP BY 1", [first_due, lo, hi, *p]):
        cols["on_time"][s] = _pct(in_time, total)
    resolved: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for s, tenths, n in db.execute(
            f"SELECT {tkey}, CAST(ROUND((julianday(t.closed_at) - julianday(t.created_at)) * 240) AS INTEGER),"
            f" COUNT(*) FROM tips t{grid_join} WHERE t.closed_at >= ? AND t.closed_at < ? AND t.closed_at IS NOT NULL"
            f" AND t.erased_at IS NULL AND t.duplicate_of IS NULL AND t.state != 'duplicate'{w} GROUP BY 1, 2",
            [lo, hi, *p]):
        resolved[s].append((tenths, n))
    for s, counts in resolved.items():
        median = median_of_counts(counts)
        cols["resolution_h"][s] = None if median is None else round(median / 10, 1)
    first_event = query.first_id_since(db, "tip_events", "at", lo)
    for s, n in db.execute(
            f"SELECT {tkey}, COUNT(*) FROM tip_events e JOIN tips t ON t.id = e.tip_id{grid_join}"
            " WHERE e.id >= ? AND e.at >= ? AND e.at < ? AND e.kind = 'state'"
            f" AND json_extract(e.data, '$.action') = 'reopen'{w} GROUP BY 1", [first_event, lo, hi, *p]):
        cols["reopened"][s] = n
    if _PUSH[by]:
        w2, p2 = sf("p.station_id")
        for s, stars in db.execute(
                f"SELECT {_PUSH[by]}, AVG(t.rating) FROM tips t JOIN pushes p ON p.id = t.push_id WHERE t.id >= ?"
                f" AND t.created_at >= ? AND t.created_at < ? AND t.rating IS NOT NULL{w2} GROUP BY 1",
                [first, lo, hi, *p2]):
            cols["rating"][s] = round(stars, 2)

    # Open and overdue now (the queue's definitions): per station two counts in its queue index
    # (idx_tips_lane_station), not a pass over every open tip of the district.
    if by == "station":
        for s in names:
            cols["open"][s] = db.execute("SELECT COUNT(*) FROM tips WHERE station_id = ? AND is_open = 1",
                                         [s]).fetchone()[0]
            cols["overdue"][s] = sum(db.execute(
                "SELECT COUNT(*) FROM tips WHERE station_id = ? AND is_open = 1 AND lane = ? AND lane_due_at < ?",
                [s, lane, now_s]).fetchone()[0] for lane in (0, 1))
    else:
        for s, n, late in db.execute(
                f"SELECT {tkey}, COUNT(*), SUM(t.lane IN (0, 1) AND t.lane_due_at < ?) FROM tips t{grid_join}"
                f" WHERE t.is_open = 1{w} GROUP BY 1", [now_s, *p]):
            cols["open"][s], cols["overdue"][s] = n, late

    # Mediation.
    if _CASE[by]:
        w, p = sf("m.station_id")
        for s, n, settled in db.execute(
                f"SELECT {_CASE[by]}, COUNT(*), SUM(EXISTS (SELECT 1 FROM mediation_events e WHERE e.case_id = m.id"
                " AND e.kind = 'state' AND json_extract(e.data, '$.action') = 'settle')) FROM mediation_cases m"
                f" WHERE m.created_at >= ? AND m.created_at < ?{w} GROUP BY 1", [lo, hi, *p]):
            cols["mediation"][s], cols["settled"][s] = n, _pct(settled, n)

    # Duty: compliance over the ended periods in the range (a station: every item of it, its officers' and
    # outposts' included), open problems now.
    w, p = sf("station_id")
    subject = "station_id" if by == "station" else "subject_id"
    kind = "" if by == "station" else " AND subject_kind = ?"
    kinds = [] if by == "station" else [by]
    for s, done, total in db.execute(
            f"SELECT {subject}, SUM(status = 'done'), COUNT(*) FROM duty_snapshots WHERE period_start >= ?"
            f" AND period_start < ?{kind}{w} GROUP BY 1", [start.isoformat(), end.isoformat(), *kinds, *p]):
        cols["compliance"][s] = _pct(done, total)
    for s, n in db.execute(f"SELECT {subject}, COUNT(*) FROM duty_problems WHERE is_open = 1{kind}{w} GROUP BY 1",
                           [*kinds, *p]):
        cols["problems"][s] = n

    rows = []
    for subject_id, name in names.items():
        row = {"id": subject_id, "name": name, **{k: cols[k].get(subject_id) for k, _ in COLUMNS}}
        if by != "station" and not row["groups"] and not row["tips"] and not row["open"]:
            continue  # an officer or outpost with nothing to show
        for k in ("tips", *(f"tips_{kind}" for kind in KINDS), "open", "overdue", "reopened", "problems"):
            row[k] = row[k] or 0
        if _PUSH[by]:
            for k in ("pushes", "prevention_pushes", "appeals"):
                row[k] = row[k] or 0
        if _CASE[by]:
            row["mediation"] = row["mediation"] or 0
        rows.append(row)
    return League(rows, by, start, end, _worst(rows, by))


def applies(key: str, by: str) -> bool:
    """Whether a column is measured for rows of this kind (a push has no outpost, a grid no officer)."""
    if key in ("pushes", "prevention_pushes", "appeals", "first_lead_min", "rating"):
        return _PUSH[by] is not None
    if key in ("mediation", "settled"):
        return _CASE[by] is not None
    if key == "coverage":
        return _GRID[by] is not None
    return True


def _worst(rows: list[dict], by: str) -> dict[str, set[int]]:
    """Per column with a better direction, the ids of the three worst rows that have a value."""
    out: dict[str, set[int]] = {}
    for key, direction in COLUMNS:
        if not direction or not applies(key, by):
            continue
        valued = [r for r in rows if r[key] is not None]
        if len(valued) <= WORST:
            continue
        ranked = sorted(valued, key=lambda r: r[key] * direction)
        cut = ranked[WORST - 1][key]
        marked = {r["id"] for r in ranked if r[key] * direction <= cut * direction}
        if len(marked) <= 2 * WORST:  # a tie of many (everyone at 0) singles nobody out
            out[key] = marked
    return out
