"""Group import from the clerks' spreadsheets: reading CSV/XLSX as clerks keep them,
the dry run's verdict on every row, scope, and the all-or-nothing write.

Every test file is built here (csv text, openpyxl workbooks); nothing binary is checked in.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import datetime

import openpyxl
import pytest

from lib.core import auth
from lib.core.errors import ScopeError, ValidationError
from lib.grids import cell_values, group_import, group_lookups, groups, naming, sheet_reader
from lib.grids.group_import import apply, dry_run, propose_mapping
from lib.grids.group_import import read_ledger as read_table
from lib.grids.sheet_reader import RawRow, RawTable
from lib.i18n.messages.group_import import MESSAGES

HEADER = ["群名称", "所属网格", "群主（民警）", "网格员", "联系电话", "群成员数", "建群日期", "平台"]


# --- helpers -------------------------------------------------------------------------------


def csv_bytes(rows: list[list], *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    buf = io.StringIO()
    csv_writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        csv_writer.writerow(["" if c is None else c for c in row])
    return buf.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list], *, merges=(), sheets_before: int = 0) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for i in range(sheets_before):
        ws.title = f"空白{i}"
        ws = wb.create_sheet("群台账")
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(row=r, column=c, value=value)
    for rng in merges:
        ws.merge_cells(rng)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def with_cached_value(data: bytes, ref: str, value: str) -> bytes:
    """The workbook with a cached result written for the formula in ``ref``, as Excel
    saves it; openpyxl itself cannot write cached values."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                text = content.decode()
                text, n = re.subn(rf'(<c r="{ref}"[^>]*>)<f>(.*?)</f><v\s*/>', rf"\1<f>\2</f><v>{value}</v>", text)
                assert n == 1, text
                content = text.encode()
            dst.writestr(item, content)
    return out.getvalue()


def row_of(report, number: int):
    return next(r for r in report.rows if r.row == number)


def keys(result) -> set[str]:
    return {reason.key for reason in result.reasons}


def count(db, sql, params=()):
    return db.execute(sql, params).fetchone()[0]


def good_row(s, i: int, name: str | None = None) -> list:
    grid, officer = s["free_grids"][i], s["officers"][i % len(s["officers"])]
    return [name or naming.standard_group_name(s["name"], grid["name"]), grid["name"], officer["name"],
            "张三", "13812345678", 120 + i, "2021-03-05", "微信"]


# --- clean files ---------------------------------------------------------------------------


def test_clean_csv_adds_every_row(demo_db, users, sanxing):
    data = csv_bytes([HEADER] + [good_row(sanxing, i) for i in range(3)])
    table = read_table(data, "台账.csv")
    assert table.header_row == 1 and [r.number for r in table.rows] == [2, 3, 4]
    before = count(demo_db, "SELECT COUNT(*) FROM audit_log"), demo_db.conn.total_changes
    report = dry_run(demo_db, users["clerk"], table)
    assert (report.n_add, report.n_update, report.n_unchanged, report.n_reject) == (3, 0, 0, 0)
    assert report.unmapped_columns == []
    first = report.rows[0]
    assert first.values["grid_id"] == sanxing["free_grids"][0]["id"]
    assert first.values["owner_user_id"] == sanxing["officers"][0]["id"]
    assert first.values["created_on"] == "2021-03-05" and first.values["platform"] == "wechat"
    assert first.name_standard is True and first.proposed_name is None
    # a dry run writes nothing
    assert (count(demo_db, "SELECT COUNT(*) FROM audit_log"), demo_db.conn.total_changes) == before


def test_english_headers_and_tab_delimiter(demo_db, users, sanxing):
    grid, officer = sanxing["free_grids"][0], sanxing["officers"][0]
    data = csv_bytes([["Group name", "Grid", "Owner", "Admin", "Phone", "Members", "Created on", "Platform"],
                      ["Test group A", grid["code"], officer["username"], "Li Si", "13812345678", "1,234",
                       "2021/03/05", "WeCom"]], delimiter="\t")
    report = dry_run(demo_db, users["clerk"], read_table(data, "groups.txt"))
    row = report.rows[0]
    assert row.action == "add", row.reasons
    assert row.values["member_count"] == 1234 and row.values["platform"] == "wecom"
    assert row.name_standard is False and naming.is_compliant(row.proposed_name)


def test_gbk_csv_with_semicolons_and_title_row(demo_db, users, sanxing):
    # Chinese Excel saves "CSV" in GBK; some exports use semicolons.
    rows = [["三星派出所网格微信群台账（2026年11月）"], [], HEADER] + [good_row(sanxing, i) for i in range(2)]
    data = csv_bytes(rows, encoding="gbk", delimiter=";")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    table = read_table(data, "台账.csv")
    assert table.header_row == 3 and table.headers == HEADER
    report = dry_run(demo_db, users["clerk"], table)
    assert report.n_add == 2 and report.rows[0].row == 4


