"""Demo pushes: a deterministic year of what Haimen's stations pushed into their groups, and how residents answered.

:func:`generate_demo_year` writes about 170 pushes into a seeded district (units, users, grids, groups), as
:func:`lib.demo.demo.seed` calls it — before :mod:`lib.demo.demo_tips`, so that the year of tips can answer them.

- **what**: the nine categories (九大类) in the program's mix — mostly prevention and anti-fraud tips, news and
  Q&A, some police bulletins, and about twenty appeals for information: missing elderly people and children
  (寻人启事), wanted notices (悬赏通告), hit-and-run and other case appeals (协查通报), among them the program's
  own cases (the rainy-night hit-and-run at Yudong with its grey car-body fragments, the wanted notice that
  brought a tip in 20 minutes). Chinese texts from ``data/content_library.json`` and ``data/demo/pushes.json``,
  with every field their category's template requires, and photos for appeals (drawn here, stored like uploads);
- **who**: station pushes written by the station's own officers (an outpost's push by an officer of that
  outpost), district-wide ones by the district center; bulletins and appeals approved by someone else
  (four eyes: the station's admin, else a district admin — as :mod:`lib.pushes.pushes` requires);
- **to whom**: a target like a clerk would set it (the station's groups, its comprehensive grids, one
  outpost's groups, schools or logistics firms, a town's grids plus its transport companies …), resolved to
  groups the way :func:`lib.pushes.targeting.resolve` does, with one delivery row per group as
  :func:`lib.pushes.delivery.create_deliveries` makes them: a robot (``wecom_webhook``) for a group with a working
  robot, sent; the manual checklist for the rest, ticked off by the group's owner within the hour or so,
  a few never; ~3% of robot deliveries fell back to the checklist after six failed attempts, as the worker
  does. A year is ~40,000 delivery rows at scale 1; in a larger district (the benchmarks' 10x) each push
  reaches a hand-picked share of its groups, so the rows stay under :data:`DELIVERY_BUDGET`;
- **when**: office hours on weekdays mostly (some in the evening, when residents read), appeals at any
  hour; the district's first push (the launch of the program) opens the year. In the last days some pushes
  are still on their way: drafts, one waiting for review (not at the demo station admin's station), one
  approved, one scheduled for the next morning, one rejected, one withdrawn — every state but ``sending``,
  which lasts seconds and which the worker would finish at once;
- **answers**: every appeal gets its quick leads as tips (kind ``lead``, channel ``qr``, ``push_id`` set,
  from a grid the push reached): the first 8–55 minutes after sending (missing persons within 20, as the
  program reports), a few more over the next hours. Tip rows are written as :mod:`lib.demo.demo_tips` writes
  them (its columns, ``due_at`` from ``sla_rules``, unique tracking codes, a ``state`` and a public
  ``reply`` event, no audit rows).

The texts — titles, bodies, field values, the appeals' scripts, the leads residents send and the replies they
get — are data, in ``data/demo/pushes.json`` (read once at import): the demo's wording is edited there without
touching this module, which keeps only how the year is generated. The file's lists are drawn from by index,
so their order is part of the demo.

Same database, seed, ``now`` and texts: same rows. Plain SQL inside the caller's transaction.
"""

from __future__ import annotations

import io
import json
import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlite_utils

from lib.core import clock, files
from lib.core.clock import utcnow
from lib.core.db import ROOT, write_transaction
from lib.demo import demo, demo_tips
from lib.pushes.targeting import MAX_PICKED, Target
from lib.tips import tips

DEFAULT_SEED = demo.DEFAULT_SEED
YEAR_DAYS = 365
DAY, HOUR, MINUTE = 86400, 3600, 60
LOCAL_OFFSET_S = 8 * HOUR  # Beijing time: office hours follow the local clock
ROUTINE_PER_STATION = (6, 9)  # routine pushes a year per station, inclusive
LOGIN_PUSHES = 3  # routine pushes of the demo clerk login's station written by that login
DELIVERY_BUDGET = 60_000  # delivery rows at most: the program's scale needs ~40,000; a 10x district is capped
ROBOT_FALLBACK_SHARE = 0.03
MANUAL_NEVER_TICKED = 0.04

CATEGORY_WEIGHTS = {"prevention_tip": 26, "anti_fraud": 26, "news": 15, "qa": 14, "legal_education": 8,
                    "health_tip": 6, "civic_culture": 5}
# How a clerk aims a routine push: (kind, weight).
TARGET_FORMS = (("station", 30), ("comprehensive", 20), ("outpost", 35), ("theme", 15))
TRANSPORT_INDUSTRIES = ("transport_companies", "logistics_express", "freight_forwarding", "taxi_ride_hailing",
                        "car_rental", "motor_vehicle_repair")
ROBOT_ERRORS = ("part 1/2: network: <urlopen error [Errno 111] Connection refused> (gave up after 6 attempts)",
                "part 1/2: HTTP 502: server error (gave up after 6 attempts)",
                "part 2/2: network: timed out (gave up after 6 attempts)")
BACKOFF_TOTAL_S = 30 + 60 + 120 + 240 + 480  # the worker's waits between six attempts (lib.pushes.worker.backoff_s)

# --- texts --------------------------------------------------------------------------------
# Every Chinese word this module writes lives in data/demo/pushes.json (routine texts also come from
# data/content_library.json), not here: rewording the demo (a title, an appeal's description, a lead, a
# reply) is an edit of that file and touches no code, and this module keeps only how the year is generated.
# The file is read once, at import. Its lists are drawn from by index (``rng.choice``, ``rng.sample``,
# ``APPEALS[3]``), so their order is part of the demo: same file, seed and ``now``, same rows. Placeholders
# and the appeal scripts' fields are described in the file's ``_about``.

TEXTS: dict = json.loads((ROOT / "data" / "demo" / "pushes.json").read_text(encoding="utf-8"))

