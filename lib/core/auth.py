"""Accounts, passwords, lockout and cookie revocation — the logic behind the login page.

streamlit-authenticator draws nothing of ours and keeps its state in memory; what must
survive a restart lives here, in SQLite:
- failed logins with a time window (``login_failures``): 5 failures within 15 minutes
  lock the account until 15 minutes after the fifth;
- ``users.logged_out_at``: a re-authentication cookie issued before the last logout
  is refused (the library's logout does not revoke its cookie);
- a cookie naming a deleted or disabled user is refused before the library sees it
  (the library would raise ``LoginError``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import bcrypt
import jwt
import sqlite_utils

from lib.core import audit, clock
from lib.core.clock import utcnow
from lib.core.db import query_one, write_transaction
from lib.core.errors import NotFoundError, ScopeError, ValidationError

ROLES = ("district_admin", "station_admin", "clerk")
MAX_FAILURES = 5
LOCK_WINDOW = timedelta(minutes=15)
BCRYPT_COST = 12
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 72  # bcrypt ignores bytes past 72


@dataclass(frozen=True)
class User:
    """The acting user, as every lib function receives it.

    ``station_id`` is the station whose data the user works on (``None`` for the district
    center). Scope is derived from the database on every script run, never trusted
    from the browser.
    """

    id: int
    username: str
    name: str
    role: str
    unit_id: int
    unit_kind: str
    unit_name: str
    station_id: int | None
    email: str | None = None
    must_change_password: bool = False  # an admin set the password: only 我的账户 opens until it is changed

    @property
    def is_district(self) -> bool:
        return self.role == "district_admin"

    @property
    def is_admin(self) -> bool:
        return self.role in ("district_admin", "station_admin")


def normalize_username(username: str) -> str:
    """Usernames are stored stripped and lower-cased, as streamlit-authenticator compares them."""
    return (username or "").strip().lower()


def hash_password(password: str) -> str:
    """bcrypt hash (cost 12) of the password as the library sees it: stripped of spaces."""
    return bcrypt.hashpw(password.strip().encode(), bcrypt.gensalt(BCRYPT_COST)).decode()


def check_password(password: str, password_hash: str | None) -> bool:
    """True when ``password`` (stripped) matches the hash; never raises on a bad hash."""
    if not password_hash:
        return False
    try:
        return bcrypt.checkpw((password or "").strip().encode(), password_hash.encode())
    except ValueError:
        return False


def validate_password(password: str) -> str:
    """The password as it will be stored (stripped), or a :class:`ValidationError`."""
    cleaned = (password or "").strip()
    if len(cleaned) < MIN_PASSWORD_LENGTH:
        raise ValidationError("error.password_short", field="password", min=MIN_PASSWORD_LENGTH)
    if len(cleaned.encode()) > MAX_PASSWORD_LENGTH:
        raise ValidationError("error.password_long", field="password", max=MAX_PASSWORD_LENGTH)
    return cleaned


# The station a user works for, from their unit ``un`` (None for the district center).
STATION_OF_UNIT = "COALESCE(un.station_id, CASE WHEN un.kind = 'station' THEN un.id END)"

_USER_SQL = f"""
SELECT u.id, u.username, u.name, u.email, u.role, u.unit_id, u.is_active, u.password_hash,
       u.logged_out_at, u.must_change_password, un.kind AS unit_kind, un.name AS unit_name,
       {STATION_OF_UNIT} AS station_id
