"""Delivery workers: claim due outbox rows under a lease, run their handlers, record what happened.

Any number of workers may run at once (``caregiving sync --worker`` processes, the scheduler's own
delivery job): claims use ``SELECT ... FOR UPDATE SKIP LOCKED`` where the database has it, and a
worker that dies leaves rows whose lease lapses, to be claimed again and resolved by lookup.

Within a batch, a run of rows of a kind recorded at once (LTI scores) is pipelined: each row's attempt is
committed, with the successes so far, while the previous row's request is at the platform (:mod:`sync.pipeline`),
so a score costs its round trip and not a round trip plus a commit. Rows of other kinds are delivered as before:
the attempt committed, then the request; successes recorded together, at least every ``FLUSH_SECONDS``.

A worker claims ``batch`` rows at a time, twice as many after each full batch delivered within a second (up to
``MAX_BATCH_FACTOR`` times): quick deliveries cost fewer claims, and slow ones are not held by one worker.
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

from django.db import DEFAULT_DB_ALIAS, DatabaseError, close_old_connections, connection, connections, transaction
from django.utils import timezone

from caregiving_course.learner_record import delivery as contract
from caregiving_course.learner_record import outbox
from caregiving_course.learner_record.delivery import records_at_once, registered_kinds
from sync import delivery, wakeup
from sync.delivery import DEAD, DELIVERED, RETRYING, SKIPPED, Outcome, RetryPolicy
from sync.pipeline import NextAttempt

log = logging.getLogger(__name__)

DEFAULT_BATCH = 20
GROW_UNDER_SECONDS = 1.0  # a full batch delivered faster than this: claim twice as many next time
MAX_BATCH_FACTOR = 5  # up to this many times the batch (quick deliveries such as LTI scores)
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
        kind = self.by_kind.get(outcome.kind)
        if kind is None:
            kind = self.by_kind[outcome.kind] = Counter()
        kind[outcome.status] += 1
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
    a later attempt, see ``outbox.start_attempt``) is one statement, which commits by itself in autocommit mode.
    """
    if len(done) == 1 and connection.get_autocommit():
        outbox.complete(*done[0])
    elif done:
        with transaction.atomic():
            for entry_id, result in done:
                outbox.complete(entry_id, result)
    done.clear()


def _hand_back(entries: list, owner: str, counted_ahead: int | None = None) -> None:
    """Release the rows of a batch the database failed in (best effort: it may still be failing); the row whose
    attempt was counted ahead and that was never sent (``counted_ahead``, its id) has that attempt taken back."""
    try:
        for entry in entries:
            outbox.reschedule(entry.id, timezone.now(), "", owner=owner, attempted=entry.id != counted_ahead)
    except DatabaseError:
        log.warning("sync worker %s: could not hand back %d claimed rows; their lease will lapse", owner,
                    len(entries))


def _next_of_run(claimed: list, i: int):
    """The entry after ``claimed[i]`` when it is of the same kind (recorded at once, as ``claimed[i]`` is)."""
    if i + 1 < len(claimed) and claimed[i + 1].kind == claimed[i].kind:
        return claimed[i + 1]
    return None


class Worker:
    """Claims and delivers outbox rows of the kinds that have handlers in this process."""

    def __init__(self, name: str | None = None, *, batch: int = DEFAULT_BATCH,
                 lease_seconds: int = DEFAULT_LEASE_SECONDS, policy: RetryPolicy | None = None,
                 kinds: list[str] | None = None):
        self.name = name or worker_name()
        self.batch, self.lease_seconds = batch, lease_seconds
        self.claim_size = batch  # grows while full batches go quickly (:meth:`_grow_or_reset`)
        self.policy = policy or RetryPolicy()
        self.kinds = kinds

    def _kinds(self) -> list[str]:
        return self.kinds if self.kinds is not None else registered_kinds()

    def run_batch(self, summary: Summary, on_outcome: Callable[[Outcome], None] | None = None) -> int:
        """Claim one batch and deliver it; returns how many rows were claimed (0: nothing due).

        In a run of entries of a kind recorded at once, each entry's attempt is committed during the previous
        entry's request (:mod:`sync.pipeline`)."""
        kinds = self._kinds()
        if not kinds:
            return 0
        began, limit = time.monotonic(), self.claim_size
        claimed = outbox.claim(self.name, limit=limit, lease_seconds=self.lease_seconds, kinds=kinds)
        delivery.prepare_batch(claimed)
        deadline = time.monotonic() + self.lease_seconds - min(LEASE_MARGIN_SECONDS, self.lease_seconds / 3)
        done: list[tuple[int, dict]] = []
        db = connections[DEFAULT_DB_ALIAS]  # this thread's connection, looked up once

        def record_done(entry_id: int, result: dict) -> None:
            done.append((entry_id, result))

        flushed_at = time.monotonic()
        started = 0
        ahead: NextAttempt | None = None  # the attempt of ``claimed[started]``, tried during the previous wait
        unsent: int | None = None  # the row whose attempt was counted ahead, not yet given to its handler
        try:
            for i, entry in enumerate(claimed):
                started = i
                if time.monotonic() > deadline:  # lease nearly over: hand the rest back rather than race a new holder
                    for rest in claimed[i:]:
                        outbox.reschedule(rest.id, timezone.now(), "lease ran short; handed back", owner=self.name,
                                          attempted=rest.id != unsent)
                    unsent = None
                    break
                if done and entry.kind != claimed[i - 1].kind:
                    _record_done(done)  # a delivery may wait on one of another kind (a revoke on its issue)
                    flushed_at = time.monotonic()
                at_once = records_at_once(entry.kind)  # settled with a later attempt, before its request
                nxt = _next_of_run(claimed, i) if at_once else None
                following = NextAttempt(nxt, done, db, deadline, time.monotonic) if nxt is not None else None
                if ahead is not None and ahead.counted is False:
                    outcome = delivery.lapsed(entry)
                else:
                    counted, unsent = unsent == entry.id, None
                    contract.use_wait(following)
                    try:
                        outcome = delivery.deliver(entry, self.policy, record_done, settle=done if at_once else None,
                                                   counted=counted)
                    finally:
                        contract.use_wait(None)
                        if following is not None and following.counted:
                            unsent = following.entry.id
                ahead = following if following is not None and following.tried else None
                summary.add(outcome)
                if on_outcome:
                    on_outcome(outcome)
                if ahead is not None and ahead.error is not None:
                    started = i + 1
                    raise ahead.error
                if done and not at_once and time.monotonic() - flushed_at > FLUSH_SECONDS:
                    _record_done(done)
                    flushed_at = time.monotonic()
        except DatabaseError:  # the database failed us mid-batch: rows not sent need not wait out the lease
            _hand_back(claimed[started:], self.name, unsent)
            raise
        finally:
            _record_done(done)
            self._grow_or_reset(len(claimed) == limit, time.monotonic() - began)
        return len(claimed)

    def _grow_or_reset(self, full: bool, seconds: float) -> None:
        """Claim more rows at a time while full batches go quickly (fewer claims per delivery), and fall back to
        the batch size when one is slow: a worker does not hold many slow rows that other workers could take."""
        if seconds >= GROW_UNDER_SECONDS:
            self.claim_size = self.batch
        elif full:
            self.claim_size = min(self.claim_size * 2, self.batch * MAX_BATCH_FACTOR)

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
