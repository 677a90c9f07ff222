"""Import grid boundaries from GeoJSON: a dry run that reports every feature, then one transaction.

A district admin uploads a FeatureCollection of the comprehensive grids drawn in a GIS tool.
:func:`dry_run` checks each feature completely (geometry, properties, inside the district,
no overlap with existing grids or other features of the file) and reports, per feature,
whether it would add a grid, update one, or be rejected and why. :func:`apply` then writes
the accepted rows in one write transaction, with one audit row per grid, after checking the
overlaps again against the database as it is at that moment.

Overlaps are judged on "the district after the import": a grid that the file redraws is
compared by its new outline, so a file may move the border between two grids or split one.

This module owns the report (:class:`GridImportReport`), the checks that compare features with
each other and with the district (codes and names used twice, outside the district outline,
overlaps measured), the dry run and the write. Reading the file and checking each feature on
its own is :mod:`lib.grids.boundary_file`'s, a polygon's geometry
:mod:`lib.grids.boundary_geometry`'s, the district outline :mod:`lib.grids.district_outline`'s.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import shapely
import sqlite_utils
from shapely.geometry.base import BaseGeometry

from lib.core import audit
from lib.core.clock import utcnow
from lib.core.db import query_one, write_transaction
from lib.core.errors import ScopeError, ValidationError
from lib.grids import boundary_replace

# PROPERTIES and read_features are also this module's interface: the import tab reads them here.
from lib.grids.boundary_file import (
    PROPERTIES,
    FeatureResult,
    Lookups,
    check_feature,
    map_properties,
    propose_properties,
    read_features,
)
from lib.grids.boundary_geometry import Reason, short
from lib.grids.district_outline import stored_boundary

if TYPE_CHECKING:
    from lib.core.auth import User

OUTSIDE_TOLERANCE = 0.01  # share of a feature's area allowed outside the district outline
FALLBACK_BUFFER_DEG = 0.005  # ~500 m (555 m north-south, 470 m east-west at 32°N)
MAX_OVERLAP_REASONS = 5  # per feature; a huge feature would otherwise list hundreds of grids
AUDIT_ACTION = "import_geometry"


@dataclass
class GridImportReport:
    """The dry run of one file: a row per feature, and notes about the file as a whole."""

    rows: list[FeatureResult]
    notes: list[Reason] = field(default_factory=list)
    overlap_tolerance: float = 0.01
    mapping: dict[str, str | None] = field(default_factory=dict)
    """Field → the file's property name the dry run read it from."""
    replace: bool = False
    retirements: list[boundary_replace.Retirement] = field(default_factory=list)
    """Replace mode: the stations' grids the file does not keep (see :mod:`lib.grids.boundary_replace`)."""

    @property
    def n_unchanged(self) -> int:
        return sum(1 for r in self.rows if r.action == "unchanged")

    @property
    def n_retire(self) -> int:
        return sum(1 for r in self.retirements if not r.kept)

    @property
    def n_add(self) -> int:
        return sum(1 for r in self.rows if r.action == "add")

    @property
    def n_update(self) -> int:
        return sum(1 for r in self.rows if r.action == "update")

    @property
    def n_reject(self) -> int:
        return sum(1 for r in self.rows if r.action == "reject")

    @property
    def can_apply(self) -> bool:
        """True when every feature is accepted (with rejected rows, apply needs ``skip_rejected``)."""
        return self.n_reject == 0 and self.n_add + self.n_update + self.n_retire > 0


# --- dry run ----------------------------------------------------------------------------


