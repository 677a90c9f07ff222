"""The real Streamlit server's memory with many staff sessions (issue #12).

A ``streamlit run app.py`` server on the demo district with a million tips, and Debian chromium opening one
browser context per staff session: each logs in (the demo's three roles in turn) and opens the
triage queue, the heaviest page, then stays open. The server's resident memory (VmRSS of the
Streamlit process, from /proc) is read before the first session and after every tenth; the
figure per added session is the least-squares slope from the tenth session on (the first
sessions also pay for importing the portal and filling its caches, once per server).
"""

from __future__ import annotations

import time
from pathlib import Path

from bench.common import Env, Figure

SESSIONS = 50
ROLES = ("clerk", "station", "district")


def rss_mb(pid: int) -> float:
    """Resident memory of a process, MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def slope(points: list[tuple[int, float]]) -> float:
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    return sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x, _ in points)


def measure(db_path: Path, workdir: Path, password: str, sessions: int = SESSIONS) -> list[tuple[int, float]]:
    """(sessions open, server RSS MB) after 0, 10, 20 … sessions."""
    from playwright.sync_api import sync_playwright

    from tests.conftest import chromium_path
    from tests.test_browser import CHROMIUM_ARGS, PortalServer, login, new_page, wait_settled

    server = PortalServer(db_path, workdir)
    server.start()
    readings = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            time.sleep(2)
            readings.append((0, rss_mb(server.proc.pid)))
            for n in range(1, sessions + 1):
                page = new_page(browser.new_context(viewport={"width": 1280, "height": 900}))
                login(page, server, ROLES[n % len(ROLES)], password)
                page.goto(server.url("/triage"))
                page.get_by_test_id("stDataFrame").first.wait_for(timeout=60_000)
                wait_settled(page)
                if n % 10 == 0:
                    time.sleep(2)
                    readings.append((n, rss_mb(server.proc.pid)))
                    print(f"    {n} sessions: {readings[-1][1]:.0f} MB", flush=True)
            browser.close()
    finally:
        server.stop()
    return readings


def run(env: Env) -> list[Figure]:
    from bench import tips
    from lib.core.clock import utcnow
    from tests.conftest import chromium_path

    if chromium_path() is None:
        return [Figure("server_rss_50_staff_sessions", 0, "", "skipped: chromium is not installed")]
    work = env.tmp / "sessions"
    work.mkdir()
    # The demo with a million tips (built by bench/tips.py, once per run): the server is used in place,
    # after the tips figures are taken; its sessions add logins and audit rows, nothing they measure.
    readings = measure(tips.databases(env, utcnow())["1M"], work, env.password)
    per_session = slope([r for r in readings if r[0] >= 10])
    notes = ", ".join(f"{n}: {mb:.0f}" for n, mb in readings)
    return [
        Figure("server_rss_50_staff_sessions", round(readings[-1][1], 1), "MB",
               f"demo at 1x with 1,000,000 tips; RSS by sessions open {notes}"),
        Figure("server_rss_per_added_session", round(per_session, 2), "MB", "least-squares slope from 10 sessions on"),
    ]
