"""Demo pushes: a deterministic year of what Haimen's stations pushed into their groups, and how residents answered.

:func:`generate_demo_year` writes about 170 pushes into a seeded district (units, users, grids, groups), as
:func:`lib.demo.seed` calls it — before :mod:`lib.demo_tips`, so that the year of tips can answer them.

- **what**: the nine categories (九大类) in the program's mix — mostly prevention and anti-fraud tips, news and
  Q&A, some police bulletins, and about twenty appeals for information: missing elderly people and children
  (寻人启事), wanted notices (悬赏通告), hit-and-run and other case appeals (协查通报), among them the program's
  own cases (the rainy-night hit-and-run at Yudong with its grey car-body fragments, the wanted notice that
  brought a tip in 20 minutes). Chinese texts from ``data/content_library.json`` and the pools below, with
  every field their category's template requires, and photos for appeals (drawn here, stored like uploads);
- **who**: station pushes written by the station's own officers (an outpost's push by an officer of that
  outpost), district-wide ones by the district center; bulletins and appeals approved by someone else
  (four eyes: the station's admin, else a district admin — as :mod:`lib.pushes` requires);
- **to whom**: a target like a clerk would set it (the station's groups, its comprehensive grids, one
  outpost's groups, schools or logistics firms, a town's grids plus its transport companies …), resolved to
  groups the way :func:`lib.targeting.resolve` does, with one delivery row per group as
  :func:`lib.delivery.create_deliveries` makes them: a robot (``wecom_webhook``) for a group with a working
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
  program reports), a few more over the next hours. Tip rows are written as :mod:`lib.demo_tips` writes
  them (its columns, ``due_at`` from ``sla_rules``, unique tracking codes, a ``state`` and a public
  ``reply`` event, no audit rows).

Same database, seed and ``now``: same rows. Plain SQL inside the caller's transaction.
"""

from __future__ import annotations

import io
import json
import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlite_utils

from lib import demo, demo_tips, files, tips
from lib.db import ROOT, utcnow, write_transaction
from lib.targeting import MAX_PICKED, Target

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
BACKOFF_TOTAL_S = 30 + 60 + 120 + 240 + 480  # the worker's waits between six attempts (lib.worker.backoff_s)

# --- texts --------------------------------------------------------------------------------
# Placeholders: {town} the station's town, {station} its name, {community} an outpost's community.
# ``months``: when the text is in season (local months); ``theme``: who a themed push goes to.

