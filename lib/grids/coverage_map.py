"""The grid coverage map (网格地图): per-grid figures, coverage gaps, and the pydeck map.

Everything here is plain Python; the page only picks filters and shows what comes back.
The default map draws no basemap and makes no external request (the police intranet has
no internet): the district outline gives a light background, grids are outlined and
labelled. An intranet tile server can be configured (``PORTAL_MAP_TILES``, a raster URL
template with {z}/{x}/{y}); Chinese providers draw GCJ-02, so coordinates are then
shifted from WGS-84 (``PORTAL_MAP_GCJ02=1``).
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass

import pydeck as pdk
import sqlite_utils
from pydeck.bindings.json_tools import default_serialize

from lib.core import clock, scope, taxonomy
from lib.core.auth import User
from lib.grids.coverage import TARGET_COVERAGE_PCT
from lib.grids.naming import station_short_name
from lib.i18n import i18n

MEASURES = ("coverage", "category", "tips")
TIP_DAYS = 90
# Tips in the last 90 days per 1,000 people served: white to deep purple.
TIP_STEPS = [(0.0, (246, 244, 250)), (0.5, (218, 210, 234)), (2.0, (171, 150, 208)), (5.0, (128, 96, 176)),
             (10.0, (84, 39, 143))]
LABEL_LIMIT = 3000  # above this many grids, only stations and outposts are labelled
# pydeck turns every plain string into a JavaScript accessor; a quoted string stays a literal.
FONT = "'Microsoft YaHei, PingFang SC, Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif'"
CATEGORY_COLORS = {
    "comprehensive": (96, 145, 210),
    "dedicated": (242, 183, 5),
    "industry": (126, 87, 194),
    "special": (214, 96, 77),
    "work": (90, 160, 110),
}
# Coverage colours: red well below the target, amber near it, green at or above it.
COVERAGE_STEPS = [
    (0.0, (215, 48, 39)),
    (0.5, (244, 109, 67)),
    (0.75, (253, 174, 97)),
    (1.0, (166, 217, 106)),
    (1.5, (26, 152, 80)),
]
NO_GROUP_COLOR = (120, 120, 120)


@dataclass
class MapFilter:
    """What the map and its figures are filtered by."""

    station_id: int | None = None
    category: str | None = None
    section_label: str | None = None
    industry_label: str | None = None


def _where(user: User, f: MapFilter, alias: str = "g") -> tuple[str, list]:
    station_id = scope.filter_station(user, f.station_id)
    where, params = ["1 = 1"], []
    for column, value in ((f"{alias}.station_id", station_id), (f"{alias}.category", f.category),
                          (f"{alias}.section_label", f.section_label), (f"{alias}.industry_label", f.industry_label)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    return " AND ".join(where), params


def grid_figures(db: sqlite_utils.Database, user: User, f: MapFilter) -> list[tuple]:
    """(id, category, population, active groups, active members) of every grid of the filter:
    what the map needs per build; names and shapes come from :func:`grid_shapes`."""
    where, params = _where(user, f)
    return db.execute(
        f"SELECT g.id, g.category, g.population, g.active_groups, g.active_members FROM grids g WHERE {where}",
        params,
    ).fetchall()


@dataclass(frozen=True)
class MapSummary:
    grids: int
    geographic_grids: int
    groups: int
    members: int
    residents: int

    @property
    def coverage_pct(self) -> float | None:
        return round(100.0 * self.members / self.residents, 1) if self.residents else None


def map_summary(db: sqlite_utils.Database, user: User, f: MapFilter) -> MapSummary:
    """Figures of the filter: grids, groups, members, residents (comprehensive grids), coverage."""
    where, params = _where(user, f)
    row = db.execute(
        f"""SELECT COUNT(*), SUM(CASE WHEN category = 'comprehensive' THEN 1 ELSE 0 END),
                   SUM(CASE WHEN category = 'comprehensive' THEN population ELSE 0 END),
                   SUM(active_groups), SUM(active_members)
            FROM grids g WHERE {where}""", params).fetchone()
    return MapSummary(grids=row[0], geographic_grids=row[1] or 0, residents=row[2] or 0,
                      groups=row[3] or 0, members=row[4] or 0)


# --- gaps ---------------------------------------------------------------------------


_GRID_DETAIL = """
SELECT g.id, g.code, g.name, g.category, g.section_label, g.industry_label, g.population,
       g.active_groups AS groups, g.active_members AS members, st.name AS station_name, op.name AS outpost_name
