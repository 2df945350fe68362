"""Delivery policy for the outbox: which handler delivers a kind, and what to do when it fails.

Handlers
    A handler is ``fn(entry) -> dict``: it delivers one :class:`OutboxEntry` and returns what the
    platform answered (stored as the entry's ``result``). It must make its effect idempotent: the
    same entry may be handed out again after a crash, a lapsed lease or an ambiguous failure
    (``entry.attempts > 1`` or :func:`in_doubt` say so; look up before writing again).

    Register one per outbox kind, once, at start-up (an ``AppConfig.ready()`` is a good place)::

        from sync.delivery import register_handler
        register_handler("lti.score", deliver_score)

    To fail, raise :class:`RetryLater` (temporary: 429, 5xx, timeouts; ``retry_after`` seconds
    when the platform named them; ``ambiguous=True`` when the request may have been applied) or
    :class:`Permanent` (an answer that will never succeed: most 4xx). :func:`raise_for_response`
    maps an HTTP answer to these. To wait for another delivery (nothing sent), raise :class:`Waiting`.

An attempt is counted when a claimed entry is handed to its handler (committed before the request goes out),
not when it is claimed: entries a killed worker had claimed and not started keep their count.
Retries back off exponentially with full jitter, never sooner than ``Retry-After``; after
``max_attempts`` the entry is dead-lettered with the last answer, for ``caregiving sync status``
and ``caregiving sync retry``.
"""
from __future__ import annotations

import datetime as dt
import email.utils
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from caregiving_course.learner_record import outbox
from caregiving_course.learner_record.models import OutboxEntry
from sync.models import DeliveryNote

Handler = Callable[[OutboxEntry], dict]
Prepare = Callable[[list[OutboxEntry]], None]
_HANDLERS: dict[str, Handler] = {}
_PREPARE: dict[str, Prepare] = {}
_AT_ONCE: set[str] = set()

DELIVERED, RETRYING, WAITING, DEAD, SKIPPED = "delivered", "retrying", "waiting", "dead", "skipped"


class DeliveryError(Exception):
    """A delivery did not succeed; ``answer`` is what the platform said (shown to administrators)."""

    def __init__(self, reason: str, *, answer: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.answer = answer

    def describe(self) -> str:
        return f"{self.reason}: {self.answer}" if self.answer else self.reason


class RetryLater(DeliveryError):
    """A temporary failure; try again after the back-off (and not before ``retry_after`` seconds)."""

    def __init__(self, reason: str, *, answer: str = "", retry_after: float | None = None, ambiguous: bool = False):
        super().__init__(reason, answer=answer)
        self.retry_after = retry_after
        self.ambiguous = ambiguous


class Waiting(RetryLater):
    """Not a failure: this delivery must wait for another one (a revoke for its issue); nothing was sent, so it
    counts as no attempt."""


class Permanent(DeliveryError):
    """An answer that will never turn into success by retrying: dead-letter at once."""


def records_at_once(kind: str) -> bool:
    """True when a success of ``kind`` is committed the moment it happens (see :func:`register_handler`)."""
    return kind in _AT_ONCE


def register_handler(kind: str, fn: Handler, *, prepare: Prepare | None = None, replace: bool = False,
                     record_at_once: bool = False) -> None:
    """Make ``fn`` the handler of outbox ``kind``; registering a different one twice is an error.

    ``prepare(entries)``, if given, is called once per claimed batch of that kind before ``fn`` runs on
    each entry: a place to load what the batch needs in one query (it may set attributes on the entries).
    ``record_at_once`` commits each success as soon as the platform accepts it, instead of with the batch:
    for kinds where a crash must never lead to sending an accepted delivery again (LTI scores).
    """
    if record_at_once:
        _AT_ONCE.add(kind)
    else:
        _AT_ONCE.discard(kind)
    current = _HANDLERS.get(kind)
    if current is not None and current is not fn and not replace:
        raise ValueError(f"outbox kind {kind!r} already has a handler ({current.__module__}.{current.__qualname__})")
    _HANDLERS[kind] = fn
    if prepare is not None:
        _PREPARE[kind] = prepare
    else:
        _PREPARE.pop(kind, None)


def prepare_batch(entries: list[OutboxEntry]) -> None:
    """Run each kind's ``prepare`` over its entries in a claimed batch, and note which are in doubt."""
    by_kind: dict[str, list[OutboxEntry]] = {}
    for entry in entries:
        by_kind.setdefault(entry.kind, []).append(entry)
    for kind, group in by_kind.items():
        if kind in _PREPARE:
            _PREPARE[kind](group)
    note_doubts(entries)


def handler_for(kind: str) -> Handler | None:
    return _HANDLERS.get(kind)


def registered_kinds() -> list[str]:
    return sorted(_HANDLERS)


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date); None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(min(int(value), 86400))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, min((when - (now or timezone.now())).total_seconds(), 86400.0))


def raise_for_response(resp, *, what: str) -> None:
    """Raise the delivery error an HTTP answer means; return quietly on 2xx."""
    status = resp.status_code
    if 200 <= status < 300:
        return
    answer = f"HTTP {status} {resp.text[:1000]}".strip()
    if status == 429 or status == 408 or status == 425 or status >= 500:
        raise RetryLater(f"{what}: platform busy or failing", answer=answer,
                         retry_after=parse_retry_after(resp.headers.get("Retry-After")))
    raise Permanent(f"{what}: refused by the platform", answer=answer)


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


def in_doubt(entry: OutboxEntry) -> bool:
    """True when an earlier attempt may have reached the platform: look up what it holds before writing."""
    if entry.attempts > 1:
        return True
    noted = getattr(entry, "noted_in_doubt", None)  # set for a whole batch by :func:`note_doubts`
    return noted if noted is not None else DeliveryNote.objects.filter(key=entry.key).exists()


def note_doubts(entries: list[OutboxEntry]) -> None:
    """Look up the in-doubt marks of a claimed batch in one query (saves one per first attempt)."""
    noted = set(DeliveryNote.objects.filter(key__in=[e.key for e in entries]).values_list("key", flat=True))
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


def deliver(entry: OutboxEntry, policy: RetryPolicy,
            record_done: Callable[[int, dict], None] = outbox.complete) -> Outcome:
    """Run the handler of one claimed entry and record the result in the outbox.

    ``record_done`` may defer recording successes (a worker commits a batch of them at once); one
    lost in a crash is delivered again, found by lookup, never doubled.
    """
    handler = handler_for(entry.kind)
    if handler is None:
        # Another process (or a later deploy) may know this kind: leave it for them, a while later.
        outbox.reschedule(entry.id, timezone.now() + dt.timedelta(seconds=policy.cap_seconds),
                          f"no handler registered for {entry.kind!r} in this process", owner=entry.lease_owner)
        return Outcome(entry.id, entry.kind, entry.key, SKIPPED, f"no handler for {entry.kind}")
    if not outbox.start_attempt(entry):
        return Outcome(entry.id, entry.kind, entry.key, SKIPPED, "another worker holds it now (the lease lapsed)")
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


def _retry(entry: OutboxEntry, policy: RetryPolicy, exc: RetryLater) -> Outcome:
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

    register_handler("badge.issue", handlers.issue, prepare=handlers.prepare, replace=True)
    register_handler("badge.revoke", handlers.revoke, prepare=handlers.prepare, replace=True)
