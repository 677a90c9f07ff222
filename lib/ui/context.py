"""The run context: what app.py hands every page for one script run — the database connection of
this thread, the logged-in user (or none), the language and the registered pages. Kept in a
thread-local because each Streamlit session runs its script in its own thread."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import sqlite_utils

from lib.core.auth import User
from lib.i18n import i18n

_local = threading.local()


@dataclass
class Context:
    db: sqlite_utils.Database
    user: User | None
    lang: str
    authenticator: object = None  # the run's streamlit_authenticator.Authenticate
    thread: int = field(default_factory=threading.get_ident)  # the thread whose connection ``db`` is
    pages: dict = field(default_factory=dict)  # url path → the st.Page app.py registered this run

    def t(self, key: str, **params) -> str:
        return i18n.t(key, self.lang, **params)


def set_context(ctx: Context | None) -> None:
    """Called by app.py once per run, before the page runs (and with None after it)."""
    _local.ctx = ctx


def context() -> Context | None:
    """The current run's context, or ``None`` when a page file is run without app.py."""
    return getattr(_local, "ctx", None)