FROM users u JOIN units un ON un.id = u.unit_id
"""


def _to_user(row: dict) -> User:
    return User(
        id=row["id"],
        username=row["username"],
        name=row["name"],
        role=row["role"],
        unit_id=row["unit_id"],
        unit_kind=row["unit_kind"],
        unit_name=row["unit_name"],
        station_id=row["station_id"],
        email=row["email"],
        must_change_password=bool(row["must_change_password"]),
    )


def load_user(db: sqlite_utils.Database, username: str) -> User | None:
    """The active user with a password (one who may log in), or ``None``."""
    row = query_one(
        db,
        _USER_SQL + " WHERE u.username = ? AND u.is_active = 1 AND u.password_hash IS NOT NULL",
        [normalize_username(username)],
    )
    return _to_user(row) if row else None


def get_user_by_id(db: sqlite_utils.Database, user_id: int) -> User:
    """Any user (officers without a login included) by id."""
    row = query_one(db, _USER_SQL + " WHERE u.id = ?", [user_id])
    if not row:
        raise NotFoundError()
    return _to_user(row)


# --- lockout -------------------------------------------------------------------------


_parse = clock.parse


def locked_until(db: sqlite_utils.Database, username: str, now: datetime | None = None) -> datetime | None:
    """When the account's lock ends, or ``None`` if it is not locked now.

    The fifth failure within :data:`LOCK_WINDOW` locks the account for :data:`LOCK_WINDOW` from that
    failure (failures at 0, 3, 6, 9 and 14 minutes: locked until 29). A lock can only have started in
    the last window, and the failures that started it within the window before: two windows of rows
    (the table keeps that much, see :func:`_record_failure`)."""
    now = now or datetime.now(UTC)
    failures = [_parse(r[0]) for r in db.execute(
        "SELECT failed_at FROM login_failures WHERE username = ? AND failed_at > ? AND failed_at <= ?"
        " ORDER BY failed_at",
        [normalize_username(username), clock.stamp(now - 2 * LOCK_WINDOW), clock.stamp(now)])]
    ends = [failures[k] + LOCK_WINDOW for k in range(MAX_FAILURES - 1, len(failures))
            if failures[k] - failures[k - MAX_FAILURES + 1] <= LOCK_WINDOW]
    until = max(ends, default=None)
    return until if until is not None and now < until else None


def _record_failure(db: sqlite_utils.Database, username: str, now: datetime) -> None:
    with write_transaction(db):
        db.execute(
            "INSERT INTO login_failures (username, failed_at) VALUES (?, ?)",
            [username, clock.stamp(now)],
        )
        # Keep the table small: older rows no longer count.
        db.execute(
            "DELETE FROM login_failures WHERE failed_at < ?",
            [clock.stamp(now - 2 * LOCK_WINDOW)],
        )


@dataclass(frozen=True)
class LoginResult:
    """Outcome of a password login: ``user`` on success, else a message key."""

    user: User | None
    message_key: str | None = None
    locked_until: datetime | None = None


def authenticate(
    db: sqlite_utils.Database, username: str, password: str, now: datetime | None = None
) -> LoginResult:
    """Check a username and password against SQLite, honouring the lockout.

    Unknown user, wrong password and disabled account read the same
    (``login.failed``), so the form does not reveal which usernames exist. A locked
    account says so only once the lock exists, whichever username was typed.
    """
    now = now or datetime.now(UTC)
    name = normalize_username(username)
    if not name or not (password or "").strip():
        return LoginResult(None, "login.missing")
    until = locked_until(db, name, now)
    if until:
        return LoginResult(None, "login.locked", until)
    row = query_one(
        db, "SELECT password_hash FROM users WHERE username = ? AND is_active = 1", [name]
    )
    if row and check_password(password, row["password_hash"]):
        with write_transaction(db):
            db.execute("DELETE FROM login_failures WHERE username = ?", [name])
            user = load_user(db, name)
            audit.record(db, user, "login", "users", user.id)
        return LoginResult(user)
    if not row:
        # Spend the time of a hash check so that response time does not reveal it either.
        check_password(password, _DUMMY_HASH)
    _record_failure(db, name, now)
    until = locked_until(db, name, now)
    if until:
        return LoginResult(None, "login.locked", until)
    return LoginResult(None, "login.failed")


_DUMMY_HASH = bcrypt.hashpw(b"not-a-password", bcrypt.gensalt(4)).decode()


# --- cookies and logout ----------------------------------------------------------------


def cookie_user(
    db: sqlite_utils.Database, token: str | None, cookie_key: str, expiry_days: float
) -> User | None:
    """The user a re-authentication cookie may log in, or ``None`` to show the login form.

    Refuses a bad signature, an expired cookie, a deleted or disabled user, and a cookie
    issued before the user's last logout. The library's JWT carries only ``username``
    and ``exp_date``; the issue time is ``exp_date`` less the configured lifetime.
    """
    if not token or not isinstance(token, str):
        return None
    try:
        payload = jwt.decode(token, cookie_key, algorithms=["HS256"])
    except jwt.PyJWTError:
        return None
    username, exp = payload.get("username"), payload.get("exp_date")
    if not isinstance(username, str) or not isinstance(exp, (int, float)):
        return None
    now = datetime.now(UTC).timestamp()
    if exp <= now:
        return None
    row = query_one(
        db,
        "SELECT logged_out_at FROM users WHERE username = ? AND is_active = 1"
        " AND password_hash IS NOT NULL",
        [normalize_username(username)],
    )
    if not row:
        return None
    issued_at = exp - expiry_days * 86400
    if row["logged_out_at"] and issued_at <= _timestamp(row["logged_out_at"]):
        return None
    return load_user(db, username)


def _timestamp(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def record_logout(db: sqlite_utils.Database, user: User) -> None:
    """Revoke every cookie issued to the user until now (all browsers, all sessions)."""
    now = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    with write_transaction(db):
        db.execute("UPDATE users SET logged_out_at = ? WHERE id = ?", [now, user.id])
        audit.record(db, user, "logout", "users", user.id)


def credentials(db: sqlite_utils.Database) -> dict:
    """The credentials dict streamlit-authenticator expects, for users who may log in."""
    users = {}
    for row in db.query(
        "SELECT username, name, email, role, password_hash FROM users"
        " WHERE is_active = 1 AND password_hash IS NOT NULL"
    ):
        users[row["username"]] = {
            "name": row["name"],
            "email": row["email"] or "",
            "password": row["password_hash"],
            "roles": [row["role"]],
        }
    return {"usernames": users}


# --- account administration ------------------------------------------------------------


def create_user(
    db: sqlite_utils.Database,
    actor: User | None,
    *,
    username: str,
    name: str,
    role: str,
    unit_id: int,
    password: str | None,
    email: str | None = None,
    is_demo: bool = False,
    must_change_password: bool = False,
) -> User | int:
    """Create a staff account; return the :class:`User` (or the id of one with no login).

    ``actor`` is ``None`` only from the command line (the first district admin). A
    station admin may create clerks of their own station; a district admin anyone. A
    user without a password is a record (e.g. an officer who owns groups) who cannot
    log in until a password is set.
    """
    username = normalize_username(username)
    name = (name or "").strip()
    if not username or len(username) > 64 or not all(c.isalnum() or c in "._-" for c in username):
        raise ValidationError("error.username_invalid", field="username")
    if not name or len(name) > 64:
        raise ValidationError("error.name_invalid", field="name")
    unit = role_unit(db, role, unit_id)
    if actor is not None and not actor.is_district:
        if actor.role != "station_admin" or role != "clerk" or unit["station_id"] != actor.station_id:
            raise ScopeError()
    password_hash = hash_password(strong_enough(password)) if password else None
    with write_transaction(db):
        if db.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchone():
            raise ValidationError("error.username_taken", field="username")
        user_id = db["users"].insert(
            {
                "username": username,
                "name": name,
                "email": email,
                "role": role,
                "unit_id": unit_id,
                "password_hash": password_hash,
                "is_demo": int(is_demo),
                "must_change_password": int(must_change_password and password_hash is not None),
                "created_at": utcnow(),
            }
        ).last_pk
        audit.record(
            db, actor, "create", "users", user_id,
            after={"username": username, "role": role, "unit_id": unit_id},
        )
    return load_user(db, username) if password_hash else user_id


def role_unit(db: sqlite_utils.Database, role: str, unit_id: int) -> dict:
    """The unit an account of ``role`` is put in (``id``, ``kind``, ``station_id``), or a refusal: a
    district admin sits in the district center, everyone else in a station or an outpost."""
    if role not in ROLES:
        raise ValidationError("error.role_invalid", field="role")
    unit = query_one(db, "SELECT id, kind, COALESCE(station_id, id) AS station_id FROM units WHERE id = ?", [unit_id])
    if not unit:
        raise ValidationError("error.unit_invalid", field="unit")
    if (role == "district_admin") != (unit["kind"] == "district_center"):
        raise ValidationError("error.role_unit_mismatch", field="role")
    return unit


def refuse_last_district_admin(db: sqlite_utils.Database, user_id: int, field: str) -> None:
    """Refuse a change that would leave no other active district admin who can log in than ``user_id``.
    Call it inside the write transaction, so that two admins changing each other cannot both pass."""
    others = db.execute("SELECT COUNT(*) FROM users WHERE role = 'district_admin' AND is_active = 1"
                        " AND password_hash IS NOT NULL AND id != ?", [user_id]).fetchone()[0]
    if others == 0:
        raise ValidationError("error.last_district_admin", field=field)


_TARGET_SQL = (f"SELECT u.id, u.role, u.is_active, {STATION_OF_UNIT} AS station_id"
               " FROM users u JOIN units un ON un.id = u.unit_id WHERE u.username = ?")


def may_manage(actor: User, target: dict) -> bool:
    """Whether ``actor`` may administer the account ``target`` (a row with ``role`` and ``station_id``):
    a district admin any account, a station admin the clerks of their own station, nobody else."""
    if actor.is_district:
        return True
    return actor.role == "station_admin" and target["role"] == "clerk" and target["station_id"] == actor.station_id


def _managed_target(db: sqlite_utils.Database, actor: User | None, name: str) -> dict:
    """The account ``name`` inside a write transaction, or NotFound; ScopeError when ``actor`` (None: the
    command line) may not administer it — an account out of scope reads as forbidden, never as absent,
    only to those who may see the station's list anyway."""
    row = query_one(db, _TARGET_SQL, [name])
    if not row:
        raise NotFoundError()
    if actor is not None and not may_manage(actor, row):
        raise ScopeError()
    return row


