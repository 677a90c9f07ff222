"""What the triage page shows about tips, as plain data: a queue row (or an export row), the table's
columns, the names of the officers tips are assigned to (one query for a page, not one per station),
the rows of an export, and one line of a tip's history.

Text a user typed goes through ``escape`` where it lands inside a catalog message, so the page can make
it inert for Markdown (lib/ui/ui.py ``inert``); the values themselves are never HTML."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import sqlite_utils

from lib.core.auth import User
from lib.i18n import i18n
from lib.mediation import mediation
from lib.tips import open311, tip_clocks, triage_queue

EXPORT_NAMES_BATCH = 500  # tips per look-up of assignees' names while an export streams


def row(tip: dict, now: str, lang: str, stations: dict[int, str], names: dict[int, str], *,
        full: bool = False) -> dict:
    """A queue row as shown (description cut to a line) or exported (``full``); no contact details, ever."""
    def t(key: str, **params) -> str:
        return i18n.t(key, lang, **params)

    flags = []
    if tip["is_open"] and tip["lane"] == tip_clocks.LANE_APPEAL:
        flags.append(t("triage.flag.appeal"))
    if triage_queue.is_overdue(tip, now):
        flags.append("⚠")
    return {
        "flag": " ".join(flags), "id": tip["id"], "sla": triage_queue.sla_text(tip, now, lang),
        "resolve": tip_clocks.resolution_text(tip, now, lang),
        "priority": t(f"tips.priority.{tip['priority']}"), "kind": triage_queue.kinds_label(tip["kind"], lang),
        "state": t(f"tips.state.{tip['state']}"),
        "description": (t("triage.erased_short") if tip["erased_at"] else
                        tip["description"] if full else " ".join(tip["description"].split())[:60]),
        "place": tip["location_text"] or "",
        "station": stations.get(tip["station_id"], t("triage.unrouted")),
        "assignee": names.get(tip["assignee_user_id"], "") if tip["assignee_user_id"] else "",
        "channel": t(f"tips.channel.{tip['channel']}"), "created": triage_queue.local_time(tip["created_at"]),
        "due": triage_queue.local_time(tip["due_at"]), "push": f"#{tip['push_id']}" if tip["push_id"] else "",
    }


def columns(lang: str, *, with_station: bool, export: bool = False) -> list[tuple[str, str]]:
    """(key, heading) of the table's columns; the export adds resolution, channel, push and due time."""
    keys = ["flag", "id", "sla", "priority", "kind", "state", "description", "place"]
    keys += (["station"] if with_station else []) + ["assignee", "created"]
    keys += ["resolve", "channel", "push", "due"] if export else []
    return [(k, i18n.t(f"triage.col.{k}", lang)) for k in keys]


def assignee_names(db: sqlite_utils.Database, user: User, tips: Iterable[dict]) -> dict[int, str]:
    """{user id: name} of the officers the given tips are assigned to — only tips the user may see
    (their station's, or any for the district), in one query."""
    ids = sorted({t["assignee_user_id"] for t in tips
                  if t["assignee_user_id"] and (user.is_district or t["station_id"] == user.station_id)})
    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    return {uid: name for uid, name in db.execute(f"SELECT id, name FROM users WHERE id IN ({marks})", ids)}


def export_rows(db: sqlite_utils.Database, user: User, f: triage_queue.QueueFilter, now: str, lang: str,
                stations: dict[int, str]) -> Iterator[dict]:
    """Every tip of the filtered queue as a full row, streamed; assignees' names looked up a batch at a time."""
    batch: list[dict] = []

    def flush() -> Iterator[dict]:
        names = assignee_names(db, user, batch)
        yield from (row(tip, now, lang, stations, names, full=True) for tip in batch)
        batch.clear()

    for tip in open311.iter_queue(db, user, f, now=now):
        batch.append(tip)
        if len(batch) >= EXPORT_NAMES_BATCH:
            yield from flush()
    yield from flush()


@dataclass(frozen=True)
class EventLine:
    """One line of a tip's history: what happened (a sentence in the user's language), who and when,
    who may read its text (``audience``: "sender" for a public reply, "addition" for the sender's own
    addition, "internal" for staff-only notes, "" for none), and the text itself."""

    kind: str
    what: str
    who: str
    at: str
    audience: str
    text: str


def event_line(event: dict, lang: str, stations: dict[int, str], *,
               escape: Callable[[str], str] = str) -> EventLine:
    """A tip event (from :func:`lib.tips.tips.events`) as a line of the history."""
    def t(key: str, **params) -> str:
        return i18n.t(key, lang, **params)

    data = json.loads(event["data"]) if event["data"] else {}
    kind = event["kind"]
    if kind == "state":
        what = t("triage.event.state", action=t(f"triage.action.{data.get('action')}"),
                 state=t(f"tips.state.{data.get('to')}"))
    elif kind == "route":
        what = t("triage.event.route", station=escape(stations.get(data.get("station_id"),
                                                                  f"#{data.get('station_id')}")))
    elif kind == "expert":
        what = t("triage.event.expert", name=escape(data.get("name") or ""),
                 org=escape(data.get("organization") or ""))
    elif kind == "merge":
        what = t("triage.event.merge", id=data.get("merged_tip_id"))
    elif kind == "mediation_opened":
        what = mediation.tip_event_text(data, lang)
    elif kind == "created":
        what = t("triage.event.created", channel=t(f"tips.channel.{data.get('channel', 'web')}"))
    else:
        what = t(f"triage.event.{kind}")
    if kind == "addition":
        audience = "addition"
    elif event["is_public"]:
        audience = "sender"
    elif kind in ("note", "expert", "callback") or (kind == "state" and event["text"]):
        audience = "internal"
    else:
        audience = ""
    return EventLine(kind=kind, what=what, who=event["user_name"] or t("triage.event.public"),
                     at=triage_queue.local_time(event["at"]),
                     audience=audience, text=event["text"] if event["text"] and kind != "merge" else "")
