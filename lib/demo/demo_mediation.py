"""Demo mediation cases: a deterministic year of remote video mediation (远程视频调解) for the demo district.

:func:`generate_demo_year` writes about one case a year per 630 group members (~350 for 220,000 members)
into a seeded district whose demo tips already exist (:mod:`lib.demo.demo_tips`), as :func:`lib.demo.demo.seed`
calls it. What makes them realistic:

- **where**: stations by residents; about 10% of cases have a party abroad, most of them at Sanxing and
  Dieshiqiao, whose textile merchants trade in Kenya, Nigeria, the UAE … (the program's own case: a
  Haimen merchant in Kenya beaten by a fellow townsman over bedding sales, mediated by video);
- **what**: the dispute types of the ``dispute_types`` taxonomy in a plausible mix, Chinese summaries,
  agreements with amounts where money is at stake;
- **from tips**: about a quarter come from demo tips of kind request/complaint that read like a dispute
  (renovation noise, blocked corridors, spoilt food …), linked, with the tip's description as summary and
  a ``mediation_opened`` event on the tip;
- **how far along**: each case lives a timeline — opened, a session planned a few days later at an hour
  that suits every party's zone, sometimes missed and planned again, held, settled (3 in 4) or not,
  closed days later; some withdrawn — cut at ``now``, so old cases are closed and recent ones open, with
  sessions still to come.

Same database, seed and ``now``: same cases. Rows are plain SQL inside the caller's transaction.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta, timezone

import sqlite_utils

from lib.core import auth, clock
from lib.core.clock import utcnow
from lib.core.db import write_transaction
from lib.demo import demo
from lib.i18n import i18n
from lib.mediation import mediation, timezones

CASES_PER_MEMBER_YEAR = 0.0016  # 220,000 members → ~350 cases a year, about one a day district-wide
LINKED_SHARE = 0.25
ABROAD_STATIONS = {"三星派出所": 0.45, "叠石桥派出所": 0.45}  # share of cases with a party abroad
ABROAD_ELSEWHERE = 0.09
YEAR_S = 365 * 86400
HOUR, DAY = 3600, 86400

TYPE_WEIGHTS = {"neighbour": 22, "family_marriage": 10, "property_debt": 12, "labour_wage": 8,
                "traffic_accident": 12, "land_homestead": 6, "tenancy": 7, "consumer": 8, "online_shopping": 4,
                "commercial_trade": 5, "fight_minor_injury": 4, "other": 2}
ABROAD_TYPE_WEIGHTS = {"commercial_trade": 40, "property_debt": 25, "fight_minor_injury": 15, "family_marriage": 10,
                       "online_shopping": 10}
# country: (weight, calling-code prefix and digits, the local language)
ABROAD = {"KE": (30, "+254 7", 8, "sw"), "NG": (12, "+234 80", 8, "en"), "AE": (12, "+971 5", 8, "ar"),
          "TZ": (8, "+255 7", 8, "sw"), "ZA": (8, "+27 8", 8, "en"), "ID": (8, "+62 8", 10, "id"),
          "VN": (6, "+84 9", 8, "vi"), "ET": (5, "+251 9", 8, "en"), "IT": (5, "+39 3", 9, "it"),
          "ES": (3, "+34 6", 8, "es"), "US": (3, "+1 ", 10, "en")}
WITH_AMOUNT = {"property_debt", "labour_wage", "traffic_accident", "tenancy", "consumer", "online_shopping",
               "commercial_trade", "fight_minor_injury", "other"}
SUMMARIES = {
    "neighbour": ("{a}反映楼上住户{b}家卫生间长期渗水，导致其家天花板霉变，多次协商未果。",
                  "{a}与邻居{b}因楼道堆放杂物、占用公共通道发生争执，双方情绪激动。",
                  "{a}称邻居{b}装修噪音持续到深夜，影响家中老人休息，双方多次争吵。"),
    "family_marriage": ("{a}与{b}系夫妻，因家庭琐事及子女抚养问题长期矛盾，{a}请求民警帮助调解。",
                        "{a}与其兄{b}因赡养老母亲的费用分担问题发生矛盾。"),
    "property_debt": ("{a}称{b}去年借款{amount}元，约定半年归还，至今未还，多次催讨无果。",
                      "{a}与{b}合伙经营期间账目不清，双方对{amount}元款项归属有争议。"),
    "labour_wage": ("{a}等工人反映在{b}承包的工地务工，被拖欠工资{amount}元。",
                    "{a}在{b}经营的家纺加工厂工作，离职后工资{amount}元未结清。"),
    "traffic_accident": ("{a}骑电动自行车与{b}驾驶的小轿车发生刮擦，{a}手臂擦伤，双方对医药费、误工费赔偿有争议。",
                         "{b}倒车时撞坏{a}停放的车辆，双方对维修费用{amount}元的承担有分歧。"),
    "land_homestead": ("{a}与{b}两家因宅基地界址及围墙砌筑位置发生争议。",
                       "{a}与{b}因承包地边界及排水沟占用问题发生纠纷。"),
    "tenancy": ("{a}将房屋出租给{b}，{b}拖欠房租{amount}元并拒绝搬离。",
                "{a}租住{b}的房屋，退租时{b}以损坏家具为由扣留押金{amount}元。"),
    "consumer": ("{a}在{b}经营的店铺购买的电动车电池使用一周即损坏，商家拒绝退换。",
                 "{a}在{b}经营的饭店就餐后身体不适，要求赔偿医药费{amount}元。"),
    "online_shopping": ("{a}通过网店向{b}订购床上用品一批，收货后发现质量与样品不符，要求退款{amount}元。",),
    "commercial_trade": ("{a}与{b}均在{country}经营家纺生意，因{b}拖欠货款{amount}元发生纠纷。",
                         "{a}向{b}供应家纺面料，{b}以质量问题为由拒付货款{amount}元。"),
    "fight_minor_injury": ("{a}与同乡{b}在{country}经商，因销售同类床上用品发生矛盾，{b}到{a}仓库滋事，将其打致轻微伤。",
                           "{a}与{b}酒后发生口角并互相推搡，{a}面部轻微伤，要求赔偿医药费{amount}元。"),
    "other": ("{a}家的狗咬伤{b}，双方就疫苗费、误工费等赔偿{amount}元发生争议。",),
}
SETTLED = ("经调解，双方达成协议：{b}于{days}日内向{a}支付{amount}元，双方就此事不再发生纠纷。",
           "经调解，双方达成协议：{b}一次性支付{a}{amount}元，当场履行完毕。")
SETTLED_NO_MONEY = ("经调解，双方互谅互让，{b}当面向{a}赔礼道歉，并承诺今后不再发生类似行为。",
                    "经调解，双方就争议事项达成一致，签订调解协议书，由社区民警跟踪回访。")
NOT_SETTLED = ("双方对赔偿金额分歧较大，调解未成，已告知当事人可向人民法院提起诉讼。",
               "被申请人拒绝接受调解方案，已告知申请人可通过诉讼途径解决。",
               "双方各执一词，调解未成，已引导至区人民调解中心进一步调处。")
WITHDRAWN = ("双方已自行和解，申请人撤回调解申请。", "申请人表示由村（居）委会调解解决，撤回申请。")
MISSED = ("被申请人未按时上线，约定改期。", "对方网络中断，无法继续，约定改期。")
CANCELLED = ("当事人临时有事，申请改期。",)
# Tips whose words mark them as a dispute a mediation could settle, and its type.
TIP_KEYWORDS = (("装修", "neighbour"), ("堆满杂物", "neighbour"), ("地锁", "neighbour"), ("扰民", "neighbour"),
                ("高空抛物", "neighbour"), ("过期食品", "consumer"), ("拉肚子", "consumer"), ("假冒名牌", "consumer"),
                ("群租", "tenancy"))


def _iso(seconds: int) -> str:
    return clock.stamp(datetime.fromtimestamp(seconds, UTC))


def _epoch(iso: str) -> int:
    return int(clock.parse(iso).timestamp())


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _amount(rng: random.Random) -> int:
    return max(300, round(rng.lognormvariate(8.8, 0.8) / 100) * 100)  # median ~6,600 yuan


class _District:
    """What cases are drawn from, read once: stations by residents, officers and logins by station,
    and the demo tips that read like disputes."""

    def __init__(self, db: sqlite_utils.Database, now: int):
        self.stations = {sid: name for sid, name in db.execute("SELECT id, name FROM units WHERE kind = 'station'"
                                                                " ORDER BY id")}
        residents = dict(db.execute("SELECT station_id, SUM(population) FROM grids GROUP BY station_id"))
        self.weights = {sid: max(1, residents.get(sid) or 0) for sid in self.stations}
        self.logins, self.officers = demo.staff_by_station(db)
        like = " OR ".join("description LIKE ?" for _ in TIP_KEYWORDS)
        self.tips = list(db.execute(
            "SELECT id, station_id, description, created_at, is_anonymous, contact_name, contact_phone, created_by"
            f" FROM tips WHERE kind IN ('request', 'complaint') AND station_id IS NOT NULL AND state != 'duplicate'"
            f" AND created_at < ? AND ({like}) ORDER BY id",
            [_iso(now - DAY), *(f"%{word}%" for word, _ in TIP_KEYWORDS)]))


class _Writer:
    """Collects the rows of all cases, then numbers the cases and writes everything at once."""

    def __init__(self, db: sqlite_utils.Database):
        self.case_id = db.execute("SELECT COALESCE(MAX(id), 0) FROM mediation_cases").fetchone()[0]
        self.session_id = db.execute("SELECT COALESCE(MAX(id), 0) FROM mediation_sessions").fetchone()[0]
        self.cases: list[dict] = []
        self.parties: list[tuple] = []
        self.sessions: list[tuple] = []
        self.events: list[tuple] = []  # (case_id, at, user_id, kind, text, data dict)
        self.tip_events: list[tuple] = []


def _party(rng: random.Random, role: str, name: str, country: str | None = None, phone: str | None = None) -> dict:
    if country:
        _, prefix, digits, language = ABROAD[country]
        phone = phone or prefix + f"{rng.randrange(10 ** digits):0{digits}d}"
        language = language if rng.random() < 0.15 else "zh"  # mostly Haimen people abroad
    else:
        phone = phone or demo._phone(rng)
        language = "zh"
    return {"role": role, "name": name, "phone": phone, "country": country or "CN",
            "time_zone": timezones.zone_for_country(country or "CN"), "language": language, "note": None}


_SPANS: dict[frozenset, list[tuple[int, int]]] = {}


def _start_minutes(zones: list[str], duration: int, rng: random.Random) -> int:
    """A Beijing minute of the day, on the half hour, when a session of ``duration`` suits every zone."""
    key = frozenset(zones)
    if key not in _SPANS:
        # One reference day: the demo's zones shift by an hour at most over the year.
        _SPANS[key] = [(int(a[:2]) * 60 + int(a[3:]), int(b[:2]) * 60 + int(b[3:]))
                       for a, b in timezones.common_window(list(key), date(2026, 3, 1))]
    starts = [m for a, b in _SPANS[key] for m in range(a, b - duration + 1, 30) if 9 * 60 <= m <= 20 * 60] or \
        [m for a, b in _SPANS[key] for m in range(a, b - duration + 1, 30)] or [15 * 60]
    return rng.choice(starts)


def _session_at(after: int, zones: list[str], duration: int, rng: random.Random) -> int:
    """A session start 1–10 days after ``after`` at a suitable Beijing hour (epoch seconds)."""
    day = (after + 8 * HOUR) // DAY + rng.randint(1, 10)  # a Beijing day
    return day * DAY - 8 * HOUR + _start_minutes(zones, duration, rng) * 60


def _one_case(rng: random.Random, d: _District, w: _Writer, now: int, created: int, station_id: int,
              dispute_type: str, parties: list[dict], summary: str, tip: tuple | None, claimed: int | None) -> None:
    """One case's life from ``created`` on, cut at ``now``: its rows go to the writer. ``claimed``: the
    sum in dispute, of which an agreement pays 60–100%."""
    w.case_id += 1
    cid = w.case_id
    logins, officers = d.logins.get(station_id, []), d.officers.get(station_id, [])
    pool = logins if logins and rng.random() < 0.3 else (officers or logins)
    mediator = rng.choice(pool) if pool else None
    a, b = parties[0]["name"], parties[1]["name"]
    amount = round(claimed * rng.uniform(0.6, 1.0) / 100) * 100 if claimed else None
    case = {"id": cid, "station_id": station_id, "tip_id": tip[0] if tip else None,
            "title": f"{a[0]}某与{b[0]}某{i18n.term('dispute_types', dispute_type, 'zh')}",
            "dispute_type": dispute_type, "summary": summary, "state": "accepted", "is_open": 1,
            "mediator_user_id": mediator, "outcome": None, "agreement_amount": None,
            "created_by": tip[7] if tip and tip[7] else mediator, "created_at": _iso(created), "closed_at": None}
    w.cases.append(case)
    for p in parties:
        w.parties.append((cid, p["role"], p["name"], p["phone"], p["country"], p["time_zone"], p["language"],
                          p["note"], _iso(created), _iso(created)))
    events = [(created, "created", None, {"tip_id": case["tip_id"]})]
    zones = [p["time_zone"] for p in parties]
    abroad = any(p["country"] != "CN" for p in parties)
    platform_weights = {"wechat": 60, "tencent_meeting": 30, "wecom": 10} if abroad else \
        {"wechat": 50, "tencent_meeting": 20, "wecom": 20, "police_messenger": 10}
    withdraw_at = created + rng.randint(12 * HOUR, 8 * DAY) if rng.random() < 0.08 else None
    planned_at = created + rng.randint(6 * HOUR, 7 * DAY)  # reaching every party takes days, abroad more
    held = None
    for attempt in range(2):
        if withdraw_at and withdraw_at < planned_at or planned_at > now:
            break
        duration = rng.choice((60, 60, 60, 45, 90, 30))
        starts = _session_at(planned_at, zones, duration, rng)
        platform = _weighted(rng, platform_weights)
        room = {"tencent_meeting": "腾讯会议 ", "wecom": "企业微信会议 "}.get(platform)
        room = room and room + f"{rng.randrange(100, 999)} {rng.randrange(100, 999)} {rng.randrange(100, 999)}"
        w.session_id += 1
        session = [w.session_id, cid, _iso(starts), duration, platform, room, "planned", None, mediator,
                   _iso(planned_at), None, None]
        w.sessions.append(session)
        case["state"] = "scheduled"
        events.append((planned_at, "session_planned", None,
                       {"session_id": w.session_id, "starts_at": _iso(starts), "duration": duration,
                        "platform": platform}))
        recorded_at = starts + duration * 60 + rng.randint(10 * 60, 3 * HOUR)
        if withdraw_at and withdraw_at < recorded_at:
            if withdraw_at <= now:
                session[6:8], session[10:12] = ["cancelled", None], [mediator, _iso(withdraw_at)]
            break
        if recorded_at > now:
            break  # still to come, or waiting for its result
        result = "held" if attempt == 1 or rng.random() < 0.8 else rng.choice(("missed", "cancelled"))
        note = rng.choice(MISSED) if result == "missed" else rng.choice(CANCELLED) if result == "cancelled" else None
        session[6:8], session[10:12] = [result, note], [mediator, _iso(recorded_at)]
        events.append((recorded_at, "session_recorded", note,
                       {"session_id": w.session_id, "result": result, "starts_at": _iso(starts)}))
        if result == "held":
            held = recorded_at
            break
        planned_at = recorded_at + rng.randint(HOUR, DAY)
    if withdraw_at and withdraw_at <= now and held is None:
        case.update(state="withdrawn", is_open=0, closed_at=_iso(withdraw_at))
        events.append((withdraw_at, "state", rng.choice(WITHDRAWN), {"action": "withdraw", "to": "withdrawn"}))
    elif held is not None:
        decided = held + rng.randint(5 * 60, HOUR)
        if decided <= now:
            fill = {"a": a, "b": b, "amount": f"{amount:,}" if amount else "", "days": rng.choice((3, 7, 15, 30))}
            if rng.random() < 0.75:
                case.update(state="settled", agreement_amount=float(amount) if amount else None,
                            outcome=rng.choice(SETTLED if amount else SETTLED_NO_MONEY).format(**fill))
                data = {"action": "settle", "to": "settled"} | ({"amount": float(amount)} if amount else {})
            else:
                case.update(state="not_settled", outcome=rng.choice(NOT_SETTLED))
                data = {"action": "fail", "to": "not_settled"}
            events.append((decided, "state", case["outcome"], data))
            # A settled case is closed once the agreement is carried out (payments take weeks).
            closed = decided + (rng.randint(7 * DAY, 60 * DAY) if case["state"] == "settled"
                                else rng.randint(2 * DAY, 14 * DAY))
            if closed <= now:
                case.update(state="closed", is_open=0, closed_at=_iso(closed))
                events.append((closed, "state", None, {"action": "close", "to": "closed"}))
    events.sort(key=lambda e: e[0])
    case["version"], case["updated_at"] = len(events), _iso(events[-1][0])
    for at, kind, text, data in events:
        w.events.append((cid, at, mediator if kind != "created" else case["created_by"], kind, text, data))


def generate_cases(db: sqlite_utils.Database, *, n: int, seed: int, now: str) -> int:
    """Write ``n`` cases over the year before ``now`` into a seeded district with its demo tips
    (about :data:`LINKED_SHARE` of them made from tips); return how many."""
    if n <= 0:
        return 0
    rng = random.Random(f"mediation:{seed}")
    now_s = _epoch(now)
    d = _District(db, now_s)
    if not d.stations:
        raise ValueError("generate_cases needs a seeded district (no stations)")
    w = _Writer(db)
    linked = rng.sample(d.tips, min(len(d.tips), round(n * LINKED_SHARE)))
    for tip in sorted(linked):
        station_id, description, tip_created = tip[1], tip[2], _epoch(tip[3])
        dispute_type = next(t for word, t in TIP_KEYWORDS if word in description)
        created = min(now_s - HOUR, tip_created + rng.randint(HOUR, 2 * DAY))
        named = not tip[4] and tip[5]
        applicant = _party(rng, "applicant", tip[5] if named else demo._person(rng), phone=tip[6] if named else None)
        respondent = _party(rng, "respondent", demo._person(rng))
        _one_case(rng, d, w, now_s, created, station_id, dispute_type, [applicant, respondent], description, tip,
                  _amount(rng) if dispute_type in WITH_AMOUNT else None)
    station_ids = list(d.weights)
    station_weights = list(d.weights.values())
    for _ in range(n - len(linked)):
        station_id = rng.choices(station_ids, weights=station_weights)[0]
        created = now_s - int(YEAR_S * rng.random() ** 0.8)  # a little busier lately, as the program grows
        abroad = rng.random() < ABROAD_STATIONS.get(d.stations[station_id], ABROAD_ELSEWHERE)
        dispute_type = _weighted(rng, ABROAD_TYPE_WEIGHTS if abroad else TYPE_WEIGHTS)
        country = _weighted(rng, {c: v[0] for c, v in ABROAD.items()}) if abroad else None
        a_name, b_name = demo._person(rng), demo._person(rng)
        while b_name[0] == a_name[0]:
            b_name = demo._person(rng)
        abroad_role = rng.choice(("applicant", "respondent", "respondent")) if abroad else None
        parties = [_party(rng, "applicant", a_name, country if abroad_role == "applicant" else None),
                   _party(rng, "respondent", b_name, country if abroad_role == "respondent" else None)]
        if dispute_type == "fight_minor_injury" and abroad:
            # Both sides abroad, as in the program's Kenya case: fellow townsmen trading in one market.
            parties[0] = _party(rng, "applicant", a_name, country)
            parties[1] = _party(rng, "respondent", b_name, country)
        if rng.random() < 0.12:
            parties.append(_party(rng, "other", demo._person(rng)))
        claimed = _amount(rng) if dispute_type in WITH_AMOUNT else None
        summary = rng.choice(SUMMARIES[dispute_type]).format(
            a=a_name, b=b_name, amount=f"{claimed or 0:,}", country=i18n.t(f"mediation.country.{country or 'CN'}", "zh"))
        _one_case(rng, d, w, now_s, created, station_id, dispute_type, parties, summary, None, claimed)
    _write(db, w)
    return len(w.cases)


def _write(db: sqlite_utils.Database, w: _Writer) -> None:
    """Number the cases per station and Beijing year in opening order, then insert every row."""
    numbers: dict[tuple[int, int], int] = {}
    for sid, year, seq in db.execute("SELECT station_id, case_year, MAX(case_seq) FROM mediation_cases"
                                     " GROUP BY station_id, case_year"):
        numbers[(sid, year)] = seq
    short = {sid: mediation.station_short_name(name) for sid, name in db.execute("SELECT id, name FROM units")}
    case_no = {}
    for case in sorted(w.cases, key=lambda c: (c["created_at"], c["id"])):
        year = int(timezones.to_beijing(case["created_at"]).year)
        seq = numbers[(case["station_id"], year)] = numbers.get((case["station_id"], year), 0) + 1
        case.update(case_year=year, case_seq=seq, case_no=f"{short[case['station_id']]}-{year}-{seq:04d}")
        case_no[case["id"]] = case["case_no"]
        if case["tip_id"]:
            w.tip_events.append((case["tip_id"], case["created_at"], case["created_by"], "mediation_opened", 0, None,
                                 json.dumps({"case_id": case["id"], "case_no": case["case_no"]})))
    columns = list(w.cases[0]) if w.cases else []
    with write_transaction(db):
        if columns:
            db.conn.executemany(f"INSERT INTO mediation_cases ({', '.join(columns)}) VALUES"
                                f" ({', '.join('?' * len(columns))})", [list(c.values()) for c in w.cases])
        db.conn.executemany("INSERT INTO mediation_parties (case_id, role, name, phone, country, time_zone, language,"
                            " note, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", w.parties)
        db.conn.executemany("INSERT INTO mediation_sessions (id, case_id, starts_at, duration_minutes, platform, room,"
                            " state, note, created_by, created_at, recorded_by, recorded_at)"
                            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", w.sessions)
        db.conn.executemany(
            "INSERT INTO mediation_events (case_id, at, user_id, kind, text, data) VALUES (?, ?, ?, ?, ?, ?)",
            [(cid, _iso(at), uid, kind, text,
              json.dumps({**data, "case_no": case_no[cid]} if kind == "created" else data, ensure_ascii=False))
             for cid, at, uid, kind, text, data in w.events])
        db.conn.executemany("INSERT INTO tip_events (tip_id, at, user_id, kind, is_public, text, data)"
                            " VALUES (?, ?, ?, ?, ?, ?, ?)", w.tip_events)


def demo_year_count(db: sqlite_utils.Database) -> int:
    """How many cases a year the district's groups bring: ~0.0016 per member (220,000 → ~350)."""
    members = db.execute("SELECT COALESCE(SUM(member_count), 0) FROM chat_groups WHERE status = 'active'").fetchone()[0]
    return max(20, round(members * CASES_PER_MEMBER_YEAR))


