"""Demo tips: deterministic for a seed, consistent with the tips core (states, SLA, codes, scope),
realistic in mix, and readable by the triage queue."""

import re
from collections import Counter

import pytest

from lib.core.db import write_transaction
from lib.demo import demo_tips
from lib.tips import tips, triage_queue
from lib.tips.triage_queue import QueueFilter

NOW = "2026-11-28T10:00:00Z"
N = 3000
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def with_tips(demo_db):
    demo_tips.generate_tips(demo_db, n=N, seed=11, now=NOW)
    return demo_db


def rows(db, sql="SELECT * FROM tips ORDER BY id", params=()):
    return list(db.query(sql, params))


def test_the_same_seed_gives_the_same_tips(demo_template, tmp_path):
    from lib.core.db import connect
    from tests.conftest import copy_database

    def generate(name, seed):
        db = connect(copy_database(demo_template, tmp_path / name))
        assert demo_tips.generate_tips(db, n=500, seed=seed, now=NOW) == 500
        return rows(db), rows(db, "SELECT * FROM tip_events ORDER BY id")

    first, again, other = generate("a.db", 5), generate("b.db", 5), generate("c.db", 6)
    assert first == again
    assert first[0] != other[0]


def test_counts_and_events(with_tips):
    db = with_tips
    assert db.execute("SELECT COUNT(*) FROM tips").fetchone()[0] == N
    events = Counter(r[0] for r in db.execute("SELECT kind FROM tip_events"))
    moved = db.execute("SELECT COUNT(*) FROM tips WHERE state != 'new'").fetchone()[0]
    answered = db.execute("SELECT COUNT(*) FROM tips WHERE state IN ('resolved', 'closed')").fetchone()[0]
    consulted = db.execute("SELECT COUNT(*) FROM tips WHERE state IN ('resolved', 'closed') AND kind = 'inquiry'"
                           " AND id % 10 < 3").fetchone()[0]
    assert consulted > 0 and db.execute("SELECT COUNT(*) FROM experts WHERE is_active = 1").fetchone()[0] > 0
    first_answers = db.execute("SELECT COUNT(*) FROM tips WHERE first_response_at IS NOT NULL"
                               " AND (closed_at IS NULL OR first_response_at < closed_at)").fetchone()[0]
    assert events["state"] == moved and events["expert"] == consulted
    # A closing reply per resolved or closed tip, and a first answer (reply or call-back) before it.
    assert events["reply"] + events["callback"] == answered + first_answers
    assert events["callback"] > 0 and set(events) == {"state", "reply", "callback", "expert"}


def test_the_first_response_is_the_first_reply_or_call_back(with_tips):
    """The stored first-response time is what the migration recomputes from the history: the first
    public reply or call-back; a tip moved along without one is still unanswered."""
    db = with_tips
    rows_ = db.execute("""SELECT t.first_response_at, (SELECT MIN(e.at) FROM tip_events e WHERE e.tip_id = t.id
                              AND ((e.kind = 'reply' AND e.is_public = 1) OR e.kind = 'callback')), t.state
                          FROM tips t""").fetchall()
    assert all(stored == derived for stored, derived, _ in rows_)
    waiting = [state for stored, _, state in rows_ if stored is None and state in ("triaged", "assigned", "in_progress")]
    assert waiting, "some tips moved along still wait for their first answer"


def test_large_batches_skip_events_unless_asked(demo_db, monkeypatch):
    monkeypatch.setattr(demo_tips, "EVENTS_MAX_TIPS", 100)
    demo_tips.generate_tips(demo_db, n=200, seed=1, now=NOW)
    assert demo_db.execute("SELECT COUNT(*) FROM tip_events").fetchone()[0] == 0
    demo_tips.generate_tips(demo_db, n=200, seed=2, now=NOW, events=True)
    assert demo_db.execute("SELECT COUNT(*) FROM tip_events").fetchone()[0] >= 200


def test_rows_satisfy_the_schema_and_references(with_tips):
    # The bulk write skips CHECK constraints for speed: prove the rows pass them, and that it is back on.
    assert with_tips.execute("PRAGMA quick_check").fetchall() == [("ok",)]
    assert with_tips.execute("PRAGMA foreign_key_check").fetchall() == []
    assert with_tips.execute("PRAGMA ignore_check_constraints").fetchone()[0] == 0


