"""When the sync work runs: APScheduler jobs, led by one process at a time.

Jobs: evaluate awards for learners with new activity, deliver the outbox (at once when a commit queues
something, :mod:`sync.wakeup`, and every few seconds as a safety net), refresh what expires
(platform access tokens; the built-in issuer's status lists). Several schedulers may be started
(one per ``serve`` process, say); the one holding the :class:`LeaderLease` row runs the jobs and
the others wait for its lease to lapse. Delivery itself is safe in any number of processes.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from caregiving_course.learner_record import api, outbox
from sync import config, wakeup
from sync.delivery import DELIVERED, RETRYING, WAITING, Outcome
from sync.models import LeaderLease, SyncCursor
from sync.worker import Summary, Worker, worker_name

log = logging.getLogger(__name__)

LEADER = "scheduler"
EVALUATE_CURSOR = "evaluate"
CURSOR_OVERLAP = dt.timedelta(minutes=2)
RETRIES_AFTER_ERROR = 5  # re-read a little of the past: transactions commit late


def _env_seconds(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass(frozen=True)
class Intervals:
    """Seconds between runs of each job (flags, else ``CAREGIVING_SYNC_*_SECONDS``, else the defaults)."""

    evaluate: float = 300.0
    deliver: float = 5.0
    refresh: float = 300.0
    lease: float = 60.0

    @classmethod
    def from_env(cls) -> Intervals:
        return cls(evaluate=_env_seconds("CAREGIVING_SYNC_EVALUATE_SECONDS", 300.0),
                   deliver=_env_seconds("CAREGIVING_SYNC_DELIVER_SECONDS", 5.0),
                   refresh=_env_seconds("CAREGIVING_SYNC_REFRESH_SECONDS", 300.0),
                   lease=_env_seconds("CAREGIVING_SYNC_LEADER_SECONDS", 60.0))


class Leadership:
    """A database lease naming the one scheduler that runs jobs; works on SQLite, PostgreSQL and MySQL."""

    def __init__(self, holder: str, seconds: float, name: str = LEADER):
        self.holder, self.seconds, self.name = holder[:128], seconds, name

    def hold(self) -> bool:
        """Take or renew the lease; False while another live holder has it."""
        now = timezone.now()
        until = now + dt.timedelta(seconds=self.seconds)
        if LeaderLease.objects.filter(name=self.name).filter(Q(holder=self.holder) | Q(expires_at__lt=now)).update(
                holder=self.holder, expires_at=until):
            return True
        try:
            with transaction.atomic():
                LeaderLease.objects.create(name=self.name, holder=self.holder, expires_at=until)
            return True
        except IntegrityError:
            return False

    def release(self) -> None:
        LeaderLease.objects.filter(name=self.name, holder=self.holder).update(expires_at=timezone.now())


def release_connection() -> None:
    """Drop this thread's database connection if it is broken or old (never inside a transaction)."""
    from django.db import close_old_connections, connection

    if not connection.in_atomic_block:
        close_old_connections()


AFTER_EVALUATION: list = []  # callables an installed channel adds in its AppConfig.ready (sync.xapi: queue_new)


def evaluate_awards(batch: int = 500) -> int:
    """Award what learners with new activity now meet; returns how many awards were made."""
    started = timezone.now()
    cursor = SyncCursor.objects.filter(name=EVALUATE_CURSOR).first()
    since = cursor.value - CURSOR_OVERLAP if cursor else dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    ids = api.learners_active_since(since)
    made = 0
    for i in range(0, len(ids), batch):
        made += len(api.evaluate_many(ids[i:i + batch]))
    SyncCursor.objects.update_or_create(name=EVALUATE_CURSOR, defaults={"value": started})
    for follow_up in AFTER_EVALUATION:  # e.g. the xAPI statements of new records, when that app is installed
        follow_up()
    return made


def refresh_expiring() -> list[str]:
    """Renew access tokens about to expire and let the built-in issuer refresh its status lists."""
    done = []
    for backend in config.configured_backends():
        try:
            line = backend.refresh()
        except Exception as exc:  # one platform's outage must not stop the others' refresh
            line = f"{backend.name}: refresh failed: {exc}"
            log.warning(line)
        if line:
            done.append(line)
    return done


def due_count() -> int:
    from caregiving_course.learner_record.delivery import registered_kinds

    return outbox.due_count(registered_kinds())


def next_due_within(seconds: float) -> bool:
    """Whether a pending delivery falls due within ``seconds`` (``--once --max-wait``)."""
    return outbox.any_due_within(seconds)


@dataclass
class OnceResult:
    """What ``caregiving sync --once`` did: awards made, deliveries by final outcome, refreshes."""

    awarded: int
    summary: Summary
    final: dict[int, Outcome]
    refreshed: list[str]

    failing: int = 0

    @property
    def all_delivered(self) -> bool:
        return all(o.status == DELIVERED for o in self.final.values())

    @property
    def ok(self) -> bool:
        """The exit status for cron: True when everything due was delivered or is legitimately waiting (for
        another delivery); False when anything failed in this run or any delivery is overdue (its last attempt,
        in this run or an earlier one, failed and it waits out a back-off)."""
        return self.failing == 0 and all(o.status in (DELIVERED, WAITING) for o in self.final.values())


