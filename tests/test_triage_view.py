"""What the triage page shows about tips (lib/tips/triage_view.py): queue and export rows, the
assignees' names in one query, the history's lines."""

from __future__ import annotations

import json

import pytest

from lib.core.clock import utcnow
from lib.demo import demo_tips
from lib.tips import open311, triage_queue, triage_view
from tests import factories


@pytest.fixture
def demo_db(demo_db):
    """The demo district with a few hundred tips (the shared fixture starts with an empty queue)."""
    demo_tips.generate_tips(demo_db, n=600, seed=11, now=utcnow(), year_back=True)
    return demo_db


def _assigned(db):
    return list(db.query("SELECT * FROM tips WHERE assignee_user_id IS NOT NULL AND station_id IS NOT NULL"))


def _counting_selects(db):
    seen: list[str] = []
    db.conn.set_trace_callback(lambda sql: seen.append(sql) if sql.lstrip().upper().startswith("SELECT") else None)
    return seen


def test_assignee_names_come_in_one_query_and_only_for_tips_in_scope(demo_db, users):
    assigned = _assigned(demo_db)
    clerk = users["clerk"]
    own = [t for t in assigned if t["station_id"] == clerk.station_id]
    other = [t for t in assigned if t["station_id"] != clerk.station_id]
    assert own and other, "the demo has assigned tips at the clerk's station and elsewhere"
    truth = dict(demo_db.execute("SELECT id, name FROM users").fetchall())

    seen = _counting_selects(demo_db)
    names = triage_view.assignee_names(demo_db, clerk, assigned)
    demo_db.conn.set_trace_callback(None)
    assert len(seen) == 1
    assert names == {t["assignee_user_id"]: truth[t["assignee_user_id"]] for t in own}
    assert not set(names) - {t["assignee_user_id"] for t in own}  # other stations' officers stay unnamed

    district = triage_view.assignee_names(demo_db, users["district_admin"], assigned)
    assert set(district) == {t["assignee_user_id"] for t in assigned}


def test_a_queue_row_cuts_the_description_and_the_export_row_keeps_it(demo_db, users):
    now = utcnow()
    long_text = "小区东门的路灯已经连续坏了三个晚上，" * 5  # 90 characters, more than the row's line
    made = factories.make_tip(demo_db, station=users["clerk"].station_id, description=long_text)
    tip = next(demo_db.query("SELECT * FROM tips WHERE id = ?", [made["id"]]))
    shown = triage_view.row(tip, now, "zh", {}, {})
    full = triage_view.row(tip, now, "zh", {}, {}, full=True)
    assert len(shown["description"]) == 60 and full["description"] == tip["description"]
    assert shown["id"] == tip["id"] and shown["kind"] and shown["state"]
    assert "phone" not in shown and "contact_phone" not in full  # no contact details in a row, ever
    headings = dict(triage_view.columns("en", with_station=True, export=True))
    assert set(headings) == set(full) and headings["sla"]


def test_the_export_streams_every_tip_of_the_filter_with_names(demo_db, users, monkeypatch):
    monkeypatch.setattr(triage_view, "EXPORT_NAMES_BATCH", 7)  # several batches on the demo's queue
    user = users["station_admin"]
    f = triage_queue.QueueFilter(open_only=False)
    now = utcnow()
    expected = list(open311.iter_queue(demo_db, user, f, now=now))
    rows = list(triage_view.export_rows(demo_db, user, f, now, "zh", {}))
    assert [r["id"] for r in rows] == [t["id"] for t in expected] and len(rows) > 7
    names = dict(demo_db.execute("SELECT id, name FROM users").fetchall())
    for tip, row in zip(expected, rows, strict=True):
        assert row["assignee"] == (names[tip["assignee_user_id"]] if tip["assignee_user_id"] else "")


def _event(kind, data=None, *, text=None, public=0, name="张警官"):
    return {"kind": kind, "data": json.dumps(data) if data is not None else None, "text": text, "is_public": public,
            "user_name": name, "at": "2026-12-04T23:30:00Z"}


def test_history_lines_say_what_happened_who_may_read_it_and_escape_typed_names():
    line = triage_view.event_line(_event("route", {"station_id": 3}), "zh", {3: "三星派出所"})
    assert line.what == "改派至 三星派出所" and line.at == "2026-12-05 07:30" and line.who == "张警官"
    expert = triage_view.event_line(_event("expert", {"name": "**李**", "organization": "[律所](x)"}, text="答复"),
                                    "zh", {}, escape=lambda s: s.replace("*", "\\*").replace("[", "\\["))
    assert expert.what == "专家意见：\\*\\*李\\*\\*（\\[律所](x)）" and expert.audience == "internal"
    assert expert.text == "答复"
    assert triage_view.event_line(_event("reply", {}, text="已处理", public=1), "zh", {}).audience == "sender"
    assert triage_view.event_line(_event("addition", {}, text="补充", name=None), "zh", {}).who == "报料人"
    assert triage_view.event_line(_event("addition", {}, text="补充"), "zh", {}).audience == "addition"
    merged = triage_view.event_line(_event("merge", {"merged_tip_id": 9}, text="内部"), "en", {})
    assert "9" in merged.what and merged.text == ""  # a merge's text is the merged tip's, shown elsewhere
    state = triage_view.event_line(_event("state", {"action": "resolve", "to": "resolved"}), "zh", {})
    assert state.audience == "" and "→" in state.what
