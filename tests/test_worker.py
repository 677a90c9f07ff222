"""The delivery worker against the fake robot server, with simulated time: delivery of a push,
the rate limit, retries and back-off, broken robots, restart safety, two workers, the lease (renewed on a
long run, lost once it expired), schedules, the CLI."""

from __future__ import annotations

import io
import json
import math
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
from PIL import Image

from lib.core.db import connect, write_transaction
from lib.pushes import delivery, pushes, wecom, worker
from tests.conftest import ROOT
from tests.factories import sent_notice
from tests.fake_wecom import FakeWeCom, SimClock, simulate


class Crash(BaseException):
    """Stands for the worker process dying (not an error the worker may handle)."""


@pytest.fixture
def clock():
    # Deliveries are stamped due at the real time of sending, so simulated time starts after it.
    return SimClock(math.ceil(time.time()) + 60)


@pytest.fixture
def fake(clock):
    with FakeWeCom(clock) as server:
        yield server


@pytest.fixture
def small_poster(monkeypatch):
    """A tiny PNG instead of the drawn poster: every push then has two robot parts, quickly."""
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    monkeypatch.setattr(pushes, "poster_png", lambda db, push: out.getvalue())


@pytest.fixture
def no_poster(monkeypatch):
    """One robot part per push (the markdown), so a count of messages is a count of deliveries."""
    monkeypatch.setattr(pushes, "poster_png", lambda db, push: None)


def robot_groups(db, station_id: int, n: int) -> list[int]:
    return [r[0] for r in db.execute("SELECT id FROM chat_groups WHERE station_id = ? AND status = 'active'"
                                     " ORDER BY id LIMIT ?", [station_id, n])]


def point_at(db, fake: FakeWeCom, group_ids: list[int], key=lambda gid: f"g{gid}") -> dict[int, str]:
    """Give the groups a robot on the fake server (test set-up; no audit needed). Every other group
    of the database loses its robot, so only these go out by webhook."""
    keys = {gid: key(gid) for gid in group_ids}
    with write_transaction(db):
        db.execute("UPDATE chat_groups SET webhook_url = NULL")
        db.conn.executemany("UPDATE chat_groups SET webhook_url = ?, webhook_state = 'ok', platform = 'wecom'"
                            " WHERE id = ?", [(fake.url(k), gid) for gid, k in keys.items()])
    return keys


def robot_rows(db, push_id: int) -> list[dict]:
    return list(db.query("SELECT * FROM deliveries WHERE push_id = ? AND group_id IN"
                         " (SELECT id FROM chat_groups WHERE webhook_url IS NOT NULL) ORDER BY id", [push_id]))


def push_state(db, push_id: int) -> str:
    return db.execute("SELECT state FROM pushes WHERE id = ?", [push_id]).fetchone()[0]


def iso_to_epoch(text: str) -> float:
    return worker.epoch(text)


# --- delivery ---------------------------------------------------------------------------


def test_push_to_a_station_reaches_every_robot_group(demo_db, users, fake, clock):
    clerk = users["clerk"]
    ids = [r[0] for r in demo_db.execute("SELECT id FROM chat_groups WHERE station_id = ? AND status = 'active'"
                                         " AND webhook_url IS NOT NULL", [clerk.station_id])]
    assert len(ids) >= 5
    keys = point_at(demo_db, fake, ids)
    push = sent_notice(demo_db, clerk)
    parts = pushes.webhook_parts(demo_db, push["id"])
    assert parts[0]["msgtype"] == "markdown"

    counts = simulate(demo_db, clock)

    for gid, key in keys.items():
        assert fake.messages(key) == parts, gid  # the markdown, then the poster if there is one
    rows = demo_db.execute("SELECT channel, state, parts_sent, sent_at IS NOT NULL, attempts FROM deliveries"
                           " WHERE push_id = ?", [push["id"]]).fetchall()
    robots = [r for r in rows if r[0] == "wecom_webhook"]
    assert len(robots) == len(ids)
    assert all(r[1:] == ("sent", len(parts), 1, 0) for r in robots)
    assert all(r[1] == "queued" for r in rows if r[0] == "manual")  # the checklist is the clerk's
    assert push_state(demo_db, push["id"]) == "sent"
    assert counts["delivered"] == len(ids) and counts["finished"] == 1
    assert fake.rate_limited == 0 and len(fake.accepted) == len(ids) * len(parts)


