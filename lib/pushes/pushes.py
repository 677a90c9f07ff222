"""Pushes (推送): compose, review, schedule and send standardized content to groups.

The workflow lives in one table, :data:`TRANSITIONS` (FixMyStreet style): each state has a
type (open/closed), and each action names the states it leaves, the state it reaches and
who may take it. Police bulletins and appeals need a reviewer other than their author (a
station admin of the push's station, or a district admin; district-wide pushes a district
admin); the other categories may be sent by clerks directly. Every step is audited.
Two people editing one draft cannot overwrite each other: writes carry the version read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from lib.core import audit, clock, files, notices, query, scope, taxonomy
from lib.core.auth import User
from lib.core.clock import utcnow
from lib.core.db import query_one, write_transaction
from lib.core.errors import NotFoundError, PortalError, ScopeError, ValidationError
from lib.pushes import push_message
from lib.pushes.push_templates import starter
from lib.pushes.targeting import Target, check_target, reach

STATE_TYPES = {
    "draft": "open", "pending_review": "open", "approved": "open", "scheduled": "open", "sending": "open",
    "sent": "closed", "withdrawn": "closed", "rejected": "closed",
}
STATES = tuple(STATE_TYPES)


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str
    who: str  # "author" (author or a colleague of the station), "reviewer", "system"


TRANSITIONS = [
    Transition("submit", ("draft",), "pending_review", "author"),
    Transition("approve", ("pending_review",), "approved", "reviewer"),
    Transition("reject", ("pending_review",), "rejected", "reviewer"),
    Transition("revise", ("rejected", "pending_review"), "draft", "author"),
    Transition("schedule", ("draft", "approved"), "scheduled", "author"),
    Transition("send", ("draft", "approved", "scheduled"), "sending", "author"),
    Transition("withdraw", ("draft", "pending_review", "approved", "scheduled"), "withdrawn", "author"),
    Transition("start", ("scheduled",), "sending", "system"),
    Transition("finish", ("sending",), "sent", "system"),
]
_BY_ACTION = {t.action: t for t in TRANSITIONS}

MAX_PHOTOS = 4
# WeCom group robots: text ≤ 2048 bytes (UTF-8); markdown in push_message.
TEXT_MAX_BYTES = 2048


class InvalidTransition(PortalError):
    """The action is not possible from the push's state (or not for this user)."""


class StaleEdit(PortalError):
    """Someone saved the push since it was read; the edit was not applied."""


def is_open(push: dict) -> bool:
    return STATE_TYPES[push["state"]] == "open"


def needs_approval(category: str) -> bool:
    """Police bulletins and appeals need a reviewer; the rest may be sent by a clerk."""
    return any(t["code"] == category and t.get("needs_approval") for t in taxonomy.terms("push_categories"))


# --- reading ------------------------------------------------------------------------


def _decode(row: dict) -> dict:
    row["fields"] = json.loads(row["fields"] or "{}")
    row["photo_file_ids"] = json.loads(row["photo_file_ids"] or "[]")
    row["targeting"] = json.loads(row["targeting"] or "{}")
    return row


def get_push(db: sqlite_utils.Database, user: User, push_id: int) -> dict:
    """One push in the user's scope (district-wide pushes are visible to all staff)."""
    row = query_one(db, "SELECT * FROM pushes WHERE id = ?", [push_id])
    if not row:
        raise NotFoundError()
    if row["station_id"] is not None:
        scope.require_station(user, row["station_id"])
    return _decode(row)


def list_pushes(db: sqlite_utils.Database, user: User, *, states: list[str] | None = None,
                category: str | None = None, author_id: int | None = None, limit: int = 50,
                offset: int = 0) -> list[dict]:
    """Pushes of the user's scope, newest first (station staff also see district-wide ones)."""
    where, params = query.equals(**{"p.created_by": author_id, "p.category": category or None})
    if not user.is_district:
        where.append("(p.station_id = ? OR p.station_id IS NULL)")
        params.append(user.station_id)
    if states:
        where.append(f"p.state IN ({', '.join('?' * len(states))})")
        params += states
    rows = query.rows(db, select="p.*, u.name AS author_name, st.name AS station_name",
                      source="pushes p JOIN users u ON u.id = p.created_by LEFT JOIN units st ON st.id = p.station_id",
                      where=where, params=params, order="p.id DESC", limit=limit, offset=offset)
    return [_decode(r) for r in rows]


