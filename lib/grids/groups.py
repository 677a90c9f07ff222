"""Chat groups (网格微信群): the registry of the program's groups.

Who may do what: every staff user reads and edits the groups of their scope (their
station, or the whole district for the linkage center). A group's owner is an officer
of the group's station; its admin is a named grid worker. Names follow the naming
standard (lib/grids/naming.py); ``is_name_standard`` is kept in step on every write so that
the registry can filter on it with an index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlite_utils

from lib.core import audit, clock, query, scope, taxonomy
from lib.core.auth import User
from lib.core.clock import utcnow
from lib.core.db import query_one, write_transaction
from lib.core.errors import NotFoundError, ValidationError
from lib.grids import naming

EDITABLE = ("name", "grid_id", "platform", "owner_user_id", "admin_name", "admin_phone", "member_count",
            "status", "webhook_url", "created_on")
STATUSES = ("active", "archived")
MAX_MEMBERS = 100_000  # far above WeChat's 500 and WeCom's 2,000: a typo guard, not a product limit
PAGE_SIZES = (25, 50, 100, 200)
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EARLIEST_CREATED_ON = "2011-01-21"
"""No chat group is older than WeChat's first release: an earlier founding date is a typing slip
(a year of 1921, a serial number read as a date)."""


@dataclass
class GroupFilter:
    """What the registry is filtered by; every field optional."""

    station_id: int | None = None
    outpost_id: int | None = None
    category: str | None = None
    section_label: str | None = None
    industry_label: str | None = None
    platform: str | None = None
    name_standard: bool | None = None
    owner_user_id: int | None = None
    status: str | None = "active"
    text: str | None = None
    grid_id: int | None = None


GroupPage = query.Page  # one page of the registry and the total number of matching groups


_COLUMNS = """
c.id, c.name, c.is_name_standard, c.platform, c.member_count, c.status, c.created_on,
       c.admin_name, c.admin_phone, c.webhook_url, c.owner_user_id, c.grid_id, c.station_id,
       g.code AS grid_code, g.name AS grid_name, g.category, g.section_label, g.industry_label,
       g.outpost_id, g.population AS grid_population,
       st.name AS station_name, op.name AS outpost_name, ow.name AS owner_name, ow.username AS owner_username
"""
_FROM = """chat_groups c
JOIN grids g ON g.id = c.grid_id
JOIN units st ON st.id = c.station_id
LEFT JOIN units op ON op.id = g.outpost_id
LEFT JOIN users ow ON ow.id = c.owner_user_id
"""
_SELECT = f"SELECT {_COLUMNS} FROM {_FROM}"


def _where(user: User, f: GroupFilter) -> tuple[str, list]:
    station_id = scope.filter_station(user, f.station_id)
    where, params = ["1 = 1"], []
    if station_id:
        where.append("c.station_id = ?")
        params.append(station_id)
    for column, value in (
        ("g.outpost_id", f.outpost_id), ("g.category", f.category), ("g.section_label", f.section_label),
        ("g.industry_label", f.industry_label), ("c.platform", f.platform), ("c.owner_user_id", f.owner_user_id),
        ("c.status", f.status), ("c.grid_id", f.grid_id),
    ):
        if value is not None and value != "":
            where.append(f"{column} = ?")
            params.append(value)
    if f.name_standard is not None:
        where.append("c.is_name_standard = ?")
        params.append(int(f.name_standard))
    text = (f.text or "").strip()[:50]
    if text:
        condition, patterns = query.matches_any(("c.name", "g.name", "c.admin_name"), text)
        where.append(condition)
        params += patterns
    return " AND ".join(where), params


def search_groups(db: sqlite_utils.Database, user: User, f: GroupFilter | None = None, *,
                  page: int = 1, page_size: int = 50) -> GroupPage:
    """One page of the registry in the user's scope, newest id last, with the total count."""
    f = f or GroupFilter()
    page_size = page_size if page_size in PAGE_SIZES else 50
    where, params = _where(user, f)
    return query.fetch_page(db, select=_COLUMNS, source=_FROM, count_source="chat_groups c JOIN grids g ON g.id = c.grid_id",
                            where=where, params=params, order="c.station_id, c.id", page=page, page_size=page_size)


def iter_groups(db: sqlite_utils.Database, user: User, f: GroupFilter | None = None):
    """Every matching group in the user's scope (for exports), streamed."""
    where, params = _where(user, f or GroupFilter())
    yield from db.query(f"{_SELECT} WHERE {where} ORDER BY c.station_id, c.id", params)


