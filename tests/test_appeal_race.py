"""The appeal race (issue #10) in lib: leads routed to the issuing desk, the queue's lanes, the two
clocks, notices to authors and reviewers, the appeal board, bulk posting by hand, handling in few
clicks, and what a sender adds on the tracker. Each repro of the issue has its test here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lib.core import notices
from lib.core.clock import utcnow
from lib.core.db import connect
from lib.core.errors import InvalidState, NotFoundError, ValidationError
from lib.core.migrations import MIGRATIONS, apply_migrations
from lib.pushes import appeals, delivery, push_message, push_response, pushes
from lib.tips import intake_guard, tip_actions, tip_clocks, tips, triage_queue
from lib.tips.triage_queue import QueueFilter
from tests.factories import grid_of_another_station, make_tip, sent_appeal, sent_notice, station_grid, submitted_appeal

# --- 4. a lead through the appeal's QR code reaches the issuing station -------------------------


def test_a_lead_through_a_station_appeal_goes_to_that_station_with_no_place_given(demo_db, users):
    push = sent_appeal(demo_db, users["clerk"])
    made = make_tip(demo_db, kind="lead", push_id=push["id"], channel="qr")
    assert made["station_id"] == users["clerk"].station_id  # not the district center (the repro)


def test_a_lead_through_a_station_appeal_goes_to_that_station_even_from_another_stations_grid(demo_db, users):
    push = sent_appeal(demo_db, users["clerk"])
    grid_id, grid_station = grid_of_another_station(demo_db, users["clerk"])
    made = make_tip(demo_db, kind="lead", push_id=push["id"], grid_id=grid_id)
    tip = tips.get_tip(demo_db, users["clerk"], made["id"])
    assert grid_station != users["clerk"].station_id
    assert tip["station_id"] == users["clerk"].station_id and tip["grid_id"] == grid_id


def test_a_lead_through_a_district_appeal_goes_by_its_grid_else_to_the_center(demo_db, users):
    push = sent_appeal(demo_db, users["district_admin"], district_wide=True)
    assert push["station_id"] is None
    grid_id, grid_station = grid_of_another_station(demo_db, users["clerk"])
    by_grid = make_tip(demo_db, kind="lead", push_id=push["id"], grid_id=grid_id)
    nowhere = make_tip(demo_db, kind="lead", push_id=push["id"])
    assert by_grid["station_id"] == grid_station
    assert nowhere["station_id"] is None


def test_every_push_linked_tip_of_a_station_push_is_routed_to_it(demo_db, users):
    push = sent_appeal(demo_db, users["clerk"])
    grids = [r[0] for r in demo_db.execute("SELECT id FROM grids ORDER BY id LIMIT 30")]
    made = [make_tip(demo_db, kind="lead", push_id=push["id"], grid_id=g) for g in grids]
    made.append(make_tip(demo_db, kind="lead", push_id=push["id"], lat=31.9, lon=121.2))
    assert {m["station_id"] for m in made} == {push["station_id"]}


# --- 5. the queue: leads on active appeals first, answered never above unanswered ------------------


def test_an_appeal_lead_leads_the_queue_and_answered_tips_never_outrank_unanswered(demo_db, users):
    clerk = users["clerk"]
    now = datetime.now(UTC).replace(microsecond=0)
    # Urgent tips answered already, and an ordinary unanswered one, before the lead arrives.
    answered = []
    for n in range(8):
        made = make_tip(demo_db, kind="lead", description=f"紧急情况第{n}条，请尽快处理。", user=clerk, priority="urgent")
        tips.add_note(demo_db, clerk, made["id"], "已收到，民警马上到。", public=True)
        answered.append(made["id"])
    plain = make_tip(demo_db, kind="request", description="路灯坏了好几天了。", user=clerk)
    push = sent_appeal(demo_db, users["clerk"])
    the_lead = make_tip(demo_db, kind="lead", push_id=push["id"], channel="qr")
    queue = triage_queue.queue(demo_db, clerk, QueueFilter(), now=tip_clocks.stamp(now))
    ids = [t["id"] for t in queue]
    assert ids[0] == the_lead["id"]
    assert ids.index(plain["id"]) < min(ids.index(a) for a in answered)
    assert [t["lane"] for t in queue] == sorted(t["lane"] for t in queue)


def test_closing_the_appeal_moves_its_unanswered_leads_out_of_the_first_lane(demo_db, users):
    push = sent_appeal(demo_db, users["clerk"])
    made = make_tip(demo_db, kind="lead", push_id=push["id"])
    assert tips.get_tip(demo_db, users["clerk"], made["id"])["lane"] == tip_clocks.LANE_APPEAL
    appeals.close(demo_db, users["clerk"], push["id"], "found")
    assert tips.get_tip(demo_db, users["clerk"], made["id"])["lane"] == tip_clocks.LANE_UNANSWERED
    # A lead after the close still links to the push, in the ordinary lane.
    late = make_tip(demo_db, kind="lead", push_id=push["id"])
    late_tip = tips.get_tip(demo_db, users["clerk"], late["id"])
    assert late_tip["push_id"] == push["id"] and late_tip["lane"] == tip_clocks.LANE_UNANSWERED


def test_a_new_lead_is_on_the_first_page_of_the_issuing_stations_open_queue(demo_db, users):
    push = sent_appeal(demo_db, users["clerk"])
    for n in range(60):
        make_tip(demo_db, kind="request", description=f"第{n}个求助，楼道灯坏了。", user=users["clerk"], priority="urgent")
    made = make_tip(demo_db, kind="lead", push_id=push["id"])
    first_page = triage_queue.queue(demo_db, users["station_admin"], QueueFilter(), page_size=25)
    assert first_page[0]["id"] == made["id"]


# --- 6. two clocks: an internal step does not stop the response clock ---------------------------------


def test_assigning_does_not_stop_the_first_response_clock(demo_db, users):
    clerk = users["clerk"]
    made = make_tip(demo_db, kind="lead", user=clerk)
    tip = tips.get_tip(demo_db, clerk, made["id"])
    tip = tips.move(demo_db, clerk, tip["id"], tip["version"], "assign", assignee_user_id=clerk.id)
    tip = tips.get_tip(demo_db, clerk, made["id"])
    assert tip["first_response_at"] is None and tip["lane"] == tip_clocks.LANE_UNANSWERED
    assert triage_queue.sla_text(tip) != "已答复" and "剩余" in triage_queue.sla_text(tip)
    tip = tips.move(demo_db, clerk, tip["id"], tip["version"], "start")
    assert tips.get_tip(demo_db, clerk, made["id"])["first_response_at"] is None


@pytest.mark.parametrize("answer", ["reply", "callback"])
def test_a_public_reply_or_a_call_back_stops_it_and_moves_the_tip_to_the_answered_lane(demo_db, users, answer):
    clerk = users["clerk"]
    made = make_tip(demo_db, kind="lead", user=clerk)
    tips.add_note(demo_db, clerk, made["id"], "内部备注：先查监控。", public=False)
    assert tips.get_tip(demo_db, clerk, made["id"])["first_response_at"] is None  # a note is internal
    if answer == "reply":
        tips.add_note(demo_db, clerk, made["id"], "感谢您的线索，民警正在核实。", public=True)
    else:
        tip_actions.log_callback(demo_db, clerk, made["id"], "已回电，提供人愿意配合辨认。")
    tip = tips.get_tip(demo_db, clerk, made["id"])
    assert tip["first_response_at"] is not None
    assert (tip["lane"], tip["lane_due_at"]) == (tip_clocks.LANE_ANSWERED, tip["resolve_due_at"])
    assert triage_queue.sla_text(tip) == "已答复"
    shown = tips.track(demo_db, made["tracking_code"])
    assert bool(shown["replies"]) == (answer == "reply")  # a call-back note stays internal


def test_the_resolution_clock_runs_from_arrival_and_restarts_on_reopening(demo_db, users):
    clerk = users["clerk"]
    made = make_tip(demo_db, kind="lead", user=clerk)
    tip = tips.get_tip(demo_db, clerk, made["id"])
    created = tip_clocks.parse(tip["created_at"])
    assert tip_clocks.parse(tip["resolve_due_at"]) - created == timedelta(minutes=4320)  # lead, high: 3 days
    assert "办结剩余" in tip_clocks.resolution_text(tip, utcnow())
    tip = tip_actions.reply_and_resolve(demo_db, clerk, tip["id"], tip["version"], "已核实处理，感谢！")
    assert tip["state"] == "resolved" and tip_clocks.resolution_text(tip, utcnow()) == "—"
    first_due = tip["resolve_due_at"]
    tip = tips.move(demo_db, clerk, tip["id"], tip["version"], "reopen", reason="群众补充了新情况")
    reopened = tip_clocks.parse(tip["updated_at"])
    assert tip["resolve_due_at"] == tip_clocks.stamp(reopened + timedelta(minutes=4320)) >= first_due
    assert tip["lane_due_at"] == tip["resolve_due_at"]  # answered: it waits on the resolution clock


def test_a_priority_change_moves_both_due_times(demo_db, users):
    clerk = users["clerk"]
    made = make_tip(demo_db, kind="lead", user=clerk)
    tip = tips.get_tip(demo_db, clerk, made["id"])
    tip = tips.set_priority(demo_db, clerk, tip["id"], tip["version"], "urgent")
    created = tip_clocks.parse(tip["created_at"])
    assert tip["due_at"] == tip_clocks.stamp(created + timedelta(minutes=10))
    assert tip["resolve_due_at"] == tip_clocks.stamp(created + timedelta(minutes=1440))
    assert tip["lane_due_at"] == tip["due_at"]


def test_the_migration_recomputes_first_responses_from_the_history(tmp_path):
    """Migration 11 on a database of migration 10: an assigned tip with a stored first response but
    no public reply becomes unanswered; a replied one keeps the reply's time; lanes follow."""
    db = connect(tmp_path / "old.db", migrate=False)
    apply_migrations(db, [m for m in MIGRATIONS if m[0] <= 10])
    db.execute("INSERT INTO units (id, kind, code, name) VALUES (1, 'station', 'S01', '三星派出所')")
    db.execute("INSERT INTO users (id, username, name, role, unit_id) VALUES (1, 'a', '甲', 'clerk', 1)")
    base = ("INSERT INTO tips (id, tracking_code, kind, priority, state, is_open, description, station_id,"
            " created_at, updated_at, due_at, first_response_at) VALUES (?, ?, 'lead', 'high', ?, 1, '看到可疑车辆停着',"
            " 1, '2026-12-01T00:00:00Z', '2026-12-01T01:00:00Z', '2026-12-01T00:30:00Z', ?)")
    db.execute(base, [1, "AAAAAAAAAA", "assigned", "2026-12-01T00:05:00Z"])  # assigned, never answered
    db.execute(base, [2, "BBBBBBBBBB", "in_progress", "2026-12-01T00:05:00Z"])
    db.execute("INSERT INTO tip_events (tip_id, at, user_id, kind, is_public, text) VALUES"
               " (2, '2026-12-01T00:20:00Z', 1, 'reply', 1, '感谢，正在核实。'),"
               " (2, '2026-12-01T00:10:00Z', 1, 'note', 0, '内部备注')")
    db.conn.commit()
    apply_migrations(db)
    rows = {r["id"]: r for r in db.query("SELECT * FROM tips")}
    assert rows[1]["first_response_at"] is None and rows[1]["lane"] == 1 and rows[1]["lane_due_at"] == rows[1]["due_at"]
    assert rows[2]["first_response_at"] == "2026-12-01T00:20:00Z" and rows[2]["lane"] == 2
    assert rows[2]["resolve_due_at"] == "2026-12-04T00:00:00Z" == rows[2]["lane_due_at"]  # lead, high: 3 days
    # The rebuilt history takes the new kinds, and kept the old rows.
    db.execute("INSERT INTO tip_events (tip_id, at, kind) VALUES (1, '2026-12-02T00:00:00Z', 'callback')")
    assert db.execute("SELECT COUNT(*) FROM tip_events").fetchone()[0] == 3


