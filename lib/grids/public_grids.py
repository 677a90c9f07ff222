"""What the public pages may read without a login: community and grid names for the place picker, the card of
a sent push (its title, issuing unit and first photo), the unit a tip went to, and times in
China's time zone.

Nothing here needs a user, so nothing here returns more than names: no counts, no people, no
geometry, no contact, no other field of a push — and nothing at all of a push that has not gone
out to the groups (a draft's title and photos stay inside).
"""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime

import sqlite_utils
from PIL import Image

from lib.core import clock, files
from lib.core.db import query_one
from lib.core.errors import NotFoundError
from lib.i18n import i18n
from lib.pushes import pushes

PUBLIC_PUSH_STATES = ("sending", "sent")  # the states in which a push's QR code is out in the groups
CARD_PHOTO_SIDE = 720  # px: the appeal's photo on the form, light enough for a slow phone network


def _natural(text: str) -> list:
    """Sort key that puts 第2网格 before 第10网格."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text or "")]


def _station_name(row: dict, lang: str) -> str:
    return i18n.localized(row, "station_name", lang)


_GRID_IN_COMMUNITY = re.compile(r"(.+?)(第\d+网格)")


def split_grid_name(name: str) -> tuple[str, str]:
    """"中港社区第1网格" → ("中港社区", "第1网格"); a grid named otherwise ("明泰村幼儿园") is its
    own community and grid: (name, name)."""
    match = _GRID_IN_COMMUNITY.fullmatch(name or "")
    return (match.group(1), match.group(2)) if match else (name, name)


def community_key(station_id: int, community: str) -> str:
    """The key of a community in the place picker: its station's id and its name."""
    return f"{station_id}:{community}"


def parse_community_key(key) -> tuple[int, str] | None:
    """(station_id, community) of a key from :func:`community_key`, or None for anything else."""
    station, _, community = str(key or "").partition(":")
    station_id = parse_id(station)
    return (station_id, community) if station_id and community else None


def community_options(db: sqlite_utils.Database, lang: str = "zh") -> list[dict]:
    """The first step of the place picker: every community (社区/村) that has comprehensive grids, as
    ``{"key", "label", "station_id", "community"}`` with the label "中港社区 · 海门派出所" (typing
    a station's name finds its communities too), by station, then name (naturally). 277 names
    for the demo district instead of its 1,791 grids: the page a phone loads stays light."""
    rows = db.query(
        "SELECT g.name, u.id AS station_id, u.code AS station_code, u.name AS station_name,"
        " u.name_en AS station_name_en FROM grids g JOIN units u ON u.id = g.station_id"
        " WHERE g.category = 'comprehensive'")
    seen: dict[str, tuple] = {}
    for row in rows:
        community = split_grid_name(row["name"])[0]
        key = community_key(row["station_id"], community)
        if key not in seen:
            seen[key] = ((row["station_code"], _natural(community)),
                         {"key": key, "label": f"{community} · {_station_name(row, lang)}",
                          "station_id": row["station_id"], "community": community})
    return [option for _sort, option in sorted(seen.values(), key=lambda item: item[0])]


def _community_members(db: sqlite_utils.Database, key: str | None, *,
                       comprehensive_only: bool) -> tuple[int, str, list[tuple[str, int]]] | None:
    """(station_id, community, [(grid label, grid id) …]) of a community key, or None for a key
    that is not one. A grid belongs when its name splits into that community."""
    parsed = parse_community_key(key)
    if parsed is None:
        return None
    station_id, community = parsed
    only = " AND category = 'comprehensive'" if comprehensive_only else ""
    rows = db.execute(f"SELECT id, name FROM grids WHERE station_id = ? AND substr(name, 1, ?) = ?{only}",
                      [station_id, len(community), community]).fetchall()
    members = [(split_grid_name(name), gid) for gid, name in rows]
    return station_id, community, [(parts[1], gid) for parts, gid in members if parts[0] == community]


def community_grids(db: sqlite_utils.Database, key: str | None) -> list[dict]:
    """The second step: the comprehensive grids of one community as ``{"id", "label"}`` with the
    label "第1网格", in natural order; [] for a key that names no community."""
    found = _community_members(db, key, comprehensive_only=True)
    grids = sorted(found[2], key=lambda g: (_natural(g[0]), g[1])) if found else []
    return [{"id": gid, "label": label} for label, gid in grids]


def grid_place(db: sqlite_utils.Database, grid_id: int | None, lang: str = "zh") -> dict | None:
    """Where one grid (of any category: the grid a QR code names) sits in the picker, as
    ``{"id", "key", "community_label", "grid_label"}``, or None for no such grid."""
    if grid_id is None:
        return None
    row = query_one(db, "SELECT g.id, g.name, g.station_id, u.name AS station_name, u.name_en AS station_name_en"
                        " FROM grids g JOIN units u ON u.id = g.station_id WHERE g.id = ?", [grid_id])
    if not row:
        return None
    community, grid = split_grid_name(row["name"])
    return {"id": row["id"], "key": community_key(row["station_id"], community),
            "community_label": f"{community} · {_station_name(row, lang)}", "grid_label": grid}


def community_station(db: sqlite_utils.Database, key: str | None) -> tuple[int, str] | None:
    """(station_id, community) of a community a sender chose — one that has a grid of any category
    (a QR code's grid is offered as its own community) — or None."""
    found = _community_members(db, key, comprehensive_only=False)
    return (found[0], found[1]) if found and found[2] else None


