"""The delivery worker: starts scheduled pushes and sends robot deliveries to WeCom group robots.

``make run`` starts it beside Streamlit (``python -m lib.pushes.worker``); it also runs alone::

    python -m lib.pushes.worker [--once] [--interval 2] [--concurrency 4]

It uses the database of ``PORTAL_DB`` (else ``data/portal.db``), logs to stdout, and on SIGTERM or
SIGINT finishes the messages in hand, hands the rest back to the queue and exits. After every pass
it checkpoints the database's write-ahead log (:func:`lib.core.db.checkpoint`), so the portal's requests
do not have to; once an hour it erases what senders gave of tips past their retention period
(:mod:`lib.tips.retention`), makes the day's backup if there is none yet (:mod:`lib.core.backups`),
prunes the public form's day-old rate-limit counts (:func:`lib.tips.intake_guard.prune`), archives appeals left open for 30 days (:func:`lib.pushes.appeals.expire`),
writes the duty checklist's snapshot of ended periods with their problems (:func:`lib.duty.snapshots.take`)
and escalates overdue problems (:func:`lib.duty.problems.escalate`); once a minute it recomputes open
problems and verifies those whose figure now meets the standard (:func:`lib.duty.problems.recheck_open`).

How a delivery travels (table ``deliveries``, channel ``wecom_webhook``):

1. **Claim.** In one ``BEGIN IMMEDIATE`` transaction a worker selects due rows — ``queued`` with
   ``next_attempt_at <= now``, or ``sending`` whose ``lease_until`` has passed (its worker died) —
   and sets them ``sending`` with a lease. The write lock makes the select-and-update atomic, so two
   workers never claim the same row; the lease value is the claim's token: every later write of
   the row checks it, so a worker that lost its row (lease expired, taken over) changes nothing.
2. **Send, part by part.** A push is one or more robot messages (:func:`lib.pushes.pushes.webhook_parts`:
   the markdown, then the poster). The worker sends part ``parts_sent`` and, once the robot
   accepted it, commits ``parts_sent + 1``; after the last part the row is ``sent``. A restart
   therefore resumes at the next part. Before each send the lease must have at least the HTTP
   timeout plus a margin left (it is renewed otherwise), so no other worker can take the row while
   a message is on the wire.
3. **The one window.** Between the robot's 200 and our commit of ``parts_sent + 1`` (a crash, a
   kill -9, a lost database write, or a timeout after the robot already took the message) the
   part is sent but not recorded; whoever resumes the row sends that part again. That is the only
   way a group gets a part twice; WeCom offers no idempotency key to close it.
4. **Errors.** Retryable (HTTP 5xx, timeouts, network, WeCom busy): ``attempts + 1`` and back to
   ``queued`` after ``min(30 s · 2^attempts, 30 min)`` (attempts counted before this one: 30 s,
   1 min, 2 min …). Frequency limit (our :class:`~lib.pushes.wecom.RateLimiter` says wait, or WeCom's
   45009): back to ``queued`` when the window frees, no attempt counted. Not retryable (invalid
   message, invalid webhook 93000), or the 6th failed attempt: the delivery falls back to the
   manual checklist (``channel = 'manual'``, ``state = 'queued'``, the error kept), audited; on
   93000 the group's ``webhook_state`` becomes ``broken`` (audited), so later pushes go manual.
5. **Finish.** Every push touched, and every ``sending`` push with no robot delivery left, goes
   through :func:`lib.pushes.pushes.finish_if_done`.

Time is injectable: ``now`` (ISO UTC) or ``clock`` (epoch seconds) for everything — due rows,
leases, back-off and the rate limiter — so tests and the bench simulate minutes without sleeping.
"""

from __future__ import annotations

import argparse
import collections
import logging
import math
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils

from lib.core import audit, backups, clock
from lib.core.db import checkpoint, connect, db_path, write_transaction
from lib.duty import problems, snapshots
from lib.pushes import appeals, pushes, wecom
from lib.tips import intake_guard, retention

