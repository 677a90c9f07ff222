"""Push targeting: which groups a push reaches, and how many members.

A target is a filter — stations, outposts, grid categories, section and industry labels —
plus hand-picked groups, combined as (filter) OR (picked). Only active groups count.
Station staff can reach only their own station's groups, whatever the filter says.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import sqlite_utils

from lib.core.auth import User
from lib.core.errors import ScopeError

MAX_PICKED = 500


@dataclass
class Target:
    """A push's audience. Empty lists mean "any"; ``use_filter`` False means picked groups only."""

    station_ids: list[int] = field(default_factory=list)
    outpost_ids: list[int] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    section_labels: list[str] = field(default_factory=list)
    industry_labels: list[str] = field(default_factory=list)
    group_ids: list[int] = field(default_factory=list)
    use_filter: bool = True

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> Target:
        data = data or {}
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)


def _in(column: str, values: list) -> tuple[str, list]:
    return f"{column} IN ({', '.join('?' * len(values))})", list(values)


def _where(user: User, target: Target, push_station_id: int | None) -> tuple[str, list]:
    """SQL over ``chat_groups c JOIN grids g`` for the target, within the user's scope."""
    if len(target.group_ids) > MAX_PICKED:
        raise ScopeError("targeting.error.too_many_picked")
    # A station's push stays in its station; a district push may reach every station.
    stations = list(target.station_ids)
    if not user.is_district and push_station_id not in (None, user.station_id):
        raise ScopeError()
    bound = push_station_id if push_station_id is not None else (None if user.is_district else user.station_id)
    if bound is not None:
        if stations and set(stations) - {bound}:
            raise ScopeError()
        stations = [bound]
    base = ["c.status = 'active'"]
    params: list = []
    if stations:
        sql, p = _in("c.station_id", stations)
        base.append(sql)
        params += p
    parts = []
    if target.use_filter:
        conds, cparams = [], []
        for column, values in (("g.outpost_id", target.outpost_ids), ("g.category", target.categories),
                               ("g.section_label", target.section_labels),
                               ("g.industry_label", target.industry_labels)):
            if values:
                sql, p = _in(column, values)
                conds.append(sql)
                cparams += p
        parts.append(("(" + " AND ".join(conds) + ")") if conds else "1 = 1")
        params_filter = cparams
    else:
        params_filter = []
    if target.group_ids:
        sql, p = _in("c.id", target.group_ids)
        parts.append(sql)
        params_filter += p
    if not parts:
        return "0 = 1", []
    return " AND ".join(base) + " AND (" + " OR ".join(parts) + ")", params + params_filter


def reach(db: sqlite_utils.Database, user: User, target: Target, push_station_id: int | None = None) -> tuple[int, int]:
    """(groups, members) the target reaches right now."""
    where, params = _where(user, target, push_station_id)
    row = db.execute(
        f"SELECT COUNT(*), COALESCE(SUM(c.member_count), 0) FROM chat_groups c JOIN grids g ON g.id = c.grid_id"
        f" WHERE {where}", params).fetchone()
    return row[0], row[1]


def resolve(db: sqlite_utils.Database, user: User, target: Target,
            push_station_id: int | None = None) -> list[dict]:
    """The groups the target reaches: id, name, station, members, webhook (for delivery)."""
    where, params = _where(user, target, push_station_id)
    return list(db.query(
        f"""SELECT c.id, c.name, c.station_id, c.member_count, c.owner_user_id, c.webhook_url, c.webhook_state,
                   c.platform FROM chat_groups c JOIN grids g ON g.id = c.grid_id WHERE {where} ORDER BY c.id""",
        params))


def check_target(user: User, target: Target, push_station_id: int | None) -> None:
    """Refuse a target outside the user's scope (raises :class:`ScopeError`)."""
    _where(user, target, push_station_id)


def summary(db: sqlite_utils.Database, target: Target, push_station_id: int | None) -> dict:
    """The audience in names, for people who check it: ``stations`` (names; all of them when a
    district push names none), ``outposts``, ``categories``, ``section_labels``, ``industry_labels``
    (codes) and ``picked`` (hand-picked groups, a count)."""

    def names(ids: list[int]) -> list[str]:
        if not ids:
            return []
        return [r[0] for r in db.execute(
            f"SELECT name FROM units WHERE id IN ({', '.join('?' * len(ids))}) ORDER BY code", list(ids))]

    stations = names([push_station_id] if push_station_id is not None else target.station_ids)
    return {"stations": stations, "all_stations": push_station_id is None and not target.station_ids,
            "outposts": names(target.outpost_ids), "categories": list(target.categories),
            "section_labels": list(target.section_labels), "industry_labels": list(target.industry_labels),
            "picked": len(target.group_ids), "filter": target.use_filter}
