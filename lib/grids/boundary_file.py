"""A GeoJSON file of grid boundaries: read, and each feature checked on its own.

This module owns what can be said of a grid file without comparing its features with each
other or with the district: :func:`read_features` refuses a file that cannot be read at all
(too large, not JSON, not GeoJSON, not lon/lat, too many features) with a
:class:`~lib.core.errors.ValidationError`, and :func:`check_feature` checks one feature —
its geometry (:func:`lib.grids.boundary_geometry.parse_geometry`) and its properties: name,
station, code (an existing grid → update, else add), outpost, counts, section label — into a
:class:`FeatureResult` with every reason found. :class:`Lookups` holds the units and grids
those checks read, once per dry run. The checks across features and against the district are
:mod:`lib.grids.grid_import`'s.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils
from shapely.geometry.base import BaseGeometry

from lib.core import taxonomy
from lib.core.errors import ValidationError
from lib.core.files import UPLOAD_LIMIT_MB
from lib.grids.boundary_geometry import COORD_DIGITS, Reason, area_km2, parse_geometry, short
from lib.grids.sheet_reader import HeaderWords

MAX_FILE_BYTES = UPLOAD_LIMIT_MB * 1024 * 1024
MAX_FEATURES = 50_000
MAX_NAME_LENGTH = 40
MAX_CODE_LENGTH = 20
MAX_COUNT = 1_000_000  # population / households of one grid: the whole district has a million
# GeoJSON (2008) "crs" names that mean plain lon/lat degrees. CGCS2000 (EPSG:4490) differs
# from WGS-84 by centimetres, which is nothing at the scale of a grid.
_LONLAT_CRS = re.compile(r"(CRS84|EPSG::?(4326|4490))$", re.IGNORECASE)
_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_COUNT_RE = re.compile(r"^([+-]?)(\d+)(?:\.0*)?$")


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
    action: str  # "add" | "update" | "unchanged" (replace mode: nothing to change) | "reject"
    reasons: list[Reason] = field(default_factory=list)
    notes: list[Reason] = field(default_factory=list)
    station_id: int | None = None
    station_code: str | None = None
    grid_id: int | None = None
    area_km2: float | None = None
    values: dict[str, Any] = field(default_factory=dict)
    update_values: dict[str, Any] = field(default_factory=dict)
    """The columns an update of an existing grid would set (only those the file gives)."""
    station_missing: bool = False
    """The feature names no station: the dry run infers it from the station areas, or refuses it."""
    station_inferred: bool = False


PROPERTIES = ("name", "code", "station", "outpost", "population", "households", "section_label")
"""The properties a feature may carry, as this module reads them (a file's own names are mapped
onto these: :func:`propose_properties`)."""
PROPERTY_WORDS = HeaderWords({
    "name": ("name", "gridname", "网格名称", "网格名", "名称", "mc", "wgmc"),
    "code": ("code", "gridcode", "gridid", "网格编码", "网格编号", "网格代码", "编码", "编号",
             "代码", "bm", "wgbm"),
    "station": ("station", "stationname", "policestation", "所属派出所", "派出所", "派出所名称",
                "责任派出所", "辖区派出所", "pcs", "unit", "所属单位"),
    "outpost": ("outpost", "outpostname", "警务室", "所属警务室", "社区警务室", "jws"),
    "population": ("population", "pop", "人口", "人口数", "常住人口", "实有人口", "rk"),
    "households": ("households", "household", "hh", "户数", "住户数", "实有户数"),
    "section_label": ("sectionlabel", "section", "片区类型", "片区标签", "网格类型"),
})
"""The property names GIS offices use for each field, Chinese or English, written as the
spreadsheet import compares headers (lower case, no spaces or ``_``: ``grid_code`` is ``gridcode``)."""


def propose_properties(features: list) -> tuple[dict[str, str | None], list[str]]:
    """(field → the file's property name, or None; the file's properties no field takes), from the
    property names of every feature: ``grid_code`` is read as the code, ``所属派出所`` as the station."""
    seen: dict[str, None] = {}
    for feature in features:
        props = feature.get("properties") if isinstance(feature, dict) else None
        if isinstance(props, dict):
            seen.update(dict.fromkeys(k for k in props if isinstance(k, str)))
    best: dict[str, tuple[int, str]] = {}
    for key in seen:
        match = PROPERTY_WORDS.match(key)
        if match and (match[0] not in best or match[1] > best[match[0]][0]):
            best[match[0]] = (match[1], key)
    mapping = {f: best[f][1] if f in best else None for f in PROPERTIES}
    used = set(mapping.values())
    return mapping, [k for k in seen if k not in used]


def map_properties(features: list, mapping: dict[str, str | None]) -> list:
    """The features with their properties renamed to :data:`PROPERTIES` by ``mapping`` (fields
    mapped to no property are absent); anything that is not a feature is left as it is."""
    out = []
    for feature in features:
        props = feature.get("properties") if isinstance(feature, dict) else None
        if isinstance(props, dict):
            feature = {**feature, "properties": {f: props[k] for f, k in mapping.items() if k is not None and k in props}}
        out.append(feature)
    return out


def read_features(data: bytes, notes: list[Reason]) -> list:
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
        raise ValidationError("grid_import.not_geojson", field="file", found=short(kind) or "-")
    crs = doc.get("crs")
    if isinstance(crs, dict):
        name = (crs.get("properties") or {}).get("name") if isinstance(crs.get("properties"), dict) else None
        if isinstance(name, str) and not _LONLAT_CRS.search(name.strip()):
            raise ValidationError("grid_import.crs_not_wgs84", field="file", crs=short(name))
    if not features:
        raise ValidationError("grid_import.no_features", field="file")
    if len(features) > MAX_FEATURES:
        raise ValidationError("grid_import.too_many_features", field="file", count=len(features), max=MAX_FEATURES)
    return features


class Lookups:
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

    def grid_station(self, grid_id: int) -> int | None:
        row = self._db.execute("SELECT station_id FROM grids WHERE id = ?", [grid_id]).fetchone()
        return row[0] if row else None

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


def check_feature(n: int, feature, lookups: Lookups) -> tuple[FeatureResult, BaseGeometry | None]:
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

    shape, geometry_text = parse_geometry(feature.get("geometry"), n, reasons)

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
    station_missing = raw_station is None or (isinstance(raw_station, str) and not raw_station.strip())
    # A missing station is inferred by the dry run from where the feature lies (grid_import._infer_stations).
    if not station_missing:
        station = lookups.station(str(raw_station).strip()) if isinstance(raw_station, str | int) else None
        if station is None:
            reasons.append(("grid_import.station_unknown", {"n": n, "station": short(raw_station)}))

    # code: an existing grid → update; an unknown one → add under that code
    code = props.get("code")
    grid = None
    if isinstance(code, int) and not isinstance(code, bool):
        code = str(code)
    if code is None or (isinstance(code, str) and not code.strip()):
        code = None
    elif not isinstance(code, str) or not _CODE_RE.match(code.strip()) or len(code.strip()) > MAX_CODE_LENGTH:
        reasons.append(("grid_import.code_invalid", {"n": n, "code": short(code), "max": MAX_CODE_LENGTH}))
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
            reasons.append(("grid_import.outpost_unknown", {"n": n, "outpost": short(raw_outpost)}))
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
            reasons.append((f"grid_import.{column}_{problem}", {"n": n, "value": short(props.get(column)),
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
            reasons.append(("grid_import.section_label_unknown", {"n": n, "value": short(raw_section)}))

    row = FeatureResult(index=n, name=name, code=code, action="update" if grid else "add",
                        reasons=reasons, notes=notes, station_missing=station_missing)
    if station is not None:
        row.station_id, row.station_code = station["id"], station["code"]
    if grid is not None:
        row.grid_id = grid["id"]
    if shape is not None:
        row.area_km2 = round(area_km2(shape), 4)
        point = shape.point_on_surface()
        row.values.update(geometry=geometry_text, lon=round(point.x, COORD_DIGITS),
                          lat=round(point.y, COORD_DIGITS))
    if name is not None:
        row.values["name"] = name
    # What an update sets: only what the file gives (kept aside for a feature the replace mode
    # matches to an existing grid by its name).
    row.update_values = dict(row.values)
    if outpost_given and outpost_id is not None:
        row.update_values["outpost_id"] = outpost_id
    for column in ("population", "households"):
        if counts[column] is not None:
            row.update_values[column] = counts[column]
    if section is not None:
        row.update_values["section_label"] = section
    if grid is None:
        row.values.update(category="comprehensive", station_id=row.station_id, outpost_id=outpost_id,
                          population=counts["population"] or 0, households=counts["households"] or 0,
                          section_label=section)
        if code is not None:
            row.values["code"] = code
    else:
        row.values = dict(row.update_values)
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
