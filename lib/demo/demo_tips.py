"""Demo tips: a realistic year of what Haimen's residents send, written fast enough for a million rows.

:func:`generate_demo_year` gives the demo district its year of tips at the program's scale (about
0.07 tips per group member a year: ~15,000 for 220,000 members, 40-ish a day); :func:`generate_tips`
writes any number of them (the benchmarks ask for 1,000,000) into a seeded district.

What makes them realistic:

- **when**: spread over the year before ``now``, busier by day (peaks mid-morning and evening, Beijing
  time), a little quieter at weekends, slowly growing over the year as the program takes hold;
- **what**: requests ~40%, inquiries ~25%, leads ~20%, complaints ~15%; mostly normal priority,
  leads high; Chinese descriptions from templates per kind with the grid's own place names;
- **where**: a grid drawn by population (tips follow people), coordinates near the grid's centre,
  ~1% unrouted (no grid, no station: the district center routes them by hand);
- **how far along**: recent tips mostly open, older ones resolved or closed; a few old ``new`` tips
  nobody answered (overdue), as a real queue has.

Rows are plain SQL with the tips table's exact columns: ``due_at`` from ``sla_rules`` (the same rule
as :func:`lib.tips.tips.due_at`), ``priority_rank`` from :data:`lib.tips.tips.PRIORITY_RANK`, ``is_open`` from
``tip_states``. Tracking codes, names and description texts come from ``random.Random(seed)``, the
per-tip columns from ``numpy.random.default_rng(seed)`` drawn a chunk at a time (a Python draw per
column per row would take minutes for a million): same database, seed and ``now``, same tips.

Events: a tip gets a ``state`` event when it has moved, its first answer (a public ``reply`` or, when the
sender left a phone, a ``callback``) — some tips moved along still wait for theirs, as the first-response
clock only stops there (:mod:`lib.tips.tip_clocks`) — and a public ``reply`` when resolved or closed. Above :data:`EVENTS_MAX_TIPS` tips events are
skipped: they would double the write time and no figure reads them at that scale.
"""

from __future__ import annotations

import json
import math
import random
import re
import string

import numpy as np
import sqlite_utils

from lib.core import clock
from lib.core.clock import utcnow
from lib.core.db import write_transaction
from lib.demo import demo
from lib.tips import tips

DEFAULT_SEED = demo.DEFAULT_SEED
TIPS_PER_MEMBER_YEAR = 0.07  # 220,000 members → ~15,400 tips a year, ~42 a day district-wide
EVENTS_MAX_TIPS = 200_000
CHUNK = 20_000  # rows per executemany: bounded memory whatever n is
WRITE_CACHE_KIB = 256 * 1024
REBUILD_INDEXES_FROM = 100_000  # tips written at once above which the tips indexes are rebuilt
UNROUTED_SHARE = 0.01
YEAR_DAYS = 365
RECENT_DAYS = 30  # the span when ``year_back`` is False
LOCAL_OFFSET_S = 8 * 3600  # Beijing time: residents' rhythm follows the local clock

COLUMNS = ("id", "tracking_code", "kind", "priority", "priority_rank", "state", "is_open", "channel",
           "description", "location_text", "grid_id", "lat", "lon", "happened_at", "station_id",
           "assignee_user_id", "push_id", "is_anonymous", "contact_name", "contact_phone", "rating",
           "duplicate_of", "created_at", "updated_at", "due_at", "first_response_at", "closed_at",
           "created_by", "version", "lane", "lane_due_at", "resolve_due_at")
_INSERT_TIP = f"INSERT INTO tips ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
_INSERT_EVENT = ("INSERT INTO tip_events (tip_id, at, user_id, kind, is_public, text, data)"
                 " VALUES (?, ?, ?, ?, ?, ?, ?)")

KIND_WEIGHTS = {"request": 40, "inquiry": 25, "lead": 20, "complaint": 15}
PRIORITY_WEIGHTS = {
    # urgent, high, normal, low — a lead is high by default (lib.tips.tips.default_priority)
    "lead": (8, 50, 38, 4),
    "complaint": (2, 10, 80, 8),
    "request": (1, 6, 85, 8),
    "inquiry": (0.5, 2, 85, 12.5),
}
CHANNEL_WEIGHTS = {"web": 25, "qr": 25, "group": 30, "phone": 12, "walk_in": 8}
HOUR_WEIGHTS = (  # local hour 0..23: little at night, peaks at 9–11 and 19–21
    1, 0.6, 0.4, 0.3, 0.3, 0.6, 1.5, 3, 5, 7, 7.5, 7, 5.5, 5, 6, 6.5, 6, 5.5, 5.5, 6.5, 7, 6, 4, 2)
