"""Small shared Streamlit helpers: the run context, language, role guard, formatting.

``app.py`` opens one database connection per script run and stores it, with the user
and language, in a thread-local context (each Streamlit session runs its script in
its own thread). Pages read it with :func:`context` / :func:`staff_page`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import sqlite_utils
import streamlit as st

from lib import i18n
from lib.auth import User

_local = threading.local()


@dataclass
class Context:
    db: sqlite_utils.Database
    user: User | None
    lang: str
    authenticator: object = None  # the run's streamlit_authenticator.Authenticate

    def t(self, key: str, **params) -> str:
        return i18n.t(key, self.lang, **params)


def set_context(ctx: Context) -> None:
    """Called by app.py once per run, before the page runs."""
    _local.ctx = ctx


def context() -> Context | None:
    """The current run's context, or ``None`` when a page file is run without app.py."""
    return getattr(_local, "ctx", None)


def current_lang() -> str:
    """The UI language: the sidebar choice, else ``?lang=en``, else Chinese."""
    if "app_lang" not in st.session_state:
        st.session_state["app_lang"] = i18n.normalize_lang(st.query_params.get("lang"))
    return i18n.normalize_lang(st.session_state["app_lang"])


def staff_page(*roles: str) -> Context:
    """The role guard every staff page starts with.

    Stops the page unless a user is logged in (with one of ``roles``, if given). Without
    app.py's context — a page file run directly after a server restart — it shows
    nothing at all.
    """
    ctx = context()
    if ctx is None:
        st.stop()
    if ctx.user is None:
        from lib import ui_auth

        st.info(ctx.t("login.need_login"))
        ui_auth.login_form(ctx)
        st.stop()
    if roles and ctx.user.role not in roles:
        st.error(ctx.t("error.scope"))
        st.stop()
    return ctx


def public_page() -> Context:
    """The guard of public pages: only needs app.py's context."""
    ctx = context()
    if ctx is None:
        st.stop()
    return ctx


def optional_select(ctx: Context, container, label_key: str, options: list, key: str, fmt, **kwargs):
    """A filter selectbox whose first choice, ``None``, reads "全部" (all)."""
    everything = ctx.t("registry.filter.all")
    return container.selectbox(ctx.t(label_key), [None] + list(options), key=key,
                               format_func=lambda v: everything if v is None else fmt(v), **kwargs)


def label_filters(ctx: Context, columns, prefix: str, **kwargs) -> tuple[str | None, str | None, str | None]:
    """The three taxonomy filters of grids — category, section label, industry label — in
    three columns; returns the chosen codes (``None`` for all)."""
    from lib import taxonomy

    chosen = []
    for col, (name, label_key, key) in zip(columns, (
            ("grid_categories", "registry.filter.category", "category"),
            ("section_labels", "registry.filter.section", "section"),
            ("industry_labels", "registry.filter.industry", "industry")), strict=True):
        chosen.append(optional_select(ctx, col, label_key, taxonomy.codes(name), prefix + key,
                                      lambda code, name=name: i18n.term(name, code, ctx.lang), **kwargs))
    return chosen[0], chosen[1], chosen[2]


def fmt_int(n: int | float | None) -> str:
    """Thousands with a comma: 220,056."""
    return "–" if n is None else f"{int(n):,}"


def fmt_pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.1f}%"


MD_SPECIAL = "\\`*_{}[]()#+-.!|<>~:$"


def inert(text) -> str:
    """Data text made inert inside Markdown (names, titles, what a user typed): Streamlit
    renders Markdown in captions, errors and labels, never HTML, but a typed ``[link](…)``
    or ``**`` would still change what is shown."""
    return "".join("\\" + ch if ch in MD_SPECIAL else ch for ch in str(text or ""))


def show_error(ctx: Context, exc: Exception) -> None:
    """Show a domain refusal in the user's language; what it quotes of the user's input is inert."""
    params = {k: inert(v) if isinstance(v, str) else v for k, v in getattr(exc, "params", {}).items()}
    st.error(i18n.t(exc.key, ctx.lang, **params) if hasattr(exc, "key") else i18n.error_text(exc, ctx.lang))


CSS = """
<style>
/* The cookie manager's iframe leaves an empty gap at the top of every page. */
div[data-testid="stElementContainer"]:has(iframe[title*="cookie_manager"]),
div.element-container:has(iframe[title*="cookie_manager"]) { display: none; }
div[data-testid="stMetricValue"] { font-variant-numeric: tabular-nums; }
</style>
"""


def inject_css() -> None:
    st.html(CSS)