def grids_version(db: sqlite_utils.Database) -> str:
    """Changes whenever grids change (kept by migration 3's triggers): a cache key."""
    row = query_one(db, "SELECT value FROM app_meta WHERE key = 'grids_version'")
    return str(row["value"]) if row else "0"


def short_unit_name(full_name: str) -> str:
    """A unit as people say it: "海门区公安局三星派出所" → "海门公安 · 三星派出所";
    "海门区公安局" alone → "海门公安"; a name of another shape is left as it is."""
    name = (full_name or "").strip()
    match = re.fullmatch(r"(.+?)[区市县]?公安局(.*)", name)
    if not match:
        return name
    bureau = f"{match.group(1)}公安"
    return f"{bureau} · {match.group(2)}" if match.group(2) else bureau


def _unit_name(db: sqlite_utils.Database, station_id: int | None, lang: str) -> str:
    """The short name of a station (or, for None, the district center) in ``lang``."""
    if lang == "en":
        row = query_one(db, "SELECT name_en FROM units WHERE id = ?", [station_id]) if station_id else query_one(
            db, "SELECT name_en FROM units WHERE kind = 'district_center' LIMIT 1")
        if row and row["name_en"]:
            return row["name_en"]
    return short_unit_name(pushes.issuing_unit(db, {"station_id": station_id}))


def sent_push_card(db: sqlite_utils.Database, push_id: int | None, lang: str = "zh") -> dict | None:
    """What the tip form shows of a push whose QR code or link a resident followed — only of a
    push that went out (sending or sent), else None: ``{"id", "title", "unit", "category",
    "appeal_kind", "label", "is_closed", "photo"}``. ``unit`` is the issuing unit as people say
    it ("海门公安 · 三星派出所"); ``label`` the category as shown (寻人启事, 反诈妙招 …);
    ``photo`` the first photo as JPEG bytes at most :data:`CARD_PHOTO_SIDE` px a side, or None
    (also once an appeal is closed: a person found is not shown any longer)."""
    if push_id is None:
        return None
    row = query_one(db, "SELECT id, title, category, appeal_kind, station_id, photo_file_ids,"
                        " appeal_closed_at IS NOT NULL AS is_closed FROM pushes"
                        f" WHERE id = ? AND state IN ({', '.join('?' * len(PUBLIC_PUSH_STATES))})",
                    [push_id, *PUBLIC_PUSH_STATES])
    title = ((row or {}).get("title") or "").strip()
    if not title:
        return None
    is_appeal = row["category"] == "appeal"
    is_closed = bool(row["is_closed"]) and is_appeal
    if is_appeal and row["appeal_kind"]:
        label = i18n.term("appeal_kinds", row["appeal_kind"], lang).split("/")[0]
    else:
        label = i18n.term("push_categories", row["category"], lang)
    photo = None
    ids = _json_ids(row["photo_file_ids"])
    if ids and not is_closed:
        photo = _card_photo(db, ids[0])
    return {"id": row["id"], "title": title, "unit": _unit_name(db, row["station_id"], lang),
            "category": row["category"], "appeal_kind": row["appeal_kind"], "label": label,
            "is_closed": is_closed, "photo": photo}


def _json_ids(text: str | None) -> list[int]:
    try:
        values = json.loads(text or "[]")
    except ValueError:
        return []
    return [v for v in values if isinstance(v, int) and not isinstance(v, bool)] if isinstance(values, list) else []


def _card_photo(db: sqlite_utils.Database, file_id: int) -> bytes | None:
    """A stored photo scaled down for a phone (JPEG), or None when it cannot be read."""
    try:
        data, _mime = files.read_file(db, None, file_id)  # a visitor of the public form
        with Image.open(io.BytesIO(data)) as img:
            img.thumbnail((CARD_PHOTO_SIDE, CARD_PHOTO_SIDE))
            out = io.BytesIO()
            img.convert("RGB").save(out, "JPEG", quality=80, optimize=True)
            return out.getvalue()
    except (NotFoundError, OSError, ValueError):
        return None


def tip_unit(db: sqlite_utils.Database, tip_id: int | None, lang: str = "zh") -> str:
    """The unit a tip went to, as people say it: its station, else (unrouted, or no tip at all)
    the district center that routes it by hand."""
    row = query_one(db, "SELECT station_id FROM tips WHERE id = ?", [tip_id]) if tip_id else None
    return _unit_name(db, row["station_id"] if row else None, lang)


def china_now(now: datetime | None = None) -> str:
    """The current time in Beijing as ``2026-11-28 18:30`` (what the form's "when" starts with)."""
    return clock.beijing(clock.stamp(now or datetime.now(UTC)))


_FULL_WIDTH = str.maketrans("０１２３４５６７８９：／－．　", "0123456789:/-. ")


def parse_china_time(text: str | None) -> str | None:
    """A typed Beijing time as ``YYYY-MM-DD HH:MM`` (full-width digits, ``/`` or ``.`` between the
    date's parts and a one-digit month, day or hour accepted), or None when it is not one — then
    the form keeps it as words ("昨晚十点左右")."""
    value = re.sub(r"\s+", " ", (text or "").translate(_FULL_WIDTH)).strip()
    match = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2}) (\d{1,2}):(\d{2})", value)
    if not match:
        return None
    try:
        moment = datetime(*(int(g) for g in match.groups()))
    except ValueError:
        return None
    return moment.strftime("%Y-%m-%d %H:%M")


def china_time(stamp: str | None) -> str:
    """``2026-11-28T10:30:00Z`` → ``2026-11-28 18:30`` (Beijing time); "" for nothing."""
    try:
        return clock.beijing(stamp)
    except ValueError:
        return ""


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