def set_password(db: sqlite_utils.Database, actor: User | None, username: str, password: str) -> None:
    """Set a new password (the command line, a district admin, or a station admin for a clerk of the
    station); ends the user's sessions and clears their failed logins. A password set in the portal
    must be changed by its owner at the next login (two people know it)."""
    if actor is not None and not actor.is_admin:
        raise ScopeError()
    password_hash = hash_password(strong_enough(password))
    name = normalize_username(username)
    with write_transaction(db):
        row = _managed_target(db, actor, name)
        now = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
        db.execute(
            "UPDATE users SET password_hash = ?, logged_out_at = ?, must_change_password = ? WHERE id = ?",
            [password_hash, now, int(actor is not None), row["id"]],
        )
        db.execute("DELETE FROM login_failures WHERE username = ?", [name])
        audit.record(db, actor, "reset_password", "users", row["id"])


def strong_enough(password: str) -> str:
    """A password anyone sets (its owner, an admin, the command line): long enough (:func:`validate_password`) and mixing at least two of
    letters, digits and other characters — "12345678" or "password" alone is refused."""
    cleaned = validate_password(password)
    classes = sum(bool(re.search(p, cleaned)) for p in (r"[A-Za-z]", r"\d", r"[^A-Za-z\d]"))
    if classes < 2:
        raise ValidationError("account.error.weak", field="new")
    return cleaned