def test_utf8_bom_csv(demo_db, users, sanxing):
    data = csv_bytes([HEADER, good_row(sanxing, 0)], encoding="utf-8-sig")
    table = read_table(data, "台账.csv")
    assert table.headers[0] == "群名称"
    assert dry_run(demo_db, users["clerk"], table).n_add == 1


def test_messy_xlsx_as_clerks_keep_it(demo_db, users, sanxing):
    s = sanxing
    g = s["free_grids"]
    o = s["officers"]
    fw = str.maketrans("0123456789", "０１２３４５６７８９")
    rows = [
        ["三星派出所网格微信群台账（2026年11月）"],
        [None],
        ["序号", "群名称", "所属\n网格", "群主（民警）", " 网格员 ", "联系电话", "群成员数（人）", "建群时间", "平台", "备注"],
        # full-width digits in the grid name and the count, stray spaces, a text date
        [1, "\u3000" + naming.standard_group_name(s["name"], g[0]["name"]) + "\xa0", g[0]["name"].translate(fw),
         " " + o[0]["name"] + " ", "张\u3000三", "138 1234 5678", "３５６人", "2021年3月5日", "微信", "备注"],
        # a serial-number date and a date cell
        [2, naming.standard_group_name(s["name"], g[1]["name"]), g[1]["code"], o[1]["username"], "李四",
         "0513-8212 3456", 88, 44260, "企业微信", None],
        [3, naming.standard_group_name(s["name"], g[2]["name"]), g[2]["name"], o[2]["name"], "王五",
         "13912345678", "２００ 人", datetime(2022, 7, 1), "公安蓝信", None],
        # a formula saved without its value (written by a program, never opened in Excel)
        [4, "公式群", g[3]["name"], o[0]["name"], "赵六", "13712345678", "=G4+G5", "2021.3.5", "微信", None],
        [None, "合计", None, None, None, None, "=SUM(G4:G7)", None, None, None],
    ]
    data = xlsx_bytes(rows, merges=["A1:J1"])
    table = read_table(data, "三星所台账.xlsx")
    assert table.header_row == 3
    assert table.headers[2] == "所属网格" and table.headers[4] == "网格员"
    assert [r.number for r in table.rows] == [4, 5, 6, 7]  # the totals row is dropped
    assert ("group_import.note.totals_dropped", {"rows": "8"}) in table.notes

    report = dry_run(demo_db, users["clerk"], table)
    assert set(report.unmapped_columns) == {"序号", "备注"}
    r4, r5, r6, r7 = report.rows
    assert r4.action == "add", r4.reasons
    assert r4.name == naming.standard_group_name(s["name"], g[0]["name"])
    assert r4.values["grid_id"] == g[0]["id"] and r4.values["admin_name"] == "张三"
    assert r4.values["member_count"] == 356 and r4.values["admin_phone"] == "13812345678"
    assert r4.values["created_on"] == "2021-03-05"
    assert r5.action == "add", r5.reasons
    assert r5.values["created_on"] == "2021-03-05" and r5.values["admin_phone"] == "0513-82123456"
    assert r5.values["platform"] == "wecom" and r5.values["owner_user_id"] == o[1]["id"]
    assert r6.action == "add", r6.reasons
    assert r6.values["member_count"] == 200 and r6.values["created_on"] == "2022-07-01"
    assert r6.values["platform"] == "police_messenger"
    assert r7.action == "reject"
    assert [(x.field, x.key, x.params["formula"]) for x in r7.reasons] == [
        ("member_count", "group_import.error.formula_no_value", "=G4+G5")]


def test_xlsx_formula_with_cached_value_is_read(demo_db, users, sanxing):
    # openpyxl cannot write cached values, so the test writes one into the sheet XML
    # the way Excel does; the reader must take the value, not the formula.
    data = xlsx_bytes([HEADER, good_row(sanxing, 0)[:5] + ["=100+23", "2021-03-05", "微信"]])
    data = with_cached_value(data, "F2", "123")
    table = read_table(data, "t.xlsx")
    assert table.rows[0].cells[5] == 123
    row = dry_run(demo_db, users["clerk"], table).rows[0]
    assert row.action == "add" and row.values["member_count"] == 123


def test_xlsx_first_sheet_with_data_is_read(demo_db, users, sanxing):
    data = xlsx_bytes([HEADER, good_row(sanxing, 0)], sheets_before=1)
    table = read_table(data, "t.xlsx")
    assert table.sheet == "群台账" and len(table.rows) == 1


