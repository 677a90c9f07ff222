"""Numbered schema migrations, applied in order at start-up.

Each migration runs in its own ``BEGIN IMMEDIATE`` transaction together with the row
that records it, so a migration that fails half-way leaves the schema as it was and
the next start tries it again. Two processes starting together (Streamlit and the
worker) serialise on the write lock; the loser sees the migration already applied.
Never edit a migration that has shipped: add a new one.
"""

from __future__ import annotations

import sqlite3

import sqlite_utils

from lib.db import DatabaseError, utcnow

MIGRATIONS: list[tuple[int, str, str]] = [
    (
        1,
        "foundation",
        """
        CREATE TABLE units (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('district_center', 'station', 'outpost')),
            name TEXT NOT NULL,
            name_en TEXT,
            parent_id INTEGER REFERENCES units(id),
            station_id INTEGER REFERENCES units(id),
            lat REAL,
            lon REAL,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        );
        CREATE INDEX idx_units_parent ON units(parent_id);
        CREATE INDEX idx_units_station ON units(station_id);

        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            email TEXT,
            role TEXT NOT NULL CHECK (role IN ('district_admin', 'station_admin', 'clerk')),
            unit_id INTEGER NOT NULL REFERENCES units(id),
            password_hash TEXT,
            is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
            is_demo INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
            logged_out_at TEXT,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        );
        CREATE INDEX idx_users_unit ON users(unit_id);

        CREATE TABLE login_failures (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL,
            failed_at TEXT NOT NULL
        );
        CREATE INDEX idx_login_failures_user ON login_failures(username, failed_at);

        CREATE TABLE grids (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            category TEXT NOT NULL
                CHECK (category IN ('comprehensive', 'dedicated', 'industry', 'special', 'work')),
            section_label TEXT,
            industry_label TEXT,
            station_id INTEGER NOT NULL REFERENCES units(id),
            outpost_id INTEGER REFERENCES units(id),
            population INTEGER NOT NULL DEFAULT 0 CHECK (population >= 0),
            households INTEGER NOT NULL DEFAULT 0 CHECK (households >= 0),
            geometry TEXT,
            lat REAL,
            lon REAL,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        );
        CREATE INDEX idx_grids_station ON grids(station_id, category);
        CREATE INDEX idx_grids_outpost ON grids(outpost_id);

        CREATE TABLE chat_groups (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            grid_id INTEGER NOT NULL REFERENCES grids(id),
            station_id INTEGER NOT NULL REFERENCES units(id),
            platform TEXT NOT NULL CHECK (platform IN ('wechat', 'wecom', 'police_messenger')),
            owner_user_id INTEGER REFERENCES users(id),
            admin_name TEXT,
            admin_phone TEXT,
            member_count INTEGER NOT NULL DEFAULT 0 CHECK (member_count >= 0),
            created_on TEXT,
            status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        );
        CREATE INDEX idx_chat_groups_grid ON chat_groups(grid_id);
        CREATE INDEX idx_chat_groups_station ON chat_groups(station_id, status);
        CREATE INDEX idx_chat_groups_owner ON chat_groups(owner_user_id);

        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            user_id INTEGER REFERENCES users(id),
            username TEXT,
            action TEXT NOT NULL,
            entity TEXT NOT NULL,
            entity_id TEXT,
            before TEXT,
            after TEXT
        );
        CREATE INDEX idx_audit_entity ON audit_log(entity, entity_id);
        CREATE INDEX idx_audit_user ON audit_log(user_id, at);

        CREATE TABLE app_meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """,
    ),
]
"""(version, name, SQL). ``chat_groups.station_id`` copies its grid's station so that
the scope filter of every group query is one indexed column, not a join."""


def _ensure_version_table(db: sqlite_utils.Database) -> None:
    db.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )


def applied_versions(db: sqlite_utils.Database) -> set[int]:
    """Versions already applied to this database."""
    _ensure_version_table(db)
    return {row[0] for row in db.execute("SELECT version FROM schema_migrations")}


def apply_migrations(
    db: sqlite_utils.Database, migrations: list[tuple[int, str, str]] | None = None
) -> list[int]:
    """Apply every pending migration; return the versions applied now.

    A failing migration is rolled back whole and raises :class:`DatabaseError` with the
    key ``error.migration_failed``; migrations before it stay applied.
    """
    migrations = MIGRATIONS if migrations is None else migrations
    try:
        _ensure_version_table(db)
        if applied_versions(db) >= {m[0] for m in migrations}:
            return []
    except sqlite3.DatabaseError as exc:
        key = "error.db_corrupt" if "not a database" in str(exc) else "error.db_unwritable"
        raise DatabaseError(key, detail=str(exc)) from exc
    done: list[int] = []
    for version, name, sql in sorted(migrations):
        try:
            db.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as exc:
            raise DatabaseError("error.db_unwritable", detail=str(exc)) from exc
        try:
            # Re-check under the write lock: another process may have applied it.
            if db.execute(
                "SELECT 1 FROM schema_migrations WHERE version = ?", [version]
            ).fetchone():
                db.conn.execute("COMMIT")
                continue
            # executescript() would COMMIT first; run statement by statement instead.
            for statement in _statements(sql):
                db.conn.execute(statement)
            db.conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                [version, name, utcnow()],
            )
            db.conn.execute("COMMIT")
            done.append(version)
        except sqlite3.DatabaseError as exc:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            raise DatabaseError(
                "error.migration_failed", version=version, name=name, detail=str(exc)
            ) from exc
    return done


def _statements(sql: str) -> list[str]:
    statements, current = [], []
    for line in sql.splitlines(keepends=True):
        current.append(line)
        text = "".join(current).strip()
        if text and sqlite3.complete_statement(text):
            statements.append(text)
            current = []
    rest = "".join(current).strip()
    if rest:
        statements.append(rest)
    return statements