WEEKDAY_WEIGHTS = (1.05, 1.0, 1.0, 1.0, 1.05, 0.85, 0.8)  # Monday first
# (age limit in seconds, state weights): the older a tip, the further along its workflow.
STATE_BY_AGE = (
    (6 * 3600, {"new": 55, "triaged": 20, "assigned": 15, "in_progress": 5, "resolved": 3, "duplicate": 1,
                "rejected": 1}),
    (86400, {"new": 25, "triaged": 20, "assigned": 20, "in_progress": 15, "resolved": 15, "duplicate": 2,
             "rejected": 1, "referred": 2}),
    (3 * 86400, {"new": 6, "triaged": 10, "assigned": 15, "in_progress": 24, "resolved": 35, "closed": 4,
                 "duplicate": 2, "rejected": 2, "referred": 2}),
    (14 * 86400, {"new": 1, "triaged": 3, "assigned": 5, "in_progress": 13, "resolved": 40, "closed": 30,
                  "duplicate": 3, "rejected": 2, "referred": 3}),
    (math.inf, {"new": 0.2, "triaged": 0.3, "assigned": 0.5, "in_progress": 2, "resolved": 10, "closed": 77,
                "duplicate": 3.5, "rejected": 2.5, "referred": 4}),
)
ACTION_TO = {"triaged": "triage", "assigned": "assign", "in_progress": "start", "resolved": "resolve",
             "closed": "close", "rejected": "reject", "referred": "refer", "duplicate": "mark_duplicate"}
VERSION_OF = {"new": 1, "triaged": 2, "assigned": 3, "in_progress": 4, "resolved": 5, "closed": 6,
              "duplicate": 2, "rejected": 2, "referred": 2}
WITH_ASSIGNEE = {"assigned", "in_progress", "resolved", "closed"}
RESOLUTION_MEDIAN_H = {"inquiry": 3, "request": 36, "complaint": 48, "lead": 72}

# --- words ------------------------------------------------------------------------------

ROADS = ("长江", "人民", "解放", "北京", "秀山", "浦江", "珠江", "黄海", "青龙", "嘉陵江", "南海", "东海", "丝绸",
         "湘江", "太湖", "常乐", "中南", "富江")
TIMES = ("今天上午", "今天下午", "昨天晚上", "这几天晚上", "最近一周", "每天夜里十点以后", "周末", "前天傍晚")
COLORS = ("白色", "黑色", "银灰色", "红色", "蓝色", "灰色")
VEHICLES = ("面包车", "小轿车", "SUV", "厢式货车", "电动三轮车", "摩托车", "皮卡")
IMPOSTORS = ("公检法工作人员", "快递客服", "电商平台客服", "银行信贷员", "医保局工作人员", "孩子的班主任", "老同学",
             "物流公司理赔员")
HUBS = ("汽车站", "高铁站", "人民医院", "叠石桥家纺城", "万达广场", "青龙港")
DEPARTMENTS = ("城管部门", "市场监管局", "住建局", "生态环境局", "街道办事处", "供电公司", "交通运输局", "卫健委")
SUFFIXES = ("", "", "", "希望尽快处理。", "麻烦民警同志看一下，谢谢！", "已经反映过一次了，还没解决。",
            "家里有老人小孩，很担心。", "谢谢！")
LEAD_SUFFIXES = ("", "", "请为我保密。", "我可以配合辨认。", "照片在群里发过了。")

