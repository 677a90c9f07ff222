"""The 协查看板 page (AppTest): each active appeal of the user's scope as a card with the race figures
lib computes, another station's appeal hidden from a clerk, a new lead announced, closing with an
outcome, and the follow-up draft it offers."""

from datetime import UTC, datetime, timedelta

import pytest

from lib.core import audit
from lib.core.db import query_one
from lib.pushes import appeals, pushes
from lib.tips import tip_clocks, tips, triage_queue
from lib.ui import ui
from pages import appeals as appeals_page
from tests.apptest import goto, texts
from tests.factories import make_tip, sent_appeal


def open_board(app, username, lang=None):
    """The board as ``username``; clicks work from the second run on (see tests/apptest.py)."""
    return goto(app(username, lang).run(), "appeals").run()


def card(at, push_id):
    return at.container(f"board_{push_id}_card")


def card_ids(at) -> list[int]:
    return [int(b.key.split("_")[1]) for b in at.container if (b.key or "").endswith("_card")]


def figures(block) -> dict[str, str]:
    return {m.label: m.value for m in block.metric}


def sent_minutes_ago(db, users, minutes: int) -> dict:
    """The clerk's appeal sent ``minutes`` ago (its clock moved back, as if sent then)."""
    push = sent_appeal(db, users["clerk"])
    at = tip_clocks.stamp(datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=minutes))
    db.execute("UPDATE pushes SET sent_at = ? WHERE id = ?", [at, push["id"]])
    return pushes.get_push(db, users["district_admin"], push["id"])


def lead_after(db, push, minutes: int) -> dict:
    when = tip_clocks.stamp(tip_clocks.parse(push["sent_at"]) + timedelta(minutes=minutes))
    return make_tip(db, kind="lead", push_id=push["id"], now=when)


# --- what a card shows ---------------------------------------------------------------------------


def test_a_sent_appeal_shows_the_race_figures_lib_computes(app, demo_db, users):
    clerk = users["clerk"]
    push = sent_minutes_ago(demo_db, users, 14)
    first = lead_after(demo_db, push, 12)
    lead_after(demo_db, push, 13)
    tips.add_note(demo_db, clerk, first["id"], "收到，民警马上核实。", public=True)  # one answered, one not
    at = open_board(app, "clerk")
    assert not at.exception
    row = next(r for r in appeals.board(demo_db, clerk) if r["id"] == push["id"])
    assert (row["minutes_since_sent"], row["leads"], row["unanswered"], row["first_lead_minutes"]) == (14, 2, 1, 12)
    block = card(at, push["id"])
    assert block.markdown[0].value == "##### " + ui.inert(push["title"])
    assert block.caption[0].value.startswith(f"寻人启事 · 三星派出所 · {triage_queue.local_time(push['sent_at'])} 发出")
    assert figures(block) == {"已发出": "14 分钟", "覆盖": f"{row['groups_targeted']:,} 个群",
                              "线索": "2 条", "首条线索": "12 分钟"}
    assert {m.label: m.proto.delta for m in block.metric}["线索"] == "待答复 1 条"
    assert {m.label: m.proto.delta for m in block.metric}["覆盖"] == f"{row['members_targeted']:,} 名群成员"
    assert ":green-badge[:material/check_circle: 比 20 分钟目标快 8 分钟]" in [m.value for m in block.markdown]
    assert row["deliveries_total"] == push["groups_targeted"] > 0
    [bar] = block.get("progress")
    assert bar.proto.text == f"已送达 {row['deliveries_done']} / {row['deliveries_total']} 个群"
    [link] = block.get("page_link")
    assert (link.proto.label, link.proto.page, link.proto.query_string) == ("查看线索 (2)", "triage",
                                                                          f"push={push['id']}")
    assert block.radio(key=f"board_{push['id']}_outcome").options == ["已找到", "已破案", "撤回"]


@pytest.mark.parametrize("sent,lead_at,badge", [
    (6, None, ":orange-badge[:material/hourglass_top: 距 20 分钟还剩 14 分钟]"),
    (55, None, ":red-badge[:material/alarm: 已超过 20 分钟目标 35 分钟]"),
    (40, 25, ":gray-badge[:material/schedule: 首条线索比 20 分钟目标慢 5 分钟]"),
])
def test_the_mark_badge_says_where_the_race_stands(app, demo_db, users, sent, lead_at, badge):
    push = sent_minutes_ago(demo_db, users, sent)
    if lead_at is not None:
        lead_after(demo_db, push, lead_at)
    at = open_board(app, "clerk")
    assert badge in [m.value for m in card(at, push["id"]).markdown]


