"""The 线索办理规则 page (AppTest): the two clocks of tips (答复时限, 办结时限) and reply templates, for
district admins only; and editing reply templates in lib/tips/reply_templates.py."""

import pytest
from streamlit.testing.v1 import AppTest

from lib.core import audit, auth
from lib.core.db import connect
from lib.core.errors import NotFoundError, ScopeError, ValidationError
from lib.i18n import i18n
from lib.tips import reply_templates, sla, tips
from tests.apptest import goto, texts

# --- lib: editing a template --------------------------------------------------------------------


def template(db, kind, title) -> dict | None:
    rows = list(db.query("SELECT * FROM reply_templates WHERE kind = ? AND title = ?", [kind, title]))
    return rows[0] if rows else None


def template_audit(db, admin, template_id) -> list[dict]:
    return audit.list_entries(db, admin, entity="reply_templates", entity_id=template_id)


def test_district_admin_edits_a_template_with_an_audit_row(demo_db, users):
    admin = users["district_admin"]
    made = reply_templates.add_template(demo_db, admin, "request", "路灯已报修", "您好，已通知供电所维修路灯。")
    edited = reply_templates.update_template(demo_db, admin, made["id"], title="路灯已修复",
                                             body="您好，路灯已修复，感谢反映。")
    assert edited == {"id": made["id"], "kind": "request", "title": "路灯已修复", "body": "您好，路灯已修复，感谢反映。"}
    assert template(demo_db, "request", "路灯已修复")["id"] == made["id"]
    [entry, _create] = template_audit(demo_db, admin, made["id"])
    assert entry["action"] == "update" and "路灯已报修" in entry["before"] and "路灯已修复" in entry["after"]
    reply_templates.update_template(demo_db, admin, made["id"], title="路灯已修复", body="您好，路灯已修复，感谢反映。")
    assert len(template_audit(demo_db, admin, made["id"])) == 2  # nothing changed, nothing written


@pytest.mark.parametrize("title,body,key", [
    ("已受理·转交办理", "内容", "templates.error.duplicate"),  # a seeded title of the same kind
    ("", "内容", "templates.error.title"), ("长" * 31, "内容", "templates.error.title"),
    ("标题", "  ", "templates.error.body"), ("标题", "长" * 1001, "templates.error.body"),
])
def test_bad_template_edits_are_refused(demo_db, users, title, body, key):
    admin = users["district_admin"]
    made = reply_templates.add_template(demo_db, admin, "request", "路灯已报修", "原内容")
    with pytest.raises(ValidationError) as info:
        reply_templates.update_template(demo_db, admin, made["id"], title=title, body=body)
    assert info.value.key == key
    assert template(demo_db, "request", "路灯已报修")["body"] == "原内容"


def test_a_title_of_a_deleted_template_can_be_taken(demo_db, users):
    admin = users["district_admin"]
    old = reply_templates.add_template(demo_db, admin, "lead", "旧标题", "旧内容")
    reply_templates.delete_template(demo_db, admin, old["id"])
    made = reply_templates.add_template(demo_db, admin, "lead", "新标题", "新内容")
    reply_templates.update_template(demo_db, admin, made["id"], title="旧标题", body="新内容")
    assert [r["id"] for r in reply_templates.list_templates(demo_db, admin, "lead") if r["title"] == "旧标题"] \
        == [made["id"]]
    assert demo_db.execute("SELECT is_deleted FROM reply_templates WHERE id = ?", [old["id"]]).fetchone()[0] == 1


def test_a_deleted_template_cannot_be_edited(demo_db, users):
    admin = users["district_admin"]
    made = reply_templates.add_template(demo_db, admin, "lead", "标题", "内容")
    reply_templates.delete_template(demo_db, admin, made["id"])
    with pytest.raises(NotFoundError):
        reply_templates.update_template(demo_db, admin, made["id"], title="标题", body="新内容")


@pytest.mark.parametrize("role", ["clerk", "station_admin"])
def test_only_district_admins_edit_templates(demo_db, users, role):
    made = reply_templates.add_template(demo_db, users["district_admin"], "lead", "标题", "内容")
    with pytest.raises(ScopeError):
        reply_templates.update_template(demo_db, users[role], made["id"], title="标题", body="越权")
    assert template(demo_db, "lead", "标题")["body"] == "内容"


# --- the page: who may open it ------------------------------------------------------------------


def open_rules(app, username, lang=None):
    return goto(app(username, lang=lang).run(), "rules").run()