ROUTINE: dict[str, list[dict]] = {
    "news": [
        {"title": "{station}召开“新百千万工程”推进会",
         "body": "近日，{station}召开“新百千万工程”推进会，全所社区民警、网格员参加。会议通报了辖区网格微信群建设情况，"
                 "要求民警亮明身份管好群、用好群，做到群众有求必应、有问必答。"},
        {"title": "{community}平安前哨工作站正式启用",
         "body": "{community}平安前哨工作站今天正式启用，社区民警和网格员每天在站值守，群众办事咨询、反映问题、"
                 "调解纠纷可就近前往，也可在本群留言。"},
        {"title": "{station}开展“警营开放日”活动",
         "body": "本周六上午，{station}举办“警营开放日”活动，欢迎辖区群众带孩子参观警营、体验警用装备、"
                 "学习防范知识。请在本群报名，名额有限。"},
        {"title": "“110宣传日”民警走进{community}", "months": (1,),
         "body": "1月10日是全国“110宣传日”。{station}民警走进{community}，现场讲解报警求助常识、"
                 "反诈防骗知识，并为群众办理户籍、出入境等业务咨询。"},
        {"title": "暑期“护苗”行动启动", "months": (7, 8),
         "body": "暑期已至，{station}启动“护苗”行动，加强对网吧、KTV、水域周边等重点部位的巡查，"
                 "发现未成年人违规进入网吧等情况，请在群里告诉我们。"},
        {"title": "春运期间{town}交通安全工作部署", "months": (1, 2),
         "body": "春运期间客流车流明显增加，{station}将在汽车站、主要路口增派警力。请大家错峰出行，"
                 "文明驾驶，不乘坐超员车辆和非法营运车辆。"},
    ],
    "prevention_tip": [
        {"title": "入室盗窃防范提示：出门锁好门窗",
         "body": "近期{town}发生多起入室盗窃，多为夜间翻窗进入。请大家出门、睡前关好门窗，贵重物品不要放在窗边，"
                 "发现可疑人员请拨打110。", "fields": {"audience": "辖区住户"}},
        {"title": "夏季防溺水安全提示", "months": (6, 7, 8), "theme": {"sections": ["school", "kindergarten",
                                                                               "riverside_coast", "village"]},
         "body": "夏季是溺水事故高发期。请家长看管好孩子，不私自下河下塘游泳，不在无安全设施、无救援人员的水域游泳，"
                 "发现有人落水请立即呼救并拨打110。", "fields": {"audience": "学生和家长"}},
        {"title": "台风天气出行安全提示", "months": (7, 8, 9),
         "body": "受台风影响，未来两天{town}有大风和强降雨。请加固阳台物品，远离广告牌、危房和大树，"
                 "非必要不出行，渔船回港避风。", "fields": {"audience": "全体居民"}},
        {"title": "电动自行车充电安全提示",
         "body": "电动自行车请到集中充电点充电，严禁在楼道、门厅停放充电，严禁“飞线”充电。充电时间不宜过长，"
                 "不要使用改装电池。", "fields": {"audience": "住宅小区居民"}},
        {"title": "春节期间烟花爆竹安全提示", "months": (1, 2),
         "body": "春节将至，请在规定区域燃放烟花爆竹，购买合格产品，不在楼道、阳台、柴草堆附近燃放，"
                 "看护好孩子。", "fields": {"audience": "全体居民"}},
        {"title": "秋冬季节农村防火提示", "months": (10, 11, 12),
         "body": "秋冬季节天干物燥，请不要在田间焚烧秸秆，柴草堆远离住房，老人用火用电要有人照看。",
         "fields": {"audience": "农村居民"}},
        {"title": "校园周边安全提示", "months": (2, 3, 9), "theme": {"sections": ["school", "kindergarten"]},
         "body": "开学季，民警将在上下学时段加强学校周边巡逻。请家长按时接送孩子，不要让孩子乘坐“黑车”，"
                 "发现校园周边可疑情况请及时报告。", "fields": {"audience": "学生和家长"}},
        {"title": "船民防汛安全提示", "months": (6, 7, 8, 9), "theme": {"sections": ["boat_dwellers"]},
         "body": "汛期江水上涨，请船民朋友检查船舶缆绳和救生设备，雷雨大风天气不要冒险航行，"
                 "落水险情请立即拨打110。", "fields": {"audience": "船民"}},
        {"title": "快递物流企业安全提示", "theme": {"industries": ["logistics_express", "freight_forwarding"]},
         "body": "请快递物流企业严格落实收寄验视、实名收寄制度，发现大量寄递银行卡、手机卡等可疑物品，"
                 "请立即报告公安机关。", "fields": {"audience": "快递物流企业"}},
    ],
    "anti_fraud": [
        {"title": "冒充熟人借钱？先打电话核实",
         "body": "骗子盗用亲友的微信、QQ，以急事为由借钱。遇到网上借钱，一定要打电话或当面核实。",
         "fields": {"scam": "冒充熟人、领导借钱", "advice": "凡是网上借钱、转账，先打电话或当面核实身份。"}},
        {"title": "“机票改签”要退款？是诈骗！",
         "body": "骗子谎称航班取消，以“改签补偿”为由让您操作转账。航班变动请通过官方渠道核实。",
         "fields": {"scam": "机票退改签诈骗", "advice": "只认航空公司官方客服电话，不点陌生链接，不透露验证码。"}},
        {"title": "养老投资高回报？当心非法集资",
         "body": "以“养老项目”“以房养老”为名，承诺高额回报吸收资金的，多为非法集资。请家中老人不要轻信。",
         "fields": {"scam": "养老投资骗局", "advice": "高回报必有高风险，投资理财请找正规金融机构，不听信上门推销。"}},
        {"title": "“注销校园贷”是诈骗",
         "body": "骗子冒充金融平台客服，称您的“校园贷”账户未注销会影响征信，诱导贷款转账。",
         "fields": {"scam": "注销校园贷诈骗", "advice": "征信问题只认中国人民银行征信中心，不要按陌生人指引贷款转账。"}},
        {"title": "陌生来电要求“共享屏幕”，马上挂断",
         "body": "骗子以各种理由让您下载会议软件、开启屏幕共享，从而获取银行卡和验证码。",
         "fields": {"scam": "屏幕共享诈骗", "advice": "任何让您开启屏幕共享、报验证码的来电，一律挂断。"}},
        {"title": "下载“国家反诈中心”APP，预警来电早知道",
         "body": "“国家反诈中心”APP能识别诈骗电话、短信和可疑链接，请大家下载并开启来电预警功能。",
         "fields": {"scam": "各类电信网络诈骗", "advice": "下载“国家反诈中心”APP，开启来电预警，接到96110来电请及时接听。"}},
        {"title": "境外经商侨胞谨防“领事馆”诈骗", "theme": {"sections": ["overseas_nationals"]},
         "body": "骗子冒充驻外使领馆工作人员，称您涉嫌洗钱要求转账“保证金”。使领馆不会以电话要求转账。",
         "fields": {"scam": "冒充使领馆诈骗", "advice": "接到自称使领馆的来电，请挂断后通过使领馆官方电话核实。"}},
    ],
    "qa": [
        {"title": "新生儿如何落户？",
         "body": "新生儿落户可在“苏服办”网上申请，也可到派出所户籍窗口办理，需带出生医学证明、父母户口簿和身份证。",
         "fields": {"question": "孩子刚出生，落户需要准备什么材料？在哪里办？"}},
        {"title": "居住证怎么办理？",
         "body": "在我区居住满半年、有合法稳定就业或住所的，可凭身份证、租房合同或务工证明到社区警务室申领居住证。",
         "fields": {"question": "外地来海门打工，租房住，居住证怎么办？要多久？"}},
        {"title": "电动自行车怎么上牌？",
         "body": "电动自行车上牌请携带身份证、购车发票和合格证，到就近的上牌点办理，当场发牌。",
         "fields": {"question": "新买的电动自行车怎么上牌？需要带什么？"}},
        {"title": "无犯罪记录证明怎么开？",
         "body": "本人携带身份证到户籍所在地派出所申请，也可在“苏服办”网上申请，一般3个工作日内出具。",
         "fields": {"question": "单位要求开无犯罪记录证明，网上能办吗？"}},
        {"title": "出入境证件可以异地办理吗？",
         "body": "护照、港澳通行证已实现全国“一网通办”，可在任一出入境窗口办理，周六上午区政务服务中心出入境窗口有值班。",
         "fields": {"question": "户口不在海门，能在海门办护照吗？周末上班吗？"}},
        {"title": "在国外经商，孩子的户籍手续能远程办吗？", "theme": {"sections": ["overseas_nationals"]},
         "body": "可以委托国内亲属持委托书和双方身份证件办理；无法回国签署的，可通过“中国领事”APP办理公证委托。",
         "fields": {"question": "我在非洲做生意回不来，孩子的户口手续能委托家人办吗？"}},
    ],
    "legal_education": [
        {"title": "《反电信网络诈骗法》：出租出借“两卡”违法",
         "body": "出租、出借、出售银行卡和手机卡，将被依法惩戒，情节严重的追究刑事责任。",
         "fields": {"law": "《中华人民共和国反电信网络诈骗法》"}},
        {"title": "高空抛物已入刑",
         "body": "从建筑物或者高空抛掷物品，情节严重的，处一年以下有期徒刑、拘役或者管制，并处或者单处罚金。",
         "fields": {"law": "《中华人民共和国刑法》第二百九十一条之二"}},
        {"title": "醉驾的法律后果",
         "body": "醉酒驾驶机动车属于危险驾驶罪，将被吊销驾驶证、五年内不得重新取得，并依法追究刑事责任。",
         "fields": {"law": "《中华人民共和国道路交通安全法》《刑法》"}},
        {"title": "学校周边禁止向未成年人售卖烟酒", "theme": {"sections": ["school"]},
         "body": "任何人不得向未成年人销售烟、酒、彩票，学校周边不得设置烟酒销售网点。发现违规请举报。",
         "fields": {"law": "《中华人民共和国未成年人保护法》"}},
    ],
    "health_tip": [
        {"title": "夏季防中暑", "months": (6, 7, 8),
         "body": "高温天气请避免正午外出，多喝水，老人和户外作业人员尤其要注意，出现头晕乏力请及时就医。"},
        {"title": "秋冬流感预防", "months": (10, 11, 12, 1),
         "body": "流感高发季节，请勤洗手、常通风，老人和儿童可接种流感疫苗，发热咳嗽请戴口罩并及时就医。"},
        {"title": "老人防跌倒小贴士",
         "body": "家中地面保持干燥，卫生间加装扶手，夜间开小夜灯，老人起床做到“三个半分钟”。"},
    ],
    "civic_culture": [
        {"title": "最美网格员：守护{community}的“铁脚板”",
         "body": "网格员每天走村入户、在群里回复群众诉求，被居民称为“铁脚板”。感谢每一位网格员的坚守！"},
        {"title": "好人好事：热心群众助力找回走失老人",
         "body": "前不久，群里一条寻人启事发出不到二十分钟，热心群众就提供了线索，帮助走失老人平安回家。"
                 "警力有限，民力无穷，感谢大家！"},
        {"title": "文明养犬，从我做起",
         "body": "遛狗请牵绳，及时清理粪便，烈性犬不得饲养。文明养犬，让邻里更和睦。"},
        {"title": "移风易俗：喜事新办、丧事简办",
         "body": "倡导婚事新办、丧事简办，不大操大办，不燃放大量烟花爆竹，共建文明乡风。"},
    ],
}

