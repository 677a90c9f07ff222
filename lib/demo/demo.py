"""The demo district: a deterministic, realistic Haimen at the program's scale.

One generator feeds ``make run`` (an empty database gets the demo), the tests and the
benchmarks (``scale=10`` gives ten times the rows). Same seed, same district.

Geography, modelled on Haimen district (Nantong, Jiangsu): a mainland outline north
of the Yangtze and the Haiyong exclave on Chongming island, split among 16 land
stations by nearest station seat (a Voronoi partition on a raster of square cells).
Each cell is one comprehensive grid, so comprehensive grids tile each station's area
with no overlap and no gap. The water police station has no land area; its grids are
boat dwellers and shipping. Dedicated grids (schools, hospitals, markets …) are points
inside a comprehensive grid; industry, special and work grids have no location and
are anchored at their station.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

import shapely
import sqlite_utils

from lib.core import taxonomy
from lib.core.clock import utcnow
from lib.core.errors import PortalError
from lib.grids import district_outline, geo, naming

DEFAULT_SEED = 2021
BASE_COUNTS = {
    # grids per category at scale 1 (comprehensive comes from the cell size)
    "comprehensive": 1800,
    "dedicated": 600,
    "industry": 350,
    "special": 120,
    "work": 130,
}
BASE_RESIDENTS = 1_000_000
BASE_MEMBERS = 220_000
BASE_OFFICERS = 800
OUTPOSTS = 280
WECHAT_GROUP_LIMIT = 500
DEMO_USERS = (
    # username, name, role, unit (station name or None for the district center)
    ("district", "联动中心值班长", "district_admin", None),
    ("station", "三星所指挥室主任", "station_admin", "三星派出所"),
    ("clerk", "三星所内勤民警", "clerk", "三星派出所"),
)

MAINLAND = [
    (121.00, 31.85), (121.00, 32.00), (121.05, 32.05), (121.25, 32.07), (121.45, 32.10),
    (121.62, 32.10), (121.66, 32.02), (121.60, 31.93), (121.45, 31.87), (121.30, 31.83),
    (121.15, 31.80), (121.05, 31.81),
]
HAIYONG = [(121.36, 31.755), (121.40, 31.725), (121.50, 31.73), (121.55, 31.76), (121.44, 31.785)]


@dataclass(frozen=True)
class StationSpec:
    name: str
    name_en: str
    town: str  # the town or street the station serves, used in place names
    lon: float
    lat: float
    density: float  # relative residents per km²
    urban: bool = False


STATIONS = [
    StationSpec("海门派出所", "Haimen Police Station", "海门街道", 121.17, 31.88, 4.0, True),
    StationSpec("三厂派出所", "Sanchang Police Station", "三厂街道", 121.12, 31.92, 2.5, True),
    StationSpec("滨江派出所", "Binjiang Police Station", "滨江街道", 121.10, 31.845, 2.5, True),
    StationSpec("开发区派出所", "Development Zone Police Station", "海门经济技术开发区", 121.23, 31.855, 2.0, True),
    StationSpec("临江派出所", "Linjiang Police Station", "临江镇", 121.03, 31.90, 1.0),
    StationSpec("三星派出所", "Sanxing Police Station", "三星镇", 121.08, 31.99, 1.6),
    StationSpec("叠石桥派出所", "Dieshiqiao Police Station", "叠石桥", 121.03, 32.035, 3.0, True),
    StationSpec("常乐派出所", "Changle Police Station", "常乐镇", 121.25, 31.92, 1.0),
    StationSpec("悦来派出所", "Yuelai Police Station", "悦来镇", 121.34, 31.89, 1.0),
    StationSpec("余东派出所", "Yudong Police Station", "余东镇", 121.28, 32.01, 1.0),
    StationSpec("正余派出所", "Zhengyu Police Station", "正余镇", 121.37, 32.04, 0.9),
    StationSpec("四甲派出所", "Sijia Police Station", "四甲镇", 121.46, 32.06, 0.9),
    StationSpec("包场派出所", "Baochang Police Station", "包场镇", 121.48, 31.95, 0.8),
    StationSpec("刘浩派出所", "Liuhao Police Station", "刘浩镇", 121.18, 32.02, 0.9),
    StationSpec("东灶港派出所", "Dongzaogang Police Station", "海门港新区", 121.59, 32.04, 0.6),
    StationSpec("海永派出所", "Haiyong Police Station", "海永镇", 121.45, 31.755, 0.5),
    StationSpec("水上派出所", "Water Police Station", "长江海门段", 121.14, 31.815, 0.0),
]
WATER_STATION = "水上派出所"

SURNAMES = "顾陆施黄张王陈朱沈杨周徐吴袁倪季茅郁龚秦曹孙丁花成姜郭蔡范瞿赵刘宋严"
GIVEN = "建国华明伟军平晓红丽燕海涛磊静敏霞杰勇强峰云飞志刚俊杰文彬娟玲宏斌雪梅新春健"
PLACE_A = "东西南北新红永富民兴和平长安福海江港中太德顺利光明金万育正通青鸿瑞"
PLACE_B = "桥港河兴安丰华胜乐圩湾庄园星元盛阳隆泰荣桂林"
OVERSEAS = ["肯尼亚", "尼日利亚", "阿联酋", "坦桑尼亚", "南非", "印度尼西亚", "越南", "埃塞俄比亚"]
DEDICATED_NAMES = {
    "school": ["{c}小学", "{t}中学", "{t}实验学校"],
    "kindergarten": ["{c}幼儿园"],
    "hospital": ["{t}人民医院", "{c}卫生服务站"],
    "elderly_care_home": ["{c}敬老院", "{t}颐养中心"],
    "market": ["{c}农贸市场", "{t}综合市场"],
    "shopping_mall": ["{c}购物中心", "{c}超市"],
    "government_office": ["{t}政务服务中心", "{c}便民服务中心"],
    "financial_outlet": ["{c}农商银行网点", "{t}邮政储蓄所"],
    "transport_hub": ["{t}汽车站", "{c}码头"],
    "petrol_station": ["{c}加油站"],
    "entertainment_venue": ["{c}KTV", "{c}网吧"],
    "religious_venue": ["{c}教堂", "{c}寺庙"],
    "property_management": ["{c}物业服务中心"],
}


@dataclass
class _Rows:
    units: list[dict] = field(default_factory=list)
    users: list[dict] = field(default_factory=list)
    grids: list[dict] = field(default_factory=list)
    groups: list[dict] = field(default_factory=list)


class DemoError(PortalError):
    """The demo cannot be seeded (e.g. the database is not empty)."""


def _district_cells(cell_km: float) -> list[tuple[float, float, float, float]]:
    """Square cells (lon0, lat0, lon1, lat1) whose centres lie inside the district."""
    dlat = cell_km / geo.KM_PER_DEG_LAT
    dlon = cell_km / (geo.KM_PER_DEG_LAT * math.cos(math.radians(31.95)))
    cells = []
    for ring in (MAINLAND, HAIYONG):
        lons = [p[0] for p in ring]
        lats = [p[1] for p in ring]
        # Cells are aligned on one lattice for the whole district, so rings never overlap.
        i0, i1 = math.floor(min(lons) / dlon), math.ceil(max(lons) / dlon)
        j0, j1 = math.floor(min(lats) / dlat), math.ceil(max(lats) / dlat)
        for i in range(i0, i1):
            for j in range(j0, j1):
                lon0, lat0 = i * dlon, j * dlat
                centre = (lon0 + dlon / 2, lat0 + dlat / 2)
                if geo.point_in_polygon(centre, ring):
                    cells.append((lon0, lat0, lon0 + dlon, lat0 + dlat))
    return cells


def _cell_size_for(target: int) -> float:
    area = geo.ring_area_km2(MAINLAND) + geo.ring_area_km2(HAIYONG)
    return math.sqrt(area / target)


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _phone(rng: random.Random) -> str:
    return rng.choice(("139", "138", "137", "158", "159", "181", "189", "133")) + f"{rng.randrange(10**8):08d}"


def _unique(name: str, used: set[str]) -> str:
    candidate, n = name, 2
    while candidate in used:
        candidate = f"{name}（{n}）"
        n += 1
    used.add(candidate)
    return candidate


def build(seed: int = DEFAULT_SEED, scale: float = 1.0, now: str | None = None) -> _Rows:
    """Generate the district's rows in memory (ids assigned here; deterministic for a
    given seed, scale and ``now``, the creation time stamped on every row)."""
    rng = random.Random(seed)
    rows = _Rows()
    now = now or utcnow()

    # --- units ------------------------------------------------------------------------
    rows.units.append({
        "id": 1, "code": "D00", "kind": "district_center", "name": "海门区公安局警网融合联动中心",
        "name_en": "Haimen District Police-Grid Linkage Center", "parent_id": None,
        "station_id": None, "lon": 121.172, "lat": 31.893, "created_at": now,
    })
    station_ids = {}
    for n, spec in enumerate(STATIONS, start=1):
        uid = 1 + n
        station_ids[spec.name] = uid
        rows.units.append({
            "id": uid, "code": f"S{n:02d}", "kind": "station", "name": spec.name,
            "name_en": spec.name_en, "parent_id": 1, "station_id": uid,
            "lon": spec.lon, "lat": spec.lat, "created_at": now,
        })

    # --- land partition ---------------------------------------------------------------
    target_cells = round(BASE_COUNTS["comprehensive"] * scale)
    cells = _district_cells(_cell_size_for(target_cells))
    land = [s for s in STATIONS if s.density > 0]
    cells_by_station: dict[str, list] = {s.name: [] for s in land}
    for cell in cells:
        centre = ((cell[0] + cell[2]) / 2, (cell[1] + cell[3]) / 2)
        nearest = min(land, key=lambda s: geo.distance_km(centre, (s.lon, s.lat)))
        cells_by_station[nearest.name].append(cell)

    # --- outposts: 280 communities, shared by area (the water police gets 3 on the river)
    water_outposts = 3
    land_total = sum(len(v) for v in cells_by_station.values())
    quota = {
        name: max(4, round((OUTPOSTS - water_outposts) * len(v) / land_total))
        for name, v in cells_by_station.items()
    }
    # Adjust the largest station so the total is exactly 280.
    biggest = max(quota, key=quota.get)
    quota[biggest] += OUTPOSTS - water_outposts - sum(quota.values())
    used_place_names: set[str] = set()
    unit_id = len(rows.units)
    outposts_of: dict[str, list[dict]] = {}
    for spec in STATIONS:
        sid = station_ids[spec.name]
        outposts_of[spec.name] = []
        if spec.name == WATER_STATION:
            seats = [(121.06, 31.835, "青龙港"), (121.20, 31.815, "海门港"), (121.40, 31.845, "东灶港")]
            for k, (lon, lat, place) in enumerate(seats, start=1):
                unit_id += 1
                unit = {"id": unit_id, "code": f"S{sid - 1:02d}-O{k:02d}", "kind": "outpost",
                        "name": f"{place}水上平安前哨工作站", "name_en": f"{spec.name_en} outpost {k}",
                        "parent_id": sid, "station_id": sid, "lon": lon, "lat": lat,
                        "created_at": now, "_community": place}
                rows.units.append(unit)
                outposts_of[spec.name].append(unit)
            continue
        station_cells = cells_by_station[spec.name]
        seeds = rng.sample(station_cells, min(quota[spec.name], len(station_cells)))
        for k, cell in enumerate(seeds, start=1):
            unit_id += 1
            suffix = "社区" if spec.urban or rng.random() < 0.25 else "村"
            community = _unique(rng.choice(PLACE_A) + rng.choice(PLACE_B) + suffix, used_place_names)
            unit = {"id": unit_id, "code": f"S{sid - 1:02d}-O{k:02d}", "kind": "outpost",
                    "name": f"{community}平安前哨工作站", "name_en": f"{spec.name_en} outpost {k}",
                    "parent_id": sid, "station_id": sid,
                    "lon": round((cell[0] + cell[2]) / 2, 6), "lat": round((cell[1] + cell[3]) / 2, 6),
                    "created_at": now, "_community": community}
            rows.units.append(unit)
            outposts_of[spec.name].append(unit)

    # --- officers (owners of groups; no password: they cannot log in) -----------------
    user_id = 0
    officers_of: dict[str, list[int]] = {}
    n_officers = round(BASE_OFFICERS * scale)
    weights = {s.name: len(cells_by_station.get(s.name, [])) + 40 for s in STATIONS}
    wsum = sum(weights.values())
    for n, spec in enumerate(STATIONS, start=1):
        officers_of[spec.name] = []
        count = max(8, round(n_officers * weights[spec.name] / wsum))
        for k in range(1, count + 1):
            user_id += 1
            outposts = outposts_of[spec.name]
            unit = outposts[(k - 1) % len(outposts)]["id"] if k % 3 and outposts else station_ids[spec.name]
            rows.users.append({
                "id": user_id, "username": f"pol{n:02d}{k:04d}", "name": _person(rng),
                "email": None, "role": "clerk", "unit_id": unit, "password_hash": None,
                "is_active": 1, "is_demo": 1, "created_at": now,
            })
            officers_of[spec.name].append(user_id)

    # --- grids ------------------------------------------------------------------------
    grid_id = 0
    used_grid_names: set[str] = set()

    def add_grid(spec: StationSpec, category: str, name: str, *, section=None, industry=None,
                 outpost=None, population=0, geometry=None, lon=None, lat=None) -> dict:
        nonlocal grid_id
        grid_id += 1
        grid = {
            "id": grid_id, "code": f"G{grid_id:06d}", "name": _unique(name, used_grid_names),
            "category": category, "section_label": section, "industry_label": industry,
            "station_id": station_ids[spec.name], "outpost_id": outpost["id"] if outpost else None,
            "population": population, "households": round(population / 2.6) if category == "comprehensive" else 0,
            "geometry": geometry, "lon": lon, "lat": lat, "created_at": now,
        }
        rows.grids.append(grid)
        return grid

    comprehensive_sections = [t["code"] for t in taxonomy.terms("section_labels") if t["grid_category"] == "comprehensive"]
    raw_population = []
    for spec in land:
        outposts = outposts_of[spec.name]
        numbering: dict[int, int] = {}
        for cell in sorted(cells_by_station[spec.name], key=lambda c: (-c[1], c[0])):
            centre = ((cell[0] + cell[2]) / 2, (cell[1] + cell[3]) / 2)
            outpost = min(outposts, key=lambda o: geo.distance_km(centre, (o["lon"], o["lat"])))
            numbering[outpost["id"]] = numbering.get(outpost["id"], 0) + 1
            # Denser near the station seat (the town centre), thinner towards the fields.
            d = geo.distance_km(centre, (spec.lon, spec.lat))
            weight = spec.density * (0.35 + 1.6 * math.exp(-d / 3.0)) * rng.lognormvariate(0, 0.35)
            section = "residential_community" if spec.urban else rng.choice(comprehensive_sections)
            grid = add_grid(
                spec, "comprehensive", f"{outpost['_community']}第{numbering[outpost['id']]}网格",
                section=section, outpost=outpost,
                geometry=geo.polygon_geojson(geo.rectangle(*cell)),
                lon=round(centre[0], 6), lat=round(centre[1], 6),
            )
            raw_population.append((grid, weight))
    total_weight = sum(w for _, w in raw_population)
    for grid, weight in raw_population:
        grid["population"] = max(30, round(BASE_RESIDENTS * scale * weight / total_weight))
        grid["households"] = round(grid["population"] / 2.6)

    grid_cells = [g for g in rows.grids]  # comprehensive grids, for placing dedicated grids
    station_grids: dict[int, list[dict]] = {}
    for g in grid_cells:
        station_grids.setdefault(g["station_id"], []).append(g)
    spec_by_id = {station_ids[s.name]: s for s in STATIONS}

    dedicated_sections = [t["code"] for t in taxonomy.terms("section_labels") if t["grid_category"] == "dedicated"]
    for _ in range(round(BASE_COUNTS["dedicated"] * scale)):
        host = rng.choice(grid_cells)
        spec = spec_by_id[host["station_id"]]
        section = rng.choice(dedicated_sections)
        community = next(u["_community"] for u in outposts_of[spec.name] if u["id"] == host["outpost_id"])
        pattern = rng.choice(DEDICATED_NAMES.get(section, ["{c}" + taxonomy.label("section_labels", section)]))
        add_grid(spec, "dedicated", pattern.format(c=community, t=spec.town), section=section,
                 outpost={"id": host["outpost_id"]}, population=rng.randint(40, 900),
                 lon=host["lon"], lat=host["lat"])

    industries = taxonomy.codes("industry_labels")
    industry_sections = [t["code"] for t in taxonomy.terms("section_labels") if t["grid_category"] == "industry"]
    n_industry = round(BASE_COUNTS["industry"] * scale)
    for k in range(n_industry):
        spec = STATIONS[k % len(STATIONS)]
        if spec.name in ("三星派出所", "叠石桥派出所") and rng.random() < 0.4:
            industry = rng.choice(["home_textiles", "logistics_express", "foreign_trade"])
        elif spec.name in (WATER_STATION, "东灶港派出所") and rng.random() < 0.6:
            industry = rng.choice(["ports_shipping", "fishing", "sand_gravel"])
        else:
            industry = rng.choice(industries)
        add_grid(spec, "industry", f"{spec.town}{taxonomy.label('industry_labels', industry)}行业网格",
                 section=rng.choice(industry_sections), industry=industry,
                 population=rng.randint(20, 900))

    for k in range(round(BASE_COUNTS["special"] * scale)):
        spec = STATIONS[k % len(STATIONS)]
        if spec.name == WATER_STATION:
            section, name = "boat_dwellers", f"{rng.choice(['青龙港', '海门港', '东灶港', '圩角港'])}船民网格"
        elif spec.name in ("三星派出所", "叠石桥派出所") and rng.random() < 0.6:
            section, name = "overseas_nationals", f"{rng.choice(OVERSEAS)}海门籍侨商警侨网格"
        else:
            section = rng.choice(["care_population", "migrant_dormitory", "overseas_nationals"])
            name = f"{spec.town}{taxonomy.label('section_labels', section)}网格"
        add_grid(spec, "special", name, section=section, population=rng.randint(15, 400))

    work_sections = [t["code"] for t in taxonomy.terms("section_labels") if t["grid_category"] == "work"]
    for k in range(round(BASE_COUNTS["work"] * scale)):
        spec = STATIONS[k % len(STATIONS)]
        section = work_sections[(k // len(STATIONS)) % len(work_sections)]
        add_grid(spec, "work", f"{spec.town}{taxonomy.label('section_labels', section)}工作网格",
                 section=section, population=rng.randint(10, 300))

    # --- groups -----------------------------------------------------------------------
    # Two stations lag behind (more grids with no group, thinner membership): the gaps a
    # station admin is meant to find on the coverage map.
    lagging = {"包场派出所", "海永派出所"}
    p_none = {"comprehensive": 0.10, "dedicated": 0.20, "industry": 0.15, "special": 0.05, "work": 0.02}
    group_id = 0
    raw_members = []
    used_group_names: set[str] = set()
    for grid in rows.grids:
        spec = spec_by_id[grid["station_id"]]
        p0 = p_none[grid["category"]] * (2.2 if spec.name in lagging else 1.0)
        r = rng.random()
        n_groups = 0 if r < p0 else (2 if r > 0.95 and grid["category"] == "comprehensive" else 1)
        for seq in range(1, n_groups + 1):
            group_id += 1
            if rng.random() < 0.08:
                # Legacy names from before the standard, left for the compliance view.
                name = rng.choice([f"{grid['name']}群", f"{spec.town}警民联系群{group_id}", f"{grid['name']}平安群"])
            else:
                name = naming.standard_group_name(spec.name, grid["name"], seq)
            name = _unique(name, used_group_names)
            if grid["category"] == "work":
                platform = rng.choice(["police_messenger", "wecom", "wecom"])
            else:
                platform = "wechat" if rng.random() < 0.82 else rng.choice(["wecom", "police_messenger"])
            coverage = rng.betavariate(4, 14) * (0.55 if spec.name in lagging else 1.0)
            base = grid["population"] if grid["population"] else 100
            raw = max(3.0, base * coverage * (1.0 if grid["category"] == "comprehensive" else 0.8))
            created = f"{rng.choice([2021] * 6 + [2022, 2023, 2024, 2025, 2026])}-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}"
            webhook = None
            if platform == "wecom" and rng.random() < 0.6:
                # A WeCom group robot: the key is the only secret in the URL. The demo's robots
                # point at a closed local port, never at the internet: the worker's attempts fail
                # at once and the groups fall back to the manual checklist.
                webhook = ("http://127.0.0.1:9/cgi-bin/webhook/send?key="
                           + "-".join(f"{rng.getrandbits(b):0{b // 4}x}" for b in (32, 16, 16, 16, 48)))
            group = {
                "id": group_id, "name": name, "grid_id": grid["id"], "station_id": grid["station_id"],
                "is_name_standard": int(naming.is_compliant(name)), "webhook_url": webhook,
                "platform": platform, "owner_user_id": rng.choice(officers_of[spec.name]),
                "admin_name": _person(rng), "admin_phone": _phone(rng),
                "member_count": 0, "created_on": created,
                "status": "archived" if rng.random() < 0.01 else "active", "created_at": now,
            }
            rows.groups.append(group)
            raw_members.append((group, raw))
    # Scale membership to the program's figure; groups capped at WeChat's 500 push the
    # rest up a little, so repeat the scaling a few times.
    factor = 1.0
    for _ in range(4):
        total = sum(min(WECHAT_GROUP_LIMIT, max(3, raw * factor)) for _, raw in raw_members)
        factor *= BASE_MEMBERS * scale / total
    for group, raw in raw_members:
        group["member_count"] = int(min(WECHAT_GROUP_LIMIT, max(3, round(raw * factor))))

    for unit in rows.units:
        unit.pop("_community", None)
    return rows


def staff_by_station(db: sqlite_utils.Database) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """Active station staff by station id (an outpost's staff count for its station), for the demo
    generators: ``(logins, officers)`` — the users who can log in, and the officers who own groups
    but have no password."""
    logins: dict[int, list[int]] = {}
    officers: dict[int, list[int]] = {}
    for uid, station_id, has_password in db.execute(
            "SELECT u.id, COALESCE(un.station_id, un.id), u.password_hash IS NOT NULL FROM users u"
            " JOIN units un ON un.id = u.unit_id WHERE u.is_active = 1 AND un.kind != 'district_center'"
            " ORDER BY u.id"):
        (logins if has_password else officers).setdefault(station_id, []).append(uid)
    return logins, officers


def demo_boundary_geojson(scale: float = 1.0) -> str:
    """The demo district's outline (mainland and the Haiyong exclave) as compact GeoJSON
    MultiPolygon text: the union of the demo's grid cells at ``scale``, so that every demo
    grid lies exactly inside it (the drawn coastline would cut the edge cells in half)."""
    cells = _district_cells(_cell_size_for(round(BASE_COUNTS["comprehensive"] * scale)))
    # Rounded as the grids' own stored geometry is, so that neighbouring cells share edges exactly.
    outline = shapely.union_all([shapely.box(*(round(v, 6) for v in cell)) for cell in cells])
    return district_outline.outline_geojson(shapely.orient_polygons(outline))
