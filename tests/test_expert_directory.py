"""The expert directory: answer counts, the directory listing and edits in lib/tips/experts.py, and
the 专家资源库 page per role (AppTest)."""

import json

import pytest

from lib.core import audit
from lib.core.db import connect
from lib.core.errors import NotFoundError, ScopeError, ValidationError
from lib.tips import experts, tips
from lib.tips.tips import TipInput
from tests.apptest import goto, texts

SEEDED = ["陈建国", "沈丽华", "黄志明", "施晓燕", "季卫东", "龚美琴", "倪红霞", "邱静", "张海峰", "刘雯", "姜涛",
          "蔡国平"]  # data/experts.json, seeded with the demo


def new_tip(db, station_id) -> int:
    grid_id = db.execute("SELECT id FROM grids WHERE station_id = ? AND geometry IS NOT NULL ORDER BY id LIMIT 1",
                         [station_id]).fetchone()[0]
    return tips.create_tip(db, TipInput(kind="inquiry", description="邻居欠我三万元不还，能起诉吗？", grid_id=grid_id,
                                        consent=True))["id"]


def expert_id(db, name) -> int:
    return db.execute("SELECT id FROM experts WHERE name = ?", [name]).fetchone()[0]


def expert_row(db, name) -> dict:
    return next(db.query("SELECT * FROM experts WHERE name = ?", [name]))


def audit_actions(db, admin, entity_id) -> list[str]:
    return [e["action"] for e in audit.list_entries(db, admin, entity="experts", entity_id=entity_id)]


# --- answer counts and the directory --------------------------------------------------------


def test_answer_counts_come_from_the_answers_attached_to_tips(demo_db, users):
    clerk, other = users["clerk"], users["other_clerk"]
    lawyer, doctor, idle = (expert_id(demo_db, n) for n in ("陈建国", "施晓燕", "蔡国平"))
    mine, theirs = new_tip(demo_db, clerk.station_id), new_tip(demo_db, other.station_id)
    experts.attach_expert(demo_db, clerk, mine, lawyer, "可以起诉，注意三年诉讼时效。")
    experts.attach_expert(demo_db, other, theirs, lawyer, "先协商，再申请人民调解。")
    experts.attach_expert(demo_db, clerk, mine, doctor, "建议先到社区卫生院就诊。")
    stats = experts.answer_stats(demo_db, clerk, [lawyer, doctor, idle])
    # District-wide: the other station's answer counts for the clerk too (a count shows no tip).
    assert stats[lawyer]["answers"] == 2 and stats[doctor]["answers"] == 1
    assert stats[idle] == {"answers": 0, "last_answer_at": None}
    last = demo_db.execute("SELECT MAX(at) FROM tip_events WHERE kind = 'expert' AND tip_id = ?",
                           [theirs]).fetchone()[0]
    assert stats[lawyer]["last_answer_at"] == last
    assert experts.answer_stats(demo_db, clerk, []) == {}
    rows = {r["name"]: r for r in experts.list_directory(demo_db, clerk)}
    assert rows["陈建国"]["answers"] == 2 and rows["蔡国平"]["answers"] == 0


def test_other_events_are_not_counted_as_answers(demo_db, users):
    clerk = users["clerk"]
    lawyer = expert_id(demo_db, "陈建国")
    tip_id = new_tip(demo_db, clerk.station_id)
    # A note whose data happens to carry the same id is not an expert's answer.
    demo_db.execute("INSERT INTO tip_events (tip_id, at, user_id, kind, is_public, text, data)"
                    " VALUES (?, '2026-11-28T10:00:00Z', ?, 'note', 0, 'x', ?)",
                    [tip_id, clerk.id, json.dumps({"expert_id": lawyer})])
    assert experts.answer_stats(demo_db, clerk, [lawyer])[lawyer]["answers"] == 0


def test_directory_lists_deactivated_experts_unless_asked_not_to(demo_db, users):
    admin, clerk = users["district_admin"], users["clerk"]
    experts.set_active(demo_db, admin, expert_id(demo_db, "邱静"), False)
    rows = experts.list_directory(demo_db, clerk)
    assert sorted(r["name"] for r in rows) == sorted(SEEDED)
    assert rows[-1]["name"] == "邱静" and rows[-1]["is_active"] == 0  # active experts first
    assert "邱静" not in [r["name"] for r in experts.list_directory(demo_db, clerk, include_inactive=False)]
    assert [r["name"] for r in experts.list_directory(demo_db, clerk, field="counsellor")] == ["倪红霞", "邱静"]
    assert [r["name"] for r in experts.list_directory(demo_db, clerk, text="反诈中心")] == ["张海峰"]


def test_reading_the_directory_needs_a_user(demo_db):
    with pytest.raises(ScopeError):
        experts.list_directory(demo_db, None)
    with pytest.raises(ScopeError):
        experts.answer_stats(demo_db, None, [1])


