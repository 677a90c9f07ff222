"""Small planar geometry on WGS-84 lon/lat pairs: enough for a county-sized district."""

from __future__ import annotations

import json
import math

Point = tuple[float, float]  # (lon, lat)
KM_PER_DEG_LAT = 111.32


def point_in_polygon(point: Point, ring: list[Point]) -> bool:
    """Ray casting: True when ``point`` lies inside the closed or open ``ring``."""
    x, y = point
    inside = False
    n = len(ring)
    j = n - 1
    for i in range(n):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def ring_area_km2(ring: list[Point]) -> float:
    """Area of a lon/lat ring in km² (shoelace on a local equirectangular projection)."""
    if len(ring) < 3:
        return 0.0
    lat0 = sum(p[1] for p in ring) / len(ring)
    kx = KM_PER_DEG_LAT * math.cos(math.radians(lat0))
    pts = [(lon * kx, lat * KM_PER_DEG_LAT) for lon, lat in ring]
    s = 0.0
    for (x1, y1), (x2, y2) in zip(pts, pts[1:] + pts[:1], strict=True):
        s += x1 * y2 - x2 * y1
    return abs(s) / 2


def distance_km(a: Point, b: Point) -> float:
    """Approximate distance between two nearby points, in km."""
    kx = KM_PER_DEG_LAT * math.cos(math.radians((a[1] + b[1]) / 2))
    return math.hypot((a[0] - b[0]) * kx, (a[1] - b[1]) * KM_PER_DEG_LAT)


def rectangle(lon0: float, lat0: float, lon1: float, lat1: float) -> list[Point]:
    """A closed counter-clockwise rectangle ring."""
    return [(lon0, lat0), (lon1, lat0), (lon1, lat1), (lon0, lat1), (lon0, lat0)]


def polygon_geojson(ring: list[Point], digits: int = 6) -> str:
    """Compact GeoJSON Polygon geometry text for one outer ring."""
    coords = [[round(lon, digits), round(lat, digits)] for lon, lat in ring]
    return json.dumps({"type": "Polygon", "coordinates": [coords]}, separators=(",", ":"))