# --- 2/3. review and notices ----------------------------------------------------------------------


def test_submitting_tells_the_reviewers_and_review_tells_the_author(demo_db, users):
    clerk, admin = users["clerk"], users["station_admin"]
    push = submitted_appeal(demo_db, clerk)
    told = notices.take_unseen(demo_db, admin)
    assert [(n["kind"], n["entity_id"]) for n in told] == [("push_submitted", push["id"])]
    assert notices.take_unseen(demo_db, admin) == []  # shown once
    push = pushes.review(demo_db, admin, push["id"], push["version"], approve=False, reason="照片太暗，请换一张")
    told = notices.take_unseen(demo_db, clerk)
    assert [(n["kind"], n["data"]["reason"]) for n in told] == [("push_rejected", "照片太暗，请换一张")]
    push = pushes.revise(demo_db, clerk, push["id"], push["version"])
    assert push["state"] == "draft" and push["state_reason"] == "照片太暗，请换一张"  # shown in the editor
    push = pushes.submit(demo_db, clerk, push["id"], push["version"])
    assert push["state_reason"] is None
    push = pushes.review(demo_db, admin, push["id"], push["version"], approve=True)
    assert [n["kind"] for n in notices.take_unseen(demo_db, clerk)] == ["push_approved"]


def test_approve_and_send_is_one_step_and_one_notice(demo_db, users):
    clerk, admin = users["clerk"], users["station_admin"]
    push = submitted_appeal(demo_db, clerk)
    push = pushes.approve_and_send(demo_db, admin, push["id"], push["version"])
    assert push["state"] == "sending" and push["reviewed_by"] == admin.id and push["sent_at"]
    assert delivery.progress(demo_db, clerk, push["id"])["total"] == push["groups_targeted"] > 0
    told = notices.take_unseen(demo_db, clerk)
    assert [n["kind"] for n in told] == ["push_sent"] and told[0]["data"]["by"] == admin.name