def test_rate_limit_is_honoured_and_the_rest_goes_in_the_next_window(demo_db, users, fake, clock, no_poster):
    clerk = users["clerk"]
    ids = robot_groups(demo_db, clerk.station_id, 25)
    point_at(demo_db, fake, ids, key=lambda gid: "shared")  # 25 groups behind one robot key
    push = sent_notice(demo_db, clerk)
    t0 = clock()

    first = worker.run_once(demo_db, limiter=(limiter := wecom.RateLimiter()), clock=clock)
    assert first["parts_sent"] == 20 and first["deferred"] == 5
    waiting = [r for r in robot_rows(demo_db, push["id"]) if r["state"] == "queued"]
    assert len(waiting) == 5 and all(r["attempts"] == 0 for r in waiting)
    assert all(iso_to_epoch(r["next_attempt_at"]) >= t0 + 60 for r in waiting)

    simulate(demo_db, clock, limiter=limiter)

    stamps = fake.times("shared")
    assert len(stamps) == 25 and fake.rate_limited == 0 and fake.max_in_window() <= 20
    assert all(t == t0 for t in stamps[:20]) and all(t >= t0 + 60 for t in stamps[20:])
    assert {r["state"] for r in robot_rows(demo_db, push["id"])} == {"sent"}
    assert push_state(demo_db, push["id"]) == "sent"


def test_server_errors_are_retried_with_back_off(demo_db, users, fake, clock, no_poster):
    clerk = users["clerk"]
    [gid] = robot_groups(demo_db, clerk.station_id, 1)
    point_at(demo_db, fake, [gid], key=lambda g: "flaky")
    fake.fail_next("flaky", 2, status=500)
    push = sent_notice(demo_db, clerk)
    t0 = clock()

    assert worker.run_once(demo_db, clock=clock)["retried"] == 1
    [row] = robot_rows(demo_db, push["id"])
    assert (row["state"], row["attempts"], row["next_attempt_at"]) == ("queued", 1, worker.iso(t0 + 30))
    assert "HTTP 500" in row["error"]
    clock.advance(29)
    assert worker.run_once(demo_db, clock=clock).get("claimed", 0) == 0  # not due yet
    clock.advance(1)
    assert worker.run_once(demo_db, clock=clock)["retried"] == 1
    [row] = robot_rows(demo_db, push["id"])
    assert (row["attempts"], row["next_attempt_at"]) == (2, worker.iso(t0 + 30 + 60))  # doubled
    clock.advance(60)
    counts = worker.run_once(demo_db, clock=clock)
    assert counts["delivered"] == 1 and counts["finished"] == 1
    [row] = robot_rows(demo_db, push["id"])
    assert (row["state"], row["attempts"], row["error"]) == ("sent", 2, None)
    assert len(fake.messages("flaky")) == 1


def test_back_off_doubles_up_to_half_an_hour():
    assert [worker.backoff_s(a) for a in range(8)] == [30, 60, 120, 240, 480, 960, 1800, 1800]


def test_after_six_attempts_the_group_goes_on_the_manual_checklist(demo_db, users, fake, clock, no_poster):
    clerk = users["clerk"]
    [gid] = robot_groups(demo_db, clerk.station_id, 1)
    point_at(demo_db, fake, [gid], key=lambda g: "down")
    fake.fail_next("down", 100, status=503)
    push = sent_notice(demo_db, clerk)

    counts = simulate(demo_db, clock)

    assert counts["retried"] == 5 and counts["fallback"] == 1 and fake.requests == 6
    row = demo_db.execute("SELECT * FROM deliveries WHERE push_id = ? AND group_id = ?",
                          [push["id"], gid]).fetchone()
    row = dict(zip([d[0] for d in demo_db.execute("SELECT * FROM deliveries LIMIT 0").description], row, strict=True))
    assert (row["channel"], row["state"], row["attempts"]) == ("manual", "queued", 6)
    assert "gave up after 6 attempts" in row["error"] and "HTTP 503" in row["error"]
    assert gid in {r["group_id"] for r in delivery.checklist(demo_db, clerk, push["id"], only_open=True)}
    assert demo_db.execute("SELECT webhook_state FROM chat_groups WHERE id = ?", [gid]).fetchone()[0] == "ok"
    assert push_state(demo_db, push["id"]) == "sent"


