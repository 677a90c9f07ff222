"""The login glue between Streamlit, streamlit-authenticator and lib/core/auth.py.

The library writes, reads and deletes the re-authentication cookie and keeps the
session keys (``authentication_status``, ``username``, ``name``, ``roles``). What it
cannot do safely is ours (see STACK.md): the lockout lives in SQLite and is checked
before any password check; a cookie is validated here (signature, expiry, user still
active, issued after the last logout) before the library may use it; a session ends
when its user is disabled or logs out anywhere.
"""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st
import streamlit_authenticator as stauth

from lib.core import auth, clock, settings
from lib.ui.context import Context

SESSION_KEYS = ("authentication_status", "name", "username", "email", "roles")


PUBLIC_PATHS = frozenset({"tip", "track"})  # the residents' pages: no login, no cookie work


def requested_path() -> str | None:
    """The url path of the page this run draws ("tip" for https://host/tip), from the browser's
    address as Streamlit reports it; None when it is not known (AppTest)."""
    url = st.context.url
    if not isinstance(url, str) or not url:
        return None
    return url.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def needs_authenticator(url_path: str | None) -> bool:
    """Whether this run builds streamlit-authenticator's object, and with it the cookie manager,
    a component of about 140 kB a phone would load for nothing: not on a public page
    (:data:`PUBLIC_PATHS`) unless this browser session is logged in (its sidebar keeps the
    logout button). A staff member who opens /tip first is a visitor there; the login page, or
    any staff page, logs them in from their cookie as before."""
    return url_path not in PUBLIC_PATHS or bool(st.session_state.get("authentication_status"))


def build_authenticator(db) -> stauth.Authenticate:
    """The library object, built exactly once per script run (its cookie manager has a
    fixed widget key)."""
    cfg = settings.auth_settings()
    return stauth.Authenticate(
        auth.credentials(db),
        cfg.cookie_name,
        cfg.cookie_key,
        cfg.cookie_expiry_days,
        auto_hash=False,
        login_sleep_time=0,
    )


def _clear_session() -> None:
    for key in SESSION_KEYS:
        st.session_state[key] = None
    st.session_state["portal_login_at"] = None


def _start_session(user: auth.User) -> None:
    st.session_state.update({
        "authentication_status": True,
        "name": user.name,
        "username": user.username,
        "email": user.email,
        "roles": [user.role],
        "logout": None,
        "portal_login_at": datetime.now(UTC).timestamp(),
    })


def _session_revoked(db, username: str) -> bool:
    """True when the user logged out (anywhere) after this session logged in."""
    row = db.execute("SELECT logged_out_at FROM users WHERE username = ?", [username]).fetchone()
    login_at = st.session_state.get("portal_login_at")
    if not row or not row[0] or login_at is None:
        return False
    return datetime.fromisoformat(row[0].replace("Z", "+00:00")).timestamp() >= login_at


def session_user(db) -> auth.User | None:
    """The user this session is logged in as — still active, not logged out anywhere since — or
    None. For a page's live part, which reruns without app.py (no cookie work there)."""
    username = st.session_state.get("username")
    if not (st.session_state.get("authentication_status") and isinstance(username, str)):
        return None
    user = auth.load_user(db, username)
    if user is None or _session_revoked(db, username):
        return None
    return user


def current_user(db, authenticator: stauth.Authenticate) -> auth.User | None:
    """The logged-in user of this session, from the session or a valid cookie."""
    username = st.session_state.get("username")
    if st.session_state.get("authentication_status") and isinstance(username, str):
        user = auth.load_user(db, username)
        if user is None or _session_revoked(db, username):
            _clear_session()
            st.session_state["logout"] = True
            return None
        if st.session_state.get("portal_login_at") is None:
            # A session started by a test or by the library alone: date it now.
            st.session_state["portal_login_at"] = datetime.now(UTC).timestamp()
        return user
    cfg = settings.auth_settings()
    token = st.context.cookies.get(cfg.cookie_name) if st.context.cookies else None
    if not isinstance(token, str) or st.session_state.get("logout"):
        return None
    user = auth.cookie_user(db, token, cfg.cookie_key, cfg.cookie_expiry_days)
    if user is None:
        return None
    # The cookie is ours and current: let the library log the session in with it.
    authenticator.login(location="unrendered")
    if st.session_state.get("authentication_status") and st.session_state.get("username") == user.username:
        st.session_state["portal_login_at"] = datetime.now(UTC).timestamp()
        return user
    return None


def _submit_login() -> None:
    """The login button's callback: it runs before the script, so a login cannot be lost to a
    rerun that the cookie manager starts at the same moment (seen under load: the form came
    back with no message). The outcome is left in the session for the run that follows."""
    from lib.core.db import connect

    db = connect()
    try:
        result = auth.authenticate(db, st.session_state.get("login_username", ""),
                                   st.session_state.get("login_password", ""))
    finally:
        db.close()
    if result.user is None:
        until = clock.beijing(clock.stamp(result.locked_until))[11:] if result.locked_until else None
        st.session_state["portal_login_error"] = (result.message_key, until)
        return
    _start_session(result.user)
    st.session_state["portal_set_cookie"] = True
    st.session_state["login_password"] = ""


def change_password(db, user: auth.User, current: str, new: str, repeat: str) -> None:
    """Change the user's own password and keep this session: every other session and cookie ends
    (:func:`lib.core.auth.change_password`), this one is dated after that moment and gets a fresh cookie
    in the next run."""
    revoked = auth.change_password(db, user, current, new, repeat)
    st.session_state["portal_login_at"] = revoked.timestamp() + 1e-3
    st.session_state["portal_set_cookie"] = True


def write_login_cookie(authenticator: stauth.Authenticate) -> None:
    """After a login, let the library write the re-authentication cookie in this run."""
    if st.session_state.pop("portal_set_cookie", False) and st.session_state.get("authentication_status"):
        authenticator.cookie_controller.set_cookie()


def login_form(ctx: Context) -> None:
    """Our login form: lockout first, then the password (in the button's callback)."""
    with st.form("login_form", clear_on_submit=False):
        st.subheader(ctx.t("login.title"))
        st.caption(ctx.t("login.intro"))
        st.text_input(ctx.t("login.username"), key="login_username", max_chars=64, autocomplete="username")
        st.text_input(ctx.t("login.password"), type="password", key="login_password", max_chars=128,
                      autocomplete="current-password")
        st.form_submit_button(ctx.t("login.submit"), type="primary", on_click=_submit_login)
    error = st.session_state.pop("portal_login_error", None)
    if error:
        key, until = error
        st.error(ctx.t(key, until=until) if until else ctx.t(key))


def logout(ctx: Context, authenticator: stauth.Authenticate) -> None:
    """Revoke the user's cookies on the server, then let the library clear the session and
    delete the browser's cookie."""
    if ctx.user is not None:
        auth.record_logout(ctx.db, ctx.user)
    if st.session_state.get("authentication_status"):
        authenticator.logout(location="unrendered")
    _clear_session()
