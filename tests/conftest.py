"""Shared fixtures: the database in use (SQLite, or PostgreSQL/MariaDB by DATABASE_URL), users, a live server.

A missing database, browser, server or validator fails the test that needs it (``require``); nothing is
skipped. ``./dev test`` (``tests/run``) installs and starts all of them.
"""
from __future__ import annotations

import pytest
from django.conf import settings


def pytest_collection_modifyitems(config, items) -> None:
    """Leave out, at collection (never as a skip), the tests the database under test cannot run: races
    of concurrent writers on SQLite (it serialises writers; CI runs them on PostgreSQL and MariaDB), tests
    of our SQLite engine elsewhere (they ran in the SQLite pass) and of PostgreSQL specifics elsewhere
    (they run in the PostgreSQL pass)."""
    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    unfit = {"sqlite": {"concurrent_writers", "postgres_only"},
             "postgresql": {"sqlite_only"}}.get(vendor, {"sqlite_only", "postgres_only"})
    left_out = [item for item in items if any(item.get_closest_marker(m) for m in unfit)]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if item not in left_out]


def require(condition: bool, reason: str) -> None:
    """Fail a test whose real dependency is missing, naming it: the tests run against the real thing only."""
    if not condition:
        pytest.fail(f"missing: {reason}; ./dev test (tests/run) installs and starts it", pytrace=False)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The standard test database, with the engine reported once for the log."""
    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"\n[database under test: {vendor}]")
    yield


@pytest.fixture(autouse=True)
def _forget_process_caches():
    """Each test starts with nothing remembered from another test's database: no cached users or sessions
    (primary keys are reused once a test's rows are rolled back), no remembered heartbeat clocks or LRSs, and
    in the site's language (a request through the test client leaves its language active in the thread)."""
    from django.conf import settings
    from django.core.cache import cache
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)

    from caregiving_course.learner_record.heartbeats import forget_clocks

    cache.clear()
    forget_clocks()
    from django.apps import apps

    if apps.is_installed("sync.xapi"):  # a rolled-back LRS row sends no post_delete
        from sync.xapi.live import forget_stores

        forget_stores()


@pytest.fixture
def course():
    from caregiving_course.framework import catalogue

    return catalogue()


@pytest.fixture
def make_user(db):
    from caregiving_course.learner_record import api

    def make(email: str, role: str = "learner", cohort: str | None = None, password: str = "correct-horse-9"):  # noqa: S107 - test accounts
        return api.add_user(email, role, cohort=cohort, password=password)

    return make


@pytest.fixture
def learner_user(make_user):
    return make_user("learner@example.org", cohort="fall-2026")


@pytest.fixture
def instructor(make_user):
    return make_user("instructor@example.org", role="instructor", cohort="fall-2026")


@pytest.fixture
def learner(learner_user):
    from caregiving_course.learner_record import api

    return api.learner_for_user(learner_user)