FROM grids g JOIN units st ON st.id = g.station_id LEFT JOIN units op ON op.id = g.outpost_id
"""


def grid_gaps(db: sqlite_utils.Database, user: User, f: MapFilter, target_pct: float = TARGET_COVERAGE_PCT,
              limit: int = 50) -> list[dict]:
    """Grids furthest below the target: ranked by the members still missing to reach it
    (so a big grid with no group comes before a small one a little short)."""
    where, params = _where(user, f)
    target = target_pct / 100.0
    rows = list(db.query(
        f"""{_GRID_DETAIL} WHERE {where} AND g.population > 0 AND g.active_members < ? * g.population
            ORDER BY ? * g.population - g.active_members DESC, g.id LIMIT ?""",
        params + [target, target, int(limit)],
    ))
    for r in rows:
        r["coverage_pct"] = round(100.0 * r["members"] / r["population"], 1)
        r["missing"] = int(round(target * r["population"] - r["members"]))
    return rows


def station_gaps(db: sqlite_utils.Database, user: User, target_pct: float = TARGET_COVERAGE_PCT) -> list[dict]:
    """Stations in scope, lowest coverage first, with the members missing to reach the target."""
    from lib.grids.coverage import station_table

    rows = [r for r in station_table(db, user) if r["residents"]]
    for r in rows:
        r["missing"] = max(0, int(round(target_pct / 100.0 * r["residents"] - r["members"])))
    rows.sort(key=lambda r: (r["coverage_pct"], r["station_id"]))
    return rows


def missing_labels(db: sqlite_utils.Database, user: User, station_id: int | None = None) -> list[dict]:
    """Per station in scope: the section labels and industry labels with no active group at all."""
    station_id = scope.filter_station(user, station_id)
    clause, params = scope.station_clause(user, "u.id")
    if station_id:
        clause, params = "u.id = ?", [station_id]
    stations = list(db.query(f"SELECT u.id, u.name FROM units u WHERE u.kind = 'station' AND {clause} ORDER BY u.code",
                             params))
    covered: dict[int, tuple[set, set]] = {s["id"]: (set(), set()) for s in stations}
    for r in db.query(
        """SELECT DISTINCT c.station_id, g.section_label, g.industry_label FROM chat_groups c
           JOIN grids g ON g.id = c.grid_id WHERE c.status = 'active'"""
    ):
        if r["station_id"] in covered:
            covered[r["station_id"]][0].add(r["section_label"])
            covered[r["station_id"]][1].add(r["industry_label"])
    out = []
    for s in stations:
        sections, industries = covered[s["id"]]
        out.append({
            "station_id": s["id"], "station": s["name"],
            "sections": [c for c in taxonomy.codes("section_labels") if c not in sections],
            "industries": [c for c in taxonomy.codes("industry_labels") if c not in industries],
        })
    return out


def non_geographic(db: sqlite_utils.Database, user: User, f: MapFilter, limit: int = 500) -> list[dict]:
    """Grids with no location (industry, special, work) of the filter, listed beside the map
    and counted at their station."""
    where, params = _where(user, f)
    return list(db.query(
        f"""{_GRID_DETAIL} WHERE {where} AND g.category IN ('industry', 'special', 'work')
            ORDER BY g.station_id, g.category, g.id LIMIT ?""",
        params + [int(limit)],
    ))


class CompactDeck(pdk.Deck):
    """A Deck serialised compactly: no indentation, UTF-8 text (pydeck indents by 2 and
    escapes every Chinese character), and layer data that is already JSON spliced in
    as it is — about a fifth of pydeck's own payload and time for 30,000 grids."""

    def __init__(self, *args, raw_data: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.raw_data = raw_data or {}

    def to_json(self):
        raw = self.__dict__.pop("raw_data", {})  # pydeck serialises every attribute
        try:
            text = json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"),
                              ensure_ascii=False)
        finally:
            self.raw_data = raw
        for placeholder, data in raw.items():
            text = text.replace(json.dumps(placeholder), data, 1)
        return text


def coverage_color(coverage: float | None, target_pct: float = TARGET_COVERAGE_PCT) -> tuple[int, int, int]:
    """The fill of a grid: by its coverage relative to the target (grey: no people)."""
    if coverage is None:
        return NO_GROUP_COLOR
    ratio = coverage / (target_pct / 100.0)
    color = COVERAGE_STEPS[0][1]
    for threshold, c in COVERAGE_STEPS:
        if ratio >= threshold:
            color = c
    return color


