"""Anti-abuse for the public pages: rate limits, a small challenge, a honeypot.

Every counted action is a row of ``intake_events(key, at)``; rows older than a day are
pruned by :func:`prune` (the delivery worker, hourly; and every lookup or trap written). A tip's
count is written inside the tip's own transaction and prunes nothing: intake is the hot path. Keys never hold an address or a phone number in clear:
``tip:c:<hash>`` (a client's tips), ``tip:p:<hash>`` (a contact phone's tips),
``track:c:<hash>`` (a client's tracker lookups), ``trap:c:<hash>`` (honeypot hits).

Limits (each a sliding window):

- per client: at most 5 tips per 10 minutes and 20 per day; from the 3rd tip within
  10 minutes on, a challenge (a small sum, in Chinese numerals) must be answered;
- per contact phone: at most 3 tips per 10 minutes;
- per client: at most 30 tracker lookups per 10 minutes (tracking codes cannot be guessed).

The client key is Streamlit's ``st.context.ip_address`` when it is a string. When it is not
(Streamlit gives None for 127.0.0.1 and ::1: a browser on the server itself, or a same-host
proxy that does not pass the client's address), every such visitor shares one bucket,
:data:`UNKNOWN_CLIENT`: a key kept in the browser session would be reset by a reload.
Streamlit's server (uvicorn) believes ``X-Forwarded-For`` only from the addresses in
``FORWARDED_ALLOW_IPS`` (default 127.0.0.1); deploy/nginx replaces that header with the
address it saw, so a value the client sends is never believed. Never parse a header yourself.
"""

from __future__ import annotations

import hashlib
import random
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlite_utils

from lib.core import clock
from lib.core.db import write_transaction
from lib.core.errors import PortalError
from lib.tips import tips

WINDOW = timedelta(minutes=10)
DAY = timedelta(days=1)
CLIENT_PER_WINDOW = 5
CLIENT_PER_DAY = 20
PHONE_PER_WINDOW = 3
CHALLENGE_AFTER = 2  # submissions within WINDOW after which a challenge is asked
LOOKUPS_PER_WINDOW = 30
UNKNOWN_CLIENT = "unknown"  # the one bucket of every visitor whose address is not known
_FORMAT = clock.STAMP
_ZH_DIGITS = "零一二三四五六七八九"


