"""Real-browser tests: the portal served by ``streamlit run``, driven by Debian chromium.

Each test checks what only a real server and browser show: the login form, the
role-aware navigation with real figures, and the four security traps of STACK.md
(deep link after a restart, cookie after logout, cookie of a disabled user, lockout
after a restart). No request may leave localhost.

Run: ``pytest tests/test_browser.py`` (skipped without chromium unless
``PORTAL_REQUIRE_BROWSER=1``).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from lib.core import auth
from lib.core.db import connect
from lib.grids import coverage
from tests.conftest import DEMO_PASSWORD, chromium_path, copy_database

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
COOKIE_KEY = "browser-test-cookie-key-" + "x" * 40  # fixed, >= 48 chars
COOKIE_NAME = "portal_auth"
TIMEOUT_MS = 15_000
STARTUP_TIMEOUT_S = 30.0
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
]
ROLES = {
    "district": "district_admin",
    "station": "station_admin",
    "clerk": "clerk",
}


# --- the browser ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's launch options, with Debian chromium (never ``playwright install``)."""
    path = chromium_path()
    if path is None:
        if os.environ.get("PORTAL_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is not installed and PORTAL_REQUIRE_BROWSER=1")
        pytest.skip("chromium is not installed")
    return {**browser_type_launch_args, "executable_path": path, "args": CHROMIUM_ARGS}


# --- the server ----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PortalServer:
    """``streamlit run app.py`` on a fixed port, database and cookie key; restartable."""

    def __init__(self, db_path: Path, workdir: Path):
        self.db_path = db_path
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "streamlit.log"
        self.env = {
            **os.environ,
            "PORTAL_DB": str(db_path),
            "PORTAL_COOKIE_KEY": COOKIE_KEY,
            "PORTAL_SECRETS": str(workdir / "secrets.toml"),
            "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        }
        self.proc: subprocess.Popen | None = None
        self._log = None

    def start(self) -> None:
        assert self.proc is None, "server already running"
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py",
             "--server.address", "127.0.0.1", "--server.port", str(self.port),
             "--server.headless", "true"],
            cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"{self.base_url}/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        return
            except OSError:
                pass
            time.sleep(0.2)
        log = self.log_path.read_text(errors="replace")[-3000:]
        self.stop()
        raise RuntimeError(f"streamlit did not become healthy on port {self.port}:\n{log}")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None

    def restart(self) -> None:
        self.stop()
        # The same port: wait until the old socket is free again.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    s.bind(("127.0.0.1", self.port))
                    break
                except OSError:
                    time.sleep(0.2)
        self.start()

    def url(self, path: str = "/") -> str:
        return self.base_url + path


def _make_server(demo_template: Path, workdir: Path):
    db_path = copy_database(demo_template, workdir / "portal.db")
    server = PortalServer(db_path, workdir)
    server.start()
    return server


