"""Holes a review found before going live (#12): the lockout lasts 15 minutes from the fifth failure and
its message shows Beijing time; a backup of a database that is not there is refused."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from lib import cli
from lib.core import auth, clock
from tests.apptest import login
from tests.conftest import DEMO_PASSWORD

T0 = datetime(2026, 12, 5, 1, 0, tzinfo=UTC)


def _fail_at(db, username, *minutes):
    for m in minutes:
        result = auth.authenticate(db, username, "wrong-password", now=T0 + timedelta(minutes=m))
        assert result.user is None


def test_the_lock_lasts_fifteen_minutes_from_the_fifth_failure(demo_db):
    # The review's case: failures at 0, 3, 6, 9 and 14 minutes. The old rule unlocked at 15.1.
    _fail_at(demo_db, "station", 0, 3, 6, 9, 14)
    for minute in (14.5, 15.1, 20, 28.9):
        assert auth.locked_until(demo_db, "station", T0 + timedelta(minutes=minute)) == T0 + timedelta(minutes=29)
    assert auth.authenticate(demo_db, "station", DEMO_PASSWORD, now=T0 + timedelta(minutes=28.9)).user is None
    assert auth.locked_until(demo_db, "station", T0 + timedelta(minutes=29, seconds=1)) is None
    assert auth.authenticate(demo_db, "station", DEMO_PASSWORD, now=T0 + timedelta(minutes=29, seconds=1)).user


def test_five_failures_spread_over_more_than_the_window_do_not_lock(demo_db):
    _fail_at(demo_db, "clerk", 0, 4, 8, 12, 16)  # never five within 15 minutes
    assert auth.locked_until(demo_db, "clerk", T0 + timedelta(minutes=16, seconds=1)) is None
    _fail_at(demo_db, "clerk", 17)  # 4, 8, 12, 16, 17: five within 13 minutes
    assert auth.locked_until(demo_db, "clerk", T0 + timedelta(minutes=18)) == T0 + timedelta(minutes=32)


@pytest.fixture
def new_york_server(monkeypatch):
    """A server whose local clock is neither UTC nor Beijing."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_the_lock_message_shows_the_end_in_beijing_time(app, demo_path, new_york_server):
    at = app().run()
    for _ in range(auth.MAX_FAILURES):
        at = login(at, "station", "wrong-password")
    from lib.core.db import connect

    until = auth.locked_until(connect(demo_path), "station")
    assert until is not None
    shown = at.error[0].value
    assert clock.beijing(clock.stamp(until))[11:] in shown
    assert until.astimezone().strftime("%H:%M") not in shown  # the server's own (New York) time


def test_a_backup_of_a_missing_database_is_refused_and_creates_nothing(tmp_path, monkeypatch, capsys):
    missing = tmp_path / "not-here" / "portal.db"
    missing.parent.mkdir()
    monkeypatch.setenv("PORTAL_DB", str(missing))
    target = tmp_path / "backup.db"
    assert cli.main(["backup", "--to", str(target)]) == 2
    assert "no database to back up" in capsys.readouterr().err
    assert not missing.exists() and not target.exists()
