"""Standard replies (答复模板) for tips, by tip kind.

Templates are data, like FixMyStreet's response templates: a title unique per kind, a body the
clerk edits before sending, soft delete (a deleted title can be added again, which revives the
row). Everyone on staff reads them; district admins add, edit and delete them.
"""

from __future__ import annotations

import json
from pathlib import Path

import sqlite_utils

from lib.core import audit
from lib.core.auth import User
from lib.core.db import query_one, write_transaction
from lib.core.errors import NotFoundError, ScopeError, ValidationError
from lib.tips import tips

TITLE_MAX = 30
BODY_MAX = 1000
SEED_FILE = Path(__file__).resolve().parents[2] / "data" / "reply_templates.json"


def _require_district(user: User) -> None:
    if user is None or not user.is_district:
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


def _validate(title: str | None, body: str | None) -> tuple[str, str]:
    """The cleaned title and body, or a refusal naming the field."""
    title, body = _clean(title, TITLE_MAX), _clean(body, BODY_MAX)
    if not title or len(title) > TITLE_MAX:
        raise ValidationError("templates.error.title", field="title", max=TITLE_MAX)
    if not body or len(body) > BODY_MAX:
        raise ValidationError("templates.error.body", field="body", max=BODY_MAX)
    return title, body


def add_template(db: sqlite_utils.Database, user: User, kind: str, title: str, body: str) -> dict:
    """Add a template (district admins). A title already live for the kind is refused; one that
    was deleted is revived with the new body."""
    _require_district(user)
    if kind not in tips.KINDS:
        raise ValidationError("tips.error.kind", field="kind")
    title, body = _validate(title, body)
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


def update_template(db: sqlite_utils.Database, user: User, template_id: int, *, title: str, body: str) -> dict:
    """Change a live template's title and body (district admins); its kind stays. A title
    already live for the kind is refused; saving with nothing changed writes nothing."""
    _require_district(user)
    title, body = _validate(title, body)
    with write_transaction(db):
        before = query_one(db, "SELECT id, kind, title, body FROM reply_templates WHERE id = ? AND is_deleted = 0",
                           [template_id])
        if not before:
            raise NotFoundError()
        if (title, body) == (before["title"], before["body"]):
            return before
        twin = query_one(db, "SELECT id, is_deleted FROM reply_templates WHERE kind = ? AND title = ? AND id != ?",
                         [before["kind"], title, template_id])
        if twin and not twin["is_deleted"]:
            raise ValidationError("templates.error.duplicate", field="title", title=title)
        if twin:
            # A deleted template holds the title (UNIQUE (kind, title)): rename that row, which
            # nobody sees any more, rather than refuse a title the user cannot see in use.
            db.execute("UPDATE reply_templates SET title = title || ' ~' || id WHERE id = ?", [twin["id"]])
            audit.record(db, user, "rename_deleted", "reply_templates", twin["id"], before={"title": title})
        db.execute("UPDATE reply_templates SET title = ?, body = ? WHERE id = ?", [title, body, template_id])
        after = {"kind": before["kind"], "title": title, "body": body}
        audit.record(db, user, "update", "reply_templates", template_id,
                     before={k: before[k] for k in after}, after=after)
    return {"id": template_id, **after}


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
