"""The demo district: deterministic, at the program's scale, with grids that tile."""

import hashlib
import json
from collections import Counter

import pytest

from lib.core import settings, taxonomy
from lib.core.db import connect
from lib.core.errors import PortalError
from lib.demo import demo, seeding
from lib.grids import geo, naming
from tests.conftest import DEMO_PASSWORD

NOW = "2026-01-01T00:00:00Z"


@pytest.fixture(scope="module")
def rows():
    return demo.build(now=NOW)


def _digest(r):
    return hashlib.sha256(json.dumps([r.units, r.users, r.grids, r.groups], sort_keys=True,
                                     ensure_ascii=False).encode()).hexdigest()


def test_same_seed_same_district_other_seed_other_district(rows):
    assert _digest(demo.build(now=NOW)) == _digest(rows)
    assert _digest(demo.build(seed=7, now=NOW)) != _digest(rows)


def test_three_levels_at_the_programs_scale(rows):
    kinds = Counter(u["kind"] for u in rows.units)
    assert kinds == {"district_center": 1, "station": 17, "outpost": 280}
    assert 2_500 <= len(rows.groups) <= 2_900
    members = sum(g["member_count"] for g in rows.groups)
    assert 209_000 <= members <= 231_000
    residents = sum(g["population"] for g in rows.grids if g["category"] == "comprehensive")
    assert 990_000 <= residents <= 1_010_000
    assert set(Counter(g["category"] for g in rows.grids)) == set(taxonomy.codes("grid_categories"))
    assert 700 <= len(rows.users) <= 900  # officers who own groups
    assert all(g["member_count"] <= demo.WECHAT_GROUP_LIMIT for g in rows.groups)


def test_every_outpost_belongs_to_a_station_and_every_grid_to_a_station(rows):
    stations = {u["id"] for u in rows.units if u["kind"] == "station"}
    for u in rows.units:
        if u["kind"] == "outpost":
            assert u["parent_id"] in stations and u["station_id"] == u["parent_id"]
    assert {g["station_id"] for g in rows.grids} == stations


def _rect(grid):
    coords = json.loads(grid["geometry"])["coordinates"][0]
    lons = [c[0] for c in coords]
    lats = [c[1] for c in coords]
    return min(lons), min(lats), max(lons), max(lats)


def test_comprehensive_grids_tile_the_district_without_overlap_or_gap(rows):
    geographic = [g for g in rows.grids if g["geometry"]]
    assert {g["category"] for g in geographic} == {"comprehensive"}
    rects = [_rect(g) for g in geographic]
    width = rects[0][2] - rects[0][0]
    height = rects[0][3] - rects[0][1]
    # All cells are the same size on one lattice: distinct lower-left corners mean no overlap.
    corners = {(round(r[0] / width), round(r[1] / height)) for r in rects}
    assert len(corners) == len(rects)
    for r in rects:
        assert abs((r[2] - r[0]) - width) < 1e-5 and abs((r[3] - r[1]) - height) < 1e-5
    # No gap: every lattice cell whose centre is inside the district is some grid.
    expected = demo._district_cells(demo._cell_size_for(demo.BASE_COUNTS["comprehensive"]))
    assert len(expected) == len(rects)


def test_each_comprehensive_grid_lies_in_its_stations_area(rows):
    seats = {u["id"]: (u["lon"], u["lat"]) for u in rows.units if u["kind"] == "station"}
    land = {u["id"] for u in rows.units if u["kind"] == "station" and u["name"] != demo.WATER_STATION}
    for g in rows.grids:
        if g["category"] != "comprehensive":
            continue
        nearest = min(land, key=lambda s: geo.distance_km((g["lon"], g["lat"]), seats[s]))
        assert nearest == g["station_id"]


def test_non_geographic_grids_have_no_polygon(rows):
    for g in rows.grids:
        if g["category"] in ("industry", "special", "work"):
            assert g["geometry"] is None and g["lat"] is None
        if g["category"] == "dedicated":
            assert g["geometry"] is None and g["lat"] is not None


def test_most_group_names_follow_the_standard_and_some_do_not(rows):
    compliant = sum(naming.is_compliant(g["name"]) for g in rows.groups) / len(rows.groups)
    assert 0.85 <= compliant < 1.0


def test_the_kenya_merchants_grid_exists_at_sanxing(rows):
    sanxing = next(u["id"] for u in rows.units if u["name"] == "三星派出所")
    names = [g["name"] for g in rows.grids if g["station_id"] == sanxing and g["section_label"] == "overseas_nationals"]
    assert any("侨商" in n for n in names)


def test_scale_multiplies_the_rows():
    big = demo.build(scale=2)
    assert 2 * 0.9 * 2_991 <= len(big.grids) <= 2 * 1.1 * 2_991
    assert 400_000 <= sum(g["member_count"] for g in big.groups) <= 460_000


def test_seed_writes_everything_and_refuses_a_non_empty_database(tmp_path):
    db = connect(tmp_path / "d.db")
    counts = seeding.seed(db, password=DEMO_PASSWORD)
    assert db["grids"].count == counts["grids"] and db["chat_groups"].count == counts["chat_groups"]
    assert settings.is_demo(db)
    assert db.execute("SELECT COUNT(*) FROM users WHERE password_hash IS NOT NULL").fetchone()[0] == 3
    with pytest.raises(PortalError) as info:
        seeding.seed(db, password=DEMO_PASSWORD)
    assert info.value.key == "error.demo_not_empty"


def test_seeding_without_demo_users_creates_no_login(tmp_path):
    db = connect(tmp_path / "d.db")
    seeding.seed(db, password="", demo_users=False)
    assert db.execute("SELECT COUNT(*) FROM users WHERE password_hash IS NOT NULL").fetchone()[0] == 0