def test_approve_and_send_of_an_invalid_push_changes_nothing(demo_db, users):
    clerk, admin = users["clerk"], users["station_admin"]
    push = submitted_appeal(demo_db, clerk)
    demo_db.execute("UPDATE pushes SET fields = '{}' WHERE id = ?", [push["id"]])  # made invalid behind its back
    with pytest.raises(ValidationError):
        pushes.approve_and_send(demo_db, admin, push["id"], push["version"])
    again = pushes.get_push(demo_db, admin, push["id"])
    assert again["state"] == "pending_review" and not notices.unseen(demo_db, clerk)
    assert delivery.progress(demo_db, admin, push["id"])["total"] == 0


def test_a_clerk_cannot_approve_and_send(demo_db, users):
    clerk = users["clerk"]
    push = submitted_appeal(demo_db, users["station_admin"])
    with pytest.raises(pushes.InvalidTransition):
        pushes.approve_and_send(demo_db, clerk, push["id"], push["version"])


# --- the board, closing, follow-up ----------------------------------------------------------------


def test_the_board_shows_the_race_in_the_users_scope(demo_db, users):
    push = sent_appeal(demo_db, users["clerk"])
    sent = tip_clocks.parse(pushes.get_push(demo_db, users["clerk"], push["id"])["sent_at"])
    at = tip_clocks.stamp(sent + timedelta(minutes=12))
    make_tip(demo_db, kind="lead", push_id=push["id"], now=at)
    make_tip(demo_db, kind="lead", push_id=push["id"], now=tip_clocks.stamp(sent + timedelta(minutes=30)))
    row = next(r for r in appeals.board(demo_db, users["clerk"], now=tip_clocks.stamp(sent + timedelta(minutes=40)))
               if r["id"] == push["id"])
    assert (row["leads"], row["first_lead_minutes"], row["mark_delta"], row["unanswered"]) == (2, 12, -8, 2)
    assert row["minutes_since_sent"] == 40 and row["deliveries_total"] == push["groups_targeted"]
    assert row["may_close"]
    other = users["other_clerk"]
    assert push["id"] not in [r["id"] for r in appeals.board(demo_db, other)]


