"""The command line: a real deployment's first admin, password resets, the demo."""

import pytest

from lib import cli
from lib.core import auth
from lib.core.db import connect


@pytest.fixture
def db_env(tmp_path, monkeypatch):
    path = tmp_path / "cli.db"
    monkeypatch.setenv("PORTAL_DB", str(path))
    return path


def test_first_district_admin_on_an_empty_database(db_env, capsys):
    assert cli.main(["create-user", "--username", "Admin", "--name", "管理员", "--role", "district_admin",
                     "--unit", "D00", "--unit-name", "某区联动中心", "--password", " first-password "]) == 0
    db = connect(db_env)
    user = auth.authenticate(db, "admin", "first-password").user
    assert user is not None and user.is_district and user.unit_name == "某区联动中心"
    # No demo data in a real deployment.
    assert db["grids"].count == 0 and db["chat_groups"].count == 0
    assert db.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 1


def test_reset_password_and_disable(db_env):
    cli.main(["create-user", "--username", "admin", "--name", "管理员", "--role", "district_admin",
              "--unit", "D00", "--password", "first-password"])
    assert cli.main(["reset-password", "--username", "admin", "--password", "second-password"]) == 0
    db = connect(db_env)
    assert auth.authenticate(db, "admin", "second-password").user is not None
    assert cli.main(["disable-user", "--username", "admin"]) == 0
    assert auth.authenticate(db, "admin", "second-password").user is None


def test_bad_input_gets_a_message_and_exit_code(db_env, capsys):
    code = cli.main(["create-user", "--username", "admin", "--name", "x", "--role", "district_admin",
                     "--unit", "D00", "--password", "short"])
    assert code == 2
    assert "at least 8" in capsys.readouterr().err
    assert connect(db_env).execute("SELECT COUNT(*) FROM users").fetchone()[0] == 0


def test_ensure_demo_seeds_once_and_prints_logins(db_env, capsys, monkeypatch):
    monkeypatch.setenv("PORTAL_DEMO_PASSWORD", "demo-pass-cli")
    assert cli.main(["ensure-demo"]) == 0
    out = capsys.readouterr().out
    assert "seeded the demo district" in out and "demo-pass-cli" in out and "clerk" in out
    assert cli.main(["ensure-demo"]) == 0
    assert "seeded" not in capsys.readouterr().out
    assert auth.authenticate(connect(db_env), "station", "demo-pass-cli").user is not None


def test_ensure_demo_leaves_a_real_database_alone(db_env, capsys):
    cli.main(["create-user", "--username", "admin", "--name", "管理员", "--role", "district_admin",
              "--unit", "D00", "--password", "first-password"])
    capsys.readouterr()
    cli.main(["ensure-demo"])
    assert "real data" in capsys.readouterr().out
    assert connect(db_env)["grids"].count == 0


def test_backup_copies_recent_commits_and_never_overwrites(db_env, tmp_path, capsys):
    assert cli.main(["init"]) == 0
    db = connect(db_env)  # stays open, so its commits are still in the write-ahead log
    db.execute("INSERT INTO app_meta (key, value) VALUES ('backup-test', 'kept')")
    target = tmp_path / "backup.db"
    assert cli.main(["backup", "--to", str(target)]) == 0
    assert "backup:" in capsys.readouterr().out
    copy = connect(target, migrate=False)
    assert copy.execute("SELECT value FROM app_meta WHERE key = 'backup-test'").fetchone()[0] == "kept"
    copy.close()

    target_size = target.stat().st_size
    assert cli.main(["backup", "--to", str(target)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert target.stat().st_size == target_size
    db.close()
