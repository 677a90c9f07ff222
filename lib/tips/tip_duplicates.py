"""Likely duplicates (疑似重复线索): the same event told by several residents, and merging them.

A hit-and-run pushed to a town's groups brings in a dozen messages about the same car within an
hour. The clerk sees, beside each tip, the tips that probably tell the same story, and merges them
so that one officer works one event.

How a candidate is found and scored:

1. **Where and when** — candidates are tips in the user's scope, not the tip itself nor a tip
   already merged away, created within ±``days`` of it, and in the same grid; a tip without a grid
   but with coordinates looks within :data:`RADIUS_KM` (1 km); a tip with neither looks in its own
   station (by text alone).
2. **Text** — descriptions are normalized (NFKC folds full-width letters and digits to half-width,
   lower case, punctuation and spaces dropped, greetings and filler such as "您好" "麻烦尽快处理"
   removed), then compared as character uni-, bi- and trigram count vectors by cosine
   similarity, weighted 0.4 / 0.4 / 0.2. Single characters catch paraphrases ("蓝色棉袄" / "蓝棉袄"),
   bigrams and trigrams catch shared phrases. **Place words are taken out first**: the characters
   and n-grams of both tips' location text and of the grid's name, which every tip of a grid
   shares, are not counted as text evidence (place closeness is scored on its own, below).
3. **Score** — ``text × (0.6 + 0.2 × time closeness + 0.2 × place closeness)``, each closeness
   between 0 and 1 (1 = same moment / same grid or same spot, 0 = ``days`` apart / 1 km apart).
   The text carries the decision — two different events in the same grid at the same hour stay
   low — and being close in time and place lifts a paraphrase over the line.

A candidate is *likely* when its score is at least :data:`THRESHOLD` (0.2). Measured on the
realistic pairs of ``tests/test_tip_duplicates.py``, text similarity is 0.26–0.57 for the same event
told in different words and 0.00–0.06 for different events in the same grid. Known limit: two
different events about the same thing in the same building ("3号楼电动车被偷" / "3号楼私拉电线给
电动车充电") share the word and score about 0.23 — listed, and the clerk decides; a paraphrase that
shares almost no characters is missed.
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections import Counter
from datetime import timedelta

import sqlite_utils

from lib.core import audit, clock, scope
from lib.core.auth import User
from lib.core.clock import utcnow
from lib.core.db import query_one, write_transaction
from lib.core.errors import ValidationError
from lib.grids import geo
from lib.tips import tips

THRESHOLD = 0.2
RADIUS_KM = 1.0
SCAN_LIMIT = 500  # candidates read per tip, nearest in time first: a grid's tips over a week fit easily
WEIGHTS = {1: 0.4, 2: 0.4, 3: 0.2}  # character n-gram size → weight in the text similarity

# Greetings and filler that say nothing about the event (removed before comparing).
FILLER = ("警察同志", "民警同志", "派出所", "处理一下", "尽快处理", "你好", "您好", "请问", "谢谢", "麻烦", "警官",
          "尽快", "处理", "反映", "举报", "一下", "那个", "这个", "有人", "我要", "我们", "希望")
# Function characters, too common to count as evidence on their own (they still count inside n-grams).
STOP_CHARS = frozenset("的了是在有我你他她它们个一着吗呢吧啊呀哦和与及就都也还很被把让给说要到这那里上下去来人不没")


# --- text similarity --------------------------------------------------------------------


def normalize_text(text: str | None) -> str:
    """Text reduced to what carries meaning: full-width → half-width (NFKC), lower case, only
    letters and digits (CJK included), filler words removed."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = "".join(ch for ch in text if ch.isalnum())
    for word in FILLER:
        text = text.replace(word, "")
    return text


def _grams(text: str, n: int) -> Counter:
    if n == 1:
        return Counter(ch for ch in text if ch not in STOP_CHARS)
    return Counter(text[i:i + n] for i in range(len(text) - n + 1))


def _cosine(a: Counter, b: Counter) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b[k] for k, v in a.items() if k in b)
    return dot / math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))


def text_similarity(a: str | None, b: str | None, *, place_words: tuple[str, ...] = ()) -> float:
    """Similarity of two descriptions between 0 and 1 (see the module docstring); the n-grams
    of ``place_words`` are not counted."""
    a, b = normalize_text(a), normalize_text(b)
    places = [normalize_text(p) for p in place_words if p]
    total = 0.0
    for n, weight in WEIGHTS.items():
        ga, gb = _grams(a, n), _grams(b, n)
        for place in places:
            for gram in _grams(place, n):
                ga.pop(gram, None)
                gb.pop(gram, None)
        total += weight * _cosine(ga, gb)
    return round(total, 4)


# --- candidates -------------------------------------------------------------------------


_parse = clock.parse
_iso = clock.stamp


