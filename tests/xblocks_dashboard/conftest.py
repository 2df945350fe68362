"""Fixtures of the instructor dashboard tests: a small course, cohorts and staff, and an HTTP client that
signs in to the live server and calls the block's handlers the way its JavaScript does."""
from __future__ import annotations

import html
import re
import secrets

import pytest
import requests
from django.test import Client, RequestFactory

from tests.xblocks_dashboard.fixture_course import write_course

BLOCK = "caregiving_dashboard"


@pytest.fixture(scope="session")
def content_dir(tmp_path_factory):
    return write_course(tmp_path_factory.mktemp("dashboard-content"))


@pytest.fixture(autouse=True)
def dashboard_course(settings, content_dir):
    """Every test here runs on the course of fixture_course.py (8 modules, three stacked credentials)."""
    from caregiving_course.framework import catalogue, forget_catalogue

    settings.CONTENT_DIR = content_dir
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast accounts, tests only
    forget_catalogue()
    yield catalogue()
    forget_catalogue()


@pytest.fixture
def people(make_user):
    """An administrator, the instructor of "fall", the instructor of "spring", and learners in each."""
    from caregiving_course.learner_record import api

    users = {
        "admin": make_user("admin@example.org", role="administrator"),
        "fall_teacher": make_user("fall.teacher@example.org", role="instructor", cohort="fall"),
        "spring_teacher": make_user("spring.teacher@example.org", role="instructor", cohort="spring"),
        "ana": make_user("ana@example.org", cohort="fall"),
        "ben": make_user("ben@example.org", cohort="fall"),
        "sam": make_user("sam@example.org", cohort="spring"),
    }
    users["ana_learner"] = api.learner_for_user(users["ana"])
    users["ben_learner"] = api.learner_for_user(users["ben"])
    users["sam_learner"] = api.learner_for_user(users["sam"])
    return users


def complete_modules(learner, count: int = 8) -> None:
    """Give ``learner`` ``count`` completed modules (test setup only: writes the records directly)."""
    from decimal import Decimal

    from django.utils import timezone

    from caregiving_course.learner_record.models import ModuleActivity, ModuleCompletion
    from tests.xblocks_dashboard.fixture_course import MODULES

    now = timezone.now()
    for module_id in MODULES[:count]:
        ModuleCompletion.objects.create(learner=learner, module_id=module_id, score=0.9, credited_hours=Decimal("1.5"),
                                        time_on_task_seconds=3600, completed_at=now)
        ModuleActivity.objects.create(learner=learner, module_id=module_id, seconds=3600, sections_viewed=[0, 1, 2],
                                      best_score=0.9, attempts=1, first_activity_at=now, last_activity_at=now)


class DashboardClient:
    """A signed-in browser session against the live server: the dashboard page and the block's handlers."""

    def __init__(self, base_url: str, user) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        if user is not None:
            client = Client()
            client.force_login(user)
            self.session.cookies.set("sessionid", client.cookies["sessionid"].value)
        self.csrf = secrets.token_hex(16)  # a 32-character secret, sent as cookie and header
        self.session.cookies.set("csrftoken", self.csrf)
        self.prefix = None
        self.user = user

    def open(self) -> requests.Response:
        """GET /course/dashboard/ and keep the block's handler prefix (as its JavaScript would)."""
        page = self.session.get(self.base_url + "/course/dashboard/", timeout=60)
        found = re.search(r"data-handler-prefix=['\"]([^'\"]+)['\"]", page.text)
        if found:
            self.prefix = html.unescape(found.group(1))
        return page

    def use_token_of(self, user, fields: dict | None = None) -> None:
        """Handler URLs as the runtime signs them for ``user`` and the block placed with ``fields``."""
        from xblocks.runtime import CourseRuntime, Placement

        request = RequestFactory().get("/course/dashboard/")
        request.user = user
        request.session = {}
        token = CourseRuntime(request).token(Placement.of(BLOCK, fields or {}))
        self.prefix = f"/course/xblock/{token}/HANDLER/"

    def url(self, handler: str) -> str:
        assert self.prefix, "open() the page or use_token_of() first"
        return self.base_url + self.prefix.replace("/HANDLER/", f"/{handler}/")

    def post(self, handler: str, payload=None, *, raw: bytes | None = None) -> requests.Response:
        import json

        body = raw if raw is not None else json.dumps(payload).encode()
        return self.session.post(self.url(handler), data=body, timeout=60, headers={
            "Content-Type": "application/json", "X-CSRFToken": self.csrf, "Referer": self.base_url + "/"})

    def get(self, handler: str, params: dict | None = None) -> requests.Response:
        return self.session.get(self.url(handler), params=params, timeout=60)


@pytest.fixture
def dashboard(live_server):
    """``dashboard(user)`` -> a :class:`DashboardClient` signed in as ``user`` with the page opened."""

    def make(user, *, open_page: bool = True) -> DashboardClient:
        client = DashboardClient(live_server.url, user)
        if open_page:
            client.open()
        return client

    return make