def review_queue(db: sqlite_utils.Database, user: User) -> list[dict]:
    """Pushes waiting for this user's review (admins only; never their own)."""
    if not user.is_admin:
        return []
    return [p for p in list_pushes(db, user, states=["pending_review"], limit=200)
            if may(user, p, "approve")]


# --- permissions ----------------------------------------------------------------------


def may(user: User, push: dict, action: str) -> bool:
    """True when ``user`` may take ``action`` on ``push`` in its current state."""
    transition = _BY_ACTION.get(action)
    if transition is None or push["state"] not in transition.sources or transition.who == "system":
        return False
    station_id = push["station_id"]
    if transition.who == "reviewer":
        if user.id == push["created_by"]:
            return False  # four eyes: nobody approves their own push
        if station_id is None:
            return user.is_district
        return user.is_district or (user.role == "station_admin" and user.station_id == station_id)
    # author side: the author, a colleague of the same station, or a district admin
    if station_id is None:
        return user.is_district
    if not scope.can_see_station(user, station_id):
        return False
    if action in ("send", "schedule") and needs_approval(push["category"]) and push["state"] == "draft":
        return False  # must be approved first
    return True


def _transition(db, user: User | None, push: dict, action: str, changes: dict | None = None,
                reason: str | None = None) -> dict:
    transition = _BY_ACTION[action]
    if push["state"] not in transition.sources:
        raise InvalidTransition("pushes.error.transition", action=action, state=push["state"])
    if user is not None and not may(user, push, action):
        raise InvalidTransition("pushes.error.not_allowed", action=action, state=push["state"])
    now = utcnow()
    update = {"state": transition.target, "updated_at": now, "version": push["version"] + 1, **(changes or {})}
    if reason is not None:
        update["state_reason"] = reason
    cursor = db.execute(
        f"UPDATE pushes SET {', '.join(f'{k} = ?' for k in update)} WHERE id = ? AND version = ?",
        [*update.values(), push["id"], push["version"]])
    if cursor.rowcount != 1:
        raise StaleEdit("pushes.error.stale")
    audit.record(db, user, action, "pushes", push["id"], before={"state": push["state"]},
                 after={k: v for k, v in update.items() if k not in ("updated_at", "version")})
    return {**push, **update}


# --- composing ------------------------------------------------------------------------


def new_draft(db: sqlite_utils.Database, user: User, category: str, appeal_kind: str | None = None, *,
              district_wide: bool = False, from_push_id: int | None = None,
              from_content_id: int | None = None) -> dict:
    """Start a draft from the category's template, a past push, or a content library item."""
    if not taxonomy.is_code("push_categories", category):
        raise ValidationError("pushes.error.category", field="category")
    if category == "appeal" and not taxonomy.is_code("appeal_kinds", appeal_kind):
        raise ValidationError("pushes.error.appeal_kind", field="appeal_kind")
    if district_wide and not user.is_district:
        raise ScopeError()
    station_id = None if (district_wide or user.station_id is None) else user.station_id
    title, body = starter(category, appeal_kind)
    fields: dict = {}
    targeting = Target().to_dict()
    if from_push_id is not None:
        past = get_push(db, user, from_push_id)
        title, body, fields = past["title"], past["body"], dict(past["fields"])
        category, appeal_kind = past["category"], past["appeal_kind"]
        targeting = past["targeting"] or targeting
    if from_content_id is not None:
        from lib.pushes import library

        item = library.get_item(db, user, from_content_id)
        title, body, category = item["title"], item["body"], item["category"]
    now = utcnow()
    with write_transaction(db):
        push_id = db.execute(
            "INSERT INTO pushes (station_id, category, appeal_kind, title, body, fields, targeting, state,"
            " created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?)",
            [station_id, category, appeal_kind if category == "appeal" else None, title, body,
             json.dumps(fields, ensure_ascii=False), json.dumps(targeting), user.id, now, now]).lastrowid
        audit.record(db, user, "create", "pushes", push_id, after={"category": category, "station_id": station_id})
    return get_push(db, user, push_id)