class RateLimited(PortalError):
    """Too many submissions or lookups: ``retry_after_s`` says how long to wait."""

    def __init__(self, key: str, retry_after_s: int):
        minutes = max(1, -(-int(retry_after_s) // 60))
        super().__init__(key, minutes=minutes)
        self.retry_after_s = int(retry_after_s)


@dataclass(frozen=True)
class Verdict:
    """Whether an action may go ahead now.

    ``key`` names the limit that refused it (``client_window``, ``client_day``,
    ``phone_window``, ``lookup_window``), None when allowed.
    """

    allowed: bool
    needs_challenge: bool = False
    retry_after_s: int = 0
    key: str | None = None


@dataclass(frozen=True)
class Challenge:
    """A small sum for humans: ``question`` is a message key, ``params`` its values."""

    seed: int
    question: str
    params: dict


# --- keys and time ---------------------------------------------------------------------------


def _now(now: datetime | str | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if isinstance(now, str):
        return datetime.strptime(now, _FORMAT).replace(tzinfo=UTC)
    return now if now.tzinfo else now.replace(tzinfo=UTC)


def _stamp(moment: datetime) -> str:
    return clock.stamp(moment)  # formatted by hand: strftime is slow on the intake's path


def client_key(ip_address) -> str:
    """The key a visitor is limited by: Streamlit's ``st.context.ip_address`` when it is a
    string, else :data:`UNKNOWN_CLIENT`, shared by every visitor whose address is not known
    (None for 127.0.0.1 and ::1, a mock under AppTest), so that no reload or new browser
    session starts a fresh limit."""
    if isinstance(ip_address, str) and ip_address:
        return ip_address
    return UNKNOWN_CLIENT


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:24]


def normalize_phone(phone: str | None) -> str:
    """The phone as :func:`lib.tips.tips.validate` keeps it (spaces, brackets, dashes out)."""
    return re.sub(r"[\s()（）\-]", "", str(phone or ""))


def _keys(prefix: str, client_key: str | None, contact_phone: str | None = None) -> dict[str, str]:
    keys = {}
    if isinstance(client_key, str) and client_key:
        keys["client"] = f"{prefix}:c:{_hash(client_key)}"
    phone = normalize_phone(contact_phone)
    if phone:
        keys["phone"] = f"{prefix}:p:{_hash(phone)}"
    return keys


def _times(db: sqlite_utils.Database, key: str, since: datetime) -> list[datetime]:
    rows = db.execute("SELECT at, hits FROM intake_events WHERE key = ? AND at > ? ORDER BY at", [key, _stamp(since)])
    return [_now(at) for at, hits in rows for _ in range(hits)]


def _wait(times: list[datetime], limit: int, window: timedelta, now: datetime) -> int:
    """Seconds until fewer than ``limit`` of ``times`` fall inside ``window``; 0 when already so."""
    if len(times) < limit:
        return 0
    oldest_that_counts = times[len(times) - limit]
    return max(1, int((oldest_that_counts + window - now).total_seconds()) + 1)


def _insert(db: sqlite_utils.Database, keys: list[str], now: datetime) -> None:
    stamp = _stamp(now)
    db.conn.executemany("INSERT INTO intake_events (key, at) VALUES (?, ?) ON CONFLICT (key, at) DO UPDATE SET"
                        " hits = hits + 1", [(key, stamp) for key in keys])


def _write(db: sqlite_utils.Database, keys: list[str], now: datetime) -> None:
    with write_transaction(db):
        _prune(db, now)
        _insert(db, keys, now)


def _prune(db: sqlite_utils.Database, now: datetime) -> int:
    return db.execute("DELETE FROM intake_events WHERE at < ?", [_stamp(now - DAY)]).rowcount


def prune(db: sqlite_utils.Database, now: datetime | str | None = None) -> int:
    """Delete the counts older than a day (no limit looks further back); returns how many."""
    with write_transaction(db):
        return _prune(db, _now(now))


# --- tips ------------------------------------------------------------------------------------


def check(db: sqlite_utils.Database, *, client_key: str | None, contact_phone: str | None,
          now: datetime | str | None = None) -> Verdict:
    """May this client (and this contact phone) send a tip now, and must it answer a challenge?"""
    return _verdict(db, _keys("tip", client_key, contact_phone), _now(now))


def _verdict(db: sqlite_utils.Database, keys: dict[str, str], now: datetime) -> Verdict:
    needs_challenge = False
    if "client" in keys:
        day = _times(db, keys["client"], now - DAY)
        recent = [t for t in day if t > now - WINDOW]
        needs_challenge = len(recent) >= CHALLENGE_AFTER
        wait = _wait(recent, CLIENT_PER_WINDOW, WINDOW, now)
        if wait:
            return Verdict(False, needs_challenge, wait, "client_window")
        wait = _wait(day, CLIENT_PER_DAY, DAY, now)
        if wait:
            return Verdict(False, needs_challenge, wait, "client_day")
    if "phone" in keys:
        wait = _wait(_times(db, keys["phone"], now - WINDOW), PHONE_PER_WINDOW, WINDOW, now)
        if wait:
            return Verdict(False, needs_challenge, wait, "phone_window")
    return Verdict(True, needs_challenge)


def record(db: sqlite_utils.Database, *, client_key: str | None, contact_phone: str | None,
           now: datetime | str | None = None) -> None:
    """Count one tip for the client (and the phone) in a transaction of its own; prune rows older
    than a day. (:func:`submit_tip` counts inside the tip's transaction instead.)"""
    keys = _keys("tip", client_key, contact_phone)
    if keys:
        _write(db, list(keys.values()), _now(now))


# --- tracker lookups -----------------------------------------------------------------------


def check_lookup(db: sqlite_utils.Database, *, client_key: str | None, now: datetime | str | None = None) -> Verdict:
    """May this client look up a tracking code now (at most 30 per 10 minutes)?"""
    now = _now(now)
    keys = _keys("track", client_key)
    if "client" in keys:
        wait = _wait(_times(db, keys["client"], now - WINDOW), LOOKUPS_PER_WINDOW, WINDOW, now)
        if wait:
            return Verdict(False, False, wait, "lookup_window")
    return Verdict(True)


def record_lookup(db: sqlite_utils.Database, *, client_key: str | None, now: datetime | str | None = None) -> None:
    """Count one tracker lookup for the client."""
    keys = _keys("track", client_key)
    if keys:
        _write(db, list(keys.values()), _now(now))


def guarded_track(db: sqlite_utils.Database, code: str, *, client_key: str | None,
                  now: datetime | str | None = None) -> dict | None:
    """:func:`lib.tips.tips.track` behind the lookup limit; raises :class:`RateLimited`."""
    verdict = check_lookup(db, client_key=client_key, now=now)
    if not verdict.allowed:
        raise RateLimited("guard.too_many_lookups", verdict.retry_after_s)
    record_lookup(db, client_key=client_key, now=now)
    return tips.track(db, code)


# --- what a sender adds on the tracker --------------------------------------------------------

ADDITIONS_PER_WINDOW = CLIENT_PER_WINDOW  # per client, as many as tips: the form's limits
ADDITIONS_PER_DAY = CLIENT_PER_DAY
ADDITIONS_PER_CODE = 3  # per tracking code and window, whoever sends them


def guarded_addition(db: sqlite_utils.Database, code: str, text: str, *, client_key: str | None,
                     now: datetime | str | None = None) -> dict:
    """:func:`lib.tips.tip_actions.add_from_sender` behind the form's limits (per client: 5 per 10
    minutes, 20 a day) and 3 per tracking code per 10 minutes; raises :class:`RateLimited`. The
    addition and its count commit together."""
    from lib.tips import tip_actions

    moment = _now(now)
    keys = _keys("add", client_key)
    keys["code"] = f"add:k:{_hash(tips.normalize_code(code))}"
    waits = []
    if "client" in keys:
        day = _times(db, keys["client"], moment - DAY)
        waits.append(_wait([t for t in day if t > moment - WINDOW], ADDITIONS_PER_WINDOW, WINDOW, moment))
        waits.append(_wait(day, ADDITIONS_PER_DAY, DAY, moment))
    waits.append(_wait(_times(db, keys["code"], moment - WINDOW), ADDITIONS_PER_CODE, WINDOW, moment))
    if max(waits):
        raise RateLimited("guard.too_many_additions", max(waits))
    with write_transaction(db):
        made = tip_actions.add_from_sender(db, code, text)
        _write(db, list(keys.values()), moment)
    return made


# --- the challenge ---------------------------------------------------------------------------


def new_seed() -> int:
    """A fresh, unpredictable seed; the page keeps it in session state (never in the page)."""
    return secrets.randbits(48)


def _operands(seed: int) -> tuple[int, int]:
    rng = random.Random(seed)
    return rng.randint(2, 9), rng.randint(1, 9)


def make_challenge(seed: int) -> Challenge:
    """The question for ``seed``: "三 加 五 等于几？" (numbers in Chinese, the answer in digits)."""
    a, b = _operands(seed)
    return Challenge(seed, "guard.challenge_question", {"a": _ZH_DIGITS[a], "b": _ZH_DIGITS[b]})


def verify_challenge(seed: int | None, answer) -> bool:
    """True when ``answer`` (digits, half- or full-width, spaces allowed) is the sum for ``seed``."""
    if not isinstance(seed, int):
        return False
    text = re.sub(r"\s", "", str(answer or ""))[:4]
    try:
        value = int(text)
    except ValueError:
        return False
    a, b = _operands(seed)
    return value == a + b


# --- a guarded submission ------------------------------------------------------------------


def fake_tracking_code() -> str:
    """What a bot that filled the honeypot is shown: a well-formed code that tracks nothing."""
    return tips.new_tracking_code()


def submit_tip(db: sqlite_utils.Database, tip: tips.TipInput, *, client_key: str | None, honeypot: str = "",
               challenge_seed: int | None = None, challenge_answer: str | None = None,
               now: datetime | str | None = None) -> dict:
    """A public submission: limits, honeypot, challenge, then :func:`lib.tips.tips.create_tip`.

    Returns ``{"id", "tracking_code"}`` (``id`` None when the honeypot was filled: nothing is
    stored but the bot sees a success). Raises :class:`RateLimited` when over a limit,
    :class:`lib.tips.tips.TipErrors` for fields (``challenge`` and ``contact_phone`` included),
    :class:`lib.core.errors.ValidationError` for a photo that is not an image. A refusal writes nothing.
    """
    moment = _now(now)
    phone = None if tip.is_anonymous else tip.contact_phone
    keys = _keys("tip", client_key, phone)  # hashed once: the limits read them, the tip's count writes them
    verdict = _verdict(db, keys, moment)
    if not verdict.allowed:
        raise RateLimited("guard.too_many_tips", verdict.retry_after_s)
    if honeypot and honeypot.strip():
        keys = _keys("tip", client_key)
        trap = _keys("trap", client_key)
        _write(db, [*keys.values(), *trap.values()] or ["trap:anonymous"], moment)
        return {"id": None, "tracking_code": fake_tracking_code()}
    if verdict.needs_challenge and not verify_challenge(challenge_seed, challenge_answer):
        errors = tips.TipErrors()
        errors.add("challenge", "guard.challenge_wrong")
        try:
            tips.validate(db, tip)  # every refusal at once: the sum and the fields
        except tips.TipErrors as exc:
            for field, (key, params) in exc.errors.items():
                errors.add(field, key, **params)
        raise errors
    # create_tip validates (raising every field's refusal) and counts the tip inside its own
    # transaction: the tip and its count commit together, with no savepoint and no pruning.
    counted = list(keys.values())
    made = tips.create_tip(db, tip, on_write=(lambda: _insert(db, counted, moment)) if counted else None)
    return {"id": made["id"], "tracking_code": made["tracking_code"]}
