"""What a group ledger's cells name, found in the database: stations, grids and owner officers.

This module owns the lookups of the group import (:mod:`lib.grids.group_import`): the reference
rows read once per dry run (:class:`Lookups`: units, grids, active officers, existing groups),
and how a cell's text is matched to them — a station by code, name or short name
(:meth:`Lookups.find_station`), a grid by code or by name within a station (:func:`find_grid`),
an owner by username or by a name unique among the station's officers (:func:`find_owner`).
Names are compared without whitespace (:func:`squash`).
"""

from __future__ import annotations

import difflib
import re
from collections import Counter, defaultdict

import sqlite_utils

from lib.core import scope
from lib.core.auth import User
from lib.grids.cell_values import nfkc

_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9._-]{2,63}")
_CODE = re.compile(r"^[A-Za-z]\d{2,}$")


class Lookups:
    """The reference rows an import checks against, read once per dry run: a file of
    20,000 rows must not cost 100,000 queries."""

    def __init__(self, db: sqlite_utils.Database):
        self.units = list(db.query("SELECT id, code, kind, name, station_id FROM units ORDER BY kind = 'outpost', id"))
        self.unit_by_id = {u["id"]: u for u in self.units}
        self.grids = {g["id"]: g for g in db.query("SELECT id, code, name, station_id FROM grids")}
        self.grid_by_code = {g["code"].upper(): g for g in self.grids.values()}
        self.grids_by_name: dict[str, list[dict]] = defaultdict(list)
        for g in self.grids.values():
            self.grids_by_name[squash(g["name"])].append(g)
        self.officers = list(db.query(
            "SELECT u.id, u.username, u.name, COALESCE(un.station_id, un.id) AS station_id FROM users u"
            " JOIN units un ON un.id = u.unit_id WHERE un.kind != 'district_center' AND u.is_active = 1"
        ))
        self.officer_by_id = {o["id"]: o for o in self.officers}
        self.officer_by_username = {o["username"].lower(): o for o in self.officers}
        self.officers_by_name: dict[tuple[int, str], list[dict]] = defaultdict(list)
        self.officers_named: dict[str, list[dict]] = defaultdict(list)  # every station's, by name
        for o in self.officers:
            self.officers_by_name[(o["station_id"], squash(o["name"]))].append(o)
            self.officers_named[squash(o["name"])].append(o)
        self._name_pools: dict[int | None, dict[str, dict]] = {}
        # Every way a row may name a station: its code (S06), its name, and its outposts'.
        self.station_by_key: dict[str, dict] = {}
        for unit in self.units:
            if unit["kind"] != "district_center":
                station = self.unit_by_id[unit["station_id"] or unit["id"]]
                self.station_by_key.setdefault(unit["code"].upper(), station)
                self.station_by_key.setdefault(squash(unit["name"]), station)
        self.group_by_name = {g["name"]: g for g in db.query("SELECT id, name, station_id, grid_id FROM chat_groups")}
        self.groups_per_grid = Counter(g["grid_id"] for g in self.group_by_name.values())

    def officer_pool(self, user: User | None, station_id: int | None) -> dict[str, dict]:
        """Officers by name, of one station (or of every station ``user`` may see), for the closest
        names of a refused owner: built once per station and dry run (one user per dry run)."""
        if station_id not in self._name_pools:
            self._name_pools[station_id] = {squash(o["name"]): o for o in self.officers
                                            if _may_own(user, o, station_id)}
        return self._name_pools[station_id]

    def station_name(self, station_id: int | None) -> str:
        unit = self.unit_by_id.get(station_id)
        return unit["name"] if unit else ""

    def grid_label(self, grid_id) -> str:
        g = self.grids.get(grid_id)
        return f"{g['code']} {g['name']}" if g else ""

    def owner_label(self, user_id) -> str:
        o = self.officer_by_id.get(user_id)
        return f"{o['name']}（{o['username']}）" if o else ("" if user_id is None else str(user_id))

    def find_station(self, text: str) -> dict | None:
        """A station by code (S06), name (三星派出所), short name (三星所, 三星) or one of its
        outposts' names or codes."""
        key = squash(nfkc(text))
        candidates = [key, key.upper(), key + "派出所"]
        if key.endswith("所") and not key.endswith("派出所"):
            candidates.append(key[:-1] + "派出所")
        return next((self.station_by_key[c] for c in candidates if c in self.station_by_key), None)


def squash(text: str) -> str:
    """``text`` without any whitespace (``None`` as empty): how names are compared."""
    return re.sub(r"\s+", "", str(text or ""))


def find_grid(user: User, look: Lookups, text: str, station_id: int | None, fail,
              prefer: int | None = None) -> dict | None:
    """The grid a cell names, by code (G000123) or by name within the row's station
    (else within ``prefer``, else anywhere in scope).

    ``fail(field, key, **params)`` records a reason against the row; the result is ``None``
    when a reason was recorded.
    """
    key = squash(nfkc(text))
    if _CODE.match(key):
        grid = look.grid_by_code.get(key.upper())
        if grid and (station_id is None or grid["station_id"] == station_id) \
                and scope.can_see_station(user, grid["station_id"]):
            return grid
    else:
        matches = [g for g in look.grids_by_name.get(key, []) if scope.can_see_station(user, g["station_id"])]
        if station_id is not None:
            matches = [g for g in matches if g["station_id"] == station_id]
        elif prefer is not None and any(g["station_id"] == prefer for g in matches):
            matches = [g for g in matches if g["station_id"] == prefer]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            if station_id is None:
                fail("grid", "group_import.error.grid_ambiguous", value=text)
            else:
                fail("grid", "group_import.error.grid_ambiguous_station", value=text,
                     station=look.station_name(station_id))
            return None
    hints = _grid_hints(user, look, key, station_id)
    if station_id is None:
        fail("grid", "group_import.error.grid_unknown", hints, value=text)
    else:
        fail("grid", "group_import.error.grid_not_found", hints, value=text, station=look.station_name(station_id))
    return None