log = logging.getLogger("portal.worker")

ISO = clock.STAMP
LEASE_S = 300.0
MAX_ATTEMPTS = 6
BACKOFF_BASE_S = 30.0
BACKOFF_MAX_S = 1800.0
BATCH = 50
# Robot calls in flight: each waits a round trip to WeCom (~30 ms from a bureau), so 2,700 groups × 2
# messages one at a time would take minutes; 16 keeps a 100 Mbps uplink busy (bench/delivery.py).
# Each robot's own limit (20 a minute) is kept by the RateLimiter whatever this is.
CONCURRENCY = 16
TIMEOUT_S = 10.0
LEASE_MARGIN_S = 30.0
INTERVAL_S = 2.0  # between passes; each pass ends with a WAL checkpoint (lib.core.db.checkpoint)
ERASE_EVERY_S = 3600.0  # tips past their retention period (lib.tips.retention) are erased hourly
RECHECK_EVERY_S = 60.0  # open duty problems are recomputed (lib.duty.problems.recheck_open) once a minute

Sender = Callable[..., wecom.SendResult]


def iso(t: float) -> str:
    """Epoch seconds → the ISO UTC text of every ``*_at`` column (whole seconds, rounded down)."""
    return datetime.fromtimestamp(math.floor(t), UTC).strftime(ISO)


def iso_ceil(t: float) -> str:
    """Like :func:`iso` but rounded up: a row due at 12.3 s must not be claimed at 12 s."""
    return datetime.fromtimestamp(math.ceil(t), UTC).strftime(ISO)


def epoch(text: str) -> float:
    """ISO UTC text → epoch seconds."""
    return datetime.strptime(text, ISO).replace(tzinfo=UTC).timestamp()


def backoff_s(attempts_before: int) -> float:
    """The wait after a failed attempt, given the attempts that failed before it."""
    return min(BACKOFF_BASE_S * 2 ** attempts_before, BACKOFF_MAX_S)


@dataclass
class _Job:
    """One claimed delivery in the worker's hands."""

    id: int
    push_id: int
    group_id: int
    url: str | None
    group_ok: bool
    parts_sent: int
    attempts: int
    lease: str  # the lease_until we wrote: our claim token

    @property
    def key(self) -> str:
        return wecom.robot_key(self.url or "")


def claim(db: sqlite_utils.Database, now: float, *, batch: int = BATCH, lease_s: float = LEASE_S) -> list[_Job]:
    """Claim up to ``batch`` due robot deliveries for this worker (one ``BEGIN IMMEDIATE``)."""
    now_iso, lease = iso(now), iso(now + lease_s)
    due = """SELECT id FROM deliveries WHERE channel = 'wecom_webhook' AND (
                 (state = 'queued' AND (next_attempt_at IS NULL OR next_attempt_at <= ?))
                 OR (state = 'sending' AND (lease_until IS NULL OR lease_until < ?)))"""
    # A plain read first: an idle worker polls every 2 s and must not take the write lock each time.
    if db.execute(due + " LIMIT 1", [now_iso, now_iso]).fetchone() is None:
        return []
    with write_transaction(db):
        # Read again under the write lock: another worker may have claimed the rows meanwhile.
        ids = [r[0] for r in db.execute(due + " ORDER BY next_attempt_at, id LIMIT ?", [now_iso, now_iso, int(batch)])]
        if not ids:
            return []
        marks = ", ".join("?" * len(ids))
        rows = db.execute(
            f"""SELECT d.id, d.push_id, d.group_id, d.state, d.parts_sent, d.attempts, c.webhook_url,
                       c.webhook_state, c.status
                FROM deliveries d JOIN chat_groups c ON c.id = d.group_id WHERE d.id IN ({marks})""",
            ids).fetchall()
        db.execute(f"UPDATE deliveries SET state = 'sending', lease_until = ? WHERE id IN ({marks})", [lease, *ids])
    jobs = []
    for did, push_id, group_id, state, parts_sent, attempts, url, webhook_state, status in rows:
        if state == "sending":
            log.warning("delivery %s: lease expired (a worker stopped); resuming at part %s", did, parts_sent + 1)
        jobs.append(_Job(did, push_id, group_id, url, bool(url) and webhook_state == "ok" and status == "active",
                         parts_sent, attempts, lease))
    jobs.sort(key=lambda j: j.id)
    return jobs