def test_states_agree_with_is_open_and_the_clocks(with_tips):
    types = tips.state_types(with_tips)
    for tip in rows(with_tips):
        assert tip["is_open"] == int(types[tip["state"]] == "open")
        assert tip["priority_rank"] == tips.PRIORITY_RANK[tip["priority"]]
        assert tip["created_at"] <= tip["updated_at"] <= NOW
        if tip["state"] == "new":
            assert tip["first_response_at"] is None and tip["closed_at"] is None and tip["assignee_user_id"] is None
        elif tip["first_response_at"] is not None:
            assert tip["created_at"] <= tip["first_response_at"] <= NOW
        if tip["is_open"]:
            assert tip["closed_at"] is None
        else:
            assert tip["first_response_at"] is None or tip["first_response_at"] <= tip["closed_at"] <= NOW
        # The queue's lane: answered tips in lane 2 on their resolution clock, the others on the first-response one.
        if tip["first_response_at"] is not None:
            assert (tip["lane"], tip["lane_due_at"]) == (2, tip["resolve_due_at"])
        else:
            assert tip["lane"] in (0, 1) and tip["lane_due_at"] == tip["due_at"]
        if tip["state"] == "duplicate":
            assert tip["duplicate_of"] is not None and tip["duplicate_of"] < tip["id"]
        if tip["rating"] is not None:
            assert tip["state"] in ("resolved", "closed") and 1 <= tip["rating"] <= 5


def test_due_at_follows_the_sla_rules(with_tips):
    for tip in rows(with_tips):
        assert tip["due_at"] == tips.due_at(with_tips, tip["kind"], tip["priority"], tip["created_at"])


def test_descriptions_are_chinese_and_valid(with_tips):
    for tip in rows(with_tips):
        text = tip["description"]
        assert 5 <= len(text) <= tips.DESCRIPTION_MAX
        assert len(CJK.findall(text)) >= 5 and "{" not in text
        assert tip["location_text"] is None or len(tip["location_text"]) <= tips.LOCATION_MAX
        if tip["happened_at"]:
            assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", tip["happened_at"])
        if tip["contact_phone"]:
            assert tips._PHONE.match(tip["contact_phone"])


def test_tracking_codes_are_unique_valid_and_trackable(with_tips):
    codes = [r[0] for r in with_tips.execute("SELECT tracking_code FROM tips")]
    assert len(set(codes)) == len(codes) == N
    assert all(len(c) == tips.TRACKING_LENGTH and set(c) <= set(tips.TRACKING_ALPHABET) for c in codes)
    code = with_tips.execute("SELECT tracking_code FROM tips WHERE state = 'closed' LIMIT 1").fetchone()[0]
    tracked = tips.track(with_tips, tips.format_code(code).lower())
    assert tracked["state"] == "closed" and tracked["replies"] and CJK.search(tracked["replies"][0]["text"])


def test_a_second_batch_continues_ids_and_avoids_codes(with_tips):
    last = with_tips.execute("SELECT MAX(id) FROM tips").fetchone()[0]
    demo_tips.generate_tips(with_tips, n=300, seed=11, now=NOW)  # same seed: same draws, codes must still differ
    assert with_tips.execute("SELECT MIN(id), COUNT(*) FROM tips WHERE id > ?", [last]).fetchone() == (last + 1, 300)
    assert with_tips.execute("SELECT COUNT(DISTINCT tracking_code) FROM tips").fetchone()[0] == N + 300


def test_the_mix_is_realistic(with_tips):
    tip_rows = rows(with_tips)
    kinds = Counter(t["kind"] for t in tip_rows)
    for kind, share in (("request", 0.40), ("inquiry", 0.25), ("lead", 0.20), ("complaint", 0.15)):
        assert abs(kinds[kind] / N - share) < 0.04, kinds
    assert Counter(t["priority"] for t in tip_rows).most_common(1)[0][0] == "normal"
    unrouted = [t for t in tip_rows if t["station_id"] is None]
    assert 0 < len(unrouted) < 0.03 * N and all(t["grid_id"] is None for t in unrouted)
    month_ago = "2026-10-28T10:00:00Z"
    old = [t for t in tip_rows if t["created_at"] < month_ago]
    recent = [t for t in tip_rows if t["created_at"] > "2026-11-28T04:00:00Z"]
    assert sum(t["is_open"] for t in old) < 0.06 * len(old)
    assert recent and sum(t["is_open"] for t in recent) > 0.6 * len(recent)
    assert min(t["created_at"] for t in tip_rows) > "2025-11-27"
    overdue = [t for t in tip_rows if triage_queue.is_overdue(t, NOW)]
    assert 0 < len(overdue) < 0.02 * N
    located = [t for t in tip_rows if t["lat"] is not None]
    assert 0.2 * N < len(located) < 0.7 * N