def test_xlsx_excel_error_value_is_a_reason(demo_db, users, sanxing):
    table = RawTable("t.xlsx", HEADER, [RawRow(2, good_row(sanxing, 0)[:5] + ["#REF!", "2021-03-05", "微信"])])
    row = dry_run(demo_db, users["clerk"], table).rows[0]
    assert keys(row) == {"group_import.error.cell_error"}


# --- normalization ----------------------------------------------------------------------------


@pytest.mark.parametrize("value,expected", [
    (356, 356), (356.0, 356), ("356", 356), ("356人", 356), ("1,234", 1234), ("1，234", 1234),
    ("２００ 人", 200), ("３５６", 356), (" 42 名 ", 42), ("0", 0), ("12.0", 12),
])
def test_counts(value, expected):
    assert cell_values.parse_count(value) == expected


@pytest.mark.parametrize("value,key", [
    ("约200", "member_count_approx"), ("200多", "member_count_approx"), ("~200", "member_count_approx"),
    ("200左右", "member_count_approx"), ("200+", "member_count_approx"), ("200余人", "member_count_approx"),
    ("200-300", "member_count_range"), ("200～300", "member_count_range"), ("200至300人", "member_count_range"),
    ("两百", "member_count_not_number"), ("12.5", "member_count_not_number"), (True, "member_count_not_number"),
    (12.5, "member_count_not_number"), ("-5", "member_count_not_number"), ("abc", "member_count_not_number"),
])
def test_counts_refused_not_guessed(value, key):
    with pytest.raises(cell_values.CellError) as exc:
        cell_values.parse_count(value)
    assert exc.value.key == f"group_import.error.{key}"


@pytest.mark.parametrize("value", [
    "2021-3-5", "2021/03/05", "2021年3月5日", "20210305", "2021.3.5", "２０２１年３月５日", "2021-03-05 00:00:00",
    "2021/3/5 0:00", 44260, 44260.0, "44260", 20210305, datetime(2021, 3, 5, 14, 30), 44260.75,
])
def test_dates(value):
    assert cell_values.parse_date(value) == "2021-03-05"


@pytest.mark.parametrize("value", ["2021-2-30", "3/5/2021", "21-3-5", "去年", "123", 5, "2021年13月1日"])
def test_bad_dates(value):
    with pytest.raises(cell_values.CellError):
        cell_values.parse_date(value)


@pytest.mark.parametrize("value,expected", [
    ("138 1234 5678", "13812345678"), ("138-1234-5678", "13812345678"), (13812345678, "13812345678"),
    (13812345678.0, "13812345678"), ("+86 138 1234 5678", "13812345678"), ("１３８１２３４５６７８", "13812345678"),
    ("0513-82123456", "0513-82123456"), ("0513 8212 3456", "0513-82123456"), ("(0513)82123456", "0513-82123456"),
    ("010-12345678", "010-12345678"),
])
def test_phones(value, expected):
    assert cell_values.parse_phone(value) == expected


def test_phone_in_scientific_notation_is_explained():
    with pytest.raises(cell_values.CellError) as exc:
        cell_values.parse_phone("1.38123E+10")
    assert exc.value.key == "group_import.error.phone_scientific"


def test_clean_text():
    assert sheet_reader.clean_text("\u3000 Ｇ０００１２３\xa0\u200b ") == "G000123"
    assert sheet_reader.clean_text("德乐社区\n第1网格") == "德乐社区 第1网格"
    assert sheet_reader.clean_text("新百千万·三星所·民安村第1网格（2群）").endswith("（2群）")


@pytest.mark.parametrize("header,field", [
    ("群名称", "name"), ("群名", "name"), ("微信群名称", "name"), ("群聊名称", "name"), ("Group name", "name"),
    ("所属网格", "grid"), ("网格名称", "grid"), ("网格", "grid"), ("网格编号", "grid"), ("Grid", "grid"),
    ("派出所", "station"), ("所属派出所", "station"), ("单位", "station"),
    ("平台", "platform"), ("群类型", "platform"),
    ("群主", "owner"), ("群主（民警）", "owner"), ("群主\n(民警)", "owner"), ("社区民警", "owner"), ("责任民警", "owner"),
    ("群管理员", "admin_name"), ("网格员", "admin_name"), ("管理员", "admin_name"),
    ("联系电话", "admin_phone"), ("管理员电话", "admin_phone"), ("手机", "admin_phone"), ("网格员电话", "admin_phone"),
    ("群成员数", "member_count"), ("成员数", "member_count"), ("人数", "member_count"), ("群人数", "member_count"),
    ("群成员数（人）", "member_count"), ("建群日期", "created_on"), ("建群时间", "created_on"),
    ("创建日期", "created_on"), ("状态", "status"), ("所属网格名称", "grid"), ("*群名称", "name"),
])
def test_header_variants(header, field):
    mapping = propose_mapping(["序号", header, "备注"])
    assert mapping[field] == 1, mapping