def test_invalid_webhook_marks_the_group_broken_and_falls_back(demo_db, users, fake, clock):
    clerk = users["clerk"]
    broken, fine = robot_groups(demo_db, clerk.station_id, 2)
    keys = point_at(demo_db, fake, [broken, fine])
    fake.invalid_keys.add(keys[broken])
    push = sent_notice(demo_db, clerk)

    counts = simulate(demo_db, clock)

    assert counts["broken"] == 1 and counts["fallback"] == 1 and counts["delivered"] == 1
    by_group = {r["group_id"]: r for r in robot_rows(demo_db, push["id"])}
    assert (by_group[broken]["channel"], by_group[broken]["state"]) == ("manual", "queued")
    assert "93000" in by_group[broken]["error"] and by_group[broken]["attempts"] == 1
    assert by_group[fine]["state"] == "sent"
    assert demo_db.execute("SELECT webhook_state FROM chat_groups WHERE id = ?", [broken]).fetchone()[0] == "broken"
    audit = {(r[0], r[1], r[2]): r[3] for r in demo_db.execute(
        "SELECT action, entity, entity_id, user_id FROM audit_log WHERE action IN ('webhook_broken', 'robot_failed')")}
    assert audit == {("webhook_broken", "chat_groups", str(broken)): None,
                     ("robot_failed", "deliveries", str(by_group[broken]["id"])): None}
    assert push_state(demo_db, push["id"]) == "sent"
    assert broken in {r["group_id"] for r in delivery.checklist(demo_db, clerk, push["id"], only_open=True)}

    # The next push goes to that group by hand from the start; the robot is not called again.
    requests = fake.requests
    later = sent_notice(demo_db, clerk)
    channels = {r["group_id"]: r["channel"] for r in robot_rows(demo_db, later["id"])}
    assert channels == {broken: "manual", fine: "wecom_webhook"}
    simulate(demo_db, clock)
    assert fake.requests == requests + len(pushes.webhook_parts(demo_db, later["id"]))


def test_a_refused_message_falls_back_without_breaking_the_group(demo_db, users, fake, clock, no_poster):
    clerk = users["clerk"]
    [gid] = robot_groups(demo_db, clerk.station_id, 1)
    point_at(demo_db, fake, [gid], key=lambda g: "strict")
    fake.fail_next("strict", 1, errcode=40058)
    push = sent_notice(demo_db, clerk)
    counts = simulate(demo_db, clock)
    assert counts["fallback"] == 1 and counts.get("broken", 0) == 0 and counts.get("retried", 0) == 0
    [row] = robot_rows(demo_db, push["id"])
    assert row["channel"] == "manual" and "40058" in row["error"]
    assert demo_db.execute("SELECT webhook_state FROM chat_groups WHERE id = ?", [gid]).fetchone()[0] == "ok"


def test_frequency_limit_from_wecom_waits_without_spending_an_attempt(demo_db, users, fake, clock, no_poster):
    clerk = users["clerk"]
    [gid] = robot_groups(demo_db, clerk.station_id, 1)
    point_at(demo_db, fake, [gid], key=lambda g: "crowded")
    fake.fail_next("crowded", 1, errcode=45009)  # another sender filled this robot's minute
    push = sent_notice(demo_db, clerk)
    t0 = clock()
    assert worker.run_once(demo_db, clock=clock)["deferred"] == 1
    [row] = robot_rows(demo_db, push["id"])
    assert (row["state"], row["attempts"]) == ("queued", 0) and iso_to_epoch(row["next_attempt_at"]) >= t0 + 60
    simulate(demo_db, clock)
    assert robot_rows(demo_db, push["id"])[0]["state"] == "sent" and len(fake.messages("crowded")) == 1


# --- restart safety and concurrency ----------------------------------------------------------


