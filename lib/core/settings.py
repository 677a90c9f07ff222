"""Run-time settings and secrets: environment first, then files, never git.

The cookie key signs the login cookie. It is read from ``PORTAL_COOKIE_KEY``, else from
``.streamlit/secrets.toml`` (``[auth] cookie_key``), else from the git-ignored
``data/secrets.toml`` (path: ``PORTAL_SECRETS``), which is created with a random key
on first run.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from lib.core.db import ROOT
from lib.core.errors import PortalError

COOKIE_NAME = "portal_auth"
MIN_KEY_BYTES = 32


@dataclass(frozen=True)
class AuthSettings:
    cookie_name: str
    cookie_key: str
    cookie_expiry_days: float


def secrets_path() -> Path:
    """The generated secrets file (git-ignored)."""
    return Path(os.environ.get("PORTAL_SECRETS") or ROOT / "data" / "secrets.toml")


def _from_streamlit_secrets() -> str | None:
    path = ROOT / ".streamlit" / "secrets.toml"
    if not path.exists():
        return None
    with open(path, "rb") as f:
        return (tomllib.load(f).get("auth") or {}).get("cookie_key")


def cookie_key() -> str:
    """The cookie signing key, creating the secrets file if no key is configured."""
    key = os.environ.get("PORTAL_COOKIE_KEY") or _from_streamlit_secrets()
    if key:
        if len(key.encode()) < MIN_KEY_BYTES:
            raise PortalError("error.secrets_unwritable", path="PORTAL_COOKIE_KEY (< 32 bytes)")
        return key
    path = secrets_path()
    if path.exists():
        with open(path, "rb") as f:
            key = (tomllib.load(f).get("auth") or {}).get("cookie_key")
        if key:
            return key
    key = secrets.token_urlsafe(48)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Created readable by the owner only; written once, atomically.
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(f'# Generated on first run. Keep out of git.\n[auth]\ncookie_key = "{key}"\n')
        os.replace(tmp, path)
    except OSError as exc:
        raise PortalError("error.secrets_unwritable", path=str(path)) from exc
    return key


def auth_settings() -> AuthSettings:
    """Cookie name, key and lifetime (``PORTAL_COOKIE_DAYS``, default 7)."""
    return AuthSettings(
        cookie_name=COOKIE_NAME,
        cookie_key=cookie_key(),
        cookie_expiry_days=float(os.environ.get("PORTAL_COOKIE_DAYS") or 7),
    )


def is_demo(db: sqlite_utils.Database) -> bool:
    """True when the database holds the demo district: the demo seeder leaves its seed in ``app_meta``
    (lib/demo/seeding.py), so the portal can say so without importing the demo generator."""
    return db.execute("SELECT 1 FROM app_meta WHERE key = 'demo_seed'").fetchone() is not None
