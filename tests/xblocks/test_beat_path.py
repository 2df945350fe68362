"""The heartbeat's short path through Django (caregiving_course.server.beat_path) answers as the whole path does."""
from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import resolve

from caregiving_course.server.accepted_beat import AcceptedBeat
from caregiving_course.server.beat_path import HeartbeatPath, beat_url_pattern
from xblocks import views

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.database]

SHORT_PATH = f"{HeartbeatPath.__module__}.{HeartbeatPath.__name__}"
BEAT = {"tab": "t", "seq": 1, "visible": True, "idle_seconds": 0, "active_seconds": 10}
VARYING = {"Date", "Set-Cookie"}  # compared below by cookie name and attributes, not value
MASKED_CSRF = re.compile(rb'value="[A-Za-z0-9]{64}"')  # an error page's form token, masked anew on every page


def _open(client: Client) -> tuple[str, str]:
    page = client.get("/course/module/alpha/")
    assert page.status_code == 200
    prefix = re.search(r"data-handler-prefix='([^']+)'", page.content.decode()).group(1)
    return prefix.replace("/HANDLER/", "/heartbeat/"), client.cookies["csrftoken"].value


def _scenarios(client: Client, url: str, csrf: str, user, clock) -> list:
    """One learner's beats and refusals, each answer as (status, body, headers, cookies); the learner's block URL and
    the pages' CSRF form tokens are masked in bodies."""
    def post(body=BEAT, *, token=csrf, content_type="application/json", **headers):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        answer = client.post(url, data=raw, content_type=content_type, HTTP_X_CSRFTOKEN=token, **headers)
        cookies = {name: {k: v for k, v in morsel.items() if v and k != "expires"}  # a date: the second it was set
                   for name, morsel in answer.cookies.items()}
        body = MASKED_CSRF.sub(b'value="(csrf)"', answer.content.replace(url.encode(), b"(url)"))
        return (answer.status_code, body, {k: v for k, v in answer.items() if k not in VARYING},
                {name: (bool(client.cookies[name].value), attrs) for name, attrs in cookies.items()})

    answers = [post()]
    clock.advance(15)
    answers.append(post({**BEAT, "seq": 2}))
    clock.advance(15)
    answers.append(post({**BEAT, "seq": 3}, HTTP_ACCEPT_LANGUAGE="fr"))
    answers.append(post({**BEAT, "seq": 3}))  # a replay
    answers.append(post({**BEAT, "seq": 4, "visible": False}))
    answers.append(post({**BEAT, "seq": 5}, token="x" * 32))
    answers.append(post(b"{not json"))
    answers.append(post({**BEAT, "seq": 6, "extra": 1}))
    answers.append(post(b"seq=7", content_type="application/x-www-form-urlencoded"))
    answers.append(post({**BEAT, "seq": 8}, HTTP_HOST="elsewhere.example"))
    user.set_password("a new one")  # signed out everywhere: the session no longer matches the account
    user.save()
    answers.append(post({**BEAT, "seq": 9}))
    answers.append(post({**BEAT, "seq": 10}))
    return answers


