"""The triage queue as Open311 GeoReport v2 service requests (``requests.json``).

Open311 (https://wiki.open311.org/GeoReport_v2) is the open format civic-issue trackers share;
an export in its shape can be read by other platforms and by analysts without our schema.

What leaves the portal is deliberately less than what staff see:

- no personal fields at all — no sender name or phone, no anonymity flag, no assignee, no tracking
  code (the sender's key to the tracker), no photos;
- phone numbers and ID-card numbers typed *inside* the description or the place are masked
  (:func:`redact`);
- coordinates are rounded to 3 decimals (about 110 m north–south, 95 m east–west here), enough to
  see where things happen, not which door.

``service_request_id`` is the tip's number, ``service_code`` its kind and ``agency_responsible``
the station that holds it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import sqlite_utils

from lib.core.auth import User
from lib.core.clock import utcnow
from lib.i18n import i18n
from lib.tips import triage_queue

COORD_DIGITS = 3
EXPORT_MAX = 20_000  # rows per export: a district's open queue fits many times over
PAGE = 500

# An 18-digit ID card number (last may be X), a mobile (1[3-9] + 9 digits) or a landline
# (0 + area code + 7–8 digits), allowing spaces and dashes a resident may type between groups.
_ID_CARD = re.compile(r"(?<![0-9])[1-9]\d{5}(?:19|20)\d{2}[01]\d[0-3]\d\d{3}[0-9xX](?![0-9])")
_MOBILE = re.compile(r"(?<![0-9])1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?![0-9])")
_LANDLINE = re.compile(r"(?<![0-9])0\d{2,3}[\s-]?\d{7,8}(?![0-9])")


def redact(text: str | None) -> str:
    """``text`` with ID-card and phone numbers replaced by ``*``; full-width digits are
    folded first so that "１３９…" is caught too."""
    if not text:
        return ""
    text = text.translate({0xFF10 + d: ord("0") + d for d in range(10)} | {0xFF38: "X", 0xFF58: "x", 0xFF0D: "-"})
    for pattern in (_ID_CARD, _MOBILE, _LANDLINE):
        text = pattern.sub(lambda m: "*" * len(m.group()), text)
    return text


def iter_queue(db: sqlite_utils.Database, user: User, f: triage_queue.QueueFilter, *, now: str | None = None,
               limit: int = EXPORT_MAX) -> Iterator[dict]:
    """Every tip of the filtered queue in queue order (scope enforced by :func:`lib.tips.triage_queue.queue`),
    read page by page, at most ``limit``."""
    now = now or utcnow()
    page, seen = 1, 0
    while seen < limit:
        rows = triage_queue.queue(db, user, f, page=page, page_size=PAGE, now=now)
        yield from rows[: limit - seen]
        seen += len(rows)
        if len(rows) < PAGE:
            return
        page += 1


def _station_names(db: sqlite_utils.Database) -> dict[int, str]:
    return {row[0]: row[1] for row in db.execute("SELECT id, name FROM units WHERE kind = 'station'")}


def service_request(tip: dict, station_names: dict[int, str]) -> dict:
    """One tip as an Open311 service request — only the public fields, see the module docstring."""
    lat, lon = tip.get("lat"), tip.get("lon")
    return {
        "service_request_id": str(tip["id"]),
        "status": "open" if tip["is_open"] else "closed",
        "service_code": tip["kind"],
        "service_name": i18n.term("tip_kinds", tip["kind"], "zh"),
        "description": redact(tip["description"]),
        "requested_datetime": tip["created_at"],
        "updated_datetime": tip["updated_at"],
        "expected_datetime": tip["due_at"],
        "address": redact(tip.get("location_text")),
        "lat": None if lat is None else round(lat, COORD_DIGITS),
        "long": None if lon is None else round(lon, COORD_DIGITS),
        "agency_responsible": station_names.get(tip["station_id"], ""),
    }


def georeport(db: sqlite_utils.Database, user: User, f: triage_queue.QueueFilter | None = None, *,
              now: str | None = None, limit: int = EXPORT_MAX) -> list[dict]:
    """The filtered queue (in the user's scope) as a GeoReport v2 ``requests.json`` list."""
    names = _station_names(db)
    return [service_request(tip, names) for tip in iter_queue(db, user, f or triage_queue.QueueFilter(), now=now,
                                                              limit=limit)]


def to_json(requests: list[dict]) -> bytes:
    """UTF-8 JSON bytes of :func:`georeport`'s list, Chinese kept readable."""
    return json.dumps(requests, ensure_ascii=False, indent=1).encode("utf-8")
