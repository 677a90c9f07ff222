"""The content library (资讯信息库): reusable push content by category, kept by district
admins, searchable by every staff user."""

from __future__ import annotations

import sqlite_utils

from lib.core import audit, query, taxonomy
from lib.core.auth import User
from lib.core.clock import utcnow
from lib.core.db import query_one, write_transaction
from lib.core.errors import NotFoundError, ScopeError, ValidationError


def search_items(db: sqlite_utils.Database, user: User, *, text: str = "", category: str | None = None,
                 limit: int = 50) -> list[dict]:
    """Library items matching the words and category, newest first."""
    where, params = query.equals(category=category or None)
    where.append("is_deleted = 0")
    for word in (text or "").split()[:5]:
        condition, patterns = query.matches_any(("title", "body", "tags"), word[:30])
        where.append(condition)
        params += patterns
    return query.rows(db, select="*", source="content_items", where=where, params=params, order="id DESC",
                      limit=limit)


def get_item(db: sqlite_utils.Database, user: User, item_id: int) -> dict:
    row = query_one(db, "SELECT * FROM content_items WHERE id = ? AND is_deleted = 0", [item_id])
    if not row:
        raise NotFoundError()
    return row


def save_item(db: sqlite_utils.Database, user: User, *, category: str, title: str, body: str, tags: str = "",
              item_id: int | None = None) -> int:
    """Add or change a library item (district admins)."""
    if not user.is_district:
        raise ScopeError()
    title, body = (title or "").strip(), (body or "").strip()
    if not taxonomy.is_code("push_categories", category):
        raise ValidationError("pushes.error.category", field="category")
    if not title or len(title) > 40:
        raise ValidationError("pushes.error.title_long", field="title", max=40)
    if not body or len(body) > 1200:
        raise ValidationError("pushes.error.body_long", field="body", max=1200, n=len(body))
    values = {"category": category, "title": title, "body": body, "tags": (tags or "").strip()[:100]}
    with write_transaction(db):
        if item_id is None:
            item_id = db.execute("INSERT INTO content_items (category, title, body, tags, created_by, created_at)"
                                 " VALUES (?, ?, ?, ?, ?, ?)",
                                 [*values.values(), user.id, utcnow()]).lastrowid
            audit.record(db, user, "create", "content_items", item_id, after=values)
        else:
            before = get_item(db, user, item_id)
            db.execute("UPDATE content_items SET category = ?, title = ?, body = ?, tags = ?, updated_at = ?"
                       " WHERE id = ?", [*values.values(), utcnow(), item_id])
            audit.record(db, user, "update", "content_items", item_id,
                         before={k: before[k] for k in values}, after=values)
    return item_id


def delete_item(db: sqlite_utils.Database, user: User, item_id: int) -> None:
    """Soft-delete a library item (district admins)."""
    if not user.is_district:
        raise ScopeError()
    with write_transaction(db):
        get_item(db, user, item_id)
        db.execute("UPDATE content_items SET is_deleted = 1, updated_at = ? WHERE id = ?", [utcnow(), item_id])
        audit.record(db, user, "delete", "content_items", item_id)