class _Run:
    """The state of one :func:`run_once`: counts, the messages of each push, the futures in flight."""

    def __init__(self, db, *, sender: Sender, limiter: wecom.RateLimiter, clock: Callable[[], float],
                 timeout: float, lease_s: float, parts_cache: dict):
        self.db, self.sender, self.limiter, self.clock = db, sender, limiter, clock
        self.timeout, self.lease_s, self.parts_cache = timeout, lease_s, parts_cache
        self.counts = collections.Counter()
        self.touched: set[int] = set()

    # --- the messages ---------------------------------------------------------------

    def parts(self, push_id: int) -> list[dict]:
        # Once a push is sending its content cannot change, so its messages (and the poster,
        # ~0.3 s to draw) are built once per push, not once per group.
        if push_id not in self.parts_cache:
            if len(self.parts_cache) > 32:
                self.parts_cache.clear()
            self.parts_cache[push_id] = pushes.webhook_parts(self.db, push_id)
        return self.parts_cache[push_id]

    def _call(self, url: str, payload: dict) -> wecom.SendResult:
        # Runs in a pool thread: no database access here, only the HTTP call.
        try:
            return self.sender(url, payload, timeout=self.timeout)
        except Exception as exc:  # a sender must not raise; if it does, treat it as transient
            log.exception("sender raised")
            return wecom.SendResult(False, None, f"sender error: {exc}", True, wecom.LOCAL_STATUS)

    # --- one job ----------------------------------------------------------------------

    def start(self, pool: ThreadPoolExecutor, job: _Job) -> Future | None:
        """Send the job's next part, or settle it without sending; the future of the send or None."""
        self.touched.add(job.push_id)
        if not job.group_ok:
            self.fall_back(job, "group has no working robot (webhook removed, broken or group archived)")
            return None
        try:
            parts = self.parts(job.push_id)
        except Exception as exc:  # a message that cannot be built will not build on retry either
            log.exception("push %s: cannot build its robot messages", job.push_id)
            self.fall_back(job, f"cannot build the message: {exc}")
            return None
        if job.parts_sent >= len(parts):
            self.mark_sent(job)
            return None
        now = self.clock()
        wait_s = self.limiter.acquire(job.key, now)
        if wait_s > 0:
            self.defer(job, now + wait_s)
            return None
        if epoch(job.lease) - now < self.timeout + LEASE_MARGIN_S and not self.renew(job, now):
            return None
        return pool.submit(self._call, job.url, parts[job.parts_sent])

    def finish(self, job: _Job, result: wecom.SendResult) -> bool:
        """Record the answer to the job's current part; True when the job has another part to send."""
        now = self.clock()
        total = len(self.parts(job.push_id))
        if result.ok:
            self.counts["parts_sent"] += 1
            last = job.parts_sent + 1 >= total
            with write_transaction(self.db):
                lease = None if last else iso(now + self.lease_s)
                cursor = self.db.execute(
                    "UPDATE deliveries SET parts_sent = parts_sent + 1, last_attempt_at = ?, lease_until = ?,"
                    " state = ?, sent_at = CASE WHEN ? THEN ? ELSE sent_at END,"
                    " error = CASE WHEN ? THEN NULL ELSE error END"
                    " WHERE id = ? AND state = 'sending' AND lease_until = ? AND parts_sent = ?",
                    [iso(now), lease, "sent" if last else "sending", last, iso(now), last, job.id, job.lease,
                     job.parts_sent])
            if cursor.rowcount != 1:
                self.lost(job, f"part {job.parts_sent + 1} was sent")
                return False
            job.parts_sent += 1
            if last:
                self.counts["delivered"] += 1
                return False
            job.lease = lease
            return True
        error = f"part {job.parts_sent + 1}/{total}: {result.describe()}"
        if result.rate_limited:
            # Another process (or WeCom's own count) filled the window: wait it out, no attempt spent.
            self.defer(job, now + self.limiter.block(job.key, now))
        elif result.retryable and job.attempts + 1 < MAX_ATTEMPTS:
            self.retry(job, now, error)
        else:
            if result.retryable:
                error += f" (gave up after {MAX_ATTEMPTS} attempts)"
            self.fall_back(job, error, attempts=job.attempts + 1, broken=result.webhook_broken)
        return False

    # --- writes, each checked against the claim token -----------------------------------

    def _update(self, job: _Job, sql_set: str, params: list) -> bool:
        cursor = self.db.execute(f"UPDATE deliveries SET {sql_set} WHERE id = ? AND state = 'sending'"
                                 " AND lease_until = ?", [*params, job.id, job.lease])
        return cursor.rowcount == 1

    def lost(self, job: _Job, what: str) -> None:
        self.counts["lost"] += 1
        log.error("delivery %s: %s but another worker holds the row now (lease expired mid-send)", job.id, what)

    def renew(self, job: _Job, now: float) -> bool:
        lease = iso(now + self.lease_s)
        with write_transaction(self.db):
            ok = self._update(job, "lease_until = ?", [lease])
        if ok:
            job.lease = lease
        else:
            self.lost(job, "renewing its lease failed")
        return ok

    def mark_sent(self, job: _Job) -> None:
        now = iso(self.clock())
        with write_transaction(self.db):
            if self._update(job, "state = 'sent', lease_until = NULL, sent_at = ?", [now]):
                self.counts["delivered"] += 1

    def defer(self, job: _Job, until: float) -> None:
        with write_transaction(self.db):
            moved = self._update(job, "state = 'queued', lease_until = NULL, next_attempt_at = ?", [iso_ceil(until)])
        if not moved:  # the pass log must say what happened to the row: nothing, another worker has it
            self.lost(job, "deferring it failed")
            return
        self.counts["deferred"] += 1

    def release(self, job: _Job) -> None:
        """Hand an unfinished job back to the queue at once (a clean stop), keeping ``parts_sent``."""
        with write_transaction(self.db):
            self._update(job, "state = 'queued', lease_until = NULL", [])
        self.counts["released"] += 1

    def retry(self, job: _Job, now: float, error: str) -> None:
        delay = backoff_s(job.attempts)
        with write_transaction(self.db):
            moved = self._update(job, "state = 'queued', lease_until = NULL, attempts = attempts + 1, error = ?,"
                                      " last_attempt_at = ?, next_attempt_at = ?",
                                 [error, iso(now), iso_ceil(now + delay)])
        if not moved:
            self.lost(job, "queueing its retry failed")
            return
        self.counts["retried"] += 1
        log.warning("delivery %s: %s; retry %s in %.0f s", job.id, error, job.attempts + 1, delay)

    def fall_back(self, job: _Job, error: str, *, attempts: int | None = None, broken: bool = False) -> None:
        """Give the delivery to the manual checklist (the station posts it by hand); on an invalid
        webhook also mark the group's robot broken so later pushes go manual from the start."""
        now = iso(self.clock())
        with write_transaction(self.db):
            moved = self._update(job, "channel = 'manual', state = 'queued', lease_until = NULL,"
                                      " next_attempt_at = NULL, error = ?, attempts = ?, last_attempt_at = ?",
                                 [error, job.attempts if attempts is None else attempts, now])
            if not moved:
                self.lost(job, "falling back to manual failed")
                return
            # The row passes through 'failed' in meaning only: stored as manual + queued, the
            # station's checklist shows that the group still lacks the push.
            audit.record(self.db, None, "robot_failed", "deliveries", job.id,
                         before={"channel": "wecom_webhook", "state": "sending"},
                         after={"channel": "manual", "state": "queued", "error": error})
            if broken and self.db.execute(
                    "UPDATE chat_groups SET webhook_state = 'broken', updated_at = ? WHERE id = ?"
                    " AND webhook_state = 'ok'", [now, job.group_id]).rowcount:
                audit.record(self.db, None, "webhook_broken", "chat_groups", job.group_id,
                             before={"webhook_state": "ok"}, after={"webhook_state": "broken", "error": error})
                self.counts["broken"] += 1
        self.counts["fallback"] += 1
        log.warning("delivery %s (group %s): %s; moved to the manual checklist", job.id, job.group_id, error)

    # --- the batch ----------------------------------------------------------------------

    def process(self, jobs: list[_Job], *, concurrency: int, stop: threading.Event | None) -> None:
        """Send the jobs' parts, ``concurrency`` HTTP calls at a time; database writes stay in this
        thread (one connection, no sharing). Parts of one delivery go in order, one at a time."""
        pending = collections.deque(jobs)
        in_flight: dict[Future, _Job] = {}
        with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="wecom") as pool:
            while pending or in_flight:
                while pending and len(in_flight) < concurrency and not (stop and stop.is_set()):
                    job = pending.popleft()
                    future = self.start(pool, job)
                    if future is not None:
                        in_flight[future] = job
                if not in_flight:
                    break
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    job = in_flight.pop(future)
                    if self.finish(job, future.result()):
                        pending.appendleft(job)  # its next part, before other groups' first
        for job in pending:  # only after a stop: the rest go back to the queue, due at once
            self.release(job)


