"""Pushes: templates, validation, the workflow table, four eyes, scope, targeting, deliveries."""

import io

import pytest
from PIL import Image

from lib.core.errors import NotFoundError, ScopeError, ValidationError
from lib.i18n import i18n
from lib.pushes import delivery, push_message, push_templates, pushes, targeting
from lib.pushes.targeting import Target
from tests.factories import complete_appeal, make_tip, sent_appeal, sent_notice, submitted_appeal


def test_a_new_appeal_starts_from_its_template(demo_db, users):
    push = pushes.new_draft(demo_db, users["clerk"], "appeal", "missing_person")
    assert push["state"] == "draft" and push["title"] == "寻人启事" and "线索" in push["body"]
    assert push["station_id"] == users["clerk"].station_id


def test_incomplete_appeal_lists_every_missing_field(demo_db, users):
    push = pushes.new_draft(demo_db, users["clerk"], "appeal", "missing_person")
    found = {p.field for p in push_message.problems(push)}
    assert {"person", "description", "when", "where", "contact", "photos", "targeting"} <= found
    with pytest.raises(ValidationError):
        pushes.submit(demo_db, users["clerk"], push["id"], push["version"])


def test_a_missing_field_is_named_in_the_reader_s_language(demo_db, users):
    push = pushes.new_draft(demo_db, users["clerk"], "appeal", "wanted")
    contact = next(p for p in push_message.problems(push) if p.field == "contact")
    assert i18n.t(contact.key, "zh", **contact.params) == "请填写“联系人及电话”。"
    assert i18n.t(contact.key, "en", **contact.params) == "Fill in “Contact (name and phone)”."
    with pytest.raises(ValidationError) as info:
        pushes.submit(demo_db, users["clerk"], push["id"], push["version"])
    assert i18n.error_text(info.value, "en") == "Fill in “Suspect (name, sex, age)”."


def test_template_fields_are_labelled_in_both_languages():
    reward = next(f for f in push_templates.fields_for("appeal", "wanted") if f.code == "reward")
    assert (reward.zh, reward.en, reward.label("en-US"), reward.required) == ("悬赏金额", "Reward", "Reward", False)


def test_appeal_workflow_with_four_eyes(demo_db, users):
    clerk, admin = users["clerk"], users["station_admin"]
    push = complete_appeal(demo_db, clerk)
    assert push_message.problems(push, issuing_unit="x") == []
    assert not pushes.may(clerk, push, "send")  # an appeal must be approved first
    push = pushes.submit(demo_db, clerk, push["id"], push["version"])
    assert push["state"] == "pending_review"
    assert not pushes.may(clerk, push, "approve")
    assert [p["id"] for p in pushes.review_queue(demo_db, admin)] == [push["id"]]
    push = pushes.review(demo_db, admin, push["id"], push["version"], approve=True)
    assert push["state"] == "approved"
    push = pushes.send(demo_db, clerk, push["id"], push["version"])
    assert push["state"] == "sending"
    counts = delivery.progress(demo_db, clerk, push["id"])
    assert counts["total"] == push["groups_targeted"] > 0
    actions = [r[0] for r in demo_db.execute(
        "SELECT action FROM audit_log WHERE entity = 'pushes' AND entity_id = ? ORDER BY id", [str(push["id"])])]
    assert actions[0] == "create" and {"submit", "approve", "send", "create_deliveries"} <= set(actions)


def test_an_author_never_approves_their_own_push(demo_db, users):
    admin = users["station_admin"]
    push = submitted_appeal(demo_db, admin)
    with pytest.raises(pushes.InvalidTransition):
        pushes.review(demo_db, admin, push["id"], push["version"], approve=True)
    approved = pushes.review(demo_db, users["district_admin"], push["id"], push["version"], approve=True)
    assert approved["state"] == "approved"


def test_rejection_needs_a_reason_and_goes_back_to_draft_by_revise(demo_db, users):
    clerk, admin = users["clerk"], users["station_admin"]
    push = submitted_appeal(demo_db, clerk)
    with pytest.raises(ValidationError):
        pushes.review(demo_db, admin, push["id"], push["version"], approve=False, reason=" ")
    push = pushes.review(demo_db, admin, push["id"], push["version"], approve=False, reason="照片不清晰")
    assert push["state"] == "rejected" and push["state_reason"] == "照片不清晰"
    assert pushes.revise(demo_db, clerk, push["id"], push["version"])["state"] == "draft"