def get_group(db: sqlite_utils.Database, user: User, group_id: int) -> dict:
    """One group in the user's scope (another station's group reads as not found)."""
    row = query_one(db, "SELECT * FROM chat_groups WHERE id = ?", [group_id])
    if not row:
        raise NotFoundError()
    scope.require_station(user, row["station_id"])
    return row


def list_groups(
    db: sqlite_utils.Database, user: User, *, station_id: int | None = None,
    grid_id: int | None = None, limit: int = 50, offset: int = 0,
) -> list[dict]:
    """A page of raw group rows in the user's scope."""
    where, params = query.equals(station_id=scope.filter_station(user, station_id), grid_id=grid_id)
    return query.rows(db, select="*", source="chat_groups", where=where, params=params, order="id",
                      limit=limit, offset=offset)


def list_officers(db: sqlite_utils.Database, user: User, station_id: int) -> list[dict]:
    """Officers of a station (possible group owners): its users and its outposts' users."""
    scope.require_station(user, station_id)
    return list(db.query(
        "SELECT u.id, u.username, u.name, un.name AS unit_name FROM users u JOIN units un ON un.id = u.unit_id"
        " WHERE COALESCE(un.station_id, un.id) = ? AND un.kind != 'district_center' AND u.is_active = 1"
        " ORDER BY u.name, u.id",
        [station_id],
    ))


def _normal_phone(phone: str) -> str:
    """Landlines in one form, area code and dash: 051382123456 → 0513-82123456
    (area codes starting 01/02 have three digits, the others four)."""
    if phone.startswith("0") and "-" not in phone:
        cut = 3 if phone[1] in "12" else 4
        return f"{phone[:cut]}-{phone[cut:]}"
    return phone


def mask_webhook(url: str | None) -> str:
    """A webhook URL with its key hidden but for the last 4 characters."""
    if not url:
        return ""
    head, sep, key = url.partition("key=")
    if not sep:
        return url[:24] + "…"
    return f"{head}key=****{key[-4:]}" if len(key) > 4 else f"{head}key=****"


# --- validation ---------------------------------------------------------------------


class FieldErrors(ValidationError):
    """Several fields refused at once: ``errors`` maps field → (message key, params),
    so a form can show each message under its field and keep what was typed."""

    def __init__(self):
        super().__init__("groups.error.fields")
        self.errors: dict[str, tuple[str, dict]] = {}

    def add(self, name: str, key: str, **params) -> None:
        self.errors.setdefault(name, (key, params))


