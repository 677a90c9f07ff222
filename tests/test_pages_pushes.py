"""AppTest of composing, reviewing and delivering a push through the pages."""

from lib import auth, delivery, pushes
from lib.db import connect
from tests.apptest import goto, texts


def open_page(app, username, url_path):
    return goto(app(username).run(), url_path).run()


def test_clerk_composes_an_anti_fraud_tip_and_sends_it(app, demo_path):
    at = open_page(app, "clerk", "compose")
    assert not at.exception
    at.selectbox(key="compose_new_category").set_value("anti_fraud").run()
    at.button(key="compose_start").click().run()
    at.run()  # AppTest does not follow st.rerun()
    db = connect(demo_path)
    clerk = auth.load_user(db, "clerk")
    push_id = at.selectbox(key="compose_pick").value
    assert push_id and pushes.get_push(db, clerk, push_id)["category"] == "anti_fraud"
    key = f"compose_{push_id}_"
    at.text_input(key=key + "title").input("警惕冒充客服退款诈骗").run()
    at.text_input(key=key + "field_scam").input("冒充电商客服").run()
    at.text_input(key=key + "field_advice").input("退款不需要验证码，不要点陌生链接").run()
    saved = pushes.get_push(db, clerk, push_id)
    assert saved["title"] == "警惕冒充客服退款诈骗" and saved["fields"]["scam"] == "冒充电商客服"  # autosaved
    assert saved["groups_targeted"] > 0
    assert any("将推送到" in c.value for c in at.caption)
    assert "警惕冒充客服退款诈骗" in texts(at)  # the phone preview shows the message
    at.button(key="compose_send").click().run()
    assert pushes.get_push(db, clerk, push_id)["state"] == "sending"
    assert delivery.progress(db, clerk, push_id)["total"] == saved["groups_targeted"]


def test_appeal_cannot_be_sent_directly_and_review_happens_in_the_log(app, demo_path):
    db = connect(demo_path)
    clerk, admin = auth.load_user(db, "clerk"), auth.load_user(db, "station")
    from tests.test_pushes import complete_appeal

    push = complete_appeal(db, clerk)
    at = open_page(app, "clerk", "compose")
    at.selectbox(key="compose_pick").set_value(push["id"]).run()
    assert not any(b.key == "compose_send" for b in at.button)
    at.button(key="compose_submit").click().run()
    assert pushes.get_push(db, clerk, push["id"])["state"] == "pending_review"
    log = open_page(app, "station", "pushes")
    assert any("待我审核：1 条" in i.value for i in log.info)
    log.button(key="pushlog_approve").click().run()
    assert pushes.get_push(db, admin, push["id"])["state"] == "approved"
    clerk_log = open_page(app, "clerk", "pushes")
    clerk_log.selectbox(key="pushlog_pick").set_value(push["id"]).run()
    clerk_log.button(key="pushlog_send").click().run()
    assert pushes.get_push(db, clerk, push["id"])["state"] == "sending"


def test_checklist_ticks_are_recorded(app, demo_path):
    db = connect(demo_path)
    clerk = auth.load_user(db, "clerk")
    from lib.targeting import Target

    push = pushes.new_draft(db, clerk, "health_tip")
    push = pushes.save_draft(db, clerk, push["id"], push["version"], title="冬季防一氧化碳中毒", body="注意通风。",
                             target=Target(categories=["work"]))
    pushes.send(db, clerk, push["id"], push["version"])
    at = open_page(app, "clerk", "pushes")
    open_rows = delivery.checklist(db, clerk, push["id"], only_open=True)
    assert open_rows
    assert any("人工发布清单" in m.value for m in at.markdown)
