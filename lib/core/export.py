"""Exports to CSV and XLSX that are safe against spreadsheet formula injection.

A cell whose text starts with ``= + - @`` (or a tab / carriage return) would be run as
a formula by Excel or WPS when the file is opened: a group name typed by anyone could
then reach out of the police intranet. CSV cells get a leading apostrophe (OWASP's
advice); XLSX cells are written as typed strings, never formulas, and get the same
apostrophe so that a re-save as CSV stays safe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def safe_cell(value):
    """The value to write: numbers as they are, text defused if it could be a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    return "'" + text if text.startswith(_TRIGGERS) else text


def to_csv(rows: Iterable[dict], columns: list[tuple[str, str]]) -> bytes:
    """CSV bytes (UTF-8 with BOM, which Excel needs to read Chinese) of ``columns``:
    a list of (row key, header)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for _, h in columns])
    for row in rows:
        writer.writerow([safe_cell(row.get(k)) for k, _ in columns])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(rows: Iterable[dict], columns: list[tuple[str, str]], sheet_title: str = "export") -> bytes:
    """XLSX bytes of ``columns``; every text cell is a string cell, never a formula."""
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = sheet_title[:31]
    widths = [len(h) * 2 + 2 for _, h in columns]
    ws.append([safe_cell(h) for _, h in columns])
    for r, row in enumerate(rows, start=2):
        for c, (key, _) in enumerate(columns, start=1):
            value = safe_cell(row.get(key))
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
                widths[c - 1] = min(60, max(widths[c - 1], len(value) * 2))
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