TEMPLATES = {
    "request": (
        "{place}的路灯坏了好几天了，晚上黑漆漆的，老人出门不安全，希望尽快修一下。",
        "{place}楼道里有人给电动车充电，电线从窗口吊下来，担心起火，请派人看一下。",
        "{place}{time}总有人放音乐跳广场舞到很晚，噪音扰民，影响休息。",
        "{place}有住户装修，早上七点就开始打钻，周末也不停，和他们说了没用。",
        "{place}门口的窨井盖松动了，电动车压上去很危险。",
        "{place}有车辆长期占用消防通道，救护车都开不进来。",
        "{place}小区门禁坏了一个多月，外来人员随便进出，希望加强巡逻。",
        "{place}河边护栏断了一段，小孩放学经常在那里玩，很危险。",
        "{place}附近有流浪狗追咬路人，{time}又有人被吓到了。",
        "{place}有人高空抛物，楼下停的电动车被砸坏了。",
        "家里老人有些糊涂，住在{place}，想申请防走失手环，社区能帮忙吗？",
        "{place}的垃圾桶满了好几天没人清运，味道很大。",
        "{town}{road}路口红绿灯坏了，上下学时段车很乱，请安排人疏导。",
        "邻居在{place}楼道里堆满杂物，消防通道被堵，协调过几次没用。",
        "{place}停车位被人用地锁占了，老人看病回来没地方停车。",
    ),
    "lead": (
        "{place}附近停着一辆{color}{vehicle}，车牌{plate}，好几天没动，晚上车里有人，形迹可疑。",
        "{time}接到电话{phone}，对方自称{impostor}，让我把钱转到“安全账户”，怀疑是诈骗电话。",
        "{place}一间出租屋晚上经常有很多人进出，门口有人望风，像是在聚众赌博。",
        "{place}有人在收购银行卡和手机卡，说一张给几百块，怀疑是帮人洗钱。",
        "看到群里推送的肇事车辆信息，{place}修理厂里有一辆{color}{vehicle}车头有撞痕，刚刚在修。",
        "{place}有几个人{time}在偷电动车电瓶，骑一辆{color}{vehicle}。",
        "群里有人发兼职刷单的链接，说做任务返佣金，很多人被拉进去了，号码{phone}。",
        "{place}有人在低价卖来路不明的手机和电动车，一看就不对劲。",
        "在{place}看到一位老人独自走路，神情茫然，穿着和推送里走失的老人很像。",
        "{place}有家公司在推销养老投资项目，承诺高回报，很多老人交了钱，怀疑是非法集资。",
        "{place}一家棋牌室{time}有外地人放高利贷，还有人来讨债。",
        "{place}附近有人兜售“特效药”，专门骗老人，还留了电话{phone}。",
        "我在{place}{time}看到推送里那个在逃人员，骑{color}{vehicle}往{road}路方向去了。",
        "快递站有人大量寄出银行卡，收件地址在云南边境，{place}附近的驿站。",
    ),
    "inquiry": (
        "孩子在{town}上学，想把户口从外地迁到{place}，需要准备哪些材料？",
        "外地来海门打工，在{place}租房，居住证怎么办理？要多久能拿到？",
        "想办港澳通行证去香港旅游，在{town}能办吗？需要预约吗？",
        "护照快过期了，出入境大厅在哪里，周末上不上班？",
        "身份证丢了，补办要带什么？能不能在附近派出所办？",
        "在非洲做生意，孩子在海门读书，回不来办手续，能远程委托吗？",
        "电动自行车上牌需要什么材料？{place}附近有上牌点吗？",
        "家里老人身份证过期了，行动不便，能不能上门办理？",
        "新生儿落户需要什么材料？在{town}派出所能办吗？",
        "无犯罪记录证明怎么开？网上能办吗？",
        "家里来了外国朋友住在{place}，临时住宿登记怎么办？",
        "驾驶证到期换证，体检在哪里做？",
        "开网约车要办什么证？{town}哪里可以咨询？",
        "{place}小区想装监控，需要去派出所备案吗？",
        "被骗了一千多块，报警需要带什么材料？在{town}哪里报？",
    ),
    "complaint": (
        "{place}有家棋牌室天天有人赌钱，输赢很大，{time}吵到半夜。",
        "{place}附近一家足浴店晚上有不正当服务，影响很坏。",
        "{hub}门口有黑车拉客，非法营运，价格乱要，还强拉乘客。",
        "{place}一家小饭店后厨很脏，疑似用地沟油，吃了拉肚子。",
        "{place}有小店在卖过期食品，专门卖给老人。",
        "{place}有工厂夜里偷排废水，河里的鱼都死了。",
        "{place}一家网吧让未成年人进去通宵上网。",
        "{place}路边有人摆摊卖假冒名牌家纺，说是叠石桥工厂货。",
        "{road}路上渣土车超载超速，土一路洒，晚上还闯红灯。",
        "{place}有人在小区里散发高息理财传单，天天缠着老人。",
        "{place}有人卖自制电动车电池，存在安全隐患。",
        "{place}附近一家KTV有人吸食笑气，气球扔得到处都是。",
        "{place}有人在河里电鱼，劝了也不听。",
        "反映{place}出租屋群租，住了二十多人，消防隐患很大。",
    ),
}
# What an expert of each field said, kept as an internal note (the public reply carries the gist).
EXPERT_ANSWERS = {
    "lawyer": "律师意见：可先协商，协商不成可申请人民调解或向法院起诉；注意保留聊天记录、收据等证据。",
    "doctor": "医生意见：症状持续或加重应及时到医院就诊，老人和儿童不要自行加大用药剂量。",
    "counsellor": "心理咨询师意见：建议家属多陪伴、少指责，必要时拨打心理援助热线或到心理健康服务中心面谈。",
    "anti_fraud": "反诈专家意见：凡要求转账到“安全账户”、刷单返利、索要验证码的都是诈骗，已提示银行关注该账户。",
    "other": "调解员意见：双方诉求差距不大，可由社区人民调解委员会组织面对面或视频调解。",
}

REPLIES = {
    "request": ("您好，您反映的问题已会同社区和相关部门处理完毕，感谢您对平安海门建设的支持！",
                "您好，社区民警已到现场查看并协调整改，如仍有问题请再次留言。",
                "已联系物业和社区落实，后续将加强巡查，谢谢您的反映。"),
    "lead": ("您好，您提供的线索已转交办案单位核查，感谢您的支持，我们会为您保密。",
             "线索已收到并核实处置，感谢您为平安海门出力！",
             "经核查，相关情况已依法处理，感谢您的配合。"),
    "inquiry": ("您好，所需材料：本人身份证、户口簿及相关证明，可在工作日到派出所户籍窗口办理，也可先在“苏服办”预约。",
                "出入境业务请到区政务服务中心出入境窗口办理，周六上午有值班，建议先网上预约。",
                "您好，已电话答复您，具体材料清单已发到您的手机，如有疑问请再联系。"),
    "complaint": ("您好，您举报的情况已会同相关部门依法查处，感谢您的监督。",
                  "经查属实，已责令整改并将持续跟踪，谢谢您的反映。",
                  "已转交主管部门处理，处理结果将另行告知，感谢您的支持。"),
}
REJECT_REASONS = ("信息不足，无法核实", "经核实与事实不符", "内容与公安业务无关")
# The first answer, before the matter is settled: what the sender reads on the tracker, or what the
# officer noted after calling them back.
ACKNOWLEDGEMENTS = {
    "request": ("您好，您反映的情况已收到，社区民警将尽快到现场查看，处理结果会在这里告诉您。",
                "已收到，已转社区民警和网格员跟进，请耐心等待。",
                "您好，情况已登记，我们正在联系相关部门，有进展会及时答复。"),
    "lead": ("收到，感谢您提供的线索，民警正在核实，我们会为您保密。",
             "线索已收到并转办案民警，感谢您的支持！",
             "您好，线索已登记核查，如需进一步了解情况民警会与您联系。"),
    "inquiry": ("您好，问题已收到，民警正在为您核实办理要求，稍后答复。",
                "已收到您的咨询，户籍民警将在工作时间内答复您。",
                "您好，已转相关窗口，请稍候。"),
    "complaint": ("您好，您的举报已收到，我们将依法核查，感谢您的监督。",
                  "已收到，已安排民警核查，核查结果会在这里告知。",
                  "您好，举报已登记，正在会同相关部门核查。"),
}
CALLBACKS = {
    "request": ("已电话联系反映人，约定明天上午到现场查看。", "电话回访：反映人补充了具体楼栋，已转网格员。",
                "已回电说明处理安排，反映人表示满意。"),
    "lead": ("已电话联系线索提供人，核实了时间和地点，转办案民警。", "回电：提供人愿意配合辨认，已留联系方式。",
             "已回电致谢并了解细节，线索转刑侦中队。"),
    "inquiry": ("已电话答复办理材料和地点。", "回电说明可在政务服务中心办理，需先网上预约。",
                "电话答复：本人携带身份证到户籍窗口即可。"),
    "complaint": ("已电话联系举报人，了解具体时间段，安排夜间核查。", "回电：举报人提供了车牌线索，已转交警。",
                  "已回电告知已转主管部门处理。"),
}


