"""WGS-84 ↔ GCJ-02, the obfuscated datum that Chinese tile providers (Amap, Tencent …) use.

Chinese map tiles are drawn in GCJ-02: a WGS-84 point plotted on them lands a few hundred
metres off. The forward formula is the published one (Krasovsky ellipsoid constants, as in
every widely used implementation); there is no closed-form inverse, so
:func:`gcj02_to_wgs84` iterates the forward transform until it lands on the input.
Outside China the providers apply no offset, and neither do we.
"""

from __future__ import annotations

import math

# Krasovsky 1940 semi-major axis and eccentricity²: the constants of the GCJ-02 formula
# (not WGS-84's 6378137 m; using that one shifts results by ~1e-7 degree).
_A = 6378245.0
_EE = 0.00669342162296594323
# The rough bounding box that the reference implementations use for "in China".
_LON_MIN, _LON_MAX = 72.004, 137.8347
_LAT_MIN, _LAT_MAX = 0.8293, 55.8271
_INVERSE_TOLERANCE = 1e-10  # degrees: far below the 1e-6 the map needs
_INVERSE_MAX_STEPS = 30


def out_of_china(lon: float, lat: float) -> bool:
    """True when the point lies outside the box where GCJ-02 offsets apply (or is not finite)."""
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return True
    return not (_LON_MIN <= lon <= _LON_MAX and _LAT_MIN <= lat <= _LAT_MAX)


def _offset(lon: float, lat: float) -> tuple[float, float]:
    """(dlon, dlat) in degrees that GCJ-02 adds to a WGS-84 point."""
    x, y = lon - 105.0, lat - 35.0
    common = (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    dlat += common
    dlat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    dlat += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    dlon += common
    dlon += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    dlon += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    rad_lat = math.radians(lat)
    magic = 1.0 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """The GCJ-02 (lon, lat) of a WGS-84 point; the point itself outside China."""
    if out_of_china(lon, lat):
        return lon, lat
    dlon, dlat = _offset(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """The WGS-84 (lon, lat) whose GCJ-02 image is the given point; the point itself outside China.

    Fixed-point iteration: the offset changes by well under 1% per degree, so each step
    gains two to three digits and a handful of steps reach 1e-10 degree.
    """
    if out_of_china(lon, lat):
        return lon, lat
    wlon, wlat = lon, lat
    for _ in range(_INVERSE_MAX_STEPS):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        elon, elat = glon - lon, glat - lat
        if abs(elon) < _INVERSE_TOLERANCE and abs(elat) < _INVERSE_TOLERANCE:
            break
        wlon, wlat = wlon - elon, wlat - elat
    return wlon, wlat
