"""Delivery figures: the linkage center's appeal (with its photo) to 2,700 WeCom robot groups
through the worker, and the 2,700-row manual checklist.

No 10x database is needed: on a copy of the demo district (1x) every active group gets its own
robot on the fake server (tests/fake_wecom.py), topped up to 2,700 groups. The fake models the
bureau's link to WeCom (:data:`NETWORK`): 30 ms a round trip, three more for a new TLS connection,
one 100 Mbps uplink shared by every message, first come first served — and each robot's 20 messages
a minute. Each group gets the real messages: the markdown text and the poster as sent. The worker
runs with a clock that follows real time (the network's waits are real) but jumps over the waits
of the rate limit and back-off; the fake counts every frequency-limit answer (45009) it gave. A
second, small run sends one push to 50 groups that share one robot, where the rate limit is what
takes the time. The fake runs in the bench's own process: its work is in the real seconds too.
"""

from __future__ import annotations

import json
import math
import sqlite3
import time

from bench.common import Env, Figure, p95, repeat
from lib.core import auth, files
from lib.core.db import connect, write_transaction
from lib.pushes import delivery, pushes, worker
from lib.pushes.targeting import Target
from tests.factories import DISTRICT_APPEAL, reviewer
from tests.fake_wecom import FakeWeCom, Network, SimClock, simulate

GROUPS = 2700
NETWORK = {"rtt_s": 0.030, "setup_rtts": 3, "uplink_bps": 100e6}


def _copy(src, dst):
    with sqlite3.connect(src) as s, sqlite3.connect(dst) as d:
        s.backup(d)
    return dst


def _robot_groups(db, fake: FakeWeCom, n: int) -> int:
    """Give every active group a robot of its own on the fake server, adding groups up to ``n``."""
    with write_transaction(db):
        active = db.execute("SELECT COUNT(*) FROM chat_groups WHERE status = 'active'").fetchone()[0]
        grids = db.execute("SELECT id, station_id FROM grids ORDER BY id LIMIT ?", [max(0, n - active)]).fetchall()
        db.conn.executemany(
            "INSERT INTO chat_groups (name, grid_id, station_id, platform, member_count, created_at)"
            " VALUES (?, ?, ?, 'wecom', 120, '2026-01-01T00:00:00Z')",
            [(f"压测机器人群{i:04d}", gid, sid) for i, (gid, sid) in enumerate(grids)])
        ids = [r[0] for r in db.execute("SELECT id FROM chat_groups WHERE status = 'active'")]
        db.conn.executemany("UPDATE chat_groups SET platform = 'wecom', webhook_state = 'ok', webhook_url = ?"
                            " WHERE id = ?", [(fake.url(f"robot-{gid}"), gid) for gid in ids])
    return len(ids)


def _district_appeal(db, user) -> dict:
    """The linkage center's missing-person appeal to every group, with the demo's first appeal photo,
    through the four eyes (submitted, then approved and sent by a second district admin)."""
    photo_id = db.execute("SELECT json_extract(photo_file_ids, '$[0]') FROM pushes WHERE category = 'appeal'"
                          " AND photo_file_ids != '[]' ORDER BY id LIMIT 1").fetchone()[0]
    push = pushes.new_draft(db, user, "appeal", "missing_person", district_wide=True)
    push = pushes.save_draft(db, user, push["id"], push["version"], title=DISTRICT_APPEAL["title"],
                             fields=DISTRICT_APPEAL["fields"], target=Target())
    push = pushes.add_photo(db, user, push["id"], files.read_file(db, files.SYSTEM, photo_id)[0])
    push = pushes.submit(db, user, push["id"], push["version"])
    return pushes.approve_and_send(db, reviewer(db, push), push["id"], push["version"])


def _district_push(db, user, title: str) -> dict:
    push = pushes.new_draft(db, user, "news", district_wide=True)
    push = pushes.save_draft(db, user, push["id"], push["version"], title=title,
                             body="全区各网格群同步播报：冬季防火，人人有责。", target=Target())
    return pushes.send(db, user, push["id"], push["version"])