def save_draft(db: sqlite_utils.Database, user: User, push_id: int, version: int, *, title: str | None = None,
               body: str | None = None, fields: dict | None = None, target: Target | None = None,
               scheduled_for: str | None = None) -> dict:
    """Autosave of a draft (or a rejected push being revised): no validation beyond sizes,
    refused if someone saved since ``version`` was read."""
    changes: dict = {}
    if title is not None:
        changes["title"] = push_message.one_line(title)[:push_message.TITLE_MAX * 2]
    if body is not None:
        changes["body"] = str(body)[:push_message.BODY_MAX * 2]
    if fields is not None:
        changes["fields"] = json.dumps({str(k)[:40]: str(v)[:600] for k, v in fields.items()}, ensure_ascii=False)
    if scheduled_for is not None:
        changes["scheduled_for"] = scheduled_for or None
    with write_transaction(db):
        push = get_push(db, user, push_id)
        if push["state"] != "draft" or not may(user, push, "withdraw"):
            raise InvalidTransition("pushes.error.not_editable", state=push["state"])
        if push["version"] != version:
            raise StaleEdit("pushes.error.stale")
        if target is not None:
            check_target(user, target, push["station_id"])
            changes["targeting"] = json.dumps(target.to_dict())
            changes["groups_targeted"], changes["members_targeted"] = reach(db, user, target, push["station_id"])
        if not changes:
            return push
        changes["version"] = version + 1
        changes["updated_at"] = utcnow()
        db.execute(f"UPDATE pushes SET {', '.join(f'{k} = ?' for k in changes)} WHERE id = ? AND version = ?",
                   [*changes.values(), push_id, version])
        audit.record(db, user, "save_draft", "pushes", push_id,
                     after={k: v for k, v in changes.items() if k in ("title", "scheduled_for", "groups_targeted")})
    return get_push(db, user, push_id)


def _change_photos(db, user: User, push_id: int, change, action: str) -> dict:
    """Apply ``change(push) -> (new photo ids, audit data)`` to a draft's photos, audited."""
    with write_transaction(db):
        push = get_push(db, user, push_id)
        if push["state"] != "draft":
            raise InvalidTransition("pushes.error.not_editable", state=push["state"])
        ids, data = change(push)
        db.execute("UPDATE pushes SET photo_file_ids = ?, version = version + 1, updated_at = ? WHERE id = ?",
                   [json.dumps(ids), utcnow(), push_id])
        audit.record(db, user, action, "pushes", push_id, after=data)
    return get_push(db, user, push_id)


def add_photo(db: sqlite_utils.Database, user: User, push_id: int, data: bytes) -> dict:
    """Attach a photo (cleaned and re-encoded) to a draft; at most :data:`MAX_PHOTOS`."""
    def change(push):
        if len(push["photo_file_ids"]) >= MAX_PHOTOS:
            raise ValidationError("pushes.error.photos_max", field="photos", max=MAX_PHOTOS)
        file_id = files.store_image(db, user.id, data)
        ids = push["photo_file_ids"] + ([file_id] if file_id not in push["photo_file_ids"] else [])
        return ids, {"file_id": file_id}

    return _change_photos(db, user, push_id, change, "add_photo")


def remove_photo(db: sqlite_utils.Database, user: User, push_id: int, file_id: int) -> dict:
    """Take a photo off a draft (the stored file stays: another push or tip may use it)."""
    return _change_photos(db, user, push_id, lambda push: (
        [i for i in push["photo_file_ids"] if i != file_id], {"removed_file_id": file_id}), "remove_photo")


