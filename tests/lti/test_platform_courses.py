"""Each platform uses the courses an administrator chose: deep linking lists their modules by course, and a
launch or placement of another course's module is refused with a 4xx page and leaves nothing behind."""
from __future__ import annotations

import html
import re

import pytest

from tests.fakes.lti_platform import DL, INSTRUCTOR, LEARNER, LTI
from tests.lti.conftest import form_fields, new_browser
from tests.lti.test_launch import _leaves_nothing, _rows

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.database]

FIRST, SECOND = "professional-practice-in-caregiving", "mental-health-substance-use"
SECOND_MODULE = "recognising-mental-health-changes"


def _allow(platform, *course_ids: str) -> None:
    platform.all_courses, platform.course_ids = False, list(course_ids)
    platform.save()


def _picker(browser, fake):
    return browser.launch(fake, "teacher-dl", message_type="LtiDeepLinkingRequest", roles=[INSTRUCTOR])


def _courses_listed(page: str) -> list[str]:
    return re.findall(r'<fieldset class="lti-course" data-course="([^"]+)"', page)


def test_the_picker_lists_every_course_by_title_in_english_and_french(registered, fake, browser, course):
    picker = _picker(browser, fake)
    assert picker.status_code == 200, picker.text
    assert _courses_listed(picker.text) == [c.id for c in course.courses]
    text = html.unescape(picker.text)
    assert all(c.title in text for c in course.courses)
    french = new_browser(browser.tool)
    french.session.headers["Accept-Language"] = "fr"
    page = html.unescape(_picker(french, fake).text)
    assert course.course(FIRST).text("fr")[0] in page and "Pratique professionnelle" in page


def test_a_platform_sees_and_links_only_the_courses_it_may_use(registered, fake, browser):
    _allow(registered, SECOND)
    picker = _picker(browser, fake)
    assert _courses_listed(picker.text) == [SECOND]
    assert 'value="caregiver-role"' not in picker.text
    action, fields = form_fields(picker.text)
    refused = browser.session.post(browser.tool + action, data={**fields, "module": "caregiver-role"}, timeout=10)
    assert refused.status_code == 400 and "may not use" in html.unescape(refused.text)
    refused = browser.session.post(browser.tool + action, data={**fields, "whole_course": FIRST}, timeout=10)
    assert refused.status_code == 403
    answer = browser.session.post(browser.tool + action, data={**fields, "whole_course": SECOND}, timeout=10)
    url, form = form_fields(answer.text)
    browser.session.post(url, data=form, timeout=10)
    items = fake.deep_link_responses[-1][DL + "content_items"]
    assert {i["custom"]["course_id"] for i in items} == {SECOND} and len(items) == 4
    assert {i["lineItem"]["tag"] for i in items} == {SECOND}


def test_a_platform_with_no_course_cannot_deep_link_and_leaves_no_account(registered, fake, browser):
    _allow(registered)
    rows = _rows()
    response = _picker(browser, fake)
    assert response.status_code == 403 and "may not use any" in html.unescape(response.text)
    _leaves_nothing(response, rows)


@pytest.mark.parametrize("roles", [[LEARNER], [INSTRUCTOR]], ids=["learner", "instructor"])
def test_a_launch_of_a_module_of_a_course_not_allowed_is_refused_and_leaves_nothing(registered, fake, browser,
                                                                                   roles, course):
    _allow(registered, FIRST)
    rows = _rows()
    response = browser.launch(fake, "learner-c", roles=roles, overrides={LTI + "custom": {"module_id": SECOND_MODULE}})
    assert response.status_code == 403, response.text
    assert course.course(SECOND).title in html.unescape(response.text)
    _leaves_nothing(response, rows)
    allowed = new_browser(browser.tool).launch(fake, "learner-c",
                                               overrides={LTI + "custom": {"module_id": "caregiver-role"}})
    assert allowed.status_code == 200 and 'class="cg-module"' in allowed.text


def test_a_link_placed_before_its_course_was_withdrawn_is_refused(registered, fake, browser):
    first = browser.launch(fake, "learner-w", overrides={LTI + "custom": {"module_id": SECOND_MODULE}})
    assert first.status_code == 200
    _allow(registered, FIRST)
    rows = _rows()
    again = new_browser(browser.tool).launch(fake, "learner-w")  # the link's stored module, no custom parameter
    assert again.status_code == 403
    _leaves_nothing(again, rows)


def test_choosing_a_links_module_offers_and_accepts_only_allowed_courses(registered, fake, browser, tool_url):
    from lti_bridge.models import ResourceLink

    _allow(registered, SECOND)
    picker = browser.launch(fake, "teacher-p", roles=[INSTRUCTOR])
    assert picker.status_code == 200 and _courses_listed(picker.text) == [SECOND]
    action, fields = form_fields(picker.text)
    refused = browser.session.post(tool_url + action, data={**fields, "module": "caregiver-role"}, timeout=10)
    assert refused.status_code == 403
    assert ResourceLink.objects.get(resource_link_id="link-1").module_id == ""
    placed = browser.session.post(tool_url + action, data={**fields, "module": SECOND_MODULE}, timeout=10)
    assert placed.status_code == 200
    assert ResourceLink.objects.get(resource_link_id="link-1").module_id == SECOND_MODULE


def test_existing_platforms_use_every_course(registered):
    from lti_bridge import courses

    assert registered.all_courses and courses.describe(registered) == "every course"
