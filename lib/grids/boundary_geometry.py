"""One GeoJSON polygon read into a valid shape, or the reasons it cannot be.

This module owns the geometry checks that a grid file's features (:mod:`lib.grids.boundary_file`)
and the district outline (:mod:`lib.grids.district_outline`) share: a Polygon or MultiPolygon
whose coordinates are numbers in lon/lat range, rings closed and long enough, not too many
vertices, a valid polygon (a self-intersection is located at the point GEOS names) of
non-zero area, all rounded to :data:`COORD_DIGITS` decimals. Also its area in km²
(:func:`area_km2`) and how user input is quoted in the import's messages (:func:`short`).
Each problem is a :data:`Reason`, a ``grid_import.*`` message key with its parameters.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata

import shapely
from shapely.geometry.base import BaseGeometry

from lib.grids.geo import KM_PER_DEG_LAT

MAX_VERTICES = 10_000
COORD_DIGITS = 6  # ~0.1 m, as lib.grids.geo.polygon_geojson stores the demo's grids
_VALIDITY_RE = re.compile(r"^(?P<what>[^\[]*)\[(?P<x>[-+0-9.eE]+) (?P<y>[-+0-9.eE]+)")

Reason = tuple[str, dict]
"""Why something is refused or noted: a ``grid_import.*`` message key and its parameters."""


def short(value, limit: int = 40) -> str:
    """User input quoted in a message: text, cut to ``limit`` characters."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_geometry(geometry, n: int, reasons: list[Reason], *,
                   max_vertices: int | None = MAX_VERTICES) -> tuple[BaseGeometry | None, str | None]:
    """(valid shapely Polygon / MultiPolygon, its compact GeoJSON text), both of the coordinates
    rounded to 6 decimals; or (None, None) with reasons added. ``n`` is the feature's 1-based
    position in the file, as the messages count it; ``max_vertices=None`` sets no limit.

    Every kind of problem is reported once (the first place it occurs), so a file with one
    bad exporter setting gets one line per feature, not one per vertex.
    """
    if geometry is None:
        reasons.append(("grid_import.geometry_missing", {"n": n}))
        return None, None
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        found = geometry.get("type") if isinstance(geometry, dict) else type(geometry).__name__
        reasons.append(("grid_import.geometry_type", {"n": n, "found": short(found) if found else "-"}))
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
                    once("grid_import.coordinate_not_number", {"value": short(bad, 20), "ring": ring_no})
                    continue
                try:
                    lon, lat = float(lon), float(lat)
                except OverflowError:
                    lon = lat = math.inf
                if not (math.isfinite(lon) and math.isfinite(lat)):
                    once("grid_import.coordinate_not_number", {"value": short(position[:2], 30), "ring": ring_no})
                    continue
                if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
                    once("grid_import.coordinate_out_of_range", {"lon": short(lon, 20), "lat": short(lat, 20)})
                    continue
                points.append((round(lon, COORD_DIGITS), round(lat, COORD_DIGITS)))
            if len(points) != len(ring):
                continue  # already reported; its closure and length mean nothing now
            if len(points) >= 2 and points[0] != points[-1]:
                # Checked first: a triangle typed without its closing point is "not closed", which
                # names the fix, rather than "only 3 points".
                once("grid_import.ring_not_closed", {"ring": ring_no, "count": len(points)})
                continue
            if len(points) < 4:
                once("grid_import.ring_too_few_points", {"ring": ring_no, "count": len(points)})
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
    return "grid_import.geometry_invalid", {"n": n, "detail": short(what or text, 60), **where}


def area_km2(shape: BaseGeometry) -> float:
    """Area on a local equirectangular projection: good to a fraction of a percent for a grid."""
    lat0 = shape.centroid.y
    return shape.area * KM_PER_DEG_LAT * KM_PER_DEG_LAT * math.cos(math.radians(lat0))
