"""Duty measures: the figures a duty standard is held to, computed from the records the portal keeps.

A measure computes, for one period and one kind of subject (officer / outpost / station), a
:class:`Figure` per subject in one grouped query — never a query per subject, so a district's
checklist is a few dozen queries whatever its size. The subject of a record:

- a group: its owner officer, its grid's outpost, its station;
- a grid: its outpost, its station (grids have no officer: officer scope is refused);
- a tip: its assigned officer, its grid's outpost, its station;
- a push (content ratings): its author, its station;
- an online situation: its group's owner, the group's grid's outpost, its station.

Two kinds of measure. A **state** measure looks at how things stand at the moment measured (every
group has an owner; no group silent for 14 days): within a running period it is "now". A **flow**
measure counts what happened in the period (pushes delivered per group, tips answered on time).

Units: ``share`` is a percentage 0–100 of the records that meet the condition (no record: nothing
to measure, the item is met); ``per_group`` a count per active group; ``count`` a number of
records; ``rating`` a mean of 1–5 stars.

Tips are found by id range: a tip's id and its ``created_at`` are given in the same intake
transaction, so ids follow arrival time, and a range of ids is the one index every tip already
has (a new index on a time column would cost every intake one more page).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlite_utils

from lib.core import clock
from lib.duty.periods import Period
from lib.tips import tip_ranges

SCOPES = ("officer", "outpost", "station")
AREAS = ("management", "service", "foundation", "prevention", "publicity")
RECORDS_LIMIT = 200
DELIVERED = "d.state IN ('sent', 'confirmed')"
DELIVERED_AT = "COALESCE(d.confirmed_at, d.sent_at)"
PREVENTION_CATEGORIES = ("prevention_tip", "anti_fraud")
# How far before a window a push may have been sent and still be posted (confirmed) inside it: a
# manual checklist is worked through within days; a month covers the slowest station.
POSTING_LAG_DAYS = 30


@dataclass(frozen=True)
class Figure:
    """One subject's figure: ``value`` in the measure's unit (None: nothing to measure)."""

    value: float | None
    numerator: float = 0
    denominator: float = 0


@dataclass
class Run:
    """What one computation is about: the subjects' kind, an optional station, the period, the moment
    measured (``asof``: the period's end, or now while it runs) and the standard's parameters."""

    subject: str
    station_id: int | None
    period: Period
    asof: str
    params: dict = field(default_factory=dict)
    # Reads several measures share within one checklist (the deliveries of a window, the groups of a
    # station): the caller passes one dict to every run it makes, and each read is made once.
    memo: dict = field(default_factory=dict, repr=False, compare=False)

    def once(self, key: tuple, read):
        """``read()``, or what it returned for ``key`` earlier in this memo."""
        if key not in self.memo:
            self.memo[key] = read()
        return self.memo[key]

    @property
    def start(self) -> str:
        return self.period.stamps()[0]

    @property
    def until(self) -> str:
        """The end of what has happened: the period's end, or ``asof`` while it runs."""
        return min(self.period.stamps()[1], self.asof)

    def shifted(self, stamp: str, days: float) -> str:
        return clock.stamp(clock.parse(stamp) - timedelta(days=days))


@dataclass(frozen=True)
class Measure:
    """A measure's definition; ``compute(db, run)`` returns ``{subject_id: Figure}`` and
    ``records(db, run, subject_id)`` the rows behind one subject's figure (the worst first)."""

    code: str
    area: str
    kind: str  # "state" | "flow"
    unit: str  # "share" | "per_group" | "count" | "rating"
    direction: str  # "at_least" | "at_most"
    scopes: tuple[str, ...]
    periods: tuple[str, ...]
    source: str  # the records behind it: "groups" | "grids" | "tips" | "pushes" | "situations"
    compute: Callable[[sqlite_utils.Database, Run], dict[int, Figure]]
    records: Callable[[sqlite_utils.Database, Run, int], list[dict]]
    params: dict = field(default_factory=dict)
    max_threshold: float | None = None
    cumulative: bool = False  # a flow that only grows within a period: judged against its pace

    def met(self, figure: Figure, threshold: float) -> bool:
        """Whether a figure meets a threshold (nothing to measure meets it)."""
        if figure.value is None:
            return True
        return figure.value >= threshold if self.direction == "at_least" else figure.value <= threshold


# --- subjects ---------------------------------------------------------------------------------

_GROUP_SUBJECT = {"officer": "c.owner_user_id", "outpost": "g.outpost_id", "station": "c.station_id"}
_GRID_SUBJECT = {"outpost": "g.outpost_id", "station": "g.station_id"}
_TIP_SUBJECT = {"officer": "t.assignee_user_id", "outpost": "g.outpost_id", "station": "t.station_id"}
_SITUATION_SUBJECT = {"officer": "c.owner_user_id", "outpost": "g.outpost_id", "station": "s.station_id"}
_PUSH_SUBJECT = {"officer": "p.created_by", "station": "p.station_id"}


def _station(run: Run, column: str) -> tuple[str, list]:
    return (f" AND {column} = ?", [run.station_id]) if run.station_id is not None else ("", [])


def _one(run: Run, column: str, subject_id: int) -> tuple[str, list]:
    return f" AND {column} = ?", [subject_id]


def _tip_station(run: Run) -> tuple[str, list]:
    """A tip query's station condition, written so that SQLite does not take the station's queue index
    (every tip the station ever had) over the id range or the push index the query is built on."""
    return _station(run, "+t.station_id")


def _tip_grids(run: Run) -> str:
    """The join to the tip's grid, needed only to find its outpost."""
    return " LEFT JOIN grids g ON g.id = t.grid_id" if run.subject == "outpost" else ""


def _share(rows) -> dict[int, Figure]:
    """``(subject, numerator, denominator)`` rows as percentage figures."""
    return {s: Figure(round(100.0 * n / d, 1) if d else None, n, d) for s, n, d in rows if s is not None}


def _group_grids(run: Run) -> str:
    """The join to a group's grid, needed only to find its outpost."""
    return " JOIN grids g ON g.id = c.grid_id" if run.subject == "outpost" else ""


def _active_groups(db, run: Run) -> dict[int, int]:
    key = _GROUP_SUBJECT[run.subject]
    where, params = _station(run, "c.station_id")
    return {s: n for s, n in db.execute(
        f"SELECT {key}, COUNT(*) FROM chat_groups c{_group_grids(run)}"
        f" WHERE c.status = 'active'{where} GROUP BY 1", params) if s is not None}


# --- group state measures ---------------------------------------------------------------------


def _group_share(condition: str, since_days: str | None = None):
    """A state measure: the share of a subject's active groups meeting ``condition`` (SQL on ``c``);
    with ``since_days``, the condition's ``?`` is the moment that many days (a parameter) before
    the moment measured."""

    def bound(run: Run) -> list:
        return [run.shifted(run.until, run.params[since_days])] if since_days else []

    def compute(db, run: Run) -> dict[int, Figure]:
        key = _GROUP_SUBJECT[run.subject]
        where, params = _station(run, "c.station_id")
        return _share(db.execute(
            f"SELECT {key}, SUM({condition}), COUNT(*) FROM chat_groups c{_group_grids(run)}"
            f" WHERE c.status = 'active'{where} GROUP BY 1",
            [*bound(run), *params]))

    def records(db, run: Run, subject_id: int) -> list[dict]:
        where, params = _one(run, _GROUP_SUBJECT[run.subject], subject_id)
        return list(db.query(
            "SELECT c.id AS group_id, c.name AS group_name, g.name AS grid, u.name AS owner, c.admin_name AS admin,"
            " c.member_count AS members, substr(c.members_updated_at, 1, 10) AS members_updated"
            " FROM chat_groups c JOIN grids g ON g.id = c.grid_id LEFT JOIN users u ON u.id = c.owner_user_id"
            f" WHERE c.status = 'active' AND NOT ({condition}){where}"
            f" ORDER BY c.name LIMIT {RECORDS_LIMIT}", [*bound(run), *params]))

    return compute, records


_STAFFED = ("(c.owner_user_id IS NOT NULL AND COALESCE(TRIM(c.admin_name), '') != ''"
            " AND COALESCE(TRIM(c.admin_phone), '') != '')")
_NAMED = "c.is_name_standard = 1"
_FRESH = "(c.members_updated_at IS NOT NULL AND c.members_updated_at >= ?)"


def _deliveries(db, run: Run, since: str, until: str, categories: tuple[str, ...] = ()) -> list[tuple]:
    """``(group_id, delivered_at)`` of deliveries posted in ``[since, until)`` to active groups of the
    run's station, of pushes of ``categories`` (all when empty). Pushes are found by sent time (the
    deliveries table has no time index); a window is read once per checklist and filtered here."""

    def read() -> list[tuple]:
        where, params = _station(run, "c.station_id")
        return db.execute(
            f"SELECT d.group_id, {DELIVERED_AT}, p.category FROM pushes p JOIN deliveries d ON d.push_id = p.id"
            " JOIN chat_groups c ON c.id = d.group_id"
            " WHERE p.state IN ('sending', 'sent') AND p.sent_at >= ? AND p.sent_at < ?"
            f" AND {DELIVERED} AND {DELIVERED_AT} >= ? AND {DELIVERED_AT} < ? AND c.status = 'active'{where}",
            [run.shifted(since, POSTING_LAG_DAYS), until, since, until, *params]).fetchall()

    rows = run.once(("deliveries", run.station_id, since, until), read)
    return [(g, at) for g, at, category in rows if not categories or category in categories]


def _group_subjects(db, run: Run, subject_id: int | None = None) -> dict[int, tuple]:
    """Active groups of the run's station: ``{group_id: (subject, name, grid, owner, created)}`` — with
    their names only for one subject's records (a district's 27,000 names would cost the checklist)."""
    key = _GROUP_SUBJECT[run.subject]
    where, params = _station(run, "c.station_id")
    created = "COALESCE(c.created_on, substr(c.created_at, 1, 10))"
    if subject_id is None:
        return run.once(("groups", run.subject, run.station_id), lambda: {r[0]: (r[1], None, None, None, r[2]) for r in db.execute(
            f"SELECT c.id, {key}, {created} FROM chat_groups c{_group_grids(run)} WHERE c.status = 'active'{where}",
            params)})
    return {r[0]: r[1:] for r in db.execute(
        f"SELECT c.id, {key}, c.name, g.name, u.name, {created} FROM chat_groups c JOIN grids g ON g.id = c.grid_id"
        f" LEFT JOIN users u ON u.id = c.owner_user_id WHERE c.status = 'active'{where} AND {key} = ?",
        [*params, subject_id])}


def _silent(db, run: Run, subject_id: int | None = None) -> tuple[dict, dict]:
    """Groups silent at ``until``: no delivery posted for ``days`` days (groups younger than that are
    not counted). Returns ``(groups, last delivered_at per group)``."""
    days = run.params.get("days", 14)
    since = run.shifted(run.until, days)
    groups = _group_subjects(db, run, subject_id)
    last: dict[int, str] = {}
    for group_id, at in _deliveries(db, run, run.shifted(run.until, days + POSTING_LAG_DAYS), run.until):
        if at > last.get(group_id, ""):
            last[group_id] = at
    young = clock.beijing(since)[:10]
    silent = {gid: row for gid, row in groups.items()
              if last.get(gid, "") < since and (row[4] or "") <= young}
    return silent, last


def _silent_compute(db, run: Run) -> dict[int, Figure]:
    silent, _ = _silent(db, run)
    counts: dict[int, int] = {}
    for row in silent.values():
        counts[row[0]] = counts.get(row[0], 0) + 1
    return {s: Figure(float(counts.get(s, 0)), counts.get(s, 0), n) for s, n in _active_groups(db, run).items()}


def _silent_records(db, run: Run, subject_id: int) -> list[dict]:
    silent, last = _silent(db, run, subject_id)
    rows = [{"group_id": gid, "group_name": r[1], "grid": r[2], "owner": r[3],
             "last_delivered": clock.beijing(last.get(gid)) if last.get(gid) else ""} for gid, r in silent.items()]
    return sorted(rows, key=lambda r: (r["last_delivered"], r["group_name"]))[:RECORDS_LIMIT]


# --- deliveries per group (flow) -------------------------------------------------------------


def _per_group(categories: tuple[str, ...], reach: bool):
    """Deliveries posted in the period per active group (``reach``: the share of active groups with at
    least one), for pushes of ``categories`` (all when empty)."""

    def counts(db, run: Run, subject_id: int | None = None) -> tuple[dict, dict]:
        groups = _group_subjects(db, run, subject_id)
        got: dict[int, int] = {}
        for group_id, _at in _deliveries(db, run, run.start, run.until, categories):
            if group_id in groups:
                got[group_id] = got.get(group_id, 0) + 1
        return groups, got

    def compute(db, run: Run) -> dict[int, Figure]:
        groups, got = counts(db, run)
        num: dict[int, int] = {}
        den: dict[int, int] = {}
        for gid, row in groups.items():
            if row[0] is None:
                continue
            den[row[0]] = den.get(row[0], 0) + 1
            num[row[0]] = num.get(row[0], 0) + ((1 if got.get(gid) else 0) if reach else got.get(gid, 0))
        if reach:
            return _share((s, num[s], den[s]) for s in den)
        return {s: Figure(round(num[s] / den[s], 2), num[s], den[s]) for s in den}

    def records(db, run: Run, subject_id: int) -> list[dict]:
        groups, got = counts(db, run, subject_id)
        rows = [{"group_id": gid, "group_name": r[1], "grid": r[2], "owner": r[3], "delivered": got.get(gid, 0)}
                for gid, r in groups.items()]
        return sorted(rows, key=lambda r: (r["delivered"], r["group_name"]))[:RECORDS_LIMIT]

    return compute, records


# --- grids (state) ---------------------------------------------------------------------------


def _grid_share(condition: str, where_extra: str = ""):
    def compute(db, run: Run) -> dict[int, Figure]:
        key = _GRID_SUBJECT[run.subject]
        where, params = _station(run, "g.station_id")
        return _share(db.execute(f"SELECT {key}, SUM({condition}), COUNT(*) FROM grids g WHERE 1 = 1"
                                 f"{where_extra}{where} GROUP BY 1", params))

    def records(db, run: Run, subject_id: int) -> list[dict]:
        where, params = _one(run, _GRID_SUBJECT[run.subject], subject_id)
        return list(db.query(
            "SELECT g.id AS grid_id, g.name AS grid, g.code AS grid_code, g.category AS category,"
            " g.population AS population FROM grids g"
            f" WHERE NOT ({condition}){where_extra}{where} ORDER BY g.code LIMIT {RECORDS_LIMIT}", params))

    return compute, records


def _coverage_compute(db, run: Run) -> dict[int, Figure]:
    key = _GRID_SUBJECT[run.subject]
    where, params = _station(run, "g.station_id")
    return {s: Figure(round(100.0 * m / r, 1) if r else None, m, r) for s, m, r in db.execute(
        f"SELECT {key}, SUM(g.active_members), SUM(CASE WHEN g.category = 'comprehensive' THEN g.population"
        f" ELSE 0 END) FROM grids g WHERE 1 = 1{where} GROUP BY 1", params) if s is not None}


def _coverage_records(db, run: Run, subject_id: int) -> list[dict]:
    where, params = _one(run, _GRID_SUBJECT[run.subject], subject_id)
    return list(db.query(
        "SELECT g.id AS grid_id, g.name AS grid, g.code AS grid_code, g.population AS population,"
        " g.active_members AS members, ROUND(100.0 * g.active_members / g.population, 1) AS coverage"
        f" FROM grids g WHERE g.category = 'comprehensive' AND g.population > 0{where}"
        f" ORDER BY 1.0 * g.active_members / g.population, g.code LIMIT {RECORDS_LIMIT}", params))


# --- tips (flow) -----------------------------------------------------------------------------


_IN_TIME = tip_ranges.IN_TIME


def _answered_in_time(source, columns: str):
    """The share of tips (``source(db, run)`` → SQL ``FROM … WHERE`` and parameters) whose first-response
    clock ran out in the period that were answered in time; the records are those that were not, shown
    with ``columns``."""

    def compute(db, run: Run) -> dict[int, Figure]:
        sql, params = source(db, run)
        return _share(db.execute(f"SELECT {_TIP_SUBJECT[run.subject]}, SUM({_IN_TIME}), COUNT(*){sql} GROUP BY 1",
                                 params))

    def records(db, run: Run, subject_id: int) -> list[dict]:
        sql, params = source(db, run)
        where, extra = _one(run, _TIP_SUBJECT[run.subject], subject_id)
        return _tip_rows(db.query(f"SELECT {columns}{sql}{where} AND NOT {_IN_TIME} ORDER BY t.due_at"
                                  f" LIMIT {RECORDS_LIMIT}", [*params, *extra]))

    return compute, records


def _requests_source(kinds: tuple[str, ...]):
    """Tips of ``kinds`` whose clock ran out in the period (a clock still running is not counted yet)."""

    def source(db, run: Run) -> tuple[str, list]:
        first = tip_ranges.first_tip_due_since(db, run.start)
        where, params = _tip_station(run)
        return (f" FROM tips t{_tip_grids(run)} WHERE t.id >= ?"
                f" AND t.kind IN ({', '.join('?' * len(kinds))}) AND t.duplicate_of IS NULL"
                f" AND t.due_at >= ? AND t.due_at < ?{where}", [first, *kinds, run.start, run.until, *params])

    return source


def _tip_rows(rows) -> list[dict]:
    return [{**r, "due": clock.beijing(r.get("due")), "answered": clock.beijing(r.get("answered"))}
            if "due" in r else r for r in rows]


def _appeal_leads_source(db, run: Run) -> tuple[str, list]:
    """Leads on appeals whose clock ran out in the period, found through the appeals (idx_tips_push)."""
    where, params = _tip_station(run)
    # A lead is due within days of coming in: the push index's created_at bounds what is read.
    return (f" FROM pushes p JOIN tips t ON t.push_id = p.id{_tip_grids(run)}"
            " WHERE p.category = 'appeal' AND p.state IN ('sending', 'sent') AND p.sent_at < ?"
            " AND t.created_at >= ? AND t.kind = 'lead' AND t.duplicate_of IS NULL AND t.due_at >= ? AND t.due_at < ?"
            + where, [run.until, tip_ranges.due_since(db, run.start), run.start, run.until, *params])


_REPLIED = ("EXISTS (SELECT 1 FROM tip_events e WHERE e.tip_id = t.id AND e.kind = 'reply'"
            " AND e.is_public = 1)")


def _closed_source(run: Run) -> tuple[str, list]:
    where, params = _tip_station(run)
    # "erased_at IS NULL" lets SQLite use the partial index of closed tips (idx_tips_to_erase); a tip
    # closed in a running period is years from being erased.
    return (f" FROM tips t{_tip_grids(run)} WHERE t.closed_at >= ? AND t.closed_at < ?"
            " AND t.closed_at IS NOT NULL AND t.erased_at IS NULL AND t.duplicate_of IS NULL" + where,
            [run.start, run.until, *params])


def _closed_compute(db, run: Run) -> dict[int, Figure]:
    sql, params = _closed_source(run)
    return _share(db.execute(f"SELECT {_TIP_SUBJECT[run.subject]}, SUM({_REPLIED}), COUNT(*){sql} GROUP BY 1",
                             params))


def _closed_records(db, run: Run, subject_id: int) -> list[dict]:
    sql, params = _closed_source(run)
    where, extra = _one(run, _TIP_SUBJECT[run.subject], subject_id)
    rows = db.query(f"SELECT t.id AS tip_id, t.tracking_code AS tip, t.kind AS kind, t.closed_at AS closed{sql}{where}"
                    f" AND NOT {_REPLIED} ORDER BY t.closed_at LIMIT {RECORDS_LIMIT}", [*params, *extra])
    return [{**r, "closed": clock.beijing(r["closed"])} for r in rows]


# --- pushes: content ratings (flow) ----------------------------------------------------------


def _rating_source(run: Run) -> tuple[str, list]:
    where, params = _station(run, "p.station_id")
    return (" FROM pushes p JOIN tips t ON t.push_id = p.id WHERE p.state IN ('sending', 'sent')"
            " AND p.sent_at >= ? AND p.sent_at < ? AND t.created_at >= ? AND t.created_at < ?"
            " AND t.rating IS NOT NULL" + where,
            [run.shifted(run.start, POSTING_LAG_DAYS), run.until, run.start, run.until, *params])


def _rating_compute(db, run: Run) -> dict[int, Figure]:
    sql, params = _rating_source(run)
    return {s: Figure(round(total / n, 2) if n else None, total, n) for s, total, n in db.execute(
        f"SELECT {_PUSH_SUBJECT[run.subject]}, SUM(t.rating), COUNT(*){sql} GROUP BY 1", params) if s is not None}


def _rating_records(db, run: Run, subject_id: int) -> list[dict]:
    sql, params = _rating_source(run)
    where, extra = _one(run, _PUSH_SUBJECT[run.subject], subject_id)
    return list(db.query(
        f"SELECT p.id AS push_id, p.title AS push, p.category AS category, ROUND(AVG(t.rating), 2) AS rating,"
        f" COUNT(*) AS ratings{sql}{where} GROUP BY p.id ORDER BY AVG(t.rating), p.id LIMIT {RECORDS_LIMIT}",
        [*params, *extra]))


# --- online situations (flow) ----------------------------------------------------------------


def _situations_source(run: Run) -> tuple[str, list]:
    where, params = _station(run, "s.station_id")
    return (" FROM online_situations s JOIN chat_groups c ON c.id = s.group_id JOIN grids g ON g.id = c.grid_id"
            " WHERE s.created_at >= ? AND s.created_at < ?"
            " AND (s.first_action_at IS NOT NULL OR s.first_action_due_at < ?)" + where,
            [run.start, run.until, run.until, *params])


_ACTED_IN_TIME = "(s.first_action_at IS NOT NULL AND s.first_action_at <= s.first_action_due_at)"


def _situations_compute(db, run: Run) -> dict[int, Figure]:
    sql, params = _situations_source(run)
    return _share(db.execute(
        f"SELECT {_SITUATION_SUBJECT[run.subject]}, SUM({_ACTED_IN_TIME}), COUNT(*){sql} GROUP BY 1", params))


def _situations_records(db, run: Run, subject_id: int) -> list[dict]:
    sql, params = _situations_source(run)
    where, extra = _one(run, _SITUATION_SUBJECT[run.subject], subject_id)
    rows = db.query(
        "SELECT s.id AS situation_id, c.name AS group_name, s.category AS category, s.severity AS severity,"
        f" s.first_action_due_at AS due, s.first_action_at AS answered{sql}{where} AND NOT {_ACTED_IN_TIME}"
        f" ORDER BY s.first_action_due_at LIMIT {RECORDS_LIMIT}", [*params, *extra])
    return _tip_rows(rows)


# --- the registry ----------------------------------------------------------------------------

ALL_PERIODS = ("daily", "weekly", "monthly")
LONG_PERIODS = ("weekly", "monthly")
_staffed = _group_share(_STAFFED)
_named = _group_share(_NAMED)
_fresh = _group_share(_FRESH, "days")
_prevention = _per_group(PREVENTION_CATEGORIES, reach=False)
_fraud_reach = _per_group(("anti_fraud",), reach=True)
_all_pushes = _per_group((), reach=False)
_covered = _grid_share("g.active_groups > 0", " AND g.category = 'comprehensive'")
_bounded = _grid_share("g.geometry IS NOT NULL AND g.geometry != ''", " AND g.category = 'comprehensive'")
_answered = _answered_in_time(_requests_source(("request", "inquiry")),
                              "t.id AS tip_id, t.tracking_code AS tip, t.kind AS kind, t.due_at AS due,"
                              " t.first_response_at AS answered")
_appeal_leads = _answered_in_time(_appeal_leads_source, "t.id AS tip_id, t.tracking_code AS tip, p.title AS push,"
                                  " t.due_at AS due, t.first_response_at AS answered")

MEASURES: dict[str, Measure] = {m.code: m for m in (
    Measure("groups_staffed", "management", "state", "share", "at_least", SCOPES, ALL_PERIODS, "groups", *_staffed,
            max_threshold=100),
    Measure("group_names_standard", "management", "state", "share", "at_least", SCOPES, ALL_PERIODS, "groups",
            *_named, max_threshold=100),
    Measure("silent_groups", "management", "state", "count", "at_most", SCOPES, ALL_PERIODS, "groups",
            _silent_compute, _silent_records, params={"days": 14}),
    Measure("situations_on_time", "management", "flow", "share", "at_least", SCOPES, ALL_PERIODS, "situations",
            _situations_compute, _situations_records, max_threshold=100),
    Measure("tips_answered_on_time", "service", "flow", "share", "at_least", SCOPES, ALL_PERIODS, "tips",
            *_answered, max_threshold=100),
    Measure("appeal_leads_answered", "service", "flow", "share", "at_least", SCOPES, ALL_PERIODS, "tips",
            *_appeal_leads, max_threshold=100),
    Measure("tips_closed_with_reply", "service", "flow", "share", "at_least", SCOPES, ALL_PERIODS, "tips",
            _closed_compute, _closed_records, max_threshold=100),
    Measure("member_counts_fresh", "foundation", "state", "share", "at_least", SCOPES, ALL_PERIODS, "groups",
            *_fresh, params={"days": 30}, max_threshold=100),
    Measure("comprehensive_grids_covered", "foundation", "state", "share", "at_least", ("outpost", "station"),
            ALL_PERIODS, "grids", *_covered, max_threshold=100),
    Measure("coverage", "foundation", "state", "share", "at_least", ("outpost", "station"), ALL_PERIODS, "grids",
            _coverage_compute, _coverage_records),
    Measure("boundaries_present", "foundation", "state", "share", "at_least", ("outpost", "station"), ALL_PERIODS,
            "grids", *_bounded, max_threshold=100),
    Measure("prevention_pushes_per_group", "prevention", "flow", "per_group", "at_least", SCOPES, LONG_PERIODS,
            "groups", *_prevention, cumulative=True),
    Measure("fraud_warning_reach", "prevention", "flow", "share", "at_least", SCOPES, LONG_PERIODS, "groups",
            *_fraud_reach, max_threshold=100, cumulative=True),
    Measure("pushes_per_group", "publicity", "flow", "per_group", "at_least", SCOPES, LONG_PERIODS, "groups",
            *_all_pushes, cumulative=True),
    Measure("content_rating", "publicity", "flow", "rating", "at_least", ("officer", "station"), LONG_PERIODS,
            "pushes", _rating_compute, _rating_records, max_threshold=5),
)}


def params_of(measure: Measure, stored: str | dict | None) -> dict:
    """A standard's parameters over the measure's defaults."""
    given = json.loads(stored) if isinstance(stored, str) else (stored or {})
    return {**measure.params, **given}


def run_for(measure: Measure, subject: str, station_id: int | None, period: Period, now: datetime,
            params: dict | None = None, memo: dict | None = None) -> Run:
    """A :class:`Run` measured at the period's end, or at ``now`` while the period runs; runs given the
    same ``memo`` share their reads."""
    return Run(subject, station_id, period, min(period.stamps()[1], clock.stamp(now)), params or {},
               {} if memo is None else memo)