def test_a_restart_resumes_at_the_next_part_and_sends_no_part_twice(demo_db, users, fake, clock, small_poster):
    clerk = users["clerk"]
    [gid] = robot_groups(demo_db, clerk.station_id, 1)
    point_at(demo_db, fake, [gid], key=lambda g: "r1")
    push = sent_notice(demo_db, clerk)
    parts = pushes.webhook_parts(demo_db, push["id"])
    assert [p["msgtype"] for p in parts] == ["markdown", "image"]
    calls = []

    def dies_before_part_two(url, payload, **kw):
        if calls:
            raise Crash()
        calls.append(payload)
        return wecom.send(url, payload, **kw)

    with pytest.raises(Crash):
        worker.run_once(demo_db, clock=clock, sender=dies_before_part_two, concurrency=1)
    [row] = robot_rows(demo_db, push["id"])
    assert (row["state"], row["parts_sent"]) == ("sending", 1) and fake.messages("r1") == parts[:1]

    # A new worker (a new connection) before the lease ends leaves the row alone …
    other = connect(demo_db.conn.execute("PRAGMA database_list").fetchone()[2])
    assert worker.run_once(other, clock=clock).get("claimed", 0) == 0
    # … and after it sends only the second part.
    clock.advance(worker.LEASE_S + 1)
    counts = worker.run_once(other, clock=clock)
    assert counts["claimed"] == 1 and counts["parts_sent"] == 1 and counts["finished"] == 1
    assert fake.messages("r1") == parts  # each part exactly once, in order
    [row] = robot_rows(demo_db, push["id"])
    assert (row["state"], row["parts_sent"]) == ("sent", 2)
    other.close()


def test_a_stop_finishes_the_message_in_hand_and_hands_back_the_rest(demo_db, users, fake, clock, small_poster):
    clerk = users["clerk"]
    ids = robot_groups(demo_db, clerk.station_id, 5)
    keys = point_at(demo_db, fake, ids)
    push = sent_notice(demo_db, clerk)
    stop = threading.Event()

    def stop_after_first(url, payload, **kw):
        stop.set()  # SIGTERM arrives while the first message is on the wire
        return wecom.send(url, payload, **kw)

    counts = worker.run_once(demo_db, clock=clock, sender=stop_after_first, stop=stop, concurrency=1)
    assert counts["parts_sent"] == 1 and counts["released"] == 5
    rows = robot_rows(demo_db, push["id"])
    assert all(r["state"] == "queued" and r["lease_until"] is None for r in rows)
    assert [r["parts_sent"] for r in rows] == [1, 0, 0, 0, 0]
    simulate(demo_db, clock)  # a restarted worker picks them up at once and resumes the first at part 2
    assert all(len(fake.messages(k)) == 2 for k in keys.values()) and len(fake.accepted) == 10


def test_two_workers_never_send_the_same_delivery(demo_path, users, fake, clock, small_poster):
    db = connect(demo_path)
    clerk = users["clerk"]
    ids = robot_groups(db, clerk.station_id, 40)
    keys = point_at(db, fake, ids)
    push = sent_notice(db, clerk)
    claimed = []
    barrier = threading.Barrier(2)

    def work():
        conn = connect(demo_path)
        barrier.wait()
        total = 0
        while worker.pending(conn):
            total += worker.run_once(conn, clock=clock, batch=3, concurrency=2).get("claimed", 0)
        claimed.append(total)
        conn.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sum(claimed) == 40  # no row was claimed twice
    assert all(len(fake.messages(k)) == 2 for k in keys.values()) and len(fake.accepted) == 80
    worker.run_once(db, clock=clock)
    assert push_state(db, push["id"]) == "sent"
    db.close()


# --- the lease: renewed on a long run, lost once it expired -------------------------------------


SLOW_CALL_S = 9.0  # a slow robot's answer, within the 10 s HTTP timeout


def long_batch(db, path, users, fake, clock) -> tuple[dict, list[tuple[float, float, list[int]]], float]:
    """Worker A sends a batch of one-part deliveries one at a time through a slow robot: every call
    takes ``SLOW_CALL_S`` of simulated time, and the batch spans more than
    ``LEASE_S``. The last job starts just before the claim's lease runs out and is still on the wire
    after it. At the end of every call a second worker (its own connection) tries to claim.

    Returns A's counts, the probes ``(time, lease_until of the row on the wire, ids the second worker
    claimed)`` and the time of the claim (the batch's leases run to ``t0 + LEASE_S``)."""
    n = math.ceil(worker.LEASE_S / SLOW_CALL_S)  # job n starts at t0 + 297 s and is answered at t0 + 306 s
    keys = point_at(db, fake, robot_groups(db, users["clerk"].station_id, n))
    assert len(keys) == n and n <= worker.BATCH  # one claim takes the whole batch
    push = sent_notice(db, users["clerk"])
    group_of = {fake.url(k): gid for gid, k in keys.items()}
    second = connect(path)
    probes = []

    def slow_robot(url, payload, **kw):
        answer = wecom.send(url, payload, **kw)
        clock.advance(SLOW_CALL_S)
        lease = second.execute("SELECT lease_until FROM deliveries WHERE push_id = ? AND group_id = ?",
                               [push["id"], group_of[url]]).fetchone()[0]
        probes.append((clock(), worker.epoch(lease), [j.id for j in worker.claim(second, clock())]))
        return answer

    t0 = clock()
    counts = worker.run_once(db, clock=clock, sender=slow_robot, concurrency=1)
    second.close()
    assert len(probes) == n and all(len(fake.messages(k)) == 1 for k in keys.values())
    return counts, probes, t0