@pytest.mark.parametrize("username", ["clerk", "station"])
def test_station_roles_cannot_open_the_rules_page(app, username):
    at = open_rules(app, username)
    assert not at.exception
    assert "线索办理规则" not in [t.value for t in at.title]
    assert not at.number_input and not any((s.key or "").startswith("rules_") for s in at.selectbox)


def _render_rules_as():
    # Runs the page without app.py's navigation, to test its own guard.
    import os

    from lib.core import auth
    from lib.core.db import connect
    from lib.ui import ui
    from pages import rules

    db = connect()
    ui.set_context(ui.Context(db=db, user=auth.load_user(db, os.environ["RULES_TEST_USER"]), lang="zh"))
    rules.render()


@pytest.mark.parametrize("username", ["clerk", "station"])
def test_the_page_guards_itself_whatever_the_navigation(demo_path, monkeypatch, username):
    monkeypatch.setenv("PORTAL_DB", str(demo_path))
    monkeypatch.setenv("RULES_TEST_USER", username)
    at = AppTest.from_function(_render_rules_as, default_timeout=60).run()
    assert not at.exception
    assert [e.value for e in at.error] == ["您无权查看或修改该数据。"]
    assert not at.title and not at.dataframe and not at.number_input


# --- the page: the two clocks --------------------------------------------------------------------------


def sla_input(at, kind, priority):
    return next(n for n in at.number_input if n.key.startswith(f"rules_sla_{kind}_{priority}_"))


def res_input(at, kind, priority):
    return next(n for n in at.number_input if n.key.startswith(f"rules_res_{kind}_{priority}_"))


TABLES = ("rules_sla_table", "rules_res_table", "rules_tpl_table")  # in page order (a read-only table has no id)


def table(at, key):
    assert len(at.dataframe) >= 2
    return at.dataframe[TABLES.index(key)].value


def sla_grid(at, index="线索类型"):
    return table(at, "rules_sla_table").set_index(index)


def res_grid(at, index="线索类型"):
    return table(at, "rules_res_table").set_index(index)


def stored(db, column="first_response_minutes") -> dict:
    return {(k, p): m for k, p, m in db.execute(f"SELECT kind, priority, {column} FROM sla_rules")}


def test_district_admin_sees_the_rules_as_a_readable_grid(app):
    at = open_rules(app, "district")
    assert not at.exception
    shown = texts(at)
    assert "线索办理规则" in shown and "修改只对今后收到的线索生效；已收到线索的时限保持不变。" in shown
    grid = sla_grid(at)
    assert list(grid.columns) == ["紧急", "高", "一般", "低"]
    assert list(grid.index) == ["民生诉求", "案件线索", "群众咨询", "举报投诉"]
    assert grid.loc["案件线索", "紧急"] == "10 分钟" and grid.loc["案件线索", "一般"] == "2 小时"
    assert grid.loc["民生诉求", "低"] == "2 天" and grid.loc["举报投诉", "低"] == "1 天"
    assert len(at.number_input) == 32 and sla_input(at, "lead", "urgent").value == 10


def test_district_admin_sees_both_clocks_and_what_stops_each(app, demo_path, users):
    at = open_rules(app, "district")
    shown = texts(at)
    assert "第一次公开答复群众（群众查询进度时能看到）或登记一次回电为止；指派、内部备注都不算答复" in shown
    assert "**办结时限**：到线索办结为止" in shown
    rules = sla.list_rules(connect(demo_path), users["district_admin"])
    for grid, field in ((sla_grid(at), "minutes"), (res_grid(at), "resolution_minutes")):
        assert list(grid.columns) == ["紧急", "高", "一般", "低"]
        shown_cells = {(r["kind"], r["priority"]): grid.loc[i18n.term("tip_kinds", r["kind"], "zh"),
                                                            i18n.t(f"tips.priority.{r['priority']}")] for r in rules}
        assert shown_cells == {(r["kind"], r["priority"]): sla.format_minutes(r[field]) for r in rules}
        assert len(shown_cells) == len(tips.KINDS) * len(tips.PRIORITIES)
    assert res_grid(at).loc["案件线索", "紧急"] == "1 天" and res_grid(at).loc["举报投诉", "低"] == "14 天"
    assert res_input(at, "inquiry", "urgent").value == 480
    assert not at.warning  # every resolution time is at least its response time