def test_mapping_prefers_exact_wording_and_leaves_unknown_columns():
    mapping = propose_mapping(["序号", "网格员电话", "网格员", "所属网格名称", "网格", "备注"])
    assert mapping["admin_phone"] == 1 and mapping["admin_name"] == 2 and mapping["grid"] == 4
    assert mapping["name"] is None and mapping["status"] is None


# --- bad rows ------------------------------------------------------------------------------


def test_every_kind_of_bad_row(demo_db, users, sanxing):
    s = sanxing
    # two officers of the station with one name: the import must ask for the username
    auth.create_user(demo_db, None, username="twin1", name="重名警官", role="clerk", unit_id=s["id"], password=None)
    auth.create_user(demo_db, None, username="twin2", name="重名警官", role="clerk", unit_id=s["id"], password=None)
    header = HEADER + ["派出所"]

    def row(i, **changes):
        r = dict(zip(header, good_row(s, i % 4, name=f"坏行测试群{i}") + [s["name"]], strict=True))
        r.update(changes)
        return [r[h] for h in header]

    rows = [
        header,
        row(1, 派出所="不存在派出所"),                                    # 2 unknown station
        row(2, 所属网格="不存在的网格"),                                    # 3 grid not in station
        row(3, 群名称="重复的群"),                                          # 4 first of two: imported
        row(4, 群名称="重复的群"),                                          # 5 its duplicate, other cells
        row(5, 群成员数="很多"),                                            # 6 not a number
        row(6, 群成员数="约200"),                                           # 7 approximate
        row(7, 群成员数="200-300"),                                         # 8 range
        row(8, **{"群主（民警）": s["other"]["officer"]["name"]}),          # 9 owner of another station
        row(9, 群名称="群" * 61),                                           # 10 name too long
        row(10, 平台="钉钉"),                                               # 11 platform unknown
        row(11, 建群日期="去年春天"),                                       # 12 date
        row(12, **{"群主（民警）": "重名警官"}),                            # 13 ambiguous owner
        row(13, **{"群主（民警）": None}),                                  # 14 owner missing
        row(14, 所属网格=None),                                             # 15 grid missing
        row(15, 联系电话="12345"),                                          # 16 phone (clean_fields)
        row(16, 网格员=None),                                               # 17 admin missing (clean_fields)
        row(17, 联系电话="1.38123E+10"),                                    # 18 phone mangled by Excel
        row(18, 群成员数=200_000),                                          # 19 over the form's maximum
        row(19, 群成员数="约200", 平台="钉钉", 建群日期="去年"),            # 20 every reason, not the first
        row(20, **{"群主（民警）": s["other"]["officer"]["username"]}),     # 21 username of another station
    ]
    report = dry_run(demo_db, users["district_admin"], read_table(csv_bytes(rows), "bad.csv"))
    expect = {
        2: {"group_import.error.station_unknown"},
        3: {"group_import.error.grid_not_found"},
        4: set(),
        5: {"group_import.error.duplicate_differs"},
        6: {"group_import.error.member_count_not_number"},
        7: {"group_import.error.member_count_approx"},
        8: {"group_import.error.member_count_range"},
        9: {"group_import.error.owner_not_officer"},
        10: {"groups.error.name_long"},
        11: {"group_import.error.platform"},
        12: {"group_import.error.date"},
        13: {"group_import.error.owner_ambiguous"},
        14: {"group_import.error.owner_missing"},
        15: {"group_import.error.grid_missing"},
        16: {"groups.error.admin_phone"},
        17: {"groups.error.admin_name"},
        18: {"group_import.error.phone_scientific"},
        19: {"groups.error.member_count"},
        20: {"group_import.error.member_count_approx", "group_import.error.platform", "group_import.error.date"},
        21: {"group_import.error.owner_not_officer"},
    }
    assert {r.row: keys(r) for r in report.rows} == expect
    assert report.n_reject == len(expect) - 1 and report.n_add == 1 and row_of(report, 4).action == "add"
    assert row_of(report, 13).reasons[0].params["usernames"] == "twin1、twin2"
    assert row_of(report, 5).duplicate_of == 4 and row_of(report, 5).reasons[0].params["first"] == 4
    approx = row_of(report, 7).reasons[0]
    assert approx.field == "member_count" and approx.params == {"column": "群成员数", "value": "约200"}
    # every reason of this module formats in both languages with exactly its params
    for result in report.rows:
        for reason in result.reasons:
            if reason.key.startswith("group_import."):
                for text in MESSAGES[reason.key]:
                    assert "{" not in text.format(**reason.params)


def test_the_example_message_reads_as_a_clerk_expects():
    zh, en = MESSAGES["group_import.error.member_count_approx"]
    line = MESSAGES["group_import.row"][0].format(row=7, reason=zh.format(column="成员数", value="约200"))
    assert line == "第 7 行：成员数“约200”不是确数，请填写整数。"


