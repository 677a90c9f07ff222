"""Reading a spreadsheet upload (CSV or XLSX) into the table as the clerk keeps it.

Owns the table as read (:class:`FormulaCell`, :class:`RawRow`, :class:`RawTable`) and
:func:`read_table`: its limits (size, rows, columns, zip bombs), telling XLSX, old XLS,
encrypted workbooks and CSV apart by their content, decoding CSV text (UTF-8, UTF-16,
GBK/GB18030) and sniffing its delimiter, cleaning every cell (stray and full-width spaces,
full-width digits and letters), and finding the header row below any title rows with an
import's :class:`HeaderWords`, dropping totals rows and repeated headers.

It knows nothing of what the columns mean: each import (the group ledger in
:mod:`lib.grids.group_import`, later others such as a volunteer roster) brings the words
that name its columns and reads the cells itself. Refusals are
:class:`~lib.core.errors.ValidationError`; refusals and notes use the catalog's
``group_import.error.*`` / ``group_import.note.*`` keys, where they were first written.
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
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath, PureWindowsPath

import openpyxl

from lib.core.errors import ValidationError
from lib.core.files import UPLOAD_LIMIT_MB

MAX_FILE_BYTES = UPLOAD_LIMIT_MB * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 60
# A 20,000 x 60 sheet unpacks to about 50 MB of XML; far more than that from a 20 MB
# upload is a zip bomb, and openpyxl holds the shared strings in memory.
MAX_UNPACKED_BYTES = 120 * 1024 * 1024
MAX_ZIP_ENTRIES = 2_000
HEADER_SCAN_ROWS = 15  # title rows above the header are few; a header further down is not a header
MAX_HEADER_LENGTH = 16  # a longer cell is a title or a note, never a column header

_TOTALS = ("合计", "总计", "小计", "total", "subtotal", "sum")
EXCEL_ERRORS = frozenset({"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"})
"""The error values a formula cell shows (upper case): a cell holding one has no value to import."""
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
    linked: dict[tuple[int, int], str] = field(default_factory=dict)
    """(row number, column index) → formula, for cells whose saved value a link formula made
    (HYPERLINK, or any formula naming a URL): the value is its display text ("点我"), which
    deserves a look before it becomes a group's name."""

    def column_label(self, index: int) -> str:
        """The header of a column, or its spreadsheet letter when the header is blank."""
        header = self.headers[index] if index < len(self.headers) else ""
        return header or _column_letter(index)


class HeaderWords:
    """The words that name an import's columns, and how a header cell is matched to them.

    ``words`` maps each field to the header texts that name it, Chinese or English, written
    as :func:`_norm_header` leaves them (lower case, no spaces, ``_``, ``-``, colons or stars).
    """

    def __init__(self, words: dict[str, tuple[str, ...]]):
        self.exact = {word: f for f, ws in words.items() for word in ws}
        # Only Chinese words are looked for inside a longer header: English ones ("name",
        # "type", "tel") hide inside too many unrelated words.
        self.contained = sorted(
            ((w, f) for w, f in self.exact.items() if len(w) >= 2 and not w.isascii()),
            key=lambda wf: -len(wf[0]),
        )

    def match(self, text) -> tuple[str, int] | None:
        """(field, quality) for a header cell: 3 exact, 2 exact once a bracketed note is
        dropped ("成员数（人）"), 1 a known word inside ("所属网格名称"); ``None`` if no match."""
        if not isinstance(text, str):
            return None
        key = _norm_header(text)
        if not key:
            return None
        if key in self.exact:
            return self.exact[key], 3
        bare = re.sub(r"\(.*?\)|\[.*?\]|【.*?】", "", key)
        if bare in self.exact:
            return self.exact[bare], 2
        if len(key) <= MAX_HEADER_LENGTH:
            for word, target in self.contained:  # longest first: "网格员电话" is a phone, not a grid worker
                if word in bare:
                    return target, 1
        return None