STATES = ("new", "triaged", "assigned", "in_progress", "resolved", "closed", "duplicate", "rejected", "referred")
CODE_TABLE = bytes(ord(tips.TRACKING_ALPHABET[b % len(tips.TRACKING_ALPHABET)]) for b in range(256))
# Bytes at or above the largest multiple of the alphabet's size are dropped: no letter is favoured.
CODE_DROP = bytes(range(256 - 256 % len(tips.TRACKING_ALPHABET), 256))
POOL_SIZE = 600  # pre-written descriptions per kind; the place is filled in per tip
NAME_POOL = 4000
PHONE_PREFIXES = ("139", "138", "137", "158", "159", "181", "189", "133", "177", "150")
UNROUTED_PLACES = ("这边", "我们村", "我家附近", "小区里", "镇上")


def _probabilities(weights) -> np.ndarray:
    w = np.asarray(list(weights), dtype=float)
    return w / w.sum()


def _cumulative(rows) -> np.ndarray:
    """Cumulative probabilities of each row of weights (a (rows, k) table for :func:`_draw`)."""
    table = np.asarray(rows, dtype=float)
    return np.cumsum(table, axis=1) / table.sum(axis=1, keepdims=True)


def _draw(np_rng: np.random.Generator, cum: np.ndarray) -> np.ndarray:
    """One index per row of ``cum`` (cumulative probabilities): a different distribution per tip."""
    u = np_rng.random(cum.shape[0])
    return np.minimum((u[:, None] >= cum).sum(axis=1), cum.shape[1] - 1)


KIND_P = _probabilities(KIND_WEIGHTS[k] for k in tips.KINDS)
PRIORITY_CUM = _cumulative([PRIORITY_WEIGHTS[k] for k in tips.KINDS])
CHANNEL_P = _probabilities(CHANNEL_WEIGHTS[c] for c in tips.CHANNELS)
WEB_LIKE = np.asarray([c in ("web", "qr", "group") for c in tips.CHANNELS])
AGE_LIMITS = np.asarray([limit for limit, _ in STATE_BY_AGE[:-1]], dtype=float)
STATE_CUM = _cumulative([[w.get(s, 0) for s in STATES] for _, w in STATE_BY_AGE])
RESOLUTION_S = np.asarray([RESOLUTION_MEDIAN_H[k] * 3600 for k in tips.KINDS], dtype=float)
LEADISH = np.asarray([k in ("lead", "complaint") for k in tips.KINDS])


def _epoch(iso: str) -> int:
    return int(clock.parse(iso).timestamp())


def _iso(seconds: np.ndarray) -> list[str]:
    """ISO-8601 UTC strings of epoch seconds, vectorised (``strftime`` per row would dominate 1M rows)."""
    return np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s", timezone="UTC").tolist()


def _person(rng: random.Random) -> str:
    return rng.choice(demo.SURNAMES) + "".join(rng.choice(demo.GIVEN) for _ in range(rng.choice((1, 2))))


def _scam_number(rng: random.Random) -> str:
    return rng.choice((f"+852{rng.randrange(10**8):08d}", f"170{rng.randrange(10**8):08d}",
                       f"0085{rng.randrange(10**9):09d}", f"95{rng.randrange(100, 999)}{rng.randrange(10**4):04d}"))


def _plate(rng: random.Random) -> str:
    # Witnesses remember part of a plate: Nantong's plates are 苏F.
    letter = rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ")
    return f"苏F{letter}{rng.randrange(10, 99)}**" if rng.random() < 0.7 else f"苏F{letter}{rng.randrange(10000, 99999)}"


def _descriptions(rng: random.Random, kind: str) -> list[str]:
    """Pre-written descriptions of a kind, every slot filled but ``{place}`` and ``{town}``."""
    fillers = {
        "time": lambda: rng.choice(TIMES), "color": lambda: rng.choice(COLORS),
        "vehicle": lambda: rng.choice(VEHICLES), "plate": lambda: _plate(rng), "phone": lambda: _scam_number(rng),
        "impostor": lambda: rng.choice(IMPOSTORS), "hub": lambda: rng.choice(HUBS), "road": lambda: rng.choice(ROADS),
        "place": lambda: "{place}", "town": lambda: "{town}",
    }
    suffixes = LEAD_SUFFIXES if kind in ("lead", "complaint") else SUFFIXES
    out = []
    for _ in range(POOL_SIZE):
        template = rng.choice(TEMPLATES[kind])
        slots = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        out.append(template.format(**{s: fillers[s]() for s in slots}) + rng.choice(suffixes))
    return out