def _burst(db, user, fake: FakeWeCom, clock: SimClock) -> tuple[float, int]:
    """Simulated seconds for a push to 50 groups that share one robot (the limiter's case)."""
    ids = [r[0] for r in db.execute("SELECT id FROM chat_groups WHERE status = 'active' ORDER BY id LIMIT 50")]
    with write_transaction(db):
        db.conn.executemany("UPDATE chat_groups SET webhook_url = ? WHERE id = ?",
                            [(fake.url("shared-robot"), gid) for gid in ids])
    push = pushes.new_draft(db, user, "news", district_wide=True)
    push = pushes.save_draft(db, user, push["id"], push["version"], title="共用机器人群播报", body="同一机器人的50个群。",
                             target=Target(group_ids=ids, use_filter=False))
    pushes.send(db, user, push["id"], push["version"])
    clock.advance_to(math.ceil(time.time()) + 1)
    start = clock()
    simulate(db, clock)
    return clock() - start, len(fake.times("shared-robot"))


def run(env: Env) -> list[Figure]:
    db = connect(_copy(env.db_1x, env.tmp / "delivery.db"))
    with write_transaction(db):  # the demo's scheduled push would stretch the simulated clock to its hour
        db.execute("UPDATE pushes SET state = 'withdrawn', state_reason = 'bench' WHERE state = 'scheduled'")
    district = auth.load_user(db, "district")
    # Simulated time must start after the real time the deliveries are stamped due at.
    clock = SimClock(math.ceil(time.time()) + 1, real=True)
    network = Network(**NETWORK)
    with FakeWeCom(clock, keep_payloads=False, network=network) as fake:
        groups = _robot_groups(db, fake, GROUPS)
        push = _district_appeal(db, district)
        poster = pushes.webhook_parts(db, push["id"])[-1]
        robots = db.execute("SELECT COUNT(*) FROM deliveries WHERE push_id = ? AND channel = 'wecom_webhook'",
                            [push["id"]]).fetchone()[0]
        clock.advance_to(math.ceil(time.time()) + 1)
        start, started = clock(), time.perf_counter()
        counts = simulate(db, clock)
        real_s, sim_s = time.perf_counter() - started, clock() - start
        sent = db.execute("SELECT COUNT(*) FROM deliveries WHERE push_id = ? AND channel = 'wecom_webhook'"
                          " AND state = 'sent'", [push["id"]]).fetchone()[0]
        state = db.execute("SELECT state FROM pushes WHERE id = ?", [push["id"]]).fetchone()[0]
        messages, sent_bytes, connections = len(fake.accepted), network.bytes_up, network.connections
        burst_s, burst_messages = _burst(db, district, fake, clock)
        breaches = fake.rate_limited + max(0, fake.max_in_window() - fake.limit)
    complete = sent == robots == groups and state == "sent"
    poster_sent = len(json.dumps(poster).encode())
    note = (f"a district appeal with a photo: {robots:,} robot groups, {messages:,} messages,"
            f" {sent_bytes / 1e6:,.0f} MB up, {connections} connections, concurrency {worker.CONCURRENCY},"
            f" {counts['rounds']} passes; {'all sent' if complete else f'INCOMPLETE: {sent:,} sent, push {state}'}")
    figures = [
        Figure("delivery_district_appeal_2700_groups", round(sim_s if complete else math.inf, 2), "s", note),
        Figure("delivery_bytes_per_push", round(sent_bytes / 1e6, 1), "MB",
               f"the appeal's messages to {robots:,} groups as they went up the link (JSON, base64 poster)"),
        Figure("robot_poster_appeal_sent", round(poster_sent / 1000, 1), "kB",
               "the appeal's poster as one robot message: a JPEG, base64 in JSON"),
        Figure("delivery_2700_robot_groups_real", round(real_s, 2), "s", "wall time of the same run"),
        Figure("delivery_rate_limit_breaches", breaches, "",
               "45009 answers of the fake server, or a minute over 20 for a key, in both runs"),
        Figure("delivery_burst_one_robot_simulated", round(burst_s, 1), "s",
               f"{burst_messages} messages to 50 groups behind one robot key, at 20 a minute"),
    ]

    # The manual checklist of a district-wide push when no group has a robot.
    with write_transaction(db):
        db.execute("UPDATE chat_groups SET webhook_url = NULL")
    manual = _district_push(db, district, "全区冬季防火播报（人工）")
    rows = delivery.checklist(db, district, manual["id"], limit=GROUPS + 100)
    samples = repeat(lambda: delivery.checklist(db, district, manual["id"], limit=GROUPS + 100), 5)
    figures.append(Figure("delivery_manual_checklist_2700_p95", round(p95(samples), 3), "s",
                          f"{len(rows):,} rows, district admin"))
    db.close()
    return figures
