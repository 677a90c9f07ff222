"""The nightly snapshot: each ended period's checklist figures, kept as they were measured, and a
problem opened for each missed item.

The worker calls :func:`take` once an hour; it writes the periods that ended since the last
snapshot of each standard version (none twice: the primary key is standard, period, subject), so a
worker that was down for three days writes the three days when it comes back. On a first run only
the latest ended period is written. A state measure (a group without an owner) is measured at the
moment of writing: a snapshot taken late tells the state at that moment, not at midnight.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlite_utils

from lib.core.clock import stamp
from lib.core.db import write_transaction
from lib.duty import checklist, periods, problems

CATCH_UP = 31  # ended periods written at most per standard and run (a month of days)


def _key(standard_id: int) -> str:
    return f"duty_snapshot.{standard_id}"


def _last(db, standard_id: int) -> str | None:
    """The last period written for a standard version (kept in app_meta: a period with no subject to
    measure writes no row, and must not be recomputed every hour)."""
    row = db.execute("SELECT value FROM app_meta WHERE key = ?", [_key(standard_id)]).fetchone()
    return row[0] if row else None


def take(db: sqlite_utils.Database, *, now: datetime | None = None) -> dict[str, int]:
    """Write the snapshot of every period that has ended and has none yet, and raise the problems of its
    missed items. Returns ``{"periods", "items", "raised", "updated"}``."""
    now = now or datetime.now(UTC)
    out = {"periods": 0, "items": 0, "raised": 0, "updated": 0}
    for standard in db.query("SELECT * FROM duty_standards ORDER BY id"):
        last = _last(db, standard["id"])
        todo = periods.ended_since(standard["period"], last, now, limit=CATCH_UP if last else 1)
        for period in todo:
            applies = standard["effective_from"] <= period.key and (
                standard["effective_to"] is None or period.key < standard["effective_to"])
            items = checklist.items_for(db, standard, period, None, now) if applies else []
            with write_transaction(db):
                db.conn.executemany(
                    "INSERT OR IGNORE INTO duty_snapshots (standard_id, period_start, subject_kind, subject_id,"
                    " station_id, value, numerator, denominator, status, computed_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(standard["id"], period.key, i.subject_kind, i.subject_id, i.station_id, i.figure.value,
                      i.figure.numerator, i.figure.denominator, i.status, stamp(now))
                     for i in items if i.station_id is not None and i.status in ("done", "missed")])
                counts = problems.raise_missed(db, items, now=now)
                db.execute("INSERT INTO app_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET"
                           " value = excluded.value", [_key(standard["id"]), period.key])
            out["periods"] += 1
            out["items"] += len(items)
            out["raised"] += counts["raised"]
            out["updated"] += counts["updated"]
    return out