def clean_fields(db: sqlite_utils.Database, user: User, values: dict, *, group_id: int | None = None) -> dict:
    """Validate and normalize group fields; raise :class:`FieldErrors` with every problem.

    ``values`` may hold any of :data:`EDITABLE`; a new group must have a grid, a name,
    an owner and an admin. The grid decides the station, which must be in scope.
    """
    errors = FieldErrors()
    out: dict = {}
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValidationError("groups.error.unknown_field", fields=", ".join(sorted(unknown)))
    creating = group_id is None
    grid = None
    if "grid_id" in values or creating:
        grid = query_one(db, "SELECT id, station_id, name FROM grids WHERE id = ?", [values.get("grid_id")])
        if not grid or not scope.can_see_station(user, grid["station_id"]):
            errors.add("grid_id", "groups.error.grid")
        else:
            out["grid_id"] = grid["id"]
            out["station_id"] = grid["station_id"]
    if "name" in values or creating:
        name = re.sub(r"\s+", " ", str(values.get("name") or "")).strip()
        if not name:
            errors.add("name", "groups.error.name_missing")
        elif len(name) > 60:
            errors.add("name", "groups.error.name_long", max=60)
        else:
            clash = query_one(db, "SELECT id FROM chat_groups WHERE name = ? AND id != ?", [name, group_id or 0])
            if clash:
                errors.add("name", "groups.error.name_taken")
            out["name"] = name
            out["is_name_standard"] = int(naming.is_compliant(name))
    if "platform" in values or creating:
        platform = values.get("platform") or "wechat"
        if not taxonomy.is_code("platforms", platform):
            errors.add("platform", "groups.error.platform")
        out["platform"] = platform
    if "status" in values:
        if values["status"] not in STATUSES:
            errors.add("status", "groups.error.status")
        out["status"] = values["status"]
    if "member_count" in values or creating:
        count = values.get("member_count", 0)
        if isinstance(count, float) and count.is_integer():
            count = int(count)
        if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= MAX_MEMBERS:
            errors.add("member_count", "groups.error.member_count", max=MAX_MEMBERS)
        else:
            out["member_count"] = count
    if "admin_name" in values or creating:
        admin = str(values.get("admin_name") or "").strip()
        if not admin or len(admin) > 20:
            errors.add("admin_name", "groups.error.admin_name")
        out["admin_name"] = admin
    if "admin_phone" in values:
        phone = re.sub(r"[\s()（）]", "", str(values.get("admin_phone") or ""))
        if phone and not _PHONE.match(phone):
            errors.add("admin_phone", "groups.error.admin_phone")
        out["admin_phone"] = _normal_phone(phone) or None
    if "created_on" in values:
        created = str(values.get("created_on") or "").strip()
        if created and not _DATE.match(created):
            errors.add("created_on", "groups.error.created_on")
        elif created and created > clock.beijing_today():
            errors.add("created_on", "groups.error.created_on_future", value=created, today=clock.beijing_today())
        elif created and created < EARLIEST_CREATED_ON:
            errors.add("created_on", "groups.error.created_on_early", value=created, earliest=EARLIEST_CREATED_ON)
        out["created_on"] = created or None
    if "webhook_url" in values:
        url = str(values.get("webhook_url") or "").strip()
        if url and (not re.match(r"^https?://[^\s]+key=[A-Za-z0-9-]{8,}$", url) or len(url) > 500):
            errors.add("webhook_url", "groups.error.webhook")
        out["webhook_url"] = url or None
    moved = "station_id" in out and group_id is not None and out["station_id"] != query_one(
        db, "SELECT station_id FROM chat_groups WHERE id = ?", [group_id])["station_id"]
    if "owner_user_id" in values or creating or moved:
        # A group moved to another station's grid must get an owner of that station too.
        owner_id = values.get("owner_user_id") if "owner_user_id" in values or creating else query_one(
            db, "SELECT owner_user_id FROM chat_groups WHERE id = ?", [group_id])["owner_user_id"]
        station_id = out.get("station_id")
        if station_id is None and group_id is not None:
            station_id = query_one(db, "SELECT station_id FROM chat_groups WHERE id = ?", [group_id])["station_id"]
        owner = query_one(
            db,
            "SELECT COALESCE(un.station_id, un.id) AS station_id, un.kind FROM users u"
            " JOIN units un ON un.id = u.unit_id WHERE u.id = ? AND u.is_active = 1",
            [owner_id],
        ) if owner_id is not None else None
        if not owner or owner["kind"] == "district_center" or owner["station_id"] != station_id:
            errors.add("owner_user_id", "groups.error.owner")
        out["owner_user_id"] = owner_id
    if errors.errors:
        raise errors
    return out


# --- writes -------------------------------------------------------------------------


