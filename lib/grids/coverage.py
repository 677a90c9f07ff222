"""Coverage figures of a user's scope: grids, groups, members, residents.

Coverage is the program's own measure: group members divided by residents ("220,000
members, a fifth of the district's million people"). Residents are the population of
the comprehensive (geographic) grids, which tile the district; other grids count the
people they serve (students, employees, boat dwellers), who already live in some
comprehensive grid and are not added again. A grid's own coverage (on the map) is its
groups' members divided by the people it serves.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from lib.core import scope, taxonomy
from lib.core.auth import User
from lib.core.db import query_one

TARGET_COVERAGE_PCT = 20.0


@dataclass(frozen=True)
class Summary:
    """Figures of one scope (the whole district, or one station)."""

    groups: int
    members: int
    grids: int
    residents: int
    households: int
    grids_without_group: int
    outposts: int
    by_category: list[dict]

    @property
    def coverage_pct(self) -> float:
        return round(100.0 * self.members / self.residents, 1) if self.residents else 0.0


def scope_summary(db: sqlite_utils.Database, user: User, station_id: int | None = None) -> Summary:
    """The home page's figures for what ``user`` may see (optionally one station of it)."""
    station_id = scope.filter_station(user, station_id)
    params = [station_id] if station_id else []

    def where(alias: str) -> str:
        return f"{alias}.station_id = ?" if station_id else "1 = 1"

    # Three indexed aggregates instead of one join over every group: grids, groups by
    # their grid's category, and grids with no active group.
    rows: dict[str, dict] = {
        r["category"]: dict(r)
        for r in db.query(
            f"SELECT category, COUNT(*) AS grids, SUM(population) AS population,"
            f" SUM(households) AS households FROM grids g WHERE {where('g')} GROUP BY category",
            params,
        )
    }
    for r in db.query(
        f"""SELECT g.category, COUNT(*) AS groups, SUM(c.member_count) AS members
            FROM chat_groups c JOIN grids g ON g.id = c.grid_id
            WHERE c.status = 'active' AND {where('c')} GROUP BY g.category""",
        params,
    ):
        rows.setdefault(r["category"], {}).update(groups=r["groups"], members=r["members"])
    for r in db.query(
        f"""SELECT category, COUNT(*) AS without_group FROM grids g
            WHERE {where('g')} AND NOT EXISTS (
                SELECT 1 FROM chat_groups c WHERE c.grid_id = g.id AND c.status = 'active')
            GROUP BY category""",
        params,
    ):
        rows.setdefault(r["category"], {})["without_group"] = r["without_group"]
    by_category = []
    for code in taxonomy.codes("grid_categories"):
        r = rows.get(code) or {}
        by_category.append({
            "category": code,
            "grids": r.get("grids") or 0,
            "groups": r.get("groups") or 0,
            "members": r.get("members") or 0,
            "population": r.get("population") or 0,
            "without_group": r.get("without_group") or 0,
        })
    comp = rows.get("comprehensive") or {}
    outposts = query_one(
        db, f"SELECT COUNT(*) AS n FROM units u WHERE u.kind = 'outpost' AND {where('u')}", params
    )["n"]
    return Summary(
        groups=sum(c["groups"] for c in by_category),
        members=sum(c["members"] for c in by_category),
        grids=sum(c["grids"] for c in by_category),
        residents=comp.get("population") or 0,
        households=comp.get("households") or 0,
        grids_without_group=sum(c["without_group"] for c in by_category),
        outposts=outposts,
        by_category=by_category,
    )


def station_table(db: sqlite_utils.Database, user: User) -> list[dict]:
    """One row per station the user may see: grids, groups, members, residents, coverage."""
    clause, params = scope.station_clause(user, "u.id")
    stations = {
        r["station_id"]: {**r, "grids": 0, "residents": 0, "groups": 0, "members": 0, "without_group": 0}
        for r in db.query(
            f"SELECT u.id AS station_id, u.name AS station, u.name_en AS station_en FROM units u"
            f" WHERE u.kind = 'station' AND {clause} ORDER BY u.code",
            params,
        )
    }
    queries = [
        """SELECT station_id, COUNT(*) AS grids,
                  SUM(CASE WHEN category = 'comprehensive' THEN population ELSE 0 END) AS residents
           FROM grids GROUP BY station_id""",
        """SELECT station_id, COUNT(*) AS groups, SUM(member_count) AS members
           FROM chat_groups WHERE status = 'active' GROUP BY station_id""",
        """SELECT station_id, COUNT(*) AS without_group FROM grids g WHERE NOT EXISTS (
               SELECT 1 FROM chat_groups c WHERE c.grid_id = g.id AND c.status = 'active')
           GROUP BY station_id""",
    ]
    for sql in queries:
        for r in db.query(sql):
            if r["station_id"] in stations:
                stations[r["station_id"]].update({k: v or 0 for k, v in r.items() if k != "station_id"})
    for r in stations.values():
        r["coverage_pct"] = round(100.0 * r["members"] / r["residents"], 1) if r["residents"] else None
    return list(stations.values())
