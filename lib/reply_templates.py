"""Standard replies (答复模板) for tips, by tip kind.

Templates are data, like FixMyStreet's response templates: a title unique per kind, a body the
clerk edits before sending, soft delete (a deleted title can be added again, which revives the
row). Everyone on staff reads them; district admins add and delete them.
"""

from __future__ import annotations

import json
from pathlib import Path

import sqlite_utils

from lib import audit, tips
from lib.auth import User
from lib.db import query_one, write_transaction
from lib.errors import NotFoundError, ScopeError, ValidationError

TITLE_MAX = 30
BODY_MAX = 1000
SEED_FILE = Path(__file__).resolve().parent.parent / "data" / "reply_templates.json"


def _require_district(user: User) -> None:
    if not user.is_district:
        raise ScopeError()


def _clean(text: str | None, limit: int) -> str:
    return "".join(ch for ch in str(text or "") if ch.isprintable() or ch == "\n").strip()[: limit + 1]


def list_templates(db: sqlite_utils.Database, user: User, kind: str | None = None) -> list[dict]:
    """The live templates (of one tip kind, or all), by kind then title."""
    where, params = ["is_deleted = 0"], []
    if kind is not None:
        where.append("kind = ?")
        params.append(kind)
    return list(db.query(f"SELECT id, kind, title, body FROM reply_templates WHERE {' AND '.join(where)}"
                         " ORDER BY kind, title, id", params))


def add_template(db: sqlite_utils.Database, user: User, kind: str, title: str, body: str) -> dict:
    """Add a template (district admins). A title already live for the kind is refused; one that
    was deleted is revived with the new body."""
    _require_district(user)
    title, body = _clean(title, TITLE_MAX), _clean(body, BODY_MAX)
    if kind not in tips.KINDS:
        raise ValidationError("tips.error.kind", field="kind")
    if not title or len(title) > TITLE_MAX:
        raise ValidationError("templates.error.title", field="title", max=TITLE_MAX)
    if not body or len(body) > BODY_MAX:
        raise ValidationError("templates.error.body", field="body", max=BODY_MAX)
    with write_transaction(db):
        old = query_one(db, "SELECT id, is_deleted FROM reply_templates WHERE kind = ? AND title = ?", [kind, title])
        if old and not old["is_deleted"]:
            raise ValidationError("templates.error.duplicate", field="title", title=title)
        if old:
            db.execute("UPDATE reply_templates SET body = ?, is_deleted = 0 WHERE id = ?", [body, old["id"]])
            template_id = old["id"]
        else:
            template_id = db.execute("INSERT INTO reply_templates (kind, title, body) VALUES (?, ?, ?)",
                                     [kind, title, body]).lastrowid
        audit.record(db, user, "create", "reply_templates", template_id, after={"kind": kind, "title": title})
    return {"id": template_id, "kind": kind, "title": title, "body": body}


def delete_template(db: sqlite_utils.Database, user: User, template_id: int) -> None:
    """Soft-delete a template (district admins); it disappears from the pickers."""
    _require_district(user)
    with write_transaction(db):
        row = query_one(db, "SELECT id, kind, title FROM reply_templates WHERE id = ? AND is_deleted = 0",
                        [template_id])
        if not row:
            raise NotFoundError()
        db.execute("UPDATE reply_templates SET is_deleted = 1 WHERE id = ?", [template_id])
        audit.record(db, user, "delete", "reply_templates", template_id, before=row)


def seed_reply_templates(db: sqlite_utils.Database, path: Path = SEED_FILE) -> int:
    """Load the demo templates of ``data/reply_templates.json`` (titles already present are
    skipped); returns how many were added. For the demo seeder and the command line."""
    rows = json.loads(path.read_text(encoding="utf-8"))
    with write_transaction(db):
        before = db.execute("SELECT COUNT(*) FROM reply_templates").fetchone()[0]
        for row in rows:
            db.execute("INSERT OR IGNORE INTO reply_templates (kind, title, body) VALUES (?, ?, ?)",
                       [row["kind"], row["title"], row["body"]])
        added = db.execute("SELECT COUNT(*) FROM reply_templates").fetchone()[0] - before
        audit.record(db, None, "seed", "reply_templates", None, after={"added": added})
    return added
