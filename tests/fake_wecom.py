"""A fake WeCom group-robot server for tests and the bench, plus a clock to simulate time with.

It answers ``POST /cgi-bin/webhook/send?key=…`` on 127.0.0.1 (a free port, ``http.server`` in a
thread) like the real service: it checks the JSON and the message (msgtype text/markdown/image,
sizes, image format and md5) on its own — not with lib/pushes/wecom.py's checks, which it is there to
test — enforces 20 accepted messages per minute per key against an injectable clock (errcode 45009
above it), answers 93000 for keys marked invalid, can be told to fail the next N calls of a key
(an HTTP status or an errcode), and records every accepted message with its key and time.

For the bench it can model the network between a bureau and WeCom (:class:`Network`): a round trip
per request, a TLS connection's set-up round trips on the first request of each connection (it
keeps connections alive, HTTP/1.1, as the real service does), and one upload link of fixed
bandwidth that every request's body shares, first come first served. The waits are real.
"""

from __future__ import annotations

import base64
import binascii
import collections
import hashlib
import json
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

LIMIT = 20
WINDOW_S = 60.0


class SimClock:
    """Epoch seconds that move only when told (``real=False``), or with real time plus the jumps
    made by :meth:`advance` (``real=True``: the bench counts real work but skips the waiting)."""

    def __init__(self, start: float | None = None, *, real: bool = False):
        self.start = float(start if start is not None else time.time())
        self.real = real
        self._offset = 0.0
        self._t0 = time.perf_counter()
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            moved = time.perf_counter() - self._t0 if self.real else 0.0
            return self.start + self._offset + moved

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += max(0.0, seconds)

    def advance_to(self, t: float) -> None:
        self.advance(t - self())

    @property
    def elapsed(self) -> float:
        return self() - self.start


@dataclass
class Network:
    """The link to the robot service: ``rtt_s`` per request, ``setup_rtts`` more round trips when a
    connection is new (TCP and TLS), and an uplink of ``uplink_bps`` bits/s shared by all requests."""

    rtt_s: float = 0.030
    setup_rtts: int = 3
    uplink_bps: float = 100e6
    bytes_up: int = 0
    connections: int = 0
    _link_free_at: float = 0.0
    _lock: threading.Lock = None

    def __post_init__(self):
        self._lock = threading.Lock()

    def delay(self, size: int, new_connection: bool) -> float:
        """Seconds until the answer to a request of ``size`` bytes would arrive, counted from now."""
        with self._lock:
            now = time.monotonic()
            self.bytes_up += size
            self.connections += new_connection
            start = max(now, self._link_free_at)
            self._link_free_at = start + size * 8 / self.uplink_bps
            uploaded = self._link_free_at - now
        return uploaded + self.rtt_s * (1 + (self.setup_rtts if new_connection else 0))


@dataclass(frozen=True)
class Accepted:
    key: str
    payload: dict
    at: float


@dataclass
class _Failure:
    remaining: int
    status: int
    errcode: int | None


