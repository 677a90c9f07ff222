"""Appeals for information (协查通报 / 寻人启事 / 悬赏通告) as a race: the live appeal board.

An appeal is a push of category ``appeal``. From the moment it is sent it is *active* until someone
closes it with an outcome — found (已找到), solved (已破案), withdrawn (已撤回) — or the worker archives
it :data:`ACTIVE_DAYS` days after sending (expired). While it is active, its unanswered leads lead the
triage queue (lane 0, see :mod:`lib.tips.tip_clocks`).

The program's mark is 20 minutes (:data:`MARK_MINUTES`): every missing-person notice since March found
its first lead within 20 minutes. The board shows each active appeal's distance from it.

Scope: station staff see their station's appeals and the district's (with their station's part of the
leads and deliveries: the triage queue filtered by the push shows exactly those leads); the linkage
center sees everything.
"""

from __future__ import annotations

import json
from datetime import timedelta

import sqlite_utils

from lib.core import audit, scope
from lib.core.auth import User
from lib.core.clock import utcnow
from lib.core.db import query_one, write_transaction
from lib.core.errors import InvalidState, ValidationError
from lib.pushes import delivery, push_message, pushes
from lib.pushes.targeting import Target, reach
from lib.tips import tip_clocks

MARK_MINUTES = 20
ACTIVE_DAYS = 30
OUTCOMES = ("found", "solved", "withdrawn")  # chosen by staff; "expired" is the worker's
NOTE_MAX = 200
ACTIVE_SQL = "p.category = 'appeal' AND p.state IN ('sending', 'sent') AND p.appeal_closed_at IS NULL"

# The follow-up a clerk is offered when closing: a news push, sent without review (it reports an
# outcome and names nobody — the appeal's photos and particulars are not repeated). Like every push
# it carries the tip link: residents may still rate it or send something.
FOLLOW_UP = {
    "found": ("【已找到】{title}", "{date}发布的《{title}》所寻找的人员已经找到，平安回家。衷心感谢广大群众的关注、转发和"
                               "提供线索！请大家不要再转发原通报。"),
    "solved": ("【已破案】{title}", "{date}发布的《{title}》所涉案件已经告破。衷心感谢广大群众的关注和提供线索，"
                                "警方将为提供线索的群众保密。请大家不要再转发原通报。"),
    "withdrawn": ("【撤回】{title}", "{date}发布的《{title}》现已撤回，请大家不要再转发原通报。感谢广大群众的关注和支持！"),
}


def _minutes(later: str, earlier: str) -> int:
    return max(0, round((tip_clocks.parse(later) - tip_clocks.parse(earlier)).total_seconds() / 60))


def _visible(user: User) -> tuple[str, list]:
    """Appeals the user sees: their station's and the district's (all for the district)."""
    if user.is_district:
        return "1 = 1", []
    return "(p.station_id = ? OR p.station_id IS NULL)", [user.station_id]


def board(db: sqlite_utils.Database, user: User, *, now: str | None = None) -> list[dict]:
    """Every active appeal the user sees, newest first, with its race figures: minutes since sent,
    reach, delivery progress, leads (in the user's scope), time to first lead, unanswered leads,
    and the distance from the 20-minute mark (``mark_delta``: minutes under the mark when negative).
    """
    now = now or utcnow()
    where, params = _visible(user)
    lead_scope, lead_params = scope.station_clause(user, "t.station_id")
    rows = list(db.query(
        f"""SELECT p.id, p.title, p.appeal_kind, p.station_id, st.name AS station_name, p.sent_at, p.state,
                   p.groups_targeted, p.members_targeted, p.created_by, p.version,
                   (SELECT COUNT(*) FROM tips t WHERE t.push_id = p.id AND {lead_scope}) AS leads,
                   (SELECT MIN(t.created_at) FROM tips t WHERE t.push_id = p.id AND {lead_scope}) AS first_lead_at,
                   (SELECT COUNT(*) FROM tips t WHERE t.push_id = p.id AND {lead_scope} AND t.is_open = 1
                      AND t.first_response_at IS NULL) AS unanswered
            FROM pushes p LEFT JOIN units st ON st.id = p.station_id
            WHERE {ACTIVE_SQL} AND {where} ORDER BY p.sent_at DESC, p.id DESC""",
        lead_params * 3 + params))
    for r in rows:
        r["minutes_since_sent"] = _minutes(now, r["sent_at"])
        r["first_lead_minutes"] = _minutes(r["first_lead_at"], r["sent_at"]) if r["first_lead_at"] else None
        reference = r["first_lead_minutes"] if r["first_lead_minutes"] is not None else r["minutes_since_sent"]
        r["mark_delta"] = reference - MARK_MINUTES
        counts = delivery.progress(db, user, r["id"])
        r["deliveries_done"], r["deliveries_total"] = counts["done"], counts["total"]
        r["may_close"] = may_close(user, r)
    return rows


