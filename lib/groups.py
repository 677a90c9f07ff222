"""Chat groups (网格微信群): the registry of the program's groups."""

from __future__ import annotations

import sqlite_utils

from lib import audit, scope
from lib.auth import User
from lib.db import query_one, write_transaction
from lib.errors import NotFoundError, ValidationError

EDITABLE = ("name", "admin_name", "admin_phone", "member_count", "status", "owner_user_id")


def get_group(db: sqlite_utils.Database, user: User, group_id: int) -> dict:
    """One group in the user's scope (another station's group reads as not found)."""
    row = query_one(db, "SELECT * FROM chat_groups WHERE id = ?", [group_id])
    if not row:
        raise NotFoundError()
    scope.require_station(user, row["station_id"])
    return row


def list_groups(
    db: sqlite_utils.Database, user: User, *, station_id: int | None = None,
    grid_id: int | None = None, limit: int = 50, offset: int = 0,
) -> list[dict]:
    """A page of groups in the user's scope."""
    station_id = scope.filter_station(user, station_id)
    where, params = [], []
    if station_id:
        where.append("station_id = ?")
        params.append(station_id)
    if grid_id:
        where.append("grid_id = ?")
        params.append(grid_id)
    sql = "SELECT * FROM chat_groups"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY id LIMIT ? OFFSET ?"
    return list(db.query(sql, params + [int(limit), int(offset)]))


def update_group(db: sqlite_utils.Database, user: User, group_id: int, changes: dict) -> dict:
    """Change a group's editable fields; audited with before and after.

    The owner must be an officer of the group's station.
    """
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError("error.generic", detail=", ".join(sorted(unknown)))
    if "member_count" in changes:
        count = changes["member_count"]
        if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= 100_000:
            raise ValidationError("error.generic", field="member_count", detail="member_count")
    if "name" in changes and not (changes["name"] or "").strip():
        raise ValidationError("error.generic", field="name", detail="name")
    with write_transaction(db):
        before = get_group(db, user, group_id)
        if "owner_user_id" in changes and changes["owner_user_id"] is not None:
            owner = query_one(
                db,
                "SELECT COALESCE(un.station_id, un.id) AS station_id FROM users u"
                " JOIN units un ON un.id = u.unit_id WHERE u.id = ?",
                [changes["owner_user_id"]],
            )
            if not owner or owner["station_id"] != before["station_id"]:
                raise ValidationError("error.generic", field="owner_user_id", detail="owner")
        db["chat_groups"].update(group_id, changes)
        after = {**before, **changes}
        audit.record(
            db, user, "update", "chat_groups", group_id,
            before={k: before[k] for k in changes}, after=changes,
        )
    return after
