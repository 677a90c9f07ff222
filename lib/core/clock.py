"""One clock: how the portal writes, reads and shows a moment.

Every ``*_at`` column holds ISO-8601 UTC with seconds (``2026-12-05T07:30:00Z``), so that text order
is time order and SQLite's ``strftime`` can compute with it. Staff and residents read Beijing time
(China has one time zone and no daylight saving); mediation parties abroad get their own zones
(lib/mediation/mediation.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

STAMP = "%Y-%m-%dT%H:%M:%SZ"
BEIJING = "Asia/Shanghai"
CHINA_OFFSET = timedelta(hours=8)
SHOWN = "%Y-%m-%d %H:%M"


def utcnow() -> str:
    """The current time as a stamp (ISO-8601 UTC with seconds), the format of every ``*_at`` column."""
    return datetime.now(UTC).strftime(STAMP)


def stamp(moment: datetime) -> str:
    """A moment as a stamp; a naive datetime is taken as UTC. Formatted by hand: strftime is slow on
    the intake's path (bench/tips.py)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:{moment.minute:02d}:"
            f"{moment.second:02d}Z")


def parse(text: str) -> datetime:
    """A stamp (or any ISO text, with ``Z``, an offset or none) as an aware UTC datetime."""
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def beijing(text: str | None) -> str:
    """A stamp as Beijing wall time ``YYYY-MM-DD HH:MM``; empty for none."""
    if not text:
        return ""
    return (parse(text) + CHINA_OFFSET).strftime(SHOWN)


def beijing_today() -> str:
    """Today's date in Beijing, ``YYYY-MM-DD``: the date a clerk calls today."""
    return (datetime.now(UTC) + CHINA_OFFSET).date().isoformat()


def from_beijing(local: datetime) -> str:
    """A naive Beijing wall time as a stamp."""
    return stamp((local.replace(tzinfo=None) - CHINA_OFFSET).replace(tzinfo=UTC))
