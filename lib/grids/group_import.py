"""Importing groups from the clerks' own spreadsheets (CSV and XLSX), dry run first.

Stations already keep their group registry in spreadsheets ("网格微信群台账"): a title
row or two, merged cells, Chinese headers in each station's own wording, full-width
digits, "356人" counts, dates typed every way, a totals row at the bottom. The import
takes those files as they are:

1. :func:`read_table` turns the bytes into a :class:`RawTable` (cells, the header row
   found automatically, totals and empty rows dropped), refusing unreadable, oversized
   or hostile files with a :class:`~lib.core.errors.ValidationError`.
2. :func:`propose_mapping` guesses which column holds which field; the user may correct it.
3. :func:`dry_run` reads every row and says what would happen to it — add, update
   (with the changed fields), unchanged, or reject with every reason — writing nothing.
   The final check of each row is :func:`lib.grids.groups.clean_fields`, so the import and
   the group form refuse exactly the same things.
4. :func:`apply` writes the accepted rows in one transaction, checking each again.

An empty cell never clears a field of an existing group: a ledger that leaves the phone
column blank means "not recorded here", not "delete the phone number".
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import unicodedata
import warnings
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import PurePosixPath, PureWindowsPath

import openpyxl
import sqlite_utils

from lib.core import audit, scope
from lib.core.auth import User
from lib.core.db import query_one, write_transaction
from lib.core.errors import NotFoundError, ScopeError, ValidationError
from lib.grids import groups, naming

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 60
# A 20,000 x 60 sheet unpacks to about 50 MB of XML; far more than that from a 10 MB
# upload is a zip bomb, and openpyxl holds the shared strings in memory.
MAX_UNPACKED_BYTES = 120 * 1024 * 1024
MAX_ZIP_ENTRIES = 2_000
HEADER_SCAN_ROWS = 15  # title rows above the header are few; a header further down is not a header
MAX_HEADER_LENGTH = 16  # a longer cell is a title or a note, never a column header

FIELDS = ("name", "grid", "station", "platform", "owner", "admin_name", "admin_phone",
          "member_count", "created_on", "status")
"""Target fields of the mapping, in the order a mapping form shows them."""
REQUIRED_FOR_NEW = ("name", "grid", "owner", "admin_name")
"""Without these a row can only update an existing group (e.g. a monthly member count)."""
ACTIONS = ("add", "update", "unchanged", "reject")

# clean_fields speaks in column names; the import in field names.
_FROM_CLEAN = {"grid_id": "grid", "owner_user_id": "owner"}

_HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "name": ("群名称", "群名", "微信群名称", "微信群名", "群聊名称", "群聊名", "企业微信群名称", "网格群名称",
             "网格微信群名称", "网格群名", "群组名称", "名称", "groupname", "group", "chatgroup", "name"),
    "grid": ("所属网格", "网格名称", "网格", "网格编号", "网格代码", "网格编码", "所在网格", "网格名",
             "grid", "gridname", "gridcode"),
    "station": ("派出所", "所属派出所", "单位", "所属单位", "责任单位", "辖区派出所", "派出所名称",
                "station", "policestation", "unit"),
    "platform": ("平台", "群类型", "群平台", "所属平台", "平台类型", "群聊类型", "platform"),
    "owner": ("群主", "群主(民警)", "社区民警", "责任民警", "群主姓名", "群主民警", "包片民警", "民警",
              "owner", "groupowner", "officer"),
    "admin_name": ("群管理员", "网格员", "管理员", "管理员姓名", "群管理员姓名", "网格员姓名",
                   "admin", "adminname", "gridworker"),
    "admin_phone": ("联系电话", "管理员电话", "手机", "手机号", "手机号码", "电话", "联系方式", "管理员手机",
                    "网格员电话", "网格员手机", "群管理员电话", "管理员联系电话", "网格员联系电话",
                    "phone", "adminphone", "mobile", "tel"),
    "member_count": ("群成员数", "成员数", "人数", "群人数", "成员人数", "群成员", "入群人数", "在群人数",
                     "群成员人数", "members", "membercount"),
    "created_on": ("建群日期", "建群时间", "创建日期", "创建时间", "成立时间", "成立日期", "建立时间",
                   "建立日期", "createdon", "created", "datecreated", "creationdate"),
    "status": ("状态", "群状态", "使用状态", "status"),
}
_EXACT_HEADERS = {word: f for f, words in _HEADER_WORDS.items() for word in words}
# Only Chinese words are looked for inside a longer header: English ones ("name",
# "type", "tel") hide inside too many unrelated words.
_CONTAINED_HEADERS = sorted(
    ((w, f) for w, f in _EXACT_HEADERS.items() if len(w) >= 2 and not w.isascii()),
    key=lambda wf: -len(wf[0]),
)

_PLATFORM_WORDS = {
    "wechat": ("微信", "微信群", "个人微信", "wechat", "weixin", "wx"),
    "wecom": ("企业微信", "企业微信群", "企微", "企微群", "wecom", "wework"),
    "police_messenger": ("蓝信", "公安蓝信", "警务蓝信", "蓝信群", "policemessenger", "police_messenger", "lanxin"),
}
_PLATFORMS = {w: code for code, words in _PLATFORM_WORDS.items() for w in words}
_STATUS_WORDS = {
    "active": ("正常", "在用", "启用", "使用中", "活跃", "有效", "active"),
    "archived": ("停用", "已停用", "解散", "已解散", "归档", "已归档", "注销", "已注销", "archived"),
}
_STATUSES = {w: code for code, words in _STATUS_WORDS.items() for w in words}

_TOTALS = ("合计", "总计", "小计", "total", "subtotal", "sum")
_EXCEL_ERRORS = {"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_TEXT_SUFFIXES = {".csv", ".txt", ".tsv", ""}
_XLSX_SUFFIXES = {".xlsx", ".xlsm"}

# Spaces clerks type or paste without seeing them; zero-width ones vanish, the others
# become plain spaces before stripping.
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_ODD_SPACES = re.compile(r"[\s\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
# Full-width digits and letters only: full-width brackets stay, since the naming
# standard's "（2群）" suffix uses them.
_HALF_WIDTH = {c: c - 0xFEE0 for c in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))}
_CJK_AND_SPACES = re.compile(r"^[\u4e00-\u9fff·•\s]+$")
_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9._-]{2,63}")
_CODE = re.compile(r"^[A-Za-z]\d{2,}$")
_INTEGER = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.0+)?$")
_RANGE = re.compile(r"^\d[\d,.]*(?:-|—|–|~|至|到)\d[\d,.]*$")
_APPROX = re.compile(r"约|大约|大概|左右|上下|余|多|以上|以下|不到|不足|近|超过|≈|~|\+|±")
_UNIT_SUFFIX = re.compile(r"(?:人|名|位|个|户)$")
_DATE_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[\sT].*)?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SCIENTIFIC = re.compile(r"^\d(?:\.\d+)?[eE]\+?\d+$")
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01 counting Excel's phantom 1900-02-29
_SERIALS = range(20_000, 80_000)  # 1954 .. 2119: a serial outside this is not a group's date


# --- the table as read ------------------------------------------------------------------


@dataclass(frozen=True)
class FormulaCell:
    """An XLSX formula cell saved without its computed value (e.g. written by a program,
    never opened in Excel). It is reported, never evaluated."""

    formula: str


@dataclass
class RawRow:
    """One data row: its row number as the spreadsheet shows it, and one value per column
    (``str`` stripped of stray spaces, numbers, ``datetime``, :class:`FormulaCell` or ``None``)."""

    number: int
    cells: list


@dataclass
class RawTable:
    """A spreadsheet as read: the header row's texts and the data rows below it."""

    filename: str
    headers: list[str]
    rows: list[RawRow]
    header_row: int = 1
    sheet: str | None = None
    notes: list[tuple[str, dict]] = field(default_factory=list)
    """Things done to the file that the user should know, as (message key, params)."""

    def column_label(self, index: int) -> str:
        """The header of a column, or its spreadsheet letter when the header is blank."""
        header = self.headers[index] if index < len(self.headers) else ""
        return header or _column_letter(index)