def test_a_batch_longer_than_the_lease_keeps_its_jobs_by_renewing_before_each_send(demo_path, users, fake, clock,
                                                                                  no_poster):
    db = connect(demo_path)
    counts, probes, t0 = long_batch(db, demo_path, users, fake, clock)
    assert probes[-1][0] > t0 + worker.LEASE_S  # the last answer came after the claim's lease ended …
    assert probes[-1][1] > t0 + worker.LEASE_S  # … and the row on the wire had been renewed past it
    # Every message on the wire had its lease last the call out by the margin, so a second worker
    # claiming at any of those moments got nothing: not the job on the wire, nor one waiting its turn.
    assert all(lease - at >= worker.TIMEOUT_S + worker.LEASE_MARGIN_S - SLOW_CALL_S for at, lease, _ in probes)
    assert [claimed for _, _, claimed in probes] == [[]] * len(probes)
    assert counts["delivered"] == len(probes) and counts.get("lost", 0) == 0
    assert worker.pending(db) == 0
    db.close()


def test_without_the_renewal_the_second_worker_would_take_the_job_on_the_wire(demo_path, users, fake, clock,
                                                                             no_poster, monkeypatch):
    """The test above can fail: with renewal made a no-op, the row of the last message is claimable
    while the robot still has it, and worker A then finds its row gone."""
    monkeypatch.setattr(worker._Run, "renew", lambda self, job, now: True)
    db = connect(demo_path)
    counts, probes, t0 = long_batch(db, demo_path, users, fake, clock)
    at, lease, claimed = probes[-1]
    assert lease == t0 + worker.LEASE_S < at and len(claimed) == 1
    assert [c for _, _, c in probes[:-1]] == [[]] * (len(probes) - 1)
    assert counts["lost"] == 1 and counts["delivered"] == len(probes) - 1
    db.close()


LATE = {"ok": {}, "http_500": {"status": 500}, "busy_45009": {"errcode": 45009},
        "refused_40058": {"errcode": 40058}, "broken_93000": {"errcode": 93000}}


def taken_over_mid_send(path, users, fake, clock, late: str) -> dict:
    """Worker A holds two two-part deliveries. It sends part 1 of the first; part 2 reaches the robot,
    which answers ``late`` — but A freezes (a pause, a stopped VM) for longer than its lease before it
    reads the answer. Meanwhile worker B claims both expired rows and has its first message on the
    wire when A wakes up, records the late answer and turns to its second row; only then does B go on.

    Returns A's and B's counts, the rows as A left them (B still holding both) and at the end, and
    what A sent."""
    db = connect(path)
    first, second_group = robot_groups(db, users["clerk"].station_id, 2)
    keys = point_at(db, fake, [first, second_group])
    push = sent_notice(db, users["clerk"])
    calls, b = [], {}
    b_on_wire, a_done = threading.Event(), threading.Event()

    def b_waits_for_a(url, payload, **kw):
        b_on_wire.set()
        a_done.wait(60)
        return wecom.send(url, payload, **kw)

    def run_b():
        conn = connect(path)
        try:
            b["counts"] = worker.run_once(conn, clock=clock, sender=b_waits_for_a, concurrency=1)
        finally:
            conn.close()

    b_thread = threading.Thread(target=run_b)

    def a_freezes_on_part_two(url, payload, **kw):
        calls.append(url)
        if len(calls) != 2:
            return wecom.send(url, payload, **kw)
        if LATE[late]:
            fake.fail_next(keys[first], 1, **LATE[late])
        answer = wecom.send(url, payload, **kw)  # the robot answers part 2 …
        clock.advance(worker.LEASE_S + 1)  # … but A freezes past its lease before it reads the answer
        b_thread.start()
        assert b_on_wire.wait(60)  # B took the rows over and has a message on the wire
        return answer

    t0 = clock()
    try:
        a_counts = worker.run_once(db, clock=clock, sender=a_freezes_on_part_two, concurrency=1)
        rows_a_left = robot_rows(db, push["id"])
    finally:
        a_done.set()
        if b_thread.ident is not None:
            b_thread.join(60)
    out = {"a": a_counts, "b": b["counts"], "rows_a_left": rows_a_left, "rows": robot_rows(db, push["id"]),
           "t0": t0, "calls": calls, "keys": keys, "groups": (first, second_group),
           "parts": pushes.webhook_parts(db, push["id"]), "push_state": push_state(db, push["id"]),
           "webhooks": [r[0] for r in db.execute("SELECT webhook_state FROM chat_groups WHERE id IN (?, ?)",
                                                 [first, second_group])],
           "audit": db.execute("SELECT COUNT(*) FROM audit_log WHERE action IN ('robot_failed', 'webhook_broken')"
                               ).fetchone()[0]}
    db.close()
    return out