def test_a_beat_on_the_short_path_answers_as_on_the_whole_path(make_user, clock):
    """The same beats and refusals (CSRF, bad bodies, another host, a replay, a hidden tab, French, a session signed
    out by a password change) from two learners, one through each path: the same status, body, headers, cookies."""
    assert settings.MIDDLEWARE[0] == SHORT_PATH
    answers, taken, accepted = [], [], []
    beat_path, answer = HeartbeatPath._beat_path, AcceptedBeat.answer
    for n, middleware in enumerate((settings.MIDDLEWARE, settings.MIDDLEWARE[1:])):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(settings, "MIDDLEWARE", middleware)
            patch.setattr(HeartbeatPath, "_beat_path", lambda self, n=n: taken.append(n) or beat_path(self))
            patch.setattr(AcceptedBeat, "answer", lambda self, request: _noted(accepted, answer(self, request)))
            user = make_user(f"beat{n}@example.org", cohort="fall-2026")
            client = Client(enforce_csrf_checks=True)
            client.force_login(user)
            url, csrf = _open(client)
            answers.append(_scenarios(client, url, csrf, user, clock))
    short, whole = answers
    assert set(taken) == {0}  # the first learner's beats took the short path, the second's the whole path
    # answered without the chain: the beats, the replay, the hidden tab, the wrong CSRF token and the bad bodies sent
    # as JSON; the chain answered the form body, the other host and the signed-out session
    assert accepted[:12] == [True] * 8 + [False] * 4
    assert [a[0] for a in short] == [200, 200, 200, 200, 200, 403, 400, 400, 415, 400, 403, 403]
    assert json.loads(short[1][1])["credited_seconds"] == 20 and "min" in json.loads(short[2][1])["time_text"]
    assert short[2][2]["Content-Language"] == "fr" and "Content-Security-Policy" in short[0][2]
    assert short[10][3]["sessionid"][0] is False  # the signed-out session's cookie is removed
    assert short == whole


def _noted(accepted: list, response):
    accepted.append(response is not None)
    return response


def test_a_beat_through_a_block_shown_to_someone_else_goes_down_the_chain(make_user):
    """Learner A's session posting to the block URL made for learner B: refused as by the whole path (403), nothing
    recorded, and the short answer did not take it; nor a signed-in but deactivated account's beat."""
    from caregiving_course.learner_record.models import ModuleActivity

    accepted, answer = [], AcceptedBeat.answer
    a, b = make_user("a@example.org", cohort="fall-2026"), make_user("b@example.org", cohort="fall-2026")
    clients = {user: Client(enforce_csrf_checks=True) for user in (a, b)}
    for user, client in clients.items():
        client.force_login(user)
    url_b, _ = _open(clients[b])
    _, csrf_a = _open(clients[a])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(AcceptedBeat, "answer", lambda self, request: _noted(accepted, answer(self, request)))
        answer_a = clients[a].post(url_b, data=json.dumps(BEAT), content_type="application/json",
                                   HTTP_X_CSRFTOKEN=csrf_a)
        type(b).objects.filter(pk=b.pk).update(is_active=False)
        cache.clear()  # the account's cached row (server.auth), as when it expires
        csrf_b = clients[b].cookies["csrftoken"].value
        answer_b = clients[b].post(url_b, data=json.dumps(BEAT), content_type="application/json",
                                   HTTP_X_CSRFTOKEN=csrf_b)
    assert (answer_a.status_code, answer_a.json()) == (403, {"error": "this block was shown to another user"})
    assert answer_b.status_code == 403 and accepted == [False, False]
    assert not ModuleActivity.objects.filter(seconds__gt=0).exists()


def test_the_short_path_takes_exactly_the_urls_of_the_heartbeat_handler():
    pattern = beat_url_pattern()
    path = "/course/xblock/abc.def:ghi/heartbeat/"
    assert pattern.fullmatch(path) and resolve(path).func is views.handler
    assert resolve(path).kwargs == {"token": "abc.def:ghi", "handler_name": "heartbeat"}
    for other in ("/course/xblock/abc/heartbeat/more/", "/course/xblock/abc/status/", "/course/xblock//heartbeat/",
                  "/course/xblock/a/b/heartbeat/", "/x/course/xblock/abc/heartbeat/", "/course/xblock/abc/heartbeat"):
        assert not pattern.fullmatch(other), other



def test_a_site_without_the_block_handler_has_no_short_path(settings):
    """A URLconf without the blocks' handler URL (a host project's, a test's) takes every request the whole way."""
    settings.ROOT_URLCONF = "caregiving_course.server.urls"
    assert beat_url_pattern().fullmatch("/course/xblock/abc/heartbeat/") is None
    answer = Client().post("/course/xblock/abc/heartbeat/", data=b"{}", content_type="application/json")
    assert answer.status_code == 404