def test_tips_follow_population(with_tips):
    # The most populous tenth of the comprehensive grids gets more tips than the least populous half.
    grids = with_tips.execute("SELECT id FROM grids WHERE category = 'comprehensive' ORDER BY population DESC").fetchall()
    ids = [g[0] for g in grids]
    by_grid = Counter(r[0] for r in with_tips.execute("SELECT grid_id FROM tips"))
    top = sum(by_grid[g] for g in ids[: len(ids) // 10])
    bottom = sum(by_grid[g] for g in ids[len(ids) // 2:])
    assert top > bottom


def test_coordinates_route_back_to_their_grid(with_tips):
    sample = with_tips.execute("SELECT grid_id, station_id, lat, lon FROM tips t WHERE lat IS NOT NULL AND"
                               " (SELECT geometry FROM grids g WHERE g.id = t.grid_id) IS NOT NULL LIMIT 40").fetchall()
    assert sample
    for grid_id, station_id, lat, lon in sample:
        assert tips.route(with_tips, grid_id=None, lat=lat, lon=lon) == (station_id, grid_id)


def test_the_queue_reads_them_unanswered_first_and_earliest_due_first(with_tips, users):
    page = triage_queue.queue(with_tips, users["district_admin"], QueueFilter(), page_size=1000, now=NOW)
    assert len(page) > 100 and all(t["is_open"] for t in page)
    keys = [(t["first_response_at"] is not None, t["lane_due_at"], t["id"]) for t in page]
    assert keys == sorted(keys)
    answered = [k for k in keys if k[0]]
    assert answered and not any(k[0] for k in keys[:len(keys) - len(answered)])  # never before an unanswered one
    clerk = users["clerk"]
    own = triage_queue.queue(with_tips, clerk, QueueFilter(), now=NOW)
    assert own and {t["station_id"] for t in own} == {clerk.station_id}
    overdue = triage_queue.queue(with_tips, users["district_admin"], QueueFilter(overdue=True), now=NOW)
    assert overdue and all(triage_queue.is_overdue(t, NOW) for t in overdue)
    counts = triage_queue.queue_counts(with_tips, users["district_admin"], QueueFilter(), now=NOW)
    assert counts["total"] >= 50 and counts["overdue"] == len(triage_queue.queue(
        with_tips, users["district_admin"], QueueFilter(overdue=True), page_size=10_000, now=NOW))


def test_demo_logins_get_a_share_of_their_stations_work(with_tips, users):
    mine = with_tips.execute("SELECT COUNT(*) FROM tips WHERE assignee_user_id IN (?, ?)",
                             [users["clerk"].id, users["station_admin"].id]).fetchone()[0]
    assert mine > 0
    wrong = with_tips.execute(
        "SELECT COUNT(*) FROM tips t JOIN users u ON u.id = t.assignee_user_id JOIN units un ON un.id = u.unit_id"
        " WHERE COALESCE(un.station_id, un.id) != t.station_id").fetchone()[0]
    assert wrong == 0


def test_tips_answer_recent_pushes(demo_db, users):
    author = users["district_admin"].id
    with write_transaction(demo_db):
        for k, sent in enumerate(("2026-11-20T02:00:00Z", "2026-11-25T02:00:00Z", "2026-11-27T02:00:00Z")):
            demo_db.execute("INSERT INTO pushes (station_id, category, title, state, created_by, created_at, updated_at,"
                            " sent_at) VALUES (NULL, 'appeal', ?, 'sent', ?, ?, ?, ?)", [f"寻人{k}", author, sent, sent, sent])
    demo_tips.generate_tips(demo_db, n=N, seed=4, now=NOW)
    linked = demo_db.execute("SELECT t.created_at, p.sent_at, t.channel FROM tips t JOIN pushes p ON p.id = t.push_id"
                             ).fetchall()
    assert linked
    for created, sent, channel in linked:
        assert sent <= created and channel in ("qr", "group")
    assert triage_queue.queue(demo_db, users["district_admin"], QueueFilter(push_id=1, open_only=False), now=NOW)


def test_bulk_loads_rebuild_the_indexes_as_they_were(demo_db, monkeypatch):
    before = demo_db.execute("SELECT name, sql FROM sqlite_master WHERE tbl_name = 'tips' ORDER BY name").fetchall()
    monkeypatch.setattr(demo_tips, "REBUILD_INDEXES_FROM", 100)
    demo_tips.generate_tips(demo_db, n=500, seed=9, now=NOW)
    after = demo_db.execute("SELECT name, sql FROM sqlite_master WHERE tbl_name = 'tips' ORDER BY name").fetchall()
    assert after == before
    assert demo_db.execute("PRAGMA quick_check").fetchall() == [("ok",)]


def test_a_young_backlog_when_not_a_year_back(demo_db):
    demo_tips.generate_tips(demo_db, n=500, seed=3, now=NOW, year_back=False)
    oldest = demo_db.execute("SELECT MIN(created_at) FROM tips").fetchone()[0]
    assert oldest >= "2026-10-29"


def test_the_demo_year_is_at_the_programs_scale(demo_db):
    expected = demo_tips.demo_year_count(demo_db)
    assert 10_000 <= expected <= 25_000  # 220,000 members → about 40 tips a day
    assert demo_tips.generate_demo_year(demo_db, seed=1, now=NOW) == expected
    per_day = demo_db.execute("SELECT COUNT(*) FROM tips WHERE created_at >= '2026-11-21T10:00:00Z'").fetchone()[0] / 7
    assert 25 <= per_day <= 90


def test_an_empty_district_is_refused(fresh_db):
    with pytest.raises(ValueError):
        demo_tips.generate_tips(fresh_db, n=10, seed=1, now=NOW)
