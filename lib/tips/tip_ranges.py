"""Tips by time without an index on time: a tip's id and its ``created_at`` are given in the same intake
transaction, so ids follow arrival and a time range becomes an id range (the one index every tip already
has; an index on a time column would cost every intake one more page). Used by the duty measures, the
league table and the trends."""

from __future__ import annotations

from datetime import timedelta

import sqlite_utils

from lib.core import clock, query

# A first response counted as in time (SQL on ``t``).
IN_TIME = "(t.first_response_at IS NOT NULL AND t.first_response_at <= t.due_at)"


def first_tip_since(db: sqlite_utils.Database, since: str) -> int:
    """The smallest tip id created at or after ``since`` (a day's margin before it absorbs a clock step or
    a back-dated import; queries still compare ``created_at``)."""
    return query.first_id_since(db, "tips", "created_at", since,
                                margin=clock.stamp(clock.parse(since) - timedelta(days=1)))


def longest_clock(db: sqlite_utils.Database) -> timedelta:
    """The longest first-response clock of the rules (``sla_rules``): how long after arrival a tip can fall due."""
    return timedelta(minutes=db.execute("SELECT COALESCE(MAX(first_response_minutes), 1440) FROM sla_rules")
                     .fetchone()[0])


def due_since(db: sqlite_utils.Database, since: str) -> str:
    """The earliest arrival of a tip whose first-response clock can run out at or after ``since``."""
    return clock.stamp(clock.parse(since) - longest_clock(db))


def first_tip_due_since(db: sqlite_utils.Database, since: str) -> int:
    """The smallest tip id whose first-response clock can run out at or after ``since``."""
    return first_tip_since(db, due_since(db, since))