def dry_run(db: sqlite_utils.Database, user: User, data: bytes, *, overlap_tolerance: float = 0.01,
            mapping: dict[str, str | None] | None = None, replace: bool = False) -> GridImportReport:
    """Check a GeoJSON file of grid boundaries and report what importing it would do; writes nothing.

    District admins only. A file that cannot be read at all (too large, not JSON, not
    GeoJSON, too many features) raises :class:`ValidationError`; every problem of a
    feature is listed in its row, and a feature with any problem is rejected.

    ``mapping`` (field of :data:`~lib.grids.boundary_file.PROPERTIES` → the file's property name)
    defaults to :func:`~lib.grids.boundary_file.propose_properties`; the report keeps the mapping
    used (the import tab shows it), and a note names the properties not used at all.
    A feature without a station gets the station whose area (its grids) holds it, noted as inferred.

    ``replace``: the file replaces the current grids of the stations it names
    (:mod:`lib.grids.boundary_replace`): features match existing grids by code, else by name; the
    stations' other grids are retired (``report.retirements``), their groups and tips going to the
    file's grid that takes their place; overlaps with the stations' current grids do not count.
    """
    _require_district(user)
    notes: list[Reason] = []
    raw_features = read_features(data, notes)
    proposed, unmatched = propose_properties(raw_features)
    mapping = proposed if mapping is None else {f: mapping.get(f) for f in PROPERTIES}
    # Unused: the names no field matched, and those matched but unmapped by hand.
    unused = [k for k in [*unmatched, *proposed.values()] if k is not None and k not in mapping.values()]
    if unused:
        notes.append(("grid_import.note.properties_unused", {"names": "、".join(dict.fromkeys(unused))}))
    features = map_properties(raw_features, mapping)
    lookups = Lookups(db, features)
    rows: list[FeatureResult] = []
    shapes: dict[int, BaseGeometry] = {}
    for position, feature in enumerate(features, start=1):
        row, shape = check_feature(position, feature, lookups)
        rows.append(row)
        if shape is not None:
            shapes[position] = shape
    existing = _ExistingGrids.load(db)
    _infer_stations(rows, shapes, existing, lookups)
    replaced: set[int] = set()
    station_grids: dict[int, dict] = {}
    if replace:
        station_grids = boundary_replace.station_grids(db, {r.station_id for r in rows if r.station_id})
        boundary_replace.match_by_name(rows, station_grids)
        replaced = set(station_grids)
    _check_duplicates(rows, lookups, freed=replaced)
    _check_inside_district(db, rows, shapes, existing, notes)
    _check_overlaps(rows, shapes, existing, overlap_tolerance, also_replaced=replaced)
    for row in rows:
        if row.reasons:
            row.action = "reject"
            # What the feature would have become says nothing once it is refused.
            row.notes = [note for note in row.notes if note[0] not in _ACCEPTED_ONLY]
    report = GridImportReport(rows=rows, notes=notes, overlap_tolerance=overlap_tolerance, mapping=mapping,
                              replace=replace)
    if replace:
        boundary_replace.mark_unchanged(rows, station_grids)
        report.retirements = boundary_replace.plan_retirements(db, rows, shapes, station_grids)
    return report


_ACCEPTED_ONLY = {"grid_import.note.new_code"}
INFER_SHARE = 0.8  # of a feature's area inside one station's grids, to take that station for it


def _infer_stations(rows: list[FeatureResult], shapes: dict[int, BaseGeometry], existing: _ExistingGrids,
                    lookups: Lookups) -> None:
    """A station for each feature that names none: the existing grid's own (an update), else the
    station whose grids cover at least :data:`INFER_SHARE` of it; otherwise the feature is refused."""
    for row in rows:
        if not row.station_missing:
            continue
        station_id, share = None, 0.0
        if row.grid_id is not None:
            station_id, share = lookups.grid_station(row.grid_id), 1.0
        elif row.index in shapes and len(existing):
            shape = shapes[row.index]
            near = existing.tree.query(shape, predicate="intersects")
            covered: Counter = Counter()
            for j in near:
                covered[int(existing.station_ids[j])] += shapely.area(shapely.intersection(shape, existing.shapes[j]))
            total = shapely.area(shape)
            if covered and total > 0:
                station_id, area = covered.most_common(1)[0]
                share = area / total
        unit = lookups.unit(station_id) if station_id is not None else None
        if unit is None or share < INFER_SHARE:
            row.reasons.append(("grid_import.station_missing", {"n": row.index}))
            continue
        row.station_id, row.station_code, row.station_inferred = unit["id"], unit["code"], True
        if row.grid_id is None:
            row.values["station_id"] = unit["id"]
        row.notes.append(("grid_import.note.station_inferred", {"n": row.index, "station": unit["name"],
                                                                 "percent": _pct(min(share, 1.0))}))


