"""Fixtures for the LTI 1.3 launch side: the fake platform on 127.0.0.1, registered with the tool, and a browser.

The browser is a ``requests.Session`` that does what a browser does in a launch: it opens the tool's login URL,
follows the redirect to the platform, and posts the platform's auto-submitted form back to the tool.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
import requests

from tests.fakes.lti_platform import FakePlatform

_INPUT = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
_ACTION = re.compile(r'<form[^>]*action="([^"]+)"')


def form_fields(page: str) -> tuple[str, dict]:
    action = _ACTION.search(page)
    return (html.unescape(action.group(1)) if action else "",
            {html.unescape(k): html.unescape(v) for k, v in _INPUT.findall(page)})


def register(fake: FakePlatform, *, deployments: list[str] | None = None):
    from lti_bridge.models import Deployment, Platform

    platform = Platform.objects.create(name=fake.name, issuer=fake.issuer, client_id=fake.client_id,
                                       auth_login_url=fake.auth_url, auth_token_url=fake.token_url,
                                       key_set_url=fake.jwks_url)
    for deployment_id in deployments or [fake.deployment_id]:
        Deployment.objects.create(platform=platform, deployment_id=deployment_id)
    return platform


@dataclass
class Browser:
    """A browser in the platform's iframe: it keeps cookies unless told to drop them (third-party cookies off)."""

    tool: str
    session: requests.Session
    keep_cookies: bool = True

    def login(self, fake: FakePlatform, login_hint: str, *, method: str = "GET", **extra) -> requests.Response:
        params = {"iss": fake.issuer, "login_hint": login_hint, "target_link_uri": f"{self.tool}/lti/launch",
                  "client_id": fake.client_id, "lti_deployment_id": fake.deployment_id, **extra}
        if method == "GET":
            return self.session.get(f"{self.tool}/lti/login?{urlencode(params)}", allow_redirects=False, timeout=10)
        return self.session.post(f"{self.tool}/lti/login", data=params, allow_redirects=False, timeout=10)

    def authenticate(self, login: requests.Response) -> tuple[str, dict]:
        """Follow the login redirect to the platform; returns its form's action and fields (id_token, state)."""
        assert login.status_code == 302, login.text
        page = self.session.get(login.headers["Location"], timeout=10)
        assert page.status_code == 200, page.text
        return form_fields(page.text)

    def post_launch(self, action: str, fields: dict) -> requests.Response:
        if not self.keep_cookies:
            self.session.cookies.clear()
        return self.session.post(action, data=fields, allow_redirects=False, timeout=10)

    def launch(self, fake: FakePlatform, login_hint: str = "learner-1", *, method: str = "GET",
               **plan) -> requests.Response:
        fake.plan(login_hint, **plan)
        action, fields = self.authenticate(self.login(fake, login_hint, method=method))
        return self.post_launch(action, fields)


@pytest.fixture(autouse=True)
def _fake_platform_allowed(settings):
    """The fake platforms listen on loopback, which the bridge calls only when an administrator allows it."""
    settings.ALLOW_PRIVATE_HOSTS = ["127.0.0.1"]


@pytest.fixture
def tool_url(live_server) -> str:
    return live_server.url


@pytest.fixture
def fresh_caches():
    from lti_bridge import launch, platform_keys

    platform_keys.forget()
    launch.forget_registrations()
    yield
    platform_keys.forget()
    launch.forget_registrations()


@pytest.fixture
def fake(tool_url, transactional_db, fresh_caches):
    platform = FakePlatform().start()
    platform.tool_jwks_url = f"{tool_url}/lti/jwks"
    yield platform
    platform.stop()


@pytest.fixture
def registered(fake):
    return register(fake)


@pytest.fixture
def browser(tool_url) -> Browser:
    return Browser(tool_url, requests.Session())


def new_browser(tool_url: str) -> Browser:
    return Browser(tool_url, requests.Session())
