"""Demo pushes: deterministic, in the program's mix, consistent with the push workflow (four eyes,
targeting, deliveries), and with appeals whose quick leads the push log's response view reads."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from lib.core import auth, files, taxonomy
from lib.core.db import connect, write_transaction
from lib.demo import demo_pushes, seeding
from lib.pushes import delivery, push_message, push_response, pushes, targeting
from lib.tips import tips
from tests.apptest import goto, metrics
from tests.conftest import DEMO_PASSWORD, copy_database

NOW = "2026-11-28T10:00:00Z"
SEED = 11
CJK = re.compile(r"[\u4e00-\u9fff]")
TABLES = ("pushes", "deliveries", "tips", "tip_events")


def _ts(iso: str) -> datetime:
    return datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _without_pushes(demo_template, path):
    """A copy of the demo district with no pushes (the template's tips are already gone)."""
    db = connect(copy_database(demo_template, path))
    with write_transaction(db):
        for table in ("tip_events", "tips", "deliveries", "pushes"):
            db.execute(f"DELETE FROM {table}")
    return db


def _dump(db) -> dict:
    return {t: db.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in TABLES}


@pytest.fixture(scope="module")
def gen(demo_template, tmp_path_factory):
    """The demo year of pushes on a fixed clock, written once for the module's read-only tests."""
    db = _without_pushes(demo_template, tmp_path_factory.mktemp("pushes") / "p.db")
    started = time.perf_counter()
    counts = demo_pushes.generate(db, seed=SEED, now=NOW)
    # Measured for the record, never asserted (the design keeps timings out of tests).
    print(f"\ndemo pushes at scale 1: {counts} in {time.perf_counter() - started:.2f} s")
    yield db
    db.close()


@pytest.fixture(scope="module")
def people(gen):
    return {name: auth.load_user(gen, name) for name in ("district", "station", "clerk")}


def _pushes(db, where="1 = 1", params=()):
    return list(db.query(f"SELECT * FROM pushes WHERE {where} ORDER BY id", params))


def test_same_seed_same_rows_other_seed_other_rows(demo_template, tmp_path):
    def generate(name, seed):
        db = _without_pushes(demo_template, tmp_path / name)
        demo_pushes.generate(db, seed=seed, now=NOW)
        return _dump(db)

    first, again, other = generate("a.db", SEED), generate("b.db", SEED), generate("c.db", SEED + 1)
    assert first == again
    assert first["pushes"] != other["pushes"] and first["tips"] != other["tips"]


def test_a_year_of_pushes_in_the_programs_mix(gen):
    rows = _pushes(gen)
    assert 120 <= len(rows) <= 200
    categories = Counter(r["category"] for r in rows)
    assert set(categories) == set(taxonomy.codes("push_categories"))
    routine = sum(n for c, n in categories.items() if c not in ("appeal", "police_bulletin"))
    mostly = sum(categories[c] for c in ("prevention_tip", "anti_fraud", "news", "qa"))
    assert mostly > 0.7 * routine
    assert 5 <= categories["police_bulletin"] <= 20
    appeals = [r for r in rows if r["category"] == "appeal" and r["state"] == "sent"]
    assert 15 <= len(appeals) <= 25
    kinds = Counter(r["appeal_kind"] for r in appeals)
    assert set(kinds) == set(taxonomy.codes("appeal_kinds"))
    missing = [r["title"] for r in appeals if r["appeal_kind"] == "missing_person"]
    assert any("老人" in t for t in missing) and any(re.search("男孩|女孩|女生", t) for t in missing)
    assert any("汽车站" in t and "78岁" in t for t in missing)
    assert any("肇事逃逸" in r["title"] for r in appeals if r["appeal_kind"] == "case_appeal")
    # Spread over the year before NOW, most of it in office hours on weekdays (Beijing time).
    sent = [_ts(r["sent_at"]) for r in rows if r["sent_at"]]
    assert _ts(NOW) - timedelta(days=365) <= min(sent) and max(sent) <= _ts(NOW)
    assert len({s.month for s in sent}) == 12
    routine_sent = [_ts(r["sent_at"]) + timedelta(hours=8) for r in rows
                    if r["sent_at"] and r["category"] != "appeal"]
    office = [s for s in routine_sent if s.weekday() < 5 and 8 <= s.hour < 18]
    assert len(office) > 0.6 * len(routine_sent)
    # Station pushes by every station; some district-wide ones by the district center.
    stations = {r["station_id"] for r in rows}
    assert None in stations and len(stations - {None}) == 17


def test_the_year_opens_with_the_district_launch(gen):
    first = _pushes(gen)[0]
    assert first["station_id"] is None and first["category"] == "news" and "新百千万" in first["title"]


def test_every_state_but_sending_is_in_the_log(gen, people):
    rows = _pushes(gen)
    states = Counter(r["state"] for r in rows)
    assert set(states) == set(pushes.STATES) - {"sending"}
    recent = (_ts(NOW) - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    for r in rows:
        if r["state"] != "sent":
            assert r["created_at"] >= recent and r["sent_at"] is None
            assert not gen.execute("SELECT 1 FROM deliveries WHERE push_id = ?", [r["id"]]).fetchone()
        if r["state"] in ("rejected", "withdrawn"):
            assert CJK.search(r["state_reason"])
    scheduled = next(r for r in rows if r["state"] == "scheduled")
    assert _ts(scheduled["scheduled_for"]) - _ts(NOW) >= timedelta(hours=12)
    # Nothing waits for the demo station admin (its queue starts empty); the district admin has one.
    assert pushes.review_queue(gen, people["station"]) == []
    assert [p["state"] for p in pushes.review_queue(gen, people["district"])] == ["pending_review"]
    # The demo clerk has written some of the year's pushes, and has a draft to continue.
    mine = Counter(r["state"] for r in rows if r["created_by"] == people["clerk"].id)
    assert mine["sent"] >= 3 and mine["draft"] == 1


def test_four_eyes_on_bulletins_and_appeals(gen):
    reviewed = 0
    for r in _pushes(gen):
        if not pushes.needs_approval(r["category"]):
            assert r["reviewed_by"] is None
            continue
        if r["state"] in ("draft", "pending_review", "withdrawn"):
            assert r["reviewed_by"] is None
            continue
        reviewer = auth.get_user_by_id(gen, r["reviewed_by"])
        assert reviewer.id != r["created_by"]
        assert pushes.may(reviewer, {**r, "state": "pending_review"}, "approve")  # the rules of lib.pushes.pushes
        assert r["created_at"] <= r["submitted_at"] <= r["reviewed_at"]
        if r["state"] == "sent":
            assert r["reviewed_at"] <= r["sent_at"]
        reviewed += 1
    assert reviewed >= 25


def test_authors_belong_to_the_pushs_station(gen, people):
    officers_of = {}
    for uid, unit_id in gen.execute("SELECT id, unit_id FROM users WHERE password_hash IS NULL"):
        officers_of.setdefault(unit_id, set()).add(uid)
    for r in _pushes(gen):
        author = auth.get_user_by_id(gen, r["created_by"])
        if r["station_id"] is None:
            assert author.is_district
            continue
        assert author.station_id == r["station_id"]
        outposts = targeting.Target.from_dict(json.loads(r["targeting"])).outpost_ids
        if outposts and officers_of.get(outposts[0]) and author.id != people["clerk"].id:
            assert author.id in officers_of[outposts[0]]  # an outpost's push is written by its officer


def test_pushes_are_complete_and_valid(gen, people):
    for r in _pushes(gen):
        push = pushes.get_push(gen, people["district"], r["id"])
        if push["state"] != "draft":
            unit = pushes.issuing_unit(gen, push)
            assert push_message.problems(push, issuing_unit=unit) == [], (push["id"], push["title"])
            assert push["title"] in push_message.message_text(push, issuing_unit=unit)
        assert CJK.search(push["title"]) and len(push["body"]) >= 10 and "{" not in push["body"] + push["title"]
        if push["category"] == "appeal":
            data, mime = files.read_file(gen, people["district"], push["photo_file_ids"][0])
            assert mime == "image/jpeg" and len(data) > 1000


def test_deliveries_follow_the_targeting(gen):
    total = gen.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0]
    assert 10_000 <= total < 60_000
    groups = {r["id"]: r for r in gen.query("SELECT id, station_id, webhook_url, webhook_state FROM chat_groups")}
    for r in _pushes(gen):
        author = auth.get_user_by_id(gen, r["created_by"])
        target = targeting.Target.from_dict(json.loads(r["targeting"]))
        reached = targeting.resolve(gen, author, target, r["station_id"])
        assert (len(reached), sum(g["member_count"] for g in reached)) == (r["groups_targeted"], r["members_targeted"])
        assert reached, r["id"]
        if r["state"] != "sent":
            continue
        rows = list(gen.query("SELECT * FROM deliveries WHERE push_id = ?", [r["id"]]))
        assert {d["group_id"] for d in rows} == {g["id"] for g in reached}
        for d in rows:
            group = groups[d["group_id"]]
            assert d["station_id"] == group["station_id"]
            assert r["station_id"] in (None, d["station_id"])
            robot = bool(group["webhook_url"]) and group["webhook_state"] == "ok"
            if d["channel"] == "wecom_webhook":
                assert robot and d["state"] == "sent" and d["attempts"] == 1 and d["error"] is None
                assert r["sent_at"] <= d["sent_at"] <= r["updated_at"]
            elif d["error"]:  # the robot gave up: the group went on the manual checklist, as the worker does
                assert robot and d["attempts"] == 6 and d["state"] in ("queued", "confirmed")
            else:
                assert not robot and d["attempts"] == 0
            if d["state"] == "confirmed":
                assert d["confirmed_by"] and r["sent_at"] <= d["confirmed_at"] == d["sent_at"] <= NOW
            else:
                assert d["confirmed_by"] is None and d["confirmed_at"] is None
    by = Counter((d[0], d[1], d[2] is not None) for d in gen.execute("SELECT channel, state, error FROM deliveries"))
    assert by[("wecom_webhook", "sent", False)] > 0 and by[("manual", "confirmed", False)] > 0.8 * total
    assert 0 < by[("manual", "queued", True)] + by[("manual", "confirmed", True)] < 0.01 * total


def test_every_appeal_has_a_first_lead_within_the_hour(gen, people):
    district = people["district"]
    appeals = _pushes(gen, "category = 'appeal' AND state = 'sent'")
    for p in appeals:
        figures = push_response.response(gen, district, p["id"])
        assert figures["leads"] >= 3
        assert 8 <= figures["first_lead_minutes"] <= 55, (p["title"], figures)
        if p["appeal_kind"] == "missing_person":  # “leads within 20 minutes each time”
            assert figures["first_lead_minutes"] <= 20
        assert sum(h["leads"] for h in figures["per_hour"]) == figures["leads"]
        assert figures["by_grid"]
    ranking = push_response.appeal_ranking(gen, district)
    assert {r["id"] for r in ranking} == {p["id"] for p in appeals}
    assert all(r["first_lead_minutes"] is not None for r in ranking)
    wanted = next(r for r in ranking if "陆某" in r["title"])
    assert 18 <= wanted["first_lead_minutes"] <= 22  # the program's wanted notice: a tip in 20 minutes
    assert push_response.ratings_by_category(gen, district)[0]["category"] == "appeal"
    # Station scope holds: the clerk ranks their own station's appeals only.
    assert {r["station_id"] for r in push_response.appeal_ranking(gen, people["clerk"])} == {people["clerk"].station_id}


def test_leads_are_tips_like_the_demo_tips(gen):
    push_of = {r["id"]: r for r in _pushes(gen)}
    reached = {}
    for push_id, grid_id in gen.execute("SELECT d.push_id, c.grid_id FROM deliveries d"
                                        " JOIN chat_groups c ON c.id = d.group_id"):
        reached.setdefault(push_id, set()).add(grid_id)
    types = tips.state_types(gen)
    rows = list(gen.query("SELECT * FROM tips ORDER BY id"))
    assert 60 <= len(rows) <= 150
    for t in rows:
        push = push_of[t["push_id"]]
        assert push["category"] == "appeal" and push["state"] == "sent"
        assert (t["kind"], t["channel"], t["created_by"]) == ("lead", "qr", None)
        assert t["grid_id"] in reached[push["id"]] and t["station_id"] == push["station_id"]
        assert push["sent_at"] < t["created_at"] <= t["updated_at"] <= NOW
        assert t["due_at"] == tips.due_at(gen, t["kind"], t["priority"], t["created_at"])
        assert t["priority_rank"] == tips.PRIORITY_RANK[t["priority"]]
        assert t["is_open"] == int(types[t["state"]] == "open")
        assert t["created_at"] <= t["first_response_at"] <= NOW
        if t["is_open"]:
            assert t["closed_at"] is None
        else:
            assert t["first_response_at"] <= t["closed_at"] <= NOW
        if t["state"] == "duplicate":
            assert t["duplicate_of"] < t["id"] and push_of[t["push_id"]]["id"] == gen.execute(
                "SELECT push_id FROM tips WHERE id = ?", [t["duplicate_of"]]).fetchone()[0]
        if t["rating"] is not None:
            assert t["state"] in ("resolved", "closed") and not t["is_anonymous"]
        if t["contact_phone"]:
            assert tips._PHONE.match(t["contact_phone"])
        assert len(CJK.findall(t["description"])) >= 5 and "{" not in t["description"]
        if t["happened_at"]:
            assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", t["happened_at"])
    codes = [t["tracking_code"] for t in rows]
    assert len(set(codes)) == len(codes) and all(set(c) <= set(tips.TRACKING_ALPHABET) for c in codes)
    events = Counter(r[0] for r in gen.execute("SELECT kind FROM tip_events"))
    answered = sum(t["state"] in ("resolved", "closed") for t in rows)
    # Every lead was answered within minutes (a call-back, or a reply to an anonymous sender), and the
    # resolved and closed ones got their closing reply.
    assert events == {"state": sum(t["state"] != "new" for t in rows), "reply": answered + sum(
        not t["contact_phone"] for t in rows), "callback": sum(bool(t["contact_phone"]) for t in rows)}
    first = dict(gen.execute("SELECT tip_id, MIN(at) FROM tip_events WHERE kind = 'callback'"
                             " OR (kind = 'reply' AND is_public = 1) GROUP BY tip_id").fetchall())
    assert all(first[t["id"]] == t["first_response_at"] and t["lane"] == 2 for t in rows)
    closed = next(t for t in rows if t["state"] == "closed")
    tracked = tips.track(gen, closed["tracking_code"])
    assert tracked["state"] == "closed" and CJK.search(tracked["replies"][0]["text"])
    located = [t for t in rows if t["lat"] is not None and gen.execute(
        "SELECT geometry IS NOT NULL FROM grids WHERE id = ?", [t["grid_id"]]).fetchone()[0]]
    assert located
    for t in located:
        assert tips.route(gen, grid_id=None, lat=t["lat"], lon=t["lon"]) == (t["station_id"], t["grid_id"])


def test_rows_satisfy_the_schema(gen):
    # Deliveries are written with CHECK constraints skipped (for speed): prove the rows pass them.
    assert gen.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert gen.execute("PRAGMA foreign_key_check").fetchall() == []
    assert gen.execute("PRAGMA ignore_check_constraints").fetchone()[0] == 0
    assert gen.execute("SELECT COUNT(*) FROM deliveries WHERE channel NOT IN ('manual', 'wecom_webhook')"
                       " OR state NOT IN ('queued', 'sending', 'sent', 'failed', 'confirmed')").fetchone()[0] == 0


def test_a_second_run_continues_ids_and_codes(demo_template, tmp_path):
    db = _without_pushes(demo_template, tmp_path / "twice.db")
    first = demo_pushes.generate(db, seed=SEED, now=NOW)
    second = demo_pushes.generate(db, seed=SEED, now=NOW)
    assert db.execute("SELECT COUNT(*), COUNT(DISTINCT tracking_code) FROM tips").fetchone() == (
        first["tips"] + second["tips"],) * 2
    assert db.execute("SELECT COUNT(*) FROM pushes").fetchone()[0] == first["pushes"] + second["pushes"]


def test_an_empty_district_is_refused(fresh_db):
    with pytest.raises(ValueError):
        demo_pushes.generate(fresh_db, seed=1, now=NOW)


def test_the_seeded_demo_has_pushes_that_its_tips_answer(tmp_path):
    db = connect(tmp_path / "seeded.db")
    counts = seeding.seed(db, password=DEMO_PASSWORD)
    assert counts["pushes"] == db["pushes"].count and 120 <= counts["pushes"] <= 200
    district = auth.load_user(db, "district")
    # The demo year of tips (written after the pushes) answers some of them, as residents would …
    assert db.execute("SELECT COUNT(*) FROM tips WHERE push_id IS NOT NULL AND kind != 'lead'").fetchone()[0] > 100
    # … but an appeal for information is answered by leads only.
    assert db.execute("SELECT COUNT(*) FROM tips t JOIN pushes p ON p.id = t.push_id"
                      " WHERE p.category = 'appeal' AND t.kind != 'lead'").fetchone()[0] == 0
    # … and every appeal still shows its first lead within the hour on the push log.
    for p in _pushes(db, "category = 'appeal' AND state = 'sent'"):
        assert push_response.response(db, district, p["id"])["first_lead_minutes"] <= 60
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_the_push_log_shows_an_appeals_response(app, demo_path):
    db = _without_pushes_in_place(demo_path)
    demo_pushes.generate(db, seed=SEED)  # on the real clock: the page shows the last pushes first
    appeal = _pushes(db, "category = 'appeal' AND state = 'sent'")[-1]
    db.close()
    first = app("district")
    first.query_params["push"] = str(appeal["id"])
    at = goto(first.run(), "pushes").run()
    assert not at.exception
    shown = metrics(at)
    minutes = int(re.match(r"(\d+)", shown["首条线索用时"]).group(1))
    assert 8 <= minutes <= 55 and int(shown["收到线索"]) >= 3


def _without_pushes_in_place(path):
    db = connect(path)
    with write_transaction(db):
        for table in ("tip_events", "tips", "deliveries", "pushes"):
            db.execute(f"DELETE FROM {table}")
    return db


def test_delivery_progress_reads_the_demo_rows(gen, people):
    clerk = people["clerk"]
    own = _pushes(gen, "station_id = ? AND state = 'sent'", [clerk.station_id])
    assert own
    counts = delivery.progress(gen, clerk, own[-1]["id"])
    assert counts["total"] == own[-1]["groups_targeted"] and counts["done"] > 0.8 * counts["total"]