def tip_counts(db: sqlite_utils.Database, user: User, f: MapFilter, days: int = TIP_DAYS,
               now: str | None = None) -> dict[int, int]:
    """Grid id → tips received in the last ``days`` days, for the filter's grids."""
    from datetime import UTC, datetime, timedelta

    since = clock.stamp((clock.parse(now) if now else datetime.now(UTC)) - timedelta(days=days))
    where, params = _where(user, f)
    return dict(db.execute(
        f"""SELECT t.grid_id, COUNT(*) FROM tips t JOIN grids g ON g.id = t.grid_id
            WHERE t.created_at >= ? AND {where} GROUP BY t.grid_id""", [since, *params]).fetchall())


def tip_color(tips: int, population: int) -> tuple[int, int, int]:
    """The fill of a grid by its recent tips per 1,000 people served."""
    rate = 1000.0 * tips / population if population else (10.0 if tips else 0.0)
    color = TIP_STEPS[0][1]
    for threshold, c in TIP_STEPS:
        if rate >= threshold and (tips or threshold == 0):
            color = c
    return color


def legend(measure: str, lang: str, target_pct: float = TARGET_COVERAGE_PCT) -> list[tuple[tuple[int, int, int], str]]:
    """(colour, label) pairs explaining the fill of the chosen measure."""
    if measure == "tips":
        unit = i18n.t("map.legend.tips_unit", lang)
        bounds = [t for t, _ in TIP_STEPS] + [None]
        return [(c, f"≥ {lo:g} {unit}" if hi is None else f"{lo:g} – {hi:g}")
                for (lo, c), hi in zip(TIP_STEPS, bounds[1:], strict=True)]
    if measure == "category":
        return [(CATEGORY_COLORS[c], taxonomy.label("grid_categories", c, lang)) for c in taxonomy.codes("grid_categories")]
    bounds = [t for t, _ in COVERAGE_STEPS] + [None]
    out = []
    for (low, color), high in zip(COVERAGE_STEPS, bounds[1:], strict=True):
        lo = f"{low * target_pct:.0f}%"
        out.append((color, f"≥ {lo}" if high is None else f"{lo} – {high * target_pct:.0f}%"))
    return out


_SHAPES_CACHE: dict[tuple, dict[int, tuple]] = {}


def grid_shapes(db: sqlite_utils.Database) -> dict[int, tuple]:
    """Grid id → (static JSON fragment with name and station, [ring JSON …], label datum JSON
    or None, point position or None), cached until grids change.

    Parsing 30,000 stored GeoJSON geometries costs more than the rest of the map; grids
    change only through imports and edits, which bump ``app_meta.grids_version`` (triggers).
    """
    version = db.execute("SELECT value FROM app_meta WHERE key = 'grids_version'").fetchone()
    key = (db.conn.execute("PRAGMA database_list").fetchone()[2], version[0] if version else None,
           os.environ.get("PORTAL_MAP_GCJ02"))
    cached = _SHAPES_CACHE.get(key)
    if cached is None or version is None:
        convert = _converter()
        dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        stations = {sid: dumps(station_short_name(name))
                    for sid, name in db.execute("SELECT id, name FROM units WHERE kind = 'station'")}
        cached = {}
        communities = {uid: name.replace("平安前哨工作站", "")
                       for uid, name in db.execute("SELECT id, name FROM units WHERE kind = 'outpost'")}
        for gid, name, station_id, outpost_id, lon, lat, geometry in db.execute(
                "SELECT id, name, station_id, outpost_id, lon, lat, geometry FROM grids"):
            position = None if lat is None else "[{},{}]".format(*convert(round(lon, 5), round(lat, 5)))
            rings = [json.dumps(r, separators=(",", ":")) for r in _polygon(geometry, convert)] if geometry else []
            static = f'"n":{dumps(_clean(name))},"s":{stations.get(station_id, "null")}'
            # On the map the outpost's community is already written once; a cell shows "第3网格".
            community = communities.get(outpost_id, "")
            short = name[len(community):] if community and name.startswith(community) else name
            label = f'{{"t":{dumps(_clean(short))},"x":{position}}}' if rings and position else None
            cached[gid] = (static, rings, label, None if rings else position)
        _SHAPES_CACHE.clear()  # one database is served at a time; keep memory flat
        _SHAPES_CACHE[key] = cached
    return cached


def _polygon(geometry: str, convert) -> list[list[list[float]]] | None:
    """Outer rings of a GeoJSON Polygon/MultiPolygon, rounded to ~1 m, without the
    closing point (deck.gl closes rings itself)."""
    geo = json.loads(geometry)
    polys = [geo["coordinates"]] if geo["type"] == "Polygon" else geo["coordinates"]
    out = []
    for poly in polys:
        ring = poly[0][:-1] if poly[0][0] == poly[0][-1] else poly[0]
        out.append([list(convert(round(x, 5), round(y, 5))) for x, y in ring])
    return out