ROUTINE: dict[str, list[dict]] = TEXTS["routine_texts"]  # category → station texts (``months``, ``theme``)
DISTRICT: list[dict] = TEXTS["district_texts"]  # the linkage center's district-wide pushes; the first opens the year
BULLETINS: list[dict] = TEXTS["bulletin_texts"]  # police bulletins, dealt to stations in this order
APPEALS: list[dict] = TEXTS["appeal_scripts"]  # the scripted appeals with their leads' timing
LEAD_TEXTS: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in TEXTS["lead_texts"].items()}
LEAD_REPLIES: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in TEXTS["lead_replies"].items()}  # by appeal kind
REJECT_LEAD: tuple[str, ...] = tuple(TEXTS["lead_reject_reasons"])
LEAD_ACK: str = TEXTS["lead_acknowledgement"]  # the reply to a lead that left no phone
LEAD_CALLBACK: str = TEXTS["lead_callback_note"]  # the call-back note for a lead that left one
LIBRARY_DEFAULTS: dict = TEXTS["library_defaults"]  # what data/content_library.json items lack as push texts
NAMES: dict[str, str] = TEXTS["names"]  # outpost_suffix: as lib.demo.demo names the outposts
STATE_REASONS: dict[str, str] = TEXTS["state_reasons"]  # of the rejected bulletin and the withdrawn appeal
INCIDENT_TIME_FORMAT: str = TEXTS["incident_time_format"]  # ``{month}月{day}日{hour}时许``

STATES_OLD = {"closed": 62, "resolved": 22, "duplicate": 9, "rejected": 7}
STATES_RECENT = {"in_progress": 30, "resolved": 40, "assigned": 15, "triaged": 8, "duplicate": 7}
RATINGS = ((5, 62), (4, 26), (3, 8), (2, 2), (1, 2))

_PHOTO_SIZE = (400, 300)


# --- the district, read once -------------------------------------------------------------------


@dataclass
class _Group:
    id: int
    station_id: int
    outpost_id: int | None
    category: str
    section: str | None
    industry: str | None
    members: int
    robot: bool
    owner: int | None
    grid_id: int
    grid: dict


@dataclass
class _District:
    stations: dict[int, str]  # id → name
    outposts: dict[int, list[tuple[int, str]]]  # station id → [(outpost id, community)]
    groups: dict[int, list[_Group]]  # station id → active groups, by id
    officers: dict[int, list[int]]  # station id → officer ids (no login)
    outpost_officers: dict[int, list[int]]  # outpost id → officer ids
    logins: dict[int, list[tuple[int, str, str]]]  # station id → (id, username, role) of demo logins
    district_admins: list[int]
    sla: dict[tuple[str, str], tuple[int, int]]  # (kind, priority) → (first response, resolution) minutes
    open_states: set[str]

    @classmethod
    def read(cls, db: sqlite_utils.Database) -> _District:
        stations = dict(db.execute("SELECT id, name FROM units WHERE kind = 'station' ORDER BY id").fetchall())
        outposts: dict[int, list] = {}
        for uid, sid, name in db.execute("SELECT id, station_id, name FROM units WHERE kind = 'outpost' ORDER BY id"):
            outposts.setdefault(sid, []).append((uid, name.removesuffix(NAMES["outpost_suffix"])))
        groups: dict[int, list[_Group]] = {}
        for (gid, sid, outpost, category, section, industry, members, url, webhook_state, owner, grid_id, grid_name,
             lat, lon, geometry) in db.execute(
                "SELECT c.id, c.station_id, g.outpost_id, g.category, g.section_label, g.industry_label,"
                " c.member_count, c.webhook_url, c.webhook_state, c.owner_user_id, g.id, g.name, g.lat, g.lon,"
                " g.geometry FROM chat_groups c JOIN grids g ON g.id = c.grid_id WHERE c.status = 'active'"
                " ORDER BY c.id"):
            half = (0.0005, 0.0005)  # a dedicated grid is a site: ~50 m around it (as lib.demo.demo_tips)
            if geometry:
                ring = json.loads(geometry)["coordinates"][0]
                half = ((max(p[1] for p in ring) - min(p[1] for p in ring)) / 2,
                        (max(p[0] for p in ring) - min(p[0] for p in ring)) / 2)
            grid = {"id": grid_id, "name": grid_name, "category": category, "lat": lat, "lon": lon, "half": half}
            groups.setdefault(sid, []).append(_Group(gid, sid, outpost, category, section, industry, members,
                                                     bool(url) and webhook_state == "ok", owner, grid_id, grid))
        officers: dict[int, list[int]] = {}
        outpost_officers: dict[int, list[int]] = {}
        logins: dict[int, list] = {}
        district_admins: list[int] = []
        for uid, username, role, unit_id, kind, station, has_password in db.execute(
                "SELECT u.id, u.username, u.role, u.unit_id, un.kind, COALESCE(un.station_id, un.id),"
                " u.password_hash IS NOT NULL FROM users u JOIN units un ON un.id = u.unit_id"
                " WHERE u.is_active = 1 ORDER BY u.id"):
            if kind == "district_center":
                if role == "district_admin":
                    district_admins.append(uid)
                continue
            if has_password:
                logins.setdefault(station, []).append((uid, username, role))
            else:
                officers.setdefault(station, []).append(uid)
                if kind == "outpost":
                    outpost_officers.setdefault(unit_id, []).append(uid)
        sla = {(k, p): (m, r) for k, p, m, r in db.execute(
            "SELECT kind, priority, first_response_minutes, resolution_minutes FROM sla_rules")}
        open_states = {s for s, t in db.execute("SELECT slug, type FROM tip_states") if t == "open"}
        return cls(stations, outposts, groups, officers, outpost_officers, logins, district_admins, sla, open_states)

    def station_by_name(self, name: str | None, rng: random.Random) -> int:
        for sid, sname in self.stations.items():
            if sname == name:
                return sid
        return rng.choice(sorted(self.stations))

    def all_groups(self) -> list[_Group]:
        return [g for sid in sorted(self.groups) for g in self.groups[sid]]


# --- time --------------------------------------------------------------------------------------


def _epoch(iso: str) -> int:
    return int(clock.parse(iso).timestamp())


_DAYS: dict[int, str] = {}
_CLOCK: dict[int, str] = {}


def _iso(t: float) -> str:
    """ISO-8601 UTC of epoch seconds (``strftime`` per row would be a good share of the generator's time)."""
    day, s = divmod(int(t), DAY)
    prefix = _DAYS.get(day)
    if prefix is None:
        prefix = _DAYS[day] = datetime.fromtimestamp(day * DAY, UTC).strftime("%Y-%m-%dT")
    clock = _CLOCK.get(s)
    if clock is None:
        clock = _CLOCK[s] = f"{s // HOUR:02d}:{s % HOUR // 60:02d}:{s % 60:02d}Z"
    return prefix + clock