def test_header_not_recognised_then_user_mapping(demo_db, users, sanxing):
    rows = [["列一", "列二", "列三", "列四"],
            [naming.standard_group_name(sanxing["name"], sanxing["free_grids"][0]["name"]),
             sanxing["free_grids"][0]["code"], sanxing["officers"][0]["username"], "张三"]]
    table = read_table(csv_bytes(rows), "t.csv")
    assert table.notes[0][0] == "group_import.note.header_guessed"
    with pytest.raises(ValidationError) as exc:
        dry_run(demo_db, users["clerk"], table)
    assert exc.value.key == "group_import.error.mapping_no_name"
    report = dry_run(demo_db, users["clerk"], table, {"name": 0, "grid": 1, "owner": 2, "admin_name": 3})
    assert report.n_add == 1
    for bad, key in (({"name": 0, "grid": 0}, "mapping_duplicate"), ({"name": 9}, "mapping_column"),
                     ({"name": 0, "colour": 1}, "mapping_field")):
        with pytest.raises(ValidationError) as exc:
            dry_run(demo_db, users["clerk"], table, bad)
        assert exc.value.key == f"group_import.error.{key}"


# --- updates -------------------------------------------------------------------------------


def test_existing_group_updates_only_what_changed(demo_db, users, sanxing):
    group = sanxing["group"]
    grid_code = demo_db.execute("SELECT code FROM grids WHERE id = ?", [group["grid_id"]]).fetchone()[0]
    rows = [["群名称", "网格编号", "群成员数", "联系电话", "建群日期"],
            [group["name"], grid_code, group["member_count"] + 10, None, group["created_on"]],
            [" " + group["name"] + " ", grid_code, group["member_count"], None, group["created_on"]]]
    report = dry_run(demo_db, users["clerk"], read_table(csv_bytes(rows[:2]), "u.csv"))
    row = report.rows[0]
    assert row.action == "update" and row.group_id == group["id"]
    assert row.changes == {"member_count": (str(group["member_count"]), str(group["member_count"] + 10))}
    # an empty phone cell leaves the phone alone
    same = dry_run(demo_db, users["clerk"], read_table(csv_bytes([rows[0], rows[2]]), "u.csv"))
    assert same.rows[0].action == "unchanged" and same.n_unchanged == 1


def test_nonstandard_name_gets_a_proposal_without_being_refused(demo_db, users, sanxing):
    grid = sanxing["free_grids"][0]
    rows = [HEADER, good_row(sanxing, 0, name="民安村平安群"), good_row(sanxing, 0, name="民安村平安二群")]
    rows[2][1] = grid["name"]
    report = dry_run(demo_db, users["clerk"], read_table(csv_bytes(rows), "t.csv"))
    first, second = report.rows
    assert first.action == second.action == "add"
    assert first.name_standard is False
    assert first.proposed_name == naming.standard_group_name(sanxing["name"], grid["name"])
    assert second.proposed_name == naming.standard_group_name(sanxing["name"], grid["name"], 2)


# --- scope ---------------------------------------------------------------------------------


def test_clerk_cannot_import_into_another_station(demo_db, users, sanxing):
    other = sanxing["other"]
    rows = [HEADER + ["派出所"],
            good_row(sanxing, 0, name="越权群一") + [other["code"]],
            good_row(sanxing, 1, name="越权群二") + [sanxing["code"]],
            good_row(sanxing, 2, name="越权群三") + [None]]
    rows[2][1] = other["grid"]["code"]                 # another station's grid, by code
    rows[3][1] = other["grid"]["name"]                 # … and by name
    report = dry_run(demo_db, users["clerk"], read_table(csv_bytes(rows), "t.csv"))
    r2, r3, r4 = report.rows
    assert keys(r2) == {"group_import.error.station_other"}
    assert keys(r3) == keys(r4) == {"group_import.error.grid_not_found"}
    assert r3.reasons[0].params["station"] == sanxing["name"]
    assert report.n_reject == 3
    # another station's group is neither updated nor revealed
    rows = [["群名称", "群成员数"], [other["group"]["name"], 5]]
    row = dry_run(demo_db, users["clerk"], read_table(csv_bytes(rows), "t.csv")).rows[0]
    assert "group_import.error.name_out_of_scope" in keys(row) and row.group_id is None
    assert other["name"] not in json.dumps([r.params for r in row.reasons], ensure_ascii=False)
    assert row.changes == {} and row.display == {"name": other["group"]["name"], "member_count": "5"}


