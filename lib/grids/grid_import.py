"""Import grid boundaries from GeoJSON: a dry run that reports every feature, then one transaction.

A district admin uploads a FeatureCollection of the comprehensive grids drawn in a GIS tool.
:func:`dry_run` checks each feature completely (geometry, properties, inside the district,
no overlap with existing grids or other features of the file) and reports, per feature,
whether it would add a grid, update one, or be rejected and why. :func:`apply` then writes
the accepted rows in one write transaction, with one audit row per grid, after checking the
overlaps again against the database as it is at that moment.

Overlaps are judged on "the district after the import": a grid that the file redraws is
compared by its new outline, so a file may move the border between two grids or split one.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
import sqlite_utils
from shapely.geometry.base import BaseGeometry

from lib.core import audit, taxonomy
from lib.core.clock import utcnow
from lib.core.db import query_one, write_transaction
from lib.core.errors import ScopeError, ValidationError
from lib.grids.geo import KM_PER_DEG_LAT

if TYPE_CHECKING:
    from lib.core.auth import User

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_FEATURES = 50_000
MAX_VERTICES = 10_000
MAX_NAME_LENGTH = 40
MAX_CODE_LENGTH = 20
MAX_COUNT = 1_000_000  # population / households of one grid: the whole district has a million
OUTSIDE_TOLERANCE = 0.01  # share of a feature's area allowed outside the district outline
FALLBACK_BUFFER_DEG = 0.005  # ~500 m (555 m north-south, 470 m east-west at 32°N)
MAX_OVERLAP_REASONS = 5  # per feature; a huge feature would otherwise list hundreds of grids
COORD_DIGITS = 6  # ~0.1 m, as lib.grids.geo.polygon_geojson stores the demo's grids
BOUNDARY_META_KEY = "district_boundary"
AUDIT_ACTION = "import_geometry"
# GeoJSON (2008) "crs" names that mean plain lon/lat degrees. CGCS2000 (EPSG:4490) differs
# from WGS-84 by centimetres, which is nothing at the scale of a grid.
_LONLAT_CRS = re.compile(r"(CRS84|EPSG::?(4326|4490))$", re.IGNORECASE)
_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_COUNT_RE = re.compile(r"^([+-]?)(\d+)(?:\.0*)?$")
_VALIDITY_RE = re.compile(r"^(?P<what>[^\[]*)\[(?P<x>[-+0-9.eE]+) (?P<y>[-+0-9.eE]+)")

Reason = tuple[str, dict]


@dataclass
class FeatureResult:
    """What the import would do with one feature of the file.

    ``index`` is the feature's 1-based position in the file, as the messages count it.
    ``values`` holds the normalized columns to write (for an update, only those the
    file sets); ``grid_id`` is the grid an update changes.
    """

    index: int
    name: str | None
    code: str | None
    action: str  # "add" | "update" | "reject"
    reasons: list[Reason] = field(default_factory=list)
    notes: list[Reason] = field(default_factory=list)
    station_id: int | None = None
    station_code: str | None = None
    grid_id: int | None = None
    area_km2: float | None = None
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class GridImportReport:
    """The dry run of one file: a row per feature, and notes about the file as a whole."""

    rows: list[FeatureResult]
    notes: list[Reason] = field(default_factory=list)
    overlap_tolerance: float = 0.01

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
        return self.n_reject == 0 and self.n_add + self.n_update > 0


# --- district outline -----------------------------------------------------------------


def district_boundary(db: sqlite_utils.Database) -> BaseGeometry | None:
    """The stored district outline (``app_meta`` key ``district_boundary``), or ``None`` if none
    is stored or it cannot be read."""
    geometry, _status = _stored_boundary(db)
    return geometry


def set_district_boundary(db: sqlite_utils.Database, geojson_text: str, *, user: User | None = None) -> str:
    """Store the district outline: a GeoJSON Polygon or MultiPolygon (bare, in a Feature or a
    FeatureCollection, whose polygons are merged) in WGS-84 lon/lat. Returns the stored text.

    ``user`` is ``None`` for the seeder and the command line; a user must be a district admin.
    """
    if user is not None and not user.is_district:
        raise ScopeError()
    try:
        data = json.loads(geojson_text)
    except (TypeError, ValueError, RecursionError) as exc:
        raise ValidationError("grid_import.boundary_invalid", field="boundary", detail=str(exc)[:120]) from exc
    geometries = []
    if isinstance(data, dict) and data.get("type") == "FeatureCollection" and isinstance(data.get("features"), list):
        geometries = [f.get("geometry") for f in data["features"] if isinstance(f, dict)]
    elif isinstance(data, dict) and data.get("type") == "Feature":
        geometries = [data.get("geometry")]
    else:
        geometries = [data]
    shapes = []
    for geometry in geometries:
        reasons: list[Reason] = []
        shape, _text = _parse_geometry(geometry, 1, reasons, max_vertices=None)
        if shape is None or reasons:
            key, params = reasons[0] if reasons else ("grid_import.geometry_missing", {})
            where = f" @ {params['lon']}, {params['lat']}" if "lon" in params else ""
            raise ValidationError("grid_import.boundary_invalid", field="boundary",
                                  detail=key.removeprefix("grid_import.") + where)
        shapes.append(shape)
    outline = shapely.union_all(shapes) if len(shapes) > 1 else shapes[0] if shapes else None
    if outline is None or outline.geom_type not in ("Polygon", "MultiPolygon"):
        raise ValidationError("grid_import.boundary_invalid", field="boundary", detail="no polygon")
    text = outline_geojson(outline)
    with write_transaction(db):
        before = query_one(db, "SELECT value FROM app_meta WHERE key = ?", [BOUNDARY_META_KEY])
        db.execute(
            "INSERT INTO app_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [BOUNDARY_META_KEY, text],
        )
        audit.record(db, user, "set_district_boundary", "app_meta", BOUNDARY_META_KEY,
                     before={"value": before["value"]} if before else None, after={"value": text})
    return text


def _stored_boundary(db: sqlite_utils.Database) -> tuple[BaseGeometry | None, str]:
    """(outline, status) with status "stored", "missing" or "unreadable"."""
    row = query_one(db, "SELECT value FROM app_meta WHERE key = ?", [BOUNDARY_META_KEY])
    if not row:
        return None, "missing"
    try:
        geometry = shapely.from_geojson(row["value"])
    except (shapely.errors.GEOSException, ValueError, TypeError):
        return None, "unreadable"
    if geometry is None or geometry.is_empty or geometry.geom_type not in ("Polygon", "MultiPolygon"):
        return None, "unreadable"
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    shapely.prepare(geometry)
    return geometry, "stored"


# --- dry run ----------------------------------------------------------------------------


def dry_run(db: sqlite_utils.Database, user: User, data: bytes, *, overlap_tolerance: float = 0.01) -> GridImportReport:
    """Check a GeoJSON file of grid boundaries and report what importing it would do; writes nothing.

    District admins only. A file that cannot be read at all (too large, not JSON, not
    GeoJSON, too many features) raises :class:`ValidationError`; every problem of a
    feature is listed in its row, and a feature with any problem is rejected.
    """
    _require_district(user)
    notes: list[Reason] = []
    features = _read_features(data, notes)
    lookups = _Lookups(db, features)
    rows: list[FeatureResult] = []
    shapes: dict[int, BaseGeometry] = {}
    for position, feature in enumerate(features, start=1):
        row, shape = _check_feature(position, feature, lookups)
        rows.append(row)
        if shape is not None:
            shapes[position] = shape
    _check_duplicates(rows, lookups)
    existing = _ExistingGrids.load(db)
    _check_inside_district(db, rows, shapes, existing, notes)
    _check_overlaps(rows, shapes, existing, overlap_tolerance)
    for row in rows:
        if row.reasons:
            row.action = "reject"
    return GridImportReport(rows=rows, notes=notes, overlap_tolerance=overlap_tolerance)


def _require_district(user: User) -> None:
    if user is None or not user.is_district:
        raise ScopeError()


def _read_features(data: bytes, notes: list[Reason]) -> list:
    """The features of the file, or a ValidationError that says why the file cannot be read."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if data is None or len(data) == 0:
        raise ValidationError("grid_import.file_empty", field="file")
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError("grid_import.file_too_large", field="file",
                              size_mb=round(len(data) / 1024 / 1024, 1), max_mb=MAX_FILE_BYTES // 1024 // 1024)
    try:
        text = bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError:
        # GeoJSON is UTF-8 by definition, but older Chinese GIS exports write GBK; say so.
        try:
            text = bytes(data).decode("gb18030")
        except UnicodeDecodeError as exc:
            raise ValidationError("grid_import.not_json", field="file", line=1, column=exc.start + 1) from exc
        notes.append(("grid_import.note.gbk_encoding", {}))
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError("grid_import.not_json", field="file", line=exc.lineno, column=exc.colno) from exc
    except RecursionError as exc:
        raise ValidationError("grid_import.not_json", field="file", line=1, column=1) from exc
    if not isinstance(doc, dict):
        raise ValidationError("grid_import.not_geojson", field="file", found=type(doc).__name__)
    kind = doc.get("type")
    if kind == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list):
            raise ValidationError("grid_import.not_geojson", field="file", found="FeatureCollection")
    elif kind == "Feature":
        features = [doc]
    else:
        raise ValidationError("grid_import.not_geojson", field="file", found=_short(kind) or "-")
    crs = doc.get("crs")
    if isinstance(crs, dict):
        name = (crs.get("properties") or {}).get("name") if isinstance(crs.get("properties"), dict) else None
        if isinstance(name, str) and not _LONLAT_CRS.search(name.strip()):
            raise ValidationError("grid_import.crs_not_wgs84", field="file", crs=_short(name))
    if not features:
        raise ValidationError("grid_import.no_features", field="file")
    if len(features) > MAX_FEATURES:
        raise ValidationError("grid_import.too_many_features", field="file", count=len(features), max=MAX_FEATURES)
    return features