# --- actions --------------------------------------------------------------------------


def issuing_unit(db: sqlite_utils.Database, push: dict) -> str:
    """The unit a push is issued in the name of: its station, or the district center."""
    if push["station_id"] is None:
        row = query_one(db, "SELECT name FROM units WHERE kind = 'district_center' LIMIT 1")
    else:
        row = query_one(db, "SELECT name FROM units WHERE id = ?", [push["station_id"]])
    name = row["name"] if row else ""
    return name if name.startswith("海门区公安局") or not name else f"海门区公安局{name}"


def _require_valid(db, push: dict) -> None:
    found = push_message.problems(push, issuing_unit=issuing_unit(db, push))
    if found:
        first = found[0]
        raise ValidationError(first.key, field=first.field, **first.params)


def reviewers(db: sqlite_utils.Database, push: dict) -> list[int]:
    """Who may review ``push``: the active station admins of its station, else (and for a
    district push) the district admins — never its author."""
    ids: list[int] = []
    if push["station_id"] is not None:
        ids = [r[0] for r in db.execute(
            "SELECT u.id FROM users u JOIN units un ON un.id = u.unit_id WHERE u.is_active = 1"
            " AND u.role = 'station_admin' AND COALESCE(un.station_id, un.id) = ? ORDER BY u.id", [push["station_id"]])]
        ids = [i for i in ids if i != push["created_by"]]
    if not ids:
        ids = [r[0] for r in db.execute("SELECT id FROM users WHERE is_active = 1 AND role = 'district_admin'"
                                        " AND id != ? ORDER BY id", [push["created_by"]])]
    return ids


def author_name(db: sqlite_utils.Database, push: dict) -> str:
    """The name of the push's author."""
    row = db.execute("SELECT name FROM users WHERE id = ?", [push["created_by"]]).fetchone()
    return row[0] if row else ""


def photo_bytes(db: sqlite_utils.Database, user: User, push_id: int, file_id: int) -> bytes:
    """A photo of a push the user may see (scope checked; only the push's own photos)."""
    push = get_push(db, user, push_id)
    if file_id not in push["photo_file_ids"]:
        raise NotFoundError()
    return files.read_file(db, user, file_id)[0]


def reviewer_names(db: sqlite_utils.Database, push: dict) -> list[str]:
    """Names of the people who may review ``push`` (who its author waits for)."""
    ids = reviewers(db, push)
    if not ids:
        return []
    return [r[0] for r in db.execute(f"SELECT name FROM users WHERE id IN ({', '.join('?' * len(ids))}) ORDER BY id",
                                     ids)]


def history(db: sqlite_utils.Database, user: User, push_id: int) -> list[dict]:
    """What happened to a push, oldest first, from the audit log: ``{at, action, name, reason, count}``.
    Consecutive autosaves by one person are folded into one line with their ``count``."""
    get_push(db, user, push_id)  # scope
    out: list[dict] = []
    for row in db.query("SELECT a.at, a.action, a.user_id, COALESCE(u.name, a.username) AS name, a.after"
                        " FROM audit_log a LEFT JOIN users u ON u.id = a.user_id"
                        " WHERE a.entity = 'pushes' AND a.entity_id = ? ORDER BY a.id", [str(push_id)]):
        after = json.loads(row["after"]) if row["after"] and row["after"].startswith("{") else {}
        if out and row["action"] == out[-1]["action"] == "save_draft" and row["user_id"] == out[-1]["user_id"]:
            out[-1]["count"] += 1
            out[-1]["at"] = row["at"]
            continue
        out.append({"at": row["at"], "action": row["action"], "user_id": row["user_id"], "name": row["name"],
                    "reason": after.get("state_reason") if isinstance(after, dict) else None, "count": 1})
    return out


def _tell_author(db, user: User, push: dict, kind: str, **data) -> None:
    """A notice for the push's author about what ``user`` did (none when they did it themselves)."""
    if user is not None and user.id != push["created_by"]:
        notices.notify(db, [push["created_by"]], kind, "pushes", push["id"],
                       {"title": push["title"], "by": user.name, **data})


