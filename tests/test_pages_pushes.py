"""AppTest of composing, reviewing and delivering a push through the pages: the editor keeps every
field typed one by one (issue #10's first repro), a reload reopens the draft, the reviewer sees
what they approve and approves and sends in one step, the author is told, a returned push shows
its reason in the editor, and an officer marks all their groups as posted in one click."""

from lib.core import auth, notices
from lib.core.db import connect
from lib.pushes import delivery, pushes
from lib.pushes.targeting import Target, reach
from tests.apptest import goto, texts
from tests.factories import complete_appeal, make_tip, sent_appeal, sent_notice


def open_page(app, username, url_path, **query):
    at = app(username)
    for key, value in query.items():
        at.query_params[key] = str(value)
    return goto(at.run(), url_path).run()


def users_of(demo_path):
    db = connect(demo_path)
    return db, auth.load_user(db, "clerk"), auth.load_user(db, "station")


def test_clerk_composes_an_anti_fraud_tip_and_sends_it(app, demo_path):
    at = open_page(app, "clerk", "compose")
    assert not at.exception
    at.selectbox(key="compose_new_category").set_value("anti_fraud").run()
    at.button(key="compose_start").click().run()
    at.run()  # AppTest does not follow st.rerun()
    db, clerk, _ = users_of(demo_path)
    push_id = int(at.query_params["push"])  # the url names the draft being edited
    assert pushes.get_push(db, clerk, push_id)["category"] == "anti_fraud"
    key = f"compose_{push_id}_"
    at.text_input(key=key + "title").input("警惕冒充客服退款诈骗").run()
    at.text_input(key=key + "field_scam").input("冒充电商客服").run()
    at.text_input(key=key + "field_advice").input("退款不需要验证码，不要点陌生链接").run()
    saved = pushes.get_push(db, clerk, push_id)
    assert saved["title"] == "警惕冒充客服退款诈骗" and saved["fields"]["scam"] == "冒充电商客服"  # autosaved
    assert saved["groups_targeted"] > 0
    assert any("将推送到" in c.value for c in at.caption)
    assert "警惕冒充客服退款诈骗" in texts(at)  # the phone preview shows the message
    at.button(key=key + "send").click().run()
    assert pushes.get_push(db, clerk, push_id)["state"] == "sending"
    assert delivery.progress(db, clerk, push_id)["total"] == saved["groups_targeted"]


def test_typing_an_appeal_field_by_field_keeps_the_editor_and_every_field(app, demo_path):
    """The repro of issue #10: new 协查通报 → change the title → type the body and the first required
    field. The editor used to vanish (the draft picker's label held the old title) and the last field
    was lost."""
    db, clerk, _ = users_of(demo_path)
    draft = pushes.new_draft(db, clerk, "appeal", "missing_person")
    at = open_page(app, "clerk", "compose", push=draft["id"])
    key = f"compose_{draft['id']}_"
    typed = {"title": "寻人启事：七旬老人在三星镇走失", "field_person": "顾某某，男，78岁",
             "field_description": "身高约1.68米，穿深蓝色棉衣", "field_when": "12月4日9时许",
             "field_where": "三星镇汽车站", "field_contact": "三星派出所 0513-82123456"}
    at.text_input(key=key + "title").input(typed["title"]).run()
    at.text_area(key=key + "body").input("请广大群众留意，如有发现请拨打110。").run()
    for field in ("field_person", "field_description", "field_when", "field_where", "field_contact"):
        at.text_input(key=key + field).input(typed[field]).run()
        assert not at.exception
        assert at.text_input(key=key + "title").value == typed["title"]  # the editor is still there
    saved = pushes.get_push(db, clerk, draft["id"])
    assert saved["title"] == typed["title"] and saved["body"] == "请广大群众留意，如有发现请拨打110。"
    assert {f"field_{k}": v for k, v in saved["fields"].items()} == {k: v for k, v in typed.items() if k != "title"}
    # A reload (a new session with the same url) reopens the same draft with everything typed.
    again = open_page(app, "clerk", "compose", push=draft["id"])
    assert again.text_input(key=key + "field_contact").value == typed["field_contact"]
    assert again.text_input(key=key + "title").value == typed["title"]


