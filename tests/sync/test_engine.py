"""The engine's parts: retry policy, handler registry, leader lease, lapsed claims, the scheduler's jobs."""
from __future__ import annotations

import dataclasses
import datetime as dt
import email.utils
import itertools

import pytest
from django.utils import timezone

from caregiving_course.learner_record import delivery as contract
from caregiving_course.learner_record import outbox
from caregiving_course.learner_record.delivery import Permanent, RetryLater, parse_retry_after, raise_for_response
from caregiving_course.learner_record.models import OutboxEntry
from sync import delivery
from sync.delivery import RetryPolicy
from tests.sync import seed


class _Resp:
    def __init__(self, status, text="", headers=None):
        self.status_code, self.text, self.headers = status, text, headers or {}


def test_retry_after_in_seconds_or_http_date_and_garbage_ignored():
    now = timezone.now()
    assert parse_retry_after("120") == 120
    assert parse_retry_after(email.utils.format_datetime(now + dt.timedelta(seconds=30), usegmt=True), now) == \
        pytest.approx(30, abs=1)
    for bad in (None, "", "soon", "-5", "1e9999", "Wed, 99 Foo 2026"):
        assert parse_retry_after(bad) is None
    assert parse_retry_after("99999999") == 86400  # capped at a day


def test_backoff_grows_with_jitter_is_capped_and_honours_retry_after():
    policy = RetryPolicy(base_seconds=2, cap_seconds=60, max_attempts=8)
    for attempts in range(1, 10):
        ceiling = min(60, 2 * 2 ** (attempts - 1))
        waits = {policy.delay(attempts) for _ in range(20)}
        assert all(ceiling / 2 <= w <= ceiling for w in waits)
        assert len(waits) > 1  # jitter
    assert policy.delay(1, retry_after=300) >= 300


@pytest.mark.parametrize("status,error", [(429, RetryLater), (500, RetryLater), (503, RetryLater), (408, RetryLater),
                                          (400, Permanent), (403, Permanent), (404, Permanent), (422, Permanent)])
def test_answers_map_to_retry_or_stop(status, error):
    with pytest.raises(error) as exc:
        raise_for_response(_Resp(status, "x" * 5000, {"Retry-After": "7"}), what="test")
    assert len(exc.value.answer) < 1100  # a hostile long answer is cut
    if error is RetryLater:
        assert exc.value.retry_after == 7
    raise_for_response(_Resp(201), what="ok")


def test_register_handler_refuses_a_second_different_handler():
    def one(entry):
        return {}

    def other(entry):
        return {}

    contract.register_handler("test.kind", one)
    try:
        contract.register_handler("test.kind", one)  # same one again: fine
        with pytest.raises(ValueError, match="already has a handler"):
            contract.register_handler("test.kind", other)
        assert "test.kind" in contract.registered_kinds()
        assert {"badge.issue", "badge.revoke"} <= set(contract.registered_kinds())
    finally:
        contract.unregister_handler("test.kind")


@pytest.mark.database
@pytest.mark.django_db
def test_a_registered_handler_receives_its_kind_and_unknown_kinds_are_left_alone(worker):
    from django.db import transaction

    from sync.worker import Worker

    seen = []
    contract.register_handler("test.echo", lambda e: seen.append(e.payload) or {"ok": True})
    try:
        with transaction.atomic():
            outbox.enqueue("test.echo", "test.echo:1", {"n": 1})
            outbox.enqueue("nobody.handles", "nobody:1", {"n": 2})
        Worker("w", kinds=None).drain()
        assert seen == [{"n": 1}]
        assert OutboxEntry.objects.get(key="test.echo:1").result == {"ok": True}
        assert OutboxEntry.objects.get(key="nobody:1").status == OutboxEntry.PENDING
        assert OutboxEntry.objects.get(key="nobody:1").attempts == 0  # never claimed
    finally:
        contract.unregister_handler("test.echo")


