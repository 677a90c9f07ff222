"""Delivery of a push to its groups: one record per (push, group), apart from the push's own
workflow state (FixMyStreet keeps send state apart from problem state for the same reason).

Channels: ``wecom_webhook`` for groups with a working WeCom robot — the worker
(lib/pushes/worker.py) sends those — and ``manual`` for the rest: the group's owner posts the
copy-ready text and the poster, and ticks it off in the dispatch checklist.
"""

from __future__ import annotations

import sqlite_utils

from lib.core import audit, scope
from lib.core.auth import User
from lib.core.clock import utcnow
from lib.core.db import query_one, write_transaction
from lib.core.errors import InvalidState, NotFoundError
from lib.pushes.targeting import Target, resolve

DELIVERY_STATES = ("queued", "sending", "sent", "failed", "confirmed")


def create_deliveries(db: sqlite_utils.Database, user: User | None, push: dict, now: str | None = None) -> dict:
    """Create the delivery records of a push that starts sending (inside its transaction).

    The audience is resolved now, not when the push was written: a group archived since
    is skipped, one added since is reached. Returns counts per channel.
    """
    author = user
    if author is None:
        from lib.core.auth import get_user_by_id

        author = get_user_by_id(db, push["created_by"])
    groups = resolve(db, author, Target.from_dict(push["targeting"]), push["station_id"])
    now = now or utcnow()
    rows = []
    for g in groups:
        robot = g["webhook_url"] and g["webhook_state"] == "ok"
        rows.append((push["id"], g["id"], g["station_id"], "wecom_webhook" if robot else "manual", now))
    db.conn.executemany(
        "INSERT OR IGNORE INTO deliveries (push_id, group_id, station_id, channel, state, next_attempt_at)"
        " VALUES (?, ?, ?, ?, 'queued', ?)", rows)
    counts = {"wecom_webhook": sum(1 for r in rows if r[3] == "wecom_webhook"),
              "manual": sum(1 for r in rows if r[3] == "manual")}
    db.execute("UPDATE pushes SET groups_targeted = ?, members_targeted = ? WHERE id = ?",
               [len(groups), sum(g["member_count"] for g in groups), push["id"]])
    audit.record(db, user, "create_deliveries", "pushes", push["id"], after=counts)
    return counts


def progress(db: sqlite_utils.Database, user: User, push_id: int) -> dict:
    """Delivery counts of a push by channel and state, within the user's scope."""
    clause, params = scope.station_clause(user, "station_id")
    out = {"total": 0, "done": 0, "failed": 0, "by_channel": {}}
    for channel, state, n in db.execute(
            f"SELECT channel, state, COUNT(*) FROM deliveries WHERE push_id = ? AND {clause}"
            " GROUP BY channel, state", [push_id, *params]):
        out["by_channel"].setdefault(channel, {})[state] = n
        out["total"] += n
        if state in ("sent", "confirmed"):
            out["done"] += n
        if state == "failed":
            out["failed"] += n
    return out


def checklist(db: sqlite_utils.Database, user: User, push_id: int, *, only_open: bool = False,
              owner_user_id: int | None = None, limit: int = 5000) -> list[dict]:
    """The manual dispatch checklist of a push: one row per group in the user's scope, by owner."""
    clause, params = scope.station_clause(user, "d.station_id")
    where = ["d.push_id = ?", clause, "d.channel = 'manual'"]
    args = [push_id, *params]
    if only_open:
        where.append("d.state = 'queued'")
    if owner_user_id is not None:
        where.append("c.owner_user_id = ?")
        args.append(owner_user_id)
    return list(db.query(
        f"""SELECT d.id, d.state, d.confirmed_at, c.id AS group_id, c.name AS group_name, c.member_count,
                   c.platform, ow.name AS owner_name, ow.id AS owner_user_id, cb.name AS confirmed_by_name
            FROM deliveries d JOIN chat_groups c ON c.id = d.group_id
            LEFT JOIN users ow ON ow.id = c.owner_user_id LEFT JOIN users cb ON cb.id = d.confirmed_by
            WHERE {' AND '.join(where)} ORDER BY ow.name, c.name LIMIT ?""", args + [int(limit)]))


def mark_posted(db: sqlite_utils.Database, user: User, delivery_ids: list[int]) -> int:
    """Record that the user posted the push in these groups by hand (manual channel)."""
    done = 0
    with write_transaction(db):
        for delivery_id in delivery_ids:
            row = query_one(db, "SELECT id, station_id, channel, state FROM deliveries WHERE id = ?", [delivery_id])
            if not row:
                raise NotFoundError()
            scope.require_station(user, row["station_id"])
            if row["channel"] != "manual":
                raise InvalidState("delivery.error.not_manual")
            if row["state"] == "confirmed":
                continue
            now = utcnow()
            db.execute("UPDATE deliveries SET state = 'confirmed', confirmed_at = ?, confirmed_by = ?, sent_at = ?"
                       " WHERE id = ?", [now, user.id, now, delivery_id])
            audit.record(db, user, "posted", "deliveries", delivery_id, before={"state": row["state"]},
                         after={"state": "confirmed"})
            done += 1
    return done


# --- posting by hand at the speed of a station ---------------------------------------------


def checklist_by_owner(db: sqlite_utils.Database, user: User, push_id: int) -> list[dict]:
    """The manual checklist of a push grouped by the officer who owns each group, the user's own
    groups first, then by outpost and name: ``{owner_user_id, owner_name, unit_name, is_me, done,
    total, groups: [...]}``. Each officer posts in their own groups; a colleague may cover."""
    owners: dict = {}
    for row in checklist(db, user, push_id):
        owner = owners.setdefault(row["owner_user_id"], {
            "owner_user_id": row["owner_user_id"], "owner_name": row["owner_name"] or "",
            "is_me": row["owner_user_id"] == user.id, "done": 0, "total": 0, "groups": []})
        owner["groups"].append(row)
        owner["total"] += 1
        owner["done"] += row["state"] == "confirmed"
    units = {r[0]: r[1] for r in db.execute(
        "SELECT u.id, un.name FROM users u JOIN units un ON un.id = u.unit_id WHERE u.id IN"
        f" ({', '.join('?' * len(owners))})", [o for o in owners if o is not None])} if owners else {}
    for owner in owners.values():
        owner["unit_name"] = units.get(owner["owner_user_id"], "")
    return sorted(owners.values(), key=lambda o: (not o["is_me"], o["owner_user_id"] is None, o["unit_name"],
                                                   o["owner_name"]))


def open_manual_ids(db: sqlite_utils.Database, user: User, push_id: int, *, owner_user_id: int | None = None,
                    mine: bool = False) -> list[int]:
    """Ids of the push's manual deliveries not yet posted, in the user's scope: all of them, one
    officer's (``owner_user_id``), or the user's own groups (``mine``)."""
    owner = user.id if mine else owner_user_id
    return [r["id"] for r in checklist(db, user, push_id, only_open=True, owner_user_id=owner)]


def posting_progress(db: sqlite_utils.Database, user: User, push_id: int) -> list[dict]:
    """Manual posting per station in the user's scope: ``{station_id, station_name, done, total}``."""
    clause, params = scope.station_clause(user, "d.station_id")
    return list(db.query(
        f"""SELECT d.station_id, u.name AS station_name, SUM(d.state = 'confirmed') AS done, COUNT(*) AS total
            FROM deliveries d JOIN units u ON u.id = d.station_id
            WHERE d.push_id = ? AND d.channel = 'manual' AND {clause}
            GROUP BY d.station_id ORDER BY u.code""", [push_id, *params]))
