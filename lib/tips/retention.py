"""How long what residents send is kept (保存期限), and its erasure when that time is up.

The public form's consent text promises it: what the sender wrote, the place, the photos and the
contact are kept for :func:`retention_years` after the tip is closed, then deleted. The tip row
itself stays (its kind, station, grid, states and times feed the program's statistics), marked
``erased_at``; so do the staff's own notes and public replies in its history, which are police work
records with rules of their own. Reopening a tip clears its closing time: its period starts again
when it is next closed.

The delivery worker runs :func:`erase_expired_tips` once an hour; ``python -m lib.cli erase-expired``
does it by hand. The period comes from ``PORTAL_TIP_RETENTION_YEARS`` (default 3): set it to what the
bureau's records rules say before the portal goes live, as the form shows it to every sender.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import sqlite_utils

from lib.core import audit, clock, files
from lib.core.clock import utcnow
from lib.core.db import write_transaction
from lib.core.errors import PortalError

DEFAULT_YEARS = 3
MAX_YEARS = 30
BATCH = 500  # tips per transaction: the write lock is never held for long, whatever the backlog


def retention_years() -> int:
    """Years a closed tip's content is kept: ``PORTAL_TIP_RETENTION_YEARS``, else 3.
    A value that is not a whole number from 1 to 30 is a set-up mistake and stops with a clear message."""
    raw = os.environ.get("PORTAL_TIP_RETENTION_YEARS", "").strip()
    if not raw:
        return DEFAULT_YEARS
    if not raw.isdecimal() or not 1 <= int(raw) <= MAX_YEARS:
        raise PortalError("error.retention_years", value=raw, max=MAX_YEARS)
    return int(raw)


def cutoff(now: str, years: int) -> str:
    """The closing time before which a tip's content is due for erasure: ``now`` minus whole
    calendar years (29 February falls back to the 28th)."""
    moment = datetime.fromisoformat(now).astimezone(UTC)
    try:
        earlier = moment.replace(year=moment.year - years)
    except ValueError:
        earlier = moment.replace(year=moment.year - years, day=28)
    return clock.stamp(earlier)


def erase_expired_tips(db: sqlite_utils.Database, *, now: str | None = None, years: int | None = None,
                       batch: int = BATCH) -> dict:
    """Erase what senders gave of every tip closed more than ``years`` ago and not erased yet:
    description (emptied), place (text, coordinates, time of the event), name and phone, photos
    (a stored image is deleted once no tip or push uses it). One audit row per tip, in the same
    transaction. Returns ``{"tips": n, "files": m}`` (tips erased, stored images deleted).

    Runs as the system (no acting user): it is the portal keeping the promise of its consent text.
    """
    now = now or utcnow()
    years = retention_years() if years is None else years
    before = cutoff(now, years)
    erased = deleted = 0
    while True:
        with write_transaction(db):
            # Chosen under the write lock: a tip reopened a moment ago is not erased.
            ids = [r[0] for r in db.execute(
                "SELECT id FROM tips WHERE closed_at IS NOT NULL AND erased_at IS NULL AND closed_at < ?"
                " ORDER BY closed_at LIMIT ?", [before, batch])]
            if not ids:
                return {"tips": erased, "files": deleted}
            marks = ", ".join("?" * len(ids))
            file_ids = [r[0] for r in db.execute(
                f"SELECT DISTINCT file_id FROM tip_photos WHERE tip_id IN ({marks})", ids)]
            db.execute(
                "UPDATE tips SET description = '', location_text = NULL, lat = NULL, lon = NULL, happened_at = NULL,"
                f" contact_name = NULL, contact_phone = NULL, erased_at = ? WHERE id IN ({marks})", [now, *ids])
            db.execute(f"DELETE FROM tip_photos WHERE tip_id IN ({marks})", ids)
            removed = files.delete_unused(db, file_ids)
            for tip_id in ids:
                audit.record(db, None, "erase", "tips", tip_id, after={"reason": "retention", "years": years}, at=now)
        files.remove_stored(removed)  # after the commit: a rolled-back erasure must still find its files
        erased += len(ids)
        deleted += len(removed)