# --- the report --------------------------------------------------------------------------


@dataclass
class Reason:
    """Why a row is refused: a message key and its parameters; ``field`` is the target
    field at fault (``None`` for the whole row)."""

    field: str | None
    key: str
    params: dict = field(default_factory=dict)


@dataclass
class RowResult:
    """What the import would do with one data row."""

    row: int
    """The spreadsheet row number, as the clerk sees it in Excel."""
    action: str
    """One of :data:`ACTIONS`."""
    name: str | None = None
    group_id: int | None = None
    """The existing group an update applies to."""
    values: dict = field(default_factory=dict)
    """The fields given by the row, as :func:`lib.grids.groups.clean_fields` takes them."""
    changes: dict[str, tuple] = field(default_factory=dict)
    """For an update: field → (before, after), display texts of the changed fields only."""
    display: dict[str, str] = field(default_factory=dict)
    """The row's values as the clerk wrote them, cleaned, by field."""
    reasons: list[Reason] = field(default_factory=list)
    name_standard: bool | None = None
    proposed_name: str | None = None
    """The standard name to suggest when ``name_standard`` is false (informational)."""


@dataclass
class ImportReport:
    """The dry run of one file: a result per data row, and what was mapped from where."""

    filename: str
    user_id: int
    rows: list[RowResult]
    mapping: dict[str, int | None]
    headers: list[str]
    unmapped_columns: list[str]
    notes: list[tuple[str, dict]] = field(default_factory=list)

    def _count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def n_add(self) -> int:
        return self._count("add")

    @property
    def n_update(self) -> int:
        return self._count("update")

    @property
    def n_unchanged(self) -> int:
        return self._count("unchanged")

    @property
    def n_reject(self) -> int:
        return self._count("reject")

    @property
    def accepted(self) -> list[RowResult]:
        """The rows :func:`apply` writes."""
        return [r for r in self.rows if r.action in ("add", "update")]


class ImportChangedError(ValidationError):
    """A row accepted by the dry run no longer passes when written; nothing was written.
    ``reasons`` says why, as the dry run would."""

    def __init__(self, row: int, name: str | None, reasons: list[Reason]):
        super().__init__("group_import.error.changed_since_dry_run", row=row, name=name or "")
        self.reasons = reasons


# --- reading files -----------------------------------------------------------------------


