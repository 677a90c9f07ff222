"""The district outline: storing it, reading it back, writing it as GeoJSON.

This module owns the outline of the whole district, kept as compact GeoJSON in ``app_meta``
under :data:`BOUNDARY_META_KEY`: :func:`set_district_boundary` (the seeder, the command line or
a district admin; the polygons are checked as a grid file's are, by
:func:`lib.grids.boundary_geometry.parse_geometry`), :func:`district_boundary` and
:func:`stored_boundary` to read it, and :func:`outline_geojson`, the compact text of a
(Multi)Polygon. The grid import (:mod:`lib.grids.grid_import`) rejects features outside it; the
coverage map draws it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import shapely
import sqlite_utils
from shapely.geometry.base import BaseGeometry

from lib.core import audit
from lib.core.db import query_one, write_transaction
from lib.core.errors import ScopeError, ValidationError
from lib.grids.boundary_geometry import COORD_DIGITS, Reason, parse_geometry

if TYPE_CHECKING:
    from lib.core.auth import User

BOUNDARY_META_KEY = "district_boundary"


def district_boundary(db: sqlite_utils.Database) -> BaseGeometry | None:
    """The stored district outline (``app_meta`` key ``district_boundary``), or ``None`` if none
    is stored or it cannot be read."""
    geometry, _status = stored_boundary(db)
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
        shape, _text = parse_geometry(geometry, 1, reasons, max_vertices=None)
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


def stored_boundary(db: sqlite_utils.Database) -> tuple[BaseGeometry | None, str]:
    """(outline, status) with status "stored", "missing" or "unreadable": the outline is valid
    (repaired if it was stored invalid) and prepared, or ``None`` with why."""
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
