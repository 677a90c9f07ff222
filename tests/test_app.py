"""AppTest: login (through the real form), navigation by role, the home page's figures."""

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from lib.core import auth
from lib.core.db import connect
from lib.grids import coverage
from lib.ui import ui
from tests.apptest import APP, ROOT, goto, login, metrics, texts
from tests.conftest import DEMO_PASSWORD


def test_logged_out_visitor_gets_the_login_form_and_no_figures(app):
    at = app().run()
    assert not at.exception
    shown = texts(at)
    assert "民警登录" in shown
    assert at.text_input(key="login_username").label == "用户名"
    assert at.metric == []  # no figure of any scope


def test_login_through_the_real_form_shows_the_clerks_station(app, demo_path):
    at = login(app().run(), "clerk", DEMO_PASSWORD)
    assert not at.exception
    assert at.session_state["authentication_status"] is True
    shown = texts(at)
    assert "工作台" in shown and "本所：三星派出所" in shown
    summary = coverage.scope_summary(connect(demo_path), auth.load_user(connect(demo_path), "clerk"))
    assert metrics(at)["微信群"] == ui.fmt_int(summary.groups)
    assert metrics(at)["群成员"] == ui.fmt_int(summary.members)


def test_wrong_password_says_so_without_naming_the_cause(app):
    at = login(app().run(), "clerk", "wrong-password")
    assert [e.value for e in at.error] == ["用户名或密码不正确。"]
    unknown = login(app().run(), "nobody-here", "wrong-password")
    assert [e.value for e in unknown.error] == ["用户名或密码不正确。"]
    assert at.metric == []


def test_five_failures_show_the_lock(app):
    at = app().run()
    for _ in range(auth.MAX_FAILURES):
        at = login(at, "station", "wrong-password")
    assert "已锁定" in at.error[0].value
    at = login(at, "station", DEMO_PASSWORD)
    assert "已锁定" in at.error[0].value
    assert at.metric == []


def test_district_admin_sees_the_whole_district_and_every_station(app, demo_path):
    at = app("district").run()
    assert not at.exception
    shown = texts(at)
    assert "全区" in shown and "各派出所" in shown
    db = connect(demo_path)
    summary = coverage.scope_summary(db, auth.load_user(db, "district"))
    m = metrics(at)
    assert m["微信群"] == ui.fmt_int(summary.groups)
    assert m["网格常住人口"] == ui.fmt_int(summary.residents)
    assert m["人口覆盖率"] == ui.fmt_pct(summary.coverage_pct)
    categories, stations = (d.value for d in at.dataframe)
    assert len(categories) == 5 and len(stations) == 17
    assert int(stations["群数"].sum()) == summary.groups
    assert "水上派出所" in set(stations["派出所"])


@pytest.mark.parametrize("username", ["station", "clerk"])
def test_station_roles_see_only_their_station(app, demo_path, username):
    at = app(username).run()
    shown = texts(at)
    assert "本所：三星派出所" in shown and "各派出所" not in shown
    db = connect(demo_path)
    own = coverage.scope_summary(db, auth.load_user(db, username))
    district = coverage.scope_summary(db, auth.load_user(db, "district"))
    assert metrics(at)["微信群"] == ui.fmt_int(own.groups) != ui.fmt_int(district.groups)
    category_table = at.dataframe[0].value
    assert int(category_table["群数"].sum()) == own.groups


def test_english_on_request(app):
    at = app("clerk", lang="en").run()
    shown = texts(at)
    assert "Workbench" in shown and "Station: 三星派出所" in shown
    assert "Groups" in metrics(at)


def test_session_of_a_disabled_user_ends(app, demo_path):
    at = app("clerk").run()
    assert at.metric
    auth.set_active(connect(demo_path), None, "clerk", False)
    at.run()
    assert not at.exception
    assert at.metric == [] and "民警登录" in texts(at)


def test_logout_ends_the_session_and_revokes_cookies(app, demo_path):
    at = app("clerk").run().run()  # from the second run on, through pages/home.py and its guard
    at.button(key="app_logout").click().run()
    assert not at.exception
    assert at.metric == [] and "民警登录" in texts(at)
    assert connect(demo_path).execute(
        "SELECT logged_out_at FROM users WHERE username = 'clerk'").fetchone()[0] is not None


def test_tip_page_is_reachable_without_login_and_ignores_junk_parameters(app):
    at = app().run()
    at.query_params["push"] = "<script>alert(1)</script>"
    at.query_params["grid"] = "99999999999999999999999"
    goto(at, "tip").run()
    assert not at.exception
    assert "线索提交" in texts(at) and at.radio  # the form, with its kind choice
    assert at.metric == []


def _render_home_and_account_alone():
    # render() called by anything but app.py's navigation: no context, no login.
    from pages import account, home

    home.render()
    account.render()


def test_a_staff_page_rendered_without_app_py_shows_nothing(demo_path, monkeypatch):
    monkeypatch.setenv("PORTAL_DB", str(demo_path))
    at = AppTest.from_function(_render_home_and_account_alone, default_timeout=30).run()
    assert not at.exception
    assert at.metric == [] and at.title == [] and at.dataframe == [] and "民警登录" not in texts(at)


def test_unwritable_database_shows_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_DB", str(tmp_path))  # a folder, not a file
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert "数据库" in at.error[0].value


def test_staff_deep_link_while_logged_out_shows_login_then_the_page(app):
    at = goto(app().run(), "account").run()
    assert "该页面需要登录后访问。" in texts(at)
    assert "clerk" not in texts(at)
    at = login(at, "clerk", DEMO_PASSWORD)
    shown = texts(at)
    assert "我的账户" in shown and "clerk" in shown and "三星派出所" in shown


