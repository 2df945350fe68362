"""Delivery policy for the outbox: running the registered handlers, and what to do when one fails.

The contract a channel delivers through (the handler registry, :class:`~caregiving_course.learner_record.delivery.
RetryLater` and :class:`~caregiving_course.learner_record.delivery.Permanent`) belongs to the record's outbox, in
:mod:`caregiving_course.learner_record.delivery`. This module runs a claimed entry's handler and applies the policy:
retries back off exponentially with full jitter, never sooner than ``Retry-After``; after ``max_attempts`` the
entry is dead-lettered with the last answer, for ``caregiving sync status`` and ``caregiving sync retry``.
To wait for another delivery (nothing sent), a handler raises
:class:`~caregiving_course.learner_record.delivery.Waiting`. An attempt is counted when a claimed entry is handed to
its handler (committed before the request goes out), not when it is claimed: entries a killed worker had claimed and
not started keep their count, except the one whose attempt was committed ahead, during the previous request (kinds
recorded at once, :mod:`sync.pipeline`): it is delivered in doubt.
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from caregiving_course.learner_record import delivery as contract
from caregiving_course.learner_record import outbox
from caregiving_course.learner_record.delivery import Permanent, RetryLater, Waiting
from caregiving_course.learner_record.outbox import Entry
from sync.models import DeliveryNote

DELIVERED, RETRYING, WAITING, DEAD, SKIPPED = "delivered", "retrying", "waiting", "dead", "skipped"


def prepare_batch(entries: list[Entry]) -> None:
    """Run each kind's ``prepare`` over its entries in a claimed batch, and note which are in doubt."""
    by_kind: dict[str, list[Entry]] = {}
    for entry in entries:
        by_kind.setdefault(entry.kind, []).append(entry)
    for kind, group in by_kind.items():
        prepare = contract.preparer_for(kind)
        if prepare is not None:
            prepare(group)
    note_doubts(entries)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential back-off with full jitter: attempt n waits a random time up to ``base * 2**(n-1)`` (capped)."""

    base_seconds: float = 5.0
    cap_seconds: float = 3600.0
    max_attempts: int = 8

    def delay(self, attempts: int, retry_after: float | None = None) -> float:
        ceiling = min(self.cap_seconds, self.base_seconds * (2 ** max(0, attempts - 1)))
        wait = random.uniform(ceiling / 2, ceiling)
        if retry_after is not None:
            wait = max(wait, retry_after)
        return wait


def in_doubt(entry: Entry) -> bool:
    """True when an earlier attempt may have reached the platform: look up what it holds before writing."""
    if entry.attempts > 1:
        return True
    noted = getattr(entry, "noted_in_doubt", None)  # set for a whole batch by :func:`note_doubts`
    return noted if noted is not None else DeliveryNote.objects.filter(key=entry.key).exists()


def note_doubts(entries: list[Entry]) -> None:
    """Look up the in-doubt marks of a claimed batch in one query (saves one per first attempt).

    A hand-built statement: a worker asks once per batch, and the ORM's building of this query cost more than
    a score's commit."""
    if not entries:
        return
    quote = connection.ops.quote_name
    table, key = quote(DeliveryNote._meta.db_table), quote("key")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {key} FROM {table} WHERE {key} IN ({', '.join(['%s'] * len(entries))})",  # noqa: S608
                       [entry.key for entry in entries])
        noted = {row[0] for row in cursor.fetchall()}
    for entry in entries:
        entry.noted_in_doubt = entry.key in noted


def mark_in_doubt(key: str, reason: str) -> None:
    """Make the next attempt of delivery ``key`` look up what the platform holds before writing."""
    try:
        with transaction.atomic():
            DeliveryNote.objects.create(key=key, reason=reason[:500])
    except IntegrityError:
        pass


@dataclass
class Outcome:
    entry_id: int
    kind: str
    key: str
    status: str
    detail: str = ""


def lapsed(entry: Entry) -> Outcome:
    """The outcome of a claimed entry this worker no longer holds (its lease lapsed and another claimed it)."""
    return Outcome(entry.id, entry.kind, entry.key, SKIPPED, "another worker holds it now (the lease lapsed)")


def deliver(entry: Entry, policy: RetryPolicy, record_done: Callable[[int, dict], None] = outbox.complete, *,
            settle: list[tuple[int, dict]] | None = None, counted: bool = False) -> Outcome:
    """Run the handler of one claimed entry and record the result in the outbox.

    ``record_done`` may defer recording successes (a worker commits a batch of them at once); one
    lost in a crash is delivered again, found by lookup, never doubled. ``settle``: earlier successes not yet
    recorded, recorded with this entry's attempt, before its handler runs (see ``outbox.start_attempt``).
    ``counted``: the attempt is committed already (during the previous delivery's wait, :mod:`sync.pipeline`).
    """
    handler = contract.handler_for(entry.kind)
    if handler is None:
        # Another process (or a later deploy) may know this kind: leave it for them, a while later.
        outbox.reschedule(entry.id, timezone.now() + dt.timedelta(seconds=policy.cap_seconds),
                          f"no handler registered for {entry.kind!r} in this process", owner=entry.lease_owner)
        return Outcome(entry.id, entry.kind, entry.key, SKIPPED, f"no handler for {entry.kind}")
    if not counted and not outbox.start_attempt(entry, settle):
        return lapsed(entry)
    try:
        result = handler(entry)
    except Waiting as exc:
        outbox.reschedule(entry.id, timezone.now() + dt.timedelta(seconds=exc.retry_after or policy.base_seconds),
                          exc.describe(), owner=entry.lease_owner, attempted=False)
        return Outcome(entry.id, entry.kind, entry.key, WAITING, exc.describe())
    except Permanent as exc:
        mark_in_doubt(entry.key, exc.describe())
        outbox.dead_letter(entry.id, exc.describe(), owner=entry.lease_owner)
        return Outcome(entry.id, entry.kind, entry.key, DEAD, exc.describe())
    except RetryLater as exc:
        return _retry(entry, policy, exc)
    except Exception as exc:  # a handler bug or an unmapped network error: may have been sent, so retry in doubt
        return _retry(entry, policy, RetryLater(f"{entry.kind}: unexpected {type(exc).__name__}", answer=str(exc)[:500],
                                                ambiguous=True))
    record_done(entry.id, result or {})
    return Outcome(entry.id, entry.kind, entry.key, DELIVERED, str(result.get("remote_id", "")) if result else "")


def _retry(entry: Entry, policy: RetryPolicy, exc: RetryLater) -> Outcome:
    if exc.ambiguous:
        mark_in_doubt(entry.key, exc.describe())
    if entry.attempts >= policy.max_attempts:
        detail = f"gave up after {entry.attempts} attempts; last answer: {exc.describe()}"
        mark_in_doubt(entry.key, detail)
        outbox.dead_letter(entry.id, detail, owner=entry.lease_owner)
        return Outcome(entry.id, entry.kind, entry.key, DEAD, detail)
    wait = policy.delay(entry.attempts, exc.retry_after)
    outbox.reschedule(entry.id, timezone.now() + dt.timedelta(seconds=wait), exc.describe(), owner=entry.lease_owner)
    return Outcome(entry.id, entry.kind, entry.key, RETRYING, exc.describe())


def register_default_handlers() -> None:
    """Badge issuance and revocation go to the configured issuing backend (called from ``SyncConfig.ready``)."""
    from sync.backends import handlers

    contract.register_handler("badge.issue", handlers.issue, prepare=handlers.prepare, replace=True)
    contract.register_handler("badge.revoke", handlers.revoke, prepare=handlers.prepare, replace=True)