@pytest.fixture(scope="module")
def shared_server(demo_template, tmp_path_factory):
    """One server for the tests that neither restart it nor change what others see."""
    server = _make_server(demo_template, tmp_path_factory.mktemp("portal_shared"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def own_server(demo_template, tmp_path):
    """A private server (own port and database) for a test that restarts or changes it."""
    server = _make_server(demo_template, tmp_path)
    try:
        yield server
    finally:
        server.stop()


# --- page helpers --------------------------------------------------------------------


def wait_idle(page: Page) -> None:
    """Until the app is connected and its script has finished running."""
    expect(page.locator(
        '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
        '[data-test-script-state="notRunning"]'
    )).to_have_count(1, timeout=TIMEOUT_MS)


_INIT_ID = re.compile(rb"\$\$ID-([0-9a-f]+)-init")
_traffic: dict[int, dict] = {}


def new_page(context: BrowserContext) -> Page:
    """A page whose websocket traffic is watched, for :func:`wait_settled`."""
    page = context.new_page()
    state = _traffic[id(page)] = {"last": time.monotonic(), "rendered": None, "reported": set()}

    def payload(frame) -> bytes:
        return frame if isinstance(frame, bytes) else (frame or "").encode()

    def received(frame) -> None:
        state["last"] = time.monotonic()
        ids = _INIT_ID.findall(payload(frame))
        if ids:
            state["rendered"] = ids[-1]

    def sent(frame) -> None:
        state["last"] = time.monotonic()
        state["reported"].update(_INIT_ID.findall(payload(frame)))

    def on_websocket(ws) -> None:
        state["last"] = time.monotonic()
        ws.on("framereceived", received)
        ws.on("framesent", sent)

    page.on("websocket", on_websocket)
    return page


def wait_settled(page: Page, quiet_s: float = 0.3) -> None:
    """Until the cookie manager has reported its value and the run that caused is done.

    streamlit-authenticator's cookie manager (a component, widget key ``init``) sends the
    browser's cookies after it mounts, which reruns the script; its widget id changes
    after the first run, so it mounts and reports twice, sometimes seconds after the form
    is visible. A login submitted just before such a report loses its ``st.rerun()``
    (the report's fast rerun stops the login run): see the report. People are never
    that fast, so the tests act on a settled page.
    """
    state = _traffic[id(page)]
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        wait_idle(page)
        reported = state["rendered"] is None or state["rendered"] in state["reported"]
        if reported and time.monotonic() - state["last"] >= quiet_s:
            wait_idle(page)
            return
        page.wait_for_timeout(100)
    raise AssertionError("the page never settled")


def workbench_title(page: Page):
    return page.locator("h1", has_text="工作台")


def login_title(page: Page):
    return page.get_by_role("heading", name="民警登录")


def submit_login(page: Page, username: str, password: str) -> None:
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()


def login(page: Page, server: PortalServer, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(server.url("/"))
    expect(login_title(page)).to_be_visible(timeout=TIMEOUT_MS)
    wait_settled(page)
    submit_login(page, username, password)
    expect(workbench_title(page).first).to_be_visible(timeout=TIMEOUT_MS)
    wait_settled(page)  # the cookie manager reports the new cookie: one more run
    # Its JavaScript writes the cookie on its own time: a goto() before that is a new session
    # without it, i.e. the login form (seen once on a loaded CI machine).
    auth_cookie(page.context)
    wait_settled(page)


def auth_cookie(context: BrowserContext) -> dict:
    """The login cookie, once the cookie manager's JavaScript has written it."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        for cookie in context.cookies():
            if cookie["name"] == COOKIE_NAME and cookie["value"]:
                return cookie
        time.sleep(0.2)
    raise AssertionError(f"no {COOKIE_NAME} cookie was written after login")


def context_with_cookie(new_context, cookie: dict) -> BrowserContext:
    ctx = new_context()
    ctx.add_cookies([{"name": cookie["name"], "value": cookie["value"], "domain": "127.0.0.1", "path": "/"}])
    return ctx


def metric_value(page: Page, label: str) -> str:
    metric = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    )
    # While a rerun replaces the page, the old element can stand beside the new one for a moment.
    value = metric.get_by_test_id("stMetricValue").last
    expect(value).to_be_visible(timeout=TIMEOUT_MS)
    wait_settled(page)
    return value.inner_text().strip()


def body_text(page: Page) -> str:
    return page.locator("body").inner_text()


def assert_login_form_only(page: Page) -> None:
    """The login form is shown: no workbench, no figures, no error."""
    expect(login_title(page)).to_be_visible(timeout=TIMEOUT_MS)
    wait_settled(page)
    expect(workbench_title(page)).to_have_count(0)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    text = body_text(page)
    assert "Traceback" not in text and "Error" not in text, text
    assert "微信群" not in text, text


def summary_of(server: PortalServer, username: str) -> coverage.Summary:
    db = connect(server.db_path)
    try:
        return coverage.scope_summary(db, auth.load_user(db, username))
    finally:
        db.close()


def login_failures(server: PortalServer, username: str) -> int:
    db = connect(server.db_path)
    try:
        return db.execute("SELECT COUNT(*) FROM login_failures WHERE username = ?", [username]).fetchone()[0]
    finally:
        db.close()


# --- tests ---------------------------------------------------------------------------


@pytest.mark.parametrize("username", list(ROLES))
def test_each_demo_role_logs_in_and_sees_its_pages(shared_server, new_context, username):
    page = new_page(new_context())
    login(page, shared_server, username)
    # While a rerun replaces the page the old heading can stand beside the new one: .first.
    expect(page.get_by_role("heading", name="待办").first).to_be_visible(timeout=TIMEOUT_MS)
    wait_idle(page)

    nav = page.get_by_test_id("stSidebarNav")
    for entry in ("工作台", "我的账户", "线索提交", "进度查询"):
        expect(nav.get_by_text(entry, exact=True)).to_be_visible()

    main = page.get_by_test_id("stMain")
    if ROLES[username] == "district_admin":
        expect(main.get_by_text("全区", exact=True)).to_be_visible()
        expect(page.get_by_role("heading", name="各派出所").first).to_be_visible()
    else:
        expect(main.get_by_text("本所：三星派出所", exact=True)).to_be_visible()
        expect(page.get_by_role("heading", name="各派出所")).to_have_count(0)

    groups = summary_of(shared_server, username).groups
    assert groups > 0
    assert metric_value(page, "微信群") == f"{groups:,}"


def test_a_bookmarked_home_url_opens_the_workbench_without_a_not_found_dialog(shared_server, new_context):
    """/home is the workbench's own url (the app root serves it too): typed or bookmarked while
    logged in, it opens the workbench, not Streamlit's "Page not found" over it."""
    page = new_page(new_context())
    login(page, shared_server, "clerk")
    page.goto(shared_server.url("/home"))
    expect(workbench_title(page)).to_be_visible(timeout=TIMEOUT_MS)
    wait_settled(page)
    expect(page.get_by_text("Page not found")).to_have_count(0)
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_text("远程视频调解", exact=True)).to_be_visible()
    expect(nav.get_by_text("View", exact=False)).to_have_count(0)  # every page in view, no "View more"


def test_logged_out_visitor_sees_public_pages_and_login(shared_server, new_context):
    page = new_page(new_context())
    page.goto(shared_server.url("/"))
    expect(login_title(page)).to_be_visible(timeout=TIMEOUT_MS)
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_text("线索提交", exact=True)).to_be_visible()
    expect(nav.get_by_text("进度查询", exact=True)).to_be_visible()
    wait_settled(page)
    expect(page.get_by_text("微信群")).to_have_count(0)
    expect(page.get_by_test_id("stMetric")).to_have_count(0)
    expect(workbench_title(page)).to_have_count(0)

    phone = new_page(new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True))
    phone.goto(shared_server.url("/tip?push=123&grid=45"))
    expect(phone.get_by_role("heading", name="线索提交")).to_be_visible(timeout=TIMEOUT_MS)


