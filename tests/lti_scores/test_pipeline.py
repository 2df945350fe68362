"""A worker commits each score's attempt during the previous score's request (sync.pipeline); the rules hold.

Each attempt is committed before its request reaches the platform; a row counted ahead and then not sent is handed
back with the count it had; a worker that dies mid-pipeline leaves nothing that a later worker doubles.
"""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from caregiving_course.learner_record.models import OutboxEntry
from sync import pipeline
from sync import worker as worker_module
from sync.worker import Summary, Worker
from tests.lti_scores.conftest import another_learner, complete, launched

pytestmark = [pytest.mark.database, pytest.mark.django_db(transaction=True)]


def _scores(placement, n: int) -> list[str]:
    """``n`` learners launched from ``placement`` complete its module: ``n`` queued scores; their subjects."""
    subjects = [f"sub-{i}" for i in range(n)]
    for subject in subjects:
        launched(placement, another_learner(f"{subject}@example.org"), subject=subject)
        assert complete(another_learner(f"{subject}@example.org"), placement.link.module_id)
    assert OutboxEntry.objects.filter(kind="lti.score").count() == n
    return subjects


def _rows() -> list[OutboxEntry]:
    return list(OutboxEntry.objects.filter(kind="lti.score").order_by("id"))


def _attempts_of(subject: str) -> int:
    """The committed attempts of ``subject``'s score, read on this thread's own connection (the platform's).

    On SQLite the test database is shared in memory, where a reader makes a writer of the same table fail at once
    (it does not wait): the read takes its turn with this process's writers, which our engine queues."""
    def read() -> int:
        rows = OutboxEntry.objects.filter(kind="lti.score").values_list("payload", "attempts")
        return next(attempts for payload, attempts in rows if payload["score"]["userId"] == subject)

    try:
        if connection.vendor != "sqlite":
            return read()
        from caregiving_course.sqlite.base import _queue

        with _queue(connection.settings_dict["NAME"]):
            return read()
    finally:
        connection.close()


def _counted_ahead(monkeypatch) -> list[int]:
    """The ids of rows whose attempt a worker counts during the previous row's wait."""
    counted: list[int] = []
    real = pipeline.NextAttempt.__call__

    def spy(self):
        real(self)
        if self.counted and self.entry.id not in counted:
            counted.append(self.entry.id)

    monkeypatch.setattr(pipeline.NextAttempt, "__call__", spy)
    return counted


def test_each_attempt_is_committed_before_the_platform_receives_the_score(placement, worker, monkeypatch):
    subjects = _scores(placement, 6)
    at_receipt: dict[str, int] = {}
    placement.fake.on_score = lambda score: at_receipt.setdefault(score["userId"], _attempts_of(score["userId"]))
    counted = _counted_ahead(monkeypatch)
    assert worker.drain().delivered == 6
    assert at_receipt == dict.fromkeys(subjects, 1)  # committed, seen from another connection, before any answer
    assert counted == [row.id for row in _rows()][1:]  # all but the first were counted during the previous request
    assert [(row.status, row.attempts) for row in _rows()] == [("done", 1)] * 6
    placement.fake.assert_each_score_once()


def test_a_row_counted_ahead_and_not_sent_is_handed_back_with_the_count_it_had(placement, monkeypatch):
    _scores(placement, 3)
    second = _rows()[1]
    OutboxEntry.objects.filter(pk=second.pk).update(attempts=2)  # it failed twice before
    counted = _counted_ahead(monkeypatch)
    now = [0.0]

    class Clock:
        monotonic = staticmethod(lambda: now[0])

    monkeypatch.setattr(worker_module, "time", Clock)

    def lease_runs_short(outcome):  # after the first score: the second's attempt was counted during its request
        now[0] = 1000.0

    summary = Summary()
    assert Worker("short", batch=3, lease_seconds=10, kinds=["lti.score"]).run_batch(summary, lease_runs_short) == 3
    assert counted == [second.id]
    assert summary.delivered == 1 and len(placement.fake.state.received) == 1
    assert [(r.status, r.attempts, r.lease_owner) for r in _rows()] == [
        ("done", 1, ""), ("pending", 2, ""), ("pending", 0, "")]


class Killed(BaseException):
    """The worker process dies (kill -9): nothing after this point runs in it."""


def test_a_worker_killed_mid_pipeline_leaves_nothing_doubled(placement, worker, monkeypatch):
    """It dies while the third score is at the platform: the second's success and the fourth's attempt were
    committed during that request, the third's success never. A later worker sends the third again (in doubt:
    a second attempt) and the fourth (counted once before, never sent); the platform keeps each score once."""
    from lti_bridge import outbound

    subjects = _scores(placement, 5)
    fake = placement.fake
    third_stored = threading.Event()
    fake.on_score = lambda score: score["userId"] == subjects[2] and third_stored.set()
    counted = _counted_ahead(monkeypatch)
    real_wait = outbound.awaiting_answer

    def dies_while_the_third_is_at_the_platform():
        real_wait()
        if len(counted) == 3:  # the fourth's attempt was counted: this is the third score's request
            assert third_stored.wait(5)
            raise Killed

    monkeypatch.setattr(outbound, "awaiting_answer", dies_while_the_third_is_at_the_platform)
    with pytest.raises(Killed):
        Worker("doomed", kinds=["lti.score"]).drain()
    assert [(r.status, r.attempts) for r in _rows()] == [
        ("done", 1), ("done", 1), ("pending", 1), ("pending", 1), ("pending", 0)]
    monkeypatch.setattr(outbound, "awaiting_answer", real_wait)
    OutboxEntry.objects.update(lease_expires_at=timezone.now() - dt.timedelta(seconds=1))  # its lease lapses
    assert worker.drain().delivered == 3
    assert [(r.status, r.attempts) for r in _rows()] == [
        ("done", 1), ("done", 1), ("done", 2), ("done", 2), ("done", 1)]
    assert [s.score["userId"] for s in fake.state.received] == subjects[:3] + subjects[2:]  # the third twice
    assert sorted(fake.state.stored.values()) == [1] * 5  # each score stored once: none doubled