DISTRICT: list[dict] = [
    # district-wide pushes of the linkage center; (days back, category, text); the first opens the year
    {"days": 364, "category": "news", "target": "all", "launch": True,
     "title": "“新百千万工程”全面推开：民警网上“敲门”建群入群",
     "body": "即日起，海门公安“新百千万工程”在全区全面推开。社区民警、网格员以公开身份建群入群，"
             "在群里发布新闻播报、防范提示、反诈妙招、警方通报等资讯，及时回应群众诉求、线索和咨询。"},
    {"days": 330, "category": "anti_fraud", "target": "all",
     "title": "春节前后谨防五类诈骗", "fields": {
         "scam": "网购退款、刷单返利、冒充公检法、虚假投资、冒充熟人", "advice": "不转账、不透露验证码、不点陌生链接，拿不准就打110。"},
     "body": "春节前后是诈骗高发期，请大家牢记“三不一多”：未知链接不点击，陌生来电不轻信，个人信息不透露，转账汇款多核实。"},
    {"days": 300, "category": "prevention_tip", "target": "comprehensive",
     "title": "元宵节期间安全提示", "fields": {"audience": "全体居民"},
     "body": "元宵节观灯赏月人多，请照看好老人孩子，注意财物安全，文明燃放烟花爆竹。"},
    {"days": 270, "category": "news", "target": "comprehensive",
     "title": "全区网格微信群突破2700个",
     "body": "截至目前，全区已建立各类网格微信群2700余个，群成员22万余人，基本实现社区、行业、领域全覆盖。"},
    {"days": 235, "category": "legal_education", "target": "comprehensive",
     "title": "《反有组织犯罪法》要点", "fields": {"law": "《中华人民共和国反有组织犯罪法》"},
     "body": "欢迎群众举报涉黑涉恶线索，公安机关依法保护举报人。"},
    {"days": 200, "category": "anti_fraud", "target": "all",
     "title": "刷单返利都是骗局", "fields": {"scam": "刷单返利", "advice": "凡是先交钱再返利的兼职都是诈骗，切勿相信。"},
     "body": "所有刷单都是诈骗！先让你尝点甜头，再以“任务未完成”为由让你不断转账。"},
    {"days": 170, "category": "health_tip", "target": "comprehensive",
     "title": "高温天气防暑降温提示",
     "body": "近期持续高温，请减少午间户外活动，多补充水分，关心独居老人，出现中暑症状及时就医。"},
    {"days": 140, "category": "prevention_tip", "target": "all",
     "title": "台风“梅花”来袭，请做好防御", "fields": {"audience": "全体居民"},
     "body": "受台风影响，全区将出现大风强降雨天气。请关好门窗，收好阳台物品，远离危房和广告牌，渔船回港避风。"},
    {"days": 120, "category": "news", "target": "comprehensive",
     "title": "“新百千万工程”半年工作回顾",
     "body": "半年来，全区网格群收到群众诉求、线索和咨询数千条，寻人启事均在20分钟内获得线索，"
             "3名走失老人、2名走失儿童平安回家。感谢大家的支持！"},
    {"days": 85, "category": "civic_culture", "target": "comprehensive",
     "title": "海门新风：邻里守望，平安共建",
     "body": "欢迎加入平安志愿者队伍，守护身边的平安。"},
    {"days": 45, "category": "anti_fraud", "target": "all",
     "title": "“双十一”网购谨防冒充客服退款诈骗", "fields": {
         "scam": "冒充电商客服退款", "advice": "退款请在购物平台内操作，客服不会索要验证码，不会让您开启屏幕共享。"},
     "body": "网购高峰期，骗子冒充电商客服，以“商品质量问题”“快递丢失”为由主动退款，诱导您转账或贷款。"},
    {"days": 12, "category": "prevention_tip", "target": "comprehensive",
     "title": "冬季用电用火安全提示", "fields": {"audience": "全体居民"},
     "body": "天冷了，使用取暖器要远离可燃物，电动车不进楼道，出门随手关电源。"},
]