def test_an_appeal_without_a_lead_counts_its_minutes_against_the_mark(demo_db, users):
    push = sent_appeal(demo_db, users["clerk"])
    sent = tip_clocks.parse(pushes.get_push(demo_db, users["clerk"], push["id"])["sent_at"])
    row = next(r for r in appeals.board(demo_db, users["clerk"], now=tip_clocks.stamp(sent + timedelta(minutes=26)))
               if r["id"] == push["id"])
    assert (row["leads"], row["first_lead_minutes"], row["mark_delta"]) == (0, None, 6)


def test_closing_offers_a_follow_up_to_the_same_audience(demo_db, users):
    push = sent_appeal(demo_db, users["clerk"])
    with pytest.raises(ValidationError):
        appeals.close(demo_db, users["clerk"], push["id"], "lost")
    with pytest.raises(NotFoundError):  # another station's appeal does not exist for them
        appeals.close(demo_db, users["other_clerk"], push["id"], "found")
    appeals.close(demo_db, users["clerk"], push["id"], "found", note="在汽车站找到")
    assert push["id"] not in [r["id"] for r in appeals.board(demo_db, users["clerk"])]
    with pytest.raises(InvalidState):
        appeals.close(demo_db, users["clerk"], push["id"], "found")
    draft = appeals.follow_up(demo_db, users["clerk"], push["id"])
    appeal = pushes.get_push(demo_db, users["clerk"], push["id"])
    assert draft["state"] == "draft" and draft["category"] == "news" and draft["follow_up_of"] == push["id"]
    assert draft["title"].startswith("【已找到】") and "感谢" in draft["body"]
    assert draft["targeting"] == appeal["targeting"] and draft["groups_targeted"] == appeal["groups_targeted"]
    assert "顾某某" not in draft["body"]  # the follow-up names nobody
    assert appeals.follow_up(demo_db, users["clerk"], push["id"])["id"] == draft["id"]  # not twice
    assert push_message.problems(draft, issuing_unit="x") == []
    sent = pushes.send(demo_db, users["clerk"], draft["id"], draft["version"])  # news: no review needed
    assert sent["state"] == "sending"


