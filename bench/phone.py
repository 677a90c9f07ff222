"""A volunteer's first visit to the public form on a phone (issue #12).

A real Streamlit server with the demo district, the shipped nginx site in front of it
(deploy/nginx, as tests/test_deploy.py runs it), and Debian chromium at 390×844 with an empty
cache. Chromium's network emulation gives DevTools' presets:

- fast 3G: 1.6 Mbps down and 750 kbps up, each × 0.9, 562.5 ms round trip;
- 4G ("fast 4G"): 9 Mbps down and 1.5 Mbps up, each × 0.9, 165 ms round trip.

"Usable" is the moment the description field and the submit button are on screen, from the
start of navigation. Bytes through the proxy are what nginx sent the phone (its access log's
``$bytes_sent``: headers, bodies as compressed, the websocket's frames as compressed; TLS adds a
few per cent). Straight to Streamlit, they are what Chromium saw: responses as encoded plus the
websocket's messages as decompressed (no per-frame figure exists there). Each figure is the
median of three visits after one unmeasured visit (a running portal has served the page
before); the visits straight to Streamlit are beside them, as information.
"""

from __future__ import annotations

import re
import statistics
import time
from pathlib import Path

from bench.common import Env, Figure

RUNS = 3
PRESETS = {
    "fast3g": {"latency": 562.5, "downloadThroughput": 1.6e6 / 8 * 0.9, "uploadThroughput": 750e3 / 8 * 0.9},
    "4g": {"latency": 165.0, "downloadThroughput": 9e6 / 8 * 0.9, "uploadThroughput": 1.5e6 / 8 * 0.9},
    "unthrottled": None,
}


def nginx_sent(log: Path | None, start: int) -> int | None:
    """Bytes nginx logged as sent from offset ``start`` of its access log on."""
    if log is None:
        return None
    with log.open("rb") as f:
        f.seek(start)
        return sum(int(line.split()[1]) for line in f.read().decode().splitlines() if line.strip())


def visit(browser, url: str, preset: dict | None, log: Path | None = None) -> tuple[float, int, int]:
    """(seconds until usable, bytes over the wire, requests) of one first visit."""
    start = log.stat().st_size if log else 0
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  ignore_https_errors=True)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    if preset:
        cdp.send("Network.emulateNetworkConditions", {"offline": False, **preset})
    seen = {"bytes": 0, "requests": 0}

    def finished(event):
        seen["bytes"] += int(event.get("encodedDataLength", 0))
        seen["requests"] += 1

    def frame(event):
        response = event["response"]
        data = response.get("payloadData", "")
        seen["bytes"] += len(data) * 3 // 4 if response.get("opcode") == 2 else len(data.encode())

    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.webSocketFrameReceived", frame)
    started = time.perf_counter()
    page.goto(url, wait_until="commit", timeout=120_000)
    page.get_by_role("textbox", name=re.compile("发生了什么")).wait_for(state="visible", timeout=120_000)
    page.get_by_role("button", name=re.compile("^提交")).wait_for(state="visible", timeout=120_000)
    usable = time.perf_counter() - started
    page.wait_for_timeout(3000 if preset else 1000)  # what loads after: counted in the bytes
    context.close()
    time.sleep(0.5)  # nginx logs the websocket when it closes
    sent = nginx_sent(log, start)
    return usable, seen["bytes"] if sent is None else sent, seen["requests"]


def measure(browser, url: str, log: Path | None = None) -> dict:
    """Median seconds per preset, median bytes and requests (unthrottled visits)."""
    out = {}
    visit(browser, url, None, log)  # a live server has served the page before: not the first run's imports
    for name, preset in PRESETS.items():
        runs = [visit(browser, url, preset, log) for _ in range(RUNS)]
        out[name] = statistics.median(r[0] for r in runs)
        if preset is None:
            out["bytes"] = statistics.median(r[1] for r in runs)
            out["requests"] = statistics.median(r[2] for r in runs)
        out[f"{name}_runs"] = [round(r[0], 2) for r in runs]
    return out


def run(env: Env) -> list[Figure]:
    from playwright.sync_api import sync_playwright

    from tests.conftest import chromium_path, copy_database
    from tests.test_browser import CHROMIUM_ARGS, PortalServer
    from tests.test_deploy import Proxy, nginx_path

    if chromium_path() is None or nginx_path() is None:
        return [Figure("phone_first_visit", 0, "", "skipped: chromium or nginx is not installed")]
    work = env.tmp / "phone"
    work.mkdir()
    server = PortalServer(copy_database(env.db_1x, work / "portal.db"), work)
    server.env["PORTAL_COOKIE_KEY"] = "p" * 48
    proxy = Proxy(server, work)
    server.start()
    try:
        proxy.start()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            proxied = measure(browser, proxy.url("/tip"), proxy.dir / "access.log")
            direct = measure(browser, server.url("/tip"))
            browser.close()
    finally:
        proxy.stop()
        server.stop()
    figures = [Figure("tip_first_visit_bytes_proxy", round(proxied["bytes"] / 1e6, 3), "MB",
                      f"{proxied['requests']:.0f} requests; straight to Streamlit {direct['bytes'] / 1e6:.2f} MB")]
    for name in ("4g", "fast3g", "unthrottled"):
        figures.append(Figure(
            f"tip_first_visit_usable_{name}_proxy", round(proxied[name], 2), "s",
            f"runs {proxied[name + '_runs']}; straight to Streamlit {direct[name]:.2f} s "
            f"(ratio {direct[name] / proxied[name]:.2f})"))
    return figures