def test_district_admin_imports_into_any_station_with_a_station_column(demo_db, users, sanxing):
    other = sanxing["other"]
    free = dict(next(demo_db.query(
        "SELECT g.id, g.name FROM grids g WHERE g.station_id = ? AND NOT EXISTS"
        " (SELECT 1 FROM chat_groups c WHERE c.grid_id = g.id) ORDER BY g.id", [other["id"]])))
    rows = [HEADER + ["派出所"],
            [naming.standard_group_name(other["name"], free["name"]), free["name"], other["officer"]["name"],
             "张三", None, 10, None, None, other["code"]],
            good_row(sanxing, 0) + [sanxing["name"].replace("派出所", "所")]]
    report = dry_run(demo_db, users["district_admin"], read_table(csv_bytes(rows), "t.csv"))
    assert report.n_add == 2, [r.reasons for r in report.rows]
    assert report.rows[0].values["grid_id"] == free["id"]
    result = apply(demo_db, users["district_admin"], report)
    assert result["created"] == 2
    assert count(demo_db, "SELECT station_id FROM chat_groups WHERE id = ?", [result["group_ids"][0]]) == other["id"]


def test_district_admin_same_grid_name_in_two_stations_needs_the_station(demo_db, users, sanxing):
    grid = sanxing["free_grids"][0]
    demo_db["grids"].insert({"code": "G999999", "name": grid["name"], "category": "comprehensive",
                             "station_id": sanxing["other"]["id"]})
    rows = [HEADER, good_row(sanxing, 0)]
    row = dry_run(demo_db, users["district_admin"], read_table(csv_bytes(rows), "t.csv")).rows[0]
    assert keys(row) == {"group_import.error.grid_ambiguous"}
    # the clerk's own station settles it
    assert dry_run(demo_db, users["clerk"], read_table(csv_bytes(rows), "t.csv")).rows[0].action == "add"


# --- apply ---------------------------------------------------------------------------------


def test_apply_writes_exactly_the_accepted_rows_with_audit(demo_db, users, sanxing):
    group = sanxing["group"]
    rows = [HEADER,
            good_row(sanxing, 0), good_row(sanxing, 1),
            good_row(sanxing, 2, name="被拒绝的群")[:5] + ["约100"] + good_row(sanxing, 2)[6:],
            [group["name"], None, None, None, None, group["member_count"] + 1, None, None]]
    report = dry_run(demo_db, users["clerk"], read_table(csv_bytes(rows), "十一月台账.csv"))
    assert (report.n_add, report.n_update, report.n_reject) == (2, 1, 1)
    groups_before = count(demo_db, "SELECT COUNT(*) FROM chat_groups")
    audit_before = count(demo_db, "SELECT MAX(id) FROM audit_log") or 0

    result = apply(demo_db, users["clerk"], report)
    assert (result["created"], result["updated"], result["rejected"]) == (2, 1, 1)
    assert count(demo_db, "SELECT COUNT(*) FROM chat_groups") == groups_before + 2
    assert count(demo_db, "SELECT COUNT(*) FROM chat_groups WHERE name = '被拒绝的群'") == 0
    added = groups.get_group(demo_db, users["clerk"], result["group_ids"][0])
    assert added["member_count"] == 120 and added["is_name_standard"] == 1 and added["status"] == "active"
    assert groups.get_group(demo_db, users["clerk"], group["id"])["member_count"] == group["member_count"] + 1

    entries = list(demo_db.query("SELECT * FROM audit_log WHERE id > ? ORDER BY id", [audit_before]))
    assert [e["action"] for e in entries] == ["import_create", "import_create", "import_update", "import"]
    assert all(e["entity"] == "chat_groups" and e["username"] == "clerk" for e in entries)
    assert json.loads(entries[2]["before"]) == {"member_count": group["member_count"]}
    summary = json.loads(entries[3]["after"])
    assert summary == {"filename": "十一月台账.csv", "created": 2, "updated": 1, "unchanged": 0, "rejected": 1}


def test_apply_is_all_or_nothing_when_the_registry_changed(demo_db, users, sanxing):
    report = dry_run(demo_db, users["clerk"], read_table(
        csv_bytes([HEADER] + [good_row(sanxing, i) for i in range(3)]), "t.csv"))
    assert report.n_add == 3
    # someone registers the second group through the form between dry run and apply
    taken = report.rows[1]
    groups.create_group(demo_db, users["station_admin"], {**taken.values, "name": taken.name})
    groups_before = count(demo_db, "SELECT COUNT(*) FROM chat_groups")
    audit_before = count(demo_db, "SELECT COUNT(*) FROM audit_log")
    with pytest.raises(group_import.ImportChangedError) as exc:
        apply(demo_db, users["clerk"], report)
    assert exc.value.params["row"] == taken.row
    assert [r.key for r in exc.value.reasons] == ["groups.error.name_taken"]
    assert count(demo_db, "SELECT COUNT(*) FROM chat_groups") == groups_before
    assert count(demo_db, "SELECT COUNT(*) FROM chat_groups WHERE name = ?", [report.rows[0].name]) == 0
    assert count(demo_db, "SELECT COUNT(*) FROM audit_log") == audit_before
    assert not demo_db.conn.in_transaction


