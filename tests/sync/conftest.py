"""Fixtures of the sync tests: the fake badge platform on 127.0.0.1, configured as the issuer."""
from __future__ import annotations

import pytest

from tests.fakes.badge_platform import FakePlatform
from tests.sync import seed


@pytest.fixture
def platform():
    with FakePlatform() as fake:
        yield fake


@pytest.fixture(autouse=True)
def _fresh_config():
    """Backend instances and choices are cached per process: start each test without them."""
    from sync import config

    config._forget()
    yield
    config._forget()


@pytest.fixture
def fast_policy():
    from sync.delivery import RetryPolicy

    return RetryPolicy(base_seconds=0.01, cap_seconds=0.05, max_attempts=5)


@pytest.fixture
def badgr(db, platform):
    seed.configure("badgr", platform.url, timeout=0.5)
    return platform


@pytest.fixture
def credly(db, platform):
    seed.configure("credly", platform.url, timeout=0.5)
    return platform


@pytest.fixture
def worker(fast_policy):
    from sync.worker import Worker

    return Worker("test-worker", policy=fast_policy, kinds=["badge.issue", "badge.revoke"])


def drain_all(worker, rounds: int = 50):
    """Deliver until nothing is pending (retries fall due at once under the fast policy)."""
    import time

    from caregiving_course.learner_record import outbox

    summary = None
    for _ in range(rounds):
        summary = worker.drain(summary)
        if not outbox.counts()["pending"]:
            break
        time.sleep(0.06)
    return summary