BULLETINS: list[dict] = [
    {"title": "关于破获系列盗窃电动车电瓶案的通报",
     "body": "经连续工作，{station}破获系列盗窃电动车电瓶案，抓获犯罪嫌疑人2名，追回电瓶30余组。"
             "请失主带上购买凭证到派出所认领。",
     "fields": {"what": "破获系列盗窃电动车电瓶案，抓获嫌疑人2名", "where": "{town}{community}一带"}},
    {"title": "关于网传“{town}有人抢孩子”的辟谣通报",
     "body": "近日网传“{town}有人开面包车抢孩子”，经核实，系一起家庭纠纷，不存在抢孩子情况。请大家不信谣、不传谣。",
     "fields": {"what": "网传“有人抢孩子”，经核实系家庭纠纷", "where": "{town}{community}"}},
    {"title": "关于一起冒充客服诈骗案的警情通报",
     "body": "{town}居民{surname}某接到自称电商客服的电话，按对方指引操作“退款”，被骗5万余元。警方提醒：客服退款不需要验证码！",
     "fields": {"what": "冒充电商客服诈骗，被骗5万余元", "where": "{town}"}},
    {"title": "关于{town}一起民房火灾的情况通报",
     "body": "{community}一民房因电动车在室内充电引发火灾，消防救援人员及时扑救，未造成人员伤亡。请大家规范充电。",
     "fields": {"what": "电动车室内充电引发民房火灾，无人员伤亡", "where": "{community}"}},
    {"title": "关于打掉一个收购银行卡团伙的通报",
     "body": "{station}打掉一个非法收购、出售银行卡团伙，抓获犯罪嫌疑人5名。出租出借银行卡违法，请勿因小利而犯法。",
     "fields": {"what": "打掉非法收购银行卡团伙，抓获嫌疑人5名", "where": "{town}"}},
    {"title": "关于道路施工期间交通管制的通告",
     "body": "因道路施工，{town}部分路段实行半封闭交通管制，请过往车辆绕行，服从现场民警指挥。",
     "fields": {"what": "道路施工，部分路段半封闭管制", "where": "{town}主要道路"}},
    {"title": "关于查处一起醉酒驾驶案件的通报",
     "body": "{station}民警在夜查中查获一名醉酒驾驶人，血液酒精含量超过200mg/100ml，已依法处理。喝酒不开车，开车不喝酒。",
     "fields": {"what": "夜查查获醉酒驾驶一起", "where": "{town}{community}路口"}},
]