@pytest.mark.django_db
def test_a_handler_crash_is_retried_in_doubt_not_lost():
    from django.db import transaction

    from sync.worker import Worker

    calls = []

    def flaky(entry):
        calls.append(entry.attempts)
        if len(calls) == 1:
            raise RuntimeError("boom")
        return {"in_doubt": delivery.in_doubt(entry)}

    contract.register_handler("test.flaky", flaky)
    try:
        with transaction.atomic():
            outbox.enqueue("test.flaky", "test.flaky:1", {})
        worker = Worker("w", policy=RetryPolicy(0.01, 0.01, 5), kinds=["test.flaky"])
        worker.drain()
        OutboxEntry.objects.update(next_attempt_at=timezone.now())
        worker.drain()
        entry = OutboxEntry.objects.get(key="test.flaky:1")
        assert entry.status == OutboxEntry.DONE and entry.result == {"in_doubt": True}
    finally:
        contract.unregister_handler("test.flaky")


@pytest.mark.database
@pytest.mark.django_db
def test_a_lapsed_lease_of_a_dead_worker_is_claimed_again_and_resolved_by_lookup(badgr, worker):
    seed.make_awards(1)
    # a worker claims, starts the attempt, sends, and dies before recording the answer
    (entry,) = outbox.claim("dead-worker", limit=1, lease_seconds=60)
    from sync import config
    from sync.backends.handlers import award_info

    assert outbox.start_attempt(entry)
    config.backend("badgr").issue(award_info(entry.payload))
    assert outbox.claim("other", limit=1) == []  # leased: nobody else takes it
    OutboxEntry.objects.filter(pk=entry.id).update(lease_expires_at=timezone.now() - dt.timedelta(seconds=1))
    worker.drain()
    entry = OutboxEntry.objects.get(pk=entry.id)
    assert entry.status == OutboxEntry.DONE and entry.result["found_by_lookup"] is True
    assert entry.attempts == 2
    assert sum(badgr.badgr_holdings().values()) == 1


@pytest.mark.database
@pytest.mark.django_db
def test_a_claim_is_no_attempt_until_the_row_is_started(badgr, worker):
    """Rows a dead worker claimed but never started keep their count, and are not in doubt (no lookup)."""
    seed.make_awards(3)
    claimed = outbox.claim("dead-worker", limit=3, lease_seconds=60)
    assert outbox.start_attempt(claimed[0])  # the row in flight when the worker died
    assert not outbox.start_attempt(dataclasses.replace(claimed[1], lease_owner="someone-else"))
    OutboxEntry.objects.update(lease_expires_at=timezone.now() - dt.timedelta(seconds=1))
    worker.drain()
    rows = list(OutboxEntry.objects.order_by("id"))
    assert [r.status for r in rows] == [OutboxEntry.DONE] * 3
    assert [r.attempts for r in rows] == [2, 1, 1]
    assert [bool(r.result.get("found_by_lookup")) for r in rows] == [False, False, False]
    assert sum(badgr.badgr_holdings().values()) == 3


@pytest.mark.django_db
def test_a_worker_hands_back_what_it_cannot_finish_within_its_lease(badgr, monkeypatch):
    import time

    from sync import worker as worker_module
    from sync.worker import Summary, Worker

    seed.make_awards(3)
    w = Worker("short", batch=3, lease_seconds=10, kinds=["badge.issue"])
    clock = itertools.chain([0.0, 0.0], itertools.repeat(1000.0))  # the lease runs out right after the claim

    class Clock:
        monotonic = staticmethod(lambda: next(clock))
        sleep = staticmethod(time.sleep)

    monkeypatch.setattr(worker_module, "time", Clock)
    assert w.run_batch(Summary()) == 3
    assert set(OutboxEntry.objects.values_list("status", "lease_owner")) == {(OutboxEntry.PENDING, "")}
    assert not badgr.assertions


@pytest.mark.database
@pytest.mark.django_db
def test_one_leader_at_a_time_and_a_lapsed_leader_is_replaced():
    from sync.models import LeaderLease
    from sync.scheduler import Leadership

    a, b = Leadership("a", 30), Leadership("b", 30)
    assert a.hold() and not b.hold()
    assert a.hold()  # renewal
    LeaderLease.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))  # a died
    assert b.hold() and not a.hold()
    b.release()
    assert a.hold()


