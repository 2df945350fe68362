"""xAPI statements are grouped under the course their module belongs to (a credential: the courses it is made
of), one of the catalogue's courses, and Ralph's xAPI models accept them."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tests.records.conftest import AT
from tests.records.ralph import validation_errors

FIRST, SECOND = "professional-practice-in-caregiving", "mental-health-substance-use"
SECOND_MODULE = "recognising-mental-health-changes"


def _grouping(statement: dict) -> list[str]:
    return [a["id"].rsplit("/", 1)[-1] for a in statement["context"]["contextActivities"].get("grouping", [])]


def test_statements_name_the_course_of_their_module_or_credential(full_record, settings):
    from caregiving_course.learner_record.models import Award, ModuleActivity, ModuleCompletion
    from sync.xapi.feed import statements_between

    _user, learner, _awards = full_record
    ModuleCompletion.objects.create(learner=learner, module_id=SECOND_MODULE, score=1.0, credited_hours=Decimal("1"),
                                    time_on_task_seconds=3600, completed_at=AT)
    ModuleActivity.objects.create(learner=learner, module_id=SECOND_MODULE, seconds=3600, best_score=1.0,
                                  attempts=1, first_activity_at=AT, last_activity_at=AT)
    Award.objects.create(learner=learner, credential_id="caregiving-college-certificate", evidence=[],
                         credited_hours=Decimal("120"), earned_at=AT)
    statements = statements_between(AT - dt.timedelta(days=30), AT + dt.timedelta(days=30))
    about = {(s["verb"]["display"]["en-US"], s["object"]["id"].rsplit("/", 1)[-1]): _grouping(s)
             for s in statements if s["verb"]["display"]["en-US"] != "voided"}
    assert about[("completed", SECOND_MODULE)] == [SECOND]
    assert about[("launched", SECOND_MODULE)] == [SECOND]
    assert about[("completed", "caregiver-role")] == [FIRST]
    assert about[("satisfied", "caregiving-college-certificate")] == [FIRST, SECOND]
    assert about[("satisfied", "caregiving-badge")] == [FIRST]
    assert about[("attended", "applied-skills-workshop")] == [FIRST]
    course = next(s for s in statements if s["object"]["id"].endswith(SECOND_MODULE))["context"][
        "contextActivities"]["grouping"][0]
    assert course["id"] == f"{settings.BASE_URL.rstrip('/')}/courses/{SECOND}"
    assert course["definition"]["name"]["en-US"] == "Mental Health and Substance Use Support for Caregivers"
    first = next(s for s in statements if s["object"]["id"].endswith("caregiver-role"))["context"][
        "contextActivities"]["grouping"][0]
    assert first["definition"]["name"] == {"en-US": "Professional Practice in Caregiving",
                                           "fr-CA": "Pratique professionnelle en soins et accompagnement"}
    assert validation_errors(statements) == []