def read_table(data: bytes, filename: str) -> RawTable:
    """Read a CSV or XLSX upload into a :class:`RawTable`, header row found automatically.

    Refuses, with a :class:`ValidationError`, files over 10 MB, more than 20,000 data rows
    or 60 columns, old ``.xls``, password-protected, corrupt or zip-bomb workbooks, and
    anything that is not a table.
    """
    filename = _safe_filename(filename)
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError("group_import.error.too_large", max_mb=MAX_FILE_BYTES // (1024 * 1024))
    if not data.strip():
        raise ValidationError("group_import.error.empty_file")
    suffix = PurePosixPath(filename.lower()).suffix
    # The content decides, not the name: clerks rename files, and systems export HTML as ".xls".
    if data[:2] == b"PK":
        grid, sheet = _read_xlsx(data)
    elif data[:8] == _OLE_MAGIC:
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise ValidationError("group_import.error.encrypted")
        raise ValidationError("group_import.error.xls")
    elif suffix in _XLSX_SUFFIXES:
        raise ValidationError("group_import.error.xlsx_corrupt")
    elif suffix == ".xls":
        raise ValidationError("group_import.error.xls")
    elif suffix in _TEXT_SUFFIXES:
        grid, sheet = _read_csv(data), None
    else:
        raise ValidationError("group_import.error.file_type", filename=filename)
    return _build_table(grid, filename, sheet)


def _safe_filename(filename: str) -> str:
    # Browsers send a bare name, but the name lands in the audit log and on screen.
    name = PureWindowsPath(str(filename or "")).name
    return re.sub(r"[\x00-\x1f\x7f]", "", name)[:120] or "upload"


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def clean_text(value: str) -> str:
    """A cell's text without stray spaces (full-width, non-breaking, zero-width, line
    breaks → one space; none at the ends) and with full-width digits and letters made
    half-width (``１２３`` → ``123``, ``Ｇ`` → ``G``)."""
    text = str(value).translate(_ZERO_WIDTH)
    text = _ODD_SPACES.sub(" ", text).strip()
    return text.translate(_HALF_WIDTH)


def _clean_cell(value):
    if isinstance(value, str):
        return clean_text(value) or None
    return value


def _is_formula(value) -> bool:
    if isinstance(value, str):
        return value.startswith("=")
    # ArrayFormula / DataTableFormula objects of openpyxl
    return value is not None and type(value).__name__.endswith("Formula")


def _read_xlsx(data: bytes) -> tuple[list[tuple[int, list]], str | None]:
    """Rows of the first worksheet that has data, as (row number, cells)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ValidationError("group_import.error.xlsx_corrupt") from exc
    names = {e.filename for e in entries}
    if "xl/workbook.xml" not in names:
        # .docx, .ods, a zipped folder …: a zip, but not a workbook
        raise ValidationError("group_import.error.not_xlsx")
    # The declared sizes bound what zipfile will inflate, so checking them is enough.
    if len(entries) > MAX_ZIP_ENTRIES or sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
        raise ValidationError("group_import.error.xlsx_unpacked_too_large",
                              max_mb=MAX_UNPACKED_BYTES // (1024 * 1024))
    try:
        with warnings.catch_warnings():
            # "Data Validation extension is not supported" and friends: noise for a clerk.
            warnings.simplefilter("ignore")
            values_wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            # The formula pass doubles the reading time: only when some sheet has a formula.
            formulas_wb = None
            if any(_FORMULA_TAG.search(archive.read(e)) for e in entries if e.filename.startswith("xl/worksheets/")):
                formulas_wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
            try:
                sheets = [ws for ws in values_wb.worksheets if ws.sheet_state == "visible"]
                sheets += [ws for ws in values_wb.worksheets if ws not in sheets]
                for ws in sheets:
                    rows = _sheet_rows(ws, formulas_wb[ws.title] if formulas_wb else None)
                    if rows:
                        return rows, ws.title
                return [], None
            finally:
                values_wb.close()
                if formulas_wb:
                    formulas_wb.close()
    except ValidationError:
        raise
    except Exception as exc:  # openpyxl's failures on a hostile file are not a closed set
        raise ValidationError("group_import.error.xlsx_corrupt") from exc


def _sheet_rows(values_ws, formulas_ws) -> list[tuple[int, list]]:
    # Sheets often claim a dimension far larger than their data (formatting down to
    # row 1,048,576, column XFD): forget it, and never read past one column beyond the limit.
    width = MAX_COLUMNS + 1
    values_ws.reset_dimensions()
    value_rows = values_ws.iter_rows(min_row=1, max_col=width, values_only=True)
    # Read the sheet a second time for its formulas: data_only gives a formula cell's
    # cached value, or None when there is none, and only the formula pass tells the two apart.
    formula_rows = itertools.repeat(())
    if formulas_ws is not None:
        formulas_ws.reset_dimensions()
        formula_rows = formulas_ws.iter_rows(min_row=1, max_col=width, values_only=True)
    rows: list[tuple[int, list]] = []
    for number, (values, formulas) in enumerate(zip(value_rows, formula_rows, strict=False), start=1):
        cells = list(values)
        for i, formula in enumerate(formulas):
            if cells[i] is None and _is_formula(formula):
                cells[i] = FormulaCell(str(getattr(formula, "text", formula)))
        while cells and cells[-1] is None:
            cells.pop()
        cells = [_clean_cell(c) for c in cells]
        if any(c is not None for c in cells):
            rows.append((number, cells))
            # Totals and repeated headers are not data, but allow for them generously
            # before deciding that the sheet is too long.
            if len(rows) > MAX_ROWS + HEADER_SCAN_ROWS + 100:
                raise ValidationError("group_import.error.too_many_rows", max=MAX_ROWS)
    return rows


def _decode(data: bytes) -> str:
    """The text of a CSV: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode
    text"), else GB18030 — the superset of the GBK that Chinese Excel writes CSV in."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif b"\x00" in data:
        raise ValidationError("group_import.error.not_text")
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        sample = text[:65536]
        junk = sum(1 for ch in sample if ch not in "\t\r\n" and unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn"))
        if junk <= max(2, len(sample) // 100):
            return text
    raise ValidationError("group_import.error.not_text")


def _sniff_delimiter(text: str) -> str:
    """Comma, tab or semicolon: the one that splits the first lines into the most
    consistent number (above one) of columns."""
    sample = text[:65536].splitlines()[:50]
    best, best_score = ",", (0, 0)
    for delimiter in (",", "\t", ";"):
        try:
            widths = [len(r) for r in csv.reader(sample, delimiter=delimiter) if any(c.strip() for c in r)]
        except csv.Error:
            continue
        widths = [w for w in widths if w > 1]
        if not widths:
            continue
        width, count = Counter(widths).most_common(1)[0]
        if (count, width) > best_score:
            best, best_score = delimiter, (count, width)
    return best


def _read_csv(data: bytes) -> list[tuple[int, list]]:
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    rows: list[tuple[int, list]] = []
    number = 0
    try:
        for number, record in enumerate(reader, start=1):
            cells = [_clean_cell(c) for c in record]
            if any(c is not None for c in cells):
                rows.append((number, cells))
                if len(rows) > MAX_ROWS + HEADER_SCAN_ROWS + 100:
                    raise ValidationError("group_import.error.too_many_rows", max=MAX_ROWS)
    except csv.Error as exc:
        raise ValidationError("group_import.error.csv_malformed", row=number + 1, detail=str(exc)) from exc
    return rows


def _build_table(rows: list[tuple[int, list]], filename: str, sheet: str | None) -> RawTable:
    if not rows:
        raise ValidationError("group_import.error.no_data")
    width = max(max((i + 1 for i, c in enumerate(cells) if c is not None), default=0) for _, cells in rows)
    if width > MAX_COLUMNS:
        raise ValidationError("group_import.error.too_many_columns", max=MAX_COLUMNS)
    notes: list[tuple[str, dict]] = []
    if sheet:
        notes.append(("group_import.note.sheet", {"sheet": sheet}))
    header_index, recognised = _find_header(rows)
    header_number, header_cells = rows[header_index]
    headers = [_header_text(c) for c in (header_cells + [None] * width)[:width]]
    notes.append(("group_import.note.header_row" if recognised else "group_import.note.header_guessed",
                  {"row": header_number}))
    data_rows, totals, repeats = [], [], []
    header_key = [_norm_header(h) for h in headers]
    for number, cells in rows[header_index + 1:]:
        cells = (cells + [None] * width)[:width]
        if _is_totals(cells):
            totals.append(number)
        elif _repeats_header(cells, header_key):
            repeats.append(number)  # a sheet printed with the header on every page
        else:
            data_rows.append(RawRow(number, cells))
    if len(data_rows) > MAX_ROWS:
        raise ValidationError("group_import.error.too_many_rows", max=MAX_ROWS)
    if totals:
        notes.append(("group_import.note.totals_dropped", {"rows": _row_list(totals)}))
    if repeats:
        notes.append(("group_import.note.header_repeated", {"rows": _row_list(repeats)}))
    if not data_rows:
        raise ValidationError("group_import.error.no_data")
    return RawTable(filename=filename, headers=headers, rows=data_rows, header_row=header_number,
                    sheet=sheet, notes=notes)


def _repeats_header(cells: list, header_key: list[str]) -> bool:
    first = next((i for i, key in enumerate(header_key) if key), None)
    # Most rows differ from the header in its first named column: decide those cheaply.
    if first is None or not isinstance(cells[first], str) or _norm_header(cells[first]) != header_key[first]:
        return False
    return [_norm_header(_header_text(c)) for c in cells] == header_key


def _row_list(numbers: list[int], limit: int = 20) -> str:
    text = "、".join(str(n) for n in numbers[:limit])
    return text + ("…" if len(numbers) > limit else "")


def _header_text(cell) -> str:
    if cell is None or isinstance(cell, FormulaCell):
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    # Headers often wrap onto two lines inside the cell: "群主\n（民警）"; spaces stay
    # between English words only.
    text = re.sub(r"\s+", " ", str(cell)).strip()
    return re.sub(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])", "", text)


def _is_totals(cells: list) -> bool:
    for cell in cells[:3]:
        if isinstance(cell, str):
            text = re.sub(r"\s+", "", cell).lower()
            if text.startswith(_TOTALS):
                return True
    return False


# --- headers and mapping -----------------------------------------------------------------


def _norm_header(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text or "")).lower()
    text = re.sub(r"[\s_\-:：*＊]+", "", text)
    return text


def _match_header(text) -> tuple[str, int] | None:
    """(field, quality) for a header cell: 3 exact, 2 exact once a bracketed note is
    dropped ("成员数（人）"), 1 a known word inside ("所属网格名称"); ``None`` if no match."""
    if not isinstance(text, str):
        return None
    key = _norm_header(text)
    if not key:
        return None
    if key in _EXACT_HEADERS:
        return _EXACT_HEADERS[key], 3
    bare = re.sub(r"\(.*?\)|\[.*?\]|【.*?】", "", key)
    if bare in _EXACT_HEADERS:
        return _EXACT_HEADERS[bare], 2
    if len(key) <= MAX_HEADER_LENGTH:
        for word, target in _CONTAINED_HEADERS:  # longest first: "网格员电话" is a phone, not a grid worker
            if word in bare:
                return target, 1
    return None


def _find_header(rows: list[tuple[int, list]]) -> tuple[int, bool]:
    """Index of the header among the first non-empty rows, and whether it was recognised:
    the first row naming the most distinct fields, at least two; else the first row."""
    best, best_score = 0, 0
    for index, (_, cells) in enumerate(rows[:HEADER_SCAN_ROWS]):
        matched = {m[0] for m in map(_match_header, cells) if m}
        if len(matched) > best_score:
            best, best_score = index, len(matched)
    return (best, True) if best_score >= 2 else (0, False)


def propose_mapping(headers: list[str]) -> dict[str, int | None]:
    """Target field → column index, guessed from the header wording (Chinese or English);
    ``None`` for a field no column names. A column maps to one field at most; when two
    columns name the same field, the closer wording wins, then the leftmost."""
    best: dict[str, tuple[int, int]] = {}
    for index, header in enumerate(headers):
        match = _match_header(header)
        if match and (match[0] not in best or match[1] > best[match[0]][0]):
            best[match[0]] = (match[1], index)
    return {f: best[f][1] if f in best else None for f in FIELDS}


def _check_mapping(mapping: dict, table: RawTable) -> dict[str, int | None]:
    unknown = set(mapping) - set(FIELDS)
    if unknown:
        raise ValidationError("group_import.error.mapping_field", names=", ".join(sorted(unknown)))
    out = {f: mapping.get(f) for f in FIELDS}
    width = len(table.headers)
    used: dict[int, str] = {}
    for f, index in out.items():
        if index is None:
            continue
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < width:
            raise ValidationError("group_import.error.mapping_column", column=str(index))
        if index in used:
            raise ValidationError("group_import.error.mapping_duplicate", column=table.column_label(index))
        used[index] = f
    if out["name"] is None:
        raise ValidationError("group_import.error.mapping_no_name")
    return out


# --- cell normalization ------------------------------------------------------------------


class _CellError(Exception):
    """A cell that cannot be read as its field; carries the reason's key and params."""

    def __init__(self, key: str, **params):
        super().__init__(key)
        self.key = key
        self.params = params


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, FormulaCell):
        return "=" + value.formula.lstrip("=")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour or value.minute) else value.date().isoformat()
    return str(value)