@pytest.mark.database
@pytest.mark.django_db
def test_scheduler_jobs_run_only_on_the_leader(badgr):
    from apscheduler.schedulers.background import BackgroundScheduler

    from sync.scheduler import Intervals, Leadership, Scheduler

    seed.make_awards(2)
    follower = Scheduler(BackgroundScheduler(), Intervals())
    Leadership("someone-else", 60).hold()
    follower.deliver()
    assert outbox.counts()["pending"] == 2
    from sync.models import LeaderLease

    LeaderLease.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    follower.deliver()
    follower.refresh()
    follower.evaluate()
    assert outbox.counts()["done"] == 2
    assert {j.id for j in follower.aps.get_jobs()} == {"sync.evaluate", "sync.deliver", "sync.refresh"}


@pytest.mark.database
@pytest.mark.django_db
def test_refresh_job_renews_a_token_about_to_expire(badgr):
    from sync import config
    from sync.models import OAuthToken
    from sync.scheduler import refresh_expiring

    config.use("badgr")
    config.backend("badgr").tokens.access_token()
    OAuthToken.objects.update(access_expires_at=timezone.now() + dt.timedelta(minutes=2))
    assert refresh_expiring() == ["badgr: access token renewed"]
    assert badgr.stats["refresh_grants"] == 1
    assert refresh_expiring() == []


def _done_now(last: int) -> int:
    """Deliveries done, read while the scheduler's threads write: the test database is SQLite in memory with a
    shared cache, where a read meets a table another connection is writing as "table is locked" at once (no busy
    wait), so such a read keeps the last count and the loop reads again."""
    from django.db import OperationalError

    try:
        return outbox.counts()["done"]
    except OperationalError:
        return last


@pytest.mark.django_db(transaction=True)
def test_start_embedded_runs_the_jobs_in_the_background(platform, monkeypatch):
    import time

    from sync import scheduler

    seed.configure("badgr", platform.url)
    seed.make_awards(3)
    monkeypatch.setenv("CAREGIVING_SYNC_DELIVER_SECONDS", "0.2")
    sched = scheduler.start_embedded()
    try:
        assert scheduler.start_embedded() is sched  # once per process
        assert sched.aps.running
        deadline, done = time.monotonic() + 20, 0
        while done < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
            done = _done_now(done)
        assert done == 3
    finally:
        scheduler.stop_embedded()
    assert sum(platform.badgr_holdings().values()) == 3


@pytest.mark.django_db
def test_a_worker_claims_more_while_batches_go_quickly_and_falls_back_when_one_is_slow(monkeypatch):
    """Quick deliveries (LTI scores) cost fewer claims; a slow batch puts the claim size back to the batch, so one
    worker does not hold slow rows that other workers could take."""
    import time

    from django.db import transaction

    from sync import worker as worker_module
    from sync.worker import Summary, Worker

    slow, claims, offset = [], [], [0.0]
    real_claim = outbox.claim

    class Clock:
        monotonic = staticmethod(lambda: time.monotonic() + offset[0])
        sleep = staticmethod(time.sleep)

    def claim(*args, **kwargs):
        claims.append(kwargs["limit"])
        return real_claim(*args, **kwargs)

    def echo(entry):
        offset[0] += 2.0 if slow else 0.0  # each delivery of the slow batch takes 2 s
        return {}

    monkeypatch.setattr(outbox, "claim", claim)
    monkeypatch.setattr(worker_module, "time", Clock)
    contract.register_handler("test.quick", echo)
    try:
        with transaction.atomic():
            outbox.enqueue_many("test.quick", [(f"test.quick:{n}", {}) for n in range(60)])
        worker = Worker("w", batch=2, kinds=["test.quick"])
        for _ in range(4):
            worker.run_batch(Summary())
        assert claims == [2, 4, 8, 10]  # doubled after each full quick batch, up to five times the batch
        slow.append(True)
        worker.run_batch(Summary())
        slow.clear()
        worker.run_batch(Summary())
        assert claims[4:] == [10, 2]  # the slow batch puts it back
        assert OutboxEntry.objects.filter(status=OutboxEntry.DONE).count() == 36
        worker.run_batch(Summary())
        assert claims[-1] == 4 and OutboxEntry.objects.filter(status=OutboxEntry.DONE).count() == 40
    finally:
        contract.unregister_handler("test.quick")
