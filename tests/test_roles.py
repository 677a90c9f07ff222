"""The role guard over every page × every role, through app.py's navigation (AppTest).

The pages and who may open them are read from app.py's ``STAFF_PAGES`` (parsed, not imported: app.py
runs Streamlit at import), so a page added there is covered here without a change. For each url and
each role — district admin, station admin, clerk, and a visitor who is not logged in:

- a page the role may open renders its own title (the catalog's) and its own widgets, no exception,
  no refusal and no login form;
- a page the role may not open shows none of its content: app.py does not register it for that
  role, so Streamlit serves the default page (the workbench) instead; and the page's own guard,
  reached without app.py's navigation, refuses with the catalog's text;
- a visitor gets the login form for every staff url, and the public form for /tip and /track.

One copy of the demo database serves the whole module (pages only read here).
"""

from __future__ import annotations

import ast
import importlib

import pytest
from streamlit.testing.v1 import AppTest

from lib.core import auth
from lib.core.db import connect
from lib.i18n import i18n
from tests.apptest import APP, ROOT, goto, texts
from tests.conftest import copy_database


def _staff_pages() -> list[dict]:
    """app.py's STAFF_PAGES rows as ``{url, title_key, roles}`` (roles None: every staff role)."""
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    table = next(node.value for node in tree.body if isinstance(node, ast.Assign)
                 and any(getattr(t, "id", None) == "STAFF_PAGES" for t in node.targets))
    rows = []
    for row in table.elts:
        _section, _fn, title_key, _icon, url, roles = row.elts
        rows.append({"url": ast.literal_eval(url), "title_key": ast.literal_eval(title_key),
                     "roles": ast.literal_eval(roles)})
    return rows


STAFF_PAGES = _staff_pages()
PAGE = {p["url"]: p for p in STAFF_PAGES}
PUBLIC = {"tip": "nav.tip", "track": "nav.track"}
ROLE_USERS = {"district_admin": "district", "station_admin": "station", "clerk": "clerk", "anonymous": None}
LOGIN_TEXT = i18n.t("login.need_login", "zh")
REFUSAL_TEXT = i18n.t("error.scope", "zh")


def test_the_table_is_read_and_covers_every_role():
    assert {p["url"] for p in STAFF_PAGES} >= {"home", "triage", "mediation", "compose", "rules", "account"}
    assert set(ROLE_USERS) - {"anonymous"} == set(auth.ROLES)
    assert PAGE["rules"]["roles"] == ("district_admin",)  # the one page closed to station roles today
    for page in STAFF_PAGES:
        assert page["roles"] is None or set(page["roles"]) <= set(auth.ROLES), page
        assert i18n.t(page["title_key"], "zh") != page["title_key"], page  # a real catalog title


def may_open(role: str, url: str) -> bool:
    if url in PUBLIC:
        return True
    roles = PAGE[url]["roles"]
    return role != "anonymous" and (roles is None or role in roles)


@pytest.fixture(scope="module")
def shared_path(demo_template, tmp_path_factory):
    return copy_database(demo_template, tmp_path_factory.mktemp("roles") / "demo.db")