def _require_district(user: User) -> None:
    if user is None or not user.is_district:
        raise ScopeError()


def _check_duplicates(rows: list[FeatureResult], lookups: Lookups, freed: set[int] = frozenset()) -> None:
    """Two features with one code, or one name within a station; a name already used in the station
    (by a grid not in ``freed``: those the replace mode redraws or retires)."""
    by_code: dict[str, list[FeatureResult]] = {}
    by_name: dict[tuple[int, str], list[FeatureResult]] = {}
    for row in rows:
        if row.code:
            by_code.setdefault(row.code, []).append(row)
        if row.name and row.station_id:
            by_name.setdefault((row.station_id, row.name), []).append(row)
    for code, same in by_code.items():
        if len(same) > 1:
            for row in same:
                other = next(r.index for r in same if r is not row)
                row.reasons.append(("grid_import.code_duplicate_in_file", {"n": row.index, "code": code, "other": other}))
    for (_station, name), same in by_name.items():
        if len(same) > 1:
            for row in same:
                other = next(r.index for r in same if r is not row)
                row.reasons.append(("grid_import.name_duplicate_in_file", {"n": row.index, "name": name, "other": other}))
    # A grid that the file renames frees its old name for another feature.
    renamed = {r.grid_id for r in rows if r.grid_id and not r.reasons}
    for row in rows:
        if not (row.name and row.station_id):
            continue
        holders = [g for g in lookups.names_of_station(row.station_id).get(row.name, [])
                   if g != row.grid_id and g not in renamed and g not in freed]
        if holders:
            row.reasons.append(("grid_import.name_taken", {"n": row.index, "name": row.name,
                                                           "code": lookups.grid_code(holders[0])}))


@dataclass
class _ExistingGrids:
    """The comprehensive grids that have an outline, in an STRtree (the overlap search)."""

    ids: np.ndarray
    station_ids: np.ndarray
    codes: list[str]
    names: list[str]
    shapes: np.ndarray
    tree: shapely.STRtree

    @classmethod
    def load(cls, db: sqlite_utils.Database) -> _ExistingGrids:
        ids, stations, codes, names, texts = [], [], [], [], []
        for grid_id, station_id, code, name, geometry in db.execute(
            "SELECT id, station_id, code, name, geometry FROM grids WHERE category = 'comprehensive'"
            " AND geometry IS NOT NULL"
        ):
            ids.append(grid_id)
            stations.append(station_id)
            codes.append(code)
            names.append(name)
            texts.append(geometry)
        shapes = shapely.from_geojson(texts, on_invalid="ignore") if texts else np.array([], dtype=object)
        keep = [i for i, s in enumerate(shapes) if s is not None and not s.is_empty
                and s.geom_type in ("Polygon", "MultiPolygon")]
        shapes = np.array([shapes[i] for i in keep], dtype=object)
        if len(shapes):
            invalid = ~shapely.is_valid(shapes)
            if invalid.any():
                # A bad outline already stored must not crash the overlap search.
                shapes[invalid] = shapely.make_valid(shapes[invalid])
        return cls(ids=np.array([ids[i] for i in keep], dtype=np.int64),
                   station_ids=np.array([stations[i] for i in keep], dtype=np.int64), codes=[codes[i] for i in keep],
                   names=[names[i] for i in keep], shapes=shapes, tree=shapely.STRtree(shapes))

    def __len__(self) -> int:
        return len(self.ids)