def run_once(db: sqlite_utils.Database, *, sender: Sender = wecom.send, limiter: wecom.RateLimiter | None = None,
             now: str | None = None, clock: Callable[[], float] | None = None, stop: threading.Event | None = None,
             concurrency: int = CONCURRENCY, batch: int = BATCH, lease_s: float = LEASE_S,
             timeout: float = TIMEOUT_S, parts_cache: dict | None = None) -> dict:
    """One pass: start due scheduled pushes, send every robot delivery due now, finish pushes.

    ``now`` (ISO UTC) fixes the time of the whole pass; ``clock`` (epoch seconds) lets it move;
    neither: the real clock. ``limiter`` should live as long as the worker (it remembers the last
    minute of messages per robot). ``stop`` is checked before each message. Returns counts:
    started, claimed, parts_sent, delivered, deferred, retried, fallback, broken, released, lost, finished.
    """
    if clock is None:
        fixed = epoch(now) if now else None
        clock = (lambda: fixed) if fixed is not None else time.time
    run = _Run(db, sender=sender, limiter=limiter or wecom.RateLimiter(), clock=clock, timeout=timeout,
               lease_s=lease_s, parts_cache={} if parts_cache is None else parts_cache)
    run.counts["started"] = len(pushes.start_due(db, iso(clock())))
    while not (stop and stop.is_set()):
        jobs = claim(db, clock(), batch=batch, lease_s=lease_s)
        if not jobs:
            break
        run.counts["claimed"] += len(jobs)
        run.process(jobs, concurrency=concurrency, stop=stop)
    # Pushes with no robot delivery left (all manual, or finished by a worker that then died).
    idle = [r[0] for r in db.execute(
        "SELECT p.id FROM pushes p WHERE p.state = 'sending' AND NOT EXISTS (SELECT 1 FROM deliveries d"
        " WHERE d.push_id = p.id AND d.channel = 'wecom_webhook' AND d.state IN ('queued', 'sending'))")]
    for push_id in sorted(run.touched | set(idle)):
        if pushes.finish_if_done(db, push_id):
            run.counts["finished"] += 1
    return dict(run.counts)