def run_once(*, worker: Worker | None = None, max_wait: float = 0.0, evaluate: bool = True,
             on_outcome=None) -> OnceResult:
    """Do all due work once: evaluate, deliver everything due (waiting up to ``max_wait`` seconds for
    retries that fall due meanwhile), refresh what expires."""
    worker = worker or Worker(worker_name("once"))
    awarded = evaluate_awards() if evaluate else 0
    refreshed = refresh_expiring()
    summary, final = Summary(), {}

    def record(outcome: Outcome) -> None:
        final[outcome.entry_id] = outcome
        if on_outcome:
            on_outcome(outcome)

    deadline = time.monotonic() + max_wait
    while True:
        worker.drain(summary, on_outcome=record)
        left = deadline - time.monotonic()
        if left <= 0 or not any(o.status in (RETRYING, WAITING) for o in final.values()) \
                or not next_due_within(left):
            break
        time.sleep(min(0.25, left))
    return OnceResult(awarded, summary, final, refreshed, outbox.failing_count(worker.kinds))


class Scheduler:
    """The jobs on an APScheduler instance, each run only while this process leads."""

    def __init__(self, scheduler, intervals: Intervals, worker: Worker | None = None):
        self.aps, self.intervals = scheduler, intervals
        self.worker = worker or Worker(worker_name("scheduler"))
        self.leader = Leadership(self.worker.name, intervals.lease)
        self.stop = threading.Event()
        self._delivering = threading.Lock()
        self._again = threading.Event()
        self._timer: threading.Timer | None = None
        self._timer_lock = threading.Lock()
        every = {"evaluate": intervals.evaluate, "deliver": intervals.deliver, "refresh": intervals.refresh}
        jobs = {"evaluate": self.evaluate, "deliver": self.deliver, "refresh": self.refresh}
        for job_id, fn in jobs.items():
            self.aps.add_job(fn, "interval", seconds=every[job_id], id=f"sync.{job_id}", max_instances=1,
                             coalesce=True, next_run_time=timezone.now())

    def _leading(self) -> bool:
        return self.leader.hold()

    def _run(self, name: str, fn) -> bool:
        """Run ``fn`` if this process leads; False when it could not run (the database busy or away)."""
        try:
            if self._leading():
                result = fn()
                log.info("sync %s: %s", name, result)
            return True
        except Exception:
            log.exception("sync %s failed", name)
            return False
        finally:
            release_connection()

    def evaluate(self) -> None:
        self._run("evaluate", evaluate_awards)

    def deliver(self) -> None:
        """Drain the outbox; a call while a drain runs makes that drain go round once more instead."""
        self._again.set()
        while self._again.is_set() and self._delivering.acquire(blocking=False):
            try:
                failures = 0
                while self._again.is_set() and not self.stop.is_set():
                    self._again.clear()
                    if not self._run("deliver", lambda: self.worker.drain(Summary(), stop=self.stop).outcomes):
                        failures += 1
                        if failures <= RETRIES_AFTER_ERROR:  # a wake-up is not left to the poll for a busy moment
                            self._again.set()
                            self.stop.wait(0.2 * failures)
            finally:
                self._delivering.release()
        self._wake_when_due()

    def _wake_when_due(self) -> None:
        """A retry that falls due before the next poll wakes delivery at its time, not at the poll's."""
        try:
            at = outbox.next_due_at(self.worker.kinds)
        except Exception:
            log.exception("sync scheduler: cannot read when the next retry falls due")
            return
        finally:
            release_connection()
        wait = (at - timezone.now()).total_seconds() if at is not None else None
        if wait is None or wait >= self.intervals.deliver or self.stop.is_set():
            return
        with self._timer_lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(max(0.0, wait) + 0.05, wakeup.wake)
            self._timer.daemon = True
            self._timer.start()

    def start_waking(self) -> None:
        """Deliver as soon as a commit queues something (:mod:`sync.wakeup`), besides the ``deliver`` poll."""
        wakeup.listen(self.stop)
        threading.Thread(target=self._wake_loop, name="sync-wake", daemon=True).start()

    def _wake_loop(self) -> None:
        while not self.stop.is_set():
            if wakeup.wait(1.0) and not self.stop.is_set():
                self.deliver()

    def refresh(self) -> None:
        self._run("refresh", refresh_expiring)

    def shutdown(self) -> None:
        self.stop.set()
        wakeup.wake()
        if self.aps.running:
            self.aps.shutdown(wait=True)
        try:
            self.leader.release()
        except Exception:
            log.exception("sync scheduler: could not release the leader lease")


def run_blocking(intervals: Intervals) -> None:
    """``caregiving sync``: run the scheduler in the foreground until interrupted."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    sched = Scheduler(BlockingScheduler(timezone=dt.UTC), intervals)
    try:
        sched.start_waking()
        sched.aps.start()
    finally:
        sched.shutdown()


_embedded: Scheduler | None = None
_embedded_lock = threading.Lock()


def start_embedded(intervals: Intervals | None = None) -> Scheduler:
    """Start the scheduler in the background of this process (``caregiving serve``); once per process.

    ``CAREGIVING_SYNC_EMBEDDED=0`` leaves it off (when separate ``caregiving sync`` processes run).
    """
    global _embedded
    from apscheduler.schedulers.background import BackgroundScheduler

    with _embedded_lock:
        if _embedded is None:
            sched = Scheduler(BackgroundScheduler(timezone=dt.UTC, daemon=True), intervals or Intervals.from_env())
            if os.environ.get("CAREGIVING_SYNC_EMBEDDED", "1") != "0":
                sched.aps.start()
                sched.start_waking()
            _embedded = sched
        return _embedded


def stop_embedded() -> None:
    global _embedded
    with _embedded_lock:
        if _embedded is not None:
            _embedded.shutdown()
            _embedded = None