_NUMBERED = re.compile(r"第\d+网格$")


def _places(grid: dict, town: str, rng: random.Random) -> tuple[str, ...]:
    """A few place names a resident of the grid would write (neighbourhood, building, road, landmark)."""
    name, category = grid["name"], grid["category"]
    road = rng.choice(ROADS)
    if category == "comprehensive":
        community = _NUMBERED.sub("", name)
        unit_word = "组" if community.endswith("村") else "号楼"
        return (community, f"{community}{rng.randint(1, 24)}{unit_word}", f"{community}{rng.randint(1, 24)}{unit_word}",
                f"{community}菜场附近", f"{community}{road}路口", f"{town}{road}路{rng.randint(1, 399)}号")
    if category == "dedicated":
        return (name, f"{name}门口", f"{name}附近", f"{name}旁边")
    # Industry, special and work grids have no place of their own: their town and its roads.
    return (town, f"{town}{road}路", f"{town}{rng.choice(ROADS)}路{rng.randint(1, 399)}号",
            f"{town}{rng.choice(('工业园', '物流园', '农贸市场', '客运站'))}")


def _town_of(station_name: str) -> str:
    for spec in demo.STATIONS:
        if spec.name == station_name:
            return spec.town
    return station_name.removesuffix("派出所") or station_name


class _District:
    """What the rows are drawn from, read once: grids by population, officers by station, SLA
    rules, open states, sent pushes — plus pools of names and descriptions."""

    def __init__(self, db: sqlite_utils.Database, rng: random.Random):
        stations = {sid: name for sid, name in db.execute("SELECT id, name FROM units WHERE kind = 'station'")}
        ids, station, population, lat, lon, hlat, hlon, places, towns = [], [], [], [], [], [], [], [], []
        for gid, name, category, station_id, pop, glat, glon, geometry in db.execute(
                "SELECT id, name, category, station_id, population, lat, lon, geometry FROM grids ORDER BY id"):
            half = (0.0005, 0.0005)  # a dedicated grid is a site: ~50 m around it
            if geometry:
                ring = json.loads(geometry)["coordinates"][0]
                half = ((max(p[1] for p in ring) - min(p[1] for p in ring)) / 2,
                        (max(p[0] for p in ring) - min(p[0] for p in ring)) / 2)
            town = _town_of(stations.get(station_id, ""))
            ids.append(gid)
            station.append(station_id)
            population.append(max(1, pop))
            lat.append(np.nan if glat is None else glat)
            lon.append(np.nan if glon is None else glon)
            hlat.append(half[0])
            hlon.append(half[1])
            places.append(_places({"name": name, "category": category}, town, rng))
            towns.append(town)
        if not ids:
            raise ValueError("generate_tips needs a seeded district (no grids)")
        self.grid_ids, self.grid_station, self.grid_places, self.grid_town = ids, station, places, towns
        self.grid_cum = np.cumsum(np.asarray(population, dtype=float))
        self.grid_lat, self.grid_lon = np.asarray(lat), np.asarray(lon)
        self.grid_hlat, self.grid_hlon = np.asarray(hlat), np.asarray(hlon)
        self.logins, self.officers = demo.staff_by_station(db)
        rules = {(k, p): (m, r) for k, p, m, r in db.execute(
            "SELECT kind, priority, first_response_minutes, resolution_minutes FROM sla_rules")}
        # The same rules as lib.tips.tip_clocks: a missing (kind, priority) gets 24 hours to answer, 7 days to resolve.
        self.sla = np.array([[rules.get((k, p), (24 * 60, 0))[0] for p in tips.PRIORITIES] for k in tips.KINDS])
        self.resolution = np.array([[rules.get((k, p), (0, 7 * 24 * 60))[1] for p in tips.PRIORITIES]
                                    for k in tips.KINDS])
        open_states = {slug for slug, t in db.execute("SELECT slug, type FROM tip_states") if t == "open"}
        self.open_of = {s: int(s in open_states) for s in STATES}
        pushes = sorted((_epoch(at), pid, sid, category == "appeal") for pid, sid, at, category in db.execute(
            "SELECT id, station_id, sent_at, category FROM pushes WHERE state IN ('sending', 'sent')"
            " AND sent_at IS NOT NULL"))
        self.active_appeals = {r[0] for r in db.execute(
            "SELECT id FROM pushes WHERE category = 'appeal' AND state IN ('sending', 'sent')"
            " AND appeal_closed_at IS NULL")}
        self.pushes, self.push_times = pushes, np.asarray([p[0] for p in pushes], dtype=np.int64)
        self.experts = [(eid, json.dumps({"expert_id": eid, "name": name, "field": field, "organization": org},
                                         ensure_ascii=False), EXPERT_ANSWERS[field])
                        for eid, name, field, org in db.execute(
                            "SELECT id, name, field, organization FROM experts WHERE is_active = 1 ORDER BY id")]
        self.names = [_person(rng) for _ in range(NAME_POOL)]
        self.descriptions = [_descriptions(rng, kind) for kind in tips.KINDS]