def test_staff_url_as_the_first_request_after_a_restart_shows_the_login_then_the_page(own_server, new_context):
    """STACK trap 1: until ``st.navigation`` has run once, a fresh server runs ``pages/<url>.py`` itself
    for ``/<url>``; the page module's guard hands that run to app.py (pages/__init__.py).

    So a staff url opened first — on a fresh server, then again right after a restart — shows the
    login form with its "log in first" note: never the page, its figures, or "Page not found". Logging
    in there opens the page that was asked for.
    """
    summary = summary_of(own_server, "district")
    page = None
    for deep_link, title in (("/home", "工作台"), ("/triage", "线索研判")):
        if deep_link == "/triage":
            own_server.restart()
        page = new_page(new_context())
        page.goto(own_server.url(deep_link))  # the first request the process serves
        expect(login_title(page)).to_be_visible(timeout=TIMEOUT_MS)
        wait_settled(page)
        expect(page.get_by_text("该页面需要登录后访问。")).to_be_visible()
        expect(page.get_by_text("Page not found")).to_have_count(0)
        expect(page.get_by_role("heading", name=title)).to_have_count(0)

        text = body_text(page)
        for word in ("工作台", "线索研判", "微信群", "群成员", "网格常住人口", "各派出所", "各类网格"):
            assert word not in text, f"{deep_link}: {word!r} shown to a visitor after a restart:\n{text}"
        for n in (summary.groups, summary.members, summary.grids, summary.residents, summary.outposts):
            assert not re.search(rf"(?<![\d,]){n:,}(?![\d,])", text), f"{deep_link}: figure {n:,} leaked:\n{text}"
        expect(page.get_by_test_id("stMetric")).to_have_count(0)
        expect(page.get_by_test_id("stDataFrame")).to_have_count(0)

    submit_login(page, "district", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="线索研判").first).to_be_visible(timeout=TIMEOUT_MS)
    wait_settled(page)
    assert page.url.endswith("/triage")
    expect(page.get_by_text("Page not found")).to_have_count(0)


