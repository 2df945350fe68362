"""Delivery wakes when a commit queues something: in one process (an event on commit) and across processes on
PostgreSQL (LISTEN/NOTIFY). The polls here are set to an hour, so only a wake-up can deliver within the test."""
from __future__ import annotations

import datetime as dt
import signal
import time

import pytest

from tests.fakes.badge_platform import FakePlatform
from tests.sync import seed
from tests.sync.test_processes import database as database
from tests.sync.test_processes import seed as seed_in_process
from tests.sync.test_processes import start_worker, wait_until_delivered

HOUR = 3600.0


def _wait_for(condition, seconds: float = 30.0, poll: float = 0.05) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(poll)
    return True


@pytest.mark.django_db(transaction=True)
def test_the_embedded_scheduler_delivers_on_commit_not_at_its_next_poll(platform):
    from django.utils import timezone

    from caregiving_course.learner_record import outbox
    from sync import scheduler

    seed.configure("badgr", platform.url, timeout=5)
    from apscheduler.schedulers.background import BackgroundScheduler

    sched = scheduler.Scheduler(BackgroundScheduler(timezone=dt.UTC),
                                scheduler.Intervals(evaluate=HOUR, deliver=HOUR, refresh=HOUR, lease=60))
    sched.aps.start()
    sched.start_waking()
    try:  # the first run of each job happens at start; after it, the next poll is an hour away
        assert _wait_for(lambda: sched.aps.get_job("sync.deliver").next_run_time
                         > timezone.now() + dt.timedelta(minutes=30))
        ids = seed.make_awards(2)  # committed with outbox.announce(), as award_writer queues them
        # watch the platform, not the table: a reader polling the in-memory test database locks out the writer
        assert _wait_for(lambda: sum(platform.badgr_holdings().values()) == 2)
        assert set(platform.badgr_holdings()) == seed.expected_holdings(ids)
        assert _wait_for(lambda: outbox.counts()["done"] == 2, poll=0.5), outbox.counts()
    finally:
        sched.shutdown()


@pytest.mark.slow
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_a_worker_process_is_woken_by_notify_on_postgresql(database):
    with FakePlatform() as platform:
        seed_in_process(database, "--url", platform.url, "--awards", "1")
        worker = start_worker(database, "--idle", str(HOUR))
        try:
            assert wait_until_delivered(database, timeout=60)["counts"]["done"] == 1  # its first batch
            time.sleep(1.0)  # the worker now waits: an hour, or until woken
            seed_in_process(database, "--awards", "5")
            report = wait_until_delivered(database, timeout=60)
            assert report["counts"] == {"pending": 0, "done": 6, "dead": 0}, report["counts"]
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.communicate(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_a_retry_is_woken_when_it_falls_due_not_at_the_next_poll(platform):
    from apscheduler.schedulers.background import BackgroundScheduler
    from django.utils import timezone

    from caregiving_course.learner_record import outbox
    from sync import scheduler
    from sync.delivery import RetryPolicy
    from sync.worker import Worker

    seed.configure("badgr", platform.url, timeout=5)
    worker = Worker("retry-test", policy=RetryPolicy(base_seconds=0.5, cap_seconds=1.0, max_attempts=5))
    sched = scheduler.Scheduler(BackgroundScheduler(timezone=dt.UTC),
                                scheduler.Intervals(evaluate=HOUR, deliver=HOUR, refresh=HOUR, lease=60), worker)
    sched.aps.start()
    sched.start_waking()
    try:
        assert _wait_for(lambda: sched.aps.get_job("sync.deliver").next_run_time
                         > timezone.now() + dt.timedelta(minutes=30))
        platform.fail("POST", "/v2/badgeclasses/", "500", times=1)
        ids = seed.make_awards(1)
        assert _wait_for(lambda: sum(platform.badgr_holdings().values()) == 1)  # after the 500, the retry
        assert set(platform.badgr_holdings()) == seed.expected_holdings(ids)
        assert _wait_for(lambda: outbox.counts()["done"] == 1, poll=0.5), outbox.counts()
    finally:
        sched.shutdown()