def _created_times(np_rng: np.random.Generator, n: int, now: int, span_days: int) -> np.ndarray:
    """``n`` sorted creation times over ``span_days`` before ``now``: daily and weekly rhythm, slow growth."""
    local_now = now + LOCAL_OFFSET_S
    today = local_now // 86400
    back = np.arange(span_days)
    weekday = (today - back + 3) % 7  # 1970-01-01 was a Thursday
    weights = np.asarray(WEEKDAY_WEIGHTS)[weekday] * (1.25 - 0.5 * back / max(1, span_days))  # the program grows
    hour_p = np.asarray(HOUR_WEIGHTS) / sum(HOUR_WEIGHTS)
    hour_now, into_hour = divmod(local_now % 86400, 3600)
    weights[0] *= hour_p[:hour_now].sum() + hour_p[hour_now] * into_hour / 3600  # today: only the hours lived
    days = np_rng.choice(span_days, size=n, p=weights / weights.sum())
    hours = np_rng.choice(24, size=n, p=hour_p)
    local = (today - days) * 86400 + hours * 3600 + np_rng.integers(0, 3600, n)
    # Today's draws of hours not yet lived: the hours that were.
    late = local > local_now
    lived = max(1, local_now - today * 86400)
    local[late] = local_now - np_rng.integers(0, lived, int(late.sum()))
    return np.sort(local - LOCAL_OFFSET_S).astype(np.int64)


