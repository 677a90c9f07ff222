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

from lib import scope, taxonomy
from lib.auth import User
from lib.db import query_one

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
    where, params = ("g.station_id = ?", [station_id]) if station_id else ("1 = 1", [])
    rows = {
        r["category"]: r
        for r in db.query(
            f"""
            SELECT g.category,
                   COUNT(*) AS grids,
                   SUM(g.population) AS population,
                   SUM(g.households) AS households,
                   SUM(COALESCE(cg.groups, 0)) AS groups,
                   SUM(COALESCE(cg.members, 0)) AS members,
                   SUM(CASE WHEN cg.groups IS NULL THEN 1 ELSE 0 END) AS without_group
            FROM grids g
            LEFT JOIN (
                SELECT grid_id, COUNT(*) AS groups, SUM(member_count) AS members
                FROM chat_groups WHERE status = 'active' GROUP BY grid_id
            ) cg ON cg.grid_id = g.id
            WHERE {where}
            GROUP BY g.category
            """,
            params,
        )
    }
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
    unit_where, unit_params = ("station_id = ?", [station_id]) if station_id else ("1 = 1", [])
    outposts = query_one(
        db, f"SELECT COUNT(*) AS n FROM units WHERE kind = 'outpost' AND {unit_where}", unit_params
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
    rows = db.query(
        f"""
        SELECT u.id AS station_id, u.name AS station, u.name_en AS station_en,
               COUNT(g.id) AS grids,
               SUM(CASE WHEN g.category = 'comprehensive' THEN g.population ELSE 0 END) AS residents,
               SUM(COALESCE(cg.groups, 0)) AS groups,
               SUM(COALESCE(cg.members, 0)) AS members,
               SUM(CASE WHEN g.id IS NOT NULL AND cg.groups IS NULL THEN 1 ELSE 0 END) AS without_group
        FROM units u
        LEFT JOIN grids g ON g.station_id = u.id
        LEFT JOIN (
            SELECT grid_id, COUNT(*) AS groups, SUM(member_count) AS members
            FROM chat_groups WHERE status = 'active' GROUP BY grid_id
        ) cg ON cg.grid_id = g.id
        WHERE u.kind = 'station' AND {clause}
        GROUP BY u.id ORDER BY u.code
        """,
        params,
    )
    out = []
    for r in rows:
        residents = r["residents"] or 0
        r["coverage_pct"] = round(100.0 * (r["members"] or 0) / residents, 1) if residents else None
        out.append(r)
    return out
