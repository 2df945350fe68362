"""The blocks through the real server: pages, handlers over HTTP with a signed-in session, CSRF, isolation."""
from __future__ import annotations

import pytest
from django.utils import translation

from caregiving_course.learner_record import api
from caregiving_course.learner_record.models import ActivityClock
from xblocks.models import BlockState

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.database]

ALL_RIGHT = {f"q{i}": 0 for i in range(1, 6)}


def test_a_learner_works_through_a_module_over_http(browser, learner_user, learner, clock):
    me = browser(learner_user)
    course = me.get("/course/")
    assert course.status_code == 200 and "Alpha module" in course.text and "Not started" in course.text
    prefix = me.open_block("/course/module/alpha/")
    for index in range(3):
        assert me.post(prefix, "view_section", {"index": index}).status_code == 200
    assert me.post(prefix, "submit_check", {"answers": ALL_RIGHT}).json()["passed"] is True
    me.post(prefix, "heartbeat", {"tab": "t", "seq": 0, "visible": True, "idle_seconds": 0})
    reply = {}
    for seq in range(1, 13):
        clock.advance(15)
        reply = me.post(prefix, "heartbeat", {"tab": "t", "seq": seq, "visible": True, "idle_seconds": 3}).json()
    assert reply["module_seconds"] == 180 and reply["completed"] is True
    assert api.completion_check(learner, "alpha").completed
    assert "Completed" in me.get("/course/").text
    progress = me.get("/course/progress/")
    assert progress.status_code == 200 and "Test Badge" in progress.text and "Module completed" in progress.text


@pytest.mark.parametrize(("language", "expected"), [("fr", "Pour terminer ce module"),
                                                    ("en", "To complete this module")])
def test_handler_replies_are_in_the_requests_language(browser, learner_user, learner, language, expected):
    """The blocks' i18n service takes the language Django chose for the request (Accept-Language here)."""
    me = browser(learner_user)
    me.http.headers["Accept-Language"] = language
    prefix = me.open_block("/course/module/alpha/")
    reply = me.post(prefix, "view_section", {"index": 0}).json()
    assert reply["status_text"].startswith(expected), reply["status_text"]


def test_handlers_need_the_csrf_token(browser, learner_user, learner):
    me = browser(learner_user)
    prefix = me.open_block("/course/module/alpha/")
    response = me.post(prefix, "view_section", {"index": 0}, csrf=False)
    assert response.status_code == 403
    assert api.module_state(learner, "alpha")["sections_viewed"] == []


def test_another_session_cannot_use_this_learners_handlers(browser, learner_user, learner, make_user, clock):
    me = browser(learner_user)
    intruder = browser(make_user("intruder@example.org", cohort="fall-2026"))
    intruder.get("/course/")  # gets its own CSRF cookie
    prefix = me.open_block("/course/module/alpha/")
    me.post(prefix, "heartbeat", {"tab": "t", "seq": 1, "visible": True, "idle_seconds": 0})
    clock.advance(15)
    for handler, payload in [("heartbeat", {"tab": "t", "seq": 2, "visible": True, "idle_seconds": 0}),
                             ("view_section", {"index": 0}), ("submit_check", {"answers": ALL_RIGHT})]:
        response = intruder.post(prefix, handler, payload)
        assert response.status_code == 403 and response.json()["error"]
    assert api.module_state(learner, "alpha") == {"seconds": 0, "sections_viewed": [], "best_score": None,
                                                  "attempts": 0, "reflection": ""}


