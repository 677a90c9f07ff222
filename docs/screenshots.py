"""Take the README's screenshots from a running portal (headless Debian chromium).

Usage: make run (in another shell), then
    .venv/bin/python docs/screenshots.py http://127.0.0.1:8501 [password]
It also prints any request that left 127.0.0.1 (there should be none).
"""

import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def main(base: str, password: str) -> None:
    outside = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)

        def page(width, height):
            pg = browser.new_context(viewport={"width": width, "height": height}).new_page()
            pg.on("request", lambda r: outside.append(r.url)
                  if not r.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")) else None)
            return pg

        pg = page(1400, 900)
        pg.goto(base)
        pg.get_by_label("用户名").wait_for()
        pg.screenshot(path=OUT / "login.png")
        for username in ("district", "clerk"):
            pg = page(1400, 1100)
            pg.goto(base)
            pg.get_by_label("用户名").fill(username)
            pg.get_by_label("密码").fill(password)
            pg.get_by_role("button", name="登录").click()
            pg.get_by_text("人口覆盖率").wait_for(timeout=20000)
            pg.wait_for_timeout(1500)
            pg.screenshot(path=OUT / f"home-{username}.png", full_page=True)
        pg.set_viewport_size({"width": 1400, "height": 1250})
        pg.goto(base + "/registry")
        pg.get_by_text("共 ").first.wait_for(timeout=30000)
        pg.wait_for_timeout(1500)
        pg.screenshot(path=OUT / "registry.png")
        pg.goto(base + "/triage")
        pg.get_by_text("待办线索").first.wait_for(timeout=30000)
        pg.wait_for_timeout(1500)
        pg.screenshot(path=OUT / "triage.png")
        pg.goto(base + "/mediation")
        pg.get_by_text("调解案件").first.wait_for(timeout=30000)
        pg.wait_for_timeout(1500)
        pg.get_by_role("combobox", name="打开案件").click()
        pg.get_by_role("option", name=re.compile("龚某与唐某")).click()
        pg.get_by_role("heading", name=re.compile("龚某与唐某")).wait_for(timeout=30000)
        pg.wait_for_timeout(2000)
        pg.screenshot(path=OUT / "mediation.png", full_page=True)
        pg.goto(base + "/map")
        pg.wait_for_selector("canvas", timeout=30000)
        pg.wait_for_timeout(5000)
        pg.screenshot(path=OUT / "map-station.png")
        pg = page(390, 844)
        pg.goto(base + "/tip?push=123&grid=45")
        pg.get_by_text("线索提交").first.wait_for()
        pg.wait_for_timeout(1000)
        pg.screenshot(path=OUT / "tip-phone.png")
        browser.close()
    print("requests outside 127.0.0.1:", outside or "none")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8501",
         sys.argv[2] if len(sys.argv) > 2 else "demo-2026")
