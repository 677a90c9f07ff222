"""A clerk's roster with a dozen different mistakes comes back from one dry run with every mistake
and its fix named (issue 14): every cell of every row checked, the closest officers and grids
suggested, duplicates kept once, impossible dates refused, link formulas flagged."""

import io
import re
import zipfile

from lib.core import clock
from lib.grids.group_import import dry_run
from lib.grids.group_import import read_ledger as read_table
from tests.test_group_import import HEADER, csv_bytes, good_row, keys, row_of, xlsx_bytes


def typo(name: str) -> str:
    """One character of a name changed, as a slip of the keyboard does (第1网格 → 第l网格)."""
    return name[:-2] + ("甲" if name[-2] != "甲" else "乙") + name[-1]


def hint_text(reason) -> str:
    return " ".join(str(v) for _, params in reason.hints for v in params.values())


def test_one_dry_run_names_every_mistake_of_a_roster_with_its_fix(demo_db, users, sanxing):
    s, other = sanxing, sanxing["other"]
    grid, officer = s["free_grids"][0], s["officers"][0]
    today = clock.beijing_today()
    rows = [
        HEADER,
        # row 2: four mistakes in one row — grid slip, owner slip, short phone, founding date in the future
        ["一行四错群", typo(grid["name"]), typo(officer["name"]), "张三", "12345", 120, "2999-01-01", "微信"],
        # row 3: the owner is an officer of another station; the founding date is before WeChat existed
        ["他所民警群", s["free_grids"][1]["name"], other["officer"]["name"], "李四", "13812345678", 80, "1998-05-01",
         "微信"],
        # row 4 and its exact copy (row 5); row 6 reuses the name with other cells
        good_row(s, 2, name="重复群"),
        good_row(s, 2, name="重复群"),
        good_row(s, 3, name="重复群"),
        # row 7: platform and count wrong, and the admin's name missing
        ["类别错群", s["free_grids"][3]["name"], officer["name"], None, "13812345678", "约300人", today, "钉钉"],
    ]
    report = dry_run(demo_db, users["clerk"], read_table(csv_bytes(rows), "roster.csv"))

    four = row_of(report, 2)
    assert keys(four) == {"group_import.error.grid_not_found", "group_import.error.owner_not_officer",
                          "groups.error.admin_phone", "groups.error.created_on_future"}
    by_field = {r.field: r for r in four.reasons}
    assert grid["name"] in hint_text(by_field["grid"]) and grid["code"] in hint_text(by_field["grid"])
    assert officer["name"] in hint_text(by_field["owner"]) and officer["username"] in hint_text(by_field["owner"])
    assert by_field["created_on"].params["today"] == today

    elsewhere = row_of(report, 3)
    assert keys(elsewhere) == {"group_import.error.owner_not_officer", "groups.error.created_on_early"}
    owner = next(r for r in elsewhere.reasons if r.field == "owner")
    assert ("group_import.hint.officer_elsewhere" in [k for k, _ in owner.hints]
            and other["name"] in hint_text(owner) and other["officer"]["username"] in hint_text(owner))

    assert row_of(report, 4).action == "add"
    assert keys(row_of(report, 5)) == {"group_import.error.duplicate_copy"} and row_of(report, 5).duplicate_of == 4
    assert keys(row_of(report, 6)) == {"group_import.error.duplicate_differs"}

    assert keys(row_of(report, 7)) == {"group_import.error.platform", "group_import.error.member_count_approx",
                                      "groups.error.admin_name"}
    assert report.n_add == 1 and report.n_reject == 5


def test_an_owner_is_checked_even_when_no_station_is_known_yet(demo_db, users, sanxing):
    # the district's admin gives no station column and a grid that does not exist: the owner is still
    # checked, against every station
    rows = [["群名称", "所属网格", "群主"], ["无站群", "不存在的网格", "查无此人"]]
    row = dry_run(demo_db, users["district_admin"], read_table(csv_bytes(rows), "t.csv")).rows[0]
    assert keys(row) == {"group_import.error.grid_unknown", "group_import.error.owner_not_any_officer",
                         "groups.error.admin_name"}


def test_a_value_a_link_formula_saved_is_flagged_for_a_look(demo_db, users, sanxing):
    row = good_row(sanxing, 0)
    row[0] = '=HYPERLINK("http://example.invalid/group","点我")'
    data = xlsx_bytes([HEADER, row])
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                # as Excel saves it: the formula with its display text as the cached string
                content, n = re.subn(rb'<c r="A2"[^>]*><f>(.*?)</f><v\s*/>', rb'<c r="A2" t="str"><f>\1</f><v>' + "点我".encode() + rb'</v>',
                                     content)
                assert n == 1
            dst.writestr(item, content)
    result = dry_run(demo_db, users["clerk"], read_table(out.getvalue(), "t.xlsx")).rows[0]
    assert result.name == "点我"
    assert [(w.field, w.key) for w in result.warnings] == [("name", "group_import.warning.linked_formula")]
    assert "HYPERLINK" in result.warnings[0].params["formula"]


def test_a_station_typed_slightly_wrong_gets_the_closest_stations(demo_db, users, sanxing):
    rows = [["群名称", "派出所", "所属网格"], ["站名错群", sanxing["name"].replace("派出所", "派初所"), "第1网格"]]
    row = dry_run(demo_db, users["district_admin"], read_table(csv_bytes(rows), "t.csv")).rows[0]
    station = next(r for r in row.reasons if r.field == "station")
    assert station.key == "group_import.error.station_unknown" and sanxing["name"] in hint_text(station)