def submit(db: sqlite_utils.Database, user: User, push_id: int, version: int) -> dict:
    """Send a complete draft for review; its reviewers are told (a notice each)."""
    with write_transaction(db):
        push = _fresh(db, user, push_id, version)
        _require_valid(db, push)
        # A reason from an earlier return is answered by this submission: it no longer applies.
        push = _transition(db, user, push, "submit", {"submitted_at": utcnow(), "state_reason": None})
        notices.notify(db, reviewers(db, push), "push_submitted", "pushes", push_id,
                       {"title": push["title"], "by": user.name, "category": push["category"]})
        return push


def _approve(db, user: User, push_id: int, version: int) -> dict:
    push = _fresh(db, user, push_id, version)
    _require_valid(db, push)
    return _transition(db, user, push, "approve",
                       {"reviewed_by": user.id, "reviewed_at": utcnow(), "state_reason": None})


def review(db: sqlite_utils.Database, user: User, push_id: int, version: int, *, approve: bool,
           reason: str = "") -> dict:
    """Approve, or return with a reason (required), a push waiting for review; the author is told."""
    reason = push_message.one_line(reason)[:200]
    if not approve and not reason:
        raise ValidationError("pushes.error.reason_missing", field="reason")
    with write_transaction(db):
        if approve:
            push = _approve(db, user, push_id, version)
            _tell_author(db, user, push, "push_approved")
            return push
        push = _transition(db, user, _fresh(db, user, push_id, version), "reject",
                           {"reviewed_by": user.id, "reviewed_at": utcnow()}, reason=reason)
        _tell_author(db, user, push, "push_rejected", reason=reason)
        return push


def approve_and_send(db: sqlite_utils.Database, user: User, push_id: int, version: int) -> dict:
    """审核通过并发送: the reviewer approves and sends in one step (one transaction: both or
    neither) — in an appeal's race the author need not come back to press "send". The author
    gets one notice: sent."""
    with write_transaction(db):
        push = _approve(db, user, push_id, version)
        if not may(user, push, "send"):
            raise InvalidTransition("pushes.error.not_allowed", action="send", state=push["state"])
        return send(db, user, push_id, push["version"])


def revise(db: sqlite_utils.Database, user: User, push_id: int, version: int) -> dict:
    """Take a rejected (or pending) push back to draft to change it."""
    with write_transaction(db):
        return _transition(db, user, _fresh(db, user, push_id, version), "revise")


def withdraw(db: sqlite_utils.Database, user: User, push_id: int, version: int, reason: str) -> dict:
    """Withdraw a push that has not started sending; a reason is required."""
    reason = push_message.one_line(reason)[:200]
    if not reason:
        raise ValidationError("pushes.error.reason_missing", field="reason")
    with write_transaction(db):
        return _transition(db, user, _fresh(db, user, push_id, version), "withdraw", reason=reason)


def send(db: sqlite_utils.Database, user: User, push_id: int, version: int, *,
         when: str | None = None) -> dict:
    """Send now (deliveries are created at once) or schedule for ``when`` (ISO UTC)."""
    from lib.pushes import delivery

    with write_transaction(db):
        push = _fresh(db, user, push_id, version)
        _require_valid(db, push)
        if when:
            if when <= utcnow():
                raise ValidationError("pushes.error.schedule_past", field="scheduled_for")
            return _transition(db, user, push, "schedule", {"scheduled_for": when})
        push = _transition(db, user, push, "send", {"sent_at": utcnow()})
        counts = delivery.create_deliveries(db, user, push)
        _tell_author(db, user, push, "push_sent", groups=sum(counts.values()))
        return push


def _fresh(db, user: User, push_id: int, version: int) -> dict:
    push = get_push(db, user, push_id)
    if push["version"] != version:
        raise StaleEdit("pushes.error.stale")
    return push


