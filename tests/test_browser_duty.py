"""The duty loop in a real browser, across roles: the station admin's checklist names the officer who is
behind; that officer opens his checklist, sees the overdue item (two of his groups without a push for 30
days), drafts a push to exactly those groups from the item, writes and sends it, marks it posted — and
his problem verifies itself when he opens the problem list, which the station admin then sees closed."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from lib.core import auth
from lib.core.db import connect, write_transaction
from lib.duty import checklist, periods, problems, standards
from lib.grids import groups
from tests.conftest import copy_database
from tests.test_browser import (  # noqa: F401 - the launch fixture is used by pytest-playwright
    TIMEOUT_MS,
    PortalServer,
    browser_type_launch_args,
    login,
    new_page,
    wait_settled,
)
from tests.test_browser_race import type_into

pytestmark = pytest.mark.browser


def _silent_groups_for_the_clerk(db_path) -> tuple[int, list[int]]:
    """Two of 三星's groups with no push for 30 days are handed to the demo clerk, and yesterday's
    miss raises his problem, as the nightly snapshot would have. Returns (problem id, group ids)."""
    db = connect(db_path)
    try:
        clerk, admin = auth.load_user(db, "clerk"), auth.load_user(db, "station")
        silent = [r[0] for r in db.execute(
            "SELECT c.id FROM chat_groups c WHERE c.station_id = ? AND c.status = 'active'"
            " AND COALESCE(c.created_on, '2000-01-01') < date('now', '-60 days') AND NOT EXISTS ("
            " SELECT 1 FROM deliveries d WHERE d.group_id = c.id AND d.state IN ('sent', 'confirmed')"
            " AND COALESCE(d.confirmed_at, d.sent_at) >= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-30 days'))"
            " ORDER BY c.id LIMIT 2", [clerk.station_id])]
        assert len(silent) == 2, "the demo has silent groups at 三星"
        for group_id in silent:
            groups.update_group(db, admin, group_id, {"owner_user_id": clerk.id})
        # Today as the coming night's snapshot will measure it (yesterday's was taken before the
        # groups were his): missed, and his problem raised.
        now = datetime.now(UTC)
        today = periods.current("daily", now)
        standard = standards.version_for(db, "management.silent_groups", today.key)
        night = datetime.fromisoformat(today.stamps()[1].replace("Z", "+00:00")) + timedelta(minutes=1)
        items = checklist.items_for(db, standard, today, clerk.station_id, night, subject_ids={clerk.id})
        assert [i.status for i in items] == ["missed"]
        with write_transaction(db):
            problems.raise_missed(db, items, now=now - timedelta(minutes=5))
        problem = db.execute("SELECT id FROM duty_problems WHERE code = 'management.silent_groups'"
                             " AND subject_id = ? AND is_open = 1", [clerk.id]).fetchone()[0]
        return problem, silent
    finally:
        db.close()


def _wait_for(condition, server, seconds: float = TIMEOUT_MS / 1000) -> None:
    """Until ``condition(db)`` holds on the server's database (a click's write lands after its rerun)."""
    deadline = time.monotonic() + seconds
    while True:
        db = connect(server.db_path)
        try:
            if condition(db):
                return
        finally:
            db.close()
        assert time.monotonic() < deadline, "the write never landed"
        time.sleep(0.2)


def _click_table_row(page: Page, table, row: int) -> None:
    """Select a row of a Streamlit dataframe (a canvas) by clicking its checkbox column."""
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    page.mouse.click(box["x"] + 14, box["y"] + 35 * (row + 1) + 17)
    wait_settled(page)


@pytest.fixture
def duty_server(demo_template, tmp_path):
    path = copy_database(demo_template, tmp_path / "portal.db")
    setup = _silent_groups_for_the_clerk(path)
    server = PortalServer(path, tmp_path)
    server.start()
    try:
        yield server, setup
    finally:
        server.stop()


def test_an_officer_fixes_a_silent_group_and_the_problem_verifies_itself(duty_server, new_context):
    server, (problem_id, silent) = duty_server
    db = connect(server.db_path)
    clerk_name = auth.load_user(db, "clerk").name
    db.close()

    # The station admin's checklist names the officer behind in 管理.
    admin = new_page(new_context(viewport={"width": 1400, "height": 1000}))
    login(admin, server, "station")
    admin.goto(server.url("/checklist"))
    expect(admin.get_by_text("哪位民警落后（已逾期、未完成项数）")).to_be_visible(timeout=TIMEOUT_MS)
    wait_settled(admin)
    behind = admin.get_by_test_id("stDataFrame").first
    expect(behind).to_be_visible()
    expect(behind.locator("table").first).to_contain_text(clerk_name)

    # The officer sees his overdue item and the two groups behind it.
    clerk = new_page(new_context(viewport={"width": 1400, "height": 1000}))
    login(clerk, server, "clerk")
    clerk.goto(server.url("/checklist"))
    expect(clerk.get_by_text("点选一行查看依据的记录。")).to_be_visible(timeout=TIMEOUT_MS)
    wait_settled(clerk)
    items = clerk.get_by_test_id("stDataFrame").first
    _click_table_row(clerk, items, 0)  # worst first: his silent groups
    expect(clerk.get_by_role("heading", name="依据记录")).to_be_visible(timeout=TIMEOUT_MS)
    expect(clerk.get_by_text(re.compile("没有超过30天未推送资讯的群 · "))).to_be_visible()
    draft_button = clerk.get_by_role("button", name="向这 2 个群起草推送")
    expect(draft_button).to_be_visible()
    draft_button.click()
    link = clerk.get_by_role("link", name=re.compile(r"去编辑推送 #\d+"))
    expect(link).to_be_visible(timeout=TIMEOUT_MS)
    push_id = int(re.search(r"#(\d+)", link.inner_text()).group(1))
    db = connect(server.db_path)
    targeting = db.execute("SELECT targeting FROM pushes WHERE id = ?", [push_id]).fetchone()[0]
    db.close()
    assert str(sorted(silent)).replace(" ", "") in targeting.replace(" ", "")

    # He writes it at a person's pace and sends it.
    link.click()
    title = clerk.get_by_role("textbox", name="标题", exact=True)
    expect(title).to_be_visible(timeout=TIMEOUT_MS)
    wait_settled(clerk)
    type_into(clerk, title, "冬季防火提示：电动车不进楼道")
    type_into(clerk, clerk.get_by_role("textbox", name="正文", exact=True),
              "天干物燥，请大家不要把电动车停放在楼道内充电，发现隐患请及时告诉社区民警。")
    send = clerk.get_by_role("button", name="立即发送")
    expect(send).to_be_enabled(timeout=TIMEOUT_MS)
    send.click()
    expect(clerk.get_by_text(re.compile(f"推送 #{push_id}.*(发送|已发)")).first).to_be_visible(timeout=TIMEOUT_MS)

    # The groups have no robot: he posts it and marks his groups posted.
    clerk.goto(server.url(f"/pushes?push={push_id}"))
    mark = clerk.get_by_role("button", name="我的 2 个群全部已发布")
    expect(mark).to_be_visible(timeout=TIMEOUT_MS)
    wait_settled(clerk)
    mark.click()
    wait_settled(clerk)
    expect(clerk.get_by_text("已记录 2 个群已发布。")).to_be_visible(timeout=TIMEOUT_MS)
    _wait_for(lambda db: db.execute("SELECT COUNT(*) FROM deliveries WHERE push_id = ? AND state = 'confirmed'",
                                    [push_id]).fetchone()[0] == 2, server)

    # Opening the problem list rechecks it: verified, without anyone closing it by hand.
    clerk.goto(server.url("/problems"))
    expect(clerk.get_by_text(re.compile(r"刚刚复核销号 \d+ 个问题"))).to_be_visible(timeout=TIMEOUT_MS)
    db = connect(server.db_path)
    state, value = db.execute("SELECT state, checked_value FROM duty_problems WHERE id = ?", [problem_id]).fetchone()
    db.close()
    assert (state, value) == ("verified", 0.0)  # his problem, verified by the list's recheck on opening

    # The station admin sees it closed.
    admin.goto(server.url("/problems"))
    expect(admin.get_by_role("heading", name="查纠整改")).to_be_visible(timeout=TIMEOUT_MS)
    wait_settled(admin)
    admin.get_by_role("combobox", name="状态").click()
    admin.get_by_role("option", name="已复核销号", exact=True).click()
    wait_settled(admin)
    closed = admin.get_by_test_id("stDataFrame").first.locator("table").first
    expect(closed).to_contain_text(f"{problem_id}已复核销号", timeout=TIMEOUT_MS)
    expect(closed).to_contain_text(clerk_name)