def test_apply_rolls_back_when_a_write_fails_midway(demo_db, users, sanxing, monkeypatch):
    report = dry_run(demo_db, users["clerk"], read_table(
        csv_bytes([HEADER] + [good_row(sanxing, i) for i in range(3)]), "t.csv"))
    real_record, calls = group_import.audit.record, []

    def failing_record(*args, **kwargs):
        calls.append(args[2])
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real_record(*args, **kwargs)

    monkeypatch.setattr(group_import.audit, "record", failing_record)
    groups_before = count(demo_db, "SELECT COUNT(*) FROM chat_groups")
    with pytest.raises(RuntimeError):
        apply(demo_db, users["clerk"], report)
    assert calls == ["import_create"] * 3
    assert count(demo_db, "SELECT COUNT(*) FROM chat_groups") == groups_before
    assert not demo_db.conn.in_transaction


def test_apply_twice_writes_once(demo_db, users, sanxing):
    report = dry_run(demo_db, users["clerk"], read_table(csv_bytes([HEADER, good_row(sanxing, 0)]), "t.csv"))
    apply(demo_db, users["clerk"], report)
    with pytest.raises(group_import.ImportChangedError):
        apply(demo_db, users["clerk"], report)


def test_apply_refuses_another_users_report(demo_db, users, sanxing):
    report = dry_run(demo_db, users["district_admin"], read_table(csv_bytes([HEADER, good_row(sanxing, 0)]),
                                                                  "t.csv"))
    with pytest.raises(ScopeError):
        apply(demo_db, users["clerk"], report)


# --- refused files -------------------------------------------------------------------------


def _refusal(data: bytes, filename: str) -> str:
    with pytest.raises(ValidationError) as exc:
        read_table(data, filename)
    return exc.value.key.removeprefix("group_import.error.")


def test_refused_files(monkeypatch):
    assert _refusal(b"a" * (sheet_reader.MAX_FILE_BYTES + 1), "big.csv") == "too_large"
    assert _refusal(b"", "empty.csv") == "empty_file"
    assert _refusal(b" \r\n", "blank.csv") == "empty_file"
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    assert _refusal(ole, "old.xls") == "xls"
    assert _refusal(ole + "EncryptedPackage".encode("utf-16-le"), "locked.xlsx") == "encrypted"
    assert _refusal(b"PK\x03\x04" + b"\x00garbage" * 50, "broken.xlsx") == "xlsx_corrupt"
    assert _refusal(b"not a workbook at all", "fake.xlsx") == "xlsx_corrupt"
    assert _refusal(b"<html><table></table></html>", "export.xls") == "xls"
    assert _refusal(b"%PDF-1.4 ...", "ledger.pdf") == "file_type"
    assert _refusal(bytes(range(256)) * 40, "junk.csv") == "not_text"
    assert _refusal(b"\x81\x30\x81\x30\x07\x08\x0b\x0e\x0f\x10" * 300, "junk.csv") == "not_text"
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    assert _refusal(docx.getvalue(), "report.xlsx") == "not_xlsx"
    assert _refusal(csv_bytes([["标题"]]), "title-only.csv") == "no_data"


def test_zip_bomb_is_refused_before_unpacking(monkeypatch):
    # A sheet inflating far beyond what a 10 MB ledger can hold; the limit is lowered
    # so that the test need not build a 120 MB entry.
    monkeypatch.setattr(sheet_reader, "MAX_UNPACKED_BYTES", 1024 * 1024)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"0" * (2 * 1024 * 1024))
    assert len(bomb.getvalue()) < 20_000
    assert _refusal(bomb.getvalue(), "bomb.xlsx") == "xlsx_unpacked_too_large"


def test_row_and_column_limits():
    many_rows = [["群名称", "群成员数"]] + [[f"群{i}", i] for i in range(sheet_reader.MAX_ROWS + 1)]
    assert _refusal(csv_bytes(many_rows), "rows.csv") == "too_many_rows"
    assert len(read_table(csv_bytes(many_rows[:-1]), "rows.csv").rows) == sheet_reader.MAX_ROWS
    wide = [["群名称", "群成员数"] + [f"列{i}" for i in range(sheet_reader.MAX_COLUMNS - 1)]]
    assert _refusal(csv_bytes(wide + [["a"] * len(wide[0])]), "wide.csv") == "too_many_columns"
    assert _refusal(xlsx_bytes(wide + [["a"] * len(wide[0])]), "wide.xlsx") == "too_many_columns"


