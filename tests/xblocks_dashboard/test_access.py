"""Staff only: learners and strangers get a polite refusal and 403 from every handler; an instructor
sees only the cohorts they teach; an administrator sees all."""
from __future__ import annotations

import pytest

from caregiving_course.learner_record.models import InstructorRecord

POST_HANDLERS = ["table", "select_cohort", "learner", "record_hours", "record_signoff", "withdraw", "revoke",
                 "retry_delivery", "load_roster"]
GET_HANDLERS = ["csv", "chart"]


def test_learner_sees_refusal_not_the_dashboard(people, dashboard):
    client = dashboard(people["ana"], open_page=False)
    page = client.open()
    assert page.status_code == 403
    assert "cg-dash-table" not in page.text and "ana@example.org" not in page.text


def test_block_itself_refuses_politely_to_a_learner(people):
    from django.test import RequestFactory

    from xblocks.runtime import render_block

    request = RequestFactory().get("/")
    request.user, request.session = people["ana"], {}
    html = render_block(request, "caregiving_dashboard", {}).html
    assert "for the course&#x27;s instructors and administrators" in html or "instructors and administrators" in html
    assert "<table" not in html


@pytest.mark.parametrize("handler", POST_HANDLERS)
def test_every_post_handler_refuses_a_learner(people, dashboard, handler):
    client = dashboard(people["ana"], open_page=False)
    client.use_token_of(people["ana"])
    response = client.post(handler, {"cohort": "fall", "learner_id": people["ana_learner"].pk, "component": "practicum",
                                     "hours": 2})
    assert response.status_code == 403
    assert response.json()["error"]
    assert not InstructorRecord.objects.exists()


@pytest.mark.parametrize("handler", GET_HANDLERS)
def test_every_get_handler_refuses_a_learner(people, dashboard, handler):
    client = dashboard(people["ana"], open_page=False)
    client.use_token_of(people["ana"])
    response = client.get(handler, {"cohort": "fall", "format": "svg"})
    assert response.status_code == 403
    assert "text/csv" not in response.headers.get("Content-Type", "")


def test_handler_url_of_one_user_is_refused_to_another(people, dashboard):
    client = dashboard(people["ana"], open_page=False)
    client.use_token_of(people["fall_teacher"])
    assert client.post("table", {"cohort": "fall"}).status_code == 403


def test_instructor_sees_only_their_cohort(people, dashboard):
    page = dashboard(people["fall_teacher"], open_page=False).open()
    assert page.status_code == 200
    assert 'value="fall"' in page.text and 'value="spring"' not in page.text
    assert "ana@example.org" in page.text and "sam@example.org" not in page.text


def test_administrator_sees_every_cohort(people, dashboard):
    page = dashboard(people["admin"], open_page=False).open()
    assert 'value="fall"' in page.text and 'value="spring"' in page.text


def test_instructor_of_another_cohort_is_refused_everything(people, dashboard):
    client = dashboard(people["spring_teacher"])
    ana = people["ana_learner"].pk
    assert client.post("table", {"cohort": "fall"}).status_code == 403
    assert client.post("select_cohort", {"cohort": "fall"}).status_code == 403
    assert client.post("learner", {"learner_id": ana}).status_code == 403
    response = client.post("record_hours", {"learner_id": ana, "component": "practicum", "hours": 2})
    assert response.status_code == 403
    response = client.post("record_signoff", {"learner_id": ana, "component": "skills-check", "skill": "hand-hygiene"})
    assert response.status_code == 403
    assert client.get("csv", {"cohort": "fall"}).status_code == 403
    assert client.get("chart", {"cohort": "fall"}).status_code == 403
    assert not InstructorRecord.objects.exists()
    # and their own cohort works
    assert client.post("learner", {"learner_id": people["sam_learner"].pk}).status_code == 200


def test_unknown_learner_ids_look_the_same_as_other_cohorts(people, dashboard):
    client = dashboard(people["fall_teacher"])
    for learner_id in (10**9, -1, 0, "1", None, True, 1.5):
        response = client.post("learner", {"learner_id": learner_id})
        assert response.status_code == 403, learner_id
        assert response.json()["error"] == "No such learner in your cohorts."


def test_only_administrators_may_retry_deliveries(people, dashboard):
    client = dashboard(people["fall_teacher"])
    response = client.post("retry_delivery", {"entry_id": 1})
    assert response.status_code == 403