# Appeals: kind, the station (by name, or None: any), days back, local hour, photo, first lead (minutes,
# min–max), leads (min–max), the gap between later leads (mean minutes), and the texts. {when} is the
# incident's local time as a clerk writes it (“2月25日20时许”), {found} its aftermath in the reply.
APPEALS: list[dict] = [
    {"kind": "case_appeal", "station": "余东派出所", "days": 276, "hour": 9, "photo": "fragments",
     "first": (35, 55), "leads": (3, 5), "gap": 150, "lead_texts": "hit_and_run",
     "title": "协查通报：星海公路雨夜交通肇事逃逸案",
     "body": "{when}，一辆汽车在星海公路树勋汽车站附近撞伤一名骑电动自行车的群众后逃逸。现场遗留灰色挡板碎片（见图），"
             "肇事车辆前部应有撞击痕迹。请知情群众、修理厂、运输企业留意，及时与警方联系，警方为举报人保密。",
     "fields": {"what": "交通肇事逃逸，现场遗留灰色挡板碎片，寻找肇事车辆及目击者", "where": "星海公路树勋汽车站附近"},
     "incident_hours": 13},
    {"kind": "wanted", "station": "海门派出所", "days": 262, "hour": 15, "photo": "portrait_suspect",
     "first": (18, 22), "leads": (3, 6), "gap": 40, "lead_texts": "wanted",
     "title": "悬赏通告：故意伤害致死案犯罪嫌疑人陆某",
     "body": "{when}，海门街道发生一起故意伤害致人死亡案，犯罪嫌疑人陆某作案后携凶器潜逃。陆某可能携带凶器，"
             "发现后请勿贸然接触，立即拨打110。对提供线索协助抓获的，给予奖励，警方为举报人严格保密。",
     "fields": {"suspect": "陆某某，男，42岁", "case": "故意伤害致人死亡", "where": "海门街道",
                "description": "身高约1.72米，体型偏瘦，短发，案发时穿黑色夹克、深色裤子，本地口音",
                "reward": "人民币10000元"},
     "incident_hours": 5},
    {"kind": "missing_person", "station": "三星派出所", "days": 240, "hour": 16, "photo": "portrait_elderly",
     "first": (9, 18), "leads": (3, 5), "gap": 20, "lead_texts": "missing_elderly", "login": True,
     "title": "寻人启事：78岁老人在三星镇汽车站走失",
     "body": "{when}，家住{community}的顾某某老人在三星镇汽车站走失。老人患有阿尔茨海默病，不会使用手机，说本地方言。"
             "请广大群众留意身边独自行走的老人，如有发现请拨打110，或扫码提供线索。",
     "fields": {"person": "顾某某，男，78岁", "where": "三星镇汽车站",
                "description": "身高约1.68米，偏瘦，头发花白，穿深蓝色棉衣、黑色裤子、黑色布鞋"},
     "incident_hours": 3},
    {"kind": "missing_person", "station": "常乐派出所", "days": 215, "hour": 18, "photo": "portrait_elderly",
     "first": (8, 16), "leads": (3, 5), "gap": 25, "lead_texts": "missing_elderly",
     "title": "寻人启事：81岁老太太外出未归",
     "body": "{when}，{community}81岁的施某某老人独自出门后未归，家人四处寻找未果。老人行动较慢，记忆力差。"
             "如有发现请拨打110或扫码提供线索，谢谢！",
     "fields": {"person": "施某某，女，81岁", "where": "{community}家中",
                "description": "身高约1.55米，短发花白，穿枣红色外套、灰色裤子，拄拐杖"},
     "incident_hours": 4},
    {"kind": "missing_person", "station": "海门派出所", "days": 190, "hour": 19, "photo": "portrait_child",
     "first": (10, 19), "leads": (3, 6), "gap": 15, "lead_texts": "missing_child",
     "title": "寻人启事：9岁男孩放学未归",
     "body": "{when}，就读于海门街道某小学的黄某某（9岁）放学后未回家，家长联系不上。请广大群众留意，"
             "如有发现请先让孩子在安全地方等候，并立即拨打110。",
     "fields": {"person": "黄某某，男，9岁", "where": "海门街道某小学门口",
                "description": "身高约1.35米，偏瘦，穿蓝白色校服，背黑色书包，戴眼镜"},
     "incident_hours": 3},
    {"kind": "case_appeal", "station": "临江派出所", "days": 176, "hour": 10, "photo": "fragments",
     "first": (30, 52), "leads": (3, 5), "gap": 180, "lead_texts": "hit_and_run",
     "title": "协查通报：寻找一起交通肇事逃逸车辆",
     "body": "{when}，临江镇沿江公路发生一起交通肇事逃逸，一名行人受伤。现场遗留白色保险杠碎片和后视镜外壳（见图）。"
             "请修理厂、停车场和过往司机留意，提供线索者警方予以保密。",
     "fields": {"what": "交通肇事逃逸致行人受伤，寻找白色肇事车辆", "where": "临江镇沿江公路"},
     "incident_hours": 12},
    {"kind": "missing_person", "station": "悦来派出所", "days": 160, "hour": 11, "photo": "portrait_elderly",
     "first": (8, 17), "leads": (3, 5), "gap": 25, "lead_texts": "missing_elderly",
     "title": "寻人启事：七旬老人骑三轮车外出未归",
     "body": "{when}，{community}的季某某老人骑电动三轮车外出后未归，手机关机。请大家留意路边、田间和河边，"
             "如有发现请拨打110或扫码提供线索。",
     "fields": {"person": "季某某，男，73岁", "where": "{community}",
                "description": "身高约1.70米，穿灰色夹克，骑红色电动三轮车"},
     "incident_hours": 5},
    {"kind": "wanted", "station": "叠石桥派出所", "days": 150, "hour": 14, "photo": "portrait_suspect",
     "first": (15, 30), "leads": (3, 6), "gap": 90, "lead_texts": "wanted",
     "title": "悬赏通告：家纺城系列盗窃案嫌疑人",
     "body": "{when}以来，叠石桥家纺城多家商铺夜间被盗，监控拍到嫌疑人作案过程（见图）。"
             "请商户和群众辨认，提供线索协助破案的给予奖励，警方为举报人保密。",
     "fields": {"suspect": "男子一名，年龄约30岁，身份不明", "case": "系列入室盗窃", "where": "叠石桥家纺城",
                "description": "身高约1.75米，中等身材，作案时戴鸭舌帽和口罩，穿深色运动服", "reward": "人民币5000元"},
     "incident_hours": 96},
    {"kind": "missing_person", "station": "包场派出所", "days": 132, "hour": 17, "photo": "portrait_child",
     "first": (9, 18), "leads": (3, 5), "gap": 15, "lead_texts": "missing_child",
     "title": "寻人启事：5岁女孩在超市与家人走散",
     "body": "{when}，一名5岁女孩在包场镇一超市附近与家人走散。请附近商户、群众留意，如有发现请带孩子在原地等候并拨打110。",
     "fields": {"person": "倪某某，女，5岁", "where": "包场镇某超市门口",
                "description": "身高约1.05米，扎两个小辫，穿粉色连衣裙、白色凉鞋"},
     "incident_hours": 2},
    {"kind": "case_appeal", "station": "三厂派出所", "days": 118, "hour": 10, "photo": "cctv",
     "first": (25, 50), "leads": (3, 4), "gap": 200, "lead_texts": "case",
     "title": "协查通报：寻找盗割电缆嫌疑车辆",
     "body": "{when}，三厂街道一工地电缆被盗割，监控拍到一辆嫌疑面包车（见图）。请群众和废品收购站留意，"
             "如有线索请与警方联系。",
     "fields": {"what": "工地电缆被盗割，寻找嫌疑面包车及收购电缆人员", "where": "三厂街道某工地"},
     "incident_hours": 30},
    {"kind": "missing_person", "station": "正余派出所", "days": 104, "hour": 20, "photo": "portrait_elderly",
     "first": (8, 18), "leads": (3, 5), "gap": 20, "lead_texts": "missing_elderly",
     "title": "寻人启事：76岁老人赶集后走失",
     "body": "{when}，{community}的陆某某老人去正余集镇赶集后未回家。老人听力不好，记性差。请大家留意，如有发现请拨打110。",
     "fields": {"person": "陆某某，男，76岁", "where": "正余镇集市",
                "description": "身高约1.65米，穿黑色棉袄，戴灰色毛线帽，提一只蓝色布袋"},
     "incident_hours": 4},
    {"kind": "wanted", "station": "开发区派出所", "days": 90, "hour": 10, "photo": "portrait_suspect",
     "first": (14, 28), "leads": (3, 5), "gap": 120, "lead_texts": "wanted",
     "title": "悬赏通告：诈骗案在逃犯罪嫌疑人",
     "body": "犯罪嫌疑人涉嫌以投资养老项目为名诈骗多名老人，{when}起在逃。请群众积极提供线索，"
             "对协助抓获者给予奖励，警方为举报人保密。",
     "fields": {"suspect": "袁某某，男，38岁", "case": "诈骗", "where": "海门经济技术开发区",
                "description": "身高约1.70米，微胖，戴眼镜，常穿西装，开白色轿车", "reward": "人民币5000元"},
     "incident_hours": 240},
    {"kind": "case_appeal", "station": "四甲派出所", "days": 74, "hour": 9, "photo": "fragments",
     "first": (28, 50), "leads": (3, 5), "gap": 160, "lead_texts": "hit_and_run",
     "title": "协查通报：四甲镇一起肇事逃逸，现场遗留车灯碎片",
     "body": "{when}，四甲镇一辆货车与骑自行车的老人发生碰撞后逃逸。现场遗留车灯碎片（见图），"
             "肇事车辆右前大灯应有损坏。请运输企业、修理厂留意，提供线索者警方予以保密。",
     "fields": {"what": "交通肇事逃逸，寻找右前大灯损坏的货车", "where": "四甲镇镇区主干道"},
     "incident_hours": 10},
    {"kind": "missing_person", "station": "刘浩派出所", "days": 60, "hour": 15, "photo": "portrait_child",
     "first": (11, 19), "leads": (3, 5), "gap": 20, "lead_texts": "missing_child",
     "title": "寻人启事：14岁初中女生离家未归",
     "body": "{when}，刘浩镇一名14岁初中女生与家人争吵后离家，手机关机。孩子可能在网吧、车站一带，"
             "请大家留意，如有发现请拨打110。",
     "fields": {"person": "朱某某，女，14岁", "where": "刘浩镇家中",
                "description": "身高约1.60米，长发扎马尾，穿白色卫衣、牛仔裤，背粉色双肩包"},
     "incident_hours": 6},
    {"kind": "case_appeal", "station": "水上派出所", "days": 47, "hour": 10, "photo": "cctv",
     "first": (30, 55), "leads": (3, 4), "gap": 240, "lead_texts": "case",
     "title": "协查通报：寻找青龙港落水事件目击者",
     "body": "{when}，青龙港码头附近有一人落水，经打捞确认死亡，身份待查。请当时在码头附近的群众、船民提供线索。",
     "fields": {"what": "一人落水死亡，身份待查，寻找目击者", "where": "青龙港码头附近"},
     "incident_hours": 20},
    {"kind": "missing_person", "station": "滨江派出所", "days": 33, "hour": 12, "photo": "portrait_elderly",
     "first": (9, 18), "leads": (3, 5), "gap": 25, "lead_texts": "missing_elderly",
     "title": "寻人启事：养老院一位老人外出未归",
     "body": "{when}，滨江街道一养老院的沈某某老人独自外出后未归。老人患有认知障碍，请群众留意，如有发现请拨打110。",
     "fields": {"person": "沈某某，男，85岁", "where": "滨江街道某养老院",
                "description": "身高约1.62米，驼背，穿灰色羽绒服，戴黑色帽子"},
     "incident_hours": 3},
    {"kind": "wanted", "station": "东灶港派出所", "days": 21, "hour": 16, "photo": "portrait_suspect",
     "first": (16, 30), "leads": (3, 5), "gap": 100, "lead_texts": "wanted",
     "title": "悬赏通告：抢夺案犯罪嫌疑人",
     "body": "{when}，港新区一名女子的挎包被骑摩托车男子抢走，嫌疑人往东逃窜。请知情群众提供线索，"
             "对协助抓获者给予奖励。",
     "fields": {"suspect": "男子一名，年龄约25岁，身份不明", "case": "抢夺", "where": "海门港新区",
                "description": "身高约1.70米，偏瘦，戴黑色头盔，穿黑色外套，骑无牌红色摩托车", "reward": "人民币3000元"},
     "incident_hours": 8},
    {"kind": "case_appeal", "station": "海永派出所", "days": 9, "hour": 10, "photo": "cctv",
     "first": (26, 48), "leads": (3, 4), "gap": 200, "lead_texts": "case",
     "title": "协查通报：寻找盗窃农机嫌疑车辆",
     "body": "{when}，海永镇一农户院内的小型农机被盗，监控拍到一辆嫌疑皮卡（见图）。请群众留意，有线索请联系警方。",
     "fields": {"what": "农户院内小型农机被盗，寻找嫌疑皮卡车", "where": "海永镇"},
     "incident_hours": 20},
    {"kind": "missing_person", "station": "三星派出所", "days": 2, "hour": 17, "photo": "portrait_elderly",
     "first": (8, 15), "leads": (4, 6), "gap": 20, "lead_texts": "missing_elderly",
     "title": "寻人启事：七旬老人在叠石桥家纺城走失",
     "body": "{when}，{community}的茅某某老人到叠石桥家纺城后与家人走散。老人不识字，说本地方言。"
             "请商户和群众留意，如有发现请拨打110或扫码提供线索。",
     "fields": {"person": "茅某某，女，72岁", "where": "叠石桥家纺城东门",
                "description": "身高约1.58米，短发花白，穿紫色外套、黑色裤子，背黑色小包"},
     "incident_hours": 3},
]

