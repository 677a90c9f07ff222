"""How residents answer a push: tips that came in through its QR code or link.

The program's headline results are measured here: time to first lead (the missing-person
notices that brought a lead within 20 minutes), leads per hour, leads by grid, and the
star ratings residents give a push's content (per category, to improve the content).
"""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from lib.core import clock, scope
from lib.core.auth import User
from lib.pushes import pushes


def _ts(iso: str) -> datetime:
    return clock.parse(iso)


def response(db: sqlite_utils.Database, user: User, push_id: int) -> dict:
    """Figures of one push: leads, time to first lead (minutes), leads per hour since sending,
    leads per grid, and the mean rating — of the tips in the user's scope (``partial`` is True
    when a station user sees their share of a district push)."""
    push = pushes.get_push(db, user, push_id)
    clause, params = scope.station_clause(user, "t.station_id")
    rows = db.execute("SELECT t.created_at, t.grid_id, g.name, t.rating FROM tips t LEFT JOIN grids g ON g.id = t.grid_id"
                      f" WHERE t.push_id = ? AND {clause} ORDER BY t.created_at", [push_id, *params]).fetchall()
    # A station sees its part of a district push (the tips its triage queue holds), so that these
    # figures and the triage queue filtered by the push always agree.
    out = {"leads": len(rows), "first_lead_minutes": None, "per_hour": [], "by_grid": [], "rating": None,
           "ratings": 0, "partial": push["station_id"] is None and not user.is_district}
    if not rows or not push["sent_at"]:
        return out
    sent = _ts(push["sent_at"])
    first = _ts(rows[0][0])
    out["first_lead_minutes"] = max(0, round((first - sent).total_seconds() / 60))
    hours: dict[int, int] = {}
    grids: dict[str, int] = {}
    ratings = [r[3] for r in rows if r[3]]
    for created, _grid_id, grid_name, _ in rows:
        hour = max(0, int((_ts(created) - sent).total_seconds() // 3600))
        hours[hour] = hours.get(hour, 0) + 1
        grids[grid_name or "—"] = grids.get(grid_name or "—", 0) + 1
    out["per_hour"] = [{"hour": h, "leads": hours.get(h, 0)} for h in range(0, max(hours) + 1)]
    out["by_grid"] = sorted(({"grid": k, "leads": v} for k, v in grids.items()), key=lambda r: -r["leads"])
    if ratings:
        out["rating"] = round(sum(ratings) / len(ratings), 2)
        out["ratings"] = len(ratings)
    return out


def appeal_ranking(db: sqlite_utils.Database, user: User, limit: int = 50) -> list[dict]:
    """Sent appeals of the user's scope ranked by time to first lead (fastest first), counting the
    leads the user's scope holds; appeals with no lead yet come last."""
    clause, params = scope.station_clause(user, "p.station_id")
    leads, lead_params = scope.station_clause(user, "t.station_id")
    rows = list(db.query(
        f"""SELECT p.id, p.title, p.appeal_kind, p.sent_at, p.station_id, st.name AS station_name,
                   (SELECT MIN(t.created_at) FROM tips t WHERE t.push_id = p.id AND {leads}) AS first_lead_at,
                   (SELECT COUNT(*) FROM tips t WHERE t.push_id = p.id AND {leads}) AS leads
            FROM pushes p LEFT JOIN units st ON st.id = p.station_id
            WHERE p.category = 'appeal' AND p.state IN ('sending', 'sent') AND ({clause} OR p.station_id IS NULL)
            ORDER BY p.id DESC LIMIT 500""", lead_params * 2 + params))
    for r in rows:
        r["first_lead_minutes"] = (max(0, round((_ts(r["first_lead_at"]) - _ts(r["sent_at"])).total_seconds() / 60))
                                   if r["first_lead_at"] and r["sent_at"] else None)
    rows.sort(key=lambda r: (r["first_lead_minutes"] is None, r["first_lead_minutes"] or 0, -r["id"]))
    return rows[:limit]


def ratings_by_category(db: sqlite_utils.Database, user: User) -> list[dict]:
    """Mean rating and number of ratings per push category, of the tips in the user's scope."""
    clause, params = scope.station_clause(user, "t.station_id")
    return list(db.query(
        f"""SELECT p.category, ROUND(AVG(t.rating), 2) AS rating, COUNT(t.rating) AS ratings
            FROM tips t JOIN pushes p ON p.id = t.push_id WHERE t.rating IS NOT NULL AND {clause}
            GROUP BY p.category ORDER BY rating DESC""", params))
