"""Accounts across roles in a real browser (#12): a station admin creates a clerk's account and reads
the temporary password off the screen; the new clerk logs in with it in another browser, can open
nothing but 我的账户 until they have chosen their own password, and then works. The admin then
disables the account, and the clerk's open page ends at the next click."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.test_browser import (  # noqa: F401 - the launch fixture is used by pytest-playwright
    TIMEOUT_MS,
    body_text,
    browser_type_launch_args,
    login,
    login_title,
    new_page,
    own_server,
    submit_login,
    wait_settled,
    workbench_title,
)

pytestmark = pytest.mark.browser
KEY_DELAY_MS = 25


def type_field(page, label: str, text: str) -> None:
    box = page.get_by_role("textbox", name=label, exact=True)
    box.click()
    box.press_sequentially(text, delay=KEY_DELAY_MS)
    page.wait_for_timeout(300)
    box.press("Tab")
    page.wait_for_timeout(300)


def pick(page, label: str) -> None:
    box = page.get_by_role("combobox", name="选择账户")
    box.click()
    box.press_sequentially(label.split(" ")[0], delay=KEY_DELAY_MS)  # as a person would: type to search
    page.get_by_role("option", name=re.compile("^" + re.escape(label))).click()
    wait_settled(page)


def test_a_station_admin_makes_an_account_that_its_owner_must_make_their_own(own_server, new_context):  # noqa: F811
    admin = new_page(new_context(viewport={"width": 1400, "height": 1000}))
    login(admin, own_server, "station")
    admin.goto(own_server.url("/accounts"))
    expect(admin.get_by_role("heading", name="账户管理").first).to_be_visible(timeout=TIMEOUT_MS)
    wait_settled(admin)
    type_field(admin, "用户名", "zhou05")
    type_field(admin, "姓名", "周警官")
    admin.get_by_role("button", name="新建账户").click()
    expect(admin.get_by_text("账户 zhou05 的临时密码：")).to_be_visible(timeout=TIMEOUT_MS)
    password = admin.locator("[data-testid='stCode'] code").first.inner_text().strip()
    assert re.fullmatch(r"[a-z2-9]{10}", password), password
    wait_settled(admin)
    pick(admin, "zhou05 · 周警官")
    assert "状态：在用 · 待本人修改临时密码" in body_text(admin)

    # The clerk, in their own browser.
    clerk = new_page(new_context(viewport={"width": 1400, "height": 1000}))
    clerk.goto(own_server.url("/"))
    expect(login_title(clerk)).to_be_visible(timeout=TIMEOUT_MS)
    wait_settled(clerk)
    submit_login(clerk, "zhou05", password)
    expect(clerk.get_by_text("管理员为您设置了临时密码")).to_be_visible(timeout=TIMEOUT_MS)
    wait_settled(clerk)
    nav = clerk.get_by_test_id("stSidebarNav").inner_text()
    assert "我的账户" in nav and "线索研判" not in nav and "工作台" not in nav
    clerk.goto(own_server.url("/triage"))  # a typed address: still only 我的账户
    expect(clerk.get_by_text("管理员为您设置了临时密码")).to_be_visible(timeout=TIMEOUT_MS)
    wait_settled(clerk)
    type_field(clerk, "当前密码", password)
    type_field(clerk, "新密码", "zhou-passw0rd")
    type_field(clerk, "再次输入新密码", "zhou-passw0rd")
    clerk.get_by_role("button", name="修改密码").click()
    expect(clerk.get_by_text("管理员为您设置了临时密码")).to_have_count(0, timeout=TIMEOUT_MS)
    wait_settled(clerk)
    assert "线索研判" in clerk.get_by_test_id("stSidebarNav").inner_text()
    clerk.goto(own_server.url("/home"))
    expect(workbench_title(clerk).first).to_be_visible(timeout=TIMEOUT_MS)
    wait_settled(clerk)

    # The admin sees the change of state, then disables the account.
    admin.reload()
    expect(admin.get_by_role("heading", name="账户管理").first).to_be_visible(timeout=TIMEOUT_MS)
    wait_settled(admin)
    pick(admin, "zhou05 · 周警官")
    assert "状态：在用" in body_text(admin) and "待本人修改临时密码" not in body_text(admin)
    admin.get_by_role("button", name="停用账户").click()
    expect(admin.get_by_text("已停用 zhou05")).to_be_visible(timeout=TIMEOUT_MS)

    # The clerk's next click ends their session.
    clerk.get_by_test_id("stSidebarNav").get_by_text("线索研判").click()
    expect(login_title(clerk)).to_be_visible(timeout=TIMEOUT_MS)