def change_password(db: sqlite_utils.Database, user: User, current: str, new: str, repeat: str,
                    now: datetime | None = None) -> datetime:
    """A user changes their own password: the current one, the new one twice. Ends every session and
    cookie of the user issued until now (the caller starts the current session anew); returns that
    moment. A wrong current password counts towards the lockout like a failed login."""
    now = now or datetime.now(UTC)
    if locked_until(db, user.username, now):
        raise ValidationError("account.error.locked", field="current")
    row = query_one(db, "SELECT password_hash FROM users WHERE id = ? AND is_active = 1", [user.id])
    if not row or not check_password(current or "", row["password_hash"]):
        _record_failure(db, user.username, now)
        raise ValidationError("account.error.current_wrong", field="current")
    if (new or "").strip() != (repeat or "").strip():
        raise ValidationError("account.error.mismatch", field="repeat")
    cleaned = strong_enough(new)
    if check_password(cleaned, row["password_hash"]):
        raise ValidationError("account.error.same", field="new")
    revoked = now.isoformat(timespec="microseconds").replace("+00:00", "Z")
    with write_transaction(db):
        db.execute("UPDATE users SET password_hash = ?, logged_out_at = ?, must_change_password = 0 WHERE id = ?",
                   [hash_password(cleaned), revoked, user.id])
        audit.record(db, user, "change_password", "users", user.id)
    return now


def set_active(db: sqlite_utils.Database, actor: User | None, username: str, active: bool) -> None:
    """Enable or disable an account (the command line, a district admin, or a station admin for a clerk
    of the station). Nobody disables their own account in the portal. A disabled user's sessions end at
    their next click (:func:`load_user` no longer finds them)."""
    if actor is not None and not actor.is_admin:
        raise ScopeError()
    name = normalize_username(username)
    with write_transaction(db):
        row = _managed_target(db, actor, name)
        if actor is not None and not active and row["is_active"] and row["role"] == "district_admin":
            # In the portal nobody may disable the last district admin who can log in (the command line
            # may: its operator can enable the account again).
            refuse_last_district_admin(db, row["id"], "username")
        if actor is not None and not active and row["id"] == actor.id:
            raise ValidationError("error.disable_self", field="username")
        db.execute("UPDATE users SET is_active = ? WHERE id = ?", [int(active), row["id"]])
        audit.record(
            db, actor, "enable" if active else "disable", "users", row["id"],
            before={"is_active": row["is_active"]}, after={"is_active": int(active)},
        )
