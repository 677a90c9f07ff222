"""Duty periods: a day, a week (Monday to Sunday) or a month, in Beijing dates as a clerk counts them.

A period is named by its first day (``2026-12-01`` is December for a monthly standard, the week of
Monday 2026-11-30 for a weekly one); its end is the first day of the next period. Records keep UTC
stamps, so :func:`stamps` turns a period into the UTC range a query compares with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from lib.core import clock

PERIODS = ("daily", "weekly", "monthly")


@dataclass(frozen=True)
class Period:
    """One period of a kind: ``start`` inclusive, ``end`` exclusive (Beijing dates)."""

    kind: str
    start: date
    end: date

    @property
    def key(self) -> str:
        return self.start.isoformat()

    def stamps(self) -> tuple[str, str]:
        """The period as a UTC stamp range ``[start, end)``."""
        return _stamp(self.start), _stamp(self.end)

    def elapsed(self, now: datetime) -> float:
        """The share of the period gone by at ``now`` (0 before it, 1 after it)."""
        start, end = (clock.parse(s) for s in self.stamps())
        return min(1.0, max(0.0, (now - start) / (end - start)))

    def previous(self) -> Period:
        return containing(self.kind, self.start - timedelta(days=1))

    def next(self) -> Period:
        return containing(self.kind, self.end)


def _stamp(day: date) -> str:
    return clock.from_beijing(datetime(day.year, day.month, day.day))


def beijing_date(now: datetime | None = None) -> date:
    """The Beijing date at ``now`` (default: the current time)."""
    now = now or datetime.now(UTC)
    return (now.astimezone(UTC) + clock.CHINA_OFFSET).date()


def containing(kind: str, day: date) -> Period:
    """The period of ``kind`` that holds ``day``."""
    if kind == "daily":
        return Period(kind, day, day + timedelta(days=1))
    if kind == "weekly":
        start = day - timedelta(days=day.weekday())
        return Period(kind, start, start + timedelta(days=7))
    if kind == "monthly":
        start = day.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
        return Period(kind, start, end)
    raise ValueError(f"unknown period {kind!r}")


def current(kind: str, now: datetime | None = None) -> Period:
    """The period of ``kind`` running at ``now``."""
    return containing(kind, beijing_date(now))


def ended_since(kind: str, last_key: str | None, now: datetime | None = None, *, limit: int = 62) -> list[Period]:
    """Periods of ``kind`` that have ended after the one named ``last_key`` (all those within ``limit``
    periods back when ``last_key`` is None), oldest first: what the nightly snapshot still has to write."""
    latest = current(kind, now).previous()
    out: list[Period] = []
    period = latest
    while len(out) < limit and (last_key is None or period.key > last_key):
        out.append(period)
        period = period.previous()
    return out[::-1]
