"""Grids (网格): the areas and communities that groups serve."""

from __future__ import annotations

import sqlite_utils

from lib import scope
from lib.auth import User
from lib.db import query_one
from lib.errors import NotFoundError

_COLUMNS = ("id, code, name, category, section_label, industry_label, station_id, outpost_id,"
            " population, households, lat, lon")


def get_grid(db: sqlite_utils.Database, user: User, grid_id: int, *, with_geometry: bool = False) -> dict:
    """One grid in the user's scope (another station's grid reads as not found)."""
    cols = _COLUMNS + (", geometry" if with_geometry else "")
    row = query_one(db, f"SELECT {cols} FROM grids WHERE id = ?", [grid_id])
    if not row:
        raise NotFoundError()
    scope.require_station(user, row["station_id"])
    return row


def list_grids(
    db: sqlite_utils.Database, user: User, *, station_id: int | None = None,
    category: str | None = None, limit: int = 50, offset: int = 0,
) -> list[dict]:
    """A page of grids in the user's scope, optionally of one station or category."""
    station_id = scope.filter_station(user, station_id)
    where, params = [], []
    if station_id:
        where.append("station_id = ?")
        params.append(station_id)
    if category:
        where.append("category = ?")
        params.append(category)
    sql = f"SELECT {_COLUMNS} FROM grids"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY id LIMIT ? OFFSET ?"
    return list(db.query(sql, params + [int(limit), int(offset)]))


def search_grids(db: sqlite_utils.Database, user: User, text: str = "", *, station_id: int | None = None,
                 limit: int = 50) -> list[dict]:
    """Grids in scope whose name or code contains ``text`` (for pickers), by code."""
    station_id = scope.filter_station(user, station_id)
    where, params = ["1 = 1"], []
    if station_id:
        where.append("station_id = ?")
        params.append(station_id)
    text = (text or "").strip()[:40]
    if text:
        where.append("(name LIKE ? OR code LIKE ?)")
        params += [f"%{text}%", f"%{text}%"]
    return list(db.query(
        f"SELECT {_COLUMNS} FROM grids WHERE {' AND '.join(where)} ORDER BY code LIMIT ?", params + [int(limit)]
    ))