def generate_demo_year(db: sqlite_utils.Database, seed: int = demo.DEFAULT_SEED, now: str | None = None) -> int:
    """The demo district's year of mediation cases (scales with the groups' members). Deterministic
    for the database, ``seed`` and ``now``; returns the count."""
    now = now or utcnow()
    count = generate_cases(db, n=demo_year_count(db), seed=seed, now=now)
    return count + _showcase(db, now)


def _showcase(db: sqlite_utils.Database, now: str) -> int:
    """Three current cases of the demo clerk's station, made through lib.mediation.mediation as a clerk would
    (so that a newcomer logged in as ``clerk`` finds work in progress): one just accepted, one with
    a video session in two days with a party in Kenya, one settled and waiting to be closed."""
    clerk = auth.load_user(db, "clerk")
    if clerk is None or clerk.station_id is None:
        return 0
    beijing = datetime.fromisoformat(now).astimezone(timezone(timedelta(hours=8)))
    made = [
        mediation.open_case(db, clerk, {"title": "黄某与陆某宅基地界址纠纷", "dispute_type": "land_homestead",
                                        "summary": "两户相邻，翻建围墙时对界址有争议，双方多次争吵，村网格员报来希望调解。"},
                            [{"role": "applicant", "name": "黄建新", "phone": "13862811203"},
                             {"role": "respondent", "name": "陆永明", "phone": "13776902318"}]),
        mediation.open_case(db, clerk, {"title": "龚某与唐某货款纠纷", "dispute_type": "commercial_trade",
                                        "summary": "龚某在肯尼亚内罗毕经营家纺批发，唐某拖欠货款 8.6 万元；唐某现在国内，"
                                                   "顾某无法回国，申请远程视频调解。"},
                            [{"role": "applicant", "name": "龚卫国", "phone": "+254722618430", "country": "KE"},
                             {"role": "respondent", "name": "唐志强", "phone": "13962817745"}]),
        mediation.open_case(db, clerk, {"title": "施某与季某车辆剐蹭赔偿纠纷", "dispute_type": "traffic_accident",
                                        "summary": "小区内倒车剐蹭，双方对维修费用有分歧。"},
                            [{"role": "applicant", "name": "施红梅", "phone": "13506281190"},
                             {"role": "respondent", "name": "季卫东", "phone": "13951302247"}]),
    ]
    kenya = made[1]
    when = (beijing + timedelta(days=2)).strftime("%Y-%m-%d") + " 15:00"  # 10:00 in Nairobi
    mediation.schedule_session(db, clerk, kenya["id"], kenya["version"], when, platform="tencent_meeting",
                               room="腾讯会议 582 316 907", now=now)
    settled = made[2]
    held = (beijing - timedelta(days=1)).strftime("%Y-%m-%d") + " 10:00"
    session = mediation.schedule_session(db, clerk, settled["id"], settled["version"], held,
                                         now=clock.stamp(clock.parse(now) - timedelta(days=3)))
    session_id = db.execute("SELECT id FROM mediation_sessions WHERE case_id = ?", [settled["id"]]).fetchone()[0]
    after = mediation.record_session(db, clerk, settled["id"], session["version"], session_id, "held",
                                     "双方均到场，视频连线顺利。", now=now)
    mediation.move(db, clerk, settled["id"], after["version"], "settle",
                   outcome="季某一次性赔偿施某维修费 1,800 元，三日内付清，双方不再追究。", amount=1800)
    return len(made)
