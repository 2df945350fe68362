"""Completing a module queues its score, in the transaction of the completion, once per score."""
from __future__ import annotations

import pytest
from django.db import transaction

from caregiving_course.learner_record import api
from caregiving_course.learner_record.models import OutboxEntry
from lti_bridge.models import Lti11Outcome
from lti_bridge.scores import SCORE_MAXIMUM
from tests.lti_scores.conftest import SUBJECT, another_learner, complete, launched, register

pytestmark = pytest.mark.database


def score_rows():
    return list(OutboxEntry.objects.filter(kind="lti.score").order_by("id"))


def test_completion_queues_one_score_with_the_ags_fields(placement, learner):
    launched(placement, learner)
    module = placement.link.module_id
    assert complete(learner, module, score=0.9)
    [row] = score_rows()
    assert row.key == f"lti.score:{placement.link.pk}:{learner.pk}:{module}:90"
    score = row.payload["score"]
    assert score["userId"] == SUBJECT
    assert score["scoreGiven"] == 90 and score["scoreMaximum"] == SCORE_MAXIMUM
    assert score["activityProgress"] == "Completed" and score["gradingProgress"] == "FullyGraded"
    assert score["timestamp"].endswith("+00:00") and "." in score["timestamp"]
    assert "1.5" in score["comment"]
    assert row.payload["platform"] == placement.platform.pk


def test_rolled_back_completion_leaves_no_score(placement, learner):
    launched(placement, learner)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert complete(learner, placement.link.module_id)
        assert len(score_rows()) == 1  # written inside the completion's transaction...
        raise RuntimeError("the request failed after completing")
    assert score_rows() == []  # ...and gone with it
    assert not api.progress(learner).modules_done


def test_same_completion_announced_twice_is_one_row_but_a_higher_score_is_another(placement, learner):
    from caregiving_course.learner_record.models import ModuleCompletion
    from caregiving_course.learner_record.signals import module_completed

    launched(placement, learner)
    module = placement.link.module_id
    complete(learner, module, score=0.85)
    completion = ModuleCompletion.objects.get(learner=learner, module_id=module)
    with transaction.atomic():  # a replayed signal (a retried request) for the same score
        module_completed.send(None, learner=learner, completion=completion, created=False)
    assert len(score_rows()) == 1
    api.record_knowledge_check(learner, module, 1.0)  # the score went up after completion
    rows = score_rows()
    assert [r.payload["score"]["scoreGiven"] for r in rows] == [85, 100]
    api.record_knowledge_check(learner, module, 0.5)  # a lower attempt changes nothing
    assert len(score_rows()) == 2


def test_only_placements_of_that_module_and_that_learner_get_scores(fake_platform, learner, course):
    first, second = course.modules[0].id, course.modules[1].id
    here = register(fake_platform, module_id=first, resource_link_id="rl-a")
    elsewhere = register(fake_platform, name="Other", module_id=second, resource_link_id="rl-b")
    other = another_learner("other@example.org")
    launched(here, learner)
    launched(elsewhere, learner)
    launched(here, other, subject="someone-else")
    complete(learner, first)
    [row] = score_rows()
    assert row.payload["resource_link"] == here.link.pk and row.payload["score"]["userId"] == SUBJECT


def test_deactivated_platform_gets_no_scores(placement, learner):
    launched(placement, learner)
    placement.platform.active = False
    placement.platform.save()
    complete(learner, placement.link.module_id)
    assert score_rows() == []


def test_lti11_outcome_is_queued_too(learner, course):
    from lti_bridge.lti11 import add_consumer

    consumer, _secret = add_consumer("Old Moodle", "moodle-key")
    module = course.modules[0].id
    place = Lti11Outcome.objects.create(consumer=consumer, learner_id=learner.pk, module_id=module,
                                        service_url="http://127.0.0.1:9/outcomes", sourcedid="src-1")
    complete(learner, module, score=0.875)
    [row] = OutboxEntry.objects.filter(kind="lti11.outcome")
    assert row.key == f"lti11.outcome:{place.pk}:{learner.pk}:{module}:87.5"
    assert row.payload["score"] == "0.8750" and row.payload["outcome"] == place.pk
