"""The client of WeCom (企业微信) group-robot webhooks: validate a message, POST it, classify the answer.

A group robot is a URL ``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…``; a message is a JSON
object (``msgtype`` text, markdown or image) and the answer is ``{"errcode": 0, "errmsg": "ok"}``. Each
robot accepts at most 20 messages per minute (errcode 45009 above it): :class:`RateLimiter` keeps us
under that, per robot key, so the worker waits instead of being refused.

Only the standard library is used (``http.client``, ``urllib``): the worker must not need a new
dependency. Connections to the robot service stay open between messages (:func:`_post`): a new
HTTPS connection costs two or three round trips before the first byte, which for a district push
of 5,400 messages is more than the messages themselves. Behind a proxy (the
``https_proxy`` environment) each message goes through ``urllib`` instead.
"""

from __future__ import annotations

import base64
import binascii
import collections
import hashlib
import http.client
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

MARKDOWN_MAX_BYTES = 4096
TEXT_MAX_BYTES = 2048
IMAGE_MAX_BYTES = 2 * 1024 * 1024  # of the raw image, before base64
RATE_LIMIT = 20
RATE_WINDOW_S = 60.0

OK = 0
INVALID_WEBHOOK = 93000
RATE_LIMITED = 45009
# Codes WeCom documents as transient: system busy, frequency limit, too many concurrent calls.
RETRYABLE_CODES = frozenset({-1, RATE_LIMITED, 45033})
# The answer of a local refusal (bad payload, unusable URL): nothing was sent.
LOCAL_STATUS = 0


@dataclass(frozen=True)
class SendResult:
    """What happened to one message.

    ``status`` is the HTTP status (0 when no answer came, or the message was refused before sending);
    ``errcode`` is WeCom's code (``None`` without a JSON answer); ``retryable`` says whether trying the
    same message later may succeed.
    """

    ok: bool
    errcode: int | None
    errmsg: str
    retryable: bool
    status: int

    @property
    def rate_limited(self) -> bool:
        return self.errcode == RATE_LIMITED

    @property
    def webhook_broken(self) -> bool:
        """The robot's URL is invalid (removed robot, wrong key): no message will ever go through it."""
        return self.errcode == INVALID_WEBHOOK

    def describe(self) -> str:
        """One line for the delivery's ``error`` column and the log."""
        if self.errcode is not None:
            return f"errcode {self.errcode}: {self.errmsg}"[:300]
        if self.status:
            return f"HTTP {self.status}: {self.errmsg}"[:300]
        return self.errmsg[:300]


class PayloadError(ValueError):
    """The message would be refused by WeCom (size, type, image format or checksum)."""


def robot_key(url: str) -> str:
    """The robot's ``key=`` parameter (the rate limit is per robot); the URL itself if it has none."""
    values = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query).get("key")
    return values[0] if values else url


def validate(payload: dict) -> None:
    """Raise :class:`PayloadError` unless WeCom would accept the message's shape and sizes."""
    if not isinstance(payload, dict):
        raise PayloadError("payload is not a JSON object")
    msgtype = payload.get("msgtype")
    body = payload.get(msgtype) if isinstance(msgtype, str) else None
    if msgtype not in ("text", "markdown", "image") or not isinstance(body, dict):
        raise PayloadError(f"unsupported msgtype {msgtype!r}")
    if msgtype in ("text", "markdown"):
        content = body.get("content")
        if not isinstance(content, str) or not content.strip():
            raise PayloadError(f"{msgtype} content is empty")
        size = len(content.encode("utf-8"))
        limit = TEXT_MAX_BYTES if msgtype == "text" else MARKDOWN_MAX_BYTES
        if size > limit:
            raise PayloadError(f"{msgtype} content is {size} bytes, over {limit}")
        return
    raw = _image_bytes(body)
    if len(raw) > IMAGE_MAX_BYTES:
        raise PayloadError(f"image is {len(raw)} bytes, over {IMAGE_MAX_BYTES}")
    if not (raw.startswith(b"\x89PNG\r\n\x1a\n") or raw.startswith(b"\xff\xd8\xff")):
        raise PayloadError("image is neither PNG nor JPG")
    if str(body.get("md5", "")).lower() != hashlib.md5(raw).hexdigest():
        raise PayloadError("image md5 does not match its bytes")


def _image_bytes(body: dict) -> bytes:
    data = body.get("base64")
    if not isinstance(data, str) or not data:
        raise PayloadError("image base64 is missing")
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PayloadError("image base64 is not valid") from exc


def classify(status: int, body: bytes) -> SendResult:
    """Turn an HTTP answer into a :class:`SendResult` (separate from :func:`send` to be testable)."""
    if status >= 500 or status == 429:
        return SendResult(False, None, _snippet(body) or "server error", True, status)
    if status != 200:
        # 4xx: the URL or request is wrong in a way retrying does not fix.
        return SendResult(False, None, _snippet(body) or "client error", False, status)
    try:
        answer = json.loads(body.decode("utf-8"))
        errcode = int(answer["errcode"])
        errmsg = str(answer.get("errmsg", ""))
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        # A 200 that is not WeCom's JSON: a proxy or captive page in the way; it may clear.
        return SendResult(False, None, "unexpected answer: " + _snippet(body), True, status)
    if errcode == OK:
        return SendResult(True, OK, errmsg or "ok", False, status)
    return SendResult(False, errcode, errmsg, errcode in RETRYABLE_CODES, status)


def _snippet(body: bytes) -> str:
    return body[:200].decode("utf-8", "replace").strip()


