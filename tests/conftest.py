"""Shared fixtures: a fresh database, the demo district (built once, copied per test),
demo users, and a clean Streamlit cache for AppTest."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.core import auth
from lib.core.db import connect
from lib.demo import seeding
from lib.i18n import i18n
from tests import factories

# A message that cannot be formatted raises in the tests (production logs it and shows the text
# unformatted); set for the whole session, and inherited by the servers the browser tests start.
os.environ[i18n.STRICT_ENV] = "1"

ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "demo-pass-2026"


@pytest.fixture
def fresh_db(tmp_path):
    """An empty, migrated database in a temporary file."""
    db = connect(tmp_path / "fresh.db")
    yield db
    db.close()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The demo district at scale 1, seeded once per test session."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    db = connect(path)
    seeding.seed(db, password=DEMO_PASSWORD)
    # The demo's year of tips is tested in test_demo_tips.py; the other tests start from an
    # empty queue so that what they count is what they made.
    for table in ("tip_events", "tip_photos", "tips"):
        db.execute(f"DELETE FROM {table}")
    # Nor does the demo's push scheduled for tomorrow morning stay: the worker and schedule tests
    # start (and count) every scheduled push their simulated clocks reach.
    db.execute("DELETE FROM pushes WHERE state = 'scheduled'")
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


def copy_database(src: Path, dst: Path) -> Path:
    """A consistent copy of a SQLite file (the backup API, safe under WAL)."""
    with sqlite3.connect(src) as s, sqlite3.connect(dst) as d:
        s.backup(d)
    return dst


@pytest.fixture
def demo_path(demo_template, tmp_path) -> Path:
    """A private copy of the demo database file that a test may change."""
    return copy_database(demo_template, tmp_path / "demo.db")


@pytest.fixture
def demo_db(demo_path):
    db = connect(demo_path)
    yield db
    db.close()


@pytest.fixture
def users(demo_db) -> dict[str, auth.User]:
    """The demo users by role, plus a clerk of another station (for scope tests)."""
    out = {
        "district_admin": auth.load_user(demo_db, "district"),
        "station_admin": auth.load_user(demo_db, "station"),
        "clerk": auth.load_user(demo_db, "clerk"),
    }
    out["other_clerk"] = factories.other_station_clerk(demo_db, out["clerk"])
    return out


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    """Each test gets its own secrets file, backup folder and a known cookie key; Streamlit caches are
    cleared (they survive between AppTest instances)."""
    monkeypatch.setenv("PORTAL_SECRETS", str(tmp_path / "secrets.toml"))
    monkeypatch.setenv("PORTAL_BACKUP_DIR", str(tmp_path / "backups"))
    monkeypatch.setenv("PORTAL_COOKIE_KEY", "k" * 48)
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield


@pytest.fixture
def app(demo_path, monkeypatch):
    monkeypatch.setenv("PORTAL_DB", str(demo_path))

    def make(username=None, lang=None):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        if username:
            # Preset what the login library keeps after a login.
            at.session_state["authentication_status"] = True
            at.session_state["username"] = username
            at.session_state["roles"] = [auth.load_user(connect(demo_path), username).role]
        if lang:
            at.session_state["app_lang"] = lang
        return at

    return make


def chromium_path() -> str | None:
    return shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


@pytest.fixture
def sanxing(demo_db, users):
    """Real rows of 三星派出所 (the clerk's station) and of another station."""
    clerk = users["clerk"]
    sid = clerk.station_id
    station = demo_db.execute("SELECT code, name FROM units WHERE id = ?", [sid]).fetchone()
    free_grids = [dict(r) for r in demo_db.query(
        "SELECT g.id, g.code, g.name FROM grids g WHERE g.station_id = ?"
        " AND NOT EXISTS (SELECT 1 FROM chat_groups c WHERE c.grid_id = g.id) ORDER BY g.id", [sid])]
    grids = [dict(r) for r in demo_db.query("SELECT id, code, name FROM grids WHERE station_id = ? ORDER BY id",
                                            [sid])]
    officers = [dict(r) for r in demo_db.query(
        "SELECT u.id, u.username, u.name FROM users u JOIN units un ON un.id = u.unit_id"
        " WHERE COALESCE(un.station_id, un.id) = ? AND un.kind != 'district_center' AND u.is_active = 1"
        " AND u.username LIKE 'pol%' AND (SELECT COUNT(*) FROM users v WHERE v.name = u.name) = 1"
        " ORDER BY u.id", [sid])]
    group = dict(next(demo_db.query("SELECT * FROM chat_groups WHERE station_id = ? ORDER BY id LIMIT 1", [sid])))
    other_sid = users["other_clerk"].station_id
    other = {
        "id": other_sid,
        "code": demo_db.execute("SELECT code FROM units WHERE id = ?", [other_sid]).fetchone()[0],
        "name": demo_db.execute("SELECT name FROM units WHERE id = ?", [other_sid]).fetchone()[0],
        "grid": dict(next(demo_db.query("SELECT id, code, name FROM grids WHERE station_id = ? ORDER BY id LIMIT 1",
                                        [other_sid]))),
        "group": dict(next(demo_db.query("SELECT * FROM chat_groups WHERE station_id = ? ORDER BY id LIMIT 1",
                                         [other_sid]))),
        "officer": dict(next(demo_db.query(
            "SELECT u.id, u.username, u.name FROM users u JOIN units un ON un.id = u.unit_id"
            " WHERE COALESCE(un.station_id, un.id) = ? AND un.kind != 'district_center' AND u.username LIKE 'pol%'"
            " ORDER BY u.id LIMIT 1", [other_sid]))),
    }
    assert len(free_grids) >= 4 and len(officers) >= 3
    return {"id": sid, "code": station[0], "name": station[1], "grids": grids, "free_grids": free_grids,
            "officers": officers, "group": group, "other": other}
