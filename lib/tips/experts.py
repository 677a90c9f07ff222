"""The expert directory (专家资源库): lawyers, doctors, counsellors and anti-fraud specialists
who answer residents' questions that a police clerk cannot answer alone.

Staff search it; district admins add, edit and deactivate experts (a deactivated expert stays
in old tips' history). :func:`attach_expert` records an expert's answer on a tip as an internal
``expert`` event — the clerk then writes the public reply in their own words.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import sqlite_utils

from lib.core import audit, query
from lib.core.auth import User
from lib.core.clock import utcnow
from lib.core.db import query_one, write_transaction
from lib.core.errors import NotFoundError, ScopeError, ValidationError
from lib.tips import tips

FIELDS = ("lawyer", "doctor", "counsellor", "anti_fraud", "other")
EDITABLE = ("name", "field", "organization", "phone", "note")
LIMITS = {"name": 30, "organization": 60, "phone": 20, "note": 200}
ANSWER_MAX = 1000
SEED_FILE = Path(__file__).resolve().parents[2] / "data" / "experts.json"
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def _clean(text, limit: int) -> str:
    text = "".join(ch for ch in str(text or "") if ch.isprintable() or ch == "\n")
    return re.sub(r"[ \t]+", " ", text).strip()[: limit + 1]


def _require_district(user: User) -> None:
    if user is None or not user.is_district:
        raise ScopeError()


def _require_staff(user: User) -> None:
    # The directory is district-wide reference data: any logged-in staff user reads all of it.
    if user is None:
        raise ScopeError()


def search_experts(db: sqlite_utils.Database, user: User, *, field: str | None = None, text: str = "",
                   include_inactive: bool = False, limit: int = 100) -> list[dict]:
    """Experts by field and/or a text found in their name, organization or note; active
    ones first, then by field and name."""
    _require_staff(user)
    where, params = query.equals(field=field)
    if not include_inactive:
        where.append("is_active = 1")
    text = _clean(text, 40)
    if text:
        condition, patterns = query.matches_any(("name", "organization", "note"), text)
        where.append(condition)
        params += patterns
    return query.rows(db, select="*", source="experts", where=where, params=params,
                      order="is_active DESC, field, name, id", limit=limit)


def get_expert(db: sqlite_utils.Database, user: User, expert_id: int) -> dict:
    """One expert, active or not (any staff user)."""
    _require_staff(user)
    row = query_one(db, "SELECT * FROM experts WHERE id = ?", [expert_id])
    if not row:
        raise NotFoundError()
    return row


def answer_stats(db: sqlite_utils.Database, user: User, expert_ids: list[int]) -> dict[int, dict]:
    """How many answers each expert has given on tips (the ``expert`` events that
    :func:`attach_expert` writes) and when the last one was recorded:
    ``{expert_id: {"answers": n, "last_answer_at": iso or None}}``, zero for none.

    Counted district-wide for any staff user: a count reveals no tip, and an expert's
    record should not look different from one station to the next.
    """
    _require_staff(user)
    ids = [int(i) for i in expert_ids]
    out = {i: {"answers": 0, "last_answer_at": None} for i in ids}
    if not ids:
        return out
    # The expression and the kind filter match a possible partial index on expert events.
    rows = db.execute("SELECT json_extract(data, '$.expert_id'), COUNT(*), MAX(at) FROM tip_events"
                      f" WHERE kind = 'expert' AND json_extract(data, '$.expert_id') IN ({', '.join('?' * len(ids))})"
                      " GROUP BY json_extract(data, '$.expert_id')", ids)
    for expert_id, answers, last_at in rows:
        out[int(expert_id)] = {"answers": answers, "last_answer_at": last_at}
    return out


def list_directory(db: sqlite_utils.Database, user: User, *, field: str | None = None, text: str = "",
                   include_inactive: bool = True, limit: int = 200) -> list[dict]:
    """The directory page's rows: :func:`search_experts` (deactivated experts included unless
    asked otherwise), each with ``answers`` and ``last_answer_at`` from :func:`answer_stats`."""
    rows = search_experts(db, user, field=field, text=text, include_inactive=include_inactive, limit=limit)
    stats = answer_stats(db, user, [r["id"] for r in rows])
    return [{**r, **stats[r["id"]]} for r in rows]


def _validate(values: dict) -> dict:
    out = {k: _clean(values.get(k), LIMITS.get(k, 20)) for k in EDITABLE}
    if not out["name"]:
        raise ValidationError("experts.error.name", field="name")
    if out["field"] not in FIELDS:
        raise ValidationError("experts.error.field", field="field")
    for key in ("name", "organization", "note"):
        if len(out[key]) > LIMITS[key]:
            raise ValidationError("experts.error.too_long", field=key, max=LIMITS[key])
    phone = re.sub(r"[\s()（）]", "", out["phone"])
    if phone and not _PHONE.match(phone):
        raise ValidationError("experts.error.phone", field="phone")
    if phone.startswith("0") and "-" not in phone:  # landlines in one form: 0513-82123456
        cut = 3 if phone[1] in "12" else 4
        phone = f"{phone[:cut]}-{phone[cut:]}"
    out["phone"] = phone
    return {k: v if k in ("name", "field") else (v or None) for k, v in out.items()}


def _refuse_duplicate(db: sqlite_utils.Database, row: dict, expert_id: int | None = None) -> None:
    # Same name, field and phone is the same person entered twice (a double click, a re-typed
    # entry); two doctors called 张伟 differ at least by their phone.
    twin = db.execute("SELECT id FROM experts WHERE name = ? AND field = ? AND phone IS ? AND id IS NOT ?",
                      [row["name"], row["field"], row["phone"], expert_id]).fetchone()
    if twin:
        raise ValidationError("experts.error.duplicate", field="name")


def add_expert(db: sqlite_utils.Database, user: User, values: dict) -> dict:
    """Add an expert (district admins); audited. The same name, field and phone twice is refused."""
    _require_district(user)
    row = _validate(values)
    with write_transaction(db):
        _refuse_duplicate(db, row)
        expert_id = db.execute(f"INSERT INTO experts ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                               list(row.values())).lastrowid
        audit.record(db, user, "create", "experts", expert_id, after=row)
    return get_expert(db, user, expert_id)


def update_expert(db: sqlite_utils.Database, user: User, expert_id: int, values: dict) -> dict:
    """Edit an expert's details (district admins); audited with before and after. Values not
    given are kept; saving with nothing changed writes nothing."""
    _require_district(user)
    with write_transaction(db):
        before = get_expert(db, user, expert_id)
        row = _validate({**before, **values})
        if row == {k: before[k] for k in row}:
            return before
        _refuse_duplicate(db, row, expert_id)
        db.execute(f"UPDATE experts SET {', '.join(f'{k} = ?' for k in row)} WHERE id = ?",
                   [*row.values(), expert_id])
        audit.record(db, user, "update", "experts", expert_id, before={k: before[k] for k in row}, after=row)
    return get_expert(db, user, expert_id)


def set_active(db: sqlite_utils.Database, user: User, expert_id: int, active: bool) -> dict:
    """Deactivate (or reactivate) an expert (district admins); audited. Never a delete: the
    expert's answers on tips name them. A deactivated expert can no longer be attached."""
    _require_district(user)
    with write_transaction(db):
        before = get_expert(db, user, expert_id)
        if bool(before["is_active"]) == bool(active):
            return before
        db.execute("UPDATE experts SET is_active = ? WHERE id = ?", [int(bool(active)), expert_id])
        audit.record(db, user, "activate" if active else "deactivate", "experts", expert_id)
    return get_expert(db, user, expert_id)