CLOSEST = 3  # suggestions per refused cell: enough to spot a slip, few enough to read


def _closest(key: str, choices: dict[str, object]) -> list:
    """The values of ``choices`` whose keys read most like ``key`` (best first): a slip of one or two
    characters (第3网格 for 第三网格, 张玮 for 张伟), never a guess from nothing."""
    return [choices[k] for k in difflib.get_close_matches(key, list(choices), n=CLOSEST, cutoff=0.5)]


def _grid_hints(user: User, look: Lookups, key: str, station_id: int | None) -> list[tuple[str, dict]]:
    """The grids whose names read closest to a refused grid cell, in the row's station (else in
    every station the user may see, each with its station)."""
    by_name: dict[str, list[dict]] = defaultdict(list)
    for g in look.grids.values():
        if (station_id is None or g["station_id"] == station_id) and scope.can_see_station(user, g["station_id"]):
            by_name[squash(g["name"])].append(g)
    close = [g for grids in _closest(key, by_name) for g in grids][:CLOSEST]
    if not close:
        return []
    names = "、".join(g["name"] + "（" + g["code"] + ("" if station_id else "，" + look.station_name(g["station_id"]))
                     + "）" for g in close)
    return [("group_import.hint.closest_grids", {"names": names})]


def station_hints(user: User, look: Lookups, text: str) -> list[tuple[str, dict]]:
    """The stations (in the user's scope) whose names read closest to a station cell not found."""
    stations = {squash(u["name"]): u for u in look.units
                if u["kind"] == "station" and scope.can_see_station(user, u["id"])}
    close = _closest(squash(nfkc(text)), stations)
    if not close:
        return []
    return [("group_import.hint.closest_stations", {"names": "、".join(f"{u['name']}（{u['code']}）" for u in close)})]


def _owner_hints(user: User | None, look: Lookups, text: str, station_id: int | None) -> list[tuple[str, dict]]:
    """What to write instead of an owner no officer of the station answers to: officers of other
    stations with exactly that name, and the station's officers whose names read closest."""
    key = squash(nfkc(text))
    hints = []
    elsewhere = [o for o in look.officers_named.get(key, []) if o["station_id"] != station_id]
    if station_id is not None and elsewhere:
        hints.append(("group_import.hint.officer_elsewhere", {"value": text, "officers": "、".join(
            f"{look.station_name(o['station_id'])}（{o['username']}）" for o in elsewhere[:CLOSEST])}))
    close = [o for o in _closest(key, look.officer_pool(user, station_id)) if squash(o["name"]) != key]
    if close:
        hints.append(("group_import.hint.closest_officers", {"names": "、".join(
            f"{o['name']}（{o['username']}）" for o in close)}))
    return hints


def _may_own(user: User | None, officer: dict, station_id: int | None) -> bool:
    """An officer of the row's station (any station ``user`` may see when it is not known yet)."""
    return ((station_id is None or officer["station_id"] == station_id)
            and (user is None or scope.can_see_station(user, officer["station_id"])))


def find_owner(look: Lookups, text: str, station_id: int | None, fail, *, user: User | None = None) -> int | None:
    """The owner a cell names: a username (pol060012), a name (顾建国) that is unique
    among the station's officers, or both ("顾建国（pol060012）"); its user id.

    With ``station_id`` None (the row's station is not known yet: its grid or station cell
    failed), the officer is looked for in every station ``user`` may see, so that a wrong
    owner is reported in the same pass as the wrong grid.

    ``fail(field, key, hints, **params)`` records a reason against the row, with hints naming
    the fix (:func:`_owner_hints`); the result is ``None`` when a reason was recorded.
    """
    station = look.station_name(station_id) if station_id is not None else ""
    match = _USERNAME.search(nfkc(text))
    if match:
        officer = look.officer_by_username.get(match.group(0).lower())
        if officer and _may_own(user, officer, station_id):
            return officer["id"]
        candidates = []
    else:
        candidates = [o for o in look.officers_named.get(squash(text), []) if _may_own(user, o, station_id)]
        if len(candidates) == 1:
            return candidates[0]["id"]
    if len(candidates) > 1:
        if station_id is None:
            return None  # several stations have one: the grid, once fixed, will tell which
        fail("owner", "group_import.error.owner_ambiguous", None, value=text, station=station,
             count=len(candidates), usernames="、".join(sorted(o["username"] for o in candidates)))
    elif station_id is None:
        fail("owner", "group_import.error.owner_not_any_officer", _owner_hints(user, look, text, None), value=text)
    else:
        fail("owner", "group_import.error.owner_not_officer", _owner_hints(user, look, text, station_id),
             value=text, station=station)
    return None
