"""LTI 1.3 launches over real HTTP: the valid certification launches and every invalid one refused with a 4xx."""
from __future__ import annotations

import base64
import html
import time

import pytest

from tests.fakes.lti_platform import INSTRUCTOR, LEARNER, LTI, REMOVE

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.database]


def _learners() -> int:
    from caregiving_course.learner_record.models import Learner

    return Learner.objects.count()


def test_learner_launch_opens_the_module_in_the_partner_iframe(registered, fake, browser):
    response = browser.launch(fake, "learner-1", overrides={LTI + "custom": {"module_id": "caregiver-role"}})
    assert response.status_code == 200, response.text
    assert 'class="cg-module"' in response.text and "data-handler-prefix" in response.text
    assert "X-Frame-Options" not in response.headers
    assert f"frame-ancestors 'self' {fake.base}" in response.headers["Content-Security-Policy"]
    assert "sessionid" in response.cookies
    assert 'data-lti-session="' in response.text

    from caregiving_course.learner_record.models import Identity
    from lti_bridge.models import LaunchLearner, ResourceLink

    identity = Identity.objects.get(source="lti", subject="learner-1")
    assert identity.issuer == fake.issuer
    link = ResourceLink.objects.get(resource_link_id="link-1")
    assert link.module_id == "caregiver-role"
    assert link.lineitem_url.endswith("/lineitems/link-1")
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in link.ags_scopes
    assert link.nrps_url == f"{fake.base}/nrps/course-1"
    assert LaunchLearner.objects.get(resource_link=link).subject == "learner-1"
    learner = identity.learner
    assert learner.user.username.startswith("lti-") and not learner.user.has_usable_password()
    assert learner.enrolments.get().cohort.name == link.cohort_name
    assert learner.module_activity.get(module_id="caregiver-role").launched_via == "lti"  # the xAPI launch channel


def test_launch_without_pii_and_second_launch_reuse_the_learner(registered, fake, browser, tool_url):
    overrides = {"name": REMOVE, "email": REMOVE, LTI + "custom": {"module_id": "caregiver-role"}}
    assert browser.launch(fake, "learner-2", overrides=overrides).status_code == 200
    learners = _learners()
    from tests.lti.conftest import new_browser

    assert new_browser(tool_url).launch(fake, "learner-2", overrides=overrides).status_code == 200
    assert _learners() == learners


