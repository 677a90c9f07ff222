"""A station's own tile server as the map's basemap (issue #16): with ``PORTAL_MAP_TILES`` set (and the
GCJ-02 shift on), 网格地图 draws the grids over tiles fetched from that server — and nothing else leaves
127.0.0.1. Before the fix the whole map was replaced by "TypeError: k.mapStyle?.includes is not a function"."""

from __future__ import annotations

import io
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.conftest import copy_database
from tests.test_browser import (  # noqa: F401 - the launch fixture is used by pytest-playwright
    TIMEOUT_MS,
    PortalServer,
    browser_type_launch_args,
    login,
    new_page,
    wait_settled,
)

pytestmark = pytest.mark.browser
TILE_COLOUR = (0, 160, 0)  # a green no grid is painted in


def _tile_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), TILE_COLOUR).save(out, "PNG")
    return out.getvalue()


class _Tiles(BaseHTTPRequestHandler):
    png = _tile_png()
    paths: list[str] = []

    def do_GET(self):  # noqa: N802 - the http.server API
        type(self).paths.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Access-Control-Allow-Origin", "*")  # MapLibre fetches tiles with CORS
        self.send_header("Content-Length", str(len(self.png)))
        self.end_headers()
        self.wfile.write(self.png)

    def log_message(self, *args):
        pass


@pytest.fixture
def tile_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Tiles)
    _Tiles.paths = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


@pytest.fixture
def map_server(demo_template, tmp_path, tile_server):
    server = PortalServer(copy_database(demo_template, tmp_path / "portal.db"), tmp_path)
    server.env["PORTAL_MAP_TILES"] = tile_server + "/{z}/{x}/{y}.png"
    server.env["PORTAL_MAP_GCJ02"] = "1"
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_the_map_draws_over_the_stations_own_tiles(map_server, new_context, tile_server):
    page = new_page(new_context(viewport={"width": 1400, "height": 1000}))
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    login(page, map_server, "station")
    page.goto(map_server.url("/map"))
    canvas = page.locator("canvas").first
    expect(canvas).to_be_visible(timeout=TIMEOUT_MS)
    wait_settled(page)
    deadline_ms = TIMEOUT_MS
    while not any(re.fullmatch(r"/\d+/\d+/\d+\.png", p) for p in _Tiles.paths) and deadline_ms > 0:
        page.wait_for_timeout(250)
        deadline_ms -= 250
    assert any(re.fullmatch(r"/\d+/\d+/\d+\.png", p) for p in _Tiles.paths), _Tiles.paths
    page.wait_for_timeout(1500)  # tiles and deck.gl draw on the next animation frames
    assert "mapStyle" not in page.evaluate("() => document.body.innerText")  # no TypeError in place of the map
    shot = Image.open(io.BytesIO(page.locator("[data-testid='stDeckGlJsonChart']").first.screenshot())).convert("RGB")
    colours = dict((c, n) for n, c in shot.getcolors(maxcolors=1_000_000) or [])
    assert colours.get(TILE_COLOUR, 0) > 1000  # the tiles are drawn
    assert len(colours) > 20  # and the grids over them
    allowed = ("http://127.0.0.1:", "ws://127.0.0.1:", "data:", "blob:", "about:")
    assert not sorted({u for u in urls if not u.startswith(allowed)})
