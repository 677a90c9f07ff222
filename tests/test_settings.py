"""Secrets never live in git: generated on first run, or read from the environment."""

import stat

import pytest

from lib.core import settings
from lib.core.errors import PortalError


def test_missing_secrets_file_is_created_private_and_reused(monkeypatch, tmp_path):
    monkeypatch.delenv("PORTAL_COOKIE_KEY")
    path = tmp_path / "sub" / "secrets.toml"
    monkeypatch.setenv("PORTAL_SECRETS", str(path))
    monkeypatch.setattr(settings, "_from_streamlit_secrets", lambda: None)
    key = settings.cookie_key()
    assert len(key.encode()) >= settings.MIN_KEY_BYTES
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert settings.cookie_key() == key  # the same key on the next start


def test_environment_key_wins(monkeypatch):
    monkeypatch.setenv("PORTAL_COOKIE_KEY", "e" * 40)
    assert settings.cookie_key() == "e" * 40


def test_short_environment_key_is_refused(monkeypatch):
    monkeypatch.setenv("PORTAL_COOKIE_KEY", "short")
    with pytest.raises(PortalError):
        settings.cookie_key()


def test_unwritable_secrets_location_gets_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.delenv("PORTAL_COOKIE_KEY")
    monkeypatch.setattr(settings, "_from_streamlit_secrets", lambda: None)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("PORTAL_SECRETS", str(blocker / "secrets.toml"))  # parent is a file
    with pytest.raises(PortalError) as info:
        settings.cookie_key()
    assert info.value.key == "error.secrets_unwritable"


def test_secrets_files_are_git_ignored():
    from pathlib import Path

    ignored = (Path(__file__).resolve().parent.parent / ".gitignore").read_text()
    assert "data/secrets.toml" in ignored and ".streamlit/secrets.toml" in ignored