def parse_count(value) -> int:
    """A member count: ``356``, ``"356人"``, ``"1,234"``, ``"２００ 人"`` → int. Approximations
    ("约200", "200多", "~200") and ranges ("200-300") are refused, never guessed."""
    if isinstance(value, bool):
        raise _CellError("group_import.error.member_count_not_number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise _CellError("group_import.error.member_count_not_number")
    text = re.sub(r"\s+", "", _nfkc(str(value)))
    text = _UNIT_SUFFIX.sub("", text)
    if _INTEGER.match(text):
        return int(text.split(".")[0].replace(",", ""))
    if _RANGE.match(text):
        raise _CellError("group_import.error.member_count_range")
    if _APPROX.search(text) and re.search(r"\d", text):
        raise _CellError("group_import.error.member_count_approx")
    raise _CellError("group_import.error.member_count_not_number")


def _date_or_fail(y: int, m: int, d: int) -> str:
    try:
        return date(y, m, d).isoformat()
    except ValueError as exc:
        raise _CellError("group_import.error.date") from exc


def parse_date(value) -> str:
    """A date as ISO ``YYYY-MM-DD`` from a datetime cell, a spreadsheet serial number
    (44260 → 2021-03-05) or text: 2021-3-5, 2021/03/05, 2021年3月5日, 20210305, 2021.3.5."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not value.is_integer():
            # A date-time serial: the fraction is the time of day.
            value = int(value)
        text = str(int(value))
    else:
        text = re.sub(r"\s+", " ", _nfkc(str(value))).strip()
    m = _DATE_YMD.match(text)
    if m:
        return _date_or_fail(*map(int, m.groups()))
    m = _DATE_COMPACT.match(text)
    if m:
        return _date_or_fail(*map(int, m.groups()))
    if text.isdigit() and int(text) in _SERIALS:
        return (_EXCEL_EPOCH + timedelta(days=int(text))).isoformat()
    raise _CellError("group_import.error.date")


def parse_phone(value) -> str:
    """A phone number without spaces and dashes (``138 1234 5678`` → ``13812345678``),
    landlines as ``0513-82123456``; the result is checked by clean_fields."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = re.sub(r"\s+", "", _nfkc(str(value)))
    if _SCIENTIFIC.match(text):
        # Excel showed a long number as 1.38123E+10 and saved the CSV that way: digits are lost.
        raise _CellError("group_import.error.phone_scientific")
    digits = re.sub(r"[-—–.()（）]", "", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not digits.isdigit():
        return text
    if re.fullmatch(r"1[3-9]\d{9}", digits):
        return digits
    if digits.startswith("0") and 10 <= len(digits) <= 12:
        area = 3 if digits[1] in "12" else 4  # 010 and 02x are the three-digit area codes
        return f"{digits[:area]}-{digits[area:]}"
    return digits


def _parse_word(value, words: dict[str, str], key: str) -> str:
    text = re.sub(r"\s+", "", _nfkc(str(value))).lower()
    if text in words:
        return words[text]
    raise _CellError(key)


def _person_name(text: str) -> str:
    # Two-character names are padded to line up with three-character ones: "王  伟".
    return re.sub(r"\s+", "", text) if _CJK_AND_SPACES.match(text) else text


# --- the dry run -------------------------------------------------------------------------


class _Lookups:
    """The reference rows an import checks against, read once per dry run: a file of
    20,000 rows must not cost 100,000 queries."""

    def __init__(self, db: sqlite_utils.Database):
        self.units = list(db.query("SELECT id, code, kind, name, station_id FROM units ORDER BY kind = 'outpost', id"))
        self.unit_by_id = {u["id"]: u for u in self.units}
        self.grids = {g["id"]: g for g in db.query("SELECT id, code, name, station_id FROM grids")}
        self.grid_by_code = {g["code"].upper(): g for g in self.grids.values()}
        self.grids_by_name: dict[str, list[dict]] = defaultdict(list)
        for g in self.grids.values():
            self.grids_by_name[_squash(g["name"])].append(g)
        self.officers = list(db.query(
            "SELECT u.id, u.username, u.name, COALESCE(un.station_id, un.id) AS station_id FROM users u"
            " JOIN units un ON un.id = u.unit_id WHERE un.kind != 'district_center' AND u.is_active = 1"
        ))
        self.officer_by_id = {o["id"]: o for o in self.officers}
        self.officer_by_username = {o["username"].lower(): o for o in self.officers}
        self.officers_by_name: dict[tuple[int, str], list[dict]] = defaultdict(list)
        for o in self.officers:
            self.officers_by_name[(o["station_id"], _squash(o["name"]))].append(o)
        # Every way a row may name a station: its code (S06), its name, and its outposts'.
        self.station_by_key: dict[str, dict] = {}
        for unit in self.units:
            if unit["kind"] != "district_center":
                station = self.unit_by_id[unit["station_id"] or unit["id"]]
                self.station_by_key.setdefault(unit["code"].upper(), station)
                self.station_by_key.setdefault(_squash(unit["name"]), station)
        self.group_by_name = {g["name"]: g for g in db.query("SELECT id, name, station_id, grid_id FROM chat_groups")}
        self.groups_per_grid = Counter(g["grid_id"] for g in self.group_by_name.values())

    def station_name(self, station_id: int | None) -> str:
        unit = self.unit_by_id.get(station_id)
        return unit["name"] if unit else ""

    def grid_label(self, grid_id) -> str:
        g = self.grids.get(grid_id)
        return f"{g['code']} {g['name']}" if g else ""

    def owner_label(self, user_id) -> str:
        o = self.officer_by_id.get(user_id)
        return f"{o['name']}（{o['username']}）" if o else ("" if user_id is None else str(user_id))

    def find_station(self, text: str) -> dict | None:
        """A station by code (S06), name (三星派出所), short name (三星所, 三星) or one of its
        outposts' names or codes."""
        key = _squash(_nfkc(text))
        candidates = [key, key.upper(), key + "派出所"]
        if key.endswith("所") and not key.endswith("派出所"):
            candidates.append(key[:-1] + "派出所")
        return next((self.station_by_key[c] for c in candidates if c in self.station_by_key), None)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", str(text or ""))


def dry_run(db: sqlite_utils.Database, user: User, table: RawTable, mapping: dict | None = None) -> ImportReport:
    """What importing ``table`` would do, row by row; writes nothing.

    ``mapping`` (target field → column index) defaults to :func:`propose_mapping` of the
    headers. A row whose group name exists in the user's scope updates that group; a new
    name adds one; a name held outside the scope, or a station or grid outside it, is
    refused without telling what is there.
    """
    mapping = _check_mapping(propose_mapping(table.headers) if mapping is None else mapping, table)
    look = _Lookups(db)
    names = [_row_name(row, mapping) for row in table.rows]
    rows_of_name: dict[str, list[int]] = defaultdict(list)
    for row, name in zip(table.rows, names, strict=True):
        if name:
            rows_of_name[name].append(row.number)
    taken = set(look.group_by_name) | set(rows_of_name)  # standard names proposed must clash with neither
    new_in_grid: Counter = Counter()
    results = [
        _dry_run_row(db, user, table, mapping, look, row, rows_of_name, taken, new_in_grid)
        for row in table.rows
    ]
    mapped = {i for i in mapping.values() if i is not None}
    unmapped = [
        table.column_label(i) for i in range(len(table.headers))
        if i not in mapped and (table.headers[i] or any(i < len(r.cells) and r.cells[i] is not None
                                                        for r in table.rows))
    ]
    return ImportReport(filename=table.filename, user_id=user.id, rows=results, mapping=mapping,
                        headers=list(table.headers), unmapped_columns=unmapped, notes=list(table.notes))


def _row_name(row: RawRow, mapping: dict) -> str | None:
    value = _cell(row, mapping["name"])
    if value is None or isinstance(value, FormulaCell):
        return None
    name = re.sub(r"\s+", " ", _display(value)).strip()  # as clean_fields will store it
    return name or None


def _cell(row: RawRow, index: int | None):
    if index is None or index >= len(row.cells):
        return None
    return row.cells[index]


def _dry_run_row(db, user: User, table: RawTable, mapping: dict, look: _Lookups, row: RawRow,
                 rows_of_name: dict, taken: set, new_in_grid: Counter) -> RowResult:
    result = RowResult(row=row.number, action="reject")
    reasons: dict[str, Reason] = {}

    def fail(target: str, key: str, **params) -> None:
        reasons.setdefault(target, Reason(target, key, params))

    # 1. every mapped cell, read as its field
    raw: dict = {}
    for target in FIELDS:
        index = mapping[target]
        value = _cell(row, index)
        if value is None:
            continue
        column = table.column_label(index)
        result.display[target] = _display(value)
        if isinstance(value, FormulaCell):
            fail(target, "group_import.error.formula_no_value", column=column, formula=_display(value))
        elif isinstance(value, str) and value.upper() in _EXCEL_ERRORS:
            fail(target, "group_import.error.cell_error", column=column, value=value)
        else:
            raw[target] = value
    parsed: dict = {}
    parsers = {
        "member_count": parse_count, "created_on": parse_date, "admin_phone": parse_phone,
        "platform": lambda v: _parse_word(v, _PLATFORMS, "group_import.error.platform"),
        "status": lambda v: _parse_word(v, _STATUSES, "group_import.error.status"),
    }
    for target, value in raw.items():
        if target in parsers:
            try:
                parsed[target] = parsers[target](value)
            except _CellError as exc:
                fail(target, exc.key, column=table.column_label(mapping[target]), value=_display(value))
        else:
            parsed[target] = _display(value) if target in ("name", "admin_name") else value

    # 2. the group this row names: an update of one in scope, or a new one
    name = _row_name(row, mapping) if "name" in parsed else None
    result.name = name
    existing = look.group_by_name.get(name) if name else None
    if existing and not scope.can_see_station(user, existing["station_id"]):
        fail("name", "group_import.error.name_out_of_scope", name=name)
        existing = None
    if name and len(rows_of_name.get(name, ())) > 1:
        fail("name", "group_import.error.name_duplicate_in_file", name=name,
             rows=_row_list(rows_of_name[name]))
    creating = existing is None

    # 3. station, then grid (the grid decides the station), then owner
    station_id = None
    if "station" in raw:
        station = look.find_station(_display(raw["station"]))
        if station is None or (not user.is_district and user.station_id is None):
            fail("station", "group_import.error.station_unknown", value=_display(raw["station"]))
        elif not scope.can_see_station(user, station["id"]):
            fail("station", "group_import.error.station_other", value=_display(raw["station"]),
                 own=look.station_name(user.station_id))
        else:
            station_id = station["id"]
            result.display["station"] = station["name"]
            if existing and existing["station_id"] != station_id and "grid" not in raw:
                fail("station", "group_import.error.station_mismatch", name=name, value=station["name"],
                     actual=look.station_name(existing["station_id"]))
    station_failed = "station" in reasons
    if station_id is None and not station_failed and not user.is_district:
        station_id = user.station_id

    grid = None
    if "grid" in raw and not station_failed:
        # A grid named without a station is looked for first where the group already is.
        grid = _find_grid(user, look, _display(raw["grid"]), station_id, fail,
                          prefer=existing["station_id"] if existing else None)
        if grid:
            station_id = grid["station_id"]
            result.display["grid"] = look.grid_label(grid["id"])
    elif creating and "grid" not in reasons and not station_failed:
        fail("grid", "group_import.error.grid_missing")
    if station_id is None and existing and not grid:
        station_id = existing["station_id"]

    owner_id = None
    # Reasons already given upstream; clean_fields would only repeat them less precisely.
    unchecked = {"grid"} if station_failed or "grid" in reasons else set()
    if "owner" in raw:
        if station_id is not None and not unchecked:
            owner_id = _find_owner(look, _display(raw["owner"]), station_id, fail)
            if owner_id:
                result.display["owner"] = look.owner_label(owner_id)
        else:
            unchecked.add("owner")  # whose officer it must be is unknown until the grid is fixed
    elif creating and "owner" not in reasons:
        fail("owner", "group_import.error.owner_missing")
    if (existing and grid and grid["station_id"] != existing["station_id"] and owner_id is None
            and "owner" not in reasons):
        # clean_fields checks the owner only when it is given: moving a group to another
        # station's grid must not keep an owner from the old station.
        owner_id = (query_one(db, "SELECT owner_user_id FROM chat_groups WHERE id = ?", [existing["id"]])
                    or {}).get("owner_user_id")

    # 4. the form's own rules, on what the row gives
    values: dict = {}
    if creating:
        values["name"] = name or ""
    if grid:
        values["grid_id"] = grid["id"]
    if owner_id is not None:
        values["owner_user_id"] = owner_id
    for target in ("platform", "admin_name", "admin_phone", "member_count", "created_on", "status"):
        if target in parsed and target not in reasons:
            values[target] = parsed[target]
    if "admin_name" in values:
        values["admin_name"] = _person_name(values["admin_name"])
    cleaned: dict = {}
    try:
        cleaned = groups.clean_fields(db, user, values, group_id=None if creating else existing["id"])
    except groups.FieldErrors as exc:
        for column, (key, params) in exc.errors.items():
            target = _FROM_CLEAN.get(column, column)
            if target not in unchecked:
                fail(target, key, **params)
    except (ValidationError, NotFoundError, ScopeError) as exc:
        fail(None, exc.key, **exc.params)
    result.values = values

    # 5. naming standard (informational), then the verdict
    if name:
        result.name_standard = naming.is_compliant(name)
        if not result.name_standard:
            result.proposed_name = _propose(db, look, existing, grid, station_id, taken, new_in_grid,
                                            creating and not reasons)
    if reasons:
        result.reasons = list(reasons.values())
        return result
    if creating:
        result.action = "add"
        return result
    result.group_id = existing["id"]
    before = query_one(db, "SELECT * FROM chat_groups WHERE id = ?", [existing["id"]]) or {}
    for key in groups.EDITABLE:
        if key in cleaned and before.get(key) != cleaned[key]:
            label = _FROM_CLEAN.get(key, key)
            shown = {"grid_id": look.grid_label, "owner_user_id": look.owner_label}.get(key, _display)
            result.changes[label] = (shown(before.get(key)), shown(cleaned[key]))
    result.action = "update" if result.changes else "unchanged"
    return result


def _find_grid(user: User, look: _Lookups, text: str, station_id: int | None, fail,
               prefer: int | None = None) -> dict | None:
    """The grid a cell names, by code (G000123) or by name within the row's station
    (else within ``prefer``, else anywhere in scope)."""
    key = _squash(_nfkc(text))
    if _CODE.match(key):
        grid = look.grid_by_code.get(key.upper())
        if grid and (station_id is None or grid["station_id"] == station_id) \
                and scope.can_see_station(user, grid["station_id"]):
            return grid
    else:
        matches = [g for g in look.grids_by_name.get(key, []) if scope.can_see_station(user, g["station_id"])]
        if station_id is not None:
            matches = [g for g in matches if g["station_id"] == station_id]
        elif prefer is not None and any(g["station_id"] == prefer for g in matches):
            matches = [g for g in matches if g["station_id"] == prefer]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            if station_id is None:
                fail("grid", "group_import.error.grid_ambiguous", value=text)
            else:
                fail("grid", "group_import.error.grid_ambiguous_station", value=text,
                     station=look.station_name(station_id))
            return None
    if station_id is None:
        fail("grid", "group_import.error.grid_unknown", value=text)
    else:
        fail("grid", "group_import.error.grid_not_found", value=text, station=look.station_name(station_id))
    return None


def _find_owner(look: _Lookups, text: str, station_id: int, fail) -> int | None:
    """The owner a cell names: a username (pol060012), a name (顾建国) that is unique
    among the station's officers, or both ("顾建国（pol060012）")."""
    station = look.station_name(station_id)
    match = _USERNAME.search(_nfkc(text))
    if match:
        officer = look.officer_by_username.get(match.group(0).lower())
        if officer and officer["station_id"] == station_id:
            return officer["id"]
        fail("owner", "group_import.error.owner_not_officer", value=text, station=station)
        return None
    candidates = look.officers_by_name.get((station_id, _squash(text)), [])
    if len(candidates) == 1:
        return candidates[0]["id"]
    if candidates:
        fail("owner", "group_import.error.owner_ambiguous", value=text, station=station, count=len(candidates),
             usernames="、".join(sorted(o["username"] for o in candidates)))
    else:
        fail("owner", "group_import.error.owner_not_officer", value=text, station=station)
    return None


def _propose(db, look: _Lookups, existing: dict | None, grid: dict | None, station_id: int | None,
             taken: set, new_in_grid: Counter, counts_as_new: bool) -> str | None:
    """The standard name for the row's group, unique among the registry, the file's
    names and the names proposed so far."""
    if existing and (grid is None or grid["id"] == existing["grid_id"]):
        name = groups.propose_name(db, existing["id"], taken)
        taken.add(name)
        return name
    if grid is None:
        return None
    # The new group ranks after the grid's existing groups and the file's earlier new ones.
    seq = look.groups_per_grid[grid["id"]] + new_in_grid[grid["id"]] + 1
    if counts_as_new:
        new_in_grid[grid["id"]] += 1
    station = look.station_name(grid["station_id"])
    while True:
        name = naming.standard_group_name(station, grid["name"], seq)
        if name not in taken:
            taken.add(name)
            return name
        seq += 1


# --- writing -----------------------------------------------------------------------------


def apply(db: sqlite_utils.Database, user: User, report: ImportReport) -> dict:
    """Write the accepted rows of a dry run in one transaction, each checked again; one
    audit row per group written plus one for the import. If any row no longer passes
    (someone changed the registry since the dry run), nothing is written and
    :class:`ImportChangedError` says which row and why.

    Returns the counts: ``created``, ``updated``, ``unchanged``, ``rejected``, with the
    ``filename`` and the ``group_ids`` written.
    """
    if report.user_id != user.id:
        # The report's choices were made in another user's scope.
        raise ScopeError("group_import.error.report_user")
    out = {"filename": report.filename, "created": 0, "updated": 0, "unchanged": report.n_unchanged,
           "rejected": report.n_reject, "group_ids": []}
    if not report.accepted:
        return out
    with write_transaction(db):
        for result in report.accepted:
            try:
                if result.action == "add":
                    group_id = groups.insert_group(db, user, result.values, action="import_create")
                    out["created"] += 1
                else:
                    group_id = result.group_id
                    if not groups.change_group(db, user, group_id, result.values, action="import_update"):
                        out["unchanged"] += 1
                        continue
                    out["updated"] += 1
            except groups.FieldErrors as exc:
                reasons = [Reason(_FROM_CLEAN.get(f, f), key, params) for f, (key, params) in exc.errors.items()]
                raise ImportChangedError(result.row, result.name, reasons) from exc
            except (NotFoundError, ScopeError, ValidationError) as exc:
                raise ImportChangedError(result.row, result.name, [Reason(None, exc.key, exc.params)]) from exc
            out["group_ids"].append(group_id)
        audit.record(db, user, "import", "chat_groups", None,
                     after={k: v for k, v in out.items() if k != "group_ids"})
    return out