def next_due(db: sqlite_utils.Database) -> float | None:
    """Epoch seconds of the next thing the worker will have to do (a queued robot delivery, an
    expired lease, a scheduled push), or None when nothing is waiting."""
    times = db.execute(
        """SELECT MIN(t) FROM (
               SELECT MIN(next_attempt_at) AS t FROM deliveries WHERE channel = 'wecom_webhook' AND state = 'queued'
               UNION ALL SELECT MIN(lease_until) FROM deliveries WHERE channel = 'wecom_webhook' AND state = 'sending'
               UNION ALL SELECT MIN(scheduled_for) FROM pushes WHERE state = 'scheduled')""").fetchone()[0]
    return epoch(times) if times else None


def pending(db: sqlite_utils.Database) -> int:
    """Robot deliveries not settled yet (queued or sending)."""
    return db.execute("SELECT COUNT(*) FROM deliveries WHERE channel = 'wecom_webhook'"
                      " AND state IN ('queued', 'sending')").fetchone()[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lib.pushes.worker", description=__doc__.split("\n\n")[0])
    parser.add_argument("--once", action="store_true", help="one pass, then exit")
    parser.add_argument("--interval", type=float, default=INTERVAL_S,
                        help=f"seconds between passes (default {INTERVAL_S:g})")
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY, help="robot calls in parallel")
    args = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stdout, level=logging.INFO,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    stop = threading.Event()

    def on_signal(signum, _frame):
        log.info("signal %s: finishing the messages in hand, then stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    db = connect(db_path())
    log.info("worker started on %s (pid %s)", db_path(), os.getpid())
    limiter, parts_cache = wecom.RateLimiter(), {}
    next_erase = next_recheck = 0.0
    try:
        while True:
            try:
                counts = run_once(db, limiter=limiter, stop=stop, concurrency=args.concurrency,
                                  parts_cache=parts_cache)
                if time.time() >= next_erase:
                    next_erase = time.time() + ERASE_EVERY_S
                    erased = retention.erase_expired_tips(db)
                    if erased["tips"]:
                        log.info("retention: erased %s tips, deleted %s photos", erased["tips"], erased["files"])
                    made = backups.daily_backup(db)
                    if made:
                        log.info("backup: %s (keeping the newest %s)", made, backups.keep())
                    intake_guard.prune(db)
                    expired = appeals.expire(db)
                    if expired:
                        log.info("appeals: archived %s appeals unclosed after %s days", len(expired),
                                 appeals.ACTIVE_DAYS)
                    taken = snapshots.take(db)
                    if taken["periods"]:
                        log.info("duty: %s ended periods written, %s problems raised", taken["periods"],
                                 taken["raised"])
                    escalated = problems.escalate(db)
                    if escalated:
                        log.info("duty: %s overdue problems escalated to the linkage center", escalated)
                if time.time() >= next_recheck:
                    next_recheck = time.time() + RECHECK_EVERY_S
                    verified = problems.recheck_open(db)
                    if verified:
                        log.info("duty: %s problems verified by their figures", verified)
                # The portal's own connections leave the write-ahead log to this process (see
                # lib.core.db.WAL_AUTOCHECKPOINT_PAGES): senders never wait for a checkpoint.
                checkpoint(db)
            except Exception:
                # A busy or failing database must not end the worker beside a running portal:
                # claimed rows keep their lease and are taken up again when it expires.
                log.exception("pass failed")
                if args.once:
                    return 1
                counts = {}
            if any(counts.values()):
                log.info("pass: %s", ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if v))
            if args.once or stop.is_set():
                break
            stop.wait(args.interval)
            if stop.is_set():
                break
            limiter.forget(time.time() - 2 * wecom.RATE_WINDOW_S)
    finally:
        db.close()
    log.info("worker stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
