"""Duty and league figures (issues #15, #16): the league table of stations and the checklist computed on demand at 10x groups with a million tips — a
station admin's (one station, by outpost and officer) and the linkage center's (every station, every
officer counted) — the page drawn, the nightly snapshot and the minute's recheck of open problems.

Database: a copy of the 10x demo district (27,000 groups, 30,000 grids, 8,000 officers) given
1,000,000 tips over the year by :func:`lib.demo.demo_tips.generate_tips`, so that the tip measures read
a million rows' worth of id ranges and the group measures 10x the groups. The checklist is timed
cold (first call in the process) and warm (p95 of 10 calls); nothing is cached between calls.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from bench.common import Env, Figure, p95, repeat, timed
from bench.foundation import render_seconds
from lib.core import auth
from lib.core.clock import utcnow
from lib.core.db import connect
from lib.demo import demo_tips
from lib.duty import checklist, periods, problems, snapshots
from lib.reports import league

TIPS = 1_000_000
SEED = 2026
SAMPLES = 10


def _database(env: Env):
    path = env.tmp / "duty_10x_1M.db"
    with sqlite3.connect(env.db_10x) as src, sqlite3.connect(path) as dst:
        src.backup(dst)
    db = connect(path)
    seconds, _ = timed(demo_tips.generate_tips, db, n=TIPS, seed=SEED, now=utcnow())
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path, db, seconds


def run(env: Env) -> list[Figure]:
    path, db, generate_s = _database(env)
    station, district = auth.load_user(db, "station"), auth.load_user(db, "district")
    tips = db.execute("SELECT COUNT(*) FROM tips").fetchone()[0]
    groups = db.execute("SELECT COUNT(*) FROM chat_groups").fetchone()[0]
    cold_station, found = timed(checklist.checklist, db, station)
    station_samples = repeat(lambda: checklist.checklist(db, station), SAMPLES)
    cold_district, whole = timed(checklist.checklist, db, district)
    district_samples = repeat(lambda: checklist.checklist(db, district), SAMPLES)
    today = periods.beijing_date()
    ranges = {"month": league.date_range("month", today=today),
              "30 days": league.date_range("custom", today=today, start=today - timedelta(days=29), end=today)}
    league_samples = {name: repeat(lambda r=r: league.league(db, district, start=r[0], end=r[1]), SAMPLES)
                      for name, r in ranges.items()}
    later = datetime.now(UTC)
    # The busiest night: a day, a week and a month all ended (the seeding's snapshot is forgotten, so
    # every standard writes its latest ended period and raises its problems again).
    db.execute("DELETE FROM app_meta WHERE key LIKE 'duty_snapshot.%'")
    db.execute("DELETE FROM duty_snapshots")
    snapshot_s, taken = timed(snapshots.take, db, now=later)
    recheck_s, verified = timed(problems.recheck_open, db, now=later)
    open_problems = db.execute("SELECT COUNT(*) FROM duty_problems WHERE is_open = 1").fetchone()[0]
    db.close()
    where = f"{groups:,} groups, {tips:,} tips (generated in {generate_s:.0f} s)"
    return [
        Figure("checklist_station_10x_1M_p95", round(p95(station_samples) * 1000, 1), "ms",
               f"a station admin's checklist ({len(found.items):,} items: the station, its outposts and officers),"
               f" {where}; cold {cold_station * 1000:.0f} ms"),
        Figure("checklist_district_10x_1M_p95", round(p95(district_samples) * 1000, 1), "ms",
               f"the linkage center's ({len(whole.items):,} items over every station, outpost and officer);"
               f" cold {cold_district * 1000:.0f} ms"),
        Figure("league_district_10x_1M_p95", round(max(p95(v) for v in league_samples.values()) * 1000, 1), "ms",
               "数据看板 for the linkage center (17 stations, 24 columns): the slower of this month and the last 30"
               " days, " + ", ".join(f"{k} {p95(v) * 1000:.0f} ms" for k, v in league_samples.items())),
        Figure("checklist_page_render_district_10x_1M", round(render_seconds(path, "district", "checklist"), 3), "s",
               "工作清单 drawn for the linkage center (AppTest run after a warm-up)"),
        Figure("duty_snapshot_10x_1M", round(snapshot_s, 2), "s",
               f"the busiest night's snapshot (every standard's latest ended period): {taken['periods']} periods,"
               f" {taken['items']:,} items, {taken['raised']:,} problems raised, {taken['updated']:,} updated"),
        Figure("duty_recheck_open_10x_1M", round(recheck_s, 2), "s",
               f"the worker's minute: open problems rechecked ({open_problems:,} still open, {verified} verified)"),
    ]