def send(url: str, payload: dict, *, timeout: float = 10) -> SendResult:
    """POST one message to a group robot. Never raises: every outcome is a :class:`SendResult`.

    The payload is validated first; a message WeCom would refuse is not sent (non-retryable).
    A URL that is not an http(s) URL with a ``key`` answers like WeCom's "invalid webhook" (93000),
    so the worker marks the group's robot broken.
    """
    try:
        validate(payload)
    except PayloadError as exc:
        return SendResult(False, None, f"invalid message: {exc}", False, LOCAL_STATUS)
    parts = urllib.parse.urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc or robot_key(url) == url:
        return SendResult(False, INVALID_WEBHOOK, "invalid webhook url (checked locally)", False, LOCAL_STATUS)
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    try:
        if not _proxied(parts):
            return classify(*_post(parts, data, timeout))
        request = urllib.request.Request(url, data=data, method="POST", headers=HEADERS)
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http(s) checked above)
            return classify(response.status, response.read(65536))
    except urllib.error.HTTPError as exc:
        return classify(exc.code, exc.read(65536) if exc.fp else b"")
    except ValueError as exc:
        # http.client.InvalidURL and friends: the URL cannot be used at all.
        return SendResult(False, INVALID_WEBHOOK, f"invalid webhook url: {exc}", False, LOCAL_STATUS)
    except (OSError, http.client.HTTPException) as exc:
        # Refused, reset, timed out, DNS, TLS, a truncated answer: nothing says the robot is gone.
        reason = getattr(exc, "reason", None) or exc
        return SendResult(False, None, f"network: {reason!s}"[:300], True, LOCAL_STATUS)


HEADERS = {"Content-Type": "application/json; charset=utf-8"}
IDLE_PER_HOST = 32  # open connections kept between messages, per host (the worker runs 16 threads)
_idle: dict[tuple, list[http.client.HTTPConnection]] = {}
_idle_lock = threading.Lock()


def _proxied(parts: urllib.parse.SplitResult) -> bool:
    proxies = urllib.request.getproxies()
    return parts.scheme in proxies and not urllib.request.proxy_bypass(parts.hostname or "")


def _take(key: tuple, timeout: float) -> tuple[http.client.HTTPConnection, bool]:
    """An idle connection to the host (reused: True), else a new one."""
    with _idle_lock:
        pool = _idle.get(key)
        if pool:
            conn = pool.pop()
            conn.timeout = timeout
            if conn.sock is not None:
                conn.sock.settimeout(timeout)
            return conn, True
    scheme, host, port = key
    cls = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
    return cls(host, port, timeout=timeout), False


def _give_back(key: tuple, conn: http.client.HTTPConnection) -> None:
    with _idle_lock:
        pool = _idle.setdefault(key, [])
        if len(pool) < IDLE_PER_HOST:
            pool.append(conn)
            return
    conn.close()


def _post(parts: urllib.parse.SplitResult, data: bytes, timeout: float) -> tuple[int, bytes]:
    """POST over a kept-alive connection to the host: (status, the answer's first 64 kB).

    Connections are shared by the worker's threads, one message at a time each, and outlive the
    thread pool of a pass. A kept connection the server has closed meanwhile fails before an
    answer; the message is then sent once more on a new connection — only then: an error on a new
    connection is the caller's (a group must not get a message twice)."""
    key = (parts.scheme, parts.hostname, parts.port)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    for attempt in (0, 1):
        conn, reused = _take(key, timeout)
        try:
            conn.request("POST", target, body=data, headers=HEADERS)
            response = conn.getresponse()
            body = response.read(65536)
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            conn.close()
            if not reused or attempt:
                raise
            continue
        except BaseException:
            conn.close()
            raise
        if response.will_close or response.length:  # not read to its end: the connection cannot go on
            conn.close()
        else:
            _give_back(key, conn)
        return response.status, body
    raise AssertionError("unreachable")


class RateLimiter:
    """At most ``limit`` messages per robot key in any ``window`` seconds (a sliding window).

    The clock is the caller's (``now`` in seconds, any epoch), so tests and the bench can simulate
    time. ``margin`` adds a little to each wait: our clock and WeCom's differ, and a message is
    stamped here before it reaches them, so waiting exactly the window could still be refused.
    One limiter serves one process; two workers each keep their own, and WeCom's 45009 (see
    :meth:`block`) covers what they cannot see of each other.
    """

    def __init__(self, limit: int = RATE_LIMIT, window: float = RATE_WINDOW_S, margin: float = 1.0):
        self.limit = limit
        self.window = window
        self.margin = margin
        self._sent: dict[str, collections.deque[float]] = {}

    def _recent(self, key: str, now: float) -> collections.deque[float]:
        stamps = self._sent.setdefault(key, collections.deque())
        while stamps and stamps[0] + self.window + self.margin <= now:
            stamps.popleft()
        return stamps

    def acquire(self, key: str, now: float) -> float:
        """0 if a slot is free (and take it), else the seconds to wait before one frees."""
        stamps = self._recent(key, now)
        if len(stamps) < self.limit:
            stamps.append(now)
            return 0.0
        return stamps[0] + self.window + self.margin - now

    def wait_time(self, key: str, now: float) -> float:
        """Seconds until a slot frees (0 if one is free), without taking it."""
        stamps = self._recent(key, now)
        return 0.0 if len(stamps) < self.limit else stamps[0] + self.window + self.margin - now

    def block(self, key: str, now: float) -> float:
        """WeCom said 45009: treat the window as full from ``now``; return the seconds to wait."""
        self._sent[key] = collections.deque([now] * self.limit)
        return self.window + self.margin

    def forget(self, before: float) -> None:
        """Drop keys with no message since ``before`` (keeps a long-running worker's memory flat)."""
        for key in [k for k, v in self._sent.items() if not v or v[-1] < before]:
            del self._sent[key]
