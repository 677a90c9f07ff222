"""AppTest of the group registry and the grid map, per role."""

import json

import pytest

from lib.core import auth
from lib.core.db import connect
from lib.grids import coverage_map as cm
from lib.grids import groups
from lib.ui import ui
from tests.apptest import goto, metrics, texts


def open_page(app, username, url_path):
    at = app(username).run()
    return goto(at, url_path).run()


@pytest.mark.parametrize("username", ["clerk", "station"])
def test_registry_shows_only_the_station_and_its_total(app, demo_path, username):
    at = open_page(app, username, "registry")
    assert not at.exception
    db = connect(demo_path)
    user = auth.load_user(db, username)
    expected = groups.search_groups(db, user).total
    caption = next(c.value for c in at.caption if "共" in c.value)
    assert f"共 {ui.fmt_int(expected)} 个群" in caption
    frame = at.dataframe[0].value
    assert set(frame["派出所"]) == {"三星派出所"} and len(frame) == 50
    assert not any(s.label == "派出所" for s in at.selectbox)  # no station filter for station roles


def test_district_admin_filters_by_station(app, demo_path):
    at = open_page(app, "district", "registry")
    haiyong = connect(demo_path).execute("SELECT id FROM units WHERE name = '海永派出所'").fetchone()[0]
    next(s for s in at.selectbox if s.label == "派出所").set_value(haiyong).run()
    assert set(at.dataframe[0].value["派出所"]) == {"海永派出所"}


def test_registry_filter_by_naming_shows_nonstandard_names(app):
    at = open_page(app, "clerk", "registry")
    next(s for s in at.selectbox if s.label == "群名规范").set_value(False)
    at.run()
    assert set(at.dataframe[0].value["规范"]) == {"✗"}


def test_edit_form_refuses_bad_input_keeps_it_and_saves_good_input(app, demo_path):
    at = open_page(app, "clerk", "registry")
    first_id = at.dataframe[0].value["编号"].iloc[0]
    at.selectbox(key="registry_edit_pick").set_value(int(first_id)).run()
    name_box = next(t for t in at.text_input if t.label == "群名称")
    admin_box = next(t for t in at.text_input if t.label == "群管理员（网格员姓名）")
    phone_box = next(t for t in at.text_input if t.label == "管理员电话")
    admin_box.input("顾新华")
    phone_box.input("123")
    next(b for b in at.button if b.label == "保存").click().run()
    assert any("电话号码格式不对" in e.value for e in at.error)
    assert next(t for t in at.text_input if t.label == "管理员电话").value == "123"  # kept
    db = connect(demo_path)
    assert db.execute("SELECT admin_name FROM chat_groups WHERE id = ?", [int(first_id)]).fetchone()[0] != "顾新华"
    next(t for t in at.text_input if t.label == "管理员电话").input("13912345678")
    next(b for b in at.button if b.label == "保存").click().run()
    assert any("已保存" in s.value for s in at.success)
    assert db.execute("SELECT admin_name, admin_phone FROM chat_groups WHERE id = ?",
                      [int(first_id)]).fetchone() == ("顾新华", "13912345678")
    assert name_box.value  # the name field was filled from the group


def test_naming_tab_renames_after_confirmation(app, demo_path):
    at = open_page(app, "clerk", "registry")
    db = connect(demo_path)
    clerk = auth.load_user(db, "clerk")
    before = groups.search_groups(db, clerk, groups.GroupFilter(name_standard=False)).total
    assert before > 0
    next(b for b in at.button if b.label == "批量改名").click().run()
    assert groups.search_groups(db, clerk, groups.GroupFilter(name_standard=False)).total == before  # no confirm
    next(c for c in at.checkbox if "我已核对" in c.label).check()
    next(b for b in at.button if b.label == "批量改名").click().run()
    assert any("已改名" in s.value for s in at.success)
    assert groups.search_groups(db, clerk, groups.GroupFilter(name_standard=False)).total == 0


@pytest.mark.parametrize("username", ["clerk", "district"])
def test_map_page_shows_the_scope_on_the_map(app, demo_path, username):
    at = open_page(app, username, "map")
    assert not at.exception
    db = connect(demo_path)
    user = auth.load_user(db, username)
    summary = cm.map_summary(db, user, cm.MapFilter())
    assert metrics(at)["群"] == ui.fmt_int(summary.groups)
    assert metrics(at)["覆盖率"] == ui.fmt_pct(summary.coverage_pct)
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    grids_layer = next(layer for layer in spec["layers"] if layer["id"] == "grids")
    where = "" if user.is_district else f" AND station_id = {user.station_id}"
    expected = db.execute(f"SELECT COUNT(*) FROM grids WHERE geometry IS NOT NULL{where}").fetchone()[0]
    assert len(grids_layer["data"]) == expected
    gap_table = at.dataframe[0].value
    top = cm.grid_gaps(db, user, cm.MapFilter())[0]
    assert gap_table["网格"].iloc[0] == top["name"] and gap_table["距目标差"].iloc[0] == top["missing"]
    tabs = [t.label for t in at.tabs]
    assert ("导入网格边界" in tabs) == user.is_district