@pytest.mark.parametrize("first,delta,text", [
    (12, -8, "green-badge[:material/check_circle: 比 20 分钟目标快 8 分钟]"),
    (20, 0, "green-badge[:material/check_circle: 正好在 20 分钟目标内]"),
    (None, 0, "red-badge[:material/alarm: 已到 20 分钟，尚无线索]"),
    (None, 2 * 24 * 60 + 95, "red-badge[:material/alarm: 已超过 20 分钟目标 2 天 1 小时]"),
])
def test_the_mark_badge_on_the_edges(first, delta, text):
    ctx = ui.Context(db=None, user=None, lang="zh")
    assert appeals_page.mark_badge(ctx, {"first_lead_minutes": first, "mark_delta": delta}) == ":" + text


def test_a_clerk_sees_their_stations_and_the_districts_appeals_only(app, demo_db, users):
    mine = sent_appeal(demo_db, users["clerk"])
    district = sent_appeal(demo_db, users["district_admin"], district_wide=True)
    everything = {r["id"]: r for r in appeals.board(demo_db, users["district_admin"])}
    others = [i for i, r in everything.items() if r["station_id"] not in (None, users["clerk"].station_id)]
    assert others  # the demo has an active appeal at another station

    at = open_board(app, "clerk")
    assert not at.exception
    assert card_ids(at) == [r["id"] for r in appeals.board(demo_db, users["clerk"])] == [district["id"], mine["id"]]
    assert not set(others) & set(card_ids(at))
    assert [r.key for r in at.radio] == [f"board_{mine['id']}_outcome"]  # a district appeal is the center's to close
    assert card(at, district["id"]).caption[0].value.startswith("寻人启事 · 区联动中心 · ")

    at = open_board(app, "district")
    assert card_ids(at) == list(everything) and set(others) <= set(card_ids(at))
    assert "三星派出所" in card(at, mine["id"]).caption[0].value


def test_an_empty_board_says_what_appears_here_and_how(app, demo_db, users):
    appeals.expire(demo_db, now=tip_clocks.stamp(datetime.now(UTC) + timedelta(days=appeals.ACTIVE_DAYS + 1)))
    at = open_board(app, "clerk")
    assert not at.exception and card_ids(at) == []
    assert [i.value for i in at.info] == ["目前没有进行中的协查通报。"]
    assert "推送编辑" in texts(at) and "协查通报" in texts(at) and "推送记录" in texts(at)
    assert [(p.proto.label, p.proto.page) for p in at.get("page_link")] == [("去推送编辑", "compose")]


# --- live: a new lead is announced ------------------------------------------------------------------


def test_a_new_lead_is_announced_once(app, demo_db, users):
    push = sent_minutes_ago(demo_db, users, 9)
    at = open_board(app, "clerk")
    assert not at.toast and figures(card(at, push["id"]))["线索"] == "0 条"
    make_tip(demo_db, kind="lead", push_id=push["id"])
    at.run()
    assert [t.value for t in at.toast] == [f"《{ui.inert(push['title'])}》收到首条线索：发出后 9 分钟。"]
    assert figures(card(at, push["id"]))["首条线索"] == "9 分钟"
    at.run()
    assert not at.toast  # once
    make_tip(demo_db, kind="lead", push_id=push["id"])
    make_tip(demo_db, kind="lead", push_id=push["id"])
    at.run()
    assert [t.value for t in at.toast] == [f"《{ui.inert(push['title'])}》收到 2 条新线索，共 3 条。"]


def test_the_sound_choice_is_kept_for_the_session(app, demo_db, users):
    sent_appeal(demo_db, users["clerk"])
    at = open_board(app, "clerk")
    assert at.toggle(key="board_sound").value is False
    at.toggle(key="board_sound").set_value(True).run()
    assert at.session_state["board_sound_on"] is True
    goto(at, "home").run()
    goto(at, "appeals").run()
    assert at.toggle(key="board_sound").value is True