def test_tip_form_from_a_qr_code_as_the_first_request_after_a_restart(own_server, new_context):
    """A resident scans a grid's QR code just after the server (re)started: ``/tip?grid=<id>`` is the
    process's first request, so Streamlit runs ``pages/tip.py`` itself, and its guard serves it through
    app.py: the form, its grid chosen, no login and no "Page not found" over it."""
    from lib.grids import public_grids

    db = connect(own_server.db_path)
    try:
        grid_id = db.execute("SELECT id FROM grids WHERE geometry IS NOT NULL ORDER BY id LIMIT 1").fetchone()[0]
        place = public_grids.grid_place(db, grid_id, "zh")
    finally:
        db.close()

    phone = new_page(new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True))
    phone.goto(own_server.url(f"/tip?grid={grid_id}"))  # the first request the process serves
    expect(phone.get_by_role("heading", name="线索提交")).to_be_visible(timeout=TIMEOUT_MS)
    wait_settled(phone)
    expect(phone.get_by_text("Page not found")).to_have_count(0)
    expect(login_title(phone)).to_have_count(0)
    # The QR code's grid, chosen in both steps of the place picker.
    expect(phone.get_by_role("combobox", name=re.compile("所在社区"))).to_have_value(place["community_label"])
    expect(phone.get_by_role("combobox", name="网格", exact=True)).to_have_value(place["grid_label"])
    assert f"/tip?grid={grid_id}" in phone.url


def test_cookie_from_before_logout_does_not_log_in(own_server, new_context):
    """STACK trap 2: logout must revoke the cookie on the server, not only in the browser."""
    ctx = new_context()
    page = new_page(ctx)
    login(page, own_server, "clerk")
    cookie = auth_cookie(ctx)

    # Control: while the clerk is logged in, the copied cookie logs a fresh browser in.
    control = new_page(context_with_cookie(new_context, cookie))
    control.goto(own_server.url("/"))
    expect(workbench_title(control)).to_be_visible(timeout=TIMEOUT_MS)
    control.context.close()

    wait_settled(page)
    page.get_by_test_id("stSidebar").get_by_role("button", name="退出登录").click()
    expect(login_title(page)).to_be_visible(timeout=TIMEOUT_MS)

    replay = new_page(context_with_cookie(new_context, cookie))
    replay.goto(own_server.url("/"))
    assert_login_form_only(replay)


def test_cookie_of_deleted_user_shows_login_not_traceback(own_server, new_context):
    """STACK trap 3: a valid cookie naming a disabled user must not reach the library."""
    ctx = new_context()
    page = new_page(ctx)
    login(page, own_server, "clerk")
    cookie = auth_cookie(ctx)

    db = connect(own_server.db_path)
    try:
        auth.set_active(db, None, "clerk", False)
    finally:
        db.close()

    replay = new_page(context_with_cookie(new_context, cookie))
    replay.goto(own_server.url("/"))
    assert_login_form_only(replay)


def test_lockout_survives_restart(own_server, new_context):
    """STACK trap 4: the lockout lives in SQLite, not in the library's memory."""
    locked = "已锁定"
    page = new_page(new_context())
    page.goto(own_server.url("/"))
    expect(login_title(page)).to_be_visible(timeout=TIMEOUT_MS)
    wait_settled(page)
    for attempt in range(1, auth.MAX_FAILURES + 1):
        submit_login(page, "station", "wrong-password-1")
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while login_failures(own_server, "station") < attempt and time.monotonic() < deadline:
            time.sleep(0.1)
        assert login_failures(own_server, "station") == attempt
        if attempt < auth.MAX_FAILURES:
            expect(page.get_by_test_id("stAlert").filter(has_text="用户名或密码不正确")).to_be_visible(
                timeout=TIMEOUT_MS)
            wait_idle(page)
    expect(page.get_by_test_id("stAlert").filter(has_text=locked)).to_be_visible(timeout=TIMEOUT_MS)

    own_server.restart()

    page = new_page(new_context())
    page.goto(own_server.url("/"))
    expect(login_title(page)).to_be_visible(timeout=TIMEOUT_MS)
    wait_settled(page)
    submit_login(page, "station", DEMO_PASSWORD)
    expect(page.get_by_test_id("stAlert").filter(has_text=locked)).to_be_visible(timeout=TIMEOUT_MS)
    wait_settled(page)
    expect(workbench_title(page)).to_have_count(0)
    assert login_failures(own_server, "station") == auth.MAX_FAILURES  # no success wiped them


