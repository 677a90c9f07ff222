"""The audit log: who did what to which row, before and after.

Call :func:`record` inside the write transaction of the change it describes, so the
change and its audit row are committed, or rolled back, together.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import sqlite_utils

from lib.core.clock import utcnow
from lib.core.errors import ScopeError

if TYPE_CHECKING:
    from lib.core.auth import User


def record(
    db: sqlite_utils.Database,
    user: User | None,
    action: str,
    entity: str,
    entity_id,
    *,
    before: dict | None = None,
    after: dict | str | None = None,
    at: str | None = None,
) -> None:
    """Append one audit row. ``user`` is ``None`` for the command line and the public;
    ``at`` defaults to now (a caller that already has the change's time passes it); ``after``
    may come as JSON text already (intake serializes it before taking the write lock)."""
    if not db.conn.in_transaction:
        # An audit row outside the change's transaction could survive a rolled-back change.
        raise RuntimeError("audit.record must run inside the write transaction")
    db.execute(
        "INSERT INTO audit_log (at, user_id, username, action, entity, entity_id, before, after)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            at or utcnow(),
            user.id if user else None,
            user.username if user else None,
            action,
            entity,
            None if entity_id is None else str(entity_id),
            json.dumps(before, ensure_ascii=False, default=str) if before is not None else None,
            after if isinstance(after, str) or after is None else json.dumps(after, ensure_ascii=False, default=str),
        ],
    )


def list_entries(
    db: sqlite_utils.Database, user: User, *, entity: str | None = None,
    entity_id=None, limit: int = 50,
) -> list[dict]:
    """Recent audit rows; district admins see all, station admins their station's users'."""
    if not user.is_admin:
        raise ScopeError()
    where, params = [], []
    if entity:
        where.append("a.entity = ?")
        params.append(entity)
    if entity_id is not None:
        where.append("a.entity_id = ?")
        params.append(str(entity_id))
    if not user.is_district:
        where.append(
            "a.user_id IN (SELECT u.id FROM users u JOIN units un ON un.id = u.unit_id"
            " WHERE COALESCE(un.station_id, un.id) = ?)"
        )
        params.append(user.station_id)
    sql = "SELECT a.* FROM audit_log a"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY a.id DESC LIMIT ?"
    params.append(int(limit))
    return list(db.query(sql, params))