def test_changed_resolution_times_are_saved_and_shown(app, demo_path):
    db = connect(demo_path)
    admin = auth.load_user(db, "district")
    before = len(audit.list_entries(db, admin, entity="sla_rules"))
    first = stored(db)
    at = open_rules(app, "district")
    res_input(at, "lead", "urgent").set_value(720)
    res_input(at, "complaint", "low").set_value(30 * 1440)
    at.button(key="rules_res_save").click().run()
    assert not at.exception
    assert "已保存 2 项办结时限修改，对今后收到的线索生效。" in [s.value for s in at.success]
    assert stored(db, "resolution_minutes")[("lead", "urgent")] == 720
    assert stored(db, "resolution_minutes")[("complaint", "low")] == 43200
    assert stored(db) == first  # the response clock is left alone
    assert len(audit.list_entries(db, admin, entity="sla_rules")) == before + 2
    assert res_grid(at).loc["案件线索", "紧急"] == "12 小时" and res_grid(at).loc["举报投诉", "低"] == "30 天"
    assert res_input(at, "lead", "urgent").value == 720


def test_a_bad_resolution_time_is_refused_by_name_and_nothing_is_saved(app, demo_path):
    db = connect(demo_path)
    before = stored(db, "resolution_minutes")
    at = open_rules(app, "district")
    res_input(at, "lead", "high").set_value(2000)
    res_input(at, "request", "normal").set_value(91 * 1440)
    at.button(key="rules_res_save").click().run()
    assert [e.value for e in at.error] == ["民生诉求 · 一般：办结时限应为 1 到 129600 分钟之间的整数（最长 90 天）。"]
    assert stored(db, "resolution_minutes") == before
    assert res_input(at, "request", "normal").value == 91 * 1440 and res_input(at, "lead", "high").value == 2000


def test_a_resolution_time_shorter_than_the_response_time_is_pointed_out(app, demo_path):
    at = open_rules(app, "district")
    res_input(at, "request", "low").set_value(1440)  # response: 2 days
    at.button(key="rules_res_save").click().run()
    assert [w.value for w in at.warning] == ["以下线索的办结时限短于答复时限，请核对：民生诉求 · 低。"]


def test_changed_rules_are_saved_together_and_shown(app, demo_path):
    db = connect(demo_path)
    admin = auth.load_user(db, "district")
    before = len(audit.list_entries(db, admin, entity="sla_rules"))
    at = open_rules(app, "district")
    sla_input(at, "lead", "urgent").set_value(15)
    sla_input(at, "request", "low").set_value(4320)
    at.button(key="rules_sla_save").click().run()
    assert not at.exception
    assert "已保存 2 项时限修改，对今后收到的线索生效。" in [s.value for s in at.success]
    rules = stored(db)
    assert stored(db, "resolution_minutes")[("lead", "urgent")] == 1440  # the resolution clock is left alone
    assert rules[("lead", "urgent")] == 15 and rules[("request", "low")] == 4320 and rules[("lead", "high")] == 30
    assert len(audit.list_entries(db, admin, entity="sla_rules")) == before + 2
    grid = sla_grid(at)
    assert grid.loc["案件线索", "紧急"] == "15 分钟" and grid.loc["民生诉求", "低"] == "3 天"
    assert sla_input(at, "lead", "urgent").value == 15
    at.button(key="rules_sla_save").click().run()
    assert "没有改动。" in [i.value for i in at.info]


def test_a_bad_rule_is_refused_by_name_and_nothing_is_saved(app, demo_path):
    at = open_rules(app, "district")
    sla_input(at, "lead", "high").set_value(45)
    sla_input(at, "complaint", "urgent").set_value(0)
    at.button(key="rules_sla_save").click().run()
    assert [e.value for e in at.error] == ["举报投诉 · 紧急：答复时限应为 1 到 43200 分钟之间的整数（最长 30 天）。"]
    db = connect(demo_path)
    assert db.execute("SELECT first_response_minutes FROM sla_rules WHERE kind = 'lead' AND priority = 'high'"
                      ).fetchone()[0] == 30
    assert sla_input(at, "complaint", "urgent").value == 0 and sla_input(at, "lead", "high").value == 45  # kept
    assert sla_grid(at).loc["案件线索", "高"] == "30 分钟"


def test_the_rules_in_english(app):
    at = open_rules(app, "district", lang="en")
    grid = sla_grid(at, "Tip kind")
    assert list(grid.columns) == ["Urgent", "High", "Normal", "Low"]
    assert "10 min" in set(grid.iloc[:, 0]) and "2 h" in set(grid["Normal"])
    assert res_grid(at, "Tip kind").loc["Case lead", "Low"] == "14 d"
    assert "until the tip is resolved" in texts(at)


