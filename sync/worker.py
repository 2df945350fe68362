"""Delivery workers: claim due outbox rows under a lease, run their handlers, record what happened.

Any number of workers may run at once (``caregiving sync --worker`` processes, the scheduler's own
delivery job): claims use ``SELECT ... FOR UPDATE SKIP LOCKED`` where the database has it, and a
worker that dies leaves rows whose lease lapses, to be claimed again and resolved by lookup.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import DatabaseError, close_old_connections, connection, transaction
from django.utils import timezone

from caregiving_course.learner_record import outbox
from caregiving_course.learner_record.delivery import records_at_once, registered_kinds
from sync import delivery, wakeup
from sync.delivery import DEAD, DELIVERED, RETRYING, SKIPPED, Outcome, RetryPolicy

log = logging.getLogger(__name__)

DEFAULT_BATCH = 20
DEFAULT_LEASE_SECONDS = 120
FLUSH_SECONDS = 1.0  # record successes at least this often (one commit for many)
LEASE_MARGIN_SECONDS = 30  # do not start an item with less than this (or a third of the lease) left


def worker_name(prefix: str = "worker") -> str:
    return f"{prefix}:{socket.gethostname()[:20]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class Summary:
    """What a run did, by outcome and by kind; ``failures`` keeps the last answers for the report."""

    outcomes: Counter = field(default_factory=Counter)
    by_kind: dict[str, Counter] = field(default_factory=dict)
    failures: list[Outcome] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        self.outcomes[outcome.status] += 1
        self.by_kind.setdefault(outcome.kind, Counter())[outcome.status] += 1
        if outcome.status in (RETRYING, DEAD) and len(self.failures) < 50:
            self.failures.append(outcome)

    @property
    def delivered(self) -> int:
        return self.outcomes[DELIVERED]

    @property
    def failed(self) -> int:
        return self.outcomes[RETRYING] + self.outcomes[DEAD] + self.outcomes[SKIPPED]

    @property
    def total(self) -> int:
        return sum(self.outcomes.values())


def _record_done(done: list[tuple[int, dict]]) -> None:
    """Commit the recorded successes together (one commit, one disk flush, for the lot).

    One success (the last of a batch of a kind recorded at once, such as LTI scores: the others are recorded with
    the next attempt, see ``outbox.start_attempt``) is one statement, which commits by itself in autocommit mode.
    """
    if len(done) == 1 and connection.get_autocommit():
        outbox.complete(*done[0])
    elif done:
        with transaction.atomic():
            for entry_id, result in done:
                outbox.complete(entry_id, result)
    done.clear()


def _hand_back(entries: list, owner: str) -> None:
    """Release rows this worker claimed and never started (best effort: the database may still be failing)."""
    try:
        for entry in entries:
            outbox.reschedule(entry.id, timezone.now(), "", owner=owner)
    except DatabaseError:
        log.warning("sync worker %s: could not hand back %d claimed rows; their lease will lapse", owner,
                    len(entries))


class Worker:
    """Claims and delivers outbox rows of the kinds that have handlers in this process."""

    def __init__(self, name: str | None = None, *, batch: int = DEFAULT_BATCH,
                 lease_seconds: int = DEFAULT_LEASE_SECONDS, policy: RetryPolicy | None = None,
                 kinds: list[str] | None = None):
        self.name = name or worker_name()
        self.batch, self.lease_seconds = batch, lease_seconds
        self.policy = policy or RetryPolicy()
        self.kinds = kinds

    def _kinds(self) -> list[str]:
        return self.kinds if self.kinds is not None else registered_kinds()

    def run_batch(self, summary: Summary, on_outcome: Callable[[Outcome], None] | None = None) -> int:
        """Claim one batch and deliver it; returns how many rows were claimed (0: nothing due)."""
        kinds = self._kinds()
        if not kinds:
            return 0
        claimed = outbox.claim(self.name, limit=self.batch, lease_seconds=self.lease_seconds, kinds=kinds)
        delivery.prepare_batch(claimed)
        deadline = time.monotonic() + self.lease_seconds - min(LEASE_MARGIN_SECONDS, self.lease_seconds / 3)
        done: list[tuple[int, dict]] = []
        flushed_at = time.monotonic()
        started = 0
        try:
            for i, entry in enumerate(claimed):
                started = i
                if time.monotonic() > deadline:
                    for rest in claimed[i:]:  # lease nearly over: hand the rest back rather than race a new holder
                        outbox.reschedule(rest.id, timezone.now(), "lease ran short; handed back", owner=self.name)
                    break
                if done and entry.kind != claimed[i - 1].kind:
                    _record_done(done)  # a delivery may wait on one of another kind (a revoke on its issue)
                    flushed_at = time.monotonic()
                at_once = records_at_once(entry.kind)  # settled with the next attempt, before its request
                outcome = delivery.deliver(entry, self.policy, lambda entry_id, result: done.append((entry_id, result)),
                                           settle=done if at_once else None)
                summary.add(outcome)
                if on_outcome:
                    on_outcome(outcome)
                if done and not at_once and time.monotonic() - flushed_at > FLUSH_SECONDS:
                    _record_done(done)
                    flushed_at = time.monotonic()
        except DatabaseError:  # the database failed us mid-batch: rows not started need not wait out the lease
            _hand_back(claimed[started:], self.name)
            raise
        finally:
            _record_done(done)
        return len(claimed)

    def drain(self, summary: Summary | None = None, *, on_outcome: Callable[[Outcome], None] | None = None,
              stop: threading.Event | None = None) -> Summary:
        """Deliver everything due now (including rows that fall due while draining)."""
        summary = summary or Summary()
        while not (stop and stop.is_set()) and self.run_batch(summary, on_outcome):
            pass
        return summary

    def run_forever(self, stop: threading.Event, *, idle_seconds: float = 1.0,
                    on_outcome: Callable[[Outcome], None] | None = None) -> Summary:
        """The ``--worker`` loop: deliver, then wait while idle until woken (a commit that queued deliveries,
        :mod:`sync.wakeup`) or ``idle_seconds`` pass, until ``stop`` is set."""
        summary = Summary()
        wakeup.listen(stop)
        while not stop.is_set():
            try:
                claimed = self.run_batch(summary, on_outcome)
            except DatabaseError:  # the database went away for a moment: what was claimed stays leased, then lapses
                log.exception("sync worker %s: database error; pausing", self.name)
                claimed = 0
            finally:
                if not connection.in_atomic_block:  # drop a broken or old connection between batches
                    close_old_connections()
            if not claimed and not stop.is_set():
                wakeup.wait(idle_seconds)
        return summary