class FakeWeCom:
    """The fake robot service. Use as a context manager (or :meth:`start`/:meth:`close`)."""

    def __init__(self, clock: Callable[[], float] = time.time, *, limit: int = LIMIT, window: float = WINDOW_S,
                 keep_payloads: bool = True, network: Network | None = None):
        self.clock = clock
        self.network = network
        self.limit = limit
        self.window = window
        self.keep_payloads = keep_payloads  # False: keep a digest only (the bench sends 5,000 posters)
        self.invalid_keys: set[str] = set()
        self.accepted: list[Accepted] = []
        self.refused: list[tuple[str, int, float]] = []  # (key, errcode or HTTP status, time)
        self.rate_limited = 0
        self.requests = 0
        self.connections = 0  # TCP connections served
        self.drop_next = 0  # the next N requests: connection closed without an answer (see start)
        self._failures: dict[str, _Failure] = {}
        self._recent: dict[str, collections.deque[float]] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # --- control ------------------------------------------------------------------------

    def start(self) -> FakeWeCom:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # connections kept alive, as by the real service
            served = 0  # requests on this connection (a handler serves one connection)

            def do_POST(self):  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if fake.network is not None:
                    time.sleep(fake.network.delay(length, new_connection=self.served == 0))
                self.served += 1
                with fake._lock:
                    fake.connections += self.served == 1
                    drop, fake.drop_next = fake.drop_next > 0, max(0, fake.drop_next - 1)
                if drop:  # the connection closed without an answer, the message not taken
                    self.close_connection = True
                    return
                status, answer = fake.handle(self.path, body)
                data = json.dumps(answer).encode() if answer is not None else b"internal error"
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if answer is not None else "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # keep test output clean
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-wecom",
                         daemon=True).start()
        return self

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeWeCom:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def port(self) -> int:
        assert self._server is not None, "the fake server is not started"
        return self._server.server_address[1]

    def url(self, key: str) -> str:
        """A robot webhook URL of this server."""
        return f"http://127.0.0.1:{self.port}/cgi-bin/webhook/send?key={urllib.parse.quote(key)}"

    def fail_next(self, key: str, n: int = 1, *, status: int = 500, errcode: int | None = None) -> None:
        """The next ``n`` calls of ``key`` fail: with HTTP ``status``, or (status 200) with ``errcode``."""
        with self._lock:
            self._failures[key] = _Failure(n, 200 if errcode is not None else status, errcode)

    def messages(self, key: str) -> list[dict]:
        """The payloads accepted for one key, in order."""
        with self._lock:
            return [a.payload for a in self.accepted if a.key == key]

    def times(self, key: str) -> list[float]:
        with self._lock:
            return [a.at for a in self.accepted if a.key == key]

    def max_in_window(self) -> int:
        """The most messages any key had accepted within one window (≤ limit when all is well)."""
        with self._lock:
            by_key: dict[str, list[float]] = {}
            for a in self.accepted:
                by_key.setdefault(a.key, []).append(a.at)
        best = 0
        for stamps in by_key.values():
            stamps.sort()
            lo = 0
            for hi, t in enumerate(stamps):
                while stamps[lo] <= t - self.window:
                    lo += 1
                best = max(best, hi - lo + 1)
        return best

    # --- the service --------------------------------------------------------------------

    def handle(self, path: str, body: bytes) -> tuple[int, dict | None]:
        """(HTTP status, JSON answer or None for a non-JSON error page) of one request."""
        now = self.clock()
        parts = urllib.parse.urlsplit(path)
        key = (urllib.parse.parse_qs(parts.query).get("key") or [""])[0]
        with self._lock:
            self.requests += 1
            if parts.path != "/cgi-bin/webhook/send" or not key or key in self.invalid_keys:
                return self._refuse(key, 93000, "invalid webhook url", now)
            failure = self._failures.get(key)
            if failure and failure.remaining > 0:
                failure.remaining -= 1
                if failure.errcode is not None:
                    return self._refuse(key, failure.errcode, "scripted failure", now)
                self.refused.append((key, failure.status, now))
                return failure.status, None
            try:
                payload = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                return self._refuse(key, 40008, "invalid message type (not JSON)", now)
            problem = _check(payload)
            if problem:
                return self._refuse(key, problem[0], problem[1], now)
            recent = self._recent.setdefault(key, collections.deque())
            while recent and recent[0] <= now - self.window:
                recent.popleft()
            if len(recent) >= self.limit:
                self.rate_limited += 1
                return self._refuse(key, 45009, "api freq out of limit", now)
            kept = payload if self.keep_payloads else _digest(payload)
            self.accepted.append(Accepted(key, kept, now))
            recent.append(now)
            return 200, {"errcode": 0, "errmsg": "ok"}

    def _refuse(self, key: str, errcode: int, errmsg: str, now: float) -> tuple[int, dict]:
        self.refused.append((key, errcode, now))
        return 200, {"errcode": errcode, "errmsg": errmsg}


def _digest(payload: dict) -> dict:
    # Cheap on purpose: the bench's 2,700 posters must not make the fake the bottleneck.
    body = payload[payload["msgtype"]]
    return {"msgtype": payload["msgtype"],
            "md5": body.get("md5") or hashlib.md5(body["content"].encode()).hexdigest()}


def _check(payload) -> tuple[int, str] | None:
    """WeCom's refusal of a message as (errcode, errmsg), or None if it would be accepted."""
    if not isinstance(payload, dict) or payload.get("msgtype") not in ("text", "markdown", "image"):
        return 40008, "invalid message type"
    msgtype = payload["msgtype"]
    body = payload.get(msgtype)
    if not isinstance(body, dict):
        return 40008, "invalid message type"
    if msgtype in ("text", "markdown"):
        content = body.get("content")
        limit = 2048 if msgtype == "text" else 4096
        if not isinstance(content, str) or not content:
            return 40058, "content is empty"
        if len(content.encode("utf-8")) > limit:
            return 40058, f"content exceed max length {limit}"
        return None
    try:
        raw = base64.b64decode(body.get("base64") or "", validate=True)
    except (binascii.Error, ValueError):
        return 40009, "invalid image base64"
    if not raw or len(raw) > 2 * 1024 * 1024:
        return 40009, "invalid image size"
    if not (raw[:8] == b"\x89PNG\r\n\x1a\n" or raw[:3] == b"\xff\xd8\xff"):
        return 40009, "invalid image format"
    if body.get("md5") != hashlib.md5(raw).hexdigest():
        return 301019, "media md5 not match"
    return None


def simulate(db, clock: SimClock, *, limiter=None, max_rounds: int = 500, **run_kwargs) -> collections.Counter:
    """Run the worker until no robot delivery is left, jumping ``clock`` to the next due time
    instead of sleeping. Returns the summed counts of every pass (plus ``rounds``)."""
    from lib.pushes import wecom, worker

    limiter = limiter or wecom.RateLimiter()
    totals: collections.Counter = collections.Counter()
    for _ in range(max_rounds):
        totals["rounds"] += 1
        totals.update(worker.run_once(db, limiter=limiter, clock=clock, **run_kwargs))
        sending = db.execute("SELECT COUNT(*) FROM pushes WHERE state IN ('sending', 'scheduled')").fetchone()[0]
        if worker.pending(db) == 0 and sending == 0:
            return totals
        due = worker.next_due(db)
        if due is None:
            return totals
        clock.advance_to(max(due, clock() + 1))  # at least a second: a pass must change something
    raise AssertionError(f"the worker did not finish in {max_rounds} passes: {dict(totals)}")


@pytest.fixture
def fake_wecom() -> Iterator[FakeWeCom]:
    """A running fake robot server on the real clock (import it into a test module to use it)."""
    with FakeWeCom() as server:
        yield server