# --- reading files -----------------------------------------------------------------------


def read_table(data: bytes, filename: str, headers: HeaderWords) -> RawTable:
    """Read a CSV or XLSX upload into a :class:`RawTable`, the header row found automatically:
    the first of the top rows naming the most distinct fields of ``headers``, at least two
    (else the first row, with a note that it was guessed).

    Refuses, with a :class:`ValidationError`, files over :data:`MAX_FILE_BYTES`, more than 20,000 data rows
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
    linked: dict[tuple[int, int], str] = {}
    if data[:2] == b"PK":
        grid, sheet = _read_xlsx(data, linked)
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
    table = _build_table(grid, filename, sheet, headers)
    table.linked = linked
    return table


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


def _read_xlsx(data: bytes, linked: dict) -> tuple[list[tuple[int, list]], str | None]:
    """Rows of the first worksheet that has data, as (row number, cells); cells whose saved
    value came from a link formula are added to ``linked`` (see :attr:`RawTable.linked`)."""
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
                    rows = _sheet_rows(ws, formulas_wb[ws.title] if formulas_wb else None, linked)
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


_LINK_FORMULA = re.compile(r"HYPERLINK\s*\(|https?://|www\.", re.I)


def _sheet_rows(values_ws, formulas_ws, linked: dict) -> list[tuple[int, list]]:
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
            if not _is_formula(formula):
                continue
            text = str(getattr(formula, "text", formula))
            if cells[i] is None:
                cells[i] = FormulaCell(text)
            elif _LINK_FORMULA.search(text):
                linked[(number, i)] = text
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


def _build_table(rows: list[tuple[int, list]], filename: str, sheet: str | None,
                 header_words: HeaderWords) -> RawTable:
    if not rows:
        raise ValidationError("group_import.error.no_data")
    width = max(max((i + 1 for i, c in enumerate(cells) if c is not None), default=0) for _, cells in rows)
    if width > MAX_COLUMNS:
        raise ValidationError("group_import.error.too_many_columns", max=MAX_COLUMNS)
    notes: list[tuple[str, dict]] = []
    if sheet:
        notes.append(("group_import.note.sheet", {"sheet": sheet}))
    header_index, recognised = _find_header(rows, header_words)
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
        notes.append(("group_import.note.totals_dropped", {"rows": row_list(totals)}))
    if repeats:
        notes.append(("group_import.note.header_repeated", {"rows": row_list(repeats)}))
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


def row_list(numbers: list[int], limit: int = 20) -> str:
    """Row numbers as a note or a reason lists them: ``3、6、9``, the first ``limit`` and ``…``."""
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


# --- the header row ---------------------------------------------------------------------


def _norm_header(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text or "")).lower()
    text = re.sub(r"[\s_\-:：*＊]+", "", text)
    return text


def _find_header(rows: list[tuple[int, list]], header_words: HeaderWords) -> tuple[int, bool]:
    """Index of the header among the first non-empty rows, and whether it was recognised:
    the first row naming the most distinct fields, at least two; else the first row."""
    best, best_score = 0, 0
    for index, (_, cells) in enumerate(rows[:HEADER_SCAN_ROWS]):
        matched = {m[0] for m in map(header_words.match, cells) if m}
        if len(matched) > best_score:
            best, best_score = index, len(matched)
    return (best, True) if best_score >= 2 else (0, False)


# --- cells as text ----------------------------------------------------------------------


def cell_text(value) -> str:
    """A cell's value as text, the way the clerk saw it: ``""`` for an empty cell, a formula
    as ``=…``, ``356.0`` as ``356``, a date-time as ``2021-03-05`` (or with its time of day
    when it has one)."""
    if value is None:
        return ""
    if isinstance(value, FormulaCell):
        return "=" + value.formula.lstrip("=")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour or value.minute) else value.date().isoformat()
    return str(value)

