"""Account administration in the portal (账户管理): who may log in, as what, where.

A district admin administers every account; a station admin the clerks of their own station;
clerks none. A new account and a reset get a temporary password, shown once to the admin who
hands it over; its owner must replace it at the first login (``users.must_change_password``,
see :mod:`lib.core.auth`). Every change is audited in its own write transaction, and nobody
can leave the district without an active district admin.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import sqlite_utils

from lib.core import audit, auth, clock
from lib.core.db import query_one, write_transaction
from lib.core.errors import NotFoundError, ScopeError
from lib.core.query import matches_any

# Letters and digits that cannot be mistaken for one another when read out or copied by hand.
_TEMP_LETTERS = "abcdefghjkmnpqrstuvwxyz"
_TEMP_DIGITS = "23456789"
TEMP_LENGTH = 10


def temporary_password() -> str:
    """A random password to hand over: 10 characters, letters and digits both (so it passes the
    strength rule a user's own password must pass), none of 0/O, 1/l/I."""
    while True:
        text = "".join(secrets.choice(_TEMP_LETTERS + _TEMP_DIGITS) for _ in range(TEMP_LENGTH))
        if any(c in _TEMP_DIGITS for c in text) and any(c in _TEMP_LETTERS for c in text):
            return text


def _require_admin(actor: auth.User) -> None:
    if not actor.is_admin:
        raise ScopeError()


_LIST_SQL = f"""
SELECT u.id, u.username, u.name, u.role, u.unit_id, un.name AS unit_name, un.kind AS unit_kind,
       u.is_active, u.password_hash IS NOT NULL AS can_log_in, u.must_change_password,
       {auth.STATION_OF_UNIT} AS station_id
FROM users u JOIN units un ON un.id = u.unit_id
"""


def list_accounts(db: sqlite_utils.Database, actor: auth.User, search: str = "", *,
                  with_records: bool = False) -> list[dict]:
    """The accounts ``actor`` may see: every account for a district admin, the station's own for a
    station admin. Each row says whether the actor may administer it (``can_manage``) and whether it is
    locked out now (``locked``). ``search`` matches username, name or unit. Officers kept only as
    records (group owners without a login) are left out unless ``with_records``: a reset gives one a
    login."""
    _require_admin(actor)
    where, params = ([], []) if with_records else (["u.password_hash IS NOT NULL"], [])
    if not actor.is_district:
        where.append(f"{auth.STATION_OF_UNIT} = ?")
        params.append(actor.station_id)
    if search.strip():
        condition, patterns = matches_any(("u.username", "u.name", "un.name"), search.strip())
        where.append(condition)
        params += patterns
    sql = _LIST_SQL + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY un.code, u.role, u.username"
    rows = [dict(r) for r in db.query(sql, params)]
    recent = {r[0] for r in db.execute(
        "SELECT DISTINCT username FROM login_failures WHERE failed_at > ?",
        [clock.stamp(datetime.now(UTC) - 2 * auth.LOCK_WINDOW)])}
    for row in rows:
        row["can_manage"] = auth.may_manage(actor, row)
        row["locked"] = row["username"] in recent and auth.locked_until(db, row["username"]) is not None
    return rows


def unit_choices(db: sqlite_utils.Database, actor: auth.User) -> list[dict]:
    """Units ``actor`` may put an account in, as ``{"id", "name", "kind"}``: every unit for a district
    admin, the own station and its outposts for a station admin."""
    _require_admin(actor)
    if actor.is_district:
        rows = db.query("SELECT id, name, kind FROM units ORDER BY kind != 'district_center', code")
    else:
        rows = db.query("SELECT id, name, kind FROM units WHERE id = ? OR station_id = ? ORDER BY kind, code",
                        [actor.station_id, actor.station_id])
    return [dict(r) for r in rows]


def role_choices(actor: auth.User) -> tuple[str, ...]:
    """The roles ``actor`` may give: any for a district admin, clerk for a station admin."""
    _require_admin(actor)
    return auth.ROLES if actor.is_district else ("clerk",)


def create_account(db: sqlite_utils.Database, actor: auth.User, *, username: str, name: str, role: str,
                   unit_id: int) -> str:
    """Create an account with a temporary password, which is returned (to show once) and must be
    changed at the first login. Scope and checks as :func:`lib.core.auth.create_user`."""
    _require_admin(actor)
    password = temporary_password()
    auth.create_user(db, actor, username=username, name=name, role=role, unit_id=unit_id, password=password,
                     must_change_password=True)
    return password


def reset_password(db: sqlite_utils.Database, actor: auth.User, username: str) -> str:
    """Give an account a new temporary password (returned, to show once); its sessions end, its failed
    logins are forgotten (a locked account is unlocked), and the owner must change it at the next login."""
    _require_admin(actor)
    password = temporary_password()
    auth.set_password(db, actor, username, password)
    return password


def set_active(db: sqlite_utils.Database, actor: auth.User, username: str, active: bool) -> None:
    """Disable or re-enable an account (see :func:`lib.core.auth.set_active`)."""
    _require_admin(actor)
    auth.set_active(db, actor, username, active)


def change_role(db: sqlite_utils.Database, actor: auth.User, username: str, role: str, unit_id: int) -> None:
    """A district admin moves an account to another role and unit (a district admin belongs to the
    district center, anyone else to a station or outpost). The last active district admin keeps the role."""
    if not actor.is_district:
        raise ScopeError()
    name = auth.normalize_username(username)
    with write_transaction(db):
        row = query_one(db, "SELECT id, role, unit_id, is_active FROM users WHERE username = ?", [name])
        if not row:
            raise NotFoundError()
        auth.role_unit(db, role, unit_id)
        if (role, unit_id) == (row["role"], row["unit_id"]):
            return
        if row["role"] == "district_admin" and role != "district_admin" and row["is_active"]:
            auth.refuse_last_district_admin(db, row["id"], "role")
        db.execute("UPDATE users SET role = ?, unit_id = ? WHERE id = ?", [role, unit_id, row["id"]])
        audit.record(db, actor, "change_role", "users", row["id"],
                     before={"role": row["role"], "unit_id": row["unit_id"]},
                     after={"role": role, "unit_id": unit_id})