def _converter():
    if os.environ.get("PORTAL_MAP_GCJ02") == "1":
        from lib.grids.gcj02 import wgs84_to_gcj02

        return lambda lon, lat: tuple(round(v, 5) for v in wgs84_to_gcj02(lon, lat))
    return lambda lon, lat: (lon, lat)


def basemap_style(tiles: str) -> dict:
    """A MapLibre style with one raster source: the intranet tile server's URL template."""
    return {
        "version": 8,
        "sources": {"tiles": {"type": "raster", "tiles": [tiles], "tileSize": 256}},
        "layers": [{"id": "tiles", "type": "raster", "source": "tiles"}],
    }


def _basemap() -> dict:
    """Deck keyword arguments for the basemap: none by default, or an intranet raster.

    Streamlit's chart takes the style as a string — it calls ``mapStyle.includes(…)``, so a style object
    breaks the whole map ("k.mapStyle?.includes is not a function") — and MapLibre (Streamlit draws
    ``carto`` with it) loads a style from a URL: the style travels inside the deck as a ``data:`` URL, so
    the browser fetches nothing but the tiles from the configured server."""
    tiles = os.environ.get("PORTAL_MAP_TILES")
    if not tiles:
        return {"map_provider": None}  # map_style=None would make Streamlit pick a CARTO style
    style = json.dumps(basemap_style(tiles), separators=(",", ":"))
    return {"map_provider": "carto",
            "map_style": "data:application/json;base64," + base64.b64encode(style.encode()).decode("ascii")}


def district_outline(db: sqlite_utils.Database) -> list[list[list[float]]]:
    """The district's outer rings (from app_meta ``district_boundary``), or none."""
    row = db.execute("SELECT value FROM app_meta WHERE key = 'district_boundary'").fetchone()
    return _polygon(row[0], _converter()) if row else []


def tooltip_text(lang: str) -> str:
    """The tooltip template (pydeck fills ``{n}`` … from each object's fields, so it is taken from
    the catalog unformatted). Text mode, never HTML: grid names are data typed by people."""
    return i18n.t("map.tooltip", lang)