def _local_day_start(now: int, days_back: int) -> int:
    """UTC epoch of local (Beijing) midnight ``days_back`` days before ``now``'s local day."""
    local_midnight = (now + LOCAL_OFFSET_S) // DAY * DAY
    return local_midnight - days_back * DAY - LOCAL_OFFSET_S


def _when_text(t: int) -> str:
    """A local time as a clerk writes it (:data:`INCIDENT_TIME_FORMAT`): ``2月25日20时许``."""
    local = datetime.fromtimestamp(t + LOCAL_OFFSET_S, UTC)
    return INCIDENT_TIME_FORMAT.format(month=local.month, day=local.day, hour=local.hour)


def _month(t: int) -> int:
    return datetime.fromtimestamp(t + LOCAL_OFFSET_S, UTC).month


def _office_time(rng: random.Random, now: int, days_back: int) -> int:
    """A sending time on a day ``days_back`` before now: weekdays and office hours mostly, some evenings."""
    for _ in range(3):  # weekends are quieter: redraw a weekend day twice out of three
        start = _local_day_start(now, days_back)
        weekday = datetime.fromtimestamp(start + LOCAL_OFFSET_S, UTC).weekday()
        if weekday < 5 or rng.random() < 0.35:
            break
        days_back = max(1, days_back + rng.choice((-2, -1, 1, 2)))
    r = rng.random()
    if r < 0.48:
        minute = rng.randint(8 * 60 + 30, 11 * 60 + 30)
    elif r < 0.86:
        minute = rng.randint(14 * 60 + 30, 17 * 60 + 30)
    else:
        minute = rng.randint(19 * 60, 21 * 60)
    return start + minute * MINUTE + rng.randint(0, 59)


# --- targets -----------------------------------------------------------------------------------


def _matches(g: _Group, t: Target) -> bool:
    """The filter part of :func:`lib.pushes.targeting._where` for one active group (station bound apart)."""
    if t.use_filter and ((not t.outpost_ids or g.outpost_id in t.outpost_ids)
                         and (not t.categories or g.category in t.categories)
                         and (not t.section_labels or g.section in t.section_labels)
                         and (not t.industry_labels or g.industry in t.industry_labels)):
        return True
    return g.id in t.group_ids


def _resolve(d: _District, target: Target, station_id: int | None) -> list[_Group]:
    """The groups a target reaches, as :func:`lib.pushes.targeting.resolve` finds them (active, by id)."""
    pool = d.groups.get(station_id, []) if station_id is not None else d.all_groups()
    if station_id is None and target.station_ids:
        pool = [g for g in pool if g.station_id in target.station_ids]
    return [g for g in pool if _matches(g, target)]


def _routine_target(d: _District, rng: random.Random, station_id: int, item: dict) -> tuple[Target, int | None]:
    """(target, outpost aimed at) for a routine station push; themed items go to their groups. A form that
    reaches no group at this station (the water police has no comprehensive grid) falls back to all."""
    theme = item.get("theme")
    if theme:
        target = Target(section_labels=list(theme.get("sections", [])), industry_labels=list(theme.get("industries", [])))
        if _resolve(d, target, station_id):
            return target, None
    form = rng.choices([f for f, _ in TARGET_FORMS], [w for _, w in TARGET_FORMS])[0]
    outposts = d.outposts.get(station_id, [])
    outpost = rng.choice(outposts)[0] if form == "outpost" and outposts else None
    target = {"outpost": Target(outpost_ids=[outpost]), "comprehensive": Target(categories=["comprehensive"]),
              "theme": Target(categories=["comprehensive", "dedicated"])}.get(form, Target())
    if _resolve(d, target, station_id):
        return target, outpost
    return Target(), None


def _appeal_target(d: _District, station_id: int, spec: dict) -> Target:
    """An appeal goes to the station's groups; a hit-and-run to its town's grids plus its transport firms
    (the program's case: 余东镇网格微信群 and the 运输企业护航群)."""
    if spec["lead_texts"] == "hit_and_run":
        picked = [g.id for g in d.groups.get(station_id, []) if g.industry in TRANSPORT_INDUSTRIES]
        return Target(categories=["comprehensive", "dedicated"], group_ids=picked[:200])
    return Target()


# --- photos ------------------------------------------------------------------------------------


def _photo(rng: random.Random, kind: str) -> bytes:
    """A plain drawing that stands in for an appeal's photo (no real face or plate): car-body fragments on
    asphalt, an ID-style silhouette, or a blurred surveillance still of a vehicle."""
    from PIL import Image, ImageDraw, ImageFilter

    w, h = _PHOTO_SIZE
    if kind == "fragments":
        img = Image.new("RGB", (w, h), (rng.randint(70, 90),) * 3)
        draw = ImageDraw.Draw(img)
        for _ in range(700):  # asphalt grain
            x, y, v = rng.randrange(w), rng.randrange(h), rng.randint(40, 130)
            draw.point((x, y), fill=(v, v, v))
        tone = rng.choice(((150, 152, 155), (200, 200, 198), (120, 124, 130)))
        for _ in range(rng.randint(3, 5)):
            cx, cy, r, n = rng.randint(60, w - 60), rng.randint(50, h - 70), rng.randint(25, 55), rng.randint(4, 7)
            angles = [2 * math.pi * k / n + rng.uniform(-0.3, 0.3) for k in range(n)]  # a jagged shard
            points = [(cx + r * math.cos(a) * rng.uniform(0.5, 1.1), cy + r * math.sin(a) * rng.uniform(0.5, 1.1))
                      for a in angles]
            draw.polygon(points, fill=tone, outline=(40, 40, 40))
        draw.rectangle((20, h - 40, w - 20, h - 25), fill=(230, 200, 40))  # a ruler for the scale
        for x in range(20, w - 20, 19):
            draw.line((x, h - 40, x, h - 33), fill=(30, 30, 30))
        return _jpeg(img)
    if kind == "cctv":
        img = Image.new("RGB", (w, h), (40, 44, 40))
        draw = ImageDraw.Draw(img)
        draw.polygon([(0, h), (w * 0.35, h * 0.35), (w * 0.65, h * 0.35), (w, h)], fill=(70, 72, 70))
        x0, y0 = rng.randint(90, 170), rng.randint(140, 170)
        color = rng.choice(((190, 190, 190), (230, 230, 230), (60, 60, 70)))
        draw.rectangle((x0, y0, x0 + 150, y0 + 60), fill=color)
        draw.rectangle((x0 + 25, y0 - 35, x0 + 115, y0), fill=color)
        for cx in (x0 + 30, x0 + 120):
            draw.ellipse((cx - 15, y0 + 45, cx + 15, y0 + 75), fill=(15, 15, 15))
        return _jpeg(img.filter(ImageFilter.GaussianBlur(2.5)).convert("L").convert("RGB"))
    # An ID-style silhouette: hair grey for the elderly, black otherwise.
    img = Image.new("RGB", (w, h), rng.choice(((225, 235, 245), (240, 240, 240), (210, 225, 240))))
    draw = ImageDraw.Draw(img)
    clothes = rng.choice(((40, 60, 110), (110, 30, 40), (60, 60, 60), (30, 90, 60)))
    cx, top, half = w / 2 + rng.randint(-20, 20), rng.randint(40, 70), rng.randint(48, 60)  # no two alike
    draw.ellipse((cx - 2.2 * half, h - 110, cx + 2.2 * half, h + 120), fill=clothes)
    draw.ellipse((cx - half, top, cx + half, top + 2.4 * half), fill=(228, 196, 170))
    hair = (200, 200, 200) if kind == "portrait_elderly" else (30, 30, 30)
    draw.chord((cx - half - 3, top - 7, cx + half + 3, top + 1.8 * half), 180, 360, fill=hair)
    return _jpeg(img)