def _check_inside_district(db: sqlite_utils.Database, rows: list[FeatureResult], shapes: dict[int, BaseGeometry],
                           existing: _ExistingGrids, notes: list[Reason]) -> None:
    """Reject a feature more than 1% outside the district outline (stored, else the grids' area)."""
    boundary, status = stored_boundary(db)
    if status == "unreadable":
        notes.append(("grid_import.note.boundary_unreadable", {}))
    if boundary is None and len(existing) == 0:
        notes.append(("grid_import.note.no_boundary_skipped", {}))
        return
    if boundary is None:
        notes.append(("grid_import.note.no_boundary_fallback", {}))
    shaped = [r for r in rows if r.index in shapes]
    if not shaped:
        return
    array = np.array([shapes[r.index] for r in shaped], dtype=object)
    if boundary is None:
        # The union of the grids near the file's features, grown by ~500 m: only those, so a
        # file of a few features does not union 30,000 grids.
        _i, near = existing.tree.query(array, predicate="dwithin", distance=FALLBACK_BUFFER_DEG)
        near = np.unique(near)
        if len(near):
            boundary = shapely.union_all(existing.shapes[near]).buffer(FALLBACK_BUFFER_DEG)
            shapely.prepare(boundary)
        else:
            boundary = shapely.Polygon()
    inside = shapely.contains(boundary, array)
    share = np.zeros(len(array))
    rest = ~inside
    if rest.any():
        share[rest] = shapely.area(shapely.difference(array[rest], boundary)) / shapely.area(array[rest])
    for row, outside in zip(shaped, share, strict=True):
        if outside > OUTSIDE_TOLERANCE:
            row.reasons.append(("grid_import.outside_district", {"n": row.index, "percent": _pct(float(outside))}))


def _pct(share: float) -> str:
    """A share as a percentage for a message: 12.3, or <0.1 for tiny ones."""
    value = round(100 * share, 1)
    return f"{value:g}" if value >= 0.1 else "<0.1"


def _overlap_pairs(shapes_a: np.ndarray, tree: shapely.STRtree, shapes_b: np.ndarray,
                   tolerance: float) -> list[tuple[int, int, float]]:
    """(i in a, j in b, share of the smaller area) for every pair overlapping above ``tolerance``."""
    if len(shapes_a) == 0 or len(shapes_b) == 0:
        return []
    left, right = tree.query(shapes_a, predicate="intersects")
    if len(left) == 0:
        return []
    a, b = shapes_a[left], shapes_b[right]
    inter = shapely.area(shapely.intersection(a, b))
    smaller = np.minimum(shapely.area(a), shapely.area(b))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(smaller > 0, inter / smaller, 0.0)
    hits = share > tolerance
    return [(int(i), int(j), float(s)) for i, j, s in zip(left[hits], right[hits], share[hits], strict=True)]


class _Capped:
    """Reasons per row, at most MAX_OVERLAP_REASONS of them, then one line with how many more."""

    def __init__(self, rows: list[FeatureResult]):
        self.rows = rows
        self.found: dict[int, list[Reason]] = {}
        self.counts: Counter = Counter()

    def add(self, i: int, key: str, params: dict) -> None:
        self.counts[i] += 1
        if self.counts[i] <= MAX_OVERLAP_REASONS:
            self.found.setdefault(i, []).append((key, {"n": self.rows[i].index, **params}))

    def result(self) -> dict[int, list[Reason]]:
        for i, total in self.counts.items():
            if total > MAX_OVERLAP_REASONS:
                self.found[i].append(("grid_import.overlaps_more",
                                      {"n": self.rows[i].index, "count": total - MAX_OVERLAP_REASONS}))
        return self.found


def _existing_overlaps(rows: list[FeatureResult], shapes: np.ndarray, existing: _ExistingGrids,
                       tolerance: float, replaced: set[int]) -> dict[int, list[Reason]]:
    """Overlap reasons (by position in ``rows``) against the existing grids, leaving out each row's
    own grid and the grids in ``replaced`` (redrawn by the import)."""
    out = _Capped(rows)
    for i, j, share in _overlap_pairs(shapes, existing.tree, existing.shapes, tolerance):
        grid_id = int(existing.ids[j])
        if grid_id in replaced or grid_id == rows[i].grid_id:
            continue
        out.add(i, "grid_import.overlaps_grid", {"code": existing.codes[j], "name": existing.names[j],
                                                 "percent": _pct(share)})
    return out.result()


