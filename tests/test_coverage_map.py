"""The coverage map: figures, gaps, the deck (no basemap, escaped text, compact payload)."""

import base64
import json

import pytest

from lib.core.errors import ScopeError
from lib.grids import coverage
from lib.grids import coverage_map as cm


def deck_json(db, user, f=None, **kw):
    f = f or cm.MapFilter()
    return json.loads(cm.build_deck(db, user, cm.grid_figures(db, user, f), **kw).to_json())


def layer(spec, layer_id):
    return next(layer for layer in spec["layers"] if layer["id"] == layer_id)


def test_summary_matches_the_home_page_for_a_station(demo_db, users):
    clerk = users["clerk"]
    map_figures = cm.map_summary(demo_db, clerk, cm.MapFilter())
    home = coverage.scope_summary(demo_db, clerk)
    assert (map_figures.grids, map_figures.groups, map_figures.members, map_figures.residents) == \
        (home.grids, home.groups, home.members, home.residents)
    assert map_figures.coverage_pct == home.coverage_pct


def test_summary_follows_the_filters(demo_db, users):
    district = users["district_admin"]
    industry = cm.map_summary(demo_db, district, cm.MapFilter(category="industry"))
    expected = demo_db.execute("SELECT COUNT(*) FROM grids WHERE category = 'industry'").fetchone()[0]
    assert industry.grids == expected and industry.residents == 0 and industry.coverage_pct is None
    label = demo_db.execute("SELECT industry_label FROM grids WHERE industry_label IS NOT NULL LIMIT 1").fetchone()[0]
    one = cm.map_summary(demo_db, district, cm.MapFilter(industry_label=label))
    assert 0 < one.grids <= industry.grids


def test_clerk_cannot_map_another_station(demo_db, users):
    with pytest.raises(ScopeError):
        cm.grid_figures(demo_db, users["clerk"], cm.MapFilter(station_id=users["other_clerk"].station_id))


def test_deck_has_every_geographic_grid_of_the_scope_and_no_basemap(demo_db, users):
    clerk = users["clerk"]
    spec = deck_json(demo_db, clerk)
    polygons = layer(spec, "grids")["data"]
    expected = demo_db.execute("SELECT COUNT(*) FROM grids WHERE station_id = ? AND geometry IS NOT NULL",
                               [clerk.station_id]).fetchone()[0]
    assert len(polygons) == expected
    assert "mapStyle" not in spec or not str(spec.get("mapStyle", "")).startswith("http")
    assert "cartocdn" not in json.dumps(spec) and "mapbox" not in json.dumps(spec).lower()
    points = layer(spec, "places")["data"]
    assert points and all(p["k"] == "专属网格" for p in points)


def test_tooltip_is_text_only_and_names_are_plain(demo_db, users):
    clerk = users["clerk"]
    row = demo_db.execute("SELECT id FROM grids WHERE station_id = ? AND geometry IS NOT NULL LIMIT 1",
                          [clerk.station_id]).fetchone()[0]
    demo_db.execute("UPDATE grids SET name = ? WHERE id = ?", ["<img src=x onerror=alert(1)>网格\u0007", row])
    deck = cm.build_deck(demo_db, clerk, cm.grid_figures(demo_db, clerk, cm.MapFilter()))
    assert set(deck._tooltip) == {"text"}  # what Streamlit reads: never the html template
    assert deck._tooltip["text"] == "{n}\n{s} · {k}\n群 {g} 个 · 成员 {m} 人\n人口 {r} · 覆盖率 {c}\n近90天线索 {q}"
    assert cm.tooltip_text("en").endswith("\nTips, last 90 days: {q}")  # a template for pydeck, not formatted
    spec = json.loads(deck.to_json())
    names = [p["n"] for p in layer(spec, "grids")["data"]]
    assert "<img src=x onerror=alert(1)>网格" in names  # shown as text, control character dropped


def test_coverage_colours_follow_the_target(demo_db, users):
    assert cm.coverage_color(0.0) == cm.COVERAGE_STEPS[0][1]
    assert cm.coverage_color(0.20) == cm.COVERAGE_STEPS[3][1]
    assert cm.coverage_color(0.40) == cm.COVERAGE_STEPS[4][1]
    assert cm.coverage_color(0.20, target_pct=40) == cm.COVERAGE_STEPS[1][1]
    assert cm.coverage_color(None) == cm.NO_GROUP_COLOR
    spec = deck_json(demo_db, users["clerk"])
    for p in layer(spec, "grids")["data"]:
        expected = cm.coverage_color(p["m"] / p["r"] if p["g"] else 0.0) if p["r"] else cm.NO_GROUP_COLOR
        assert tuple(p["f"]) == expected


def test_category_measure_colours_by_category(demo_db, users):
    spec = deck_json(demo_db, users["clerk"], measure="category")
    assert {tuple(p["f"]) for p in layer(spec, "grids")["data"]} == {cm.CATEGORY_COLORS["comprehensive"]}


def test_legend_has_a_label_per_colour():
    assert len(cm.legend("coverage", "zh")) == len(cm.COVERAGE_STEPS)
    assert [label for _, label in cm.legend("category", "en")][0] == "Comprehensive grid"


