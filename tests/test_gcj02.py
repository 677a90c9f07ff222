"""WGS-84 ↔ GCJ-02 against published reference pairs, round trips and a property test."""

import math

import pytest

from lib.grids.gcj02 import gcj02_to_wgs84, out_of_china, wgs84_to_gcj02

# (wgs lon, wgs lat, gcj lon, gcj lat) from the test vectors of widely used libraries:
FORWARD_PAIRS = [
    # wandergis/coordtransform, test/app.js ("wgs84togcj02: [116.41024449916938, 39.91640428150164]"),
    # also the expected value of hutool's CoordinateUtilTest.wgs84ToGcj02Test.
    (116.404, 39.915, 116.41024449916938, 39.91640428150164),
    # googollee/eviltransform, python/test.py TESTS (given there as lat, lng): Shanghai, Shenzhen, Beijing.
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),
    # hujiulong/gcoord, test/unit/crs/WGS84.spec.ts "WGS84 to GCJ02" (checked there to 5 decimals).
    (123.0, 45.0, 123.00607541, 45.00197815),
]


@pytest.mark.parametrize("wlon,wlat,glon,glat", FORWARD_PAIRS)
def test_forward_matches_published_pairs(wlon, wlat, glon, glat):
    lon, lat = wgs84_to_gcj02(wlon, wlat)
    # The published values carry 8 to 15 decimals; 1e-8 degree is about 1 mm.
    assert lon == pytest.approx(glon, abs=1e-8)
    assert lat == pytest.approx(glat, abs=1e-8)


@pytest.mark.parametrize("wlon,wlat,glon,glat", FORWARD_PAIRS)
def test_inverse_recovers_the_wgs_point_of_published_pairs(wlon, wlat, glon, glat):
    lon, lat = gcj02_to_wgs84(glon, glat)
    assert abs(lon - wlon) < 1e-6 and abs(lat - wlat) < 1e-6


def test_inverse_matches_gcoord_reference():
    # hujiulong/gcoord, test/unit/crs/GCJ02.spec.ts "GCJ02 to WGS84": [123, 45] -> [122.99395597, 44.99804071],
    # checked there with toBeCloseTo(…, 5), i.e. |difference| < 5e-6.
    lon, lat = gcj02_to_wgs84(123.0, 45.0)
    assert abs(lon - 122.99395597) < 5e-6 and abs(lat - 44.99804071) < 5e-6
    # Ours is the exact inverse: going forward again lands on the input.
    assert wgs84_to_gcj02(lon, lat) == pytest.approx((123.0, 45.0), abs=1e-9)


def test_inverse_is_better_than_the_one_step_approximation():
    # wandergis/coordtransform, test/app.js: gcj02towgs84(116.404, 39.915) = [116.39775550083061, 39.91359571849836]
    # is the one-step approximation (gcj - offset(gcj)), off by a few decimetres; ours agrees to 1e-5
    # and, unlike it, maps back onto the input.
    lon, lat = gcj02_to_wgs84(116.404, 39.915)
    assert lon == pytest.approx(116.39775550083061, abs=1e-5)
    assert lat == pytest.approx(39.91359571849836, abs=1e-5)
    assert wgs84_to_gcj02(lon, lat) == pytest.approx((116.404, 39.915), abs=1e-9)
    rough = wgs84_to_gcj02(116.39775550083061, 39.91359571849836)
    assert max(abs(rough[0] - 116.404), abs(rough[1] - 39.915)) > 1e-7


@pytest.mark.parametrize("lon,lat", [
    (121.17, 31.88),   # Haimen
    (121.45, 31.755),  # Haiyong, on Chongming island
    (87.6, 43.8),      # Urumqi
    (126.6, 45.75),    # Harbin
    (109.5, 18.25),    # Sanya
])
def test_round_trip_inside_china(lon, lat):
    glon, glat = wgs84_to_gcj02(lon, lat)
    # The offset is real: a few hundred metres.
    assert 1e-4 < math.hypot(glon - lon, glat - lat) < 1e-2
    back = gcj02_to_wgs84(glon, glat)
    assert abs(back[0] - lon) < 1e-6 and abs(back[1] - lat) < 1e-6


@pytest.mark.parametrize("lon,lat", [
    (36.82, -1.29),      # Nairobi (a mediation party abroad)
    (-0.1276, 51.5072),  # London
    (183.0, 45.0),       # hujiulong/gcoord: "not in China" -> unchanged
    (139.69, 35.69),     # Tokyo: east of the box
    (float("nan"), 31.0),
])
def test_no_conversion_outside_china(lon, lat):
    assert out_of_china(lon, lat)
    for f in (wgs84_to_gcj02, gcj02_to_wgs84):
        out = f(lon, lat)
        assert out[1] == lat
        assert out[0] == lon or (math.isnan(lon) and math.isnan(out[0]))


def test_out_of_china_box():
    assert not out_of_china(121.17, 31.88)
    assert not out_of_china(72.004, 0.8293)
    assert out_of_china(72.0, 30.0)
    assert out_of_china(120.0, 56.0)


try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # the property tests are extra; the reference pairs above still run
    given = None

if given is not None:
    # Stay 0.1 degree inside the box: at its edge a GCJ point can map back to a WGS point
    # just outside it, where no offset applies, and there is no exact inverse.
    @settings(max_examples=300, deadline=None)
    @given(lon=st.floats(72.2, 137.6), lat=st.floats(1.0, 55.6))
    def test_property_round_trip(lon, lat):
        glon, glat = wgs84_to_gcj02(lon, lat)
        back = gcj02_to_wgs84(glon, glat)
        assert abs(back[0] - lon) < 1e-6 and abs(back[1] - lat) < 1e-6

    @settings(max_examples=300, deadline=None)
    @given(lon=st.floats(72.2, 137.6), lat=st.floats(1.0, 55.6))
    def test_property_offset_is_small_and_inverse_exact(lon, lat):
        glon, glat = wgs84_to_gcj02(lon, lat)
        assert abs(glon - lon) < 0.02 and abs(glat - lat) < 0.02
        wlon, wlat = gcj02_to_wgs84(lon, lat)
        assert wgs84_to_gcj02(wlon, wlat) == pytest.approx((lon, lat), abs=1e-8)