def _jpeg(img) -> bytes:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=82)
    return out.getvalue()


# --- the plan ----------------------------------------------------------------------------------


@dataclass
class _Push:
    station_id: int | None
    category: str
    title: str
    body: str
    fields: dict
    target: Target
    author: int
    created: int
    state: str = "sent"
    appeal_kind: str | None = None
    reviewer: int | None = None
    submitted: int | None = None
    reviewed: int | None = None
    sent: int | None = None
    scheduled_for: int | None = None
    state_reason: str | None = None
    saves: int = 1
    updated: int | None = None  # the last change of a push not sent (drafts' autosaves, a withdrawal)
    photo: str | None = None
    spec: dict | None = None  # the appeal's script
    outpost_id: int | None = None
    groups: list[_Group] = field(default_factory=list)
    id: int = 0
    closed: int | None = None  # an appeal's closing (lib.pushes.appeals), with its outcome
    outcome: str | None = None


def _fill(text: str, values: dict) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def _texts(item: dict, values: dict) -> tuple[str, str, dict]:
    return (_fill(item["title"], values), _fill(item["body"], values),
            {k: _fill(v, values) for k, v in item.get("fields", {}).items()})


def _library() -> dict[str, list[dict]]:
    """The content library's items by category, as routine texts (anti-fraud and Q&A items get the
    fields their template requires from their tags)."""
    out: dict[str, list[dict]] = {}
    for item in json.loads((ROOT / "data" / "content_library.json").read_text(encoding="utf-8")):
        entry = {"title": item["title"], "body": item["body"]}
        if item["category"] == "anti_fraud":
            entry["fields"] = {"scam": item["tags"].replace(" ", "、") or item["title"],
                               "advice": LIBRARY_DEFAULTS["anti_fraud_advice"]}
        elif item["category"] == "qa":
            entry["fields"] = {"question": item["title"]}
        elif item["category"] == "prevention_tip":
            entry["fields"] = {"audience": LIBRARY_DEFAULTS["prevention_tip_audience"]}
        for word, months in LIBRARY_DEFAULTS["months_by_title_word"].items():  # a winter text is in season then
            if word in item["title"]:
                entry["months"] = months
        for word, theme in LIBRARY_DEFAULTS["theme_by_title_word"].items():  # a textile-market text goes there
            if word in item["title"]:
                entry["theme"] = theme
        out.setdefault(item["category"], []).append(entry)
    return out


def _pick_text(rng: random.Random, pool: list[dict], month: int, used: set[str]) -> dict:
    """A text of the pool fitting the month (seasonal ones preferred), avoiding the station's repeats."""
    fitting = [i for i in pool if month in i.get("months", (month,))]
    fresh = [i for i in fitting if i["title"] not in used] or fitting
    weights = [3 if "months" in i else 1 for i in fresh]
    item = rng.choices(fresh, weights)[0]
    used.add(item["title"])
    return item


def _values(d: _District, rng: random.Random, station_id: int | None, outpost: int | None = None) -> dict:
    name = d.stations.get(station_id, NAMES["district_police"])
    outposts = d.outposts.get(station_id, [])
    community = next((c for o, c in outposts if o == outpost), None) or (rng.choice(outposts)[1] if outposts else
                                                                         NAMES["fallback_community"])
    return {"station": name, "town": demo_tips._town_of(name), "community": community,
            "surname": rng.choice(demo.SURNAMES)}


def _reviewer(d: _District, rng: random.Random, station_id: int | None, author: int) -> int | None:
    """Four eyes: the station's admin, else a district admin — never the author (else another officer
    of the station, in a district seeded without logins)."""
    admins = [uid for uid, _, role in d.logins.get(station_id, []) if role == "station_admin" and uid != author]
    admins = admins or [uid for uid in d.district_admins if uid != author]
    if admins:
        return admins[0]
    others = [uid for uid in d.officers.get(station_id, []) if uid != author]
    return rng.choice(others) if others else None


def _author(d: _District, rng: random.Random, station_id: int, outpost: int | None = None) -> int:
    pool = d.outpost_officers.get(outpost, []) if outpost else []
    pool = pool or d.officers.get(station_id) or [uid for uid, _, _ in d.logins.get(station_id, [])]
    return rng.choice(pool)


def _approved(p: _Push, rng: random.Random, fast: bool) -> None:
    """Stamp submission, review and sending on a push that needs approval (appeals go out fast)."""
    p.submitted = p.created + (rng.randint(4, 20) if fast else rng.randint(10, 180)) * MINUTE
    p.reviewed = p.submitted + (rng.randint(3, 12) if fast else rng.randint(10, 240)) * MINUTE
    p.sent = p.reviewed + rng.randint(1, 8) * MINUTE