@pytest.mark.parametrize("late", list(LATE))
def test_a_worker_whose_lease_expired_loses_its_rows_and_its_late_answer_changes_nothing(
        demo_path, users, fake, clock, small_poster, late):
    run = taken_over_mid_send(demo_path, users, fake, clock, late)
    first, second_group = run["groups"]
    keys, parts = run["keys"], run["parts"]
    b_claimed_at = run["t0"] + worker.LEASE_S + 1
    # When A had recorded its late answer and turned to its second row, both rows were still B's, as
    # B's claim left them: A wrote no part, no retry, no fallback to manual, no renewal of its own lease.
    assert [(r["state"], r["lease_until"], r["parts_sent"], r["attempts"], r["error"], r["channel"])
            for r in run["rows_a_left"]] == [("sending", worker.iso(b_claimed_at + worker.LEASE_S), sent, 0, None,
                                              "wecom_webhook") for sent in (1, 0)]
    assert run["calls"] == [fake.url(keys[first])] * 2  # A sent nothing to the second group
    assert run["webhooks"] == ["ok", "ok"] and run["audit"] == 0  # a late 93000 breaks no robot
    # B resumed the first row at its unrecorded part 2 and delivered both, undisturbed.
    assert (run["b"]["claimed"], run["b"]["parts_sent"], run["b"]["delivered"], run["b"].get("lost", 0)) == (2, 3, 2, 0)
    assert [(r["state"], r["parts_sent"], r["attempts"], r["error"], r["sent_at"]) for r in run["rows"]] == [
        ("sent", 2, 0, None, worker.iso(b_claimed_at))] * 2
    assert run["push_state"] == "sent"
    assert fake.messages(keys[second_group]) == parts
    # Part 2 reached the first group twice only when the robot took A's copy too: the one window
    # the module's docstring names (sent but not recorded), not a write of A's over B's.
    assert fake.messages(keys[first]) == (parts + parts[1:] if late == "ok" else parts)


@pytest.mark.parametrize("late", [
    "ok", "refused_40058", "broken_93000", "http_500", "busy_45009",
])
def test_a_lost_row_is_counted_lost_whatever_the_late_answer(demo_path, users, fake, clock, small_poster, late):
    counts = taken_over_mid_send(demo_path, users, fake, clock, late)["a"]
    assert (counts["claimed"], counts["parts_sent"], counts.get("lost", 0)) == (2, 1 + (late == "ok"), 2)
    assert not {"retried", "deferred", "fallback", "delivered"} & set(counts)


# --- schedules and pushes without robots ---------------------------------------------------


def test_a_scheduled_push_starts_at_its_time(demo_db, users, fake, clock, no_poster):
    clerk = users["clerk"]
    [gid] = robot_groups(demo_db, clerk.station_id, 1)
    point_at(demo_db, fake, [gid], key=lambda g: "later")
    when = worker.iso(clock() + 3600)
    push = sent_notice(demo_db, clerk, when=when)
    assert push["state"] == "scheduled"
    assert worker.run_once(demo_db, clock=clock).get("started", 0) == 0
    clock.advance_to(worker.epoch(when) - 1)
    assert worker.run_once(demo_db, clock=clock).get("started", 0) == 0 and fake.requests == 0
    clock.advance(1)
    counts = worker.run_once(demo_db, clock=clock)
    assert counts["started"] == 1 and counts["delivered"] == 1 and counts["finished"] == 1
    assert fake.times("later") == [worker.epoch(when)]
    assert push_state(demo_db, push["id"]) == "sent"


