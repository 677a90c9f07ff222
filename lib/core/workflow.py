"""What every record with a life cycle shares (tips, mediation cases): the refusals of a move that
the transitions table does not allow or that comes after someone else's edit, and the versioned
update that turns "someone changed it since you read it" into :class:`StaleEdit` instead of a lost
write. The update and its audit row run in the caller's transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlite_utils

from lib.core import audit
from lib.core.clock import utcnow
from lib.core.errors import PortalError

if TYPE_CHECKING:
    from lib.core.auth import User


class InvalidTransition(PortalError):
    """The move is not in the record's transitions table for its state."""


class StaleEdit(PortalError):
    """Someone changed the record since it was read."""


def state_types(db: sqlite_utils.Database, states_table: str) -> dict[str, str]:
    """Each state's type (``open``/``closed``) from a record's state table (``tip_states``,
    ``mediation_case_states``): code asks a state's type, never compares raw state names."""
    return {slug: t for slug, t in db.execute(f"SELECT slug, type FROM {states_table}")}


def check_version(record: dict, version: int, stale_key: str) -> dict:
    """The record, if it is still at the version the user read; else :class:`StaleEdit`."""
    if record["version"] != version:
        raise StaleEdit(stale_key)
    return record


def versioned_update(db: sqlite_utils.Database, user: User | None, table: str, record: dict, changes: dict, *,
                     action: str, stale_key: str, audit_after: dict | None = None) -> dict:
    """Apply ``changes`` to ``record`` (read at ``record["version"]``) in ``table``, bump its version and
    ``updated_at``, and write the audit row (before/after of the changed columns). Raises
    :class:`StaleEdit` when the row has moved on. Returns the record as it is now."""
    changes = {**changes, "updated_at": utcnow(), "version": record["version"] + 1}
    cursor = db.execute(
        f"UPDATE {table} SET {', '.join(f'{k} = ?' for k in changes)} WHERE id = ? AND version = ?",
        [*changes.values(), record["id"], record["version"]])
    if cursor.rowcount != 1:
        raise StaleEdit(stale_key)
    shown = {k: v for k, v in changes.items() if k not in ("updated_at", "version")}
    audit.record(db, user, action, table, record["id"],
                 before={k: record.get(k) for k in shown if k in record}, after={**shown, **(audit_after or {})})
    return {**record, **changes}