LEAD_TEXTS = {
    "missing_elderly": (
        "在{place}看到一位老人，和寻人启事里的很像，一个人坐在路边，我先陪着他，请民警快来。",
        "刚才在{place}附近看到一位老人独自往{road}路方向走，走得很慢，神情茫然，像是推送里走失的老人。",
        "我开出租车的，半小时前在{hub}附近看到一位老人在路边问路，说要回家又讲不清地址，在{place}一带。",
        "{place}的小超市老板说刚才有个老人进店买水，没带钱，样子和照片上的一样。",
        "看到群里的寻人启事，老人现在在{place}公交站台，我已经让他坐下等，麻烦民警过来。",
        "在{place}菜场门口看到一位老人在问路，说要找儿子，穿着和启事里说的一样。",
    ),
    "missing_child": (
        "在{place}看到一个小孩一个人在哭，和推送照片里的孩子很像，我已经把孩子带到旁边店里等。",
        "{place}网吧门口有个学生模样的孩子，背着书包，和寻人启事描述的很像。",
        "我女儿说和这个孩子一个学校，刚才看到孩子在{place}附近，往{road}路方向走了。",
        "在{place}公交车上看到一个孩子独自乘车，跟启事里的孩子很像，车往{town}方向开。",
        "{place}小区门口有个孩子一个人坐着，问她家在哪里不说，样子和照片里的像。",
    ),
    "wanted": (
        "在{place}看到一个人很像悬赏通告里的嫌疑人，戴着帽子，骑{color}{vehicle}，往{road}路方向去了。",
        "{place}一间出租屋前两天新搬来一个男的，很少出门，长相和通告照片很像。",
        "我在{place}工地干活，新来的一个工友和照片上的人很像，说话是外地口音，请核实。",
        "{place}附近小旅馆有个人登记时不肯出示身份证，样子和通告里的很像。",
        "看到群里的悬赏通告，嫌疑人今天早上在{place}出现过，开一辆{color}{vehicle}。",
    ),
    "hit_and_run": (
        "看到群里推送的碎片照片，{place}的修理厂今天来了一辆{color}小轿车，前保险杠左侧缺了一块，正在修。",
        "事发那晚我在{place}，看到一辆{color}车开得很快，车头好像撞坏了，车牌{plate}。",
        "我们运输公司有个司机的车那天晚上回来时挡板坏了，说是撞到了树，颜色和推送里的碎片一样。",
        "{place}路边停着一辆{color}{vehicle}，前大灯碎了，好几天没动过。",
        "我家门口的监控拍到了那晚经过的车辆，可以拷给民警。",
    ),
    "case": (
        "我家门口的监控拍到了那天晚上的情况，可以拷给民警。",
        "那天下午我在{place}，看到两个人开一辆{color}{vehicle}，车上装着东西，很可疑。",
        "{place}的废品站前两天收过一批类似的东西，卖的人开{color}{vehicle}，车牌{plate}。",
        "当时我在{place}附近，看到有人往{road}路方向走了，穿着{color}外套。",
    ),
}
LEAD_REPLIES = {
    "missing_person": ("感谢您提供的线索！走失人员已平安找回，感谢热心群众的帮助。",
                       "线索已收到，民警已赶到现场核实，感谢您的热心帮助！"),
    "wanted": ("感谢您的举报，犯罪嫌疑人已落网，警方将依规兑现奖励并为您保密。",
               "线索已转交办案民警核查，感谢您的支持，我们会为您保密。"),
    "case_appeal": ("线索已核实，案件已侦破，感谢您的支持！",
                    "线索已转交办案民警，感谢您为平安海门出力，我们会为您保密。"),
}
REJECT_LEAD = ("经核实不是通告所涉人员", "信息不足，无法核实")
LEAD_ACK = "收到，感谢您提供的线索，民警正在赶往核实，我们会为您保密。"
LEAD_CALLBACK = "已电话联系线索提供人，核实了看到的时间、地点和衣着，已通知附近民警。"

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
            outposts.setdefault(sid, []).append((uid, name.removesuffix("平安前哨工作站")))
        groups: dict[int, list[_Group]] = {}
        for (gid, sid, outpost, category, section, industry, members, url, webhook_state, owner, grid_id, grid_name,
             lat, lon, geometry) in db.execute(
                "SELECT c.id, c.station_id, g.outpost_id, g.category, g.section_label, g.industry_label,"
                " c.member_count, c.webhook_url, c.webhook_state, c.owner_user_id, g.id, g.name, g.lat, g.lon,"
                " g.geometry FROM chat_groups c JOIN grids g ON g.id = c.grid_id WHERE c.status = 'active'"
                " ORDER BY c.id"):
            half = (0.0005, 0.0005)  # a dedicated grid is a site: ~50 m around it (as lib.demo_tips)
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
    return int(datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())


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
    """A local time as a clerk writes it: ``2月25日20时许``."""
    local = datetime.fromtimestamp(t + LOCAL_OFFSET_S, UTC)
    return f"{local.month}月{local.day}日{local.hour}时许"


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
    """The filter part of :func:`lib.targeting._where` for one active group (station bound apart)."""
    if t.use_filter and ((not t.outpost_ids or g.outpost_id in t.outpost_ids)
                         and (not t.categories or g.category in t.categories)
                         and (not t.section_labels or g.section in t.section_labels)
                         and (not t.industry_labels or g.industry in t.industry_labels)):
        return True
    return g.id in t.group_ids


