"""Grid boundary import from GeoJSON: dry run, refusals with reasons, one all-or-nothing apply."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest
import shapely

from lib.core import audit, taxonomy
from lib.core.db import connect
from lib.core.errors import ScopeError, ValidationError
from lib.demo import demo
from lib.grids import district_outline, grid_import
from lib.i18n.messages.grid_import import MESSAGES

ROOT = Path(__file__).resolve().parent.parent


# --- helpers ------------------------------------------------------------------------------


def feature(coords=None, *, geometry=..., **props) -> dict:
    """A Feature with one Polygon ring ``coords`` (or any ``geometry``, even None) and the given properties."""
    if geometry is ...:
        geometry = {"type": "Polygon", "coordinates": [coords]}
    return {"type": "Feature", "properties": props, "geometry": geometry}


def collection(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False).encode()


def box(x0, y0, x1, y1) -> list:
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]


def keys(row) -> list[str]:
    return [key for key, _params in row.reasons]


def counts(db) -> tuple[int, int]:
    return (db.execute("SELECT COUNT(*) FROM grids").fetchone()[0],
            db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0])


def snapshot(db) -> list:
    return db.execute("SELECT * FROM grids ORDER BY id").fetchall()


def assert_renders(report) -> None:
    """Every key of the report is in the catalog and every placeholder gets a parameter."""
    reasons = list(report.notes)
    for row in report.rows:
        reasons += row.reasons + row.notes
    for key, params in reasons:
        assert key in MESSAGES, key
        for text in MESSAGES[key]:
            names = {f[1] for f in string.Formatter().parse(text) if f[1]}
            assert names <= set(params), (key, names - set(params))
            text.format(**params)


@pytest.fixture(scope="session")
def demo_cells(demo_template):
    """Comprehensive grids of 三星派出所 (S06) whose 8 neighbours all exist, well inside the demo
    outline: {id, code, name, bounds (x0, y0, x1, y1)}, found once per session."""
    outline = shapely.from_geojson(demo.demo_boundary_geojson())
    db = connect(demo_template, migrate=False)
    try:
        rows = list(db.query(
            "SELECT g.id, g.code, g.name, g.geometry, u.code AS station FROM grids g"
            " JOIN units u ON u.id = g.station_id WHERE g.category = 'comprehensive' AND g.geometry IS NOT NULL"))
    finally:
        db.close()
    shapes = [shapely.from_geojson(r["geometry"]) for r in rows]
    union = shapely.union_all(shapes)
    out = []
    for row, shape in zip(rows, shapes, strict=True):
        x0, y0, x1, y1 = shape.bounds
        w, h = x1 - x0, y1 - y0
        block = shapely.box(x0 - w * 0.9, y0 - h * 0.9, x1 + w * 0.9, y1 + h * 0.9)
        if row["station"] == "S06" and union.contains(block) and outline.contains(block):
            out.append({"id": row["id"], "code": row["code"], "name": row["name"], "bounds": (x0, y0, x1, y1)})
    assert len(out) > 10
    return out


@pytest.fixture
def cells(demo_db, demo_cells):
    """The interior cells, for a test that also uses its own copy of the demo database."""
    return [dict(c) for c in demo_cells]


@pytest.fixture(autouse=True)
def _no_stored_boundary(demo_db):
    """The demo seeds its outline; these tests start without one and store it where they need it."""
    demo_db.execute("DELETE FROM app_meta WHERE key = 'district_boundary'")


@pytest.fixture
def admin(users):
    return users["district_admin"]


# --- a good file --------------------------------------------------------------------------


def test_good_file_splits_a_grid_into_an_update_and_an_add(demo_db, admin, cells):
    cell = cells[0]
    x0, y0, x1, y1 = cell["bounds"]
    xm = round((x0 + x1) / 2, 6)
    data = collection(
        feature(box(x0, y0, xm, y1), name=f"  {cell['name']}  ", station="S06", code=cell["code"],
                population="1,234", households="４５６", section_label="village"),
        feature(box(xm, y0, x1, y1), name="三星新村第1网格", station="三星派出所", code="S06-NEW-1",
                population=300.0, section_label=taxonomy.label("section_labels", "village")),
    )
    report = grid_import.dry_run(demo_db, admin, data)
    assert_renders(report)
    assert [r.action for r in report.rows] == ["update", "add"]
    assert (report.n_add, report.n_update, report.n_reject, report.can_apply) == (1, 1, 0, True)
    update, add = report.rows
    assert update.index == 1 and update.name == cell["name"] and update.grid_id == cell["id"]
    assert update.values["population"] == 1234 and update.values["households"] == 456
    assert ("grid_import.note.new_code", {"n": 2, "code": "S06-NEW-1"}) in add.notes
    assert add.values["category"] == "comprehensive" and add.values["population"] == 300
    assert add.values["section_label"] == "village"
    assert report.notes == [("grid_import.note.no_boundary_fallback", {})]
    assert 0.3 < update.area_km2 < 0.6

    before = counts(demo_db)
    result = grid_import.apply(demo_db, admin, report, filename="三星所网格.geojson")
    assert result["added"] == 1 and result["updated"] == 1 and result["skipped"] == 0
    assert counts(demo_db) == (before[0] + 1, before[1] + 3)  # an audit row per grid, and one for the file
    file_row = json.loads(demo_db.execute("SELECT after FROM audit_log WHERE action = 'import' AND entity = 'grids'"
                                          " ORDER BY id DESC LIMIT 1").fetchone()[0])
    assert file_row["filename"] == "三星所网格.geojson" and (file_row["added"], file_row["updated"]) == (1, 1)

    old = demo_db.execute("SELECT name, population, households, section_label, geometry, lon, lat FROM grids"
                          " WHERE id = ?", [cell["id"]]).fetchone()
    assert old[:4] == (cell["name"], 1234, 456, "village")
    assert old[4] == json.dumps({"type": "Polygon", "coordinates": [box(round(x0, 6), round(y0, 6), xm, round(y1, 6))]},
                                separators=(",", ":"))
    assert shapely.from_geojson(old[4]).contains(shapely.Point(old[5], old[6]))
    new = next(demo_db.query("SELECT * FROM grids WHERE code = 'S06-NEW-1'"))
    station_id = demo_db.execute("SELECT id FROM units WHERE code = 'S06'").fetchone()[0]
    assert new["station_id"] == station_id and new["category"] == "comprehensive" and new["population"] == 300
    assert shapely.from_geojson(new["geometry"]).contains(shapely.Point(new["lon"], new["lat"]))

    entries = [e for e in audit.list_entries(demo_db, admin, entity="grids") if e["action"] != "import"]
    assert {(e["action"], e["entity_id"]) for e in entries[:2]} == {
        ("import_geometry", str(cell["id"])), ("import_geometry", str(new["id"]))}
    update_entry = next(e for e in entries if e["entity_id"] == str(cell["id"]))
    assert json.loads(update_entry["before"])["population"] != 1234
    assert json.loads(update_entry["after"])["population"] == 1234
    assert next(e for e in entries if e["entity_id"] == str(new["id"]))["username"] == "district"


def test_a_single_feature_is_accepted_and_an_add_without_code_gets_one(demo_db, admin, cells):
    cell = cells[1]
    x0, y0, x1, y1 = cell["bounds"]
    xm = (x0 + x1) / 2
    demo_db.execute("UPDATE grids SET geometry = NULL WHERE id = ?", [cell["id"]])  # a hole to fill
    data = json.dumps(feature(box(x0, y0, xm, y1), name="补绘网格", station="S06")).encode()
    report = grid_import.dry_run(demo_db, admin, data)
    assert report.rows[0].action == "add" and report.can_apply, report.rows[0].reasons
    result = grid_import.apply(demo_db, admin, report)
    code = demo_db.execute("SELECT code FROM grids WHERE id = ?", [result["grid_ids"][0]]).fetchone()[0]
    assert re.fullmatch(r"G\d{6}", code)


# --- bad geometry ---------------------------------------------------------------------------


def _bad_geometries(cell):
    x0, y0, x1, y1 = cell["bounds"]
    xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
    return {
        "wrong_type": ({"type": "Point", "coordinates": [xm, ym]}, "grid_import.geometry_type"),
        "line": ({"type": "LineString", "coordinates": [[x0, y0], [x1, y1]]}, "grid_import.geometry_type"),
        "missing": (None, "grid_import.geometry_missing"),
        "unclosed": ({"type": "Polygon", "coordinates": [box(x0, y0, x1, y1)[:-1]]}, "grid_import.ring_not_closed"),
        "too_few": ({"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x0, y0]]]},
                    "grid_import.ring_too_few_points"),
        "non_numeric": ({"type": "Polygon", "coordinates": [[[x0, y0], [x1, "31.9"], [x1, y1], [x0, y0]]]},
                        "grid_import.coordinate_not_number"),
        "null_coordinate": ({"type": "Polygon", "coordinates": [[[x0, y0], [x1, None], [x1, y1], [x0, y0]]]},
                            "grid_import.coordinate_not_number"),
        "projected": ({"type": "Polygon", "coordinates": [box(500000, 3530000, 501000, 3531000)]},
                      "grid_import.coordinate_out_of_range"),
        "self_intersection": ({"type": "Polygon", "coordinates": [[[x0, y0], [x1, y1], [x1, y0], [x0, y1], [x0, y0]]]},
                              "grid_import.self_intersection"),
        "malformed": ({"type": "Polygon", "coordinates": "121,31"}, "grid_import.coordinates_malformed"),
        "empty_multipolygon": ({"type": "MultiPolygon", "coordinates": []}, "grid_import.coordinates_malformed"),
    }


@pytest.mark.parametrize("case", list(_bad_geometries({"bounds": (0, 0, 1, 1)})))
def test_each_kind_of_bad_geometry_is_rejected_with_its_reason(demo_db, admin, cells, case):
    geometry, key = _bad_geometries(cells[0])[case]
    report = grid_import.dry_run(demo_db, admin, collection(
        feature(geometry=geometry, name="坏几何", station="S06")))
    assert_renders(report)
    row = report.rows[0]
    assert row.action == "reject" and keys(row) == [key]
    assert not report.can_apply


def test_self_intersection_names_the_crossing_point(demo_db, admin, cells):
    x0, y0, x1, y1 = cells[0]["bounds"]
    bowtie = [[x0, y0], [x1, y1], [x1, y0], [x0, y1], [x0, y0]]
    report = grid_import.dry_run(demo_db, admin, collection(
        feature(box(x0, y0, x1, y1), name="好的", station="S06", code=cells[0]["code"]),
        feature(bowtie, name="自相交", station="S06")))
    key, params = report.rows[1].reasons[0]
    assert key == "grid_import.self_intersection" and params["n"] == 2
    assert params["lon"] == pytest.approx((x0 + x1) / 2, abs=1e-5)
    assert params["lat"] == pytest.approx((y0 + y1) / 2, abs=1e-5)
    zh = MESSAGES[key][0].format(**params)
    assert zh.startswith("第 2 个要素：多边形自相交（在 121.")


def test_all_reasons_of_a_feature_are_collected(demo_db, admin):
    bowtie = [[121.1, 31.9], [121.11, 31.91], [121.11, 31.9], [121.1, 31.91], [121.1, 31.9]]
    report = grid_import.dry_run(demo_db, admin, collection(
        feature(bowtie, station="S99", population=-3, households="many", section_label="moon_base")))
    assert_renders(report)
    assert set(keys(report.rows[0])) == {
        "grid_import.self_intersection", "grid_import.name_missing", "grid_import.station_unknown",
        "grid_import.population_negative", "grid_import.households_invalid", "grid_import.section_label_unknown"}


def test_too_many_vertices(demo_db, admin, cells):
    x0, y0, x1, y1 = cells[0]["bounds"]
    ring = [[x0 + (x1 - x0) * k / 10_001, y0] for k in range(10_001)] + [[x1, y1], [x0, y1], [x0, y0]]
    report = grid_import.dry_run(demo_db, admin, collection(feature(ring, name="密", station="S06")))
    assert keys(report.rows[0]) == ["grid_import.too_many_vertices"]


def test_feature_outside_the_district_is_rejected(demo_db, admin, cells):
    district_outline.set_district_boundary(demo_db, demo.demo_boundary_geojson())
    # A grid on the Yangtze south of the mainland outline: 100% outside.
    far = box(121.20, 31.60, 121.21, 31.61)
    # Half in, half out: the east edge of the mainland outline runs near 121.66 at 32.02.
    half = box(121.64, 32.00, 121.70, 32.01)
    report = grid_import.dry_run(demo_db, admin, collection(
        feature(far, name="江心网格", station="S06"), feature(half, name="海上网格", station="S15")))
    assert_renders(report)
    assert report.notes == []
    for row in report.rows:
        assert "grid_import.outside_district" in keys(row)
    assert report.rows[0].reasons[0][1]["percent"] == "100"


def test_without_a_stored_boundary_the_grids_grown_by_500_m_are_the_district(demo_db, admin, cells):
    assert district_outline.district_boundary(demo_db) is None
    report = grid_import.dry_run(demo_db, admin, collection(feature(box(121.20, 31.60, 121.21, 31.61),
                                                                    name="江心网格", station="S06")))
    assert report.notes == [("grid_import.note.no_boundary_fallback", {})]
    assert keys(report.rows[0]) == ["grid_import.outside_district"]


def test_with_no_boundary_and_no_grid_outlines_the_district_check_is_skipped(demo_db, admin):
    demo_db.execute("UPDATE grids SET geometry = NULL")
    report = grid_import.dry_run(demo_db, admin, collection(feature(box(121.20, 31.60, 121.21, 31.61),
                                                                    name="江心网格", station="S06")))
    assert report.notes == [("grid_import.note.no_boundary_skipped", {})]
    assert report.rows[0].action == "add"
    assert_renders(report)


def test_overlapping_an_existing_grid_names_the_grids(demo_db, admin, cells):
    cell = cells[0]
    x0, y0, x1, y1 = cell["bounds"]
    w = x1 - x0
    shifted = box(x0 + w / 2, y0, x1 + w / 2, y1)  # half on the cell, half on its east neighbour
    east = next(demo_db.query(
        "SELECT code, name FROM grids WHERE category = 'comprehensive' AND ABS(lat - ?) < 1e-5"
        " AND lon > ? AND lon < ? ORDER BY lon LIMIT 1",
        [(y0 + y1) / 2, x1, x1 + w]))
    report = grid_import.dry_run(demo_db, admin, collection(feature(shifted, name="跨界网格", station="S06")))
    assert_renders(report)
    row = report.rows[0]
    assert row.action == "reject"
    overlaps = {p["code"]: p for k, p in row.reasons if k == "grid_import.overlaps_grid"}
    assert set(overlaps) == {cell["code"], east["code"]}
    assert overlaps[cell["code"]]["name"] == cell["name"] and overlaps[cell["code"]]["percent"] == "50"


def test_overlap_below_the_tolerance_is_accepted(demo_db, admin, cells):
    cell = cells[0]
    x0, y0, x1, y1 = cell["bounds"]
    w = x1 - x0
    slightly_wide = box(x0, y0, x1 + w * 0.005, y1)  # 0.5% onto the east neighbour
    data = collection(feature(slightly_wide, name=cell["name"], station="S06", code=cell["code"]))
    assert grid_import.dry_run(demo_db, admin, data).rows[0].action == "update"
    strict = grid_import.dry_run(demo_db, admin, data, overlap_tolerance=0.001)
    assert keys(strict.rows[0]) == ["grid_import.overlaps_grid"]


def test_features_overlapping_each_other_are_both_rejected(demo_db, admin, cells):
    cell = cells[0]
    x0, y0, x1, y1 = cell["bounds"]
    xm = (x0 + x1) / 2
    report = grid_import.dry_run(demo_db, admin, collection(
        feature(box(x0, y0, x1, y1), name=cell["name"], station="S06", code=cell["code"]),
        feature(box(xm, y0, x1, y1), name="东半格", station="S06")))
    assert_renders(report)
    assert keys(report.rows[0]) == ["grid_import.overlaps_feature"]
    assert report.rows[0].reasons[0][1]["other"] == 2 and report.rows[1].reasons[0][1]["other_name"] == cell["name"]
    # With the first feature refused, the grid keeps its old outline, which the second overlaps as well.
    assert keys(report.rows[1]) == ["grid_import.overlaps_feature", "grid_import.overlaps_grid"]


def test_a_rejected_update_keeps_the_old_outline_in_the_overlap_check(demo_db, admin, cells):
    # The same split as the good file, but the update is refused: the new half then overlaps
    # the grid's old, unchanged outline, and is refused too.
    cell = cells[0]
    x0, y0, x1, y1 = cell["bounds"]
    xm = (x0 + x1) / 2
    report = grid_import.dry_run(demo_db, admin, collection(
        feature(box(x0, y0, xm, y1), name=cell["name"], station="S06", code=cell["code"], section_label="??"),
        feature(box(xm, y0, x1, y1), name="东半格", station="S06")))
    assert keys(report.rows[0]) == ["grid_import.section_label_unknown"]
    assert [(k, p["code"]) for k, p in report.rows[1].reasons] == [("grid_import.overlaps_grid", cell["code"])]


# --- bad properties ---------------------------------------------------------------------------


def _good(cell, **overrides):
    x0, y0, x1, y1 = cell["bounds"]
    props = {"name": cell["name"], "station": "S06", "code": cell["code"], **overrides}
    props = {k: v for k, v in props.items() if v is not None}
    return feature(box(x0, y0, x1, y1), **props)


@pytest.mark.parametrize("overrides,key", [
    ({"name": None}, "grid_import.name_missing"),
    ({"name": "   "}, "grid_import.name_missing"),
    ({"name": "网" * 41}, "grid_import.name_too_long"),
    ({"name": "网格\x07"}, "grid_import.name_invalid"),
    ({"station": "三星所"}, "grid_import.station_unknown"),
    ({"station": "S01"}, "grid_import.code_station_mismatch"),
    ({"population": -5}, "grid_import.population_negative"),
    ({"population": "-1,000"}, "grid_import.population_negative"),
    ({"population": "1.5"}, "grid_import.population_invalid"),
    ({"population": True}, "grid_import.population_invalid"),
    ({"households": 10_000_000}, "grid_import.households_invalid"),
    ({"section_label": "moon_base"}, "grid_import.section_label_unknown"),
    ({"outpost": "S99-O01"}, "grid_import.outpost_unknown"),
    ({"outpost": "S01-O01"}, "grid_import.outpost_station_mismatch"),
])
def test_bad_properties_are_rejected_with_their_reason(demo_db, admin, cells, overrides, key):
    report = grid_import.dry_run(demo_db, admin, collection(_good(cells[0], **overrides)))
    assert_renders(report)
    assert keys(report.rows[0]) == [key]


def test_an_invalid_code_is_refused(demo_db, admin, cells):
    # Without a usable code the feature reads as a new grid, so it also clashes with the grid it redraws.
    report = grid_import.dry_run(demo_db, admin, collection(_good(cells[0], code="G 1;")))
    assert keys(report.rows[0]) == ["grid_import.code_invalid", "grid_import.name_taken", "grid_import.overlaps_grid"]
    assert_renders(report)


def test_station_mismatch_names_both_stations(demo_db, admin, cells):
    report = grid_import.dry_run(demo_db, admin, collection(_good(cells[0], station="S01")))
    params = report.rows[0].reasons[0][1]
    assert params["station"] == "海门派出所" and params["grid_station"] == "三星派出所"


@pytest.mark.parametrize("raw,expected", [
    ("1,234", 1234), ("１２３", 123), ("１，２３４", 1234), (" 42 ", 42), (7.0, 7), (0, 0), ("", None), (None, None),
])
def test_counts_are_normalized(demo_db, admin, cells, raw, expected):
    report = grid_import.dry_run(demo_db, admin, collection(_good(cells[0], population=raw)))
    assert report.rows[0].action == "update", report.rows[0].reasons
    assert report.rows[0].values.get("population") == expected


def test_a_non_comprehensive_code_is_refused(demo_db, admin, cells):
    code = demo_db.execute("SELECT g.code FROM grids g JOIN units u ON u.id = g.station_id"
                           " WHERE g.category = 'dedicated' AND u.code = 'S06' LIMIT 1").fetchone()[0]
    report = grid_import.dry_run(demo_db, admin, collection(_good(cells[0], code=code)))
    assert "grid_import.code_not_comprehensive" in keys(report.rows[0])


def test_duplicate_codes_and_names_in_the_file_are_rejected(demo_db, admin, cells):
    a, b = cells[0], cells[1]
    report = grid_import.dry_run(demo_db, admin, collection(
        _good(a), _good(b, code=a["code"], name="别名")))
    assert "grid_import.code_duplicate_in_file" in keys(report.rows[0])
    assert "grid_import.code_duplicate_in_file" in keys(report.rows[1])
    report = grid_import.dry_run(demo_db, admin, collection(_good(a, name="同名"), _good(b, name="同名")))
    assert [keys(r) for r in report.rows] == [["grid_import.name_duplicate_in_file"]] * 2
    assert_renders(report)


def test_a_name_already_used_in_the_station_is_refused_unless_that_grid_is_renamed(demo_db, admin, cells):
    a, b = cells[0], cells[1]
    report = grid_import.dry_run(demo_db, admin, collection(_good(a, name=b["name"])))
    assert keys(report.rows[0]) == ["grid_import.name_taken"]
    assert report.rows[0].reasons[0][1]["code"] == b["code"]
    swapped = grid_import.dry_run(demo_db, admin, collection(_good(a, name=b["name"]), _good(b, name=a["name"])))
    assert [r.action for r in swapped.rows] == ["update", "update"]


# --- bad files --------------------------------------------------------------------------------


@pytest.mark.parametrize("data,key", [
    (b"", "grid_import.file_empty"),
    (b"{\"type\": \"FeatureCollection\", \"features\": [", "grid_import.not_json"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "grid_import.not_json"),
    (b"[1, 2, 3]", "grid_import.not_geojson"),
    (b"{\"type\": \"Topology\", \"objects\": {}}", "grid_import.not_geojson"),
    (b"{\"type\": \"Polygon\", \"coordinates\": []}", "grid_import.not_geojson"),
    (b"{\"type\": \"FeatureCollection\", \"features\": {}}", "grid_import.not_geojson"),
    (b"{\"type\": \"FeatureCollection\", \"features\": []}", "grid_import.no_features"),
    (b"{\"type\": \"FeatureCollection\", \"crs\": {\"type\": \"name\", \"properties\": {\"name\":"
     b" \"urn:ogc:def:crs:EPSG::4547\"}}, \"features\": []}", "grid_import.crs_not_wgs84"),
    (b"[" * 100_000 + b"]" * 100_000, "grid_import.not_json"),
])
def test_unreadable_files_are_refused_with_a_clear_key(demo_db, admin, data, key):
    with pytest.raises(ValidationError) as info:
        grid_import.dry_run(demo_db, admin, data)
    assert info.value.key == key and info.value.field == "file"
    for text in MESSAGES[key]:
        text.format(**info.value.params)


def test_too_many_features(demo_db, admin):
    data = json.dumps({"type": "FeatureCollection", "features": [{}] * 50_001}).encode()
    with pytest.raises(ValidationError) as info:
        grid_import.dry_run(demo_db, admin, data)
    assert info.value.key == "grid_import.too_many_features" and info.value.params["count"] == 50_001


def test_too_large_file(demo_db, admin):
    data = b" " * (20 * 1024 * 1024 + 1)
    with pytest.raises(ValidationError) as info:
        grid_import.dry_run(demo_db, admin, data)
    assert info.value.key == "grid_import.file_too_large" and info.value.params["max_mb"] == 20


def test_a_feature_that_is_not_a_feature_is_one_rejected_row(demo_db, admin, cells):
    report = grid_import.dry_run(demo_db, admin, collection(_good(cells[0]), "hello", {"type": "Feature",
                                                                                      "properties": [1]}))
    assert [r.action for r in report.rows] == ["update", "reject", "reject"]
    assert keys(report.rows[1]) == ["grid_import.feature_invalid"]
    assert "grid_import.properties_invalid" in keys(report.rows[2])


def test_gbk_file_is_read_with_a_note(demo_db, admin, cells):
    data = collection(_good(cells[0])).decode().encode("gbk")
    report = grid_import.dry_run(demo_db, admin, data)
    assert ("grid_import.note.gbk_encoding", {}) in report.notes
    assert report.rows[0].name == cells[0]["name"] and report.rows[0].action == "update"


# --- scope --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["station_admin", "clerk", "other_clerk"])
def test_only_district_admins_may_import(demo_db, users, admin, cells, role):
    data = collection(_good(cells[0]))
    with pytest.raises(ScopeError):
        grid_import.dry_run(demo_db, users[role], data)
    report = grid_import.dry_run(demo_db, admin, data)
    with pytest.raises(ScopeError):
        grid_import.apply(demo_db, users[role], report)
    with pytest.raises(ScopeError):
        district_outline.set_district_boundary(demo_db, demo.demo_boundary_geojson(), user=users[role])


# --- apply ---------------------------------------------------------------------------------------


def _mixed_report(demo_db, admin, cells):
    """Three good updates and one rejected feature."""
    features = [_good(c, population=1000 + k) for k, c in enumerate(cells[:3])]
    features.append(_good(cells[3], station="S99"))
    return grid_import.dry_run(demo_db, admin, collection(*features))


def test_apply_refuses_rejected_rows_unless_skipped(demo_db, admin, cells):
    report = _mixed_report(demo_db, admin, cells)
    assert (report.n_update, report.n_reject, report.can_apply) == (3, 1, False)
    before = snapshot(demo_db), counts(demo_db)
    with pytest.raises(ValidationError) as info:
        grid_import.apply(demo_db, admin, report)
    assert info.value.key == "grid_import.has_rejected" and info.value.params == {"count": 1}
    assert (snapshot(demo_db), counts(demo_db)) == before

    result = grid_import.apply(demo_db, admin, report, skip_rejected=True)
    assert result == {"added": 0, "updated": 3, "skipped": 1, "grid_ids": [c["id"] for c in cells[:3]]}
    assert counts(demo_db) == (before[1][0], before[1][1] + 4)  # three grids and the file
    populations = [demo_db.execute("SELECT population FROM grids WHERE id = ?", [c["id"]]).fetchone()[0]
                   for c in cells[:4]]
    assert populations[:3] == [1000, 1001, 1002] and populations[3] != 1003
    rows = audit.list_entries(demo_db, admin, entity="grids", limit=10)
    assert sorted(int(r["entity_id"]) for r in rows if r["action"] == "import_geometry") == sorted(
        c["id"] for c in cells[:3])


def test_apply_of_an_all_rejected_report_is_refused(demo_db, admin, cells):
    report = grid_import.dry_run(demo_db, admin, collection(_good(cells[0], station="S99")))
    with pytest.raises(ValidationError) as info:
        grid_import.apply(demo_db, admin, report, skip_rejected=True)
    assert info.value.key == "grid_import.nothing_to_apply"


def test_nothing_is_half_written_when_the_last_row_fails(demo_db, admin, cells):
    cell = cells[4]
    x0, y0, x1, y1 = cell["bounds"]
    demo_db.execute("UPDATE grids SET geometry = NULL WHERE id = ?", [cell["id"]])
    features = [_good(c, population=2000 + k) for k, c in enumerate(cells[:3])]
    features.append(feature(box(x0, y0, x1, y1), name="最后一个", station="S06"))
    report = grid_import.dry_run(demo_db, admin, collection(*features))
    assert report.can_apply and report.rows[-1].action == "add"
    # The last row now breaks a CHECK constraint, which only the database sees.
    report.rows[-1].values["households"] = -1
    before = snapshot(demo_db), counts(demo_db)
    with pytest.raises(ValidationError) as info:
        grid_import.apply(demo_db, admin, report)
    assert info.value.key == "grid_import.write_failed" and info.value.params["n"] == 4
    assert (snapshot(demo_db), counts(demo_db)) == before
    assert not demo_db.conn.in_transaction


def test_nothing_is_half_written_when_the_audit_of_the_last_row_fails(demo_db, admin, cells, monkeypatch):
    report = grid_import.dry_run(demo_db, admin, collection(*[_good(c, population=7) for c in cells[:3]]))
    real = audit.record
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(grid_import.audit, "record", failing)
    before = snapshot(demo_db), counts(demo_db)
    with pytest.raises(RuntimeError):
        grid_import.apply(demo_db, admin, report)
    assert (snapshot(demo_db), counts(demo_db)) == before


def test_apply_checks_overlaps_again_inside_the_transaction(demo_db, admin, cells):
    cell = cells[0]
    x0, y0, x1, y1 = cell["bounds"]
    demo_db.execute("UPDATE grids SET geometry = NULL WHERE id = ?", [cell["id"]])
    report = grid_import.dry_run(demo_db, admin, collection(feature(box(x0, y0, x1, y1), name="补绘", station="S06")))
    assert report.can_apply
    # Meanwhile another admin restores the grid's outline.
    demo_db.execute("UPDATE grids SET geometry = ? WHERE id = ?",
                    [json.dumps({"type": "Polygon", "coordinates": [box(x0, y0, x1, y1)]}), cell["id"]])
    before = snapshot(demo_db), counts(demo_db)
    with pytest.raises(ValidationError) as info:
        grid_import.apply(demo_db, admin, report)
    assert info.value.key == "grid_import.conflict_changed" and info.value.params["other"] == cell["code"]
    assert (snapshot(demo_db), counts(demo_db)) == before


def test_apply_refuses_an_update_whose_grid_was_deleted_since(demo_db, admin, cells):
    report = grid_import.dry_run(demo_db, admin, collection(_good(cells[0]), _good(cells[1])))
    demo_db.execute("DELETE FROM deliveries WHERE group_id IN (SELECT id FROM chat_groups WHERE grid_id = ?)",
                    [cells[1]["id"]])  # the demo's past pushes reached the grid's groups
    demo_db.execute("DELETE FROM chat_groups WHERE grid_id = ?", [cells[1]["id"]])
    demo_db.execute("DELETE FROM grids WHERE id = ?", [cells[1]["id"]])
    before = snapshot(demo_db)
    with pytest.raises(ValidationError) as info:
        grid_import.apply(demo_db, admin, report)
    assert info.value.key == "grid_import.grid_changed" and info.value.params == {"n": 2, "code": cells[1]["code"]}
    assert snapshot(demo_db) == before


# --- district boundary ------------------------------------------------------------------------


def test_demo_boundary_is_the_mainland_and_haiyong(demo_db):
    text = demo.demo_boundary_geojson()
    shape = shapely.from_geojson(text)
    assert shape.geom_type == "MultiPolygon" and len(shape.geoms) == 2 and shape.is_valid
    assert " " not in text
    centres = demo_db.execute("SELECT lon, lat FROM grids WHERE category = 'comprehensive'").fetchall()
    inside = shapely.contains_xy(shape, [c[0] for c in centres], [c[1] for c in centres])
    assert inside.all()  # demo cells are chosen by their centre
    # The outline is the union of the cells, so whole cells lie inside it, edge cells included.
    assert shapely.contains(shape.buffer(1e-9), shapely.from_geojson(
        demo_db.execute("SELECT geometry FROM grids WHERE geometry IS NOT NULL ORDER BY lon LIMIT 1").fetchone()[0]))


def test_set_and_read_the_district_boundary(demo_db, admin):
    assert district_outline.district_boundary(demo_db) is None
    stored = district_outline.set_district_boundary(demo_db, demo.demo_boundary_geojson(), user=admin)
    boundary = district_outline.district_boundary(demo_db)
    assert boundary.equals(shapely.from_geojson(stored))
    assert audit.list_entries(demo_db, admin, entity="app_meta")[0]["action"] == "set_district_boundary"
    # A Feature wrapping a Polygon is accepted too.
    square = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon",
                                                                "coordinates": [box(121, 31.8, 121.7, 32.1)]}}
    district_outline.set_district_boundary(demo_db, json.dumps(square))
    assert district_outline.district_boundary(demo_db).bounds == (121.0, 31.8, 121.7, 32.1)


@pytest.mark.parametrize("text", ["not json", json.dumps({"type": "Point", "coordinates": [121, 31]}),
                                  json.dumps({"type": "Polygon", "coordinates": [[[121, 31], [122, 32], [122, 31],
                                                                                  [121, 32], [121, 31]]]})])
def test_an_invalid_boundary_is_refused(demo_db, text):
    with pytest.raises(ValidationError) as info:
        district_outline.set_district_boundary(demo_db, text)
    assert info.value.key == "grid_import.boundary_invalid"
    assert district_outline.district_boundary(demo_db) is None


def test_an_unreadable_stored_boundary_falls_back_with_a_note(demo_db, admin, cells):
    demo_db.execute("INSERT INTO app_meta (key, value) VALUES ('district_boundary', 'garbage')")
    report = grid_import.dry_run(demo_db, admin, collection(_good(cells[0])))
    assert ("grid_import.note.boundary_unreadable", {}) in report.notes
    assert report.rows[0].action == "update"


# --- messages -----------------------------------------------------------------------------------


def test_every_message_has_both_languages_and_the_same_placeholders():
    for key, (zh, en) in MESSAGES.items():
        assert key.startswith("grid_import.")
        assert zh.strip() and en.strip()
        assert set(re.findall(r"{(\w+)}", zh)) == set(re.findall(r"{(\w+)}", en)), key


def test_every_key_in_the_code_is_in_the_messages():
    source = "".join((ROOT / "lib" / "grids" / name).read_text(encoding="utf-8") for name in (
        "grid_import.py", "boundary_file.py", "boundary_geometry.py", "district_outline.py", "boundary_replace.py"))
    used = set(re.findall(r'"(grid_import\.[a-z0-9_.]+)"', source))
    for column in ("population", "households"):
        for problem in ("invalid", "negative"):
            used.add(f"grid_import.{column}_{problem}")
    assert len(used) > 40
    assert used - set(MESSAGES) == set()
    assert set(MESSAGES) - used == set()


# --- a GIS office's own file: its property names, no station, its mistakes named (issue 14) -------------


def test_a_gis_file_with_its_own_property_names_is_read_and_the_rest_listed(demo_db, admin, cells):
    x0, y0, x1, y1 = cells[0]["bounds"]
    gis = {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [box(x0, y0, x1, y1)]},
           "properties": {"网格名称": "新名字网格", "grid_code": cells[0]["code"], "所属派出所": "三星派出所",
                          "人口数": "1,200", "SHAPE_Area": 0.0001, "备注": "2025年测绘"}}
    report = grid_import.dry_run(demo_db, admin, collection(gis))
    assert_renders(report)
    row = report.rows[0]
    assert row.action == "update" and row.grid_id == cells[0]["id"] and row.values["name"] == "新名字网格"
    assert row.values["population"] == 1200
    assert report.mapping["code"] == "grid_code" and report.mapping["station"] == "所属派出所"
    notes = dict(report.notes)
    assert notes["grid_import.note.properties_unused"]["names"] == "SHAPE_Area、备注"
    # the admin may change the mapping: without the code, the feature is a new grid over an existing one
    by_hand = grid_import.dry_run(demo_db, admin, collection(gis), mapping={**report.mapping, "code": None})
    assert by_hand.rows[0].grid_id is None and "grid_import.overlaps_grid" in keys(by_hand.rows[0])
    assert "grid_code" in dict(by_hand.notes)["grid_import.note.properties_unused"]["names"]


def test_a_feature_without_a_station_gets_the_one_it_lies_in(demo_db, admin, cells):
    x0, y0, x1, y1 = cells[1]["bounds"]
    inside = feature(box(x0, y0, x1, y1), name=cells[1]["name"], code=cells[1]["code"])  # an update: its grid's
    report = grid_import.dry_run(demo_db, admin, collection(inside))
    row = report.rows[0]
    assert row.action == "update" and row.station_inferred and row.station_code == "S06"
    assert ("grid_import.note.station_inferred", {"n": 1, "station": "三星派出所", "percent": "100"}) in row.notes

    # a new grid drawn over a corner of a S06 grid (kept small: most of it must lie inside)
    w, h = x1 - x0, y1 - y0
    new = feature(box(x0 + w * 0.1, y0 + h * 0.1, x0 + w * 0.3, y0 + h * 0.3), name="推断测试网格")
    row = grid_import.dry_run(demo_db, admin, collection(new)).rows[0]
    assert row.station_code == "S06" and row.values["station_id"] == row.station_id and row.station_inferred

    far = feature(box(150.0, 10.0, 150.01, 10.01), name="海上网格")
    row = grid_import.dry_run(demo_db, admin, collection(far)).rows[0]
    assert "grid_import.station_missing" in keys(row) and not row.station_inferred


def test_a_refused_feature_does_not_also_say_what_it_would_become(demo_db, admin, cells):
    x0, y0, x1, y1 = cells[2]["bounds"]
    bad = feature(box(x0, y0, x1, y1), name="网格\x07", code="BRAND-NEW-1", station="S06")
    row = grid_import.dry_run(demo_db, admin, collection(bad)).rows[0]
    assert row.action == "reject" and not any(key == "grid_import.note.new_code" for key, _ in row.notes)


def test_an_unclosed_triangle_is_named_unclosed(demo_db, admin, cells):
    x0, y0, x1, y1 = cells[3]["bounds"]
    triangle = feature([[x0, y0], [x1, y0], [x1, y1]], name="三角", station="S06")
    row = grid_import.dry_run(demo_db, admin, collection(triangle)).rows[0]
    assert keys(row) == ["grid_import.ring_not_closed"] and row.reasons[0][1]["count"] == 3


# --- replacing a station's boundaries (issue 14) -----------------------------------------------


def _station_file(demo_db, station_code: str, *, merge: tuple[int, int], leave_out: int | None = None):
    """The station's comprehensive grids as a GIS office would send them, by code, except two merged
    into one new grid (no code) and, optionally, one left out. Returns (bytes, grids by id)."""
    grids = {g["id"]: g for g in demo_db.query(
        "SELECT g.id, g.code, g.name, g.geometry FROM grids g JOIN units u ON u.id = g.station_id"
        " WHERE u.code = ? AND g.category = 'comprehensive' AND g.geometry IS NOT NULL ORDER BY g.id", [station_code])}
    a, b = merge
    features = [{"type": "Feature", "geometry": json.loads(g["geometry"]),
                 "properties": {"name": g["name"], "grid_code": g["code"], "所属派出所": station_code}}
                for gid, g in grids.items() if gid not in (a, b, leave_out)]
    union = shapely.union_all([shapely.from_geojson(grids[a]["geometry"]), shapely.from_geojson(grids[b]["geometry"])])
    features.append({"type": "Feature", "geometry": json.loads(shapely.to_geojson(union)),
                     "properties": {"name": "合并后的网格", "所属派出所": station_code}})
    return collection(*features), grids


def _grids_with_groups(demo_db, station_code: str, n: int) -> list[int]:
    return [r[0] for r in demo_db.execute(
        "SELECT g.id FROM grids g JOIN units u ON u.id = g.station_id WHERE u.code = ? AND g.category = 'comprehensive'"
        " AND g.geometry IS NOT NULL AND EXISTS (SELECT 1 FROM chat_groups c WHERE c.grid_id = g.id) ORDER BY g.id"
        " LIMIT ?", [station_code, n])]


def test_a_station_boundary_file_replaces_its_grids_in_one_step(demo_db, admin):
    a, b, c = _grids_with_groups(demo_db, "S06", 3)
    data, grids = _station_file(demo_db, "S06", merge=(a, b), leave_out=c)
    groups_ab = [r[0] for r in demo_db.execute("SELECT id FROM chat_groups WHERE grid_id IN (?, ?) ORDER BY id", [a, b])]
    tips_ab = demo_db.execute("SELECT COUNT(*) FROM tips WHERE grid_id IN (?, ?)", [a, b]).fetchone()[0]

    # Merged without replacing, the new grid overlaps the two it replaces: refused.
    plain = grid_import.dry_run(demo_db, admin, data)
    assert "grid_import.overlaps_grid" in keys(plain.rows[-1])

    report = grid_import.dry_run(demo_db, admin, data, replace=True)
    assert_renders(report)
    assert report.n_reject == 0 and report.n_add == 1 and report.n_unchanged == len(grids) - 3
    merged = report.rows[-1]
    retired = {p.grid_id: p for p in report.retirements}
    assert set(retired) == {a, b, c}
    assert retired[a].successor == retired[b].successor == merged.index and not retired[a].kept
    assert retired[c].kept and retired[c].groups  # left out, still holding groups: kept and listed
    assert report.n_retire == 2

    result = grid_import.apply(demo_db, admin, report, filename="S06.geojson")
    assert (result["added"], result["retired"], result["groups_moved"], result["tips_moved"]) == (
        1, 2, len(groups_ab), tips_ab)
    new_id = demo_db.execute("SELECT id FROM grids WHERE name = '合并后的网格'").fetchone()[0]
    assert demo_db.execute("SELECT COUNT(*) FROM grids WHERE id IN (?, ?)", [a, b]).fetchone()[0] == 0
    assert demo_db.execute("SELECT COUNT(*) FROM grids WHERE id = ?", [c]).fetchone()[0] == 1
    assert [r[0] for r in demo_db.execute("SELECT id FROM chat_groups WHERE grid_id = ? ORDER BY id", [new_id])] \
        == groups_ab
    assert demo_db.execute("SELECT COUNT(*) FROM tips WHERE grid_id = ?", [new_id]).fetchone()[0] == tips_ab
    # the coverage figures follow (kept by triggers): the new grid counts the groups it took over
    active = demo_db.execute("SELECT COUNT(*) FROM chat_groups WHERE grid_id = ? AND status = 'active'",
                             [new_id]).fetchone()[0]
    assert demo_db.execute("SELECT active_groups FROM grids WHERE id = ?", [new_id]).fetchone()[0] == active
    actions = [r[0] for r in demo_db.execute("SELECT action FROM audit_log WHERE action LIKE 'import%'")]
    assert actions.count("import_retire") == 2 and actions.count("import_move_group") == len(groups_ab)
    file_row = json.loads(demo_db.execute("SELECT after FROM audit_log WHERE action = 'import' AND entity = 'grids'"
                                          " ORDER BY id DESC LIMIT 1").fetchone()[0])
    assert file_row["mode"] == "replace" and file_row["retired"] == 2


def test_a_replacement_that_fails_midway_leaves_everything_as_it_was(demo_db, admin, monkeypatch):
    from lib.grids import boundary_replace

    a, b = _grids_with_groups(demo_db, "S06", 2)
    data, _grids = _station_file(demo_db, "S06", merge=(a, b))
    report = grid_import.dry_run(demo_db, admin, data, replace=True)
    before = snapshot(demo_db), counts(demo_db), list(demo_db.execute("SELECT id, grid_id FROM chat_groups"))
    real, calls = boundary_replace.retire, []

    def second_fails(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(boundary_replace, "retire", second_fails)
    with pytest.raises(RuntimeError):
        grid_import.apply(demo_db, admin, report)
    assert len(calls) == 2  # the first retirement had been written when the second failed
    assert (snapshot(demo_db), counts(demo_db), list(demo_db.execute("SELECT id, grid_id FROM chat_groups"))) == before


def test_a_replacement_with_a_refused_feature_is_not_applied(demo_db, admin):
    a, b = _grids_with_groups(demo_db, "S06", 2)
    data, _grids = _station_file(demo_db, "S06", merge=(a, b))
    doc = json.loads(data)
    doc["features"][0]["properties"]["人口数"] = "很多"
    report = grid_import.dry_run(demo_db, admin, json.dumps(doc, ensure_ascii=False).encode(), replace=True)
    assert report.n_reject == 1
    with pytest.raises(ValidationError):
        grid_import.apply(demo_db, admin, report, skip_rejected=True)
