"""The checklist (工作清单): every duty standard in force, for every subject of a user's view, with the
figure behind it and where it stands — computed on demand from the records, never typed in.

An item's status:

- **done**: the figure meets the standard (or, in a period that has ended, there was nothing to measure);
- **scheduled**: the period runs and the item can still be met on time — a cumulative figure (pushes
  per group) no more than a quarter of the period behind its pace, or nothing to measure yet;
- **overdue**: the period runs and the standard is not met now — a state (a group without an owner),
  a rate (tips answered late) or a cumulative figure behind its pace;
- **missed**: the period has ended and the figure fell short (then a problem follows it, see
  :mod:`lib.duty.problems`).

Who sees what: an officer (clerk) the items about themselves, their outpost and their station; a
station admin every item of the station — by outpost and by officer; the district every station's.
A period that has ended is read from the worker's nightly snapshot (:mod:`lib.duty.snapshots`) when
there is one, so a month is reviewed as it was measured."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import sqlite_utils

from lib.core import scope
from lib.core.clock import stamp
from lib.core.db import write_transaction
from lib.duty import periods, standards
from lib.duty.measures import AREAS, MEASURES, Figure, Measure, params_of, run_for
from lib.duty.periods import Period

if TYPE_CHECKING:
    from lib.core.auth import User

PACE_SLACK = 0.25  # the share of a period a cumulative figure may lag its pace before it is overdue
STATUSES = ("overdue", "missed", "scheduled", "done")  # worst first: the order a list is read in


@dataclass
class Item:
    """One standard for one subject in one period."""

    standard: dict
    measure: Measure
    subject_kind: str
    subject_id: int
    subject_name: str
    station_id: int | None
    period: Period
    figure: Figure
    status: str
    expected: float | None = None  # a cumulative figure's pace by now
    from_snapshot: bool = False

    @property
    def code(self) -> str:
        return self.standard["code"]

    @property
    def area(self) -> str:
        return self.standard["area"]

    @property
    def threshold(self) -> float:
        return self.standard["threshold"]


@dataclass
class Checklist:
    """The items of a view, and how they add up."""

    items: list[Item]
    view: str  # "officer" | "station" | "district"
    station_id: int | None
    day: date
    counts: Counter = field(default_factory=Counter)

    def behind(self, subject_kind: str) -> list[dict]:
        """Per subject of a kind, the overdue and missed items by duty area, the subjects furthest behind
        first: ``[{"subject_id", "name", "station_id", <area>: n, "total": n}]``."""
        rows: dict[int, dict] = {}
        for item in self.items:
            if item.subject_kind != subject_kind:
                continue
            row = rows.setdefault(item.subject_id, {"subject_id": item.subject_id, "name": item.subject_name,
                                                    "station_id": item.station_id, "total": 0,
                                                    **{a: 0 for a in AREAS}})
            if item.status in ("overdue", "missed"):
                row[item.area] += 1
                row["total"] += 1
        return sorted(rows.values(), key=lambda r: (-r["total"], r["name"]))

    def behind_by_station(self) -> list[dict]:
        """The district's view: per station its own items behind by area (as :meth:`behind`), plus how many
        of its officers and outposts have an item overdue or missed (``officers``, ``outposts``)."""
        rows = {r["subject_id"]: {**r, "officers": 0, "outposts": 0} for r in self.behind("station")}
        for kind, column in (("officer", "officers"), ("outpost", "outposts")):
            for r in self.behind(kind):
                if r["total"] and r["station_id"] in rows:
                    rows[r["station_id"]][column] += 1
        return sorted(rows.values(), key=lambda r: (-r["total"], -r["officers"], r["name"]))


def status_of(measure: Measure, figure: Figure, threshold: float, period: Period, now: datetime) -> tuple[str, float | None]:
    """``(status, expected)`` of a figure in a period at ``now`` (see the module's docstring)."""
    return _status(measure, figure, threshold, period.stamps()[1] <= stamp(now), period.elapsed(now))


def _status(measure: Measure, figure: Figure, threshold: float, ended: bool, elapsed: float) -> tuple[str, float | None]:
    """:func:`status_of` with the period's facts worked out once for all its subjects."""
    if figure.value is None:
        return ("done" if ended else "scheduled"), None
    if measure.met(figure, threshold):
        return "done", None
    if ended:
        return "missed", None
    if measure.cumulative:
        # Pushes come a few a month, not a trickle: behind is more than a quarter of the period
        # behind its pace (a week in a month), not the first day without one.
        expected = round(threshold * max(0.0, elapsed - PACE_SLACK), 2)
        return ("scheduled" if figure.value >= expected else "overdue"), expected
    return "overdue", None


def _names(db: sqlite_utils.Database, kind: str, station_id: int | None) -> dict[int, tuple[str, int | None]]:
    """``{id: (name, station_id)}`` of the subjects of a kind (in one station, or all)."""
    where, params = ("", []) if station_id is None else (" AND COALESCE(un.station_id, un.id) = ?", [station_id])
    if kind == "officer":
        return {r[0]: (r[1], r[2]) for r in db.execute(
            "SELECT u.id, u.name, COALESCE(un.station_id, un.id) FROM users u JOIN units un ON un.id = u.unit_id"
            f" WHERE un.kind != 'district_center'{where}", params)}
    unit_kind = "outpost" if kind == "outpost" else "station"
    return {r[0]: (r[1], r[2]) for r in db.execute(
        f"SELECT un.id, un.name, COALESCE(un.station_id, un.id) FROM units un WHERE un.kind = ?{where}",
        [unit_kind, *params])}


def _snapshot(db, standard_id: int, period: Period, kind: str, station_id: int | None) -> dict[int, tuple]:
    where, params = ("", []) if station_id is None else (" AND station_id = ?", [station_id])
    return {r[0]: r[1:] for r in db.execute(
        "SELECT subject_id, value, numerator, denominator, status FROM duty_snapshots WHERE standard_id = ?"
        f" AND period_start = ? AND subject_kind = ?{where}", [standard_id, period.key, kind, *params])}


def items_for(db: sqlite_utils.Database, standard: dict, period: Period, station_id: int | None, now: datetime,
              *, subject_ids: set[int] | None = None, names: dict | None = None, memo: dict | None = None) -> list[Item]:
    """The items of one standard version in one period (all subjects of a station, or of the district;
    ``subject_ids`` keeps some). Read from the snapshot when the period has one."""
    measure = MEASURES[standard["measure"]]
    kind = standard["scope"]
    names = names if names is not None else _names(db, kind, station_id)
    stored = _snapshot(db, standard["id"], period, kind, station_id) if period.stamps()[1] <= stamp(now) else {}
    out: list[Item] = []
    if stored:
        for subject_id, (value, num, den, status) in stored.items():
            if subject_ids is not None and subject_id not in subject_ids:
                continue
            name, sid = names.get(subject_id, (str(subject_id), None))
            out.append(Item(standard, measure, kind, subject_id, name, sid, period, Figure(value, num or 0, den or 0),
                            status, from_snapshot=True))
        return out
    figures = measure.compute(db, run_for(measure, kind, station_id, period, now,
                                          params_of(measure, standard["params"]), memo))
    wanted = subject_ids if subject_ids is not None else set(figures)
    ended, elapsed = period.stamps()[1] <= stamp(now), period.elapsed(now)
    for subject_id in wanted:
        if subject_id not in names:
            continue  # a record of a user or unit outside the view (a district account, an old unit)
        figure = figures.get(subject_id, Figure(None))
        status, expected = _status(measure, figure, standard["threshold"], ended, elapsed)
        name, sid = names[subject_id]
        out.append(Item(standard, measure, kind, subject_id, name, sid, period, figure, status, expected))
    return out


def checklist(db: sqlite_utils.Database, user: User, *, station_id: int | None = None, on: date | None = None,
              now: datetime | None = None, as_officer: bool | None = None) -> Checklist:
    """The checklist of ``user``'s view on Beijing date ``on`` (default today): each standard's period
    holding that date. A district admin may pick a station (then sees it as its station admin does);
    a clerk sees their own items (``as_officer``, the default for clerks)."""
    now = now or datetime.now(UTC)
    day = on or periods.beijing_date(now)
    scope.require_a_scope(user)
    station = scope.filter_station(user, station_id)
    officer_view = as_officer if as_officer is not None else user.role == "clerk"
    view = "officer" if officer_view else ("district" if station is None else "station")
    items: list[Item] = []
    names_cache: dict[str, dict] = {}
    memo: dict = {}  # reads the measures share (lib.duty.measures.Run.once)
    for standard in standards.in_force(db, day):
        kind = standard["scope"]
        period = periods.containing(standard["period"], day)
        subject_ids = None
        if view == "officer":
            subject_ids = {"officer": {user.id}, "outpost": {user.unit_id}, "station": {user.station_id}}[kind]
        if kind not in names_cache:
            names_cache[kind] = _names(db, kind, station)
        items += items_for(db, standard, period, station, now, subject_ids=subject_ids, names=names_cache[kind],
                           memo=memo)
    items.sort(key=lambda i: (STATUSES.index(i.status), AREAS.index(i.area), i.code, i.subject_name))
    return Checklist(items, view, station, day, Counter(i.status for i in items))


def records(db: sqlite_utils.Database, user: User, standard_id: int, subject_kind: str, subject_id: int,
            period_key: str, *, now: datetime | None = None) -> list[dict]:
    """The records behind one item's figure (the groups, tips, pushes or grids that fall short, worst
    first), for a subject the user may see."""
    now = now or datetime.now(UTC)
    standard = next(iter(db.query("SELECT * FROM duty_standards WHERE id = ?", [standard_id])), None)
    if standard is None or standard["scope"] != subject_kind:
        return []
    names = _names(db, subject_kind, None)
    if subject_id not in names:
        return []
    scope.require_station(user, names[subject_id][1])
    if user.role == "clerk" and subject_kind == "officer" and subject_id != user.id:
        # A clerk reads their own records; the station admin reads every officer's.
        scope.require_station(user, None)
    measure = MEASURES[standard["measure"]]
    period = periods.containing(standard["period"], date.fromisoformat(period_key))
    run = run_for(measure, subject_kind, names[subject_id][1], period, now, params_of(measure, standard["params"]))
    return measure.records(db, run, subject_id)


def draft_push_to(db: sqlite_utils.Database, user: User, group_ids: list[int], category: str) -> dict:
    """The remedy of a group item (silent groups, too few pushes): a push draft of ``category`` aimed at
    exactly these groups (those the user may see, at most the targeting's limit), for the user to
    write and send for approval. Returns the draft."""
    from lib.pushes import pushes
    from lib.pushes.targeting import MAX_PICKED, Target

    where, params = scope.station_clause(user, "station_id")
    wanted = sorted({int(g) for g in group_ids})[:MAX_PICKED]
    marks = ", ".join("?" * len(wanted)) or "NULL"
    visible = [r[0] for r in db.execute(
        f"SELECT id FROM chat_groups WHERE id IN ({marks}) AND status = 'active' AND {where} ORDER BY id",
        [*wanted, *params])]
    with write_transaction(db):
        draft = pushes.new_draft(db, user, category)
        return pushes.save_draft(db, user, draft["id"], draft["version"],
                                 target=Target(group_ids=visible, use_filter=False))