# --- closing, and the follow-up ---------------------------------------------------------------------


def test_closing_as_found_removes_the_card_and_offers_a_follow_up_draft(app, demo_db, users):
    clerk = users["clerk"]
    push = sent_appeal(demo_db, users["clerk"])
    at = open_board(app, "clerk")
    at.radio(key=f"board_{push['id']}_outcome").set_value("found")
    at.text_input(key=f"board_{push['id']}_note").input("在汽车站附近找到，已平安回家")
    at.button(key=f"board_{push['id']}_confirm").click().run()
    assert not at.exception
    closed = pushes.get_push(demo_db, clerk, push["id"])
    assert closed["appeal_outcome"] == "found" and closed["appeal_closed_at"]
    [entry] = [e for e in audit.list_entries(demo_db, users["district_admin"], entity="pushes", entity_id=push["id"])
               if e["action"] == "close_appeal"]
    assert "在汽车站附近找到" in entry["after"]
    assert push["id"] not in card_ids(at)
    assert [s.value for s in at.success] == [f"已结束：{ui.inert(push['title'])}（已找到）。"]
    offer = at.button(key=f"board_{push['id']}_follow_up")
    assert offer.label == "发布后续通报（已找到，感谢群众）"
    assert query_one(demo_db, "SELECT id FROM pushes WHERE follow_up_of = ?", [push["id"]]) is None

    offer.click().run()
    assert not at.exception
    draft = pushes.get_push(demo_db, clerk, query_one(demo_db, "SELECT id FROM pushes WHERE follow_up_of = ?",
                                                      [push["id"]])["id"])
    assert draft["state"] == "draft" and draft["title"].startswith("【已找到】")
    assert draft["targeting"] == closed["targeting"]
    assert [s.value for s in at.success] == [
        f"已生成后续通报草稿《{ui.inert(draft['title'])}》（#{draft['id']}），发送范围与原通报相同。请检查后发送。"]
    [link] = at.container("board_follow_up_box").get("page_link")
    assert (link.proto.label, link.proto.page, link.proto.query_string) == (
        "打开草稿，检查后发送", "compose", f"push={draft['id']}")


def test_closing_without_an_outcome_is_refused_and_keeps_the_note(app, demo_db, users):
    push = sent_appeal(demo_db, users["clerk"])
    at = open_board(app, "clerk")
    assert at.radio(key=f"board_{push['id']}_outcome").value is None  # picked, never defaulted
    at.text_input(key=f"board_{push['id']}_note").input("家属来电称已回家")
    at.button(key=f"board_{push['id']}_confirm").click().run()
    assert [e.value for e in at.error] == ["请选择结果：已找到、已破案或撤回。"]
    assert pushes.get_push(demo_db, users["clerk"], push["id"])["appeal_outcome"] is None
    assert push["id"] in card_ids(at) and at.text_input(key=f"board_{push['id']}_note").value == "家属来电称已回家"


def test_an_appeal_closed_meanwhile_leaves_the_board_and_is_not_closed_twice(app, demo_db, users):
    push = sent_appeal(demo_db, users["clerk"])
    at = open_board(app, "clerk")
    at.radio(key=f"board_{push['id']}_outcome").set_value("found")
    appeals.close(demo_db, users["station_admin"], push["id"], "withdrawn")  # someone else, meanwhile
    at.button(key=f"board_{push['id']}_confirm").click().run()
    assert not at.exception and push["id"] not in card_ids(at)
    assert pushes.get_push(demo_db, users["clerk"], push["id"])["appeal_outcome"] == "withdrawn"
    assert not any((b.key or "").endswith("_follow_up") for b in at.button) and not at.success


def test_the_board_in_english(app, demo_db, users):
    push = sent_minutes_ago(demo_db, users, 14)
    at = open_board(app, "clerk", lang="en")
    assert not at.exception
    assert figures(card(at, push["id"])) == {"Sent": "14 min ago", "Reach": f"{push['groups_targeted']:,} groups",
                                             "Leads": "0", "First lead": "none yet"}
    assert ":orange-badge[:material/hourglass_top: 6 min left to the 20-minute mark]" in [
        m.value for m in card(at, push["id"]).markdown]
    assert at.radio(key=f"board_{push['id']}_outcome").options == ["Found", "Solved", "Withdrawn"]
