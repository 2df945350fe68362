"""The partner platforms page under /manage/: an administrator chooses the courses each platform may use."""
from __future__ import annotations

import html

import pytest

pytestmark = pytest.mark.django_db

FIRST, SECOND = "professional-practice-in-caregiving", "mental-health-substance-use"


@pytest.fixture
def platform():
    from lti_bridge.models import Platform

    return Platform.objects.create(name="Spark Moodle", issuer="https://lms.example.edu", client_id="c",
                                   auth_login_url="https://lms.example.edu/auth",
                                   auth_token_url="https://lms.example.edu/token",
                                   key_set_url="https://lms.example.edu/jwks")


@pytest.fixture
def admin(client, django_user_model):
    user = django_user_model.objects.create_superuser("root@example.org", "root@example.org", "x-long-password-1")
    client.force_login(user)
    return client


def test_an_administrator_chooses_then_restores_every_course(admin, platform):
    url = f"/manage/platforms/{platform.pk}/courses/"
    page = html.unescape(admin.get(url).content.decode())
    assert "Every course, including courses added later" in page and f'value="{SECOND}"' in page
    saved = admin.post(url, {"scope": "chosen", "course": [SECOND]})
    assert saved.status_code == 302
    platform.refresh_from_db()
    assert (platform.all_courses, platform.course_ids) == (False, [SECOND])
    listing = html.unescape(admin.get("/manage/platforms/").content.decode())
    assert "Mental Health and Substance Use Support for Caregivers" in listing
    assert admin.post(url, {"scope": "all"}).status_code == 302
    platform.refresh_from_db()
    assert platform.all_courses and "Every course" in admin.get("/manage/platforms/").content.decode()


def test_the_page_is_in_french(admin, platform):
    page = html.unescape(admin.get(f"/manage/platforms/{platform.pk}/courses/", HTTP_ACCEPT_LANGUAGE="fr")
                         .content.decode())
    assert "Tous les cours, y compris ceux ajoutés plus tard" in page
    assert "Pratique professionnelle en soins et accompagnement" in page


@pytest.mark.parametrize("data,status,says", [
    ({"scope": "chosen", "course": ["no-such-course"]}, 400, "no longer in the catalogue"),
    ({"scope": "sideways"}, 400, "Choose every course, or the courses ticked."),
])
def test_bad_choices_are_refused_with_a_reason(admin, platform, data, status, says):
    answer = admin.post(f"/manage/platforms/{platform.pk}/courses/", data)
    assert answer.status_code == status and says in html.unescape(answer.content.decode())
    platform.refresh_from_db()
    assert platform.all_courses


def test_an_unknown_platform_is_404_and_others_than_administrators_are_refused(admin, platform, client,
                                                                               make_user):
    assert admin.get("/manage/platforms/999999/courses/").status_code == 404
    admin.logout()
    client.force_login(make_user("teacher@example.org", role="instructor", cohort="fall"))
    assert client.post(f"/manage/platforms/{platform.pk}/courses/", {"scope": "all"}).status_code == 403