def start_due(db: sqlite_utils.Database, now: str | None = None) -> list[int]:
    """Worker: move scheduled pushes whose time has come to sending, with their deliveries."""
    from lib.pushes import delivery

    now = now or utcnow()
    started = []
    for row in db.execute("SELECT id FROM pushes WHERE state = 'scheduled' AND scheduled_for <= ?", [now]).fetchall():
        with write_transaction(db):
            push = _decode(query_one(db, "SELECT * FROM pushes WHERE id = ?", [row[0]]))
            if push["state"] != "scheduled":
                continue  # another worker took it
            push = _transition(db, None, push, "start", {"sent_at": now})
            delivery.create_deliveries(db, None, push, now=now)
            started.append(push["id"])
    return started


def finish_if_done(db: sqlite_utils.Database, push_id: int) -> bool:
    """Worker: mark a sending push sent once no robot delivery is still queued or sending."""
    with write_transaction(db):
        push = _decode(query_one(db, "SELECT * FROM pushes WHERE id = ?", [push_id]))
        if push["state"] != "sending":
            return False
        pending = db.execute("SELECT COUNT(*) FROM deliveries WHERE push_id = ? AND channel = 'wecom_webhook'"
                             " AND state IN ('queued', 'sending')", [push_id]).fetchone()[0]
        if pending:
            return False
        _transition(db, None, push, "finish")
        return True


def parse_local_time(text: str) -> str:
    """'2026-11-28 18:30' (China time, as clerks type it) → ISO UTC."""
    return clock.from_beijing(datetime.strptime(text.strip(), "%Y-%m-%d %H:%M"))


def tip_link(push_id: int) -> str:
    """The public tip form pre-filled with this push (``PORTAL_PUBLIC_URL`` is the address
    residents reach the portal at; without it, a relative link)."""
    import os

    base = (os.environ.get("PORTAL_PUBLIC_URL") or "").rstrip("/")
    return f"{base}/tip?push={push_id}"


def webhook_parts(db: sqlite_utils.Database, push_id: int) -> list[dict]:
    """The WeCom robot messages of a push, in order: the markdown text, then the poster (a JPEG
    within :data:`lib.pushes.poster.ROBOT_POSTER_MAX_BYTES`).

    The worker sends them one by one and records each, so a restart resumes at the next
    part instead of sending a part twice.
    """
    push = _decode(query_one(db, "SELECT * FROM pushes WHERE id = ?", [push_id]))
    unit = issuing_unit(db, push)
    parts = [{"msgtype": "markdown",
              "markdown": {"content": push_message.message_markdown(push, issuing_unit=unit, tip_link=tip_link(push_id))}}]
    poster = poster_png(db, push)
    if poster is not None:
        import base64
        import hashlib

        from lib.pushes.poster import robot_jpeg

        poster = robot_jpeg(poster)  # the same poster, sent 2,700 times: a JPEG within a size budget

        parts.append({"msgtype": "image", "image": {"base64": base64.b64encode(poster).decode(),
                                                    "md5": hashlib.md5(poster).hexdigest()}})
    return parts


def poster_png(db: sqlite_utils.Database, push: dict) -> bytes | None:
    """The push's poster (PNG), or None when posters cannot be drawn here (no CJK font)."""
    try:
        from lib.pushes import poster, qr
    except ImportError:
        return None
    p = push_message.message_lines(push, issuing_unit=issuing_unit(db, push))
    photos = [files.read_file(db, files.SYSTEM, fid)[0] for fid in push["photo_file_ids"]]  # the push is in hand
    link = tip_link(push["id"])
    try:
        return poster.render_poster(poster.PosterSpec(
            category=push["appeal_kind"] or push["category"], category_label=push_message.category_label(push["category"], push["appeal_kind"]),
            title=p["title"], body=p["body"], fields=p["facts"], photos=photos,
            qr_png=qr.qr_png(link) if link.startswith("http") else None, qr_caption="扫码提供线索",
            issuing_unit=issuing_unit(db, push), hotline="110", date_text=p["footer"].rsplit(" · ", 1)[-1]))
    except PortalError:
        return None