def _deck(n: int, weights: dict[str, float]) -> list[str]:
    """``n`` categories in proportion to ``weights`` (largest remainders), unshuffled."""
    total = sum(weights.values())
    exact = {k: n * w / total for k, w in weights.items()}
    counts = {k: int(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: counts[k] - exact[k])[:n - sum(counts.values())]:
        counts[k] += 1
    return [k for k in weights for _ in range(counts[k])]


def _plan(d: _District, rng: random.Random, now: int) -> list[_Push]:
    plans: list[_Push] = []
    library = _library()
    pools = {cat: library.get(cat, []) + items for cat, items in ROUTINE.items()}
    clerk_login = next(((sid, uid) for sid, ls in sorted(d.logins.items()) for uid, _, role in ls
                        if role == "clerk"), None)

    # District-wide pushes of the linkage center (none when the district has no admin to write them).
    if d.district_admins:
        author = d.district_admins[0]
        for item in DISTRICT:
            sent = (_local_day_start(now, item["days"]) + 9 * HOUR + 30 * MINUTE if item.get("launch")
                    else _office_time(rng, now, item["days"]))
            title, body, fields = _texts(item, {})
            target = Target() if item["target"] == "all" else Target(categories=["comprehensive"])
            plans.append(_Push(None, item["category"], title, body, fields, target, author,
                               created=sent - rng.randint(30, 600) * MINUTE, sent=sent, saves=rng.randint(1, 4)))

    # Routine pushes of every station, through the year (after the launch), dealt from one deck of
    # categories so that the year's mix is the intended one.
    stations = [sid for sid in sorted(d.stations) if d.groups.get(sid)]
    per_station = [rng.randint(*ROUTINE_PER_STATION) for _ in stations]
    deck = _deck(sum(per_station), CATEGORY_WEIGHTS)
    rng.shuffle(deck)
    for sid, n in zip(stations, per_station, strict=True):
        used: set[str] = set()
        for k in range(n):
            days_back = rng.randint(4, 355)
            sent = _office_time(rng, now, days_back)
            category = deck.pop()
            item = _pick_text(rng, pools[category], _month(sent), used)
            target, outpost = _routine_target(d, rng, sid, item)
            author = (clerk_login[1] if clerk_login and clerk_login[0] == sid and k < LOGIN_PUSHES
                      else _author(d, rng, sid, outpost))
            title, body, fields = _texts(item, _values(d, rng, sid, outpost))
            scheduled = None
            if rng.random() < 0.1:  # scheduled the day before for the morning or the evening
                local_start = _local_day_start(now, days_back)
                sent = local_start + rng.choice((8 * HOUR, 19 * HOUR + 30 * MINUTE))
                scheduled = sent
            plans.append(_Push(sid, category, title, body, fields, target, author,
                               created=sent - rng.randint(20, 1440) * MINUTE, sent=sent, scheduled_for=scheduled,
                               saves=rng.randint(1, 5), outpost_id=outpost))

    # Police bulletins: a station's, approved by someone else.
    bulletin_stations = rng.sample(sorted(s for s in d.stations if d.groups.get(s)), min(10, len(d.stations)))
    for n, sid in enumerate(bulletin_stations):
        item = BULLETINS[n % len(BULLETINS)]
        values = _values(d, rng, sid)
        title, body, fields = _texts(item, values)
        days_back = rng.randint(5, 350)
        incident = _office_time(rng, now, days_back + 1)
        fields["when"] = _when_text(incident)
        author = _author(d, rng, sid)
        p = _Push(sid, "police_bulletin", title, body, fields, Target(), author,
                  created=incident + rng.randint(2, 20) * HOUR, saves=rng.randint(1, 3))
        p.reviewer = _reviewer(d, rng, sid, author)
        _approved(p, rng, fast=False)
        plans.append(p)

    # Appeals: the scripted cases, at their stations.
    for spec in APPEALS:
        sid = d.station_by_name(spec["station"], rng)
        if not d.groups.get(sid):
            continue
        days_back = max(0, spec["days"] + rng.randint(-3, 3)) if spec["days"] > 5 else spec["days"]
        sent = _local_day_start(now, days_back) + spec["hour"] * HOUR + rng.randint(0, 50) * MINUTE
        sent = min(sent, now - 6 * HOUR)
        incident = sent - spec["incident_hours"] * HOUR - rng.randint(0, 40) * MINUTE
        outpost = rng.choice(d.outposts[sid])[0] if d.outposts.get(sid) else None
        values = {**_values(d, rng, sid, outpost), "when": _when_text(incident)}
        title, body, fields = _texts(spec, values)
        fields["when"] = _when_text(incident)
        fields["contact"] = f"{d.stations[sid]} 0513-8{rng.randrange(10**6, 10**7)}"
        author = (clerk_login[1] if spec.get("login") and clerk_login and clerk_login[0] == sid
                  else _author(d, rng, sid))
        p = _Push(sid, "appeal", title, body, fields, _appeal_target(d, sid, spec), author,
                  created=sent - rng.randint(20, 60) * MINUTE, appeal_kind=spec["kind"], photo=spec["photo"],
                  spec=spec, outpost_id=outpost, saves=rng.randint(2, 5))
        p.reviewer = _reviewer(d, rng, sid, author)
        _approved(p, rng, fast=True)
        shift = sent - p.sent  # keep the scripted sending time
        p.created, p.submitted, p.reviewed, p.sent = p.created + shift, p.submitted + shift, p.reviewed + shift, sent
        plans.append(p)

    plans += _in_progress(d, rng, now, pools, clerk_login)
    return plans


def _fit_budget(plans: list[_Push], rng: random.Random) -> None:
    """Keep the delivery rows within :data:`DELIVERY_BUDGET`. At the program's scale nothing changes; in a
    larger district (the benchmarks' 10x) every push reaches a hand-picked share of what its filter
    finds — a target a clerk may set too — so seeding stays fast and the database small (no figure
    reads deliveries at that scale)."""
    total = sum(len(p.groups) for p in plans if p.state == "sent")
    if total <= DELIVERY_BUDGET:
        return
    ratio = DELIVERY_BUDGET / total
    for p in plans:
        keep = min(MAX_PICKED, max(1, round(len(p.groups) * ratio)))
        if keep < len(p.groups):
            p.groups = sorted(rng.sample(p.groups, keep), key=lambda g: g.id)
            p.target = Target(group_ids=[g.id for g in p.groups], use_filter=False)


def _in_progress(d: _District, rng: random.Random, now: int, pools: dict, clerk_login) -> list[_Push]:
    """The last days' pushes still on their way, so that every state shows in the push log. Nothing waits
    for the demo station admin's review: the tests (and the demo) start from an empty queue there."""
    demo_station = clerk_login[0] if clerk_login else None
    others = [s for s in sorted(d.stations) if s != demo_station and d.groups.get(s)]
    if not others:
        return []
    out = []
    used: set[str] = set()

    def routine(sid, category, state, hours_ago, author=None):
        item = _pick_text(rng, pools[category], _month(now), used)
        target, outpost = _routine_target(d, rng, sid, item)
        title, body, fields = _texts(item, _values(d, rng, sid, outpost))
        created = now - hours_ago * HOUR - rng.randint(0, 50) * MINUTE
        saves = rng.randint(1, 4)
        return _Push(sid, category, title, body, fields, target, author or _author(d, rng, sid, outpost),
                     created=created, state=state, saves=saves, updated=created + saves * 3 * MINUTE,
                     outpost_id=outpost)

    # Drafts: one of the demo clerk's, one elsewhere.
    if clerk_login:
        out.append(routine(demo_station, "anti_fraud", "draft", 3, author=clerk_login[1]))
    out.append(routine(rng.choice(others), "news", "draft", 20))
    # Waiting for review, approved, rejected: police bulletins of other stations.
    for state, hours_ago in (("pending_review", 2), ("approved", 26), ("rejected", 50)):
        sid = rng.choice(others)
        item = BULLETINS[rng.randrange(len(BULLETINS))]
        title, body, fields = _texts(item, _values(d, rng, sid))
        created = now - hours_ago * HOUR - rng.randint(0, 50) * MINUTE
        fields["when"] = _when_text(created - rng.randint(3, 20) * HOUR)
        author = _author(d, rng, sid)
        p = _Push(sid, "police_bulletin", title, body, fields, Target(), author, created=created, state=state,
                  saves=rng.randint(1, 3))
        p.submitted = created + rng.randint(10, 60) * MINUTE
        if state != "pending_review":
            p.reviewer = _reviewer(d, rng, sid, author)
            p.reviewed = p.submitted + rng.randint(20, 180) * MINUTE
        if state == "rejected":
            p.state_reason = STATE_REASONS["rejected_bulletin"]
        out.append(p)
    # Scheduled for the next morning, 08:30, at least 12 hours ahead: the demo's worker sends it then. A
    # simulation that runs the worker until nothing is scheduled reaches it too: such tests remove it.
    sid = rng.choice(others)
    p = routine(sid, rng.choice(("prevention_tip", "health_tip", "legal_education")), "scheduled", 5)
    p.scheduled_for = _local_day_start(now, -1) + 8 * HOUR + 30 * MINUTE
    if p.scheduled_for - now < 12 * HOUR:
        p.scheduled_for += DAY
    out.append(p)
    # Withdrawn: a missing-person appeal the family called off before it went out (the person came home).
    sid = rng.choice(others)
    author = _author(d, rng, sid)
    created = now - 30 * HOUR
    values = {**_values(d, rng, sid), "when": _when_text(created - 2 * HOUR)}
    spec = APPEALS[3]
    title, body, fields = _texts(spec, values)
    fields["when"] = values["when"]
    fields["contact"] = f"{d.stations[sid]} 0513-8{rng.randrange(10**6, 10**7)}"
    p = _Push(sid, "appeal", title, body, fields, Target(), author, created=created, state="withdrawn",
              appeal_kind="missing_person", photo=spec["photo"], saves=2, updated=created + 95 * MINUTE,
              state_reason=STATE_REASONS["withdrawn_appeal"])
    out.append(p)
    return out


# --- rows --------------------------------------------------------------------------------------


def _version(p: _Push) -> int:
    steps = {"draft": 0, "pending_review": 1, "approved": 2, "rejected": 2, "scheduled": 1, "withdrawn": 1}
    if p.state == "sent":
        return 1 + p.saves + (2 if p.reviewer else 0) + (1 if p.scheduled_for else 0) + 2
    return 1 + p.saves + steps[p.state]


def _delays(median_s: float, sigma: float, n: int = 1000) -> tuple[int, ...]:
    """Quantiles of a log-normal delay: one ``random()`` per row picks one (a lognormvariate per row
    would be a good share of the generator's time at 40,000 rows)."""
    from statistics import NormalDist

    unit = NormalDist()
    return tuple(int(median_s * math.exp(sigma * unit.inv_cdf((k + 0.5) / n))) for k in range(n))


POSTED_DELAYS = _delays(25 * MINUTE, 0.9)  # a group's owner ticks the manual checklist: ~25 min, hours at times
FALLBACK_DELAYS = _delays(40 * MINUTE, 0.8)  # posted by hand after the robot gave up


def _deliveries(p: _Push, rng: random.Random, now: int) -> tuple[list[tuple], int]:
    """The delivery rows of a sent push (worker and checklist outcomes) and when the push finished."""
    rows = []
    finished = p.sent + rng.randint(1, 3)
    robot_n = 0
    next_at = _iso(p.sent)  # create_deliveries stamps every row due at the sending time
    random_ = rng.random
    posted, n_posted = POSTED_DELAYS, len(POSTED_DELAYS)
    for g in p.groups:
        if g.robot:
            robot_n += 1
            at = p.sent + 1 + robot_n // 4 + int(random_() * 3)  # four at a time, a second or so each
            if random_() >= ROBOT_FALLBACK_SHARE:
                finished = max(finished, at + 1)
                at_s = _iso(at)
                rows.append((p.id, g.id, g.station_id, "wecom_webhook", "sent", 2, 1, next_at, at_s, at_s,
                             None, None, None))
                continue
            gave_up = at + BACKOFF_TOTAL_S + rng.randint(0, 30)
            error = rng.choice(ROBOT_ERRORS)
            parts = 1 if error.startswith("part 2/") else 0  # the markdown went out, the poster did not
            finished = max(finished, gave_up + 1)
            confirmed = gave_up + rng.choice(FALLBACK_DELAYS)
            if confirmed < now and random_() < 0.7:
                rows.append((p.id, g.id, g.station_id, "manual", "confirmed", parts, 6, None, _iso(gave_up),
                             _iso(confirmed), _iso(confirmed), g.owner or p.author, error))
            else:
                rows.append((p.id, g.id, g.station_id, "manual", "queued", parts, 6, None, _iso(gave_up), None, None,
                             None, error))
            continue
        confirmed = p.sent + posted[int(random_() * n_posted)]
        if confirmed < now and random_() >= MANUAL_NEVER_TICKED:
            at_s = _iso(confirmed)
            rows.append((p.id, g.id, g.station_id, "manual", "confirmed", 0, 0, next_at, None, at_s, at_s,
                         g.owner or p.author, None))
        else:
            rows.append((p.id, g.id, g.station_id, "manual", "queued", 0, 0, next_at, None, None, None, None, None))
    return rows, min(finished, now)


def _push_row(p: _Push, finished: int | None, photo_ids: list[int]) -> tuple:
    if p.state == "sent":
        updated = finished
    else:
        updated = p.updated or max(t for t in (p.created, p.submitted, p.reviewed) if t is not None)
    return (p.id, p.station_id, p.category, p.appeal_kind, p.title, p.body,
            json.dumps(p.fields, ensure_ascii=False), json.dumps(photo_ids), json.dumps(p.target.to_dict()),
            p.state, p.state_reason, _iso(p.scheduled_for) if p.scheduled_for else None, len(p.groups),
            sum(g.members for g in p.groups), p.author, _iso(p.created), _iso(updated),
            _iso(p.submitted) if p.submitted else None, p.reviewer, _iso(p.reviewed) if p.reviewed else None,
            _iso(p.sent) if p.state == "sent" else None, _version(p),
            _iso(p.closed) if p.closed else None, p.outcome)


def _appeal_outcome(p: _Push, now: int) -> tuple[int | None, str | None]:
    """How a sent appeal ended, and when: a missing person is found hours after the first leads; a
    wanted notice or a case appeal is solved days later, or archived unclosed after 30 days (as the
    worker does, :func:`lib.pushes.appeals.expire`). Still running: (None, None)."""
    rng = random.Random(f"outcome:{p.title}:{p.sent}")
    if p.appeal_kind == "missing_person":
        closed, outcome = p.sent + p.spec["first"][1] * MINUTE + rng.randint(1, 8) * HOUR, "found"
    elif rng.random() < (0.6 if p.appeal_kind == "wanted" else 0.5):
        closed, outcome = p.sent + rng.randint(2, 25) * DAY + rng.randint(0, 8) * HOUR, "solved"
    else:
        closed, outcome = p.sent + 30 * DAY, "expired"
    return (closed, outcome) if closed < now else (None, None)


_PUSH_COLUMNS = ("id", "station_id", "category", "appeal_kind", "title", "body", "fields", "photo_file_ids",
                 "targeting", "state", "state_reason", "scheduled_for", "groups_targeted", "members_targeted",
                 "created_by", "created_at", "updated_at", "submitted_at", "reviewed_by", "reviewed_at", "sent_at",
                 "version", "appeal_closed_at", "appeal_outcome")
_INSERT_PUSH = f"INSERT INTO pushes ({', '.join(_PUSH_COLUMNS)}) VALUES ({', '.join('?' * len(_PUSH_COLUMNS))})"
_INSERT_DELIVERY = ("INSERT INTO deliveries (push_id, group_id, station_id, channel, state, parts_sent, attempts,"
                    " next_attempt_at, last_attempt_at, sent_at, confirmed_at, confirmed_by, error)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def _leads(d: _District, rng: random.Random, p: _Push, now: int) -> list[dict]:
    """The quick leads an appeal brought: times, grids and words (ids and codes come later)."""
    spec = p.spec
    n = rng.randint(*spec["leads"])
    times = [p.sent + rng.randint(spec["first"][0] * MINUTE, spec["first"][1] * MINUTE - 1)]
    for _ in range(n - 1):
        times.append(times[-1] + max(60, int(rng.expovariate(1 / (spec["gap"] * MINUTE)))))
    times = [t for t in times if t < now - 60]
    near = [g for g in p.groups if p.outpost_id is not None and g.outpost_id == p.outpost_id]
    weights = [max(1, g.members) for g in p.groups]
    texts = rng.sample(LEAD_TEXTS[spec["lead_texts"]], len(LEAD_TEXTS[spec["lead_texts"]]))  # no repeats
    out = []
    for i, t in enumerate(times):
        g = rng.choice(near) if near and rng.random() < 0.6 else rng.choices(p.groups, weights)[0]
        town = demo_tips._town_of(d.stations[g.station_id])
        place = rng.choice(demo_tips._places(g.grid, town, rng))
        text = _fill(texts[i % len(texts)], {
            "place": place, "town": town, "road": rng.choice(demo_tips.ROADS), "hub": rng.choice(demo_tips.HUBS),
            "color": rng.choice(demo_tips.COLORS), "vehicle": rng.choice(demo_tips.VEHICLES),
            "plate": demo_tips._plate(rng)})
        out.append({"at": t, "group": g, "text": text, "place": place})
    return out


def _tip_rows(d: _District, rng: random.Random, p: _Push, leads: list[dict], first_id: int, codes: list[str],
              now: int) -> tuple[list[tuple], list[tuple]]:
    rows, events = [], []
    kind, priority = "lead", tips.default_priority("lead")
    sla_minutes, resolution_minutes = d.sla.get((kind, priority), (24 * 60, 7 * 24 * 60))
    staff = [p.author] + [u for u in d.officers.get(p.station_id, []) if u != p.author][:5]
    for i, lead in enumerate(leads):
        tip_id, created, g = first_id + i, lead["at"], lead["group"]
        recent = now - created < 2 * DAY
        weights = STATES_RECENT if recent else STATES_OLD
        state = rng.choices(list(weights), list(weights.values()))[0]
        duplicate_of = None
        if state == "duplicate":
            if i == 0:
                state = "resolved" if not recent else "in_progress"
            else:
                duplicate_of = first_id + rng.randrange(i)  # the same sighting, sent twice
        is_open = int(state in d.open_states)
        first = min(now, created + rng.randint(1, 12) * MINUTE)
        closed_at = None
        if is_open:
            updated = min(now, first + rng.randint(5, 120) * MINUTE)
        else:
            closed_at = updated = min(now, first + int(rng.lognormvariate(math.log(3 * HOUR), 1.0)))
        assignee = staff[0] if rng.random() < 0.7 else rng.choice(staff)  # mostly the appeal's own officer
        if state == "triaged" or (state in ("duplicate", "rejected") and rng.random() < 0.5):
            assignee = None
        anonymous = rng.random() < 0.35
        name = None if anonymous or rng.random() < 0.2 else demo_tips._person(rng)
        phone = None if anonymous else rng.choice(demo_tips.PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        grid = g.grid
        lat = lon = None
        if grid["lat"] is not None and rng.random() < 0.6:
            lat = round(grid["lat"] + max(-0.9, min(0.9, rng.gauss(0, 0.4))) * grid["half"][0], 5)
            lon = round(grid["lon"] + max(-0.9, min(0.9, rng.gauss(0, 0.4))) * grid["half"][1], 5)
        happened = None
        if rng.random() < 0.6:
            seen = created - rng.randint(2, 30) * MINUTE + LOCAL_OFFSET_S
            happened = datetime.fromtimestamp(seen, UTC).strftime("%Y-%m-%d %H:%M")
        rating = None
        if state in ("resolved", "closed") and not anonymous and rng.random() < 0.5:
            rating = rng.choices([r for r, _ in RATINGS], [w for _, w in RATINGS])[0]
        resolve_due = _iso(created + resolution_minutes * MINUTE)
        rows.append((
            tip_id, codes[i], kind, priority, tips.PRIORITY_RANK[priority], state, is_open, "qr", lead["text"],
            lead["place"] if rng.random() < 0.8 else None, grid["id"], lat, lon, happened, g.station_id, assignee,
            p.id, int(anonymous), name, phone, rating, duplicate_of, _iso(created), _iso(updated),
            _iso(created + sla_minutes * MINUTE), _iso(first), _iso(closed_at) if closed_at else None, None,
            demo_tips.VERSION_OF[state], 2, resolve_due, resolve_due))
        # Every lead was answered within minutes: a call-back when the sender left a phone, else a reply.
        if phone:
            events.append((tip_id, _iso(first), assignee, "callback", 0, LEAD_CALLBACK, None))
        else:
            events.append((tip_id, _iso(first), assignee, "reply", 1, LEAD_ACK, None))
        reason = rng.choice(REJECT_LEAD) if state == "rejected" else None
        events.append((tip_id, _iso(updated), assignee, "state", 0, reason,
                       json.dumps({"action": demo_tips.ACTION_TO[state], "to": state})))
        if state in ("resolved", "closed"):
            events.append((tip_id, _iso(closed_at), assignee, "reply", 1,
                           rng.choice(LEAD_REPLIES[p.appeal_kind]), None))
    return rows, events


# --- writing -----------------------------------------------------------------------------------


def generate(db: sqlite_utils.Database, *, seed: int = DEFAULT_SEED, now: str | None = None) -> dict:
    """Write the demo year of pushes, their deliveries and the appeals' leads into a seeded district.

    Returns the counts (``pushes``, ``deliveries``, ``tips``, ``files``). Ids follow the existing rows;
    tracking codes avoid the existing ones. One write transaction (a savepoint inside the caller's).
    """
    rng = random.Random(f"demo_pushes:{seed}")
    now_s = _epoch(now or utcnow())
    d = _District.read(db)
    if not d.groups:
        raise ValueError("demo pushes need a seeded district (no active groups)")
    plans = _plan(d, rng, now_s)
    plans.sort(key=lambda p: (p.created, p.title))
    first_push = (db.execute("SELECT MAX(id) FROM pushes").fetchone()[0] or 0) + 1
    for k, p in enumerate(plans):
        p.id = first_push + k
        p.groups = _resolve(d, p.target, p.station_id)
    _fit_budget(plans, rng)

    counts = {"pushes": len(plans), "deliveries": 0, "tips": 0, "files": 0}
    with write_transaction(db):
        push_rows, delivery_rows = [], []
        appeals: list[_Push] = []
        for p in plans:
            photo_ids = []
            if p.photo:
                photo_ids = [files.store_image(db, p.author, _photo(rng, p.photo))]
                db.execute("UPDATE files SET created_at = ? WHERE id = ?", [_iso(p.created), photo_ids[0]])
                counts["files"] += 1
            finished = None
            if p.state == "sent":
                rows, finished = _deliveries(p, rng, now_s)
                delivery_rows += rows
                if p.spec:
                    appeals.append(p)
                    p.closed, p.outcome = _appeal_outcome(p, now_s)
            push_rows.append(_push_row(p, finished, photo_ids))
        db.conn.executemany(_INSERT_PUSH, push_rows)
        # The CHECK constraints' IN lists cost most of an insert (see lib.demo.demo_tips): these rows are valid
        # by construction (tests/test_demo_pushes.py checks them), so skip the checks while writing them.
        db.execute("PRAGMA ignore_check_constraints = ON")
        try:
            db.conn.executemany(_INSERT_DELIVERY, delivery_rows)
        finally:
            db.execute("PRAGMA ignore_check_constraints = OFF")
        counts["deliveries"] = len(delivery_rows)

        leads = [(p, _leads(d, rng, p, now_s)) for p in appeals]
        n = sum(len(ls) for _, ls in leads)
        codes = demo_tips._codes(rng, n, {r[0] for r in db.execute("SELECT tracking_code FROM tips")})
        next_id = (db.execute("SELECT MAX(id) FROM tips").fetchone()[0] or 0) + 1
        tip_rows, event_rows = [], []
        for p, ls in leads:
            rows, evs = _tip_rows(d, rng, p, ls, next_id, codes[:len(ls)], now_s)
            codes = codes[len(ls):]
            next_id += len(ls)
            tip_rows += rows
            event_rows += evs
        db.conn.executemany(demo_tips._INSERT_TIP, tip_rows)
        db.conn.executemany(demo_tips._INSERT_EVENT, event_rows)
        counts["tips"] = len(tip_rows)
    return counts


def generate_demo_year(db: sqlite_utils.Database, seed: int = DEFAULT_SEED, now: str | None = None) -> int:
    """The demo district's year of pushes (with deliveries and the appeals' leads); returns how many pushes."""
    return generate(db, seed=seed, now=now)["pushes"]