def test_the_reviewer_sees_what_they_approve_and_approves_and_sends_in_one_step(app, demo_path):
    db, clerk, admin = users_of(demo_path)
    push = complete_appeal(db, clerk)
    push = pushes.submit(db, clerk, push["id"], push["version"])
    notices.take_unseen(db, admin)  # the toast of the submission, shown at the admin's next click
    log = open_page(app, "station", "pushes")
    assert not log.exception
    assert any("待我审核：1 条" in m.value for m in log.markdown)
    shown = texts(log)
    # The phone preview: title, body and every field; the author; the audience and its live reach.
    for part in ("寻人启事：七旬老人走失", "顾某某，男，72岁", "身高约1.65米，穿深蓝色棉衣", "三星镇叠石桥家纺城东门",
                 "三星派出所 0513-82123456", clerk.name):
        assert part in shown, part
    groups, _members = reach(db, admin, Target.from_dict(push["targeting"]), push["station_id"])
    assert any(m.label == "现在可覆盖的群" and m.value == f"{groups:,}" for m in log.metric)
    assert len(log.image) >= 2  # the photo and the poster
    assert any("必填项齐全" in s.value for s in log.success)
    assert "提交审核" in shown  # the history
    log.button(key=f"pushlog_{push['id']}_approve_send").click().run()
    sent = pushes.get_push(db, admin, push["id"])
    assert sent["state"] == "sending" and sent["reviewed_by"] == admin.id
    assert delivery.progress(db, admin, push["id"])["total"] == sent["groups_targeted"] > 0
    # The author's next click shows what happened.
    author_view = app("clerk").run()
    assert any("审核通过并发送" in toast.value for toast in author_view.toast)
    assert notices.unseen(db, clerk) == []


def test_a_returned_push_shows_its_reason_in_the_editor(app, demo_path):
    db, clerk, admin = users_of(demo_path)
    push = complete_appeal(db, clerk)
    push = pushes.submit(db, clerk, push["id"], push["version"])
    log = open_page(app, "station", "pushes", push=push["id"])
    log.text_input(key=f"pushlog_{push['id']}_reject_reason").input("照片太暗，请换一张清楚的").run()
    log.button(key=f"pushlog_{push['id']}_reject").click().run()
    assert pushes.get_push(db, admin, push["id"])["state"] == "rejected"
    first = app("clerk").run()  # the author's next click anywhere
    assert any("退回" in toast.value and "照片太暗" in toast.value for toast in first.toast)
    at = goto(first, "compose").run()
    at.button(key=f"compose_open_{push['id']}").click().run()
    at.run()
    at.button(key=f"compose_{push['id']}_revise").click().run()
    at.run()
    assert pushes.get_push(db, clerk, push["id"])["state"] == "draft"
    assert any("照片太暗，请换一张清楚的" in w.value for w in at.warning)  # kept in view while mending
    at.button(key=f"compose_{push['id']}_submit").click().run()
    assert pushes.get_push(db, clerk, push["id"])["state"] == "pending_review"


def test_an_officer_marks_all_their_groups_posted_in_one_click(app, demo_path):
    db, clerk, _ = users_of(demo_path)
    db.execute("UPDATE chat_groups SET webhook_url = NULL, owner_user_id = ? WHERE id IN (SELECT id FROM chat_groups"
               " WHERE station_id = ? AND status = 'active' ORDER BY id LIMIT 20)", [clerk.id, clerk.station_id])
    db.conn.commit()
    push = sent_notice(db, clerk, category="health_tip", title="冬季防一氧化碳中毒", body="注意通风。")
    mine = delivery.open_manual_ids(db, clerk, push["id"], mine=True)
    assert len(mine) == 20
    at = open_page(app, "clerk", "pushes", push=push["id"])
    assert any("我的群" in m.value for m in at.markdown)
    at.button(key=f"pushlog_{push['id']}_{clerk.id}_all").click().run()  # one click
    assert delivery.open_manual_ids(db, clerk, push["id"], mine=True) == []
    others = delivery.open_manual_ids(db, clerk, push["id"])
    assert others  # the colleagues' groups are theirs to mark
    assert db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'posted' AND user_id = ?",
                      [clerk.id]).fetchone()[0] == 20


def test_the_leads_link_and_the_response_agree(app, demo_path):
    db, clerk, admin = users_of(demo_path)
    push = sent_appeal(db, clerk, admin)
    for _ in range(3):
        make_tip(db, kind="lead", push_id=push["id"])
    log = open_page(app, "clerk", "pushes", push=push["id"])
    assert any(m.label == "收到线索" and m.value == "3" for m in log.metric)
    triage = open_page(app, "clerk", "triage", push=push["id"])
    assert sorted(int(v) for v in triage.dataframe[0].value["编号"]) == sorted(
        r[0] for r in db.execute("SELECT id FROM tips WHERE push_id = ?", [push["id"]]))

