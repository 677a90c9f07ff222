"""Notices (提醒): what happened to a user's work while they were elsewhere — a push approved, sent or
returned by its reviewer, a push waiting for their review, something a sender added to a tip they
hold. A notice is a row for one user; the portal shows the unseen ones as a toast at the user's next
click and lists the recent ones on the workbench.

Notices are written inside the transaction of the change they tell (by the domain function that
makes the change), so a change and its notice commit together or not at all. Their text is built
when shown, from ``kind`` and ``data``, in the reader's language.
"""

from __future__ import annotations

import json

import sqlite_utils

from lib.core.auth import User
from lib.core.clock import utcnow
from lib.core.db import write_transaction

KINDS = ("push_submitted", "push_approved", "push_sent", "push_rejected", "tip_addition", "appeal_closed",
         "problem_raised", "problem_escalated", "problem_explained", "problem_closed")
RECENT = 20


def notify(db: sqlite_utils.Database, user_ids, kind: str, entity: str, entity_id: int | None,
           data: dict | None = None, *, at: str | None = None) -> int:
    """Leave a notice for each of ``user_ids`` (duplicates and None skipped); call inside the
    write transaction of the change it tells. Returns how many were written."""
    if kind not in KINDS:
        raise ValueError(f"unknown notice kind {kind!r}")
    at = at or utcnow()
    payload = json.dumps(data or {}, ensure_ascii=False)
    ids = sorted({int(u) for u in user_ids if u is not None})
    db.conn.executemany("INSERT INTO notices (user_id, at, kind, entity, entity_id, data) VALUES (?, ?, ?, ?, ?, ?)",
                        [(uid, at, kind, entity, entity_id, payload) for uid in ids])
    return len(ids)


def _decode(row: dict) -> dict:
    row["data"] = json.loads(row["data"] or "{}")
    return row


def unseen(db: sqlite_utils.Database, user: User, limit: int = 10) -> list[dict]:
    """The user's notices not yet shown, oldest first."""
    return [_decode(r) for r in db.query(
        "SELECT id, at, kind, entity, entity_id, data FROM notices WHERE user_id = ? AND seen_at IS NULL"
        " ORDER BY id LIMIT ?", [user.id, int(limit)])]


def take_unseen(db: sqlite_utils.Database, user: User, limit: int = 10) -> list[dict]:
    """The user's unseen notices, marked seen in the same transaction (a toast shows each once)."""
    if user is None:
        return []
    # Cheap when there is nothing (the common case on every click): a read on a partial index.
    if not db.execute("SELECT 1 FROM notices WHERE user_id = ? AND seen_at IS NULL LIMIT 1", [user.id]).fetchone():
        return []
    with write_transaction(db):
        rows = unseen(db, user, limit)
        if rows:
            db.conn.executemany("UPDATE notices SET seen_at = ? WHERE id = ? AND user_id = ?",
                                [(utcnow(), r["id"], user.id) for r in rows])
    return rows


def recent(db: sqlite_utils.Database, user: User, limit: int = RECENT) -> list[dict]:
    """The user's latest notices, newest first, seen or not."""
    return [_decode(r) for r in db.query(
        "SELECT id, at, kind, entity, entity_id, data, seen_at FROM notices WHERE user_id = ?"
        " ORDER BY id DESC LIMIT ?", [user.id, int(limit)])]