def test_clerk_sends_an_anti_fraud_tip_directly(demo_db, users):
    clerk = users["clerk"]
    push = pushes.new_draft(demo_db, clerk, "anti_fraud")
    push = pushes.save_draft(demo_db, clerk, push["id"], push["version"], title="警惕冒充客服退款诈骗",
                             fields={"scam": "冒充电商客服", "advice": "退款不需要提供验证码"},
                             target=Target(categories=["comprehensive"]))
    assert pushes.may(clerk, push, "send")
    sent = pushes.send(demo_db, clerk, push["id"], push["version"])
    assert sent["state"] == "sending"
    expected = demo_db.execute(
        "SELECT COUNT(*) FROM chat_groups c JOIN grids g ON g.id = c.grid_id WHERE c.station_id = ?"
        " AND c.status = 'active' AND g.category = 'comprehensive'", [clerk.station_id]).fetchone()[0]
    assert delivery.progress(demo_db, clerk, push["id"])["total"] == expected


@pytest.mark.parametrize("state,action,allowed", [
    ("draft", "approve", False), ("sent", "withdraw", False), ("withdrawn", "send", False),
    ("pending_review", "send", False), ("scheduled", "withdraw", True), ("rejected", "revise", True),
    ("approved", "send", True), ("sending", "withdraw", False),
])
def test_transition_table(demo_db, users, state, action, allowed):
    push = {"id": 1, "state": state, "station_id": users["clerk"].station_id, "category": "news",
            "created_by": users["clerk"].id, "version": 1}
    who = users["station_admin"] if action == "approve" else users["clerk"]
    assert pushes.may(who, push, action) is allowed


def test_stale_edit_is_refused(demo_db, users):
    clerk = users["clerk"]
    push = pushes.new_draft(demo_db, clerk, "news")
    pushes.save_draft(demo_db, clerk, push["id"], push["version"], title="第一位的修改")
    with pytest.raises(pushes.StaleEdit):
        pushes.save_draft(demo_db, clerk, push["id"], push["version"], title="第二位的修改")
    assert pushes.get_push(demo_db, clerk, push["id"])["title"] == "第一位的修改"


def test_other_station_cannot_read_or_target(demo_db, users):
    push = pushes.new_draft(demo_db, users["clerk"], "news")
    with pytest.raises(NotFoundError):
        pushes.get_push(demo_db, users["other_clerk"], push["id"])
    other = users["other_clerk"].station_id
    with pytest.raises(ScopeError):
        pushes.save_draft(demo_db, users["clerk"], push["id"], push["version"], target=Target(station_ids=[other]))


def test_targeting_counts_groups_and_members(demo_db, users):
    clerk = users["clerk"]
    groups, members = targeting.reach(demo_db, clerk, Target(categories=["industry"]))
    expected = demo_db.execute(
        "SELECT COUNT(*), SUM(c.member_count) FROM chat_groups c JOIN grids g ON g.id = c.grid_id"
        " WHERE c.station_id = ? AND c.status = 'active' AND g.category = 'industry'", [clerk.station_id]).fetchone()
    assert (groups, members) == expected
    picked = demo_db.execute("SELECT id FROM chat_groups WHERE station_id = ? LIMIT 3", [clerk.station_id]).fetchall()
    only_picked = targeting.reach(demo_db, clerk, Target(use_filter=False, group_ids=[r[0] for r in picked]))
    assert only_picked[0] <= 3
    district = targeting.reach(demo_db, users["district_admin"], Target())
    assert district[0] > groups


def test_message_fits_the_channel_and_escapes_markup(demo_db, users):
    push = complete_appeal(demo_db, users["clerk"])
    push["body"] = "请留意<script>*粗体*[链接](http://x)"
    md = push_message.message_markdown(push, issuing_unit="海门区公安局三星派出所", tip_link="http://portal/tip?push=1")
    assert "\\<script\\>" in md and "\\[链接\\]" in md and "[扫码或点此提供线索](http://portal/tip?push=1)" in md
    text = push_message.message_text(push, issuing_unit="海门区公安局三星派出所")
    assert "走失地点：三星镇叠石桥家纺城东门" in text and "报警电话 110" in text
    push["body"] = "长" * 1200
    assert any(p.key == "pushes.error.channel_limit" for p in push_message.problems(push))


