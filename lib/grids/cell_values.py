"""Reading one spreadsheet cell as the value of its field: a count, a date, a phone
number, one of a few words, a person's name.

Owns the normalizers an import applies to the cells of a :class:`~lib.grids.sheet_reader.RawTable`
— :func:`parse_count`, :func:`parse_date` (text in every usual form, spreadsheet serial
numbers), :func:`parse_phone`, :func:`parse_word`, :func:`person_name`, with full-width
digits and letters read as half-width (:func:`nfkc`) — and :class:`CellError`, how each
refuses a cell. They read what clerks write and refuse what they would have to guess
("约200", "200-300", "1.38123E+10"); whether a value is allowed is for the caller to check.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta

_CJK_AND_SPACES = re.compile(r"^[\u4e00-\u9fff·•\s]+$")
_INTEGER = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.0+)?$")
_RANGE = re.compile(r"^\d[\d,.]*(?:-|—|–|~|至|到)\d[\d,.]*$")
_APPROX = re.compile(r"约|大约|大概|左右|上下|余|多|以上|以下|不到|不足|近|超过|≈|~|\+|±")
_UNIT_SUFFIX = re.compile(r"(?:人|名|位|个|户)$")
_DATE_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[\sT].*)?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SCIENTIFIC = re.compile(r"^\d(?:\.\d+)?[eE]\+?\d+$")
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01 counting Excel's phantom 1900-02-29
_SERIALS = range(20_000, 80_000)  # 1954 .. 2119: a serial outside this is not a group's date


class CellError(Exception):
    """A cell that cannot be read as its field: ``key`` is the message key of the reason,
    ``params`` its parameters (the caller adds the column and the cell as written)."""

    def __init__(self, key: str, **params):
        super().__init__(key)
        self.key = key
        self.params = params


def nfkc(text: str) -> str:
    """``text`` in Unicode NFKC form: full-width digits, letters and brackets made
    half-width (``２００`` → ``200``), compatibility characters replaced."""
    return unicodedata.normalize("NFKC", text)


def parse_count(value) -> int:
    """A member count: ``356``, ``"356人"``, ``"1,234"``, ``"２００ 人"`` → int. Approximations
    ("约200", "200多", "~200") and ranges ("200-300") are refused, never guessed."""
    if isinstance(value, bool):
        raise CellError("group_import.error.member_count_not_number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise CellError("group_import.error.member_count_not_number")
    text = re.sub(r"\s+", "", nfkc(str(value)))
    text = _UNIT_SUFFIX.sub("", text)
    if _INTEGER.match(text):
        return int(text.split(".")[0].replace(",", ""))
    if _RANGE.match(text):
        raise CellError("group_import.error.member_count_range")
    if _APPROX.search(text) and re.search(r"\d", text):
        raise CellError("group_import.error.member_count_approx")
    raise CellError("group_import.error.member_count_not_number")


def _date_or_fail(y: int, m: int, d: int) -> str:
    try:
        return date(y, m, d).isoformat()
    except ValueError as exc:
        raise CellError("group_import.error.date") from exc


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
        text = re.sub(r"\s+", " ", nfkc(str(value))).strip()
    m = _DATE_YMD.match(text)
    if m:
        return _date_or_fail(*map(int, m.groups()))
    m = _DATE_COMPACT.match(text)
    if m:
        return _date_or_fail(*map(int, m.groups()))
    if text.isdigit() and int(text) in _SERIALS:
        return (_EXCEL_EPOCH + timedelta(days=int(text))).isoformat()
    raise CellError("group_import.error.date")


def parse_phone(value) -> str:
    """A phone number without spaces and dashes (``138 1234 5678`` → ``13812345678``),
    landlines as ``0513-82123456``; the result is checked by clean_fields."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = re.sub(r"\s+", "", nfkc(str(value)))
    if _SCIENTIFIC.match(text):
        # Excel showed a long number as 1.38123E+10 and saved the CSV that way: digits are lost.
        raise CellError("group_import.error.phone_scientific")
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


def parse_word(value, words: dict[str, str], key: str) -> str:
    """The code a cell's word stands for: ``words`` maps each accepted word (lower case,
    no spaces) to its code, e.g. "企业微信" → ``wecom``; any other word raises
    :class:`CellError` with ``key``."""
    text = re.sub(r"\s+", "", nfkc(str(value))).lower()
    if text in words:
        return words[text]
    raise CellError(key)


def person_name(text: str) -> str:
    """A person's name as written once its padding is gone: a Chinese name loses its
    inner spaces ("王  伟" → "王伟"); any other name is kept as it is."""
    # Two-character names are padded to line up with three-character ones: "王  伟".
    return re.sub(r"\s+", "", text) if _CJK_AND_SPACES.match(text) else text
