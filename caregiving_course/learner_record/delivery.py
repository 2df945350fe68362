"""The outbox's delivery contract: the handler registry and the outcomes a handler may raise.

It belongs with the record's outbox (:mod:`caregiving_course.learner_record.outbox`): a channel that delivers
an outbox kind (the LTI bridge's scores, the sync's badges) provides a handler here without knowing who runs
it, and :mod:`sync` (the scheduler and its workers) runs the handlers and owns the retry policy.

Handlers
    A handler is ``fn(entry) -> dict``: it delivers one outbox entry (:class:`outbox.Entry`) and returns what
    the platform answered (stored as the entry's ``result``). It must make its effect idempotent: the same
    entry may be handed out again after a crash, a lapsed lease or an ambiguous failure (``entry.attempts > 1``
    or the runner's in-doubt mark say so; look up before writing again).

    Register one per outbox kind, once, at start-up (an ``AppConfig.ready()`` is a good place)::

        from caregiving_course.learner_record.delivery import register_handler
        register_handler("lti.score", deliver_score)

    To fail, raise :class:`RetryLater` (temporary: 429, 5xx, timeouts; ``retry_after`` seconds when the
    platform named them; ``ambiguous=True`` when the request may have been applied) or :class:`Permanent`
    (an answer that will never succeed: most 4xx). :func:`raise_for_response` maps an HTTP answer to these.

Waiting for an answer
    A handler's HTTP client calls :func:`awaiting_answer` once a request has gone out and before it reads the
    answer. The runner may have left work for that wait (:func:`use_wait`): a worker delivering a kind recorded
    at once commits the next delivery's attempt there, while the platform is busy with this one.
"""
from __future__ import annotations

import datetime as dt
import email.utils
import threading
from collections.abc import Callable

from django.utils import timezone

from caregiving_course.learner_record.outbox import Entry

Handler = Callable[[Entry], dict]
Prepare = Callable[[list[Entry]], None]
_HANDLERS: dict[str, Handler] = {}
_PREPARE: dict[str, Prepare] = {}
_AT_ONCE: set[str] = set()
_wait = threading.local()  # per thread: the work the runner left for a handler's next wait (``work``)


class DeliveryError(Exception):
    """A delivery did not succeed; ``answer`` is what the platform said (shown to administrators)."""

    def __init__(self, reason: str, *, answer: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.answer = answer

    def describe(self) -> str:
        """The reason, with the platform's answer when there is one."""
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


def register_handler(kind: str, fn: Handler, *, prepare: Prepare | None = None, replace: bool = False,
                     record_at_once: bool = False) -> None:
    """Make ``fn`` the handler of outbox ``kind``; registering a different one twice is an error.

    ``prepare(entries)``, if given, is called once per claimed batch of that kind before ``fn`` runs on
    each entry: a place to load what the batch needs in one query (it may set attributes on the entries).
    ``record_at_once`` commits each success with a later delivery's attempt (or alone at the end of the batch)
    instead of with the batch, and lets a worker commit each attempt during the previous delivery's request
    (:mod:`sync.pipeline`): a success is then committed during the next delivery's request, before the one after
    it is sent. A crash re-sends at most the delivery whose success was not yet committed, in doubt (its attempts
    counted twice), never a batch of them: for kinds whose deliveries platforms take once and then ignore when
    sent again (LTI scores, by timestamp).
    """
    current = _HANDLERS.get(kind)
    if current is not None and current is not fn and not replace:
        raise ValueError(f"outbox kind {kind!r} already has a handler ({current.__module__}.{current.__qualname__})")
    if record_at_once:
        _AT_ONCE.add(kind)
    else:
        _AT_ONCE.discard(kind)
    _HANDLERS[kind] = fn
    if prepare is not None:
        _PREPARE[kind] = prepare
    else:
        _PREPARE.pop(kind, None)


def unregister_handler(kind: str) -> None:
    """Forget the handler of ``kind`` (for a channel removed at run time, and for tests)."""
    _HANDLERS.pop(kind, None)
    _PREPARE.pop(kind, None)
    _AT_ONCE.discard(kind)


def handler_for(kind: str) -> Handler | None:
    """The handler registered for ``kind``, or None."""
    return _HANDLERS.get(kind)


def preparer_for(kind: str) -> Prepare | None:
    """The batch preparation registered with the handler of ``kind``, or None."""
    return _PREPARE.get(kind)


def registered_kinds() -> list[str]:
    """Every outbox kind this process can deliver."""
    return sorted(_HANDLERS)


def records_at_once(kind: str) -> bool:
    """True when a success of ``kind`` is committed the moment it happens (see :func:`register_handler`)."""
    return kind in _AT_ONCE


def use_wait(work: Callable[[], None] | None) -> None:
    """Leave ``work`` to run while a handler in this thread waits for a platform's answer (see
    :func:`awaiting_answer`); None takes it back. ``work`` runs at every wait until taken back, so it guards itself
    (runs once, and only when it may) and keeps its own errors: it must not fail the handler's request."""
    _wait.work = work


def awaiting_answer() -> None:
    """Say that a request has gone out and its answer is not read yet: runs the work the runner left for the wait
    (:func:`use_wait`), if any. HTTP clients of handlers call it; it costs next to nothing when there is none."""
    work = getattr(_wait, "work", None)
    if work is not None:
        work()


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