def test_map_filters_by_category(app, demo_path):
    at = open_page(app, "clerk", "map")
    next(s for s in at.selectbox if s.label == "网格类别").set_value("industry").run()
    db = connect(demo_path)
    clerk = auth.load_user(db, "clerk")
    assert metrics(at)["网格"] == ui.fmt_int(cm.map_summary(db, clerk, cm.MapFilter(category="industry")).grids)
    assert "没有符合条件的网格" not in texts(at)


def test_import_tab_dry_run_then_confirm_writes_the_accepted_rows(app, demo_path):
    db = connect(demo_path)
    clerk = auth.load_user(db, "clerk")
    grid_code, grid_name = db.execute("SELECT code, name FROM grids WHERE station_id = ? AND category = 'comprehensive'"
                                      " ORDER BY id LIMIT 1", [clerk.station_id]).fetchone()
    officer = db.execute("SELECT u.username FROM users u JOIN units un ON un.id = u.unit_id"
                         " WHERE COALESCE(un.station_id, un.id) = ? AND u.password_hash IS NULL LIMIT 1",
                         [clerk.station_id]).fetchone()[0]
    csv_text = ("三星派出所网格微信群台账\n群名称,所属网格,群主,网格员,群成员数,建群日期\n"
                f"新百千万·三星所·{grid_name}（7群）,{grid_code},{officer},陆小红,２５６人,2021年3月5日\n"
                f"新百千万·三星所·{grid_name}（8群）,{grid_code},{officer},陆小红,约200,2021-03-05\n"
                "合计,,,,456,\n")
    at = open_page(app, "clerk", "registry")
    at.file_uploader(key="registry_import_file").set_value(("台账.csv", csv_text.encode("utf-8"), "text/csv")).run()
    assert not at.exception
    next(b for b in at.button if b.key == "registry_import_dry_run").click().run()
    assert any("新增 1 个群" in i.value and "拒绝 1 行" in i.value for i in at.info)
    before = db.execute("SELECT COUNT(*) FROM chat_groups").fetchone()[0]
    # The rejected rows first, each reason in full (not cut off in a cell), the column named once.
    shown = [m.value for m in at.markdown if m.value.startswith("**第 ")]
    assert len(shown) == 1 and shown[0].startswith("**第 4 行") and "约200" in shown[0] and "请填写整数" in shown[0]
    assert "群成员数：群成员数" not in shown[0]
    verdicts = at.radio(key="registry_import_verdict")
    assert verdicts.options == ["拒绝（1）", "新增（1）", "全部（2）"]
    verdicts.set_value("all").run()
    assert [m.value.split(" · ")[0] for m in at.markdown if m.value.startswith("**第 ")] == ["**第 3 行", "**第 4 行"]
    next(b for b in at.button if b.key == "registry_import_apply").click().run()
    assert any("导入完成" in s.value for s in at.success)
    assert db.execute("SELECT COUNT(*) FROM chat_groups").fetchone()[0] == before + 1
    assert db.execute("SELECT member_count, created_on FROM chat_groups WHERE name = ?",
                      [f"新百千万·三星所·{grid_name}（7群）"]).fetchone() == (256, "2021-03-05")


def test_grid_boundary_import_tab_for_the_district_admin(app, demo_path):
    db = connect(demo_path)
    code, station, geometry = db.execute(
        "SELECT g.code, u.code, g.geometry FROM grids g JOIN units u ON u.id = g.station_id"
        " WHERE g.geometry IS NOT NULL ORDER BY g.id LIMIT 1").fetchone()
    feature = {"type": "Feature", "geometry": json.loads(geometry),
               "properties": {"name": "更名后的网格", "code": code, "station": station, "population": 800}}
    data = json.dumps({"type": "FeatureCollection", "features": [feature]}, ensure_ascii=False).encode()
    at = open_page(app, "district", "map")
    at.file_uploader(key="map_import_file").set_value(("grids.geojson", data, "application/geo+json")).run()
    next(b for b in at.button if b.key == "map_import_dry_run").click().run()
    assert any("更新 1 个" in i.value for i in at.info)
    next(b for b in at.button if b.key == "map_import_apply").click().run()
    assert any("已导入" in s.value for s in at.success)
    assert db.execute("SELECT name, population FROM grids WHERE code = ?", [code]).fetchone() == ("更名后的网格", 800)
