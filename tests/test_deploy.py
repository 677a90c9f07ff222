"""deploy/: the shipped nginx site in front of a real portal, on loopback ports (issue #12).

The site file is used as shipped, with only its ports and certificate paths replaced; the
snippets are copied verbatim. nginx and the portal run as in production: TLS, compression,
security headers, the websocket. The browser logs in through the proxy and walks pages with
the Content-Security-Policy enforced, failing on any violation.

To show that the per-client limits see the address nginx saw, the test's own nginx.conf (not
the shipped files) lets a test client claim an address with ``X-Test-Client`` through nginx's
realip module: that is how connections from different phones look to the site. The shipped
site must then pass that address on and drop whatever ``X-Forwarded-For`` the client sent.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import os
import re
import shutil
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import extra_streamlit_components
import pytest
import streamlit
from playwright.sync_api import Page, expect

from lib.core import web_fonts
from lib.core.db import connect
from lib.tips import intake_guard
from tests.conftest import copy_database
from tests.test_browser import (  # noqa: F401 - the launch fixture is used by pytest-playwright
    TIMEOUT_MS,
    PortalServer,
    _free_port,
    body_text,
    browser_type_launch_args,
    login,
    new_page,
    wait_settled,
)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
MODULES = Path("/usr/lib/nginx/modules")
BROTLI = (MODULES / "ngx_http_brotli_filter_module.so").exists()
# The pages whose inline script the policy allows by hash.
INLINE_SCRIPTS = [
    Path(streamlit.__file__).parent / "static" / "index.html",
    Path(extra_streamlit_components.__file__).parent / "CookieManager" / "frontend" / "build" / "index.html",
]


def nginx_path() -> str | None:
    return shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def render_site(upstream_port: int, http_port: int, https_port: int, cert: Path, key: Path, fonts: Path) -> str:
    """deploy/nginx/portal.conf with loopback ports, the test's certificate and fonts folder, nothing else changed."""
    text = (DEPLOY / "nginx" / "portal.conf").read_text()
    for old, new in [
        ("server 127.0.0.1:8501;", f"server 127.0.0.1:{upstream_port};"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen [::]:80;", ""),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("listen [::]:443 ssl http2;", ""),
        ("/etc/ssl/portal/portal.crt", str(cert)),
        ("/etc/ssl/portal/portal.key", str(key)),
        ("/opt/portal/build/fonts", str(fonts)),
    ]:
        assert old in text, f"deploy/nginx/portal.conf no longer has {old!r}"
        text = text.replace(old, new)
    return text


class Proxy:
    """nginx with the shipped site in front of a :class:`PortalServer`."""

    def __init__(self, upstream: PortalServer, workdir: Path):
        self.upstream = upstream
        self.dir = workdir / "nginx"
        self.http_port, self.https_port = _free_port(), _free_port()
        self.base_url = f"https://127.0.0.1:{self.https_port}"
        self.proc: subprocess.Popen | None = None

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def write_config(self) -> Path:
        conf = self.dir / "conf"
        (conf / "snippets").mkdir(parents=True, exist_ok=True)
        for name in ("portal-proxy.conf", "portal-headers.conf") + (("portal-brotli.conf",) if BROTLI else ()):
            shutil.copy(DEPLOY / "nginx" / name, conf / "snippets" / name)
        cert, key = self.dir / "portal.crt", self.dir / "portal.key"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                       check=True, capture_output=True)
        self.fonts = self.dir / "fonts"
        web_fonts.write_fonts(self.fonts)  # as `make install` does
        (conf / "portal.conf").write_text(render_site(self.upstream.port, self.http_port, self.https_port, cert, key,
                                                      self.fonts))
        modules = "".join(f"load_module {MODULES / m};\n" for m in (
            "ngx_http_brotli_filter_module.so", "ngx_http_brotli_static_module.so") if BROTLI)
        temp = "".join(f"{name}_temp_path {self.dir / name};\n" for name in (
            "client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        (conf / "nginx.conf").write_text(f"""{'user root;' if os.geteuid() == 0 else ''}
{modules}pid {self.dir / 'nginx.pid'};
error_log {self.dir / 'error.log'} warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    # bench/phone.py sums what nginx sent (bodies as compressed, headers, websocket frames).
    log_format sent '$status $bytes_sent $request_uri';
    access_log {self.dir / 'access.log'} sent;
    {temp}
    # Test only: the client may claim the address nginx sees (a phone on the network).
    set_real_ip_from 127.0.0.1;
    real_ip_header X-Test-Client;
    include portal.conf;
}}
""")
        return conf / "nginx.conf"

    def start(self) -> None:
        config = self.write_config()
        check = subprocess.run([nginx_path(), "-t", "-p", str(self.dir), "-c", str(config)],
                               capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        self.proc = subprocess.Popen([nginx_path(), "-p", str(self.dir), "-c", str(config), "-g", "daemon off;"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                if fetch(self.url("/_stcore/health"))[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("nginx did not answer: " + (self.dir / "error.log").read_text(errors="replace")[-2000:])

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None


def fetch(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    """GET without following redirects and without verifying the test's certificate."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), NoRedirect)
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


