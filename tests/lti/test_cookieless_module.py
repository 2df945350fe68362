"""A launched module records progress even when the browser refuses our cookies inside the partner's iframe."""
from __future__ import annotations

import html
import json
import re

import pytest
import requests

from tests.fakes.lti_platform import LTI
from tests.lti.conftest import new_browser

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.database]


def _launched(registered, fake, browser, login_hint: str) -> tuple[str, str]:
    page = browser.launch(fake, login_hint, overrides={LTI + "custom": {"module_id": "caregiver-role"}})
    assert page.status_code == 200, page.text
    token = html.unescape(re.search(r'data-lti-session="([^"]+)"', page.text).group(1))
    prefix = html.unescape(re.search(r"data-handler-prefix='([^']+)'", page.text).group(1))
    return token, prefix


def _beat(tool_url: str, prefix: str, headers: dict, seq: int) -> requests.Response:
    url = tool_url + prefix.replace("/HANDLER/", "/heartbeat/")
    body = json.dumps({"tab": "iframe", "seq": seq, "visible": True, "idle_seconds": 0})
    return requests.post(url, data=body, headers={"Content-Type": "application/json", **headers}, timeout=10)


def test_heartbeats_work_with_the_embed_token_and_no_cookies(registered, fake, browser, tool_url):
    token, prefix = _launched(registered, fake, browser, "learner-1")
    assert _beat(tool_url, prefix, {}, 1).status_code == 403  # no cookie, no token: refused
    ok = _beat(tool_url, prefix, {"X-LTI-Session": token}, 2)
    assert ok.status_code == 200, ok.text
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert _beat(tool_url, prefix, {"X-LTI-Session": tampered}, 3).status_code == 403


def test_another_learners_token_cannot_drive_this_block(registered, fake, browser, tool_url):
    _, prefix = _launched(registered, fake, browser, "learner-1")
    other_token, _ = _launched(registered, fake, new_browser(tool_url), "learner-2")
    refused = _beat(tool_url, prefix, {"X-LTI-Session": other_token}, 1)
    assert refused.status_code == 403 and "another user" in refused.text


def test_a_signed_in_session_still_needs_its_csrf_token(registered, fake, browser, tool_url):
    _, prefix = _launched(registered, fake, browser, "learner-1")
    url = tool_url + prefix.replace("/HANDLER/", "/heartbeat/")
    forged = browser.session.post(url, data=json.dumps({"tab": "t", "seq": 1, "visible": True, "idle_seconds": 0}),
                                  headers={"Content-Type": "application/json"}, timeout=10)
    assert forged.status_code == 403 and "reload" in forged.text
