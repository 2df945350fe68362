"""Self-registered learners join the open cohort, so its instructors follow them (issue 17.5)."""
from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from caregiving_course.learner_record import api

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_reset():
    """A request in French leaves French active in this thread (LocaleMiddleware): the next tests expect none."""
    yield
    translation.deactivate()


def test_a_learner_who_signs_up_appears_on_the_open_cohorts_dashboard(make_user, settings):
    teacher = make_user("open.teacher@example.org", role="instructor", cohort=settings.SIGNUP_COHORT)
    answer = Client().post("/accounts/signup/", {"name": "Sam Self", "email": "sam.self@example.org",
                                                  "password": "a-long-enough-passphrase"})
    assert answer.status_code == 302
    cohort = api.cohorts_for(teacher)[0]
    assert cohort.name == settings.SIGNUP_COHORT
    assert [row.email for row in api.cohort_rows(cohort, viewer=teacher)] == ["sam.self@example.org"]
    staff = Client()
    staff.force_login(teacher)
    assert "Sam Self" in staff.get("/course/dashboard/").content.decode()


def test_signup_errors_are_tied_to_their_fields():
    page = Client().post("/accounts/signup/", {"name": "", "email": "x", "password": "short"}).content.decode()
    assert 'class="error-summary" tabindex="-1"' in page
    for field in ("id_name", "id_email"):
        assert f'href="#{field}"' in page and f'aria-describedby="{field}-error"' in page
    assert 'aria-describedby="id_password-help id_password-error"' in page and 'aria-invalid="true"' in page