def _candidates(db: sqlite_utils.Database, user: User, tip: dict, days: int) -> list[dict]:
    start = _parse(tip["created_at"])
    window = [_iso(start - timedelta(days=days)), _iso(start + timedelta(days=days))]
    clause, params = scope.station_clause(user, "t.station_id")
    where = [clause, "t.id != ?", "t.state != 'duplicate'", "t.created_at BETWEEN ? AND ?"]
    params += [tip["id"], *window]
    if tip["grid_id"] is not None:
        where.append("t.grid_id = ?")
        params.append(tip["grid_id"])
    elif tip["lat"] is not None and tip["lon"] is not None:
        dlat = RADIUS_KM / geo.KM_PER_DEG_LAT
        dlon = dlat / max(0.1, math.cos(math.radians(tip["lat"])))
        where.append("t.lat BETWEEN ? AND ? AND t.lon BETWEEN ? AND ?")
        params += [tip["lat"] - dlat, tip["lat"] + dlat, tip["lon"] - dlon, tip["lon"] + dlon]
    else:
        where.append("t.station_id IS ?")
        params.append(tip["station_id"])
    return list(db.query(
        "SELECT t.id, t.kind, t.state, t.is_open, t.priority, t.description, t.location_text, t.grid_id, t.lat,"
        " t.lon, t.station_id, t.created_at, t.version, g.name AS grid_name FROM tips t"
        f" LEFT JOIN grids g ON g.id = t.grid_id WHERE {' AND '.join(where)}"
        " ORDER BY ABS(julianday(t.created_at) - julianday(?)), t.id LIMIT ?",
        params + [tip["created_at"], SCAN_LIMIT]))


def likely_duplicates(db: sqlite_utils.Database, user: User, tip_id: int, *, days: int = 3,
                      limit: int = 5) -> list[dict]:
    """The tips that probably tell the same event as ``tip_id``, best first.

    Each is a dict with the candidate's ``id``, ``kind``, ``state``, ``description``,
    ``location_text``, ``created_at``, ``version``, its ``score`` (0–1, at least
    :data:`THRESHOLD`), ``text_score`` and ``reasons``: a list of (message key, params) saying why,
    for the page to show in the user's language.
    """
    tip = tips.get_tip(db, user, tip_id)
    grid = query_one(db, "SELECT name FROM grids WHERE id = ?", [tip["grid_id"]]) if tip["grid_id"] else None
    start = _parse(tip["created_at"])
    out = []
    for other in _candidates(db, user, tip, days):
        places = (tip["location_text"] or "", other["location_text"] or "", (grid or {}).get("name") or "",
                  other["grid_name"] or "")
        text = text_similarity(tip["description"], other["description"], place_words=places)
        if text == 0:
            continue
        hours = abs((_parse(other["created_at"]) - start).total_seconds()) / 3600
        time_close = max(0.0, 1 - hours / (24 * days))
        reasons: list[tuple[str, dict]] = [("dup.reason.text", {"pct": round(text * 100)})]
        if tip["grid_id"] is not None and other["grid_id"] == tip["grid_id"]:
            place_close = 1.0
            reasons.append(("dup.reason.same_grid", {"grid": other["grid_name"] or ""}))
        elif None not in (tip["lat"], tip["lon"], other["lat"], other["lon"]):
            km = geo.distance_km((tip["lon"], tip["lat"]), (other["lon"], other["lat"]))
            place_close = max(0.0, 1 - km / RADIUS_KM)
            reasons.append(("dup.reason.distance", {"m": round(km * 1000)}))
        else:
            place_close = 0.0
            reasons.append(("dup.reason.same_station", {}))
        reasons.append(("dup.reason.hours", {"h": round(hours, 1)}))
        score = round(text * (0.6 + 0.2 * time_close + 0.2 * place_close), 4)
        if score >= THRESHOLD:
            out.append({**{k: other[k] for k in ("id", "kind", "state", "is_open", "priority", "description",
                                                  "location_text", "created_at", "version")},
                        "score": score, "text_score": text, "reasons": reasons})
    out.sort(key=lambda c: (-c["score"], c["id"]))
    return out[:limit]


# --- merging ----------------------------------------------------------------------------


def merge(db: sqlite_utils.Database, user: User, tip_id: int, version: int, into_tip_id: int) -> dict:
    """Merge ``tip_id`` into ``into_tip_id``: the merged tip is closed as a duplicate pointing to
    the surviving one (both records stay), and the surviving tip's history gets a ``merge``
    event naming the merged tip. One transaction, audited; returns the merged tip.

    Refused: merging a tip into itself, or into a tip that is itself a duplicate (merge into the
    tip it points to instead), or with a stale ``version`` (:class:`lib.tips.tips.StaleEdit`).
    """
    with write_transaction(db):
        target = tips.get_tip(db, user, into_tip_id)
        if target["id"] == tip_id:
            raise ValidationError("dup.error.self", field="duplicate_of")
        if target["state"] == "duplicate":
            raise ValidationError("dup.error.target_duplicate", field="duplicate_of", id=target["duplicate_of"])
        merged = tips.move(db, user, tip_id, version, "mark_duplicate", duplicate_of=target["id"])
        db.execute("INSERT INTO tip_events (tip_id, at, user_id, kind, is_public, text, data)"
                   " VALUES (?, ?, ?, 'merge', 0, ?, ?)",
                   [target["id"], utcnow(), user.id, f"#{tip_id} {merged['description'][:80]}",
                    json.dumps({"merged_tip_id": tip_id}, ensure_ascii=False)])
        audit.record(db, user, "merge", "tips", target["id"], after={"merged_tip_id": tip_id})
    return merged
