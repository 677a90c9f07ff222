"""Units: the district linkage center, its 17 stations and their outposts."""

from __future__ import annotations

import sqlite_utils

from lib.core import scope
from lib.core.auth import User
from lib.core.db import query_one
from lib.core.errors import NotFoundError


def list_stations(db: sqlite_utils.Database, user: User) -> list[dict]:
    """The stations the user may see, in code order."""
    clause, params = scope.station_clause(user, "id")
    return list(db.query(
        f"SELECT id, code, name, name_en, lat, lon FROM units WHERE kind = 'station' AND {clause} ORDER BY code",
        params,
    ))


def list_outposts(db: sqlite_utils.Database, user: User, station_id: int | None = None) -> list[dict]:
    """Outposts of the user's stations (or of one of them)."""
    station_id = scope.filter_station(user, station_id)
    where, params = ("station_id = ?", [station_id]) if station_id else ("1 = 1", [])
    return list(db.query(
        f"SELECT id, code, name, station_id, lat, lon FROM units WHERE kind = 'outpost' AND {where} ORDER BY code",
        params,
    ))


def get_unit(db: sqlite_utils.Database, user: User, unit_id: int) -> dict:
    """One unit; the district center is visible to all staff, stations only in scope."""
    row = query_one(db, "SELECT * FROM units WHERE id = ?", [unit_id])
    if not row:
        raise NotFoundError()
    if row["kind"] != "district_center":
        scope.require_station(user, row["station_id"])
    return row


def create_district_center(db: sqlite_utils.Database, code: str, name: str) -> int:
    """Create the district center of a real (non-demo) deployment; command line only.

    There is one district center: a second one is refused.
    """
    from lib.core import audit
    from lib.core.clock import utcnow
    from lib.core.db import write_transaction
    from lib.core.errors import ValidationError

    code, name = (code or "").strip(), (name or "").strip()
    if not code or not name:
        raise ValidationError("error.unit_invalid", field="unit")
    with write_transaction(db):
        if db.execute("SELECT 1 FROM units WHERE kind = 'district_center'").fetchone():
            raise ValidationError("error.unit_invalid", field="unit")
        unit_id = db["units"].insert({
            "code": code, "kind": "district_center", "name": name, "created_at": utcnow(),
        }).last_pk
        audit.record(db, None, "create", "units", unit_id, after={"code": code, "name": name})
    return unit_id
