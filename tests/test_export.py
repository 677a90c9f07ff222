"""Exports are safe against spreadsheet formula injection, in CSV and XLSX."""

import csv
import io

import pytest
from openpyxl import load_workbook

from lib.core import export
from lib.grids import groups

HOSTILE = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "＝1+1", "=cmd|' /C calc'!A0"]
COLUMNS = [("name", "群名称"), ("members", "成员数")]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_like_text_is_defused(text):
    assert export.safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", [12, 0, 3.5, "新百千万·三星所·民安村第1网格", "普通文本 = 不在开头", ""])
def test_ordinary_values_are_unchanged(value):
    assert export.safe_cell(value) == value


def test_csv_has_bom_and_no_cell_starts_a_formula():
    rows = [{"name": t, "members": 5} for t in HOSTILE]
    data = export.to_csv(rows, COLUMNS)
    assert data.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert parsed[0] == ["群名称", "成员数"]
    for row in parsed[1:]:
        assert row[0].startswith("'") and row[1] == "5"


def test_xlsx_cells_are_strings_never_formulas():
    rows = [{"name": t, "members": 5} for t in HOSTILE]
    wb = load_workbook(io.BytesIO(export.to_xlsx(rows, COLUMNS, "群组台账")))
    ws = wb.active
    assert ws.title == "群组台账"
    for r in range(2, len(HOSTILE) + 2):
        cell = ws.cell(row=r, column=1)
        assert cell.data_type == "s" and str(cell.value).startswith("'")
        assert ws.cell(row=r, column=2).value == 5  # numbers stay numbers


def test_registry_export_of_a_hostile_group_name(demo_db, users):
    clerk = users["clerk"]
    row = groups.search_groups(demo_db, clerk).rows[0]
    groups.update_group(demo_db, clerk, row["id"], {"name": "=HYPERLINK(\"http://x\")"})
    rows = [{"name": r["name"], "members": r["member_count"]} for r in groups.iter_groups(demo_db, clerk)]
    parsed = list(csv.reader(io.StringIO(export.to_csv(rows, COLUMNS).decode("utf-8-sig"))))
    assert ["'=HYPERLINK(\"http://x\")", str(row["member_count"])] in parsed
    total = groups.search_groups(demo_db, clerk).total
    assert len(parsed) == total + 1  # every matching group, not only the first page