def test_no_request_leaves_localhost(shared_server, new_context):
    page = new_page(new_context())
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    page.on("websocket", lambda ws: urls.append(ws.url))

    login(page, shared_server, "station")
    wait_settled(page)
    page.get_by_test_id("stSidebarNav").get_by_text("我的账户", exact=True).click()
    expect(page.locator("h1", has_text="我的账户")).to_be_visible(timeout=TIMEOUT_MS)
    wait_settled(page)
    page.goto(shared_server.url("/tip?push=7&grid=3"))
    expect(page.get_by_role("heading", name="线索提交")).to_be_visible(timeout=TIMEOUT_MS)
    wait_settled(page)

    allowed = ("http://127.0.0.1:", "ws://127.0.0.1:", "data:", "blob:", "about:")
    assert any(u.startswith("ws://127.0.0.1:") for u in urls), urls
    outside = sorted({u for u in urls if not u.startswith(allowed)})
    assert not outside, f"requests left localhost: {outside}"


def test_map_is_drawn_offline(shared_server, new_context):
    import io

    from PIL import Image

    page = new_page(new_context(viewport={"width": 1400, "height": 1000}))
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    login(page, shared_server, "station")
    page.goto(shared_server.url("/map"))
    canvas = page.locator("canvas").first
    expect(canvas).to_be_visible(timeout=TIMEOUT_MS)
    wait_settled(page)
    page.wait_for_timeout(1500)  # deck.gl draws on the next animation frames
    image = Image.open(io.BytesIO(canvas.screenshot())).convert("RGB")
    colours = image.getcolors(maxcolors=1_000_000) or []
    # Coverage fills in several colours, outlines and labels: an empty canvas has one or two.
    assert len(colours) > 20, len(colours)
    reds = sum(n for n, (r, g, b) in colours if r > 180 and g < 120 and b < 100)
    assert reds > 100  # grids below the target are drawn red
    allowed = ("http://127.0.0.1:", "ws://127.0.0.1:", "data:", "blob:", "about:")
    assert not sorted({u for u in urls if not u.startswith(allowed)})