def test_gaps_rank_by_members_missing(demo_db, users):
    clerk = users["clerk"]
    gaps = cm.grid_gaps(demo_db, clerk, cm.MapFilter(), target_pct=20)
    assert gaps and all(g["missing"] > 0 for g in gaps)
    assert [g["missing"] for g in gaps] == sorted((g["missing"] for g in gaps), reverse=True)
    top = gaps[0]
    assert top["missing"] == round(0.2 * top["population"] - top["members"])
    assert all(g["station_name"] == "三星派出所" for g in gaps)


def test_station_gaps_start_with_the_lagging_stations(demo_db, users):
    rows = cm.station_gaps(demo_db, users["district_admin"])
    assert [r["coverage_pct"] for r in rows] == sorted(r["coverage_pct"] for r in rows)
    assert rows[0]["station"] in ("包场派出所", "海永派出所")
    assert rows[0]["missing"] > 0


def test_missing_labels_list_sections_and_trades_without_a_group(demo_db, users):
    clerk = users["clerk"]
    (row,) = cm.missing_labels(demo_db, clerk)
    assert row["station"] == "三星派出所"
    covered = {r[0] for r in demo_db.execute(
        "SELECT DISTINCT g.industry_label FROM chat_groups c JOIN grids g ON g.id = c.grid_id"
        " WHERE c.station_id = ? AND c.status = 'active'", [clerk.station_id])}
    assert row["industries"] and not (set(row["industries"]) & covered)
    assert len(cm.missing_labels(demo_db, users["district_admin"])) == 17


def test_non_geographic_grids_are_listed(demo_db, users):
    rows = cm.non_geographic(demo_db, users["clerk"], cm.MapFilter())
    assert rows and {r["category"] for r in rows} <= {"industry", "special", "work"}


def test_geometry_cache_follows_grid_changes(demo_db, users):
    clerk = users["clerk"]
    grid_id = demo_db.execute("SELECT id FROM grids WHERE station_id = ? AND geometry IS NOT NULL LIMIT 1",
                              [clerk.station_id]).fetchone()[0]
    cm.grid_shapes(demo_db)
    demo_db.execute("UPDATE grids SET name = '改名后的网格' WHERE id = ?", [grid_id])
    names = [p["n"] for p in layer(deck_json(demo_db, clerk), "grids")["data"]]
    assert "改名后的网格" in names


def test_payload_is_compact(demo_db, users):
    text = cm.build_deck(demo_db, users["district_admin"],
                         cm.grid_figures(demo_db, users["district_admin"], cm.MapFilter())).to_json()
    assert "\n" not in text and "\\u" not in text  # no indentation, no escaped Chinese
    assert len(text.encode()) < 1_500_000


def test_gcj02_shift_when_configured(demo_db, users, monkeypatch):
    clerk = users["clerk"]
    plain = layer(deck_json(demo_db, clerk), "grids")["data"][0]["p"][0]
    monkeypatch.setenv("PORTAL_MAP_GCJ02", "1")
    shifted = layer(deck_json(demo_db, clerk), "grids")["data"][0]["p"][0]
    # GCJ-02 moves points in Jiangsu by a few hundred metres, mostly east.
    assert 0.001 < shifted[0] - plain[0] < 0.01 and abs(shifted[1] - plain[1]) < 0.01


def test_tile_url_adds_a_raster_basemap_as_a_style_url(demo_db, users, monkeypatch):
    monkeypatch.setenv("PORTAL_MAP_TILES", "http://tiles.intranet/{z}/{x}/{y}.png")
    spec = deck_json(demo_db, users["clerk"])
    # Streamlit's chart needs a string (it calls mapStyle.includes): a data: URL of the MapLibre style.
    assert isinstance(spec["mapStyle"], str) and spec["mapStyle"].startswith("data:application/json;base64,")
    style = json.loads(base64.b64decode(spec["mapStyle"].split(",", 1)[1]))
    assert style["sources"]["tiles"]["tiles"] == ["http://tiles.intranet/{z}/{x}/{y}.png"]
    assert spec["mapProvider"] == "carto"


def test_tip_density_measure_colours_grids_with_recent_tips(demo_db, users):
    from lib.tips import tips
    from lib.tips.tips import TipInput

    clerk = users["clerk"]
    grid_id, population = demo_db.execute(
        "SELECT id, population FROM grids WHERE station_id = ? AND geometry IS NOT NULL ORDER BY id LIMIT 1",
        [clerk.station_id]).fetchone()
    for _ in range(12):
        tips.create_tip(demo_db, TipInput(kind="request", description="小区路灯坏了请修理", grid_id=grid_id,
                                          consent=True))
    counts = cm.tip_counts(demo_db, clerk, cm.MapFilter())
    assert counts == {grid_id: 12}
    spec = deck_json(demo_db, clerk, measure="tips", tips=counts)
    data = layer(spec, "grids")["data"]
    hot = [p for p in data if p["q"] == "12"]
    assert len(hot) == 1 and tuple(hot[0]["f"]) == cm.tip_color(12, population) != cm.TIP_STEPS[0][1]
    assert all(tuple(p["f"]) == cm.TIP_STEPS[0][1] for p in data if p["q"] == "0")
    assert len(cm.legend("tips", "zh")) == len(cm.TIP_STEPS)
    assert cm.legend("tips", "zh")[-1][1].endswith(" 条/千人") and cm.legend("tips", "en")[-1][1].endswith(" per 1,000 people")