def attach_expert(db: sqlite_utils.Database, user: User, tip_id: int, expert_id: int, answer_text: str) -> None:
    """Record an active expert's answer on a tip as an internal note (event kind ``expert``,
    never public), naming the expert; audited. Any staff user who may see the tip may do it."""
    answer = _clean(answer_text, ANSWER_MAX)
    if not answer:
        raise ValidationError("experts.error.answer", field="answer")
    if len(answer) > ANSWER_MAX:
        raise ValidationError("experts.error.too_long", field="answer", max=ANSWER_MAX)
    with write_transaction(db):
        tips.get_tip(db, user, tip_id)
        expert = get_expert(db, user, expert_id)
        if not expert["is_active"]:
            raise ValidationError("experts.error.inactive", field="expert")
        data = {"expert_id": expert["id"], "name": expert["name"], "field": expert["field"],
                "organization": expert["organization"]}
        db.execute("INSERT INTO tip_events (tip_id, at, user_id, kind, is_public, text, data)"
                   " VALUES (?, ?, ?, 'expert', 0, ?, ?)",
                   [tip_id, utcnow(), user.id, answer, json.dumps(data, ensure_ascii=False)])
        audit.record(db, user, "attach_expert", "tips", tip_id, after={"expert_id": expert["id"]})


def seed_experts(db: sqlite_utils.Database, path: Path = SEED_FILE) -> int:
    """Load the demo experts of ``data/experts.json`` into an empty directory; returns how many
    were added (0 when the directory already has experts). For the demo seeder."""
    rows = json.loads(path.read_text(encoding="utf-8"))
    with write_transaction(db):
        if db.execute("SELECT 1 FROM experts LIMIT 1").fetchone():
            return 0
        for row in rows:
            clean = _validate(row)
            db.execute(f"INSERT INTO experts ({', '.join(clean)}) VALUES ({', '.join('?' * len(clean))})",
                       list(clean.values()))
        audit.record(db, None, "seed", "experts", None, after={"added": len(rows)})
    return len(rows)
