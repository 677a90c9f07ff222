"""What the public pages may read without a login: grid names for the place picker, the title of
a sent push, and times in China's time zone.

Nothing here needs a user, so nothing here returns more than names: no counts, no people,
no geometry, no contact, no other field of a push.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import sqlite_utils

from lib.db import query_one

CHINA_OFFSET = timedelta(hours=8)  # China has one time zone and no daylight saving
PUBLIC_PUSH_STATES = ("sending", "sent")  # the states in which a push's QR code is out in the groups


def _natural(text: str) -> list:
    """Sort key that puts 第2网格 before 第10网格."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text or "")]


def _station_name(row: dict, lang: str) -> str:
    return (row.get("station_name_en") if lang == "en" else None) or row["station_name"]


def grid_options(db: sqlite_utils.Database, lang: str = "zh") -> list[dict]:
    """Every comprehensive grid as ``{"id", "label"}`` ("海门派出所 · 中港社区第1网格"),
    sorted by station, then grid name (naturally)."""
    rows = list(db.query(
        "SELECT g.id, g.name, u.code AS station_code, u.name AS station_name, u.name_en AS station_name_en"
        " FROM grids g JOIN units u ON u.id = g.station_id WHERE g.category = 'comprehensive'"))
    rows.sort(key=lambda r: (r["station_code"], _natural(r["name"]), r["id"]))
    return [{"id": r["id"], "label": f"{_station_name(r, lang)} · {r['name']}"} for r in rows]


def grid_option(db: sqlite_utils.Database, grid_id: int | None, lang: str = "zh") -> dict | None:
    """One grid of any category as ``{"id", "label"}`` (the grid a QR code names), or None."""
    if grid_id is None:
        return None
    row = query_one(db, "SELECT g.id, g.name, u.name AS station_name, u.name_en AS station_name_en"
                        " FROM grids g JOIN units u ON u.id = g.station_id WHERE g.id = ?", [grid_id])
    return {"id": row["id"], "label": f"{_station_name(row, lang)} · {row['name']}"} if row else None


def grids_version(db: sqlite_utils.Database) -> str:
    """Changes whenever grids change (kept by migration 3's triggers): a cache key."""
    row = query_one(db, "SELECT value FROM app_meta WHERE key = 'grids_version'")
    return str(row["value"]) if row else "0"


def sent_push_title(db: sqlite_utils.Database, push_id: int | None) -> str | None:
    """The title of a push that went out to the groups (sending or sent), else None — and
    nothing else about it."""
    if push_id is None:
        return None
    row = query_one(db, f"SELECT title FROM pushes WHERE id = ? AND state IN ({', '.join('?' * len(PUBLIC_PUSH_STATES))})",
                    [push_id, *PUBLIC_PUSH_STATES])
    if not row:
        return None
    return (row["title"] or "").strip() or None


def china_time(stamp: str | None) -> str:
    """``2026-11-28T10:30:00Z`` → ``2026-11-28 18:30`` (Beijing time); "" for nothing."""
    if not stamp:
        return ""
    try:
        moment = datetime.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return ""
    return (moment + CHINA_OFFSET).strftime("%Y-%m-%d %H:%M")


def parse_id(value) -> int | None:
    """A query parameter as a positive id, or None for anything else (junk is ignored)."""
    if isinstance(value, list):
        value = value[-1] if value else None
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value.isascii() or not value.isdigit() or len(value) > 9:
        return None
    number = int(value)
    return number if number > 0 else None