# --- edits ------------------------------------------------------------------------------------


@pytest.mark.parametrize("values,key,field", [
    ({"name": " ", "field": "lawyer"}, "experts.error.name", "name"),
    ({"name": "王医生", "field": "vet"}, "experts.error.field", "field"),
    ({"name": "王" * 31, "field": "doctor"}, "experts.error.too_long", "name"),
    ({"name": "王医生", "field": "doctor", "organization": "院" * 61}, "experts.error.too_long", "organization"),
    ({"name": "王医生", "field": "doctor", "phone": "110"}, "experts.error.phone", "phone"),
    ({"name": "王医生", "field": "doctor", "note": "专" * 201}, "experts.error.too_long", "note"),
])
def test_bad_expert_fields_are_refused_one_by_one(demo_db, users, values, key, field):
    count = demo_db.execute("SELECT COUNT(*) FROM experts").fetchone()[0]
    with pytest.raises(ValidationError) as info:
        experts.add_expert(demo_db, users["district_admin"], values)
    assert (info.value.key, info.value.field) == (key, field)
    assert demo_db.execute("SELECT COUNT(*) FROM experts").fetchone()[0] == count


def test_the_same_expert_twice_is_refused(demo_db, users):
    admin = users["district_admin"]
    values = {"name": "周敏", "field": "lawyer", "phone": "13912345678"}
    made = experts.add_expert(demo_db, admin, values)
    with pytest.raises(ValidationError) as info:
        experts.add_expert(demo_db, admin, {**values, "organization": "另一家律所"})
    assert info.value.key == "experts.error.duplicate"
    experts.add_expert(demo_db, admin, {**values, "field": "counsellor"})  # another field: another person
    with pytest.raises(ValidationError):  # nor can an edit turn one expert into another's twin
        experts.update_expert(demo_db, admin, expert_id(demo_db, "陈建国"),
                              {"name": "周敏", "phone": "13912345678"})
    assert experts.update_expert(demo_db, admin, made["id"], {"organization": "海门律所"})["organization"] == "海门律所"


def test_saving_an_unchanged_expert_or_state_writes_nothing(demo_db, users):
    admin = users["district_admin"]
    lawyer = expert_id(demo_db, "陈建国")
    row = experts.get_expert(demo_db, admin, lawyer)
    experts.update_expert(demo_db, admin, lawyer, {k: row[k] for k in experts.EDITABLE})
    experts.set_active(demo_db, admin, lawyer, True)
    assert audit_actions(demo_db, admin, lawyer) == []
    experts.set_active(demo_db, admin, lawyer, False)
    experts.set_active(demo_db, admin, lawyer, True)
    assert audit_actions(demo_db, admin, lawyer) == ["activate", "deactivate"]


@pytest.mark.parametrize("role", ["clerk", "station_admin"])
def test_only_district_admins_change_experts(demo_db, users, role):
    lawyer = expert_id(demo_db, "陈建国")
    with pytest.raises(ScopeError):
        experts.update_expert(demo_db, users[role], lawyer, {"note": "越权"})
    with pytest.raises(ScopeError):
        experts.set_active(demo_db, users[role], lawyer, False)
    assert expert_row(demo_db, "陈建国")["is_active"] == 1 and expert_row(demo_db, "陈建国")["note"] != "越权"


def test_editing_a_missing_expert_is_not_found(demo_db, users):
    with pytest.raises(NotFoundError):
        experts.update_expert(demo_db, users["district_admin"], 999999, {"note": "x"})


# --- the page ---------------------------------------------------------------------------------


def open_page(app, username, lang=None):
    return goto(app(username, lang=lang).run(), "experts").run()


def table(at):
    return at.dataframe[0].value


def test_everyone_sees_the_seeded_directory_with_answer_counts(app, demo_path):
    db = connect(demo_path)
    from lib.core import auth

    clerk = auth.load_user(db, "clerk")
    tip_id = new_tip(db, clerk.station_id)
    experts.attach_expert(db, clerk, tip_id, expert_id(db, "沈丽华"), "可申请法律援助。")
    experts.attach_expert(db, clerk, tip_id, expert_id(db, "沈丽华"), "带上劳动合同和工资流水。")
    at = open_page(app, "clerk")
    assert not at.exception
    assert "专家资源库" in texts(at)
    frame = table(at)
    assert sorted(frame["姓名"]) == sorted(SEEDED)
    row = frame[frame["姓名"] == "沈丽华"].iloc[0]
    assert (row["领域"], row["单位"], row["电话"], row["状态"]) == ("律师", "海门区法律援助中心", "0513-82280146", "在册")
    assert row["答复次数"] == 2 and row["最近答复"].startswith("20")
    assert frame[frame["姓名"] == "蔡国平"].iloc[0]["答复次数"] == 0