def test_photos_are_reencoded_without_exif(demo_db, users):
    from lib.core import files

    img = Image.new("RGB", (400, 300), (10, 200, 10))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    push = pushes.new_draft(demo_db, users["clerk"], "appeal", "wanted")
    push = pushes.add_photo(demo_db, users["clerk"], push["id"], out.getvalue())
    data, mime = files.read_file(demo_db, users["clerk"], push["photo_file_ids"][0])
    assert mime == "image/jpeg" and not Image.open(io.BytesIO(data)).getexif()
    with pytest.raises(ValidationError):
        pushes.add_photo(demo_db, users["clerk"], push["id"], b"not an image at all")


def test_manual_checklist_and_posting(demo_db, users):
    clerk = users["clerk"]
    push = sent_notice(demo_db, clerk, category="health_tip", title="冬季防一氧化碳中毒", body="使用煤炉取暖请保持通风。",
                       target=Target(categories=["work"]))
    rows = delivery.checklist(demo_db, clerk, push["id"])
    manual = [r for r in rows if r["state"] == "queued"]
    assert manual and delivery.mark_posted(demo_db, clerk, [manual[0]["id"]]) == 1
    assert delivery.checklist(demo_db, clerk, push["id"], only_open=True) == manual[1:]
    with pytest.raises(NotFoundError):
        delivery.mark_posted(demo_db, users["other_clerk"], [manual[1]["id"]])


def test_scheduled_push_starts_when_due(demo_db, users):
    clerk = users["clerk"]
    push = sent_notice(demo_db, clerk, category="news", title="平安前哨新闻", body="本周要闻。",
                       target=Target(categories=["work"]), when="2999-01-01T00:00:00Z")
    assert push["state"] == "scheduled"
    assert pushes.start_due(demo_db, now="2998-12-31T23:59:59Z") == []
    assert pushes.start_due(demo_db, now="2999-01-01T00:00:01Z") == [push["id"]]
    assert pushes.get_push(demo_db, clerk, push["id"])["state"] == "sending"


def test_library_items_start_a_push_and_only_district_admins_keep_them(demo_db, users):
    from lib.pushes import library

    items = library.search_items(demo_db, users["clerk"], text="安全账户")
    assert items and items[0]["category"] == "anti_fraud"
    push = pushes.new_draft(demo_db, users["clerk"], "anti_fraud", from_content_id=items[0]["id"])
    assert push["title"] == items[0]["title"] and push["body"] == items[0]["body"]
    with pytest.raises(ScopeError):
        library.save_item(demo_db, users["clerk"], category="news", title="x", body="y")
    new_id = library.save_item(demo_db, users["district_admin"], category="news", title="新闻", body="内容")
    library.delete_item(demo_db, users["district_admin"], new_id)
    assert all(i["id"] != new_id for i in library.search_items(demo_db, users["clerk"]))


def test_a_past_push_is_a_starting_point(demo_db, users):
    clerk = users["clerk"]
    first = pushes.new_draft(demo_db, clerk, "news")
    first = pushes.save_draft(demo_db, clerk, first["id"], first["version"], title="上周要闻", body="正文",
                              target=Target(categories=["work"]))
    again = pushes.new_draft(demo_db, clerk, "news", from_push_id=first["id"])
    assert (again["title"], again["body"], again["targeting"]) == ("上周要闻", "正文", first["targeting"])


def test_time_to_first_lead_and_ranking(demo_db, users):
    from lib.pushes import push_response

    clerk = users["clerk"]
    push = sent_appeal(demo_db, clerk, users["station_admin"])
    demo_db.execute("UPDATE pushes SET sent_at = '2026-11-28T10:00:00Z' WHERE id = ?", [push["id"]])
    for minute, rating in ((18, 5), (45, 4), (130, None)):
        make_tip(demo_db, kind="lead", description="在汽车站看到一位相似的老人", push_id=push["id"], channel="qr",
                 rating=rating, now=f"2026-11-28T{10 + minute // 60:02d}:{minute % 60:02d}:00Z")
    figures = push_response.response(demo_db, clerk, push["id"])
    assert figures["leads"] == 3 and figures["first_lead_minutes"] == 18
    assert [h["leads"] for h in figures["per_hour"]] == [2, 0, 1]
    assert figures["rating"] == 4.5 and figures["ratings"] == 2
    ranking = push_response.appeal_ranking(demo_db, users["district_admin"])
    assert ranking[0]["id"] == push["id"] and ranking[0]["first_lead_minutes"] == 18
    assert push_response.ratings_by_category(demo_db, clerk)[0]["category"] == "appeal"