@pytest.fixture(scope="module")
def proxied(demo_template, tmp_path_factory):
    if nginx_path() is None:
        if os.environ.get("PORTAL_REQUIRE_BROWSER") == "1":
            pytest.fail("nginx is not installed and PORTAL_REQUIRE_BROWSER=1 (.ci/run installs it)")
        pytest.skip("nginx is not installed")
    workdir = tmp_path_factory.mktemp("deploy")
    server = PortalServer(copy_database(demo_template, workdir / "portal.db"), workdir)
    proxy = Proxy(server, workdir)
    server.env["PORTAL_PUBLIC_URL"] = proxy.base_url
    server.start()
    try:
        proxy.start()
        yield proxy
    finally:
        proxy.stop()
        server.stop()


def main_script(proxied: Proxy) -> str:
    index = fetch(proxied.url("/"))[2].decode()
    return "/" + re.search(r'src="\./(static/js/index\.[^"]+\.js)"', index).group(1)


def test_streamlits_files_arrive_compressed_and_cached_for_a_year(proxied):
    path = main_script(proxied)
    status, raw_headers, raw = fetch(proxied.upstream.url(path))  # Streamlit itself: uncompressed
    assert status == 200 and "content-encoding" not in raw_headers
    status, headers, body = fetch(proxied.url(path), {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == raw and len(body) < len(raw) / 3, (len(body), len(raw))
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    if BROTLI:
        status, headers, body = fetch(proxied.url(path), {"Accept-Encoding": "gzip, br"})
        assert headers["content-encoding"] == "br" and len(body) < len(raw) / 3
    # the page itself is not cached for a year: a new version must reach the phone
    assert "immutable" not in fetch(proxied.url("/tip"))[1].get("cache-control", "")


def test_the_fonts_arrive_cut_to_what_the_portal_shows_and_streamlits_own_without_them(proxied):
    path = "/static/media/" + web_fonts.font_file(web_fonts.ICON_FONT).name  # the name Streamlit's page asks for
    full = web_fonts.font_file(web_fonts.ICON_FONT).read_bytes()
    cut = proxied.fonts / "MaterialSymbols-Rounded.woff2"
    status, headers, body = fetch(proxied.url(path))
    assert status == 200 and body == cut.read_bytes() and len(body) < len(full) / 10
    assert headers["content-type"] == "font/woff2" and headers["x-content-type-options"] == "nosniff"
    # asked again after each upgrade of the portal: an unchanged font costs a 304
    assert headers["cache-control"] == "no-cache"
    assert fetch(proxied.url(path), {"If-None-Match": headers["etag"]})[0] == 304
    text = "/static/media/" + web_fonts.font_file("SourceSansVF-Upright").name
    assert fetch(proxied.url(text))[2] == (proxied.fonts / "SourceSansVF-Upright.woff2").read_bytes()
    # without `make install`'s fonts nginx passes Streamlit's own
    cut.rename(cut.with_suffix(".away"))
    try:
        status, headers, body = fetch(proxied.url(path))
        assert status == 200 and body == full and headers["cache-control"] == "public, max-age=31536000, immutable"
    finally:
        cut.with_suffix(".away").rename(cut)


def drawn_icons(page: Page) -> list[dict]:
    """Every Material icon on the page: its name and how wide it is drawn against its font size."""
    return page.locator('[data-testid="stIconMaterial"]').evaluate_all(
        "els => els.filter(e => e.offsetParent).map(e => ({name: e.textContent,"
        " ratio: e.getBoundingClientRect().width / parseFloat(getComputedStyle(e).fontSize)}))")


def assert_icons_drawn(page: Page) -> None:
    """An icon the cut font lacked would show as its name, several times wider than one glyph."""
    page.evaluate("document.fonts.ready")
    icons = drawn_icons(page)
    assert icons and [i for i in icons if i["ratio"] > 1.5] == [], icons


def test_every_answer_carries_the_security_headers(proxied):
    digests = []
    for page in INLINE_SCRIPTS:
        inline = re.search(r"<script>(.*?)</script>", page.read_text(), re.S).group(1)
        digests.append(base64.b64encode(hashlib.sha256(inline.encode()).digest()).decode())
    for path in ("/", "/tip", main_script(proxied), "/_stcore/health", "/no-such-page"):
        status, headers, _ = fetch(proxied.url(path))
        assert status == 200, path
        assert headers["x-frame-options"] == "SAMEORIGIN", path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["referrer-policy"] == "same-origin", path
        csp = headers["content-security-policy"]
        assert "frame-ancestors 'self'" in csp and "object-src 'none'" in csp and "'unsafe-eval'" not in csp
        # the inline scripts, allowed by hash: an upgrade that changes one fails here
        for digest in digests:
            assert f"'sha256-{digest}'" in csp, f"an inline script is now {digest}: update portal-headers.conf"
        assert headers["server"] == "nginx", headers["server"]  # no version


def test_plain_http_is_sent_to_https(proxied):
    status, headers, _ = fetch(f"http://127.0.0.1:{proxied.http_port}/tip?push=3")
    assert status == 301 and headers["location"].startswith("https://127.0.0.1") and headers["location"].endswith(
        "/tip?push=3")


def watch(page: Page, proxied: Proxy) -> dict:
    """CSP violations and requests that leave the portal, as the page makes them."""
    seen = {"violations": [], "outside": [], "requests": []}
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on("console", lambda m: "Content Security Policy" in m.text and seen["violations"].append(m.text))
    page.on("pageerror", lambda e: "Content Security Policy" in str(e) and seen["violations"].append(str(e)))
    page.on("request", lambda r: r.url.startswith(("http", "ws")) and not r.url.startswith(
        (proxied.base_url, proxied.base_url.replace("https", "wss"))) and seen["outside"].append(r.url))
    return seen


def test_a_clerk_logs_in_and_works_through_the_proxy_under_the_policy(proxied, new_context):
    page = new_page(new_context(viewport={"width": 1400, "height": 1000}, ignore_https_errors=True))
    seen = watch(page, proxied)
    login(page, proxied, "clerk")
    assert "三星派出所" in body_text(page)
    for path, shows in [("/triage", "线索研判"), ("/map", "网格地图"), ("/compose", "推送编辑")]:
        page.goto(proxied.url(path))
        expect(page.get_by_role("heading", name=shows).first).to_be_visible(timeout=TIMEOUT_MS)
        wait_settled(page)
        assert_icons_drawn(page)
    page.goto(proxied.url("/map"))
    expect(page.locator("canvas").first).to_be_visible(timeout=TIMEOUT_MS)  # the deck draws (blob: workers)
    wait_settled(page)
    assert (seen["violations"], seen["outside"]) == ([], [])
    assert any("CookieManager" in url for url in seen["requests"])  # the login's cookie manager
    # The public form skips the login machinery; the next staff page logs in from the cookie.
    page.goto(proxied.url("/tip"))
    expect(page.get_by_role("textbox", name=re.compile("发生了什么"))).to_be_visible(timeout=TIMEOUT_MS)
    wait_settled(page)
    page.goto(proxied.url("/home"))
    expect(page.locator("h1", has_text="工作台").first).to_be_visible(timeout=TIMEOUT_MS)


def test_the_public_form_on_a_phone_works_under_the_policy(proxied, new_context):
    page = new_page(new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                ignore_https_errors=True))
    seen = watch(page, proxied)
    page.goto(proxied.url("/tip"))
    expect(page.get_by_role("textbox", name=re.compile("发生了什么"))).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_role("button", name=re.compile("使用我现在的位置"))).to_be_visible()  # a component of the portal's own
    wait_settled(page)
    assert "Error" not in body_text(page)
    assert (seen["violations"], seen["outside"]) == ([], [])
    # a visitor's phone does not load the login's cookie manager (about 140 kB)
    assert not [url for url in seen["requests"] if "CookieManager" in url]
    # nor look for the server under /tip first (told by the proxy's script: a round trip saved)
    assert not [url for url in seen["requests"] if "/tip/_stcore/" in url]
    assert any(url.endswith("/_stcore/host-config") for url in seen["requests"])
    assert_icons_drawn(page)


def test_the_rate_limit_sees_the_address_nginx_saw_not_a_header_the_client_sent(proxied, new_context):
    db = connect(proxied.upstream.db_path)
    for _ in range(intake_guard.CHALLENGE_AFTER):  # this phone has just sent two tips
        intake_guard.record(db, client_key="10.20.30.40", contact_phone=None)
    db.close()

    def challenged(headers: dict) -> bool:
        page = new_page(new_context(viewport={"width": 390, "height": 844}, ignore_https_errors=True,
                                    extra_http_headers=headers))
        page.goto(proxied.url("/tip"))
        expect(page.get_by_role("textbox", name=re.compile("发生了什么"))).to_be_visible(timeout=TIMEOUT_MS)
        wait_settled(page)
        shown = "等于几" in body_text(page)
        page.context.close()
        return shown

    assert challenged({"X-Test-Client": "10.20.30.40"})  # the same phone, a new browser session
    assert not challenged({"X-Test-Client": "10.20.30.41"})  # another phone
    # the same phone claiming another address: nginx replaces the header, the limit holds
    assert challenged({"X-Test-Client": "10.20.30.40", "X-Forwarded-For": "198.51.100.7"})
