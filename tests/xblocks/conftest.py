"""Fixtures of the XBlock tests: a small test course, a controllable server clock, block and HTTP helpers."""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import webob
from django.test import RequestFactory

CONTENT = Path(__file__).resolve().parent / "content"


@pytest.fixture(autouse=True)
def test_course(settings):
    """Every test here runs on tests/xblocks/content (two short modules, three credentials)."""
    from django.utils import translation

    from caregiving_course.framework import catalogue, forget_catalogue

    translation.activate("en")  # a request of an earlier test may have left another language active
    settings.CONTENT_DIR = CONTENT
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast test accounts
    forget_catalogue()
    yield catalogue()
    forget_catalogue()
    translation.deactivate()


class Clock:
    """The server's clock, moved by the test (no sleeping, no timing assertions)."""

    def __init__(self) -> None:
        from django.utils import timezone

        self.now = timezone.now().replace(microsecond=0)

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    from django.utils import timezone

    fake = Clock()
    monkeypatch.setattr(timezone, "now", fake)
    return fake


class BlockClient:
    """Builds a block in our runtime for a user and calls its handlers as the JS would (webob requests)."""

    def __init__(self, user, block_type: str = "caregiving_module", fields: dict | None = None) -> None:
        from django.contrib.auth.models import AnonymousUser

        from xblocks.runtime import CourseRuntime, Placement

        request = RequestFactory().get("/course/")
        request.user = user or AnonymousUser()
        request.session = {}
        self.runtime = CourseRuntime(request)
        self.block = self.runtime.block(Placement.of(block_type, fields or {"module_id": "alpha"}))

    def call(self, handler: str, payload=None, *, raw: bytes | None = None, method: str = "POST"):
        body = raw if raw is not None else json.dumps(payload).encode()
        request = webob.Request.blank("/", method=method, body=body, content_type="application/json")
        response = self.runtime.handle(self.block, handler, request)
        return response.status_code, json.loads(response.body or b"null")

    def render(self, view: str = "student_view") -> str:
        return self.runtime.render(self.block, view, {}).body_html()

    def events(self, kind: str) -> list[dict]:
        return [data for event, data in self.runtime.events if event == kind]


@pytest.fixture
def block_client():
    return BlockClient


def handler_prefix(html: str) -> str:
    match = re.search(r"data-handler-prefix='([^']+)'", html)
    assert match, "the page has no block wrapper with a handler prefix"
    return match.group(1)


class Browser:
    """A requests session logged in as ``user`` against the live server (real HTTP, real CSRF)."""

    def __init__(self, live_server, user) -> None:
        import requests
        from django.conf import settings
        from django.test import Client

        client = Client()
        client.force_login(user)
        self.base = live_server.url
        self.http = requests.Session()
        self.http.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)

    def get(self, path: str):
        return self.http.get(self.base + path, timeout=30)

    def open_block(self, path: str) -> str:
        page = self.get(path)
        assert page.status_code == 200, page.text[:500]
        return handler_prefix(page.text)

    def post(self, prefix: str, handler: str, payload=None, *, raw: bytes | None = None, csrf: bool = True):
        url = self.base + prefix.replace("/HANDLER/", f"/{handler}/")
        headers = {"Content-Type": "application/json", "Referer": self.base + "/"}
        if csrf:
            headers["X-CSRFToken"] = self.http.cookies.get("csrftoken", "")
        body = raw if raw is not None else json.dumps(payload).encode()
        return self.http.post(url, data=body, headers=headers, timeout=30)


@pytest.fixture
def browser(live_server):
    def make(user) -> Browser:
        return Browser(live_server, user)

    return make