def test_a_push_with_no_robot_group_is_finished(demo_db, users, clock):
    clerk = users["clerk"]
    with write_transaction(demo_db):
        demo_db.execute("UPDATE chat_groups SET webhook_url = NULL")
    push = sent_notice(demo_db, clerk)
    assert worker.run_once(demo_db, clock=clock)["finished"] == 1
    assert push_state(demo_db, push["id"]) == "sent"
    assert delivery.progress(demo_db, clerk, push["id"])["by_channel"].keys() == {"manual"}


# --- the command ---------------------------------------------------------------------------


def _env(demo_path) -> dict:
    return {**os.environ, "PORTAL_DB": str(demo_path), "PYTHONPATH": str(ROOT)}


def test_worker_once_as_a_process(demo_path, users):
    with FakeWeCom() as fake:  # the subprocess runs on the real clock
        db = connect(demo_path)
        ids = robot_groups(db, users["clerk"].station_id, 3)
        keys = point_at(db, fake, ids)
        push = sent_notice(db, users["clerk"])
        kinds = [p["msgtype"] for p in pushes.webhook_parts(db, push["id"])]
        db.close()
        done = subprocess.run([sys.executable, "-m", "lib.pushes.worker", "--once"], cwd=ROOT, env=_env(demo_path),
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "worker started" in done.stdout and "delivered 3" in done.stdout
        assert all([m["msgtype"] for m in fake.messages(k)] == kinds for k in keys.values())
    db = connect(demo_path)
    assert push_state(db, push["id"]) == "sent"
    db.close()


def test_worker_checkpoints_the_write_ahead_log_after_its_pass(demo_path):
    """What the portal commits reaches the database file itself once the worker has passed
    (the portal's own connections leave checkpoints to it); its hourly clean-up, run on the
    first pass, prunes the public form's day-old rate-limit counts (intake never does)."""
    def in_file() -> int:  # the database file alone, without the write-ahead log
        conn = sqlite3.connect(f"file:{demo_path}?immutable=1", uri=True)
        try:
            return conn.execute("SELECT COUNT(*) FROM app_meta WHERE key LIKE 'test-%'").fetchone()[0]
        finally:
            conn.close()

    db = connect(demo_path)  # stays open: the worker closing its connection must not be the last
    with write_transaction(db):
        for n in range(30):
            db.execute("INSERT INTO app_meta (key, value) VALUES (?, 'x')", [f"test-{n}"])
        db.execute("INSERT INTO intake_events (key, at) VALUES ('tip:c:old', '2020-01-01T00:00:00Z'),"
                   " ('tip:c:new', '2999-01-01T00:00:00Z')")
    assert in_file() == 0
    done = subprocess.run([sys.executable, "-m", "lib.pushes.worker", "--once"], cwd=ROOT, env=_env(demo_path),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert in_file() == 30
    assert [r[0] for r in db.execute("SELECT key FROM intake_events")] == ["tip:c:new"]
    db.close()


def test_worker_stops_cleanly_on_sigterm(demo_path):
    proc = subprocess.Popen([sys.executable, "-m", "lib.pushes.worker", "--interval", "0.2"], cwd=ROOT,
                            env=_env(demo_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert "worker started" in proc.stdout.readline()
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0 and "SIGTERM" in out and "worker stopped" in out


def test_a_pass_returns_what_it_did_as_plain_json(demo_db, users, fake, clock, no_poster):
    clerk = users["clerk"]
    point_at(demo_db, fake, robot_groups(demo_db, clerk.station_id, 3))
    sent_notice(demo_db, clerk)
    counts = worker.run_once(demo_db, clock=clock)
    assert type(counts) is dict  # not the Counter it is kept in
    assert json.loads(json.dumps(counts)) == counts == {"started": 0, "claimed": 3, "parts_sent": 3, "delivered": 3,
                                                        "finished": 1}
    assert worker.run_once(demo_db, clock=clock) == {"started": 0}  # nothing left: nothing counted