def test_the_worker_archives_appeals_left_open_for_30_days(demo_db, users):
    push = sent_appeal(demo_db, users["clerk"])
    later = tip_clocks.stamp(datetime.now(UTC) + timedelta(days=31))
    active = {r["id"] for r in appeals.board(demo_db, users["district_admin"])}
    assert push["id"] in active
    assert sorted(appeals.expire(demo_db, now=later)) == sorted(active)  # the demo's open appeals too
    assert pushes.get_push(demo_db, users["clerk"], push["id"])["appeal_outcome"] == "expired"
    assert appeals.expire(demo_db, now=later) == []


# --- figures agree: the push log and the triage filter ----------------------------------------------


def test_the_push_response_and_the_triage_filter_by_push_agree(demo_db, users):
    push = sent_appeal(demo_db, users["district_admin"], district_wide=True)
    grid_id, grid_station = grid_of_another_station(demo_db, users["clerk"])
    own_grid = station_grid(demo_db, users["clerk"])
    for g in (grid_id, own_grid, own_grid, None):
        make_tip(demo_db, kind="lead", push_id=push["id"], grid_id=g)
    for who in ("clerk", "district_admin"):
        user = users[who]
        figures = push_response.response(demo_db, user, push["id"])
        queue = triage_queue.queue(demo_db, user, QueueFilter(push_id=push["id"], open_only=False), page_size=100)
        counts = triage_queue.queue_counts(demo_db, user, QueueFilter(push_id=push["id"], open_only=False))
        assert figures["leads"] == len(queue) == counts["total"]
        assert figures["partial"] == (who == "clerk")
    assert push_response.response(demo_db, users["clerk"], push["id"])["leads"] == 2
    assert push_response.response(demo_db, users["district_admin"], push["id"])["leads"] == 4


# --- 7. posting by hand at the speed of a station -------------------------------------------------


def test_an_officer_marks_all_their_groups_in_one_action_each_audited(demo_db, users):
    clerk = users["clerk"]
    owner = demo_db.execute("SELECT owner_user_id FROM chat_groups WHERE station_id = ? AND status = 'active'"
                            " AND owner_user_id IS NOT NULL GROUP BY owner_user_id ORDER BY COUNT(*) DESC LIMIT 1",
                            [clerk.station_id]).fetchone()[0]
    demo_db.execute("UPDATE chat_groups SET owner_user_id = ? WHERE owner_user_id = ?", [clerk.id, owner])
    demo_db.execute("UPDATE chat_groups SET webhook_url = NULL WHERE station_id = ?", [clerk.station_id])
    push = sent_notice(demo_db, clerk, title="警惕刷单诈骗", fields={"scam": "刷单返利", "advice": "凡是刷单都是诈骗"})
    by_owner = delivery.checklist_by_owner(demo_db, clerk, push["id"])
    mine = by_owner[0]
    assert mine["is_me"] and mine["total"] >= 5 and mine["done"] == 0
    ids = delivery.open_manual_ids(demo_db, clerk, push["id"], mine=True)
    assert len(ids) == mine["total"]
    assert delivery.mark_posted(demo_db, clerk, ids) == len(ids)
    audited = demo_db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'posted' AND entity = 'deliveries'"
                              f" AND entity_id IN ({','.join('?' * len(ids))})", [str(i) for i in ids]).fetchone()[0]
    assert audited == len(ids)
    again = delivery.checklist_by_owner(demo_db, clerk, push["id"])[0]
    assert again["done"] == again["total"] and delivery.open_manual_ids(demo_db, clerk, push["id"], mine=True) == []
    station = delivery.posting_progress(demo_db, clerk, push["id"])
    assert [r["station_id"] for r in station] == [clerk.station_id] and station[0]["done"] == len(ids)
    others = [o for o in by_owner if not o["is_me"]]
    assert others and all(o["owner_name"] for o in others if o["owner_user_id"])