class _Lookups:
    """Units and the grids that the file's codes and stations name, read once per dry run."""

    def __init__(self, db: sqlite_utils.Database, features: list):
        self._db = db
        self.units_by_code: dict[str, dict] = {}
        self.units_by_name: dict[str, dict] = {}
        for unit in db.query("SELECT id, code, kind, name, station_id FROM units"):
            self.units_by_code[unit["code"].upper()] = unit
            self.units_by_name[unit["name"]] = unit
        codes = set()
        for feature in features:
            props = feature.get("properties") if isinstance(feature, dict) else None
            code = props.get("code") if isinstance(props, dict) else None
            if isinstance(code, str | int) and not isinstance(code, bool):
                codes.add(str(code).strip())
        self.grids_by_code: dict[str, dict] = {}
        codes_list = sorted(codes)
        for start in range(0, len(codes_list), 500):
            chunk = codes_list[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for grid in db.query(
                "SELECT id, code, name, category, station_id, outpost_id, population, households, section_label"
                f" FROM grids WHERE code IN ({marks})", chunk,
            ):
                self.grids_by_code[grid["code"]] = grid
        self._names: dict[int, dict[str, list[int]]] = {}
        self.sections = {t["code"]: t for t in taxonomy.terms("section_labels")}
        self.sections_by_label = {}
        for term in self.sections.values():
            self.sections_by_label[term["zh"]] = term["code"]
            self.sections_by_label[term["en"].lower()] = term["code"]

    def station(self, value: str) -> dict | None:
        unit = self.units_by_code.get(value.upper()) or self.units_by_name.get(value)
        return unit if unit and unit["kind"] == "station" else None

    def outpost(self, value: str) -> dict | None:
        unit = self.units_by_code.get(value.upper()) or self.units_by_name.get(value)
        return unit if unit and unit["kind"] == "outpost" else None

    def unit(self, unit_id: int | None) -> dict | None:
        return next((u for u in self.units_by_code.values() if u["id"] == unit_id), None)

    def grid_code(self, grid_id: int) -> str:
        row = self._db.execute("SELECT code FROM grids WHERE id = ?", [grid_id]).fetchone()
        return row[0] if row else "-"

    def names_of_station(self, station_id: int) -> dict[str, list[int]]:
        """Existing grid names of a station → grid ids."""
        if station_id not in self._names:
            names: dict[str, list[int]] = {}
            for grid_id, name in self._db.execute("SELECT id, name FROM grids WHERE station_id = ?", [station_id]):
                names.setdefault(name, []).append(grid_id)
            self._names[station_id] = names
        return self._names[station_id]


def _short(value, limit: int = 40) -> str:
    """User input quoted in a message: text, cut to ``limit`` characters."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check_feature(n: int, feature, lookups: _Lookups) -> tuple[FeatureResult, BaseGeometry | None]:
    """All the checks of one feature that need nothing but the feature and the lookups."""
    reasons: list[Reason] = []
    notes: list[Reason] = []
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        reasons.append(("grid_import.feature_invalid", {"n": n}))
        return FeatureResult(index=n, name=None, code=None, action="reject", reasons=reasons), None
    props = feature.get("properties")
    if props is None:
        props = {}
    if not isinstance(props, dict):
        reasons.append(("grid_import.properties_invalid", {"n": n}))
        props = {}

    shape, geometry_text = _parse_geometry(feature.get("geometry"), n, reasons)

    # name
    name = props.get("name")
    if isinstance(name, int | float) and not isinstance(name, bool):
        name = str(name)
    if name is None or (isinstance(name, str) and not name.strip()):
        reasons.append(("grid_import.name_missing", {"n": n}))
        name = None
    elif not isinstance(name, str) or any(unicodedata.category(c) in ("Cc", "Cf", "Cs") for c in name.strip()):
        reasons.append(("grid_import.name_invalid", {"n": n}))
        name = None
    else:
        name = name.strip()
        if len(name) > MAX_NAME_LENGTH:
            reasons.append(("grid_import.name_too_long", {"n": n, "length": len(name), "max": MAX_NAME_LENGTH}))

    # station
    station = None
    raw_station = props.get("station")
    if raw_station is None or (isinstance(raw_station, str) and not raw_station.strip()):
        reasons.append(("grid_import.station_missing", {"n": n}))
    else:
        station = lookups.station(str(raw_station).strip()) if isinstance(raw_station, str | int) else None
        if station is None:
            reasons.append(("grid_import.station_unknown", {"n": n, "station": _short(raw_station)}))

    # code: an existing grid → update; an unknown one → add under that code
    code = props.get("code")
    grid = None
    if isinstance(code, int) and not isinstance(code, bool):
        code = str(code)
    if code is None or (isinstance(code, str) and not code.strip()):
        code = None
    elif not isinstance(code, str) or not _CODE_RE.match(code.strip()) or len(code.strip()) > MAX_CODE_LENGTH:
        reasons.append(("grid_import.code_invalid", {"n": n, "code": _short(code), "max": MAX_CODE_LENGTH}))
        code = None
    else:
        code = code.strip()
        grid = lookups.grids_by_code.get(code)
        if grid is None:
            notes.append(("grid_import.note.new_code", {"n": n, "code": code}))
        else:
            if station is not None and grid["station_id"] != station["id"]:
                owner = lookups.unit(grid["station_id"])
                reasons.append(("grid_import.code_station_mismatch", {
                    "n": n, "code": code, "station": station["name"],
                    "grid_station": owner["name"] if owner else "-",
                }))
            if grid["category"] != "comprehensive":
                reasons.append(("grid_import.code_not_comprehensive", {"n": n, "code": code}))

    # outpost
    outpost_id = None
    raw_outpost = props.get("outpost")
    outpost_given = raw_outpost is not None and not (isinstance(raw_outpost, str) and not raw_outpost.strip())
    if outpost_given:
        outpost = lookups.outpost(str(raw_outpost).strip()) if isinstance(raw_outpost, str) else None
        if outpost is None:
            reasons.append(("grid_import.outpost_unknown", {"n": n, "outpost": _short(raw_outpost)}))
        elif station is not None and outpost["station_id"] != station["id"]:
            reasons.append(("grid_import.outpost_station_mismatch", {
                "n": n, "outpost": outpost["name"], "station": station["name"],
            }))
        else:
            outpost_id = outpost["id"]

    # counts
    counts: dict[str, int | None] = {}
    for column in ("population", "households"):
        value, problem = _parse_count(props.get(column))
        if problem:
            reasons.append((f"grid_import.{column}_{problem}", {"n": n, "value": _short(props.get(column)),
                                                                "max": MAX_COUNT}))
        counts[column] = value

    # section label: a code of the taxonomy, or its exact Chinese / English name
    section = None
    raw_section = props.get("section_label")
    if raw_section is not None and not (isinstance(raw_section, str) and not raw_section.strip()):
        if isinstance(raw_section, str):
            text = raw_section.strip()
            section = (text if text in lookups.sections else
                       lookups.sections_by_label.get(text) or lookups.sections_by_label.get(text.lower()))
        if section is None:
            reasons.append(("grid_import.section_label_unknown", {"n": n, "value": _short(raw_section)}))

    row = FeatureResult(index=n, name=name, code=code, action="update" if grid else "add",
                        reasons=reasons, notes=notes)
    if station is not None:
        row.station_id, row.station_code = station["id"], station["code"]
    if grid is not None:
        row.grid_id = grid["id"]
    if shape is not None:
        row.area_km2 = round(_area_km2(shape), 4)
        point = shape.point_on_surface()
        row.values.update(geometry=geometry_text, lon=round(point.x, COORD_DIGITS),
                          lat=round(point.y, COORD_DIGITS))
    if name is not None:
        row.values["name"] = name
    if grid is None:
        row.values.update(category="comprehensive", station_id=row.station_id, outpost_id=outpost_id,
                          population=counts["population"] or 0, households=counts["households"] or 0,
                          section_label=section)
        if code is not None:
            row.values["code"] = code
    else:
        if outpost_given and outpost_id is not None:
            row.values["outpost_id"] = outpost_id
        for column in ("population", "households"):
            if counts[column] is not None:
                row.values[column] = counts[column]
        if section is not None:
            row.values["section_label"] = section
    return row, shape


def _parse_count(value) -> tuple[int | None, str | None]:
    """(number, problem): ``"1,234"``, ``"１２３"`` and ``12.0`` are numbers; problem is
    ``"invalid"`` or ``"negative"``; an absent value is (None, None)."""
    if value is None:
        return None, None
    if isinstance(value, bool):
        return None, "invalid"
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            return None, "invalid"
        value = int(value)
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        # NFKC folds full-width digits, commas and spaces to ASCII.
        text = unicodedata.normalize("NFKC", value).strip()
        if not text:
            return None, None
        text = re.sub(r"[,\s_']", "", text)
        match = _COUNT_RE.match(text)
        if not match:
            return None, "invalid"
        number = int(match.group(2)) * (-1 if match.group(1) == "-" else 1)
    else:
        return None, "invalid"
    if number < 0:
        return None, "negative"
    if number > MAX_COUNT:
        return None, "invalid"
    return number, None


def _parse_geometry(geometry, n: int, reasons: list[Reason], *,
                    max_vertices: int | None = MAX_VERTICES) -> tuple[BaseGeometry | None, str | None]:
    """(valid shapely Polygon / MultiPolygon, its compact GeoJSON text), both of the coordinates
    rounded to 6 decimals; or (None, None) with reasons added.

    Every kind of problem is reported once (the first place it occurs), so a file with one
    bad exporter setting gets one line per feature, not one per vertex.
    """
    if geometry is None:
        reasons.append(("grid_import.geometry_missing", {"n": n}))
        return None, None
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        found = geometry.get("type") if isinstance(geometry, dict) else type(geometry).__name__
        reasons.append(("grid_import.geometry_type", {"n": n, "found": _short(found) if found else "-"}))
        return None, None
    coords = geometry.get("coordinates")
    polygons = [coords] if geometry["type"] == "Polygon" else coords
    if not isinstance(polygons, list) or not polygons:
        reasons.append(("grid_import.coordinates_malformed", {"n": n}))
        return None, None
    seen: set[str] = set()
    count = 0

    def once(key: str, params: dict) -> None:
        if key not in seen:
            seen.add(key)
            reasons.append((key, {"n": n, **params}))

    parsed: list[list[list[tuple[float, float]]]] = []
    ring_no = 0
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            once("grid_import.coordinates_malformed", {})
            continue
        rings = []
        for ring in polygon:
            ring_no += 1
            if not isinstance(ring, list):
                once("grid_import.coordinates_malformed", {})
                continue
            count += len(ring)
            if max_vertices is not None and count > max_vertices:
                once("grid_import.too_many_vertices", {"max": max_vertices})
                return None, None
            points = []
            for position in ring:
                if not isinstance(position, list | tuple) or len(position) < 2:
                    once("grid_import.coordinates_malformed", {})
                    continue
                lon, lat = position[0], position[1]
                if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lon, lat)):
                    bad = lon if not (isinstance(lon, int | float) and not isinstance(lon, bool)) else lat
                    once("grid_import.coordinate_not_number", {"value": _short(bad, 20), "ring": ring_no})
                    continue
                try:
                    lon, lat = float(lon), float(lat)
                except OverflowError:
                    lon = lat = math.inf
                if not (math.isfinite(lon) and math.isfinite(lat)):
                    once("grid_import.coordinate_not_number", {"value": _short(position[:2], 30), "ring": ring_no})
                    continue
                if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
                    once("grid_import.coordinate_out_of_range", {"lon": _short(lon, 20), "lat": _short(lat, 20)})
                    continue
                points.append((round(lon, COORD_DIGITS), round(lat, COORD_DIGITS)))
            if len(points) != len(ring):
                continue  # already reported; its closure and length mean nothing now
            if len(points) < 4:
                once("grid_import.ring_too_few_points", {"ring": ring_no, "count": len(points)})
                continue
            if points[0] != points[-1]:
                once("grid_import.ring_not_closed", {"ring": ring_no})
                continue
            rings.append(points)
        if rings and len(rings) == len(polygon):
            parsed.append(rings)
    if seen or not parsed:
        if not seen:
            reasons.append(("grid_import.coordinates_malformed", {"n": n}))
        return None, None
    try:
        # Polygon(shell, []) costs four times Polygon(shell): pass holes only when there are some.
        parts = [shapely.Polygon(rings[0], rings[1:] or None) for rings in parsed]
        shape = parts[0] if geometry["type"] == "Polygon" else shapely.MultiPolygon(parts)
    except (shapely.errors.GEOSException, ValueError, TypeError):
        reasons.append(("grid_import.coordinates_malformed", {"n": n}))
        return None, None
    if not shape.is_valid:
        reasons.append(_validity_reason(n, shape))
        return None, None
    if shape.area <= 0:
        reasons.append(("grid_import.area_zero", {"n": n}))
        return None, None
    coordinates = parsed[0] if geometry["type"] == "Polygon" else parsed
    return shape, json.dumps({"type": geometry["type"], "coordinates": coordinates}, separators=(",", ":"))


def _validity_reason(n: int, shape: BaseGeometry) -> Reason:
    """The GEOS reason for an invalid polygon, as a message key with the place it occurs."""
    text = shapely.is_valid_reason(shape) or ""
    match = _VALIDITY_RE.match(text)
    what = (match.group("what") if match else text).strip()
    where = {"lon": round(float(match.group("x")), 6), "lat": round(float(match.group("y")), 6)} if match else {
        "lon": round(shape.centroid.x, 6), "lat": round(shape.centroid.y, 6)}
    key = {
        "Self-intersection": "grid_import.self_intersection",
        "Ring Self-intersection": "grid_import.self_intersection",
        "Hole lies outside shell": "grid_import.hole_outside_shell",
        "Nested shells": "grid_import.parts_overlap",
        "Interior is disconnected": "grid_import.self_intersection",
    }.get(what)
    if key:
        return key, {"n": n, **where}
    return "grid_import.geometry_invalid", {"n": n, "detail": _short(what or text, 60), **where}


def outline_geojson(shape: BaseGeometry) -> str:
    """Compact GeoJSON of a (Multi)Polygon with coordinates rounded to 6 decimals, 2-D."""
    def ring(r) -> list:
        return [[round(x, COORD_DIGITS), round(y, COORD_DIGITS)] for x, y, *_ in r.coords]

    def polygon(p) -> list:
        return [ring(p.exterior)] + [ring(h) for h in p.interiors]

    if shape.geom_type == "Polygon":
        doc = {"type": "Polygon", "coordinates": polygon(shape)}
    else:
        doc = {"type": "MultiPolygon", "coordinates": [polygon(p) for p in shape.geoms]}
    return json.dumps(doc, separators=(",", ":"))


def _area_km2(shape: BaseGeometry) -> float:
    """Area on a local equirectangular projection: good to a fraction of a percent for a grid."""
    lat0 = shape.centroid.y
    return shape.area * KM_PER_DEG_LAT * KM_PER_DEG_LAT * math.cos(math.radians(lat0))


def _check_duplicates(rows: list[FeatureResult], lookups: _Lookups) -> None:
    """Two features with one code, or one name within a station; a name already used in the station."""
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
                   if g != row.grid_id and g not in renamed]
        if holders:
            row.reasons.append(("grid_import.name_taken", {"n": row.index, "name": row.name,
                                                           "code": lookups.grid_code(holders[0])}))


@dataclass
class _ExistingGrids:
    """The comprehensive grids that have an outline, in an STRtree (the overlap search)."""

    ids: np.ndarray
    codes: list[str]
    names: list[str]
    shapes: np.ndarray
    tree: shapely.STRtree

    @classmethod
    def load(cls, db: sqlite_utils.Database) -> _ExistingGrids:
        ids, codes, names, texts = [], [], [], []
        for grid_id, code, name, geometry in db.execute(
            "SELECT id, code, name, geometry FROM grids WHERE category = 'comprehensive' AND geometry IS NOT NULL"
        ):
            ids.append(grid_id)
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
        return cls(ids=np.array([ids[i] for i in keep], dtype=np.int64), codes=[codes[i] for i in keep],
                   names=[names[i] for i in keep], shapes=shapes, tree=shapely.STRtree(shapes))

    def __len__(self) -> int:
        return len(self.ids)


def _check_inside_district(db: sqlite_utils.Database, rows: list[FeatureResult], shapes: dict[int, BaseGeometry],
                           existing: _ExistingGrids, notes: list[Reason]) -> None:
    """Reject a feature more than 1% outside the district outline (stored, else the grids' area)."""
    boundary, status = _stored_boundary(db)
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
                    tolerance: float) -> None:
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
    replaced = {r.grid_id for r in shaped if r.grid_id is not None and not r.reasons}
    while True:
        found = _existing_overlaps(shaped, array, existing, tolerance, replaced)
        still = {r.grid_id for i, r in enumerate(shaped)
                 if r.grid_id is not None and not r.reasons and i not in found}
        if still == replaced:
            break
        replaced = still
    for i, reasons in found.items():
        shaped[i].reasons.extend(reasons)


# --- apply ------------------------------------------------------------------------------


def apply(db: sqlite_utils.Database, user: User, report: GridImportReport, *, skip_rejected: bool = False) -> dict:
    """Write the accepted rows of a dry run in one transaction, with an audit row per grid.

    Refuses a report with rejected rows unless ``skip_rejected``. Inside the transaction the
    overlaps are checked again against the grids as they are now (another admin may have
    changed them since the dry run); any refusal or failure leaves the database unchanged.
    Returns ``{"added", "updated", "skipped", "grid_ids"}``.
    """
    _require_district(user)
    if report.n_reject and not skip_rejected:
        raise ValidationError("grid_import.has_rejected", count=report.n_reject)
    accepted = [r for r in report.rows if r.action in ("add", "update")]
    if not accepted:
        raise ValidationError("grid_import.nothing_to_apply")
    grid_ids: list[int] = []
    added = updated = 0
    with write_transaction(db):
        _revalidate(db, accepted, report.overlap_tolerance)
        now = utcnow()
        for row in accepted:
            try:
                if row.action == "update":
                    grid_ids.append(_update_grid(db, user, row))
                    updated += 1
                else:
                    grid_ids.append(_insert_grid(db, user, row, now))
                    added += 1
            except sqlite3.DatabaseError as exc:
                # The transaction rolls back as this leaves it: nothing of the file is kept.
                raise ValidationError("grid_import.write_failed", n=row.index, detail=_short(str(exc), 80)) from exc
    return {"added": added, "updated": updated, "skipped": report.n_reject, "grid_ids": grid_ids}


def _revalidate(db: sqlite_utils.Database, rows: list[FeatureResult], tolerance: float) -> None:
    """The checks that another write since the dry run could have broken."""
    for row in rows:
        if row.action == "update":
            grid = query_one(db, "SELECT station_id, category FROM grids WHERE id = ?", [row.grid_id])
            if not grid or grid["station_id"] != row.station_id or grid["category"] != "comprehensive":
                raise ValidationError("grid_import.grid_changed", n=row.index, code=row.code or "-")
        elif row.code and db.execute("SELECT 1 FROM grids WHERE code = ?", [row.code]).fetchone():
            raise ValidationError("grid_import.grid_changed", n=row.index, code=row.code)
    shapes = np.array([shapely.from_geojson(r.values["geometry"]) for r in rows], dtype=object)
    replaced = {r.grid_id for r in rows if r.grid_id is not None}
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