def _resolve(d: _District, target: Target, station_id: int | None) -> list[_Group]:
    """The groups a target reaches, as :func:`lib.targeting.resolve` finds them (active, by id)."""
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
    closed: int | None = None  # an appeal's closing (lib.appeals), with its outcome
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
                               "advice": "不转账、不透露验证码、不点陌生链接，拿不准就打110或到派出所咨询。"}
        elif item["category"] == "qa":
            entry["fields"] = {"question": item["title"]}
        elif item["category"] == "prevention_tip":
            entry["fields"] = {"audience": "辖区群众"}
        if "冬季" in item["title"]:
            entry["months"] = (11, 12, 1, 2)
        if "家纺城" in item["title"]:
            entry["theme"] = {"industries": ["home_textiles"]}
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
    name = d.stations.get(station_id, "海门区公安局")
    outposts = d.outposts.get(station_id, [])
    community = next((c for o, c in outposts if o == outpost), None) or (rng.choice(outposts)[1] if outposts else
                                                                         "平安社区")
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
            p.state_reason = "事件经过表述不准确，请核实后修改"
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
              state_reason="走失老人已自行回家，撤回推送")
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
    worker does, :func:`lib.appeals.expire`). Still running: (None, None)."""
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
        # The CHECK constraints' IN lists cost most of an insert (see lib.demo_tips): these rows are valid
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
