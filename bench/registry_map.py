"""Registry and map figures (issue #3): deck build and payload, first registry page,
coverage figures for a filter — at the demo district (1x) and at 10x."""

from __future__ import annotations

import time

from bench.common import Env, Figure, p95, repeat
from bench.foundation import render_seconds
from lib.core import auth
from lib.core.db import connect
from lib.grids import coverage_map as cm
from lib.grids import groups


def _deck(db, user) -> tuple[float, int]:
    def build():
        return cm.build_deck(db, user, cm.grid_figures(db, user, cm.MapFilter())).to_json()

    cm.grid_shapes(db)  # the geometry cache is built once per grids version, not per render
    samples = repeat(build, 10)
    return p95(samples), len(build().encode())


def run(env: Env) -> list[Figure]:
    figures = _at_scale("1x", env.db_1x) + _at_scale("10x", env.db_10x)
    for page in ("map", "registry"):
        figures.append(Figure(f"{page}_page_render_district_10x", round(render_seconds(env.db_10x, "district", page), 3),
                              "s"))
    return figures


def _at_scale(scale: str, path) -> list[Figure]:
    figures = []
    db = connect(path)
    district = auth.load_user(db, "district")
    clerk = auth.load_user(db, "clerk")
    seconds, size = _deck(db, district)
    grids = db.execute("SELECT COUNT(*) FROM grids").fetchone()[0]
    figures.append(Figure(f"map_deck_all_grids_{scale}_p95", round(seconds * 1000, 1), "ms",
                          f"{grids:,} grids, query + deck + JSON"))
    figures.append(Figure(f"map_payload_all_grids_{scale}", round(size / 1e6, 2), "MB"))


    start = time.perf_counter()
    cm._SHAPES_CACHE.clear()
    cm.grid_shapes(db)
    figures.append(Figure(f"map_geometry_cold_build_{scale}", round((time.perf_counter() - start) * 1000, 1),
                          "ms", "the grids' shapes parsed and projected: the first map drawn after the grids"
                          " changed (or after a restart) pays it on top of the deck"))

    filters = [groups.GroupFilter(category="comprehensive"), groups.GroupFilter(name_standard=False),
               groups.GroupFilter(platform="wecom", text="社区")]
    samples = []
    for f in filters:
        samples += repeat(lambda f=f: groups.search_groups(db, district, f, page=1, page_size=50), 10)
        samples += repeat(lambda f=f: groups.search_groups(db, clerk, f, page=1, page_size=50), 10)
    figures.append(Figure(f"registry_first_page_{scale}_p95", round(p95(samples) * 1000, 1), "ms"))

    map_filters = [cm.MapFilter(), cm.MapFilter(category="industry"), cm.MapFilter(section_label="school"),
                   cm.MapFilter(station_id=clerk.station_id)]
    samples = []
    for f in map_filters:
        samples += repeat(lambda f=f: cm.map_summary(db, district, f), 10)
    figures.append(Figure(f"coverage_figures_any_filter_{scale}_p95", round(p95(samples) * 1000, 1), "ms"))
    samples = repeat(lambda: cm.grid_gaps(db, district, cm.MapFilter()), 10)
    figures.append(Figure(f"coverage_gap_list_{scale}_p95", round(p95(samples) * 1000, 1), "ms"))
    return figures
