"""Lists: the pieces every "filter → page" query shares — a search box's text as a safe LIKE pattern,
and one page of rows with the total that matched (:class:`Page`, :func:`fetch_page`).

A typed ``%`` or ``_`` is a character the user is looking for, not a wildcard: every pattern escapes
them (and the escape character itself) and every LIKE says ``ESCAPE '\\'``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlite_utils


def like_pattern(text: str) -> str:
    """``text`` as a LIKE pattern that matches it anywhere, its wildcards escaped."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def matches_any(columns: Sequence[str], text: str) -> tuple[str, list[str]]:
    """A condition "any of ``columns`` contains ``text``" and its parameters."""
    pattern = like_pattern(text)
    return "(" + " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in columns) + ")", [pattern] * len(columns)


def equals(**columns) -> tuple[list[str], list]:
    """Conditions ``column = ?`` for each column given a value (``None`` or ``0`` means "any"), and their
    parameters: the filters of most lists."""
    chosen = {c: v for c, v in columns.items() if v is not None and v != 0}
    return [f"{c} = ?" for c in chosen], list(chosen.values())


def rows(db: sqlite_utils.Database, *, select: str, source: str, where: list[str], params: list, order: str,
         limit: int, offset: int = 0) -> list[dict]:
    """``SELECT … WHERE <all of where> ORDER BY … LIMIT … OFFSET …`` as a list of dicts."""
    condition = " AND ".join(where) or "1 = 1"
    return list(db.query(f"SELECT {select} FROM {source} WHERE {condition} ORDER BY {order} LIMIT ? OFFSET ?",
                         [*params, int(limit), int(offset)]))


@dataclass
class Page:
    """One page of a list and the total number of matching rows."""

    rows: list[dict]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def fetch_page(db: sqlite_utils.Database, *, select: str, source: str, where: str, params: list, order: str,
               page: int, page_size: int, count_source: str | None = None, select_params: list = ()) -> Page:
    """``SELECT {select} FROM {source} WHERE {where} ORDER BY {order}``, the page asked for (clamped to the
    last page that has rows), with the total count of the same condition — counted over ``count_source``
    when given (the joins the condition needs, without those that only add columns). ``select_params`` are
the values of placeholders in ``select`` (a subquery's time, say)."""
    total = db.execute(f"SELECT COUNT(*) FROM {count_source or source} WHERE {where}", params).fetchone()[0]
    page_size = max(1, int(page_size))
    page = max(1, min(int(page), max(1, -(-total // page_size))))
    rows = list(db.query(f"SELECT {select} FROM {source} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
                         [*select_params, *params, page_size, (page - 1) * page_size]))
    return Page(rows=rows, total=total, page=page, page_size=page_size)


def first_id_since(db: sqlite_utils.Database, table: str, column: str, since: str, *, margin: str | None = None) -> int:
    """The smallest id of ``table`` whose ``column`` (a ``*_at`` stamp) is at or after ``margin`` (default
    ``since``), by binary search on the id: for tables whose ids follow that time (a row's id and its
    stamp given in the same transaction — tips, tip events, the audit log), so that a time range becomes
    an id range, the one index every table has. ``margin`` a little before ``since`` absorbs a clock step.
    Two queries for the bounds: MIN and MAX in one SELECT defeat SQLite's min/max optimization."""
    bound = margin or since
    lo = db.execute(f"SELECT COALESCE(MIN(id), 1) FROM {table}").fetchone()[0]
    hi = db.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}").fetchone()[0]
    while lo < hi:
        mid = (lo + hi) // 2
        row = db.execute(f"SELECT {column} FROM {table} WHERE id >= ? ORDER BY id LIMIT 1", [mid]).fetchone()
        if row is None or row[0] >= bound:
            hi = mid
        else:
            lo = mid + 1
    return lo