def _codes(rng: random.Random, n: int, taken: set[str]) -> list[str]:
    """``n`` distinct tracking codes from :data:`lib.tips.tips.TRACKING_ALPHABET`, none in ``taken``:
    seeded random bytes mapped to letters by ``bytes.translate`` (C speed, a million in ~0.5 s)."""
    k = tips.TRACKING_LENGTH
    out: list[str] = []
    seen = set(taken)
    while len(out) < n:
        need = n - len(out)
        letters = rng.randbytes(need * k * 9 // 8 + 64).translate(CODE_TABLE, CODE_DROP).decode("ascii")
        for j in range(0, len(letters) - k + 1, k):
            code = letters[j:j + k]
            if code not in seen:
                seen.add(code)
                out.append(code)
                if len(out) == n:
                    break
    return out


def _chunk(d: _District, np_rng: np.random.Generator, times: np.ndarray, first_id: int, codes: list[str],
           now: int, with_events: bool, last_in_grid: dict) -> tuple[list[tuple], list[tuple]]:
    """The rows of one chunk of tips and their events: every column drawn as an array, then one
    light loop that zips them into tuples (the loop is where the time goes, so it only looks up)."""
    m = len(times)
    kind = np_rng.choice(len(tips.KINDS), size=m, p=KIND_P)
    priority = _draw(np_rng, PRIORITY_CUM[kind])
    channel = np_rng.choice(len(tips.CHANNELS), size=m, p=CHANNEL_P)
    routed = np_rng.random(m) >= UNROUTED_SHARE
    grid = np.minimum(np.searchsorted(d.grid_cum, np_rng.random(m) * d.grid_cum[-1], side="right"),
                      len(d.grid_ids) - 1)  # by population: tips follow people
    age = now - times
    state = _draw(np_rng, STATE_CUM[np.searchsorted(AGE_LIMITS, age, side="right")])
    sla_s = d.sla[kind, priority] * 60
    due = times + sla_s
    resolve_due = times + d.resolution[kind, priority] * 60
    # Internal steps do not answer the sender: some tips moved along (triaged, assigned, in progress)
    # still wait for their first reply or call-back (lib.tips.tip_clocks).
    unanswered = (age < 2 * 86400) & (np_rng.random(m) < 0.35)  # recent ones: older tips were answered long ago
    by_phone = np_rng.random(m) < 0.35  # a call-back rather than a written reply, when there is a phone
    # First response mostly well inside the SLA, sometimes late; everything before ``now``.
    first = times + np.minimum(np.maximum(60, sla_s * np_rng.lognormal(math.log(0.35), 0.8, m)), age * 0.6)
    first = first.astype(np.int64)
    closed = first + np.minimum(RESOLUTION_S[kind] * np_rng.lognormal(0, 1.0, m),
                                np.maximum(0, (now - first) * 0.95)).astype(np.int64)
    touched = first + ((now - first) * np_rng.random(m) * 0.8).astype(np.int64)
    has_coord = routed & WEB_LIKE[channel] & ~np.isnan(d.grid_lat[grid]) & (np_rng.random(m) < 0.7)
    lat = np.round(d.grid_lat[grid] + np.clip(np_rng.normal(0, 0.4, m), -0.9, 0.9) * d.grid_hlat[grid], 5)
    lon = np.round(d.grid_lon[grid] + np.clip(np_rng.normal(0, 0.4, m), -0.9, 0.9) * d.grid_hlon[grid], 5)
    anonymous = np_rng.random(m) < np.where(LEADISH[kind], 0.45, 0.15)
    named = np_rng.random(m) < 0.8
    name_i = np_rng.integers(0, NAME_POOL, m)
    phone_p, phone_n = np_rng.integers(0, len(PHONE_PREFIXES), m), np_rng.integers(0, 10**8, m)
    desc_i, place_i = np_rng.integers(0, POOL_SIZE, m), np_rng.integers(0, 6, m)
    with_location = np_rng.random(m) < 0.75
    happened = LEADISH[kind] & (np_rng.random(m) < 0.5)
    happened_local = np.datetime_as_string(
        (times - np_rng.integers(600, 2 * 86400, m) + LOCAL_OFFSET_S).astype("datetime64[s]"), unit="m")
    pick_staff, pick_assignee = np_rng.integers(0, 1 << 30, m), np_rng.integers(0, 1 << 30, m)
    to_login = np_rng.random(m) < 0.15  # the demo logins get a share, so "my tips" is not empty
    assign_closed = np_rng.random(m) < 0.4
    rated, rating = np_rng.random(m) < 0.3, np_rng.choice((5, 4, 3, 2, 1), size=m, p=(.55, .28, .09, .04, .04))
    linked = np_rng.random(m) < 0.6
    push_lo = np.searchsorted(d.push_times, times - 3 * 86400, side="left")
    push_hi = np.searchsorted(d.push_times, times, side="right")
    reply_i, reason_i = np_rng.integers(0, 3, m), np_rng.integers(0, 1 << 30, m)

    created_s, due_s, first_s, closed_s, touched_s = _iso(times), _iso(due), _iso(first), _iso(closed), _iso(touched)
    resolve_s = _iso(resolve_due)
    cols = [a.tolist() for a in (kind, priority, channel, routed, grid, state, lat, lon, has_coord, anonymous, named,
                                 name_i, phone_p, phone_n, desc_i, place_i, with_location, happened, happened_local,
                                 pick_staff, pick_assignee, to_login, assign_closed, rated, rating, linked, push_lo,
                                 push_hi, reply_i, reason_i, unanswered, by_phone)]
    rows: list[tuple] = []
    events: list[tuple] = []
    # Local names: a million iterations feel every attribute look-up.
    kinds, channels, priorities = tips.KINDS, tips.CHANNELS, tips.PRIORITIES
    grid_ids, grid_station, grid_town, grid_places = d.grid_ids, d.grid_station, d.grid_town, d.grid_places
    descriptions, open_of, names, pushes = d.descriptions, d.open_of, d.names, d.pushes
    officers_of, logins_of = d.officers.get, d.logins.get
    active_appeals = d.active_appeals
    for i, (k, p, ch, is_routed, g, s, la, lo, coord, anon, is_named, ni, pp, pn, di, pi, located, has_happened,
            happened_at, ps, pa, login, assign_c, is_rated, stars, is_linked, plo, phi, ri, rsn, no_answer, phoned,
            created_at, due_at, first_at, done_at, touched_at, resolve_at) in enumerate(
                zip(*cols, created_s, due_s, first_s, closed_s, touched_s, resolve_s, strict=True)):
        tip_id = first_id + i
        kind_s, state_s, channel_s = kinds[k], STATES[s], channels[ch]
        if is_routed:
            gid, sid, town = grid_ids[g], grid_station[g], grid_town[g]
            places = grid_places[g]
            place = places[pi % len(places)]
        else:  # ~1%: no grid, no station, no coordinates — the district center routes it by hand
            gid = sid = None
            place, town = UNROUTED_PLACES[pi % len(UNROUTED_PLACES)], "海门"
        description = descriptions[k][di]
        if "{" in description:
            description = description.replace("{place}", place).replace("{town}", town)
        duplicate_of = None
        if state_s == "duplicate":
            duplicate_of = last_in_grid.get(gid)
            if duplicate_of is None:
                state_s = "rejected"  # nothing earlier to be a duplicate of
        last_in_grid[gid] = tip_id
        is_open = open_of[state_s]
        staff = officers_of(sid, ())
        created_by = staff[ps % len(staff)] if staff and channel_s in ("phone", "walk_in") else None
        fr_at = closed_at = None
        updated_at = created_at
        if state_s != "new":
            if is_open:
                updated_at = touched_at
                fr_at = None if no_answer else first_at
            else:
                closed_at = updated_at = done_at
                # A closed tip was answered by its first reply or call-back, else by the closing reply
                # (resolved and closed tips have one; a rejected, merged or referred tip may have none).
                fr_at = first_at if not no_answer else closed_at if state_s in ("resolved", "closed") else None
        assignee = None
        if sid is not None and (state_s in WITH_ASSIGNEE or (closed_at and assign_c)):
            own = logins_of(sid)
            pool = own if own and login else staff
            assignee = pool[pa % len(pool)] if pool else None
        push_id = None
        if is_linked and phi > plo and channel_s in ("qr", "group"):
            # A response to a push sent in the three days before, to its station or district-wide; an
            # appeal for information is answered by leads only (not by a request about a street lamp).
            for _, pid, push_station, is_appeal in reversed(pushes[max(plo, phi - 20):phi]):
                if (push_station is None or push_station == sid) and (kind_s == "lead" or not is_appeal):
                    push_id = pid
                    break
        if fr_at is not None:
            lane, lane_due = 2, resolve_at
        else:
            lane, lane_due = (0 if push_id in active_appeals else 1), due_at
        rows.append((
            tip_id, codes[i], kind_s, priorities[p], p, state_s, is_open, channel_s, description,
            place if located and gid is not None else None, gid, la if coord else None, lo if coord else None,
            happened_at.replace("T", " ") if has_happened else None, sid, assignee, push_id, int(anon),
            None if anon or not is_named else names[ni], None if anon else f"{PHONE_PREFIXES[pp]}{pn:08d}",
            stars if is_rated and not anon and state_s in ("resolved", "closed") else None, duplicate_of,
            created_at, updated_at, due_at, fr_at, closed_at, created_by, VERSION_OF[state_s], lane, lane_due,
            resolve_at))
        if with_events:  # no "created" event: the tip row is its arrival (see tips.events)
            if fr_at is not None and fr_at != closed_at:
                # The first answer: a call-back when the sender left a phone, else a public reply.
                if phoned and not anon:
                    events.append((tip_id, fr_at, assignee, "callback", 0, CALLBACKS[kind_s][ri], None))
                else:
                    events.append((tip_id, fr_at, assignee, "reply", 1, ACKNOWLEDGEMENTS[kind_s][ri], None))
            if state_s != "new":
                reason = (REJECT_REASONS[rsn % len(REJECT_REASONS)] if state_s == "rejected"
                          else f"不属公安管辖，已转交{DEPARTMENTS[rsn % len(DEPARTMENTS)]}处理"
                          if state_s == "referred" else None)
                events.append((tip_id, updated_at, assignee, "state", 0, reason,
                               json.dumps({"action": ACTION_TO[state_s], "to": state_s})))
            if state_s in ("resolved", "closed"):
                if kind_s == "inquiry" and d.experts and tip_id % 10 < 3:  # a third of answered questions
                    _expert_id, data, answer = d.experts[tip_id // 10 % len(d.experts)]
                    events.append((tip_id, closed_at, assignee, "expert", 0, answer, data))
                events.append((tip_id, closed_at, assignee, "reply", 1, REPLIES[kind_s][ri], None))
    return rows, events


def generate_tips(db: sqlite_utils.Database, *, n: int, seed: int, now: str, year_back: bool = True,
                  events: bool | None = None) -> int:
    """Write ``n`` realistic tips into a seeded district (units, grids, users); return how many.

    ``year_back`` spreads them over the 365 days before ``now``, else over the last 30 days (a young
    backlog, mostly open). ``events`` writes their history rows (``created``, ``state``, public
    ``reply``); by default only up to :data:`EVENTS_MAX_TIPS` tips. Ids follow the existing tips and
    tracking codes avoid the existing ones, so it can run twice. One write transaction (a savepoint
    inside the caller's, e.g. :func:`lib.demo.demo.seed`'s).
    """
    if n <= 0:
        return 0
    rng, np_rng = random.Random(seed), np.random.default_rng(seed)
    now_s = _epoch(now)
    with_events = n <= EVENTS_MAX_TIPS if events is None else events
    district = _District(db, rng)
    times = _created_times(np_rng, n, now_s, YEAR_DAYS if year_back else RECENT_DAYS)
    codes = _codes(rng, n, {r[0] for r in db.execute("SELECT tracking_code FROM tips")})
    first_id = (db.execute("SELECT MAX(id) FROM tips").fetchone()[0] or 0) + 1
    last_in_grid: dict = {}
    cache = db.execute("PRAGMA cache_size").fetchone()[0]
    # A big page cache while writing: the tracking-code index takes its keys in random order.
    db.execute(f"PRAGMA cache_size = {-WRITE_CACHE_KIB}")
    # The CHECK constraints' IN lists cost more than the rest of an insert (an ephemeral table per row):
    # rows built here are valid by construction (tests/test_demo_tips.py checks them), so skip them.
    db.execute("PRAGMA ignore_check_constraints = ON")
    try:
        with write_transaction(db):
            rebuilt = []
            if n >= REBUILD_INDEXES_FROM:
                # A bulk load: indexes built once by sorting beat a million random-order insertions.
                rebuilt = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tips'"
                                     " AND sql IS NOT NULL").fetchall()
                for name, _ in rebuilt:
                    db.execute(f'DROP INDEX "{name}"')
            for start in range(0, n, CHUNK):
                stop = min(n, start + CHUNK)
                rows, evs = _chunk(district, np_rng, times[start:stop], first_id + start, codes[start:stop], now_s,
                                   with_events, last_in_grid)
                db.conn.executemany(_INSERT_TIP, rows)
                if evs:
                    db.conn.executemany(_INSERT_EVENT, evs)
            if rebuilt:
                threads = db.execute("PRAGMA threads").fetchone()[0]
                db.execute("PRAGMA threads = 2")  # the sorter may use a helper thread per core
                for _, sql in rebuilt:
                    db.execute(sql)
                db.execute(f"PRAGMA threads = {int(threads)}")
    finally:
        db.execute("PRAGMA ignore_check_constraints = OFF")
        db.execute(f"PRAGMA cache_size = {int(cache)}")
    return n


def demo_year_count(db: sqlite_utils.Database) -> int:
    """How many tips a year the district's groups bring in: ~0.07 per member (220,000 → ~15,400)."""
    members = db.execute("SELECT COALESCE(SUM(member_count), 0) FROM chat_groups WHERE status = 'active'").fetchone()[0]
    return max(100, round(members * TIPS_PER_MEMBER_YEAR))


def generate_demo_year(db: sqlite_utils.Database, seed: int = DEFAULT_SEED, now: str | None = None) -> int:
    """The demo district's year of tips, at the program's scale (scales with the groups' members,
    so a 10x district gets 10x the tips). Deterministic for ``seed`` and ``now``; returns the count."""
    return generate_tips(db, n=demo_year_count(db), seed=seed, now=now or utcnow(), year_back=True)
