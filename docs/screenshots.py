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
        pg.goto(base + "/tip?grid=45")
        pg.get_by_text("线索提交").first.wait_for()
        pg.wait_for_timeout(1000)
        pg.screenshot(path=OUT / "tip-phone.png")
        race(base, password, page)
        browser.close()
    print("requests outside 127.0.0.1:", outside or "none")


def login(pg, base: str, username: str, password: str) -> None:
    pg.goto(base)
    pg.get_by_label("用户名").fill(username)
    pg.get_by_label("密码").fill(password)
    pg.get_by_role("button", name="登录").click()
    pg.get_by_text("人口覆盖率").wait_for(timeout=20000)


def race(base: str, password: str, page) -> None:
    """The appeal race of issue #10 as screenshots: the clerk's appeal, the station admin's review
    panel, the form a phone opens from the QR code, the receipt, the lead on the clerk's queue and
    the appeal board."""
    clerk = page(1400, 1000)
    login(clerk, base, "clerk", password)
    clerk.goto(base + "/compose")
    clerk.get_by_role("combobox", name="推送类别").click()
    clerk.get_by_role("option", name="协查通报", exact=True).click()
    clerk.wait_for_timeout(800)
    clerk.get_by_role("combobox", name="协查类型").click()
    clerk.get_by_role("option", name="寻人启事", exact=True).click()
    clerk.wait_for_timeout(800)
    clerk.get_by_role("button", name="开始编写").click()
    texts = {"标题": "寻人启事：78岁老人在三星镇汽车站走失",
             "正文": "今天上午，家住三星镇的顾某某老人在汽车站走失。老人患有阿尔茨海默病，请大家留意，如有发现请拨打110或扫码提供线索。",
             "走失人员（姓名、性别、年龄） *": "顾某某，男，78岁",
             "体貌特征及衣着 *": "身高约1.68米，偏瘦，头发花白，穿深蓝色棉衣、黑色布鞋",
             "走失时间 *": "12月4日9时许", "走失地点 *": "三星镇汽车站", "联系人及电话 *": "三星派出所 0513-82123456"}
    for label, text in texts.items():
        box = clerk.get_by_role("textbox", name=label, exact=True)
        box.fill(text)
        box.press("Tab")
        clerk.wait_for_timeout(500)
    photo = OUT.parent / "person.jpg"
    if photo.exists():
        clerk.locator("input[type=file]").first.set_input_files(str(photo))
        clerk.get_by_role("button", name="移除").wait_for(timeout=20000)
    clerk.get_by_role("heading", name="推送编辑").click()  # no field selected in the picture
    clerk.wait_for_timeout(1500)
    push_id = re.search(r"push=(\d+)", clerk.url).group(1)
    clerk.screenshot(path=OUT / "compose-appeal.png")
    clerk.get_by_role("button", name="提交审核").click()
    clerk.get_by_text("已提交审核").first.wait_for(timeout=20000)
    clerk.goto(base + "/triage")
    clerk.get_by_text("待办线索").first.wait_for(timeout=30000)

    admin = page(1400, 1250)
    login(admin, base, "station", password)
    admin.goto(base + f"/pushes?push={push_id}")
    admin.get_by_role("button", name="审核通过并发送").wait_for(timeout=30000)
    admin.wait_for_timeout(2500)
    admin.screenshot(path=OUT / "review-panel.png")
    admin.get_by_role("button", name="审核通过并发送").click()
    admin.get_by_text("已审核通过并发送").first.wait_for(timeout=30000)

    phone = page(390, 844)
    phone.goto(base + f"/tip?push={push_id}")
    phone.get_by_text("线索提交").first.wait_for(timeout=30000)
    phone.wait_for_timeout(1500)
    phone.screenshot(path=OUT / "tip-appeal-phone.png")
    phone.get_by_role("textbox", name=re.compile("看到了什么")).fill(
        "汽车站北边的小卖部门口有一位老人坐着，穿深蓝色棉衣，头发花白。")
    phone.get_by_role("textbox", name=re.compile("在哪里")).fill("三星镇汽车站北侧小卖部")
    phone.get_by_role("textbox", name=re.compile("电话")).fill("13912345678")
    phone.get_by_text(re.compile("我同意")).first.click()
    phone.wait_for_timeout(800)
    phone.get_by_role("button", name=re.compile("^提交")).click()
    phone.get_by_text("已收到，谢谢您！").wait_for(timeout=30000)
    phone.wait_for_timeout(1500)
    phone.screenshot(path=OUT / "tip-done-phone.png")

    clerk.get_by_text(re.compile(f"协查通报 #{push_id} 收到新线索")).first.wait_for(timeout=30000)
    clerk.wait_for_timeout(1500)
    clerk.screenshot(path=OUT / "triage-lead.png")
    admin.goto(base + "/appeals")
    admin.get_by_text(texts["标题"]).first.wait_for(timeout=30000)
    admin.wait_for_timeout(2000)
    admin.screenshot(path=OUT / "appeal-board.png")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8501",
         sys.argv[2] if len(sys.argv) > 2 else "demo-2026")