def build_deck(db: sqlite_utils.Database, user: User, figures: list[tuple], *, measure: str = "coverage",
               lang: str = "zh", target_pct: float = TARGET_COVERAGE_PCT,
               tips: dict[int, int] | None = None) -> CompactDeck:
    """The map of ``figures`` (from :func:`grid_figures`): grids as polygons filled by ``measure``,
    dedicated grids as points, stations and outposts as labelled points."""
    convert = _converter()
    shapes = grid_shapes(db)
    categories = {c: taxonomy.label("grid_categories", c, lang) for c in taxonomy.codes("grid_categories")}
    polygons, points, labels = [], [], []
    with_labels = len(figures) <= LABEL_LIMIT
    for gid, category, population, groups, members in figures:
        static, rings, label_at, point_at = shapes[gid]
        if not rings and point_at is None:
            continue  # no location: listed beside the map instead
        coverage = members / population if population else None
        recent = tips.get(gid, 0) if tips is not None else None
        if measure == "category":
            fill = CATEGORY_COLORS[category]
        elif measure == "tips":
            fill = tip_color(recent or 0, population)
        else:
            fill = coverage_color(coverage if groups else 0.0, target_pct)
        shown = "–" if coverage is None else f"{100 * coverage:.1f}%"
        datum = (f'{static},"k":"{categories[category]}","g":{groups},"m":{members},"r":{population},'
                 f'"c":"{shown}","q":"{"–" if recent is None else recent}","f":[{fill[0]},{fill[1]},{fill[2]}]')
        for ring in rings:
            polygons.append(f'{{{datum},"p":{ring}}}')
        if point_at is not None:
            points.append(f'{{{datum},"x":{point_at}}}')
        elif with_labels and label_at is not None:
            labels.append(label_at)

    clause, params = scope.station_clause(user, "COALESCE(station_id, id)")
    unit_rows = list(db.query(
        f"SELECT name, kind, lat, lon FROM units WHERE kind IN ('station', 'outpost') AND lat IS NOT NULL AND {clause}",
        params))
    stations = [{"t": station_short_name(u["name"]), "x": list(convert(u["lon"], u["lat"]))}
                for u in unit_rows if u["kind"] == "station"]
    outposts = [{"t": u["name"].replace("平安前哨工作站", ""), "x": list(convert(u["lon"], u["lat"]))}
                for u in unit_rows if u["kind"] == "outpost"]

    raw = {"__portal_grids__": "[" + ",".join(polygons) + "]", "__portal_places__": "[" + ",".join(points) + "]",
           "__portal_labels__": "[" + ",".join(labels) + "]"}
    layers = []
    outline = district_outline(db)
    if outline:
        layers.append(pdk.Layer("PolygonLayer", [{"p": ring} for ring in outline], id="district",
                                get_polygon="p", filled=True, stroked=True, get_fill_color=[241, 245, 251],
                                get_line_color=[150, 165, 190], line_width_min_pixels=2, pickable=False))
    layers.append(pdk.Layer("PolygonLayer", "__portal_grids__", id="grids", get_polygon="p", get_fill_color="f",
                            opacity=0.75, stroked=True, filled=True, get_line_color=[60, 80, 110],
                            line_width_min_pixels=0.5, pickable=True, auto_highlight=True))
    if points:
        layers.append(pdk.Layer("ScatterplotLayer", "__portal_places__", id="places", get_position="x", get_fill_color="f",
                                get_radius=60, radius_min_pixels=3, radius_max_pixels=8, stroked=True,
                                get_line_color=[40, 40, 40], line_width_min_pixels=1, pickable=True))
    text = {"get_position": "x", "get_text": "t", "character_set": "'auto'", "font_family": FONT,
            "get_color": [23, 35, 58], "outline_width": 2, "outline_color": [255, 255, 255],
            "font_settings": {"sdf": True}, "pickable": False}
    if labels:
        layers.append(pdk.Layer("TextLayer", "__portal_labels__", id="grid-labels", get_size=120,
                                size_units="'meters'", size_max_pixels=14, **text))
    layers.append(pdk.Layer("ScatterplotLayer", outposts, id="outposts", get_position="x",
                            get_fill_color=[31, 78, 156], get_radius=80, radius_min_pixels=2, radius_max_pixels=5))
    layers.append(pdk.Layer("TextLayer", outposts, id="outpost-labels", get_size=110, size_units="'meters'",
                            size_max_pixels=12, get_pixel_offset=[0, 10], **text))
    layers.append(pdk.Layer("ScatterplotLayer", stations, id="stations", get_position="x",
                            get_fill_color=[31, 78, 156], get_line_color=[255, 255, 255], stroked=True,
                            line_width_min_pixels=2, get_radius=300, radius_min_pixels=6, radius_max_pixels=12))
    layers.append(pdk.Layer("TextLayer", stations, id="station-labels", get_size=15, get_pixel_offset=[0, -18],
                            **{**text, "get_color": [31, 78, 156]}))

    view = _view(db, [f[0] for f in figures], unit_rows, convert)
    basemap = _basemap()
    return CompactDeck(layers=layers, initial_view_state=view, tooltip={"text": tooltip_text(lang)}, raw_data=raw,
                       **basemap)


def _clean(text: str | None) -> str:
    """Names as plain one-line text for the map (control characters dropped)."""
    return "".join(ch for ch in (text or "") if ch.isprintable())[:40]


def _view(db: sqlite_utils.Database, grid_ids: list[int], units: list[dict], convert) -> pdk.ViewState:
    """Centre and zoom that fit the grids shown (or the units, with no located grid)."""
    import math

    if grid_ids and len(grid_ids) < 900:
        marks = ",".join("?" * len(grid_ids))
        box = db.execute(f"SELECT MIN(lon), MAX(lon), MIN(lat), MAX(lat) FROM grids WHERE id IN ({marks})",
                         grid_ids).fetchone()
    elif grid_ids:
        box = db.execute("SELECT MIN(lon), MAX(lon), MIN(lat), MAX(lat) FROM grids").fetchone()
    else:
        box = (None,)
    if box[0] is None:
        pts = [(u["lon"], u["lat"]) for u in units] or [(121.3, 31.93)]
        box = (min(p[0] for p in pts), max(p[0] for p in pts), min(p[1] for p in pts), max(p[1] for p in pts))
    lon, lat = convert((box[0] + box[1]) / 2, (box[2] + box[3]) / 2)
    # deck.gl shows 360° of longitude in 512·2^zoom pixels; fit the box in a map of
    # about 800 × 600 pixels with a margin.
    span_lon = max(box[1] - box[0], 0.005)
    span_lat = max(box[3] - box[2], 0.005) / math.cos(math.radians(lat))
    zoom = min(math.log2(800 * 360 / (512 * span_lon)), math.log2(600 * 360 / (512 * span_lat))) - 0.2
    zoom = max(8.0, min(15.0, zoom))
    return pdk.ViewState(longitude=lon, latitude=lat, zoom=round(zoom, 2))
