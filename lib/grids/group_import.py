"""Importing groups from the clerks' own spreadsheets (CSV and XLSX), dry run first.

Stations already keep their group registry in spreadsheets ("网格微信群台账"): a title
row or two, merged cells, Chinese headers in each station's own wording, full-width
digits, "356人" counts, dates typed every way, a totals row at the bottom. The import
takes those files as they are:

1. :func:`read_ledger` turns the bytes into a :class:`~lib.grids.sheet_reader.RawTable`
   (cells, the header row found by the group fields' :data:`HEADERS`, totals and empty
   rows dropped), refusing unreadable, oversized or hostile files with a
   :class:`~lib.core.errors.ValidationError`.
2. :func:`propose_mapping` guesses which column holds which field; the user may correct it.
3. :func:`dry_run` reads every row and says what would happen to it — add, update
   (with the changed fields), unchanged, or reject with every reason — writing nothing.
   The final check of each row is :func:`lib.grids.groups.clean_fields`, so the import and
   the group form refuse exactly the same things.
4. :func:`apply` writes the accepted rows in one transaction, checking each again.

This module owns what is particular to groups: the fields and the words naming them,
the mapping, the report (:class:`ImportReport`), the dry run and the write. Reading the
file is :mod:`lib.grids.sheet_reader`'s, reading a cell as a count, date or phone number
:mod:`lib.grids.cell_values`', finding the station, grid or owner a cell names
:mod:`lib.grids.group_lookups`'.

An empty cell never clears a field of an existing group: a ledger that leaves the phone
column blank means "not recorded here", not "delete the phone number".
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import sqlite_utils

from lib.core import audit, scope
from lib.core.auth import User
from lib.core.db import query_one, write_transaction
from lib.core.errors import NotFoundError, ScopeError, ValidationError
from lib.grids import groups, naming, sheet_reader
from lib.grids.cell_values import CellError, parse_count, parse_date, parse_phone, parse_word, person_name
from lib.grids.group_lookups import Lookups, find_grid, find_owner, station_hints
from lib.grids.sheet_reader import EXCEL_ERRORS, FormulaCell, HeaderWords, RawRow, RawTable, cell_text

FIELDS = ("name", "grid", "station", "platform", "owner", "admin_name", "admin_phone",
          "member_count", "created_on", "status")
"""Target fields of the mapping, in the order a mapping form shows them."""
REQUIRED_FOR_NEW = ("name", "grid", "owner", "admin_name")
"""Without these a row can only update an existing group (e.g. a monthly member count)."""
ACTIONS = ("add", "update", "unchanged", "reject")

# clean_fields speaks in column names; the import in field names.
_FROM_CLEAN = {"grid_id": "grid", "owner_user_id": "owner"}

HEADERS = HeaderWords({
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
})
"""The header texts that name each field, Chinese or English, as clerks write them."""

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


# --- the report --------------------------------------------------------------------------


@dataclass
class Reason:
    """Why a row is refused (or, among :attr:`RowResult.warnings`, what deserves a look): a
    message key and its parameters; ``field`` is the target field at fault (``None`` for the
    whole row); ``hints`` name the fix where the portal can see one, as (message key, params):
    the closest officers or grids, the officer of another station who has that name."""

    field: str | None
    key: str
    params: dict = field(default_factory=dict)
    hints: list[tuple[str, dict]] = field(default_factory=list)


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
    """Every problem of the row, each cell checked: one upload names them all."""
    warnings: list[Reason] = field(default_factory=list)
    """What does not stop the row but deserves a look (a value a link formula made)."""
    duplicate_of: int | None = None
    """The earlier row of the file with the same group name: this one is not imported."""
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


# --- the file and its columns ------------------------------------------------------------


def read_ledger(data: bytes, filename: str) -> RawTable:
    """A group ledger upload (CSV or XLSX) as a :class:`~lib.grids.sheet_reader.RawTable`:
    :func:`lib.grids.sheet_reader.read_table` with the header row found by the words of
    :data:`HEADERS`. Refusals as ``read_table``'s."""
    return sheet_reader.read_table(data, filename, HEADERS)


def propose_mapping(headers: list[str]) -> dict[str, int | None]:
    """Target field → column index, guessed from the header wording (Chinese or English);
    ``None`` for a field no column names. A column maps to one field at most; when two
    columns name the same field, the closer wording wins, then the leftmost."""
    best: dict[str, tuple[int, int]] = {}
    for index, header in enumerate(headers):
        match = HEADERS.match(header)
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


# --- the dry run -------------------------------------------------------------------------


