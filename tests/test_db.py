"""The data layer: pragmas, migrations, transactions, bad database files."""

import multiprocessing
import os
import sqlite3
import stat
import sys
import types

import pytest

from lib.core import migrations
from lib.core.db import WAL_AUTOCHECKPOINT_PAGES, checkpoint, connect, write_transaction
from lib.core.errors import DatabaseError


def test_connection_uses_wal_foreign_keys_and_busy_timeout(fresh_db):
    assert fresh_db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert fresh_db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert fresh_db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    # Checkpoints are the worker's job; a connection only does one past the safety net.
    assert fresh_db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == WAL_AUTOCHECKPOINT_PAGES


def _file_only_count(path) -> int:
    """Rows of app_meta in the database file itself, ignoring the write-ahead log."""
    conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        return conn.execute("SELECT COUNT(*) FROM app_meta").fetchone()[0]
    finally:
        conn.close()


def _add_meta(db, keys) -> None:
    with write_transaction(db):
        for key in keys:
            db.execute("INSERT INTO app_meta (key, value) VALUES (?, 'x')", [key])


def test_checkpoint_moves_committed_pages_into_the_file_and_spares_open_readers(tmp_path):
    path = tmp_path / "wal.db"
    db = connect(path)
    checkpoint(db)
    in_file = _file_only_count(path)
    _add_meta(db, [f"k{n}" for n in range(20)])
    assert _file_only_count(path) == in_file  # committed, but only in the log so far

    done = checkpoint(db)
    assert done["busy"] == 0 and done["log_pages"] > 0 and done["checkpointed_pages"] == done["log_pages"]
    assert _file_only_count(path) == in_file + 20

    # A reader in the middle of a transaction keeps the pages it may still need.
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM app_meta").fetchone()
    _add_meta(db, [f"later{n}" for n in range(20)])
    held = checkpoint(db)
    assert held["checkpointed_pages"] < held["log_pages"]
    assert _file_only_count(path) == in_file + 20
    reader.execute("COMMIT")
    reader.close()
    checkpoint(db)
    assert _file_only_count(path) == in_file + 40
    db.close()


def test_migrations_create_the_foundation_tables_once(fresh_db):
    tables = set(fresh_db.table_names())
    assert {"units", "grids", "chat_groups", "users", "audit_log", "login_failures"} <= tables
    assert migrations.applied_versions(fresh_db) == {v for v, _, _ in migrations.MIGRATIONS}
    # A second start applies nothing.
    assert migrations.apply_migrations(fresh_db) == []


def test_foreign_keys_are_enforced(fresh_db):
    import sqlite3

    with pytest.raises(sqlite3.IntegrityError):
        fresh_db.execute(
            "INSERT INTO grids (code, name, category, station_id) VALUES ('G1', 'x', 'comprehensive', 999)"
        )


def test_failing_migration_rolls_back_whole_and_says_which(fresh_db):
    bad = migrations.MIGRATIONS + [
        (900, "half_way", "CREATE TABLE half_done (id INTEGER); INSERT INTO no_such_table VALUES (1);"),
    ]
    with pytest.raises(DatabaseError) as info:
        migrations.apply_migrations(fresh_db, bad)
    assert info.value.key == "error.migration_failed"
    assert info.value.params["version"] == 900
    assert "half_done" not in fresh_db.table_names()
    assert 900 not in migrations.applied_versions(fresh_db)


def test_write_transaction_rolls_back_on_error(fresh_db):
    with pytest.raises(RuntimeError):
        with write_transaction(fresh_db):
            fresh_db.execute("INSERT INTO app_meta (key, value) VALUES ('a', '1')")
            raise RuntimeError("boom")
    assert fresh_db.execute("SELECT COUNT(*) FROM app_meta WHERE key = 'a'").fetchone()[0] == 0


def test_nested_write_transactions_are_savepoints(fresh_db):
    with write_transaction(fresh_db):
        fresh_db.execute("INSERT INTO app_meta (key, value) VALUES ('outer', '1')")
        with pytest.raises(ValueError):
            with write_transaction(fresh_db):
                fresh_db.execute("INSERT INTO app_meta (key, value) VALUES ('inner', '1')")
                raise ValueError
    keys = [r[0] for r in fresh_db.execute("SELECT key FROM app_meta WHERE key IN ('outer', 'inner')")]
    assert keys == ["outer"]


def test_corrupt_database_file_gets_a_clear_error(tmp_path):
    path = tmp_path / "corrupt.db"
    path.write_bytes(b"this is not a sqlite database" * 200)
    with pytest.raises(DatabaseError) as info:
        connect(path)
    assert info.value.key == "error.db_corrupt"
    assert path.read_bytes().startswith(b"this is not")  # left as it was


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_unwritable_folder_gets_a_clear_error(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    with pytest.raises(DatabaseError) as info:
        connect(folder / "portal.db")
    assert info.value.key == "error.db_unwritable"


def test_database_path_that_is_a_folder_gets_a_clear_error(tmp_path):
    # Works as root too: a directory cannot be opened as a database file.
    with pytest.raises(DatabaseError) as info:
        connect(tmp_path)
    assert info.value.key in ("error.db_unwritable", "error.db_corrupt")


def _counter_worker(path, n):
    db = connect(path)
    for _ in range(n):
        # Read-modify-write: the case a deferred transaction gets "database is locked" on.
        with write_transaction(db):
            value = int(db.execute("SELECT value FROM app_meta WHERE key = 'counter'").fetchone()[0])
            db.execute("UPDATE app_meta SET value = ? WHERE key = 'counter'", [str(value + 1)])
    db.close()


def test_concurrent_read_modify_write_loses_nothing(tmp_path, monkeypatch):
    # A spawned child re-runs the parent's __main__; after an AppTest in the same pytest process
    # that is app.py (Streamlit's script runner installs it as __main__). A bare module keeps
    # the children to this test's worker.
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    path = tmp_path / "c.db"
    db = connect(path)
    db.execute("INSERT INTO app_meta (key, value) VALUES ('counter', '0')")
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_counter_worker, args=(str(path), 100)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    assert db.execute("SELECT value FROM app_meta WHERE key = 'counter'").fetchone()[0] == "400"