def active_appeal_ids(db: sqlite_utils.Database, user: User) -> list[int]:
    """Ids of the active appeals the user sees (their leads are the ones worth an alert)."""
    where, params = _visible(user)
    return [r[0] for r in db.execute(f"SELECT p.id FROM pushes p WHERE {ACTIVE_SQL} AND {where}", params)]


def may_close(user: User, push: dict) -> bool:
    """The issuing side closes an appeal: its station's staff, or the district for a district appeal."""
    if push["station_id"] is None:
        return user.is_district
    return scope.can_see_station(user, push["station_id"])


def _active(db, user: User, push_id: int) -> dict:
    push = pushes.get_push(db, user, push_id)
    if push["category"] != "appeal" or push["state"] not in ("sending", "sent") or push["appeal_closed_at"]:
        raise InvalidState("appeals.error.not_active")
    return push


def close(db: sqlite_utils.Database, user: User, push_id: int, outcome: str, note: str = "") -> dict:
    """Close an active appeal with its outcome (found / solved / withdrawn) and an optional note;
    its unanswered leads leave the queue's first lane. Audited."""
    if outcome not in OUTCOMES:
        raise ValidationError("appeals.error.outcome", field="outcome")
    note = " ".join(str(note or "").split())[:NOTE_MAX]
    with write_transaction(db):
        push = _active(db, user, push_id)
        if not may_close(user, push):
            raise InvalidState("appeals.error.not_yours")
        _close(db, user, push, outcome, note, utcnow())
    return pushes.get_push(db, user, push_id)


def _close(db, user: User | None, push: dict, outcome: str, note: str, at: str) -> None:
    db.execute("UPDATE pushes SET appeal_closed_at = ?, appeal_outcome = ?, updated_at = ?, version = version + 1"
               " WHERE id = ?", [at, outcome, at, push["id"]])
    db.execute("UPDATE tips SET lane = ? WHERE push_id = ? AND lane = ?",
               [tip_clocks.LANE_UNANSWERED, push["id"], tip_clocks.LANE_APPEAL])
    audit.record(db, user, "close_appeal", "pushes", push["id"], after={"outcome": outcome, "note": note or None})


def expire(db: sqlite_utils.Database, now: str | None = None) -> list[int]:
    """Worker: archive appeals still open :data:`ACTIVE_DAYS` after sending (outcome ``expired``)."""
    now = now or utcnow()
    cutoff = tip_clocks.stamp(tip_clocks.parse(now) - timedelta(days=ACTIVE_DAYS))
    done = []
    with write_transaction(db):
        for row in db.query(f"SELECT p.* FROM pushes p WHERE {ACTIVE_SQL} AND p.sent_at < ?", [cutoff]):
            _close(db, None, row, "expired", "", now)
            done.append(row["id"])
    return done


def follow_up(db: sqlite_utils.Database, user: User, push_id: int) -> dict:
    """A draft that tells the same audience how a closed appeal ended ("已找到，感谢群众"): a news push
    with the appeal's targeting, linked to it (``follow_up_of``), for the clerk to check and send."""
    appeal = pushes.get_push(db, user, push_id)
    if appeal["category"] != "appeal" or appeal["appeal_outcome"] not in OUTCOMES:
        raise InvalidState("appeals.error.not_closed")
    if not may_close(user, appeal):
        raise InvalidState("appeals.error.not_yours")
    existing = query_one(db, "SELECT id FROM pushes WHERE follow_up_of = ? AND state = 'draft'", [push_id])
    if existing:
        return pushes.get_push(db, user, existing["id"])
    local = tip_clocks.parse(appeal["sent_at"]) + timedelta(hours=8)
    title_t, body_t = FOLLOW_UP[appeal["appeal_outcome"]]
    values = {"title": appeal["title"], "date": f"{local.month}月{local.day}日"}
    title = title_t.format(**values)[:push_message.TITLE_MAX]
    now = utcnow()
    with write_transaction(db):
        new_id = db.execute(
            "INSERT INTO pushes (station_id, category, title, body, fields, targeting, state, created_by, created_at,"
            " updated_at, follow_up_of) VALUES (?, 'news', ?, ?, '{}', ?, 'draft', ?, ?, ?, ?)",
            [appeal["station_id"], title, body_t.format(**values), json.dumps(appeal["targeting"]), user.id, now, now,
             push_id]).lastrowid
        groups, members = reach(db, user, Target.from_dict(appeal["targeting"]), appeal["station_id"])
        db.execute("UPDATE pushes SET groups_targeted = ?, members_targeted = ? WHERE id = ?", [groups, members, new_id])
        audit.record(db, user, "create", "pushes", new_id, after={"category": "news", "follow_up_of": push_id})
    return pushes.get_push(db, user, new_id)