# --- handling in few clicks ---------------------------------------------------------------------


def test_assign_and_reply_is_one_action(demo_db, users):
    admin, clerk = users["station_admin"], users["clerk"]
    made = make_tip(demo_db, kind="lead", user=clerk)
    tip = tips.get_tip(demo_db, admin, made["id"])
    tip = tip_actions.assign_and_reply(demo_db, admin, tip["id"], tip["version"], clerk.id, "已安排民警核实。")
    assert tip["state"] == "assigned" and tip["assignee_user_id"] == clerk.id and tip["first_response_at"]
    assert tips.track(demo_db, made["tracking_code"])["replies"][0]["text"] == "已安排民警核实。"


def test_reply_and_resolve_refuses_a_stale_version_and_writes_nothing(demo_db, users):
    clerk = users["clerk"]
    made = make_tip(demo_db, kind="lead", user=clerk)
    tip = tips.get_tip(demo_db, clerk, made["id"])
    tips.set_priority(demo_db, clerk, tip["id"], tip["version"], "urgent")  # someone else changed it
    with pytest.raises(tips.StaleEdit):
        tip_actions.reply_and_resolve(demo_db, clerk, tip["id"], tip["version"], "已处理。")
    assert tips.track(demo_db, made["tracking_code"])["replies"] == []
    assert tips.get_tip(demo_db, clerk, made["id"])["state"] == "new"


# --- the tracker takes an addition ----------------------------------------------------------------


def test_a_sender_adds_information_on_the_tracker_and_the_holder_is_told(demo_db, users):
    clerk = users["clerk"]
    made = make_tip(demo_db, kind="lead", user=clerk)
    tip = tips.get_tip(demo_db, clerk, made["id"])
    tips.move(demo_db, clerk, tip["id"], tip["version"], "assign", assignee_user_id=clerk.id)
    code = tips.format_code(made["tracking_code"]).lower()
    intake_guard.guarded_addition(demo_db, code, "补充：那位老人往汽车站北边走了。", client_key="1.2.3.4")
    history = tips.events(demo_db, clerk, made["id"])
    assert history[-1]["kind"] == "addition" and "北边" in history[-1]["text"]
    assert [n["kind"] for n in notices.take_unseen(demo_db, clerk)] == ["tip_addition"]
    shown = tips.track(demo_db, made["tracking_code"])
    assert shown["timeline"][-1] == {"at": shown["timeline"][-1]["at"], "text": "补充：那位老人往汽车站北边走了。",
                                     "by": "sender"}
    assert shown["replies"] == []  # the sender's words are not a police reply


def test_additions_are_rate_limited_per_code_and_refuse_junk(demo_db, users):
    made = make_tip(demo_db, kind="lead", user=users["clerk"])
    code = made["tracking_code"]
    with pytest.raises(ValidationError):
        intake_guard.guarded_addition(demo_db, code, " ", client_key="a")
    with pytest.raises(InvalidState):
        intake_guard.guarded_addition(demo_db, "ZZZZZ-ZZZZZ", "补充一点情况", client_key="a")
    for n in range(intake_guard.ADDITIONS_PER_CODE):
        intake_guard.guarded_addition(demo_db, code, f"补充第{n}条情况", client_key=f"client-{n}")
    with pytest.raises(intake_guard.RateLimited):
        intake_guard.guarded_addition(demo_db, code, "再补充一条情况", client_key="fresh-client")
    count = demo_db.execute("SELECT COUNT(*) FROM tip_events WHERE kind = 'addition'").fetchone()[0]
    assert count == intake_guard.ADDITIONS_PER_CODE


def test_notice_kinds_are_checked(demo_db):
    with pytest.raises(ValueError):
        notices.notify(demo_db, [1], "made_up", "pushes", 1)