def _feature_overlaps(rows: list[FeatureResult], shapes: np.ndarray, tolerance: float) -> dict[int, list[Reason]]:
    """Overlap reasons (by position in ``rows``) between features of the same file."""
    out = _Capped(rows)
    for i, j, share in _overlap_pairs(shapes, shapely.STRtree(shapes), shapes, tolerance):
        if i != j:
            out.add(i, "grid_import.overlaps_feature", {"other": rows[j].index, "other_name": rows[j].name or "-",
                                                        "percent": _pct(share)})
    return out.result()


def _check_overlaps(rows: list[FeatureResult], shapes: dict[int, BaseGeometry], existing: _ExistingGrids,
                    tolerance: float, also_replaced: set[int] = frozenset()) -> None:
    """Overlaps between features of the file, and with the existing grids as they would be after the import.

    A grid redrawn by an accepted feature is judged by its new outline only. A rejected
    update leaves its grid's old outline in place, which may in turn overlap another
    feature: repeat until the set of redrawn grids no longer shrinks (it only ever shrinks).
    """
    shaped = [r for r in rows if r.index in shapes]
    if not shaped:
        return
    array = np.array([shapes[r.index] for r in shaped], dtype=object)
    for i, reasons in _feature_overlaps(shaped, array, tolerance).items():
        shaped[i].reasons.extend(reasons)
    replaced = {r.grid_id for r in shaped if r.grid_id is not None and not r.reasons} | also_replaced
    while True:
        found = _existing_overlaps(shaped, array, existing, tolerance, replaced)
        still = {r.grid_id for i, r in enumerate(shaped)
                 if r.grid_id is not None and not r.reasons and i not in found} | also_replaced
        if still == replaced:
            break
        replaced = still
    for i, reasons in found.items():
        shaped[i].reasons.extend(reasons)


# --- apply ------------------------------------------------------------------------------


def apply(db: sqlite_utils.Database, user: User, report: GridImportReport, *, skip_rejected: bool = False,
          filename: str = "") -> dict:
    """Write the accepted rows of a dry run in one transaction, with an audit row per grid and one
    for the file (its name, the counts, the property mapping).

    Refuses a report with rejected rows unless ``skip_rejected`` (never in replace mode: a
    station's boundaries are replaced whole or not at all). Inside the transaction the overlaps
    are checked again against the grids as they are now (another admin may have changed them
    since the dry run); any refusal or failure leaves the database unchanged. In replace mode the
    retired grids' groups and tips go to their successors and the grids are deleted, each audited.
    Returns ``{"added", "updated", "skipped", "grid_ids"}`` and, in replace mode, ``"retired"``,
    ``"groups_moved"``, ``"tips_moved"``.
    """
    _require_district(user)
    if report.n_reject and (report.replace or not skip_rejected):
        raise ValidationError("grid_import.has_rejected", count=report.n_reject)
    accepted = [r for r in report.rows if r.action in ("add", "update")]
    retiring = [r for r in report.retirements if not r.kept]
    if not accepted and not retiring:
        raise ValidationError("grid_import.nothing_to_apply")
    grid_ids: list[int] = []
    added = updated = 0
    out: dict = {}
    with write_transaction(db):
        _revalidate(db, accepted, report.overlap_tolerance,
                    also_replaced={r.grid_id for r in report.retirements} | {r.grid_id for r in report.rows if r.grid_id})
        now = utcnow()
        ids_by_index = {r.index: r.grid_id for r in report.rows if r.grid_id is not None}
        for row in accepted:
            try:
                if row.action == "update":
                    grid_ids.append(_update_grid(db, user, row))
                    updated += 1
                else:
                    grid_ids.append(_insert_grid(db, user, row, now))
                    added += 1
                ids_by_index[row.index] = grid_ids[-1]
            except sqlite3.DatabaseError as exc:
                # The transaction rolls back as this leaves it: nothing of the file is kept.
                raise ValidationError("grid_import.write_failed", n=row.index, detail=short(str(exc), 80)) from exc
        if report.replace:
            out = {"retired": 0, "groups_moved": 0, "tips_moved": 0}
            for plan in retiring:
                moved = boundary_replace.retire(db, user, plan, ids_by_index.get(plan.successor))
                out["retired"] += 1
                out["groups_moved"] += moved["groups"]
                out["tips_moved"] += moved["tips"]
        audit.record(db, user, "import", "grids", None, after={
            "filename": filename, "mode": "replace" if report.replace else "add_or_update", "added": added,
            "updated": updated, "skipped": report.n_reject, **out,
            "mapping": {f: k for f, k in report.mapping.items() if k is not None}})
    return {"added": added, "updated": updated, "skipped": report.n_reject, "grid_ids": grid_ids, **out}


