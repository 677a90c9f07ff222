"""Likely duplicates: Chinese text similarity (normalized character n-grams) combined with time and
place closeness, and merging a duplicate into the tip that goes on."""

from datetime import UTC, datetime, timedelta

import pytest

from lib.core import audit
from lib.core.errors import NotFoundError, ValidationError
from lib.tips import tip_duplicates, tips
from lib.tips.tips import TipInput

T0 = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


def at(hours: float = 0.0) -> str:
    return (T0 + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def own_grids(db, user, n=2):
    return [r[0] for r in db.execute("SELECT id FROM grids WHERE station_id = ? AND geometry IS NOT NULL"
                                     " ORDER BY id LIMIT ?", [user.station_id, n])]


def make(db, description, *, hours=0.0, **over):
    values = dict(kind="lead", description=description, consent=True)
    values.update(over)
    return tips.create_tip(db, TipInput(**values), now=at(hours))["id"]


# (first report, the same event told by someone else, the place they both name)
SAME_EVENT = [
    ("三星镇汽车站旁边停着一辆灰色面包车，车头有撞痕，像是昨晚撞人的那辆。",
     "汽车站边上有辆灰色的面包车，车头被撞坏了，怀疑是昨天晚上肇事逃逸的车！", "三星镇汽车站"),
    ("叠石桥小区3号楼楼道里堆满纸箱，有消防隐患，请尽快清理。",
     "3号楼楼道堆了很多纸箱子，着火了怎么办？希望物业清理一下。", "叠石桥小区"),
    ("有人冒充客服打电话说要退款，让我下载一个APP开共享屏幕。",
     "接到自称淘宝客服的电话，说商品有问题给我退款，要我开屏幕共享，是不是诈骗？", ""),
    ("ＸＸ路口红色轿车撞了电动车后开走了，车牌苏Ｆ１２３４５。",
     "路口有辆红色小轿车撞倒骑电动车的人就跑了，车牌好像是苏F12345", ""),
    ("80岁左右老人走失，穿蓝色棉袄，在菜市场附近，有认识的请联系。",
     "菜市场门口有个老人一直在转，穿蓝色棉袄，八十来岁，好像找不到家了。", "三星菜市场"),
    ("群里有人发刷单兼职广告，说日赚三百，肯定是骗子。", "网格群里又有人发刷单兼职的广告，日赚300元，请民警处理。", ""),
]

# Different events in the same grid, the same day.
DIFFERENT_EVENTS = [
    ("三星镇汽车站旁边停着一辆灰色面包车，车头有撞痕。", "小区门口的路灯坏了一个星期了，晚上很黑，请尽快修。", "三星镇汽车站"),
    ("叠石桥小区3号楼楼道里堆满纸箱，有消防隐患。", "叠石桥小区有人在群里发贷款广告，疑似诈骗。", "叠石桥小区"),
    ("菜市场门口有人占道经营，堵住了路。", "菜市场附近的老人走丢了，穿蓝色棉袄。", "三星菜市场"),
    ("夜里广场舞音乐太吵，影响休息。", "夜里有人在小区里偷电瓶车电瓶。", ""),
    ("楼上邻居装修噪音太大，周末早上七点就开始。", "小区东门有人卖假冒伪劣保健品给老人。", ""),
]


def test_normalization_folds_full_width_and_drops_punctuation_and_filler():
    assert tip_duplicates.normalize_text("您好！ＡＢＣ　１２３，苏Ｆ·12345？") == "abc123苏f12345"


@pytest.mark.parametrize("a,b,place", SAME_EVENT)
def test_the_same_event_told_differently_is_similar(a, b, place):
    assert tip_duplicates.text_similarity(a, b, place_words=(place,)) >= tip_duplicates.THRESHOLD


@pytest.mark.parametrize("a,b,place", DIFFERENT_EVENTS)
def test_different_events_are_not_similar(a, b, place):
    assert tip_duplicates.text_similarity(a, b, place_words=(place,)) < tip_duplicates.THRESHOLD / 2


def test_place_words_are_not_text_evidence():
    a, b = "叠石桥小区3号楼楼道里堆满纸箱，有消防隐患。", "叠石桥小区有人在群里发贷款广告，疑似诈骗。"
    assert tip_duplicates.text_similarity(a, b) > tip_duplicates.text_similarity(a, b, place_words=("叠石桥小区",))


@pytest.mark.parametrize("a,b,place", SAME_EVENT)
def test_same_event_in_the_same_grid_is_a_likely_duplicate(demo_db, users, a, b, place):
    grid = own_grids(demo_db, users["clerk"])[0]
    first = make(demo_db, a, grid_id=grid, location_text=place)
    second = make(demo_db, b, hours=1.5, grid_id=grid, location_text=place)
    found = tip_duplicates.likely_duplicates(demo_db, users["clerk"], second)
    assert [c["id"] for c in found] == [first]
    assert found[0]["score"] >= tip_duplicates.THRESHOLD
    keys = [key for key, _ in found[0]["reasons"]]
    assert keys[0] == "dup.reason.text" and "dup.reason.same_grid" in keys


def test_different_events_in_the_same_grid_are_not_listed(demo_db, users):
    grid = own_grids(demo_db, users["clerk"])[0]
    ids = [make(demo_db, a, hours=0.1 * n, grid_id=grid) for n, (a, _, _) in enumerate(DIFFERENT_EVENTS)]
    other = make(demo_db, DIFFERENT_EVENTS[0][1], grid_id=grid)
    assert tip_duplicates.likely_duplicates(demo_db, users["clerk"], other) == []
    assert ids  # the grid was busy


def test_same_text_far_apart_in_time_is_excluded(demo_db, users):
    grid = own_grids(demo_db, users["clerk"])[0]
    text = SAME_EVENT[0][0]
    make(demo_db, text, hours=-24 * 4, grid_id=grid)
    later = make(demo_db, text, grid_id=grid)
    assert tip_duplicates.likely_duplicates(demo_db, users["clerk"], later) == []
    assert tip_duplicates.likely_duplicates(demo_db, users["clerk"], later, days=5) != []


def test_same_text_in_another_grid_is_excluded(demo_db, users):
    grid_a, grid_b = own_grids(demo_db, users["clerk"])
    make(demo_db, SAME_EVENT[1][0], grid_id=grid_a)
    other = make(demo_db, SAME_EVENT[1][0], grid_id=grid_b)
    assert tip_duplicates.likely_duplicates(demo_db, users["clerk"], other) == []


def test_without_a_grid_coordinates_within_1_km_count(demo_db, users):
    # Points outside every grid: unrouted, the district center's.
    admin = users["district_admin"]
    a = make(demo_db, SAME_EVENT[0][0], lat=0.0, lon=0.0)
    near = make(demo_db, SAME_EVENT[0][1], hours=1, lat=0.004, lon=0.0)  # ~450 m
    far = make(demo_db, SAME_EVENT[0][1], hours=1, lat=0.03, lon=0.0)  # ~3.3 km
    found = tip_duplicates.likely_duplicates(demo_db, admin, a)
    assert [c["id"] for c in found] == [near]
    assert ("dup.reason.distance", {"m": 445}) in found[0]["reasons"]
    assert far not in [c["id"] for c in found]


def test_closer_in_time_ranks_first(demo_db, users):
    grid = own_grids(demo_db, users["clerk"])[0]
    a, b, _ = SAME_EVENT[0]
    late = make(demo_db, b, hours=-40, grid_id=grid)
    soon = make(demo_db, b, hours=-1, grid_id=grid)
    tip = make(demo_db, a, grid_id=grid)
    found = tip_duplicates.likely_duplicates(demo_db, users["clerk"], tip)
    assert [c["id"] for c in found] == [soon, late]
    assert found[0]["score"] > found[1]["score"]


def test_other_stations_tips_are_out_of_reach(demo_db, users):
    grid = own_grids(demo_db, users["clerk"])[0]
    tip = make(demo_db, SAME_EVENT[0][0], grid_id=grid)
    with pytest.raises(NotFoundError):
        tip_duplicates.likely_duplicates(demo_db, users["other_clerk"], tip)


def test_merge_keeps_both_links_them_notes_and_audits(demo_db, users):
    clerk = users["clerk"]
    grid = own_grids(demo_db, clerk)[0]
    first = make(demo_db, SAME_EVENT[0][0], grid_id=grid)
    second = make(demo_db, SAME_EVENT[0][1], hours=1, grid_id=grid)
    tip = tips.get_tip(demo_db, clerk, second)
    merged = tip_duplicates.merge(demo_db, clerk, second, tip["version"], first)
    assert merged["state"] == "duplicate" and merged["duplicate_of"] == first
    assert tips.get_tip(demo_db, clerk, first)["state"] == "new"  # the survivor goes on
    notes = [e for e in tips.events(demo_db, clerk, first) if e["kind"] == "merge"]
    assert len(notes) == 1 and notes[0]["text"].startswith(f"#{second} ") and not notes[0]["is_public"]
    assert any(e["action"] == "merge" for e in audit.list_entries(demo_db, users["district_admin"], entity="tips",
                                                                  entity_id=first))
    assert any(e["action"] == "mark_duplicate" for e in audit.list_entries(
        demo_db, users["district_admin"], entity="tips", entity_id=second))
    # A merged tip is no longer offered as a candidate.
    third = make(demo_db, SAME_EVENT[0][1], hours=2, grid_id=grid)
    assert [c["id"] for c in tip_duplicates.likely_duplicates(demo_db, clerk, third)] == [first]


def test_merge_refuses_self_a_duplicate_target_and_a_stale_version(demo_db, users):
    clerk = users["clerk"]
    grid = own_grids(demo_db, clerk)[0]
    a, b, c = (make(demo_db, SAME_EVENT[0][0], hours=h, grid_id=grid) for h in (0, 1, 2))
    with pytest.raises(ValidationError):
        tip_duplicates.merge(demo_db, clerk, a, 1, a)
    tip_duplicates.merge(demo_db, clerk, b, 1, a)
    with pytest.raises(ValidationError) as info:
        tip_duplicates.merge(demo_db, clerk, c, 1, b)
    assert info.value.params == {"id": a}
    tips.move(demo_db, users["station_admin"], c, 1, "triage")
    with pytest.raises(tips.StaleEdit):
        tip_duplicates.merge(demo_db, clerk, c, 1, a)
    assert tips.get_tip(demo_db, clerk, c)["state"] == "triaged"
    assert not [e for e in tips.events(demo_db, clerk, a) if e["kind"] == "merge" and f"#{c} " in e["text"]]
