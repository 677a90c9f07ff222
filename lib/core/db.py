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
from pathlib import Path

import sqlite_utils

from lib.core.errors import DatabaseError
from lib.core.migrations import apply_migrations

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DB_PATH = ROOT / "data" / "portal.db"
BUSY_TIMEOUT_S = 30.0
# Pages of write-ahead log after which a committing connection copies the log back into the
# database file itself (SQLite's default is 1,000). The delivery worker checkpoints after every
# pass (:func:`checkpoint`), so in service the log rarely gets here; this is the safety net for
# when no worker runs. Each checkpoint also syncs the file, so doing it on a request every
# ~80 tips (a tip dirties about 12 pages) cost every sender; see the intake figures in bench/tips.py.
WAL_AUTOCHECKPOINT_PAGES = 10_000


def db_path() -> Path:
    """The database file: ``PORTAL_DB`` if set, else ``data/portal.db``."""
    return Path(os.environ.get("PORTAL_DB") or DEFAULT_DB_PATH)


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
            conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")
    except sqlite3.DatabaseError as exc:
        # "file is not a database", "unable to open database file", read-only folder …
        key = "error.db_corrupt" if "not a database" in str(exc) else "error.db_unwritable"
        raise DatabaseError(key, path=str(path), detail=str(exc)) from exc
    db = sqlite_utils.Database(conn)
    db.path = str(path)  # what caches keyed by database (e.g. tips' routing index) use
    if migrate:
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
            raise DatabaseError("error.db_unwritable", path=getattr(db, "path", "?"), detail=str(exc)) from exc


def checkpoint(db: sqlite_utils.Database) -> dict:
    """Copy committed pages from the write-ahead log into the database file and sync it,
    without waiting for or blocking anyone (``PASSIVE``): pages still read by an open
    transaction stay for the next call. Under WAL + ``synchronous = NORMAL`` a commit is
    safe from a crash of the program at once, and from a power cut once checkpointed: the
    worker calls this after every pass, so that is seconds, not ~10,000 pages, later.

    Returns ``{"busy", "log_pages", "checkpointed_pages"}`` (SQLite's three numbers)."""
    busy, log_pages, done = db.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return {"busy": busy, "log_pages": log_pages, "checkpointed_pages": done}


def backup(db: sqlite_utils.Database, target: str | Path) -> int:
    """Copy the whole database, the write-ahead log's commits included, into a new file at
    ``target`` while the portal keeps running (SQLite's online backup). Returns its size in pages.
    Refuses to overwrite: an existing file is more likely an older backup than a mistake to repeat."""
    target = Path(target)
    if target.exists():
        raise DatabaseError("error.backup_exists", path=str(target))
    out = sqlite3.connect(str(target))
    try:
        db.conn.backup(out)
        return out.execute("PRAGMA page_count").fetchone()[0]
    finally:
        out.close()


def query_one(db: sqlite_utils.Database, sql: str, params: dict | list | tuple = ()) -> dict | None:
    """The first row of a query as a dict, or ``None``."""
    for row in db.query(sql, params):
        return row
    return None


def query_value(db: sqlite_utils.Database, sql: str, params: dict | list | tuple = ()):
    """The first column of the first row, or ``None``."""
    row = db.execute(sql, params).fetchone()
    return row[0] if row else None