def insert_group(db: sqlite_utils.Database, user: User, values: dict, *, action: str = "create") -> int:
    """Validate and insert a group inside the caller's transaction; audited as ``action``.
    Returns the new id. (Plain SQL: sqlite-utils' insert() inspects the table on every
    call, most of the time of a 20,000-row import; column names come from clean_fields.)"""
    row = clean_fields(db, user, values)
    row.update(created_at=utcnow(), status=row.get("status", "active"))
    row["members_updated_at"] = row["created_at"]  # the count was given now (the 基础 duty's freshness)
    group_id = db.execute(f"INSERT INTO chat_groups ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                          list(row.values())).lastrowid
    audit.record(db, user, action, "chat_groups", group_id, after=row)
    return group_id


def change_group(db: sqlite_utils.Database, user: User, group_id: int, changes: dict, *,
                 action: str = "update") -> dict:
    """Validate and apply changes inside the caller's transaction; audited as ``action``
    with before and after of what changed. Returns the changed fields ({} if none)."""
    before = get_group(db, user, group_id)
    cleaned = clean_fields(db, user, changes, group_id=group_id)
    changed = {k: v for k, v in cleaned.items() if before.get(k) != v}
    if not changed:
        return {}
    if "webhook_url" in changed:
        changed["webhook_state"] = "ok"  # a new robot address gets a new chance
    changed["updated_at"] = utcnow()
    if "member_count" in changed:
        changed["members_updated_at"] = changed["updated_at"]
    db.execute(f"UPDATE chat_groups SET {', '.join(f'{k} = ?' for k in changed)} WHERE id = ?",
               [*changed.values(), group_id])
    shown = [k for k in changed if k not in ("updated_at", "members_updated_at")]  # bookkeeping, not the change
    audit.record(db, user, action, "chat_groups", group_id,
                 before={k: before.get(k) for k in shown}, after={k: changed[k] for k in shown})
    return changed


def create_group(db: sqlite_utils.Database, user: User, values: dict) -> dict:
    """Register a new group in its own transaction; audited. Refusals raise :class:`FieldErrors`."""
    with write_transaction(db):
        group_id = insert_group(db, user, values)
    return get_group(db, user, group_id)


def update_group(db: sqlite_utils.Database, user: User, group_id: int, changes: dict) -> dict:
    """Change a group's fields in their own transaction; audited with before and after.

    Refusals raise :class:`FieldErrors` (or ``ValidationError`` for an unknown field).
    """
    with write_transaction(db):
        change_group(db, user, group_id, changes)
    return get_group(db, user, group_id)


# --- naming standard ------------------------------------------------------------------


def propose_name(db: sqlite_utils.Database, group_id: int, taken: set[str] | None = None) -> str:
    """The standard name for a group: its station, its grid, and its rank among the
    grid's groups; bumped until it clashes with no other group (nor with ``taken``)."""
    row = query_one(
        db,
        "SELECT c.id, c.grid_id, g.name AS grid_name, st.name AS station_name FROM chat_groups c"
        " JOIN grids g ON g.id = c.grid_id JOIN units st ON st.id = c.station_id WHERE c.id = ?",
        [group_id],
    )
    seq = db.execute("SELECT COUNT(*) FROM chat_groups WHERE grid_id = ? AND id <= ?",
                     [row["grid_id"], group_id]).fetchone()[0]
    taken = taken or set()
    while True:
        name = naming.standard_group_name(row["station_name"], row["grid_name"], seq)
        clash = query_one(db, "SELECT id FROM chat_groups WHERE name = ? AND id != ?", [name, group_id])
        if not clash and name not in taken:
            return name
        seq += 1


def next_standard_name(db: sqlite_utils.Database, user: User, grid_id: int) -> str:
    """The standard name a new group of this grid would get: the next free rank."""
    grid = query_one(db, "SELECT g.name, g.station_id, st.name AS station_name FROM grids g"
                         " JOIN units st ON st.id = g.station_id WHERE g.id = ?", [grid_id])
    if not grid:
        raise NotFoundError()
    scope.require_station(user, grid["station_id"])
    seq = db.execute("SELECT COUNT(*) FROM chat_groups WHERE grid_id = ?", [grid_id]).fetchone()[0] + 1
    while True:
        name = naming.standard_group_name(grid["station_name"], grid["name"], seq)
        if not db.execute("SELECT 1 FROM chat_groups WHERE name = ?", [name]).fetchone():
            return name
        seq += 1


def list_nonstandard(db: sqlite_utils.Database, user: User, f: GroupFilter | None = None,
                     limit: int = 500) -> list[dict]:
    """Groups whose names break the standard, each with its proposed standard name."""
    f = f or GroupFilter()
    f.name_standard = False
    rows = []
    taken: set[str] = set()
    for r in iter_groups(db, user, f):
        if len(rows) >= limit:
            break
        r["proposed_name"] = propose_name(db, r["id"], taken)
        taken.add(r["proposed_name"])
        rows.append(r)
    return rows


def rename_to_standard(db: sqlite_utils.Database, user: User, group_ids: list[int]) -> int:
    """Rename the given groups to their proposed standard names in one transaction, one
    audit row each; returns how many were renamed."""
    renamed = 0
    with write_transaction(db):
        taken: set[str] = set()
        for group_id in group_ids:
            before = get_group(db, user, group_id)
            if before["is_name_standard"]:
                continue
            name = propose_name(db, group_id, taken)
            taken.add(name)
            db.execute("UPDATE chat_groups SET name = ?, is_name_standard = ?, updated_at = ? WHERE id = ?",
                       [name, int(naming.is_compliant(name)), utcnow(), group_id])
            audit.record(db, user, "rename_standard", "chat_groups", group_id,
                         before={"name": before["name"]}, after={"name": name})
            renamed += 1
    return renamed