@pytest.fixture
def open_as(shared_path, monkeypatch):
    """``open_as(role, url)``: the app run once as that user (a login preset as conftest's ``app``
    does), then navigated to the url, as a click in the sidebar or a typed url does."""
    monkeypatch.setenv("PORTAL_DB", str(shared_path))

    def run(role: str, url: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        username = ROLE_USERS[role]
        if username:
            db = connect(shared_path)
            at.session_state["authentication_status"] = True
            at.session_state["username"] = username
            at.session_state["roles"] = [auth.load_user(db, username).role]
            db.close()
        at.run()
        assert not at.exception
        return goto(at, url).run()

    return run


def _keys(node) -> set[str]:
    """The keys of every element on the page (widgets, forms …)."""
    found = set()
    for child in getattr(node, "children", {}).values():
        if getattr(child, "key", None):
            found.add(child.key)
        found |= _keys(child)
    return found


def _prefix(url: str) -> str | None:
    """The page's widget key prefix (``P`` of pages/<url>.py), if it has one."""
    return getattr(importlib.import_module(f"pages.{url}"), "P", None)


CASES = [(role, url) for role in ROLE_USERS for url in [*PAGE, *PUBLIC]]


@pytest.mark.parametrize("role,url", CASES, ids=[f"{r}-{u}" for r, u in CASES])
def test_every_page_for_every_role(open_as, shared_path, role, url):
    at = open_as(role, url)
    assert not at.exception, [e.value for e in at.exception]
    titles = [t.value for t in at.title]
    shown = texts(at)
    keys = _keys(at._tree)

    if url in PUBLIC:  # for everyone, logged in or not: the public form, never the login
        assert titles == [i18n.t(PUBLIC[url], "zh")]
        assert "login_username" not in keys and LOGIN_TEXT not in shown
        assert at.metric == [] and at.dataframe == []
        if url == "tip":
            assert at.radio and "tip_photos" in keys  # the kind choice and the photo picker
        else:
            assert "track_code" in keys
        return

    title = i18n.t(PAGE[url]["title_key"], "zh")
    prefix = _prefix(url)
    if may_open(role, url):
        assert titles == [title]
        assert LOGIN_TEXT not in shown and REFUSAL_TEXT not in shown and "login_username" not in keys
        if prefix and url != "home":  # the page's own widgets (the workbench has figures, not widgets)
            assert any(k.startswith(prefix) for k in keys), (url, sorted(keys))
        if url == "home":
            assert at.metric
        # The sidebar names the user: the page is drawn for this login, not a stale one.
        db = connect(shared_path)
        user = auth.load_user(db, ROLE_USERS[role])
        db.close()
        assert any(user.name in c.value and user.unit_name in c.value for c in at.sidebar.caption)
    elif role == "anonymous":
        assert LOGIN_TEXT in shown and "login_username" in keys
        assert title not in titles and titles == []
        assert at.metric == [] and at.dataframe == [] and at.tabs == []
        assert not prefix or not any(k.startswith(prefix) for k in keys)
    else:
        # Not registered for this role: Streamlit serves the default page (the workbench) instead,
        # and nothing of the page asked for is drawn.
        assert titles == [i18n.t("nav.home", "zh")]
        assert title not in shown
        assert prefix and not any(k.startswith(prefix) for k in keys), sorted(keys)
        assert url not in at.session_state["portal_pages"]



@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_the_navigation_lists_exactly_the_pages_the_role_may_open(open_as, role):
    at = open_as(role, "track")
    pages = at.session_state["portal_pages"]
    visible = {url for url, page in pages.items() if page.visibility == "visible" and url}
    assert visible == {url for url in [*PAGE, *PUBLIC] if may_open(role, url)}
    if role == "anonymous":
        # Staff pages stay registered, hidden, so that a deep link gets the login and then the page.
        assert {url for url, page in pages.items() if page.visibility == "hidden"} == set(PAGE)
    else:
        # And the workbench again as the hidden default page, served at "/" (its url path is "").
        assert {url for url, page in pages.items() if page.visibility == "hidden"} == {""}
        assert pages[""].title == i18n.t("nav.home", "zh")


def _render_page_alone(db_path: str, username: str, url: str) -> None:
    # A page's render() with a context of this user, but without app.py's navigation.
    import importlib

    from lib.core import auth
    from lib.core.db import connect
    from lib.ui import ui

    db = connect(db_path)
    ui.set_context(ui.Context(db=db, user=auth.load_user(db, username), lang="zh"))
    importlib.import_module(f"pages.{url}").render()


GUARDED = [(role, p["url"]) for p in STAFF_PAGES if p["roles"] for role in auth.ROLES]


@pytest.mark.parametrize("role,url", GUARDED, ids=[f"{r}-{u}" for r, u in GUARDED])
def test_a_role_guarded_page_refuses_other_roles_by_itself(shared_path, monkeypatch, role, url):
    """The second line: the page's own ``ui.staff_page(roles)``, should app.py ever register it."""
    monkeypatch.setenv("PORTAL_DB", str(shared_path))
    at = AppTest.from_function(_render_page_alone, args=(str(shared_path), ROLE_USERS[role], url),
                               default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    title = i18n.t(PAGE[url]["title_key"], "zh")
    prefix = _prefix(url)
    if may_open(role, url):
        assert [t.value for t in at.title] == [title] and REFUSAL_TEXT not in texts(at)
        assert any(k.startswith(prefix) for k in _keys(at._tree))
    else:
        assert [e.value for e in at.error] == [REFUSAL_TEXT]
        assert at.title == [] and at.dataframe == [] and at.metric == [] and at.caption == []
        assert not any(k.startswith(prefix) for k in _keys(at._tree))