# --- the page: reply templates ------------------------------------------------------------------


def template_table(at):
    return table(at, "rules_tpl_table")


def test_templates_are_listed_by_kind(app, demo_path):
    db = connect(demo_path)
    at = open_rules(app, "district")
    for kind in ("request", "lead", "inquiry", "complaint"):
        at.radio(key="rules_tpl_kind").set_value(kind).run()
        expected = [r[0] for r in db.execute("SELECT title FROM reply_templates WHERE kind = ? AND is_deleted = 0"
                                             " ORDER BY title, id", [kind])]
        assert expected and list(template_table(at)["标题"]) == expected


def test_district_admin_adds_edits_and_deletes_a_template(app, demo_path):
    db = connect(demo_path)
    at = open_rules(app, "district")
    at.radio(key="rules_tpl_kind").set_value("complaint").run()
    at.text_input(key="rules_tpl_complaint_new_title").input("已约谈商户")
    at.text_area(key="rules_tpl_complaint_new_body").input("您好，我们已约谈涉事商户并责令整改。")
    at.button(key="rules_tpl_save").click().run()
    assert not at.exception and "已新增模板。" in [s.value for s in at.success]
    made = template(db, "complaint", "已约谈商户")
    assert made and made["body"] == "您好，我们已约谈涉事商户并责令整改。"
    assert "已约谈商户" in list(template_table(at)["标题"])
    assert at.selectbox(key="rules_tpl_pick").value == made["id"]

    at.text_area(key=f"rules_tpl_complaint_{made['id']}_body").input("您好，我们已约谈涉事商户，整改情况将在此答复。")
    at.button(key="rules_tpl_save").click().run()
    assert "模板已保存。" in [s.value for s in at.success]
    assert template(db, "complaint", "已约谈商户")["body"] == "您好，我们已约谈涉事商户，整改情况将在此答复。"
    row = template_table(at)[template_table(at)["标题"] == "已约谈商户"].iloc[0]
    assert row["内容"] == "您好，我们已约谈涉事商户，整改情况将在此答复。"

    at.button(key="rules_tpl_delete").click().run()
    assert "模板已删除。" in [s.value for s in at.success]
    assert template(db, "complaint", "已约谈商户")["is_deleted"] == 1
    assert "已约谈商户" not in list(template_table(at)["标题"])
    assert at.selectbox(key="rules_tpl_pick").value is None


def test_a_duplicate_title_or_empty_body_is_refused_keeping_the_text(app, demo_path):
    db = connect(demo_path)
    taken = db.execute("SELECT title FROM reply_templates WHERE kind = 'lead' AND is_deleted = 0 LIMIT 1"
                       ).fetchone()[0]
    count = db.execute("SELECT COUNT(*) FROM reply_templates").fetchone()[0]
    at = open_rules(app, "district")
    at.radio(key="rules_tpl_kind").set_value("lead").run()
    at.text_input(key="rules_tpl_lead_new_title").input(taken)
    at.text_area(key="rules_tpl_lead_new_body").input("另一段内容")
    at.button(key="rules_tpl_save").click().run()
    assert [e.value for e in at.error] == [f"标题：该类型已有名为“{taken}”的模板。"]
    assert at.text_area(key="rules_tpl_lead_new_body").value == "另一段内容"
    at.text_input(key="rules_tpl_lead_new_title").input("新的标题")
    at.text_area(key="rules_tpl_lead_new_body").input("   ")
    at.button(key="rules_tpl_save").click().run()
    assert [e.value for e in at.error] == ["内容：模板内容为 1 到 1000 个字。"]
    assert at.text_input(key="rules_tpl_lead_new_title").value == "新的标题"
    assert db.execute("SELECT COUNT(*) FROM reply_templates").fetchone()[0] == count


def test_a_quoted_title_is_shown_as_typed_not_as_markup(app, demo_path):
    db = connect(demo_path)
    reply_templates.add_template(db, auth.load_user(db, "district"), "inquiry", "**加粗**[链接](http://x)", "内容")
    at = open_rules(app, "district")
    at.radio(key="rules_tpl_kind").set_value("inquiry").run()
    at.text_input(key="rules_tpl_inquiry_new_title").input("**加粗**[链接](http://x)")
    at.text_area(key="rules_tpl_inquiry_new_body").input("另一段内容")
    at.button(key="rules_tpl_save").click().run()
    assert [e.value for e in at.error] == ["标题：该类型已有名为“\\*\\*加粗\\*\\*\\[链接\\]\\(http\\://x\\)”的模板。"]
