"""Deep Linking 2.0 round trip: the instructor picks modules, the platform receives and verifies our signed answer."""
from __future__ import annotations

import html

import pytest

from tests.fakes.lti_platform import DL, INSTRUCTOR, LTI
from tests.lti.conftest import form_fields

pytestmark = pytest.mark.django_db(transaction=True)


def _picker(browser, fake, **settings_overrides):
    claims = fake.claims(message_type="LtiDeepLinkingRequest")
    dl_settings = {**claims[DL + "deep_linking_settings"], **settings_overrides}
    response = browser.launch(fake, "teacher-dl", message_type="LtiDeepLinkingRequest", roles=[INSTRUCTOR],
                              overrides={DL + "deep_linking_settings": dl_settings})
    assert response.status_code == 200, response.text
    return response


def _choose(browser, picker, data: dict) -> tuple:
    action, fields = form_fields(picker.text)
    answer = browser.session.post(browser.tool + action, data={**fields, **data}, timeout=10)
    return answer, form_fields(answer.text)


def test_instructor_picks_two_modules_and_the_platform_verifies_the_response(registered, fake, browser):
    picker = _picker(browser, fake)
    assert 'type="checkbox" name="module"' in picker.text
    answer, (return_url, fields) = _choose(browser, picker, {"module": ["caregiver-role", "caregiver-well-being"]})
    assert answer.status_code == 200, answer.text
    assert return_url == f"{fake.base}/deep-link-return"
    delivered = browser.session.post(return_url, data=fields, timeout=10)
    assert delivered.status_code == 200, delivered.text
    claims = fake.deep_link_responses[-1]
    assert claims[LTI + "message_type"] == "LtiDeepLinkingResponse" and claims[LTI + "version"] == "1.3.0"
    assert claims[LTI + "deployment_id"] == fake.deployment_id
    assert claims[DL + "data"] == "opaque-data-123"
    items = claims[DL + "content_items"]
    assert [i["custom"]["module_id"] for i in items] == ["caregiver-role", "caregiver-well-being"]
    assert all(i["type"] == "ltiResourceLink" and i["url"].endswith("/lti/launch") for i in items)
    assert items[0]["lineItem"] == {"label": items[0]["title"], "scoreMaximum": 100, "resourceId": "caregiver-role",
                                    "tag": "professional-practice-in-caregiving"}
    assert items[0]["custom"]["course_id"] == "professional-practice-in-caregiving"


def test_whole_course_links_every_module(registered, fake, browser, course):
    _answer, (_url, fields) = _choose(browser, _picker(browser, fake), {"whole_course": [c.id for c in course.courses]})
    browser.session.post(_url, data=fields, timeout=10)
    items = fake.deep_link_responses[-1][DL + "content_items"]
    assert [i["lineItem"]["resourceId"] for i in items] == [m.id for m in course.modules]


def test_single_choice_when_the_platform_accepts_one_item(registered, fake, browser):
    picker = _picker(browser, fake, accept_multiple=False, accept_lineitem=False)
    assert 'type="radio" name="module"' in picker.text and "whole_course" not in picker.text
    answer, _ = _choose(browser, picker, {"module": ["caregiver-role", "caregiver-well-being"]})
    assert answer.status_code == 400 and "single module" in html.unescape(answer.text)
    answer, (url, fields) = _choose(browser, picker, {"module": "caregiver-role"})
    browser.session.post(url, data=fields, timeout=10)
    items = fake.deep_link_responses[-1][DL + "content_items"]
    assert len(items) == 1 and "lineItem" not in items[0]


def test_platform_that_does_not_accept_links_is_told_why(registered, fake, browser):
    claims = fake.claims(message_type="LtiDeepLinkingRequest")
    dl_settings = {**claims[DL + "deep_linking_settings"], "accept_types": ["file", "html"]}
    response = browser.launch(fake, "teacher-dl", message_type="LtiDeepLinkingRequest", roles=[INSTRUCTOR],
                              overrides={DL + "deep_linking_settings": dl_settings})
    assert response.status_code == 400 and "does not accept LTI resource links" in response.text


@pytest.mark.parametrize("data,status", [
    ({"ticket": "forged"}, 403), ({"module": "no-such-module"}, 400), ({}, 400),
])
def test_tampered_or_empty_selection_is_refused(registered, fake, browser, data, status):
    answer, _ = _choose(browser, _picker(browser, fake), data)
    assert answer.status_code == status, answer.text


def test_deep_link_settings_without_return_url_are_refused(registered, fake, browser):
    response = browser.launch(fake, "teacher-dl", message_type="LtiDeepLinkingRequest", roles=[INSTRUCTOR],
                              overrides={DL + "deep_linking_settings": {"accept_types": ["ltiResourceLink"]}})
    assert response.status_code == 400 and "deep_link_return_url" in response.text


def test_deep_linking_after_our_key_rotation_verifies_with_the_new_key(registered, fake, browser):
    from datetime import timedelta

    import jwt

    from lti_bridge import keys

    old = keys.signing_key()
    new = keys.rotate_key(timedelta(0))
    _answer, (url, fields) = _choose(browser, _picker(browser, fake), {"module": "caregiver-role"})
    assert jwt.get_unverified_header(fields["JWT"])["kid"] == new.kid
    assert browser.session.post(url, data=fields, timeout=10).status_code == 200
    published = {k["kid"] for k in keys.jwks()["keys"]}
    assert {old.kid, new.kid} <= published  # the old key stays until what it signed has expired
