"""Backups: the worker's daily online copy of the database (keeping the last N), and restoring one.

A backup is SQLite's online backup (:func:`lib.core.db.backup`): it may run while the portal does and
holds the write-ahead log's commits. Daily copies are named by the Beijing date
(``portal-2026-12-05.db``) in ``PORTAL_BACKUP_DIR`` (default ``data/backups``); the newest
``PORTAL_BACKUP_KEEP`` (default 14) are kept. A restore checks the copy's integrity and that it is a
portal database before it touches anything, and keeps the database it replaces beside it."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from lib.core import clock
from lib.core.db import ROOT, backup
from lib.core.errors import DatabaseError

PREFIX = "portal-"


def backup_dir() -> Path:
    """Where daily backups go: ``PORTAL_BACKUP_DIR``, else ``data/backups``."""
    return Path(os.environ.get("PORTAL_BACKUP_DIR") or ROOT / "data" / "backups")


def keep() -> int:
    """How many daily backups to keep (``PORTAL_BACKUP_KEEP``, default 14, at least 1)."""
    try:
        return max(1, int(os.environ.get("PORTAL_BACKUP_KEEP") or 14))
    except ValueError:
        return 14


def daily_backup(db: sqlite_utils.Database, now: datetime | None = None) -> Path | None:
    """Today's backup (Beijing date) if there is none yet, then the oldest beyond :func:`keep` removed.
    Returns the file made, or None when today's exists. Written under a temporary name and renamed,
    so a backup cut short never looks like a good one."""
    folder = backup_dir()
    folder.mkdir(parents=True, exist_ok=True)
    day = clock.beijing(clock.stamp(now or datetime.now(UTC)))[:10]
    target = folder / f"{PREFIX}{day}.db"
    made = None
    if not target.exists():
        partial = folder / f".{target.name}.partial"
        partial.unlink(missing_ok=True)
        backup(db, partial)
        partial.rename(target)
        made = target
    for old in sorted(folder.glob(f"{PREFIX}*.db"))[:-keep()]:
        old.unlink()
    return made


def check(path: str | Path) -> dict[str, int]:
    """Rows per table of a backup that passes SQLite's integrity check and holds the portal's schema;
    else :class:`DatabaseError` (nothing is changed)."""
    path = Path(path)
    if not path.is_file():
        raise DatabaseError("error.restore_missing", path=str(path))
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = [r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
            if result != "ok" or "schema_migrations" not in tables:
                raise DatabaseError("error.restore_bad", path=str(path), detail=str(result))
            return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in sorted(tables)}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseError("error.restore_bad", path=str(path), detail=str(exc)) from exc


def restore(source: str | Path, target: str | Path) -> dict[str, int]:
    """Replace the database at ``target`` by the backup ``source`` after :func:`check` passed; the
    database replaced is kept as ``<target>.before-restore-<stamp>.db`` (an online backup of it).
    Returns the rows per table now in ``target``. Stop the portal and the worker first."""
    counts = check(source)
    target = Path(target)
    if target.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        current = sqlite_utils.Database(sqlite3.connect(str(target)))
        try:
            backup(current, target.with_name(f"{target.name}.before-restore-{stamp}.db"))
        finally:
            current.conn.close()
    src = sqlite3.connect(f"file:{Path(source)}?mode=ro", uri=True)
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)  # page by page into the live file, its write-ahead log included
    finally:
        src.close()
        dst.close()
    return counts