def dry_run(db: sqlite_utils.Database, user: User, table: RawTable, mapping: dict | None = None) -> ImportReport:
    """What importing ``table`` would do, row by row; writes nothing.

    ``mapping`` (target field → column index) defaults to :func:`propose_mapping` of the
    headers. A row whose group name exists in the user's scope updates that group; a new
    name adds one; a name held outside the scope, or a station or grid outside it, is
    refused without telling what is there.
    """
    mapping = _check_mapping(propose_mapping(table.headers) if mapping is None else mapping, table)
    look = Lookups(db)
    names = [_row_name(row, mapping) for row in table.rows]
    rows_of_name: dict[str, list[int]] = defaultdict(list)
    for row, name in zip(table.rows, names, strict=True):
        if name:
            rows_of_name[name].append(row.number)
    taken = set(look.group_by_name) | set(rows_of_name)  # standard names proposed must clash with neither
    new_in_grid: Counter = Counter()
    results = []
    for row, name in zip(table.rows, names, strict=True):
        first = rows_of_name[name][0] if name else row.number
        if first != row.number:
            results.append(_duplicate(table, mapping, row, name, first))
        else:
            results.append(_dry_run_row(db, user, table, mapping, look, row, taken, new_in_grid))
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
    name = re.sub(r"\s+", " ", cell_text(value)).strip()  # as clean_fields will store it
    return name or None


def _cell(row: RawRow, index: int | None):
    if index is None or index >= len(row.cells):
        return None
    return row.cells[index]


def _duplicate(table: RawTable, mapping: dict, row: RawRow, name: str, first: int) -> RowResult:
    """A later row with the name of an earlier one: the earlier row is imported, this one is
    reported in one line — as an exact copy, or as a second version whose cells differ."""
    earlier = next(r for r in table.rows if r.number == first)
    same = all(_cell(row, i) == _cell(earlier, i) for i in mapping.values() if i is not None)
    key = "group_import.error.duplicate_copy" if same else "group_import.error.duplicate_differs"
    result = RowResult(row=row.number, action="reject", name=name, duplicate_of=first,
                       reasons=[Reason("name", key, {"name": name, "first": first})])
    result.display = {f: cell_text(_cell(row, i)) for f, i in mapping.items() if _cell(row, i) is not None}
    return result


def _dry_run_row(db, user: User, table: RawTable, mapping: dict, look: Lookups, row: RawRow,
                 taken: set, new_in_grid: Counter) -> RowResult:
    result = RowResult(row=row.number, action="reject")
    reasons: dict[str, Reason] = {}

    def fail(target: str, key: str, hints: list | None = None, **params) -> None:
        reasons.setdefault(target, Reason(target, key, params, list(hints or [])))

    # 1. every mapped cell, read as its field
    raw: dict = {}
    for target in FIELDS:
        index = mapping[target]
        value = _cell(row, index)
        if value is None:
            continue
        column = table.column_label(index)
        result.display[target] = cell_text(value)
        if (row.number, index) in table.linked:
            result.warnings.append(Reason(target, "group_import.warning.linked_formula", {
                "column": column, "value": cell_text(value), "formula": table.linked[(row.number, index)]}))
        if isinstance(value, FormulaCell):
            fail(target, "group_import.error.formula_no_value", column=column, formula=cell_text(value))
        elif isinstance(value, str) and value.upper() in EXCEL_ERRORS:
            fail(target, "group_import.error.cell_error", column=column, value=value)
        else:
            raw[target] = value
    parsed: dict = {}
    parsers = {
        "member_count": parse_count, "created_on": parse_date, "admin_phone": parse_phone,
        "platform": lambda v: parse_word(v, _PLATFORMS, "group_import.error.platform"),
        "status": lambda v: parse_word(v, _STATUSES, "group_import.error.status"),
    }
    for target, value in raw.items():
        if target in parsers:
            try:
                parsed[target] = parsers[target](value)
            except CellError as exc:
                fail(target, exc.key, column=table.column_label(mapping[target]), value=cell_text(value))
        else:
            parsed[target] = cell_text(value) if target in ("name", "admin_name") else value

    # 2. the group this row names: an update of one in scope, or a new one
    name = _row_name(row, mapping) if "name" in parsed else None
    result.name = name
    existing = look.group_by_name.get(name) if name else None
    if existing and not scope.can_see_station(user, existing["station_id"]):
        fail("name", "group_import.error.name_out_of_scope", name=name)
        existing = None
    creating = existing is None

    # 3. station, then grid (the grid decides the station), then owner
    station_id = None
    if "station" in raw:
        station = look.find_station(cell_text(raw["station"]))
        if station is None or (not user.is_district and user.station_id is None):
            fail("station", "group_import.error.station_unknown", station_hints(user, look, cell_text(raw["station"])),
                 value=cell_text(raw["station"]))
        elif not scope.can_see_station(user, station["id"]):
            fail("station", "group_import.error.station_other", value=cell_text(raw["station"]),
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
        grid = find_grid(user, look, cell_text(raw["grid"]), station_id, fail,
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
        # Checked even when the grid or station failed (every problem in one pass): against the
        # station the row names or the clerk's own; with no station known, against every station.
        owner_id = find_owner(look, cell_text(raw["owner"]), station_id, fail, user=user)
        if owner_id and not unchecked:
            result.display["owner"] = look.owner_label(owner_id)
        else:
            owner_id = None
            unchecked.add("owner")  # clean_fields would repeat the owner's reason, or check it too early
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
        values["admin_name"] = person_name(values["admin_name"])
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
            shown = {"grid_id": look.grid_label, "owner_user_id": look.owner_label}.get(key, cell_text)
            result.changes[label] = (shown(before.get(key)), shown(cleaned[key]))
    result.action = "update" if result.changes else "unchanged"
    return result


def _propose(db, look: Lookups, existing: dict | None, grid: dict | None, station_id: int | None,
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


