"""Helpers for AppTest tests of the portal's pages."""

from pathlib import Path

from streamlit.util import calc_hash

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


def texts(at):
    """Everything the page shows as text, for assertions on content."""
    parts = [e.value for e in at.title] + [e.value for e in at.caption] + [e.value for e in at.subheader]
    parts += [e.value for e in at.markdown] + [e.value for e in at.error] + [e.value for e in at.info]
    parts += [e.value for e in at.warning] + [m.label for m in at.metric] + [str(e.value) for e in at.text]
    return "\n".join(str(p) for p in parts)


def metrics(at):
    return {m.label: m.value for m in at.metric}


def login(at, username, password):
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    next(b for b in at.button if b.label in ("登录", "Log in")).click()
    return at.run()


def goto(at, url_path):
    """Open a page registered by st.navigation (its script hash is its url path's)."""
    at._page_hash = calc_hash(url_path)
    return at