PAGES = ROOT / "pages"
GUARD = "if __name__ == '__main__':\n    ui.run_app()"


def _registered_pages(app) -> list:
    """Every st.Page app.py registers: logged out (login, staff pages hidden, public pages) and for
    a district admin (every staff page, the root's hidden default page, public pages)."""
    pages = []
    for username in (None, "district"):
        at = app(username).run()
        assert not at.exception
        pages += at.session_state["portal_pages"].values()
    return pages


def test_every_url_path_app_py_registers_has_exactly_one_module_named_after_it(app):
    registered = _registered_pages(app)
    modules = {}
    for page in registered:
        fn = page._page  # the render function app.py passed to st.Page
        assert fn.__name__ == "render" and fn.__module__.startswith("pages."), page.title
        if page.url_path:  # a default page's is "": served at "/" only (pages/__init__.py)
            assert fn.__module__ == f"pages.{page.url_path}", (page.url_path, fn.__module__)
        modules[fn.__module__.removeprefix("pages.")] = fn
    urls = {page.url_path for page in registered if page.url_path}
    assert {"home", "triage", "appeals", "mediation", "compose", "pushes", "library", "registry", "map",
            "experts", "rules", "accounts", "account", "tip", "track", "checklist", "problems", "situations", "league"} == urls
    assert set(modules) == urls | {"login"}  # the login page is the default when logged out
    # pages/ holds nothing else: no shim, no shared sub-view, no stray file.
    assert sorted(f.name for f in PAGES.iterdir() if f.name != "__pycache__") == sorted(
        ["__init__.py", *(f"{name}.py" for name in modules)])


@pytest.mark.parametrize("path", sorted(PAGES.glob("[!_]*.py")), ids=lambda p: p.stem)
def test_every_page_module_defines_render_does_nothing_at_import_and_ends_with_the_guard(path):
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    *body, last = tree.body
    assert ast.unparse(last) == GUARD, f"{path.name} does not end with the guard"
    assert any(isinstance(n, ast.FunctionDef) and n.name == "render" for n in body)
    for node in body:  # definitions only: a docstring, imports, constants, functions, classes
        assert isinstance(node, (ast.Expr, ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign,
                                 ast.FunctionDef, ast.ClassDef)), (path.name, node.lineno)
        assert not isinstance(node, ast.Expr) or isinstance(node.value, ast.Constant), (path.name, node.lineno)


def test_no_page_imports_a_page():
    import ast

    for path in [*PAGES.glob("*.py"), *(ROOT / "lib").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            assert not any(n == "pages" or n.startswith("pages.") for n in names), (path, node.lineno)


STAFF_URLS = ["home", "triage", "appeals", "mediation", "compose", "pushes", "library", "registry", "map",
              "experts", "rules", "account"]


@pytest.mark.parametrize("url", STAFF_URLS)
def test_a_staff_url_as_the_first_request_runs_its_file_and_gets_the_login(app, url):
    # AppTest starts every run in the old multipage mode (app_test.py ~666), as a fresh server does
    # its first request: /<url> runs pages/<url>.py as a script, and its guard hands over to app.py.
    at = goto(app(), url).run()
    assert not at.exception
    shown = texts(at)
    assert "该页面需要登录后访问。" in shown and at.text_input(key="login_username")
    assert at.metric == [] and at.dataframe == []


def test_the_tip_form_as_the_first_request_is_the_form(app, demo_path):
    grid = connect(demo_path).execute("SELECT id FROM grids ORDER BY id LIMIT 1").fetchone()[0]
    at = app()
    at.query_params["grid"] = str(grid)
    at = goto(at, "tip").run()
    assert not at.exception
    assert "线索提交" in texts(at) and at.radio and "民警登录" not in [t.value for t in at.title]


def test_workbench_to_do_counts_open_and_overdue_tips(app, demo_path):
    from lib.tips import tips
    from lib.tips.tips import TipInput

    db = connect(demo_path)
    clerk = auth.load_user(db, "clerk")
    grid = db.execute("SELECT id FROM grids WHERE station_id = ? LIMIT 1", [clerk.station_id]).fetchone()[0]
    tips.create_tip(db, TipInput(kind="lead", description="可疑车辆停在路边很久", grid_id=grid, consent=True),
                    priority="urgent", now="2020-01-01T00:00:00Z")
    tips.create_tip(db, TipInput(kind="request", description="路灯坏了请修理", grid_id=grid, consent=True))
    at = app("clerk").run()
    assert metrics(at)["待办线索"] == "2" and metrics(at)["答复已超时"] == "1"


def test_workbench_counts_open_mediation_cases_and_the_weeks_sessions(app, demo_path):
    from lib.mediation import mediation

    db = connect(demo_path)
    clerk = auth.load_user(db, "clerk")
    expected = mediation.workload(db, clerk)
    open_cases = db.execute("SELECT COUNT(*) FROM mediation_cases WHERE station_id = ? AND is_open = 1",
                            [clerk.station_id]).fetchone()[0]
    assert expected["open"] == open_cases > 0
    case = mediation.open_case(db, clerk, {"title": "商铺租金纠纷", "dispute_type": "commercial_trade",
                                           "summary": "房东与租户就押金退还发生争执。"},
                               [{"role": "applicant", "name": "陈某"}, {"role": "respondent", "name": "吴某",
                                                                          "country": "KE"}])
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).astimezone(dt.timezone(dt.timedelta(hours=8)))
    mediation.schedule_session(db, clerk, case["id"], case["version"], soon.strftime("%Y-%m-%d 15:00"))
    at = app("clerk").run()
    assert metrics(at)["在办调解案件"] == str(open_cases + 1)
    assert metrics(at)["7 天内视频调解"] == str(expected["sessions"] + 1)
