"""Holes a review found before going live (#12): the lockout lasts 15 minutes from the fifth failure and
its message shows Beijing time; a backup of a database that is not there is refused."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from lib import cli
from lib.core import auth, backups, clock
from lib.core.errors import ValidationError
from tests.apptest import goto, login
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


# --- changing one's own password -------------------------------------------------------------------


def _hash(db, username):
    return db.execute("SELECT password_hash FROM users WHERE username = ?", [username]).fetchone()[0]


@pytest.mark.parametrize(("current", "new", "repeat", "key"), [
    ("wrong-password", "Neu-passwort-1", "Neu-passwort-1", "account.error.current_wrong"),
    (DEMO_PASSWORD, "Neu-passwort-1", "Neu-passwort-2", "account.error.mismatch"),
    (DEMO_PASSWORD, "12345678901", "12345678901", "account.error.weak"),
    (DEMO_PASSWORD, "passwordpassword", "passwordpassword", "account.error.weak"),
    (DEMO_PASSWORD, "short1", "short1", "error.password_short"),
    (DEMO_PASSWORD, DEMO_PASSWORD, DEMO_PASSWORD, "account.error.same"),
])
def test_a_refused_password_change_changes_nothing(demo_db, users, current, new, repeat, key):
    before = _hash(demo_db, "clerk")
    audits = demo_db["audit_log"].count
    with pytest.raises(ValidationError) as refused:
        auth.change_password(demo_db, users["clerk"], current, new, repeat)
    assert refused.value.key == key
    assert _hash(demo_db, "clerk") == before and demo_db["audit_log"].count == audits
    assert auth.authenticate(demo_db, "clerk", DEMO_PASSWORD).user


def test_wrong_current_passwords_count_towards_the_lockout(demo_db, users):
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(ValidationError):
            auth.change_password(demo_db, users["clerk"], "guess-1234", "Neu-passwort-1", "Neu-passwort-1")
    with pytest.raises(ValidationError) as refused:  # even the right one now
        auth.change_password(demo_db, users["clerk"], DEMO_PASSWORD, "Neu-passwort-1", "Neu-passwort-1")
    assert refused.value.key == "account.error.locked"


def test_a_changed_password_ends_every_cookie_issued_before(demo_db, users):
    cfg_key, days = "k" * 32, 30.0
    old_cookie = jwt.encode({"username": "clerk", "exp_date": time.time() + days * 86400 - 5}, cfg_key,
                            algorithm="HS256")
    assert auth.cookie_user(demo_db, old_cookie, cfg_key, days)
    auth.change_password(demo_db, users["clerk"], DEMO_PASSWORD, "Neu-passwort-1", " Neu-passwort-1 ")
    assert auth.cookie_user(demo_db, old_cookie, cfg_key, days) is None
    assert auth.authenticate(demo_db, "clerk", DEMO_PASSWORD).user is None
    assert auth.authenticate(demo_db, "clerk", "Neu-passwort-1").user
    last = next(demo_db.query("SELECT action, entity_id FROM audit_log ORDER BY id DESC LIMIT 1"))
    assert last["action"] in ("change_password", "login")
    assert demo_db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'change_password'").fetchone()[0] == 1


def test_the_account_page_changes_the_password_keeps_this_session_and_ends_the_other(app, demo_path):
    from lib.core.db import connect

    other = goto(app("clerk"), "home").run()  # the clerk is logged in in another browser
    assert not other.exception and other.session_state["authentication_status"]
    at = goto(app("clerk"), "account").run()
    at.text_input(key="account_current").input(DEMO_PASSWORD)
    at.text_input(key="account_new").input("Neu-passwort-1")
    at.text_input(key="account_repeat").input("Neu-passwort-2")
    at = at.get("form_submit_button")[0].click().run()
    assert "两次输入的新密码不一致。" in [e.value for e in at.error]
    assert at.text_input(key="account_new").value == "Neu-passwort-1"  # what was typed stays
    at.text_input(key="account_repeat").input("Neu-passwort-1")
    at = at.get("form_submit_button")[0].click().run()
    assert not at.exception
    assert any("密码已修改" in s.value for s in at.success)
    assert at.session_state["authentication_status"]  # this session stays logged in
    db = connect(demo_path)
    assert auth.authenticate(db, "clerk", "Neu-passwort-1").user
    other = other.run()  # the other browser's next click
    assert other.text_input(key="login_username")


# --- backups, restore, serving without demo logins -------------------------------------------------------


def _rows(path):
    return backups.check(path)


def test_the_daily_backup_is_made_once_a_day_and_the_oldest_go(demo_db, tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_BACKUP_DIR", str(tmp_path / "backups"))
    monkeypatch.setenv("PORTAL_BACKUP_KEEP", "3")
    made = [backups.daily_backup(demo_db, T0 + timedelta(days=d)) for d in range(5)]
    assert all(made) and backups.daily_backup(demo_db, T0 + timedelta(days=4, hours=3)) is None
    left = sorted(p.name for p in (tmp_path / "backups").iterdir())
    # T0 is 09:00 in Beijing: the days are Beijing's.
    assert left == ["portal-2026-12-07.db", "portal-2026-12-08.db", "portal-2026-12-09.db"]
    assert _rows(made[-1])["grids"] == demo_db["grids"].count


def test_a_restored_backup_has_every_row_and_the_replaced_database_is_kept(demo_path, tmp_path):
    from lib.core.db import backup, connect

    db = connect(demo_path)
    copy = tmp_path / "copy.db"
    backup(db, copy)
    before = _rows(copy)
    db.execute("DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log LIMIT 10)")  # a mistake
    db.close()
    assert _rows(demo_path)["audit_log"] == before["audit_log"] - 10
    assert backups.restore(copy, demo_path) == before
    assert _rows(demo_path) == before
    kept = list(demo_path.parent.glob(f"{demo_path.name}.before-restore-*.db"))
    assert len(kept) == 1 and _rows(kept[0])["audit_log"] == before["audit_log"] - 10


def test_a_damaged_backup_is_refused_before_anything_is_replaced(demo_path, tmp_path, monkeypatch, capsys):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00garbage" * 500)
    before = _rows(demo_path)
    monkeypatch.setenv("PORTAL_DB", str(demo_path))
    assert cli.main(["restore", "--from", str(bad)]) == 2
    assert "nothing was restored" in capsys.readouterr().err
    assert cli.main(["restore", "--from", str(tmp_path / "none.db")]) == 2
    assert _rows(demo_path) == before
    assert not list(demo_path.parent.glob("*.before-restore-*"))


def test_serving_refuses_a_database_with_demo_logins(demo_path, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PORTAL_DB", str(demo_path))
    assert cli.main(["check-serve"]) == 2
    assert "demo accounts (district, station, clerk)" in capsys.readouterr().err
    monkeypatch.setenv("PORTAL_DB", str(tmp_path / "real.db"))
    assert cli.main(["create-user", "--username", "admin", "--name", "管理员", "--role", "district_admin",
                     "--unit", "D00", "--password", "a-real-passw0rd"]) == 0
    assert cli.main(["check-serve"]) == 0


def test_the_worker_makes_the_days_backup(demo_path, tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PORTAL_DB": str(demo_path), "PORTAL_BACKUP_DIR": str(tmp_path / "daily"),
           "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, "-m", "lib.pushes.worker", "--once"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    [made] = list((tmp_path / "daily").glob("portal-*.db"))
    assert made.name == f"portal-{clock.beijing(clock.utcnow())[:10]}.db"
    assert _rows(made)["units"] == _rows(demo_path)["units"]


def test_the_last_district_admin_cannot_be_disabled(demo_db, users):
    admins = [r[0] for r in demo_db.execute(
        "SELECT username FROM users WHERE role = 'district_admin' AND is_active = 1 AND password_hash IS NOT NULL")]
    assert admins == ["district"]  # the demo has one district admin who can log in
    with pytest.raises(ValidationError) as refused:
        auth.set_active(demo_db, users["district_admin"], "district", False)
    assert refused.value.key == "error.last_district_admin"
    assert auth.authenticate(demo_db, "district", DEMO_PASSWORD).user
    second = auth.create_user(demo_db, users["district_admin"], username="second", name="第二管理员",
                              role="district_admin", unit_id=users["district_admin"].unit_id,
                              password="another-passw0rd")
    with pytest.raises(ValidationError) as refused:  # nobody disables themselves in the portal
        auth.set_active(demo_db, users["district_admin"], "district", False)
    assert refused.value.key == "error.disable_self"
    auth.set_active(demo_db, second, "district", False)  # now there is another
    assert auth.authenticate(demo_db, "district", DEMO_PASSWORD).user is None
    with pytest.raises(ValidationError) as refused:
        auth.set_active(demo_db, users["district_admin"], "second", False)
    assert refused.value.key == "error.last_district_admin"
    auth.set_active(demo_db, None, "second", False)  # the command line may: it can enable the account again


# --- memory: what a session keeps between runs ------------------------------------------------


@pytest.mark.parametrize("username,path", [("clerk", "triage"), ("station", "registry"), (None, "tip")])
def test_a_run_closes_every_connection_it_opened(app, monkeypatch, username, path):
    """Widgets keep closures of their run (a format_func that reads ctx) for as long as the session
    lives; an open connection kept with them held up to 2 MB of SQLite page cache per session
    (5.9 MB per added staff session at a million tips, bench/server_memory.py)."""
    import sqlite3

    from lib.core import db as db_module
    from lib.ui import ui

    opened = []

    def tracking(*args, **kwargs):
        made = real(*args, **kwargs)
        opened.append(made)
        return made

    real = db_module.connect
    monkeypatch.setattr(db_module, "connect", tracking)
    at = goto(app(username=username).run(), path).run()
    assert not at.exception, at.exception
    drawn = {"triage": at.metric, "registry": at.dataframe, "tip": at.text_area}[path]
    assert drawn  # the page was drawn: its queries ran
    assert opened and ui.context() is None
    for made in opened:
        with pytest.raises(sqlite3.ProgrammingError):  # "Cannot operate on a closed database."
            made.execute("SELECT 1")
