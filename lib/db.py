"""The SQLite data layer: one connection per script run, pragmas, numbered migrations.

Every write goes through :func:`write_transaction`, which takes SQLite's write lock up
front (``BEGIN IMMEDIATE``): a deferred transaction that reads and then writes fails
at once under WAL with "database is locked", whatever the busy timeout.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from lib.errors import PortalError

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = ROOT / "data" / "portal.db"
BUSY_TIMEOUT_S = 30.0


class DatabaseError(PortalError):
    """The database file cannot be opened, written or migrated."""


def db_path() -> Path:
    """The database file: ``PORTAL_DB`` if set, else ``data/portal.db``."""
    return Path(os.environ.get("PORTAL_DB") or DEFAULT_DB_PATH)


def utcnow() -> str:
    """The current time as ISO-8601 UTC with seconds, the format of every ``*_at`` column."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def connect(path: str | Path | None = None, *, migrate: bool = True) -> sqlite_utils.Database:
    """Open the database (creating it if missing), set pragmas and apply pending migrations.

    The connection is in autocommit mode: reads see committed data, and writes are
    grouped explicitly with :func:`write_transaction`. ``check_same_thread=False`` lets
    a worker hand the connection to a helper thread, but a connection must still never
    be shared between Streamlit sessions: open one per script run.
    """
    path = Path(path) if path is not None else db_path()
    if str(path) != ":memory:":
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError("error.db_unwritable", path=str(path)) from exc
    try:
        conn = sqlite3.connect(
            str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        if str(path) != ":memory:":
            conn.execute("PRAGMA journal_mode = WAL")
            # WAL + NORMAL is durable against application crashes; a power loss may lose
            # the last commits but never corrupts the file.
            conn.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.DatabaseError as exc:
        # "file is not a database", "unable to open database file", read-only folder …
        key = "error.db_corrupt" if "not a database" in str(exc) else "error.db_unwritable"
        raise DatabaseError(key, path=str(path), detail=str(exc)) from exc
    db = sqlite_utils.Database(conn)
    db.path = str(path)  # what caches keyed by database (e.g. tips' routing index) use
    if migrate:
        from lib.migrations import apply_migrations

        apply_migrations(db)
    return db


@contextlib.contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """Run a block as one write transaction: ``BEGIN IMMEDIATE`` … ``COMMIT``, or roll back.

    Nested use becomes a savepoint, so a domain function can call another that writes.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    try:
        db.conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise DatabaseError("error.db_busy", detail=str(exc)) from exc
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    else:
        try:
            db.conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            raise DatabaseError("error.db_unwritable", detail=str(exc)) from exc


def query_one(db: sqlite_utils.Database, sql: str, params: dict | list | tuple = ()) -> dict | None:
    """The first row of a query as a dict, or ``None``."""
    for row in db.query(sql, params):
        return row
    return None


def query_value(db: sqlite_utils.Database, sql: str, params: dict | list | tuple = ()):
    """The first column of the first row, or ``None``."""
    row = db.execute(sql, params).fetchone()
    return row[0] if row else None