def _revalidate(db: sqlite_utils.Database, rows: list[FeatureResult], tolerance: float,
                also_replaced: set[int] = frozenset()) -> None:
    """The checks that another write since the dry run could have broken (``also_replaced``: grids
    the replace mode redraws or retires, whose outlines do not count)."""
    for row in rows:
        if row.action == "update":
            grid = query_one(db, "SELECT station_id, category FROM grids WHERE id = ?", [row.grid_id])
            if not grid or grid["station_id"] != row.station_id or grid["category"] != "comprehensive":
                raise ValidationError("grid_import.grid_changed", n=row.index, code=row.code or "-")
        elif row.code and db.execute("SELECT 1 FROM grids WHERE code = ?", [row.code]).fetchone():
            raise ValidationError("grid_import.grid_changed", n=row.index, code=row.code)
    shapes = np.array([shapely.from_geojson(r.values["geometry"]) for r in rows], dtype=object)
    replaced = {r.grid_id for r in rows if r.grid_id is not None} | also_replaced
    found = _existing_overlaps(rows, shapes, _ExistingGrids.load(db), tolerance, replaced)
    for i, reasons in _feature_overlaps(rows, shapes, tolerance).items():
        found.setdefault(i, []).extend(reasons)
    if found:
        first = min(found)
        key, params = found[first][0]
        other = params.get("code") or f"#{params.get('other')}"
        raise ValidationError("grid_import.conflict_changed", n=rows[first].index, other=other)


_UPDATABLE = ("name", "geometry", "lat", "lon", "outpost_id", "population", "households", "section_label")


def _update_grid(db: sqlite_utils.Database, user: User, row: FeatureResult) -> int:
    columns = [c for c in _UPDATABLE if c in row.values]
    before = query_one(db, f"SELECT {', '.join(columns)} FROM grids WHERE id = ?", [row.grid_id])
    after = {c: row.values[c] for c in columns}
    db.execute(f"UPDATE grids SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
               [after[c] for c in columns] + [row.grid_id])
    audit.record(db, user, AUDIT_ACTION, "grids", row.grid_id, before=before, after=after)
    return row.grid_id


def _insert_grid(db: sqlite_utils.Database, user: User, row: FeatureResult, now: str) -> int:
    values = {
        "code": row.values.get("code") or _next_code(db),
        "name": row.values["name"], "category": "comprehensive",
        "section_label": row.values.get("section_label"), "industry_label": None,
        "station_id": row.values["station_id"], "outpost_id": row.values.get("outpost_id"),
        "population": row.values.get("population", 0), "households": row.values.get("households", 0),
        "geometry": row.values["geometry"], "lat": row.values["lat"], "lon": row.values["lon"],
        "created_at": now,
    }
    columns = list(values)
    cursor = db.execute(f"INSERT INTO grids ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                        [values[c] for c in columns])
    grid_id = cursor.lastrowid
    audit.record(db, user, AUDIT_ACTION, "grids", grid_id, after=values)
    return grid_id


def _next_code(db: sqlite_utils.Database) -> str:
    """The demo's code pattern ``G000123``, numbered after the highest id, skipping codes in use."""
    number = (db.execute("SELECT COALESCE(MAX(id), 0) FROM grids").fetchone()[0] or 0) + 1
    while db.execute("SELECT 1 FROM grids WHERE code = ?", [f"G{number:06d}"]).fetchone():
        number += 1
    return f"G{number:06d}"