@pytest.mark.parametrize("overrides", [
    {"aud": ["tool-client-1", "another-audience"], "azp": "tool-client-1"},
    {"aud": ["tool-client-1"]},
    {"azp": "tool-client-1"},
    {LTI + "roles": []},
    {LTI + "roles": ["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student",
                     "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]},
    {LTI + "context": "not an object"},
], ids=["aud list with azp", "aud list of one", "azp equal to aud", "empty roles", "institution roles",
        "odd context"])
def test_valid_launch_variants(registered, fake, browser, overrides):
    custom = {LTI + "custom": {"module_id": "caregiver-role"}}
    response = browser.launch(fake, "learner-v", overrides={**custom, **overrides})
    assert response.status_code == 200, response.text
    assert 'class="cg-module"' in response.text


def test_launch_by_post_login(registered, fake, browser):
    response = browser.launch(fake, "learner-3", method="POST",
                              overrides={LTI + "custom": {"module_id": "caregiver-role"}})
    assert response.status_code == 200, response.text


def test_same_subject_on_two_platforms_is_two_learners_even_with_one_email(registered, fake, browser, tool_url):
    from tests.fakes.lti_platform import FakePlatform
    from tests.lti.conftest import new_browser, register

    other = FakePlatform(client_id="other-client", deployment_id="other-dep").start()
    try:
        register(other)
        overrides = {"email": "same@example.org", LTI + "custom": {"module_id": "caregiver-role"}}
        assert browser.launch(fake, "shared-sub", overrides=overrides).status_code == 200
        assert new_browser(tool_url).launch(other, "shared-sub", overrides=overrides).status_code == 200
        from caregiving_course.learner_record.models import Identity

        identities = Identity.objects.filter(source="lti", subject="shared-sub")
        assert {i.issuer for i in identities} == {fake.issuer, other.issuer}
        assert len({i.learner_id for i in identities}) == 2
    finally:
        other.stop()


def _rows() -> dict[str, int]:
    """Rows of every table a launch could write (the login's own state row aside)."""
    from django.apps import apps

    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.label != "lti_bridge.LoginState"}


def _leaves_nothing(response, rows_before: dict) -> None:
    assert "Set-Cookie" not in response.headers, response.headers.get("Set-Cookie")
    assert _rows() == rows_before


@pytest.mark.parametrize("locale,says", [("fr-CA", "n’a pas encore choisi cette activité"),
                                         ("en-US", "Your instructor has not chosen this activity yet.")])
def test_a_learner_on_a_link_not_placed_yet_is_told_in_their_language_and_nothing_is_left(
        registered, fake, browser, locale, says):
    rows = _rows()
    response = browser.launch(fake, "learner-4", overrides={LTI + "launch_presentation": {"locale": locale}})
    assert response.status_code == 200, response.text
    assert says in html.unescape(response.text) and 'class="lti-not-placed"' in response.text
    assert f"frame-ancestors 'self' {fake.base}" in response.headers["Content-Security-Policy"]
    _leaves_nothing(response, rows)


def test_an_instructor_chooses_the_module_of_a_link_not_placed_yet(registered, fake, browser, tool_url):
    from lti_bridge.models import ResourceLink
    from tests.lti.conftest import form_fields, new_browser

    assert new_browser(tool_url).launch(fake, "learner-5").status_code == 200
    picker = browser.launch(fake, "teacher-5", roles=[INSTRUCTOR])
    assert picker.status_code == 200 and "Choose this activity" in html.unescape(picker.text)
    assert ResourceLink.objects.get(resource_link_id="link-1").module_id == ""
    action, fields = form_fields(picker.text)
    assert action == "/lti/place"
    session = browser.session
    for bad, status in [({**fields, "module": "nope"}, 400), ({**fields, "ticket": fields["ticket"] + "x",
                                                               "module": "caregiver-role"}, 403)]:
        assert session.post(tool_url + action, data=bad, timeout=10).status_code == status
    assert ResourceLink.objects.get(resource_link_id="link-1").module_id == ""
    placed = session.post(tool_url + action, data={**fields, "module": "caregiver-role"}, timeout=10)
    assert placed.status_code == 200 and 'data-module="caregiver-role"' in placed.text
    assert ResourceLink.objects.get(resource_link_id="link-1").module_id == "caregiver-role"
    again = session.post(tool_url + action, data={**fields, "module": "person-centred-communication"}, timeout=10)
    assert again.status_code == 409  # a placed link keeps its module
    learner = new_browser(tool_url).launch(fake, "learner-5")
    assert learner.status_code == 200 and 'class="cg-module"' in learner.text
    assert ResourceLink.objects.get(resource_link_id="link-1").module_id == "caregiver-role"


def test_a_refused_deep_linking_launch_leaves_no_account(registered, fake, browser):
    rows = _rows()
    response = browser.launch(fake, "learner-dl", message_type="LtiDeepLinkingRequest", roles=[LEARNER])
    assert response.status_code == 403
    _leaves_nothing(response, rows)


# --- the certification's invalid launches --------------------------------------------------------------------

INVALID = [
    ("bad signature", {"variant": "bad_signature"}, 401, "signature does not match"),
    ("wrong kid", {"variant": "wrong_kid"}, 401, "does not publish a key"),
    ("no kid", {"variant": "no_kid"}, 401, "no 'kid'"),
    ("alg none", {"variant": "alg_none"}, 401, "alg 'none'"),
    ("HS256 with the public key", {"variant": "hs256_public"}, 401, "shared-secret"),
    ("wrong iss", {"overrides": {"iss": "https://evil.example"}}, 401, "not a registered platform"),
    ("wrong aud", {"overrides": {"aud": "someone-else"}}, 401, "audience"),
    ("several aud without azp", {"overrides": {"aud": ["tool-client-1", "x"]}}, 401, "no authorized party"),
    ("azp not an audience", {"overrides": {"aud": ["tool-client-1", "x"], "azp": "y"}}, 401, "authorized party"),
    ("thousands of audiences", {"overrides": {"aud": [f"a{n}" for n in range(2000)], "azp": "a1"}}, 401,
     "more than 10 audiences"),
    ("expired", {"overrides": {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 4000}}, 401, "expired"),
    ("iat in the future", {"overrides": {"iat": int(time.time()) + 3600, "exp": int(time.time()) + 4000}}, 401,
     "future"),
    ("no exp", {"overrides": {"exp": REMOVE}}, 401, "no expiry"),
    ("no nonce", {"overrides": {"nonce": REMOVE}}, 401, "no nonce"),
    ("nonce not the login's", {"overrides": {"nonce": "another-nonce"}}, 403, "nonce does not match"),
    ("wrong message type", {"overrides": {LTI + "message_type": "LtiSubmissionReviewRequestX"}}, 400, "message type"),
    ("no message type", {"overrides": {LTI + "message_type": REMOVE}}, 400, "no message type"),
    ("wrong version", {"overrides": {LTI + "version": "1.2.0"}}, 400, "version"),
    ("no version", {"overrides": {LTI + "version": REMOVE}}, 400, "no LTI version"),
    ("unknown deployment", {"overrides": {LTI + "deployment_id": "not-ours"}}, 403, "not registered"),
    ("no deployment", {"overrides": {LTI + "deployment_id": REMOVE}}, 400, "no deployment id"),
    ("no resource link id", {"overrides": {LTI + "resource_link": {"title": "x"}}}, 400, "resource link id"),
    ("no resource link", {"overrides": {LTI + "resource_link": REMOVE}}, 400, "resource link id"),
    ("no sub", {"overrides": {"sub": REMOVE}}, 400, "no user"),
    ("empty sub", {"overrides": {"sub": ""}}, 400, "no user"),
    ("no roles claim", {"overrides": {LTI + "roles": REMOVE}}, 400, "no roles claim"),
    ("roles not a list", {"overrides": {LTI + "roles": "Learner"}}, 400, "no roles claim"),
    ("exp not finite", {"overrides": {"exp": float("inf")}}, 401, "no expiry"),
    ("NUL in sub", {"overrides": {"sub": "a\x00b"}}, 400, "NUL"),
]


@pytest.mark.parametrize("case,plan,status,reason", INVALID, ids=[c[0] for c in INVALID])
def test_invalid_launch_is_refused_with_a_reason_and_no_session(registered, fake, browser, case, plan, status,
                                                                reason):
    rows = _rows()
    response = browser.launch(fake, "learner-x", **plan)
    assert response.status_code == status, response.text
    assert reason in html.unescape(response.text)
    _leaves_nothing(response, rows)


def test_replayed_launch_is_refused(registered, fake, browser, tool_url):
    fake.plan("learner-r", overrides={LTI + "custom": {"module_id": "caregiver-role"}})
    action, fields = browser.authenticate(browser.login(fake, "learner-r"))
    assert browser.post_launch(action, fields).status_code == 200
    from tests.lti.conftest import new_browser

    attacker = new_browser(tool_url)
    replay = attacker.post_launch(action, fields)
    assert replay.status_code == 403 and "already used" in replay.text
    assert "sessionid" not in replay.cookies


def test_state_from_another_browser_is_refused(registered, fake, browser, tool_url):
    action, fields = browser.authenticate(browser.login(fake, "learner-s"))
    from tests.lti.conftest import new_browser

    other = new_browser(tool_url)
    other.session.cookies.update({k: "forged" for k in browser.session.cookies.keys()})
    response = other.post_launch(action, fields)
    assert response.status_code == 403 and "did not come from the browser" in response.text


def test_launch_without_third_party_cookies_completes_within_the_window(registered, fake, browser):
    browser.keep_cookies = False
    response = browser.launch(fake, "learner-c", overrides={LTI + "custom": {"module_id": "caregiver-role"}})
    assert response.status_code == 200, response.text


def test_expired_state_is_refused(registered, fake, browser):
    from django.utils import timezone

    from lti_bridge.models import LoginState

    action, fields = browser.authenticate(browser.login(fake, "learner-e"))
    LoginState.objects.filter(state=fields["state"]).update(expires_at=timezone.now())
    response = browser.post_launch(action, fields)
    assert response.status_code == 403 and "expired" in response.text


def test_cookieless_launch_after_the_window_is_refused(registered, fake, browser):
    from datetime import timedelta

    from django.utils import timezone

    from lti_bridge.models import LoginState

    action, fields = browser.authenticate(browser.login(fake, "learner-w"))
    LoginState.objects.filter(state=fields["state"]).update(created_at=timezone.now() - timedelta(minutes=5))
    browser.keep_cookies = False
    response = browser.post_launch(action, fields)
    assert response.status_code == 403 and "cookie" in response.text


def test_unknown_state_is_refused(registered, fake, browser):
    action, fields = browser.authenticate(browser.login(fake, "learner-u"))
    response = browser.post_launch(action, {**fields, "state": "made-up"})
    assert response.status_code == 403 and "state is unknown" in response.text
    assert browser.post_launch(action, {**fields, "state": "a\x00b"}).status_code == 400


@pytest.mark.parametrize("token,status", [
    ("", 400), ("not-a-jwt", 400), ("a.b.c", 400), ("x" * 70000, 413),
    ("eyJhbGciOiJSUzI1NiJ9.W10.c2ln", 400),  # payload is a JSON list
    ("eyJhbGciOiJSUzI1NiIsImtpZCI6IngifQ.eyJpc3MiOiJodHRwOi8veCJ9.%%%", 401),  # unknown issuer
    ("eyJhbGciOiJSUzI1NiJ9." + base64.urlsafe_b64encode(b"[" * 20000 + b"]" * 20000).decode() + ".c2ln", 400),
])
def test_hostile_tokens_are_refused(registered, browser, tool_url, token, status):
    response = browser.session.post(f"{tool_url}/lti/launch", data={"id_token": token, "state": "s"}, timeout=10)
    assert response.status_code == status, response.text
    assert "lti-error" in response.text


def test_launch_by_get_is_not_allowed(registered, browser, tool_url):
    assert browser.session.get(f"{tool_url}/lti/launch", timeout=10).status_code == 405


@pytest.mark.parametrize("params,reason", [
    ({"iss": "https://unknown.example"}, "no platform is registered"),
    ({"login_hint": ""}, "no 'login_hint'"),
    ({"target_link_uri": "https://evil.example/lti/launch"}, "not on this tool's site"),
    ({"lti_deployment_id": "nope"}, "not registered"),
    ({"client_id": "nope"}, "no platform is registered"),
    ({"lti_message_hint": "x" * 5000}, "longer than"),
    ({"login_hint": "a\x00b"}, "NUL character"),
])
def test_bad_login_initiation_is_refused(registered, fake, browser, params, reason):
    params = dict(params)
    response = browser.login(fake, params.pop("login_hint", "learner-l"), **params)
    assert 400 <= response.status_code < 500, response.text
    assert reason in html.unescape(response.text)


def test_login_redirect_carries_state_nonce_and_sets_a_browser_cookie(registered, fake, browser):
    from urllib.parse import parse_qs, urlsplit

    response = browser.login(fake, "learner-q", lti_message_hint="hint-1")
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["response_mode"] == ["form_post"] and query["prompt"] == ["none"]
    assert query["lti_message_hint"] == ["hint-1"] and query["client_id"] == [fake.client_id]
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    cookie = next(c for c in browser.session.cookies if c.name.startswith("lti1p3-"))
    assert cookie.has_nonstandard_attr("HttpOnly") or cookie._rest.get("HttpOnly") is not None


def test_instructor_launch_sees_only_their_context_learners(registered, fake, browser, tool_url):
    from tests.lti.conftest import new_browser

    custom = {LTI + "custom": {"module_id": "caregiver-role"}}
    assert new_browser(tool_url).launch(fake, "learner-a", overrides={**custom, "name": "Ada Learner"}).ok
    assert new_browser(tool_url).launch(fake, "learner-b", context_id="course-2",
                                        overrides={**custom, "name": "Bo Other"}).ok
    response = browser.launch(fake, "teacher-1", roles=[INSTRUCTOR], overrides={"name": "Tess Teacher"})
    assert response.status_code == 200, response.text
    assert "Ada Learner" in response.text and "Bo Other" not in response.text
    assert "Tess Teacher" not in response.text.split("<tbody>")[1]


def test_learner_role_cannot_deep_link(registered, fake, browser):
    response = browser.launch(fake, "learner-d", message_type="LtiDeepLinkingRequest", roles=[LEARNER])
    assert response.status_code == 403 and "only instructors" in response.text


def test_over_https_the_iframe_cookies_are_samesite_none_and_secure(fake, transactional_db):
    """The tool behind https (Django test client, secure=True): state, session and CSRF cookies cross sites."""
    import requests
    from django.test import Client

    from tests.lti.conftest import form_fields, register

    register(fake)
    fake.plan("learner-https", overrides={LTI + "custom": {"module_id": "caregiver-role"}})
    client = Client()
    login = client.get("/lti/login", {"iss": fake.issuer, "login_hint": "learner-https",
                                      "target_link_uri": "https://testserver/lti/launch"}, secure=True)
    assert login.status_code == 302
    state_cookie = next(c for name, c in login.cookies.items() if name.startswith("lti1p3-"))
    assert state_cookie["samesite"] == "None" and state_cookie["secure"] and state_cookie["httponly"]
    assert state_cookie.output().endswith("; Partitioned")
    action, fields = form_fields(requests.get(login["Location"], timeout=10).text)
    assert action == "https://testserver/lti/launch"
    response = client.post("/lti/launch", fields, secure=True)
    assert response.status_code == 200, response.content
    session = response.cookies["sessionid"]
    assert session["samesite"] == "None" and session["secure"] and session["httponly"]
    csrf = response.cookies["csrftoken"]
    assert csrf["samesite"] == "None" and csrf["secure"]
    assert "; Partitioned" in session.output() and "; Partitioned" in csrf.output()
    assert "frame-ancestors 'self' " + fake.base in response["Content-Security-Policy"]


def test_a_request_body_over_the_upload_limit_is_a_4xx(registered, browser, tool_url):
    response = browser.session.post(f"{tool_url}/lti/launch", data={"id_token": "x" * 3_000_000, "state": "s"},
                                    timeout=30)
    assert 400 <= response.status_code < 500


def test_behind_a_tls_proxy_the_configured_https_url_is_used(fake, transactional_db, settings):
    from urllib.parse import parse_qs, urlsplit

    from django.test import Client

    from tests.lti.conftest import register

    settings.BASE_URL = "https://tool.example.org"
    settings.ALLOWED_HOSTS = ["tool.example.org"]
    register(fake)
    login = Client().get("/lti/login", {"iss": fake.issuer, "login_hint": "x",
                                        "target_link_uri": "https://tool.example.org/lti/launch"},
                         HTTP_HOST="tool.example.org")
    assert login.status_code == 302, login.content
    assert parse_qs(urlsplit(login["Location"]).query)["redirect_uri"] == ["https://tool.example.org/lti/launch"]
    cookie = next(c for name, c in login.cookies.items() if name.startswith("lti1p3-"))
    assert cookie["secure"] and cookie["samesite"] == "None"
