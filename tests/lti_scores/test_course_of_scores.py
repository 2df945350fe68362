"""Line items and scores name the course of the module they are for (a catalogue of several courses)."""
from __future__ import annotations

import pytest

from caregiving_course.learner_record.models import OutboxEntry
from tests.lti_scores.conftest import complete, launched, register

pytestmark = pytest.mark.database

SECOND_MODULE = "recognising-mental-health-changes"  # of the second course the package ships
SECOND_COURSE = "mental-health-substance-use"


def test_a_line_item_created_for_a_second_course_module_is_tagged_with_its_course(fake_platform, learner, worker,
                                                                                  course):
    placement = register(fake_platform, lineitem=False, module_id=SECOND_MODULE)
    launched(placement, learner)
    complete(learner, SECOND_MODULE)
    [row] = OutboxEntry.objects.filter(kind="lti.score")
    assert row.payload["course"] == SECOND_COURSE and row.payload["module"] == SECOND_MODULE
    title = course.course(SECOND_COURSE).title
    assert title in row.payload["score"]["comment"]
    assert worker.drain().delivered == 1
    [item] = fake_platform.state.lineitems.values()
    assert item["tag"] == SECOND_COURSE and item["resourceId"] == SECOND_MODULE
    assert item["label"] == course.module(SECOND_MODULE).title
    [received] = fake_platform.state.received
    assert title in received.score["comment"]


def test_a_first_course_score_names_the_first_course(placement, learner, worker, course):
    launched(placement, learner)
    complete(learner, placement.link.module_id)
    [row] = OutboxEntry.objects.filter(kind="lti.score")
    first = course.module_course(placement.link.module_id)
    assert row.payload["course"] == first.id and first.title in row.payload["score"]["comment"]
