"""The next delivery's attempt, committed while the current delivery's request is at the platform.

A worker delivering a kind recorded at once (LTI scores) spends per delivery one HTTP round trip and
one commit: the delivery's attempt counted, with the successes recorded so far. One after the other,
the commit adds to every round trip. Here it is made during the previous round trip instead: once the
request of delivery N has gone out (its handler's HTTP client calls
:func:`~caregiving_course.learner_record.delivery.awaiting_answer`), the attempt of N+1 is committed,
with the successes up to N-1. Per delivery the wall time is then the round trip, the commit hidden in it.

The rules hold: the attempt of N+1 is committed before N+1's request goes out (the worker sends nothing
whose attempt was not counted: if the wait never came, or came inside a transaction of the handler's
own, the worker counts the attempt itself before sending, as without a pipeline). The success of N is
committed during N+1's round trip, not before it: a crash in between leaves N pending with its attempt
counted, so N is delivered again in doubt (attempts > 1), and the platform keeps one result per score
timestamp (never a double). A row whose attempt was counted ahead and that is then not sent (the lease
ran short, the database failed) has that attempt taken back when it is handed back.
"""
from __future__ import annotations

from collections.abc import Callable

from django.db.backends.base.base import BaseDatabaseWrapper

from caregiving_course.learner_record import outbox
from caregiving_course.learner_record.outbox import Entry


class NextAttempt:
    """The attempt of ``entry``, to be counted (once) during the wait of the delivery before it.

    ``settle`` is the worker's list of successes not yet recorded: they are committed with the attempt; ``db`` is
    the worker's connection (this thread's); ``deadline`` is when its lease runs short, on the worker's ``clock``.
    After the wait: ``counted`` is None when nothing was done (the worker counts the attempt itself), True
    when the attempt is committed, False when the row is no longer this worker's (do not send);
    ``error`` is the exception the commit raised, if it failed (nothing committed).
    """

    def __init__(self, entry: Entry, settle: list[tuple[int, dict]], db: BaseDatabaseWrapper, deadline: float,
                 clock: Callable[[], float]):
        self.entry, self.settle, self.db, self.deadline, self.clock = entry, settle, db, deadline, clock
        self.depth = len(db.atomic_blocks)  # the worker's own: a handler's transaction is deeper
        self.counted: bool | None = None
        self.error: Exception | None = None

    def __call__(self) -> None:
        """Count the attempt now, unless done already, inside a transaction of the handler's, or with the lease
        running short (a row counted and then not sent must be taken back)."""
        if self.counted is not None or self.error is not None:
            return
        if len(self.db.atomic_blocks) != self.depth or self.clock() > self.deadline:
            return
        try:
            self.counted = outbox.start_attempt(self.entry, self.settle)
        except Exception as exc:  # kept for the worker: the handler's request must not fail for it
            self.error = exc

    @property
    def tried(self) -> bool:
        """Whether the wait came and the attempt was counted, refused or failed."""
        return self.counted is not None or self.error is not None
