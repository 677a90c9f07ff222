"""Replacing a station's boundaries: a GIS office's file of one or more stations' grids takes the place of
the grids those stations have now (the demo's tiling, or an older survey).

This module owns what is particular to that mode of the grid import (:mod:`lib.grids.grid_import`):

- :func:`match_by_name` — a feature without a known code updates the station's grid of the same name;
- :func:`plan_retirements` — every grid of the file's stations that no feature matches is retired, and
  what it holds goes to its successor (the file's grid that holds its centre, else the one that covers
  most of it): its groups (each moved and audited) and its tips. A retired grid with groups and no
  successor is kept, and its groups listed for the clerk to re-attach: nothing is orphaned silently;
- :func:`retire` — the write, inside the import's transaction: groups moved, tips re-attached, the grid
  deleted, each with its audit row.

A replace is all or nothing: a file with any refused feature is not applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
import sqlite_utils
from shapely.geometry.base import BaseGeometry

from lib.core import audit
from lib.core.db import query_one
from lib.grids.boundary_file import FeatureResult

MOVE_ACTION = "import_move_group"
RETIRE_ACTION = "import_retire"


@dataclass
class Retirement:
    """An existing grid of a replaced station that no feature of the file matches."""

    grid_id: int
    code: str
    name: str
    station_id: int
    groups: list[str] = field(default_factory=list)
    """Names of its groups (each moved to the successor, or listed to re-attach)."""
    tips: int = 0
    successor: int | None = None
    """The feature (its 1-based index in the file) that takes over its groups and tips."""

    @property
    def kept(self) -> bool:
        """A grid with groups and no successor stays, its groups listed for the clerk."""
        return self.successor is None and bool(self.groups)


def station_grids(db: sqlite_utils.Database, station_ids: set[int]) -> dict[int, dict]:
    """The comprehensive grids of these stations, by id (``id, code, name, station_id, lat, lon,
    geometry`` and the columns an update compares)."""
    if not station_ids:
        return {}
    marks = ",".join("?" * len(station_ids))
    return {g["id"]: g for g in db.query(
        "SELECT id, code, name, station_id, outpost_id, population, households, section_label, lat, lon, geometry"
        f" FROM grids WHERE category = 'comprehensive' AND station_id IN ({marks})", sorted(station_ids))}


def match_by_name(rows: list[FeatureResult], grids: dict[int, dict]) -> None:
    """A feature that would add a grid updates instead the station's grid of the same name, when no
    other feature already updates that grid (codes first: a GIS file often has names only)."""
    taken = {r.grid_id for r in rows if r.grid_id is not None}
    by_name = {(g["station_id"], g["name"]): g for g in grids.values()}
    for row in rows:
        if row.action != "add" or row.station_id is None or row.name is None:
            continue
        grid = by_name.get((row.station_id, row.name))
        if grid is None or grid["id"] in taken:
            continue
        taken.add(grid["id"])
        row.grid_id, row.action, row.values = grid["id"], "update", dict(row.update_values)
        row.notes = [n for n in row.notes if n[0] != "grid_import.note.new_code"]
        row.notes.append(("grid_import.note.matched_by_name", {"n": row.index, "code": grid["code"]}))


_COMPARED = ("name", "geometry", "outpost_id", "population", "households", "section_label")


def mark_unchanged(rows: list[FeatureResult], grids: dict[int, dict]) -> None:
    """An update that changes nothing (the same outline and properties) is shown as kept."""
    for row in rows:
        grid = grids.get(row.grid_id) if row.action == "update" else None
        if grid is not None and all(grid.get(c) == row.values[c] for c in _COMPARED if c in row.values):
            row.action = "unchanged"


def plan_retirements(db: sqlite_utils.Database, rows: list[FeatureResult], shapes: dict[int, BaseGeometry],
                     grids: dict[int, dict]) -> list[Retirement]:
    """The grids of the replaced stations that no feature matches, each with its successor among the
    file's accepted features of the same station, its groups and its number of tips."""
    matched = {r.grid_id for r in rows if r.grid_id is not None}
    accepted = [r for r in rows if r.action != "reject" and r.index in shapes]
    out = []
    for grid in grids.values():
        if grid["id"] in matched:
            continue
        plan = Retirement(grid["id"], grid["code"], grid["name"], grid["station_id"])
        plan.groups = [r[0] for r in db.execute("SELECT name FROM chat_groups WHERE grid_id = ? ORDER BY id",
                                                [grid["id"]])]
        plan.tips = db.execute("SELECT COUNT(*) FROM tips WHERE grid_id = ?", [grid["id"]]).fetchone()[0]
        plan.successor = _successor(grid, [r for r in accepted if r.station_id == grid["station_id"]], shapes)
        out.append(plan)
    return out


def _successor(grid: dict, candidates: list[FeatureResult], shapes: dict[int, BaseGeometry]) -> int | None:
    if not candidates:
        return None
    array = np.array([shapes[r.index] for r in candidates], dtype=object)
    if grid["lon"] is not None and grid["lat"] is not None:
        holds = shapely.contains_xy(array, grid["lon"], grid["lat"])
        if holds.any():
            return candidates[int(np.argmax(holds))].index
    old = shapely.from_geojson(grid["geometry"], on_invalid="ignore") if grid["geometry"] else None
    if old is None or old.is_empty:
        return None
    if not old.is_valid:
        old = shapely.make_valid(old)
    covered = shapely.area(shapely.intersection(array, old))
    best = int(np.argmax(covered))
    return candidates[best].index if covered[best] > 0 else None


def retire(db: sqlite_utils.Database, user, plan: Retirement, successor_grid_id: int | None) -> dict:
    """Inside the import's transaction: move the grid's groups (an audit row each) and tips to the
    successor, then delete the grid (its audit row keeps what it was). Returns the counts."""
    before = query_one(db, "SELECT id, code, name, station_id, outpost_id, population, households, section_label,"
                           " lat, lon FROM grids WHERE id = ?", [plan.grid_id])
    moved = 0
    for (group_id,) in db.execute("SELECT id FROM chat_groups WHERE grid_id = ? ORDER BY id",
                                     [plan.grid_id]).fetchall():
        db.execute("UPDATE chat_groups SET grid_id = ? WHERE id = ?", [successor_grid_id, group_id])
        audit.record(db, user, MOVE_ACTION, "chat_groups", group_id, before={"grid_id": plan.grid_id},
                     after={"grid_id": successor_grid_id, "reason": "boundary_replace"})
        moved += 1
    tips = db.execute("UPDATE tips SET grid_id = ? WHERE grid_id = ?", [successor_grid_id, plan.grid_id]).rowcount
    db.execute("DELETE FROM grids WHERE id = ?", [plan.grid_id])
    audit.record(db, user, RETIRE_ACTION, "grids", plan.grid_id, before=before,
                 after={"successor_grid_id": successor_grid_id, "groups_moved": moved, "tips_moved": tips})
    return {"groups": moved, "tips": tips}