def test_xlsx_with_a_huge_claimed_dimension_reads_quickly():
    # Sheets formatted down to the last row claim dimensions far past their data.
    data = xlsx_bytes([["群名称", "群成员数"], ["甲群", 1]])
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', content)
            dst.writestr(item, content)
    table = read_table(out.getvalue(), "t.xlsx")
    assert table.headers == ["群名称", "群成员数"] and len(table.rows) == 1


# --- the message catalog -------------------------------------------------------------------


def test_every_key_used_is_in_the_module_with_matching_placeholders():
    # the keys are written in the import and in the reader and cell parsers it uses
    modules = (group_import, group_lookups, sheet_reader, cell_values)
    source = "".join(open(m.__file__, encoding="utf-8").read() for m in modules)
    used = set(re.findall(r'"(group_import\.[a-z_.]+)"', source))
    assert used and used - set(MESSAGES) == set()
    for key, (zh, en) in MESSAGES.items():
        assert key.startswith("group_import.") and zh.strip() and en.strip()
        assert set(re.findall(r"{(\w+)}", zh)) == set(re.findall(r"{(\w+)}", en)), key
    for f in group_import.FIELDS:
        assert f"group_import.field.{f}" in MESSAGES
    for action in group_import.ACTIONS:
        assert f"group_import.action.{action}" in MESSAGES


# --- more of what clerks write -------------------------------------------------------------


def test_owner_written_every_way_and_status_words(demo_db, users, sanxing):
    o = sanxing["officers"]
    short = next(x for x in o if len(x["name"]) == 2)
    header = HEADER + ["状态"]
    rows = [header,
            good_row(sanxing, 0) + ["正常"], good_row(sanxing, 1) + ["停用"], good_row(sanxing, 2) + ["作废"],
            good_row(sanxing, 3) + [None]]
    rows[1][2] = f"{o[0]['name']}（{o[0]['username'].upper()}）"
    rows[2][2] = short["name"][0] + "\u3000 " + short["name"][1]       # "王  伟", padded to line up
    report = dry_run(demo_db, users["clerk"], read_table(csv_bytes(rows), "t.csv"))
    r2, r3, r4, r5 = report.rows
    assert r2.values["owner_user_id"] == o[0]["id"] and r2.values["status"] == "active"
    assert r3.values["owner_user_id"] == short["id"] and r3.values["status"] == "archived"
    assert keys(r4) == {"group_import.error.status"}
    assert r5.action == "add" and "status" not in r5.values


def test_totals_and_repeated_headers_are_not_rows(demo_db, users, sanxing):
    rows = [HEADER, good_row(sanxing, 0), ["小 计", None, None, None, None, 120], HEADER, good_row(sanxing, 1),
            [None, "总计：2 个群"], [None] * 8]
    table = read_table(csv_bytes(rows), "t.csv")
    assert [r.number for r in table.rows] == [2, 5]
    assert ("group_import.note.totals_dropped", {"rows": "3、6"}) in table.notes
    assert ("group_import.note.header_repeated", {"rows": "4"}) in table.notes


def test_district_admin_moving_a_group_to_another_station_checks_its_owner(demo_db, users, sanxing):
    group, other = sanxing["group"], sanxing["other"]
    rows = [["群名称", "网格编号"], [group["name"], other["grid"]["code"]]]
    row = dry_run(demo_db, users["district_admin"], read_table(csv_bytes(rows), "t.csv")).rows[0]
    # the owner stays an officer of the old station, which the form would not allow
    assert keys(row) == {"groups.error.owner"}
    rows = [["群名称", "网格编号", "群主"], [group["name"], other["grid"]["code"], other["officer"]["username"]]]
    row = dry_run(demo_db, users["district_admin"], read_table(csv_bytes(rows), "t.csv")).rows[0]
    assert row.action == "update" and set(row.changes) == {"grid", "owner"}
    # the clerk cannot move it out of the station at all
    row = dry_run(demo_db, users["clerk"], read_table(csv_bytes(rows), "t.csv")).rows[0]
    # both cells in one pass: the grid and the owner are the other station's
    assert keys(row) == {"group_import.error.grid_not_found", "group_import.error.owner_not_officer"}


def test_grid_name_of_an_existing_group_is_looked_for_in_its_station_first(demo_db, users, sanxing):
    group = sanxing["group"]
    target = sanxing["free_grids"][0]
    demo_db["grids"].insert({"code": "G999998", "name": target["name"], "category": "comprehensive",
                             "station_id": sanxing["other"]["id"]})
    rows = [["群名称", "所属网格"], [group["name"], target["name"]]]
    row = dry_run(demo_db, users["district_admin"], read_table(csv_bytes(rows), "t.csv")).rows[0]
    assert row.action == "update" and row.values["grid_id"] == target["id"]
