"""Grids (网格): the areas and communities that groups serve."""

from __future__ import annotations

import sqlite_utils

from lib.core import query, scope
from lib.core.auth import User
from lib.core.db import query_one
from lib.core.errors import NotFoundError

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
    where, params = query.equals(station_id=scope.filter_station(user, station_id), category=category or None)
    return query.rows(db, select=_COLUMNS, source="grids", where=where, params=params, order="id",
                      limit=limit, offset=offset)


def search_grids(db: sqlite_utils.Database, user: User, text: str = "", *, station_id: int | None = None,
                 limit: int = 50) -> list[dict]:
    """Grids in scope whose name or code contains ``text`` (for pickers), by code."""
    where, params = query.equals(station_id=scope.filter_station(user, station_id))
    text = (text or "").strip()[:40]
    if text:
        condition, patterns = query.matches_any(("name", "code"), text)
        where.append(condition)
        params += patterns
    return query.rows(db, select=_COLUMNS, source="grids", where=where, params=params, order="code", limit=limit)