def test_clerk_searches_but_gets_no_edit_form(app):
    at = open_page(app, "clerk")
    assert [b.key for b in at.button] == ["app_logout"] and not at.text_area  # no form, no deactivate button
    assert not any(s.key == "experts_pick" for s in at.selectbox)
    assert "专家信息由区联动中心维护。" in texts(at)
    at.selectbox(key="experts_field").set_value("anti_fraud").run()
    assert sorted(table(at)["姓名"]) == ["刘雯", "姜涛", "张海峰"]
    at.text_input(key="experts_text").input("银行").run()
    assert list(table(at)["姓名"]) == ["刘雯"]
    at.text_input(key="experts_text").input("没有这个人").run()
    assert not at.dataframe and "没有找到专家。" in texts(at)


def test_district_admin_edits_an_expert_and_it_is_saved(app, demo_path):
    db = connect(demo_path)
    lawyer = expert_id(db, "陈建国")
    at = open_page(app, "district")
    at.selectbox(key="experts_pick").set_value(lawyer).run()
    assert at.text_input(key=f"experts_{lawyer}_name").value == "陈建国"
    at.text_area(key=f"experts_{lawyer}_note").input("婚姻家庭、邻里纠纷、继承、物业纠纷")
    at.text_input(key=f"experts_{lawyer}_phone").input("0513 82216799")
    at.button(key="experts_save").click().run()  # AppTest follows the page's st.rerun()
    assert not at.exception
    saved = expert_row(db, "陈建国")
    assert saved["note"] == "婚姻家庭、邻里纠纷、继承、物业纠纷" and saved["phone"] == "0513-82216799"
    assert "已保存修改。" in [s.value for s in at.success]
    row = table(at)[table(at)["姓名"] == "陈建国"].iloc[0]
    assert row["专长"] == "婚姻家庭、邻里纠纷、继承、物业纠纷" and row["电话"] == "0513-82216799"
    from lib.core import auth

    assert audit_actions(db, auth.load_user(db, "district"), lawyer) == ["update"]


def test_a_refused_expert_keeps_what_was_typed_then_is_added(app, demo_path):
    at = open_page(app, "district")
    at.text_input(key="experts_new_name").input("周敏")
    at.selectbox(key="experts_new_field").set_value("counsellor")
    at.text_input(key="experts_new_organization").input("海门区青少年服务中心")
    at.text_input(key="experts_new_phone").input("12345")
    at.button(key="experts_save").click().run()
    assert [e.value for e in at.error] == ["电话：电话格式不对（11 位手机号，或座机如 0513-82123456）。"]
    assert at.text_input(key="experts_new_name").value == "周敏"
    assert at.text_input(key="experts_new_organization").value == "海门区青少年服务中心"
    assert connect(demo_path).execute("SELECT COUNT(*) FROM experts WHERE name = '周敏'").fetchone()[0] == 0
    at.text_input(key="experts_new_phone").input("13912345678")
    at.button(key="experts_save").click().run()
    made = expert_row(connect(demo_path), "周敏")
    assert (made["field"], made["phone"], made["is_active"]) == ("counsellor", "13912345678", 1)
    assert "周敏" in list(table(at)["姓名"])
    assert at.selectbox(key="experts_pick").value == made["id"]  # the new expert is open for editing
    at.selectbox(key="experts_pick").set_value(None).run()
    assert at.text_input(key="experts_new_name").value == ""  # the new-expert form starts empty again


def test_district_admin_deactivates_and_reactivates_an_expert(app, demo_path):
    db = connect(demo_path)
    doctor = expert_id(db, "龚美琴")
    at = open_page(app, "district")
    at.selectbox(key="experts_pick").set_value(doctor).run()
    at.button(key="experts_deactivate").click().run()
    assert "已停用该专家。" in [s.value for s in at.success]
    assert expert_row(db, "龚美琴")["is_active"] == 0
    assert table(at)[table(at)["姓名"] == "龚美琴"].iloc[0]["状态"] == "已停用"
    assert "龚美琴" in list(table(at)["姓名"])  # soft: still in the directory
    at.toggle(key="experts_active_only").set_value(True).run()
    assert "龚美琴" not in list(table(at)["姓名"])
    at.toggle(key="experts_active_only").set_value(False).run()
    at.selectbox(key="experts_pick").set_value(doctor).run()
    at.button(key="experts_reactivate").click().run()
    assert expert_row(db, "龚美琴")["is_active"] == 1
    assert table(at)[table(at)["姓名"] == "龚美琴"].iloc[0]["状态"] == "在册"


def test_the_directory_in_english(app):
    at = open_page(app, "clerk", lang="en")
    frame = table(at)
    assert {"Name", "Field", "Organisation", "Phone", "Speciality", "State", "Answers"} <= set(frame.columns)
    assert set(frame["Field"]) == {"Lawyer", "Doctor", "Counsellor", "Anti-fraud specialist", "Other"}
