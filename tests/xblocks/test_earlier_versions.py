"""A module a later version of its course dropped: the learner's completion and its hours stay on the progress page
and in the instructor's drill-down, named as the earlier version named it ("from version X"), in English and
French, and counted in the learner's hours."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from caregiving_course.learner_record import api
from caregiving_course.learner_record.models import CourseVersion, CourseVersionModule, ModuleCompletion

pytestmark = pytest.mark.django_db


@pytest.fixture
def retired(learner, test_course):
    """Version 0.9 of the test course had a module 'retired-module' the learner completed; today's has not."""
    course = test_course.courses[0]
    api.record_courses(test_course.courses)
    old = CourseVersion.objects.create(course_id=course.id, version="0.9", title=course.title)
    CourseVersionModule.objects.create(course_version=old, module_id="retired-module", title="Retired Module",
                                       titles={"fr": "Module retiré"}, hours=Decimal("1.5"))
    ModuleCompletion.objects.create(learner=learner, module_id="retired-module", score=0.9,
                                    credited_hours=Decimal("1.5"), time_on_task_seconds=3000,
                                    completed_at=timezone.now())
    return old


def test_recording_a_version_twice_changes_nothing(test_course):
    assert api.record_courses(test_course.courses) == len(test_course.courses)
    assert api.record_courses(test_course.courses) == 0
    assert CourseVersionModule.objects.filter(module_id="alpha").count() == 1


def test_progress_keeps_the_completion_and_counts_its_hours(learner, retired):
    progress = api.progress(learner)
    assert [(e.module_id, e.title, e.version, e.credited_hours) for e in progress.earlier] == [
        ("retired-module", "Retired Module", "0.9", Decimal("1.5"))]
    assert progress.credited_hours == Decimal("1.5")
    with translation.override("fr"):
        assert api.progress(learner).earlier[0].title == "Module retiré"


def test_progress_page_shows_it_from_the_earlier_version_in_english_and_french(block_client, learner_user,
                                                                                 retired):
    with translation.override("en"):
        html = block_client(learner_user, "caregiving_progress", {"display_name": "My progress"}).render()
    assert "Completed in earlier versions of the course" in html
    assert "Retired Module (from version 0.9): 1.5 h credited" in html
    assert "Hours credited by completed modules: 1.5 h" in html
    with translation.override("fr"):
        html = block_client(learner_user, "caregiving_progress", {"display_name": "Ma progression"}).render()
    assert "Terminés dans des versions antérieures du cours" in html
    assert "Module retiré (de la version 0.9) : 1,5 h créditées" in html


def test_the_instructors_drill_down_shows_it_too(client, instructor, learner, retired):
    client.force_login(instructor)
    page = client.get("/course/dashboard/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    prefix = page.split("data-handler-prefix='", 1)[1].split("'", 1)[0]
    details = client.post(prefix.replace("HANDLER", "learner"), json.dumps({"learner_id": learner.pk}),
                          content_type="application/json", HTTP_ACCEPT_LANGUAGE="fr").json()["html"]
    assert "Module retiré (de la version 0.9) : 1,5 h créditées" in details