def test_forged_or_tampered_block_tokens_are_refused(browser, learner_user, learner):
    me = browser(learner_user)
    prefix = me.open_block("/course/module/alpha/")
    token = prefix.split("/")[3]
    forged = prefix.replace(token, token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"))
    response = me.post(forged, "view_section", {"index": 0})
    assert response.status_code == 404 and response.json()["error"]
    unknown_handler = me.post(prefix, "no_such_handler", {})
    assert unknown_handler.status_code == 404


@pytest.mark.parametrize("raw", [
    b"{not json", b"[1, 2]", b'{"index": "1"}', b'{"index": 0, "pad": "' + b"x" * 5000 + b'"}',
])
def test_malformed_requests_over_http_get_400_and_change_nothing(browser, learner_user, learner, raw):
    me = browser(learner_user)
    prefix = me.open_block("/course/module/alpha/")
    response = me.post(prefix, "view_section", raw=raw)
    assert response.status_code == 400 and response.json()["error"]
    assert api.module_state(learner, "alpha")["sections_viewed"] == []


BEAT = {"tab": "t", "seq": 1, "visible": True, "idle_seconds": 0}


@pytest.mark.parametrize("raw", [
    b"{not json", b"[1, 2]", b'{"tab": "t", "seq": 1, "visible": true, "idle_seconds": NaN}',
    b'{"tab": "", "seq": 1, "visible": true, "idle_seconds": 0}',
    b'{"tab": "t", "seq": -1, "visible": true, "idle_seconds": 0}',
    b'{"tab": "t", "seq": 1, "visible": "yes", "idle_seconds": 0}',
    b'{"tab": "t", "seq": 1, "visible": true, "idle_seconds": 0, "credit_seconds": 3600}',
    b'{"tab": "t", "seq": 1, "visible": true, "idle_seconds": 0, "pad": "' + b"x" * 5000 + b'"}',
])
def test_malformed_heartbeats_over_http_get_400_and_record_nothing(browser, learner_user, learner, raw):
    """The server answers beats without building the block (xblocks.heartbeat), with the handler's checks."""
    me = browser(learner_user)
    prefix = me.open_block("/course/module/alpha/")
    response = me.post(prefix, "heartbeat", raw=raw)
    assert response.status_code == 400 and response.json()["error"]
    assert api.module_state(learner, "alpha")["seconds"] == 0
    assert not ActivityClock.objects.filter(learner=learner).exists()


def test_a_heartbeat_needs_post_and_the_csrf_token(browser, learner_user, learner):
    me = browser(learner_user)
    prefix = me.open_block("/course/module/alpha/")
    assert me.post(prefix, "heartbeat", BEAT, csrf=False).status_code == 403
    answer = me.get(prefix.replace("/HANDLER/", "/heartbeat/"))
    assert answer.status_code == 405 and answer.json()["error"] == "use POST"
    assert not ActivityClock.objects.filter(learner=learner).exists()


def test_heartbeats_over_http_follow_the_block_types_settings(browser, learner_user, learner, settings, clock):
    settings.XBLOCK_SETTINGS = {"caregiving_module": {"heartbeat_idle_seconds": 5}}
    me = browser(learner_user)
    prefix = me.open_block("/course/module/alpha/")
    me.post(prefix, "heartbeat", BEAT)
    clock.advance(15)
    idle = me.post(prefix, "heartbeat", {**BEAT, "seq": 2, "idle_seconds": 6}).json()
    assert idle == {"credited_seconds": 0, "ignored": "idle"}
    assert api.module_state(learner, "alpha")["seconds"] == 0


def test_the_server_answers_beats_as_the_blocks_own_handler_does(browser, block_client, learner_user, learner,
                                                                make_user, clock):
    """The same beats, one learner over HTTP (answered without building the block) and one through the block's
    handler in our runtime: the same replies, the completing beat included, and completion published once."""
    over_http = browser(learner_user)
    prefix = over_http.open_block("/course/module/alpha/")
    twin = make_user("twin@example.org", cohort="fall-2026")
    in_block = block_client(twin)

    def both(handler: str, payload: dict) -> tuple[dict, dict]:
        response = over_http.post(prefix, handler, payload)
        status, reply = in_block.call(handler, payload)
        assert response.status_code == status == 200
        return response.json(), reply

    for index in range(3):
        both("view_section", {"index": index})
    both("submit_check", {"answers": ALL_RIGHT})
    beats = [(0, {**BEAT, "seq": 0})] + [(15, {**BEAT, "seq": seq, "idle_seconds": 3}) for seq in range(1, 13)]
    beats[4:4] = [(0, {**BEAT, "seq": 3}), (0, {**BEAT, "seq": 99, "visible": False})]  # a replay, a hidden tab
    replies = []
    for seconds, beat in beats:
        clock.advance(seconds)
        served, handled = both("heartbeat", beat)
        assert served == handled, beat
        replies.append(served)
    assert [reply.get("ignored") for reply in replies[3:6]] == ["", "replay", "hidden"]
    assert replies[-1]["completed"] is True and replies[-1]["module_seconds"] == 180
    assert in_block.events("completion") == [{"completion": 1.0}]
    state = BlockState.objects.get(scope="user_state", user_id=str(learner.pk))
    assert state.state["completion_published"] is True
    assert api.completion_check(learner, "alpha").completed


def test_signed_out_visitors_are_sent_to_sign_in(live_server):
    import requests

    for path in ("/course/", "/course/module/alpha/", "/course/progress/", "/course/dashboard/"):
        response = requests.get(live_server.url + path, allow_redirects=False, timeout=30)
        assert response.status_code == 302 and "/accounts/login/" in response.headers["Location"]


def test_unknown_module_is_404(browser, learner_user):
    assert browser(learner_user).get("/course/module/nope/").status_code == 404


def test_the_dashboard_is_for_staff_only(browser, learner_user, instructor):
    assert browser(learner_user).get("/course/dashboard/").status_code == 403
    assert browser(instructor).get("/course/dashboard/").status_code == 200


def test_ping_and_block_resources(live_server):
    import requests

    ping = requests.get(live_server.url + "/course/ping", timeout=30)
    assert ping.status_code == 200 and ping.json() == {"ok": True}
    script = requests.get(live_server.url + "/course/resource/xblocks/runtime.js", timeout=30)
    assert script.status_code == 200 and "handlerUrl" in script.text
    for bad in ("../models.py", "%2e%2e/models.py", "blocks/../../settings.py", "missing.js"):
        assert requests.get(live_server.url + "/course/resource/" + bad, timeout=30).status_code == 404


def test_module_page_has_the_runtime_and_the_block_wiring(browser, learner_user):
    page = browser(learner_user).get("/course/module/alpha/")
    html = page.text
    assert "data-init='CaregivingModuleBlock'" in html and "data-csrf=" in html
    assert "/course/resource/xblocks/runtime.js" in html
    assert "/course/block-resource/caregiving_module/public/module.js" in html
    assert 'rel="next"' in html and "Beta module" in html


def test_render_block_for_an_lti_learner_records_on_that_learner(browser, live_server, make_user):
    """The LTI bridge's pattern: a Django user per LTI identity, the learner of that identity passed in."""
    from django.contrib.auth import get_user_model
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from xblocks.runtime import render_block

    lti_user = get_user_model().objects.create_user("lti-abc", password=None)
    lti_learner = api.learner_for_identity("lti", "abc", issuer="https://lms.example", name="Pat", user=lti_user)
    request = RequestFactory().get("/lti/launch")
    request.user = lti_user
    rendered = render_block(request, "caregiving_module", {"module_id": "beta"}, learner=lti_learner)
    page = render_to_string("xblocks/block_frame.html", {"xblock": rendered, "title": "Beta"})
    assert "Beta module" in page and "<nav" not in page
    from tests.xblocks.conftest import handler_prefix

    me = browser(lti_user)
    me.get("/course/ping")
    me.http.get(live_server.url + "/course/module/beta/")  # sets the CSRF cookie
    response = me.post(handler_prefix(rendered.html), "view_section", {"index": 1})
    assert response.status_code == 200, response.text
    assert api.module_state(lti_learner, "beta")["sections_viewed"] == [1]


def test_every_file_the_block_pages_load_answers_200(browser, learner_user, instructor):
    import re

    loaded = set()
    for user, path in [(learner_user, "/course/module/alpha/"), (learner_user, "/course/progress/"),
                       (instructor, "/course/dashboard/")]:
        me = browser(user)
        page = me.get(path)
        assert page.status_code == 200
        for url in re.findall(r"""<(?:script|link)[^>]+(?:src|href)=["'](/[^"']+)["']""", page.text):
            assert me.get(url).status_code == 200, (path, url)
            loaded.add(url)
    assert {"/course/block-resource/caregiving_dashboard/public/dashboard.css",
            "/course/block-resource/caregiving_dashboard/public/dashboard.js",
            "/course/block-resource/caregiving_progress/public/caregiving.css"} <= loaded
    for bad in ("caregiving_module/public/../../views.py", "caregiving_module/static/xblocks/runtime.js",
                "caregiving_module/public/missing.js", "nosuchblock/public/caregiving.css"):
        assert browser(learner_user).get("/course/block-resource/" + bad).status_code == 404, bad


@pytest.mark.django_db
def test_a_learner_chooses_to_show_their_name_on_badge_pages(client, learner_user, learner):
    client.force_login(learner_user)
    with translation.override("fr"):  # the request's French stays inside this block
        page = client.get("/course/progress/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Votre nom sur les pages publiques de vos badges" in page and 'value="no" checked' in page
    assert client.post("/course/progress/show-name/", {"show_name": "maybe"}).status_code == 400
    learner.refresh_from_db()
    assert learner.show_name_on_badges is False
    response = client.post("/course/progress/show-name/", {"show_name": "yes"})
    assert response.status_code == 302 and response["Location"] == "/course/progress/"
    learner.refresh_from_db()
    assert learner.show_name_on_badges is True
    assert 'value="yes" checked' in client.get("/course/progress/").content.decode()
    assert client.get("/course/progress/show-name/").status_code == 405
