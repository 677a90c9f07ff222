"""The shared pieces in lib/core that every domain uses: the clock, lists (LIKE escaping, pages) and
the versioned update of a workflow record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from lib.core import clock, query, workflow
from lib.core.db import write_transaction
from lib.grids import groups


def test_clock_round_trips_and_shows_beijing_time():
    moment = datetime(2026, 12, 4, 23, 30, 5, tzinfo=UTC)
    assert clock.stamp(moment) == "2026-12-04T23:30:05Z"
    assert clock.parse("2026-12-04T23:30:05Z") == moment
    # An offset is converted, a naive moment is taken as UTC.
    assert clock.stamp(datetime(2026, 12, 5, 7, 30, 5, tzinfo=timezone(timedelta(hours=8)))) == "2026-12-04T23:30:05Z"
    assert clock.parse("2026-12-04T23:30:05") == moment
    # Beijing is UTC+8 with no daylight saving: 23:30 UTC is the next morning there.
    assert clock.beijing("2026-12-04T23:30:05Z") == "2026-12-05 07:30"
    assert clock.beijing(None) == ""
    assert clock.from_beijing(datetime(2026, 12, 5, 7, 30)) == "2026-12-04T23:30:00Z"
    assert clock.parse(clock.utcnow()) <= datetime.now(UTC)


@pytest.mark.parametrize("typed", ["100%", "a_b", "back\\slash"])
def test_a_typed_wildcard_matches_only_itself(fresh_db, typed):
    fresh_db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
    names = ["100%", "1000", "a_b", "axb", "back\\slash", "backslash"]
    fresh_db["t"].insert_all([{"name": n} for n in names])
    condition, params = query.matches_any(("name",), typed)
    found = [r[0] for r in fresh_db.execute(f"SELECT name FROM t WHERE {condition}", params)]
    assert found == [typed]


def test_a_page_past_the_end_is_the_last_page_and_counts_all(fresh_db):
    fresh_db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, kind TEXT)")
    fresh_db["t"].insert_all([{"kind": "a" if i % 3 else "b"} for i in range(1, 26)])
    page = query.fetch_page(fresh_db, select="id", source="t", where="kind = ?", params=["a"], order="id",
                            page=99, page_size=5)
    assert page.total == 17 and page.pages == 4 and page.page == 4
    assert [r["id"] for r in page.rows] == [23, 25]
    where, params = query.equals(kind="b", id=None)
    assert query.rows(fresh_db, select="id", source="t", where=where, params=params, order="id DESC", limit=2) == [
        {"id": 24}, {"id": 21}]


def test_registry_search_takes_percent_literally(demo_db, users):
    all_groups = groups.search_groups(demo_db, users["district_admin"], groups.GroupFilter(text="%")).total
    assert all_groups == 0  # no group name has a percent sign: "%" must not match everything
    assert groups.search_groups(demo_db, users["district_admin"], groups.GroupFilter(text="群")).total > 0


def test_a_versioned_update_refuses_a_stale_edit_and_audits_the_change(fresh_db):
    fresh_db.execute("CREATE TABLE things (id INTEGER PRIMARY KEY, state TEXT, version INTEGER, updated_at TEXT)")
    fresh_db["things"].insert({"id": 1, "state": "new", "version": 1, "updated_at": None})
    read = next(fresh_db.query("SELECT * FROM things WHERE id = 1"))
    audits = fresh_db["audit_log"].count
    with write_transaction(fresh_db):
        now = workflow.versioned_update(fresh_db, None, "things", read, {"state": "done"}, action="finish",
                                        stale_key="things.stale")
    assert now["version"] == 2 and now["state"] == "done"
    assert fresh_db["audit_log"].count == audits + 1
    last = next(fresh_db.query("SELECT action, entity, entity_id, before, after FROM audit_log ORDER BY id DESC LIMIT 1"))
    assert (last["action"], last["entity"], str(last["entity_id"])) == ("finish", "things", "1")
    assert '"new"' in last["before"] and '"done"' in last["after"]
    # The same edit again from the old read: refused, nothing written.
    with pytest.raises(workflow.StaleEdit), write_transaction(fresh_db):
        workflow.versioned_update(fresh_db, None, "things", read, {"state": "other"}, action="finish",
                                  stale_key="things.stale")
    assert next(fresh_db.query("SELECT state, version FROM things"))["state"] == "done"
    assert fresh_db["audit_log"].count == audits + 1
    with pytest.raises(workflow.StaleEdit):
        workflow.check_version(read, 2, "things.stale")


def test_the_content_library_takes_a_typed_percent_literally(demo_db, users):
    from lib.pushes import library

    assert library.search_items(demo_db, users["clerk"])  # the demo's library is not empty
    assert library.search_items(demo_db, users["clerk"], text="%") == []  # was: every item
    assert library.search_items(demo_db, users["clerk"], text="_") == []