def test_volunteer_tip_to_public_reply_journey(own_server, new_context, tmp_path):
    # Issue #5's journey: a tip with a photo from a phone, triaged by the station's clerk,
    # answered publicly, and the answer read on the tracker with the tracking code.

    from PIL import Image

    from lib.grids import public_grids
    from lib.tips import tips

    db = connect(own_server.db_path)
    grid = db.execute("SELECT g.name, g.id FROM grids g JOIN units u ON u.id = g.station_id"
                      " WHERE u.name = '三星派出所' AND g.category = 'comprehensive' ORDER BY g.id LIMIT 1").fetchone()
    db.close()
    photo = tmp_path / "car.jpg"
    Image.new("RGB", (640, 480), (90, 90, 100)).save(photo, "JPEG")

    community, grid_label = public_grids.split_grid_name(grid[0])
    description = "三星镇汽车站旁停着一辆灰色面包车，车头有撞痕，车牌被遮挡。"

    phone = new_page(new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True))
    phone.goto(own_server.url("/tip"))  # typed in by hand: no grid chosen
    expect(phone.get_by_role("heading", name="线索提交")).to_be_visible(timeout=TIMEOUT_MS)
    wait_settled(phone)
    phone.get_by_text("案件线索", exact=True).click()
    wait_settled(phone)
    # As a person does: the form's fields first, key by key with pauses, then back up to the place
    # picker, whose choices rerun the page — what was typed in the form must still be there.
    for name, text in (("具体地点", "汽车站旁"), ("发生了什么？", description)):
        box = phone.get_by_role("textbox", name=name)
        box.click()
        box.press_sequentially(text, delay=30)
        phone.wait_for_timeout(400)
    community_box = phone.get_by_role("combobox", name=re.compile("所在社区"))
    community_box.click()
    community_box.press_sequentially(community[:2], delay=80)
    phone.get_by_role("option", name=f"{community} · 三星派出所", exact=True).click()
    wait_settled(phone)
    grid_box = phone.get_by_role("combobox", name="网格", exact=True)
    grid_box.click()
    offered = phone.get_by_role("option").all_inner_texts()
    assert offered and all(re.fullmatch(r"第\d+网格", o) for o in offered), offered  # that community's only
    phone.get_by_role("option", name=grid_label, exact=True).click()
    wait_settled(phone)
    expect(phone.get_by_role("textbox", name="发生了什么？")).to_have_value(description)
    expect(phone.get_by_role("textbox", name="具体地点")).to_have_value("汽车站旁")
    phone.locator("input[type=file]").first.set_input_files(str(photo))
    phone.get_by_text("我同意按上面的说明提交").click()
    wait_settled(phone)
    phone.get_by_role("button", name="提交", exact=True).click()
    expect(phone.get_by_text("已收到，谢谢您！")).to_be_visible(timeout=TIMEOUT_MS)
    # The confirmation replaces the form in the same run: wait for the code itself.
    expect(phone.get_by_text(re.compile(r"^[A-Z2-9]{5}-[A-Z2-9]{5}$")).first).to_be_visible(timeout=TIMEOUT_MS)
    wait_settled(phone)
    code_text = body_text(phone)
    match = re.search(r"\b([A-Z2-9]{5})-([A-Z2-9]{5})\b", code_text)
    assert match, code_text
    code = match.group(1) + match.group(2)

    db = connect(own_server.db_path)
    tip = db.execute("SELECT id, station_id, state, grid_id, description, location_text FROM tips"
                     " WHERE tracking_code = ?", [code]).fetchone()
    photos = db.execute("SELECT COUNT(*) FROM tip_photos WHERE tip_id = ?", [tip[0]]).fetchone()[0]
    db.close()
    assert photos == 1 and tip[2] == "new"
    assert tip[3:] == (grid[1], description, "汽车站旁")  # every field as typed, the grid chosen
    assert tip[1] == connect(own_server.db_path).execute(
        "SELECT id FROM units WHERE name = '三星派出所'").fetchone()[0]  # routed to the grid's station

    clerk = new_page(new_context())
    login(clerk, own_server, "clerk")
    clerk.goto(own_server.url("/triage"))
    expect(clerk.get_by_role("heading", name="线索研判")).to_be_visible(timeout=TIMEOUT_MS)
    wait_settled(clerk)
    clerk.get_by_role("spinbutton", name="按编号打开").fill(str(tip[0]))
    clerk.get_by_role("spinbutton", name="按编号打开").press("Enter")
    wait_settled(clerk)
    clerk.get_by_role("tab", name="快速办理").click()
    clerk.get_by_role("textbox", name="答复内容").fill("感谢您的线索！民警已到现场核实。")
    wait_settled(clerk)
    clerk.get_by_role("button", name="发布公开答复").click()
    expect(clerk.get_by_text("答复已发布")).to_be_visible(timeout=TIMEOUT_MS)

    db = connect(own_server.db_path)
    assert tips.track(db, code)["replies"][0]["text"] == "感谢您的线索！民警已到现场核实。"
    db.close()
    phone.goto(own_server.url(f"/track?code={code.lower()}"))
    expect(phone.get_by_text("感谢您的线索！民警已到现场核实。")).to_be_visible(timeout=TIMEOUT_MS)


def test_an_export_is_made_when_clicked_long_after_the_run_that_drew_it(shared_server, new_context):
    """A download's data is made when the file is asked for, after its run ended and closed its
    connection (app.py): the export opens a connection of its own (ui.on_demand) and keeps the
    user's scope. (The triage exports work the same way; this demo has no tips to export.)"""
    page = new_page(new_context(accept_downloads=True))
    login(page, shared_server, "clerk")
    page.goto(shared_server.url("/registry"))
    expect(page.get_by_role("heading", name="群组台账").first).to_be_visible(timeout=TIMEOUT_MS)
    wait_settled(page)
    page.wait_for_timeout(1500)  # the run is over; its connection is closed
    with page.expect_download(timeout=TIMEOUT_MS) as download:
        page.get_by_role("button", name="导出 CSV").first.click()
    lines = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) - 1 == summary_of(shared_server, "clerk").groups > 0  # the station's groups only
