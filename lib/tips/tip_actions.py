"""Handling a tip in few clicks: the composite actions of the triage page, the call-back log, and
what a sender adds on the tracker.

Each composite action is one transaction over the single steps of :mod:`lib.tips.tips` (each step keeps
its own audit row and history line), so a routine tip — open it, pick a template, "答复并办结" — is
handled in four clicks, and either everything happens or nothing does.
"""

from __future__ import annotations

import sqlite_utils

from lib.core import audit, notices
from lib.core.auth import User
from lib.core.clock import utcnow
from lib.core.db import query_one, write_transaction
from lib.core.errors import InvalidState, ValidationError
from lib.tips import tips

CALLBACK_MAX = 300
ADDITION_MAX = 1000
ADDITION_MIN = 2


def reply_and_resolve(db: sqlite_utils.Database, user: User, tip_id: int, version: int, text: str) -> dict:
    """答复并办结: a public reply the sender reads on the tracker, and the tip resolved."""
    with write_transaction(db):
        _require_version(db, user, tip_id, version)
        tips.add_note(db, user, tip_id, text, public=True)
        # The reply moved the version on (first response): the clerk's version was checked above.
        return tips.move(db, user, tip_id, tips.get_tip(db, user, tip_id)["version"], "resolve")


def assign_and_reply(db: sqlite_utils.Database, user: User, tip_id: int, version: int, assignee_user_id: int,
                     text: str) -> dict:
    """指派并答复: the tip goes to an officer of its station and the sender is told it is in hand."""
    with write_transaction(db):
        tip = tips.move(db, user, tip_id, version, "assign", assignee_user_id=assignee_user_id)
        tips.add_note(db, user, tip_id, text, public=True)
        return tips.get_tip(db, user, tip["id"])


def log_callback(db: sqlite_utils.Database, user: User, tip_id: int, text: str) -> dict:
    """记录回电: the officer called the sender back; what was said, for staff. Like a public reply,
    it stops the first-response clock (the sender heard from the police)."""
    text = tips.clean_text(text, CALLBACK_MAX)
    if not text:
        raise ValidationError("tips.error.callback_missing", field="text")
    if len(text) > CALLBACK_MAX:
        raise ValidationError("tips.error.callback_long", field="text", max=CALLBACK_MAX)
    with write_transaction(db):
        tip = tips.get_tip(db, user, tip_id)
        at = utcnow()
        tips.record_event(db, tip_id, user, "callback", text=text)
        tips.mark_answered(db, tip, at)
        audit.record(db, user, "callback", "tips", tip_id, at=at)
        return tips.get_tip(db, user, tip_id)


def add_from_sender(db: sqlite_utils.Database, code: str, text: str) -> dict:
    """What the sender adds with their tracking code (the tracker's "补充情况"): a history line the
    clerk sees, shown back to the sender; the officer holding the tip (else the station's admins)
    gets a notice. Refused on a tip whose content was erased. Rate limits are the caller's
    (:func:`lib.tips.intake_guard.guarded_addition`). Returns ``{"tip_id"}``."""
    text = tips.clean_text(text, ADDITION_MAX)
    if len(text) < ADDITION_MIN:
        raise ValidationError("track.error.addition_short", field="addition", min=ADDITION_MIN)
    if len(text) > ADDITION_MAX:
        raise ValidationError("track.error.addition_long", field="addition", max=ADDITION_MAX)
    normal = tips.normalize_code(code)
    with write_transaction(db):
        row = query_one(db, "SELECT id, station_id, assignee_user_id, erased_at FROM tips WHERE tracking_code = ?",
                        [normal]) if len(normal) == tips.TRACKING_LENGTH else None
        if row is None:
            raise InvalidState("track.not_found")
        if row["erased_at"]:
            raise InvalidState("track.error.erased")
        at = utcnow()
        tips.record_event(db, row["id"], None, "addition", text=text, public=True)
        db.execute("UPDATE tips SET updated_at = ?, version = version + 1 WHERE id = ?", [at, row["id"]])
        audit.record(db, None, "addition", "tips", row["id"], at=at)
        notices.notify(db, _holders(db, row), "tip_addition", "tips", row["id"], {"chars": len(text)}, at=at)
    return {"tip_id": row["id"]}


def _require_version(db, user: User, tip_id: int, version: int) -> dict:
    tip = tips.get_tip(db, user, tip_id)
    if tip["version"] != version:
        raise tips.StaleEdit("tips.error.stale")
    return tip


def _holders(db, tip: dict) -> list[int]:
    """Who should hear of a sender's addition: the assigned officer, else the station's admins,
    else (an unrouted tip) the district admins."""
    if tip["assignee_user_id"]:
        return [tip["assignee_user_id"]]
    if tip["station_id"] is not None:
        return [r[0] for r in db.execute(
            "SELECT u.id FROM users u JOIN units un ON un.id = u.unit_id WHERE u.is_active = 1"
            " AND u.role = 'station_admin' AND COALESCE(un.station_id, un.id) = ?", [tip["station_id"]])]
    return [r[0] for r in db.execute("SELECT id FROM users WHERE is_active = 1 AND role = 'district_admin'")]
