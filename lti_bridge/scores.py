"""Queue a learner's module score for every partner gradebook that launched them into that module.

``learner_record.signals.module_completed`` is sent inside the transaction that records the
completion (or a higher score after it), so the outbox rows written here commit or roll back with
it. A row's key names the effect, score included: the same completion queued again (a retry, a
replayed signal) is one row and one score; a higher score is a new row and a new score.

Each row names the module's course (``course``, its id); an LTI 1.3 score's comment names it too.

- LTI 1.3: kind ``lti.score``, one row per :class:`ResourceLink` the learner launched for the
  module (their :class:`LaunchLearner` rows), delivered by :mod:`lti_bridge.ags`.
- LTI 1.1: kind ``lti11.outcome``, one row per :class:`Lti11Outcome`, delivered by
  :mod:`lti_bridge.outcomes`.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from caregiving_course.framework import catalogue
from caregiving_course.learner_record import outbox
from lti_bridge.models import LaunchLearner, Lti11Outcome

SCORE_KIND = "lti.score"
OUTCOME_KIND = "lti11.outcome"
#: Our line items are out of 100 (deep-linking responses and line items we create use the same).
SCORE_MAXIMUM = 100


def score_given(score: float) -> float:
    """A learner-record score (0..1) on our line items' scale."""
    return round(float(score) * SCORE_MAXIMUM, 2)


def score_comment(hours: Decimal, course_title: str) -> str:
    """The score's comment: the module's course and the hours credited."""
    return _("Module of “%(course)s” completed: %(hours)s credited hours") % {
        "course": course_title, "hours": f"{Decimal(hours).normalize():f}"}


def ags_score(subject: str, score: float, hours: Decimal, at: dt.datetime, course_title: str) -> dict:
    """The AGS score object (``application/vnd.ims.lis.v1.score+json``) for a completed module of the course
    titled ``course_title``."""
    return {
        "userId": subject,
        "scoreGiven": score_given(score),
        "scoreMaximum": SCORE_MAXIMUM,
        "comment": score_comment(hours, course_title),
        "timestamp": at.astimezone(dt.UTC).isoformat(timespec="milliseconds"),
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
    }


def queue_scores(sender, *, learner, completion, created: bool = False, **kwargs) -> None:
    """Receiver of ``module_completed``: queue the score for each LTI 1.3 and LTI 1.1 placement."""
    at = timezone.now()
    value = score_given(completion.score)
    found = catalogue()
    course = found.module_course(completion.module_id) if found.has_module(completion.module_id) else None
    course_id, course_title = (course.id, course.text(get_language())[0]) if course else ("", completion.module_id)
    launches = (LaunchLearner.objects.filter(learner_id=learner.pk, resource_link__module_id=completion.module_id,
                                             resource_link__deployment__platform__active=True)
                .select_related("resource_link__deployment"))
    for launch in launches:
        link = launch.resource_link
        outbox.enqueue(SCORE_KIND, f"{SCORE_KIND}:{link.pk}:{learner.pk}:{completion.module_id}:{value:g}", {
            "platform": link.deployment.platform_id,
            "resource_link": link.pk,
            "learner": learner.pk,
            "module": completion.module_id,
            "course": course_id,
            "score": ags_score(launch.subject, completion.score, completion.credited_hours, at, course_title),
        })
    for place in Lti11Outcome.objects.filter(learner_id=learner.pk, module_id=completion.module_id):
        outbox.enqueue(OUTCOME_KIND, f"{OUTCOME_KIND}:{place.pk}:{learner.pk}:{completion.module_id}:{value:g}", {
            "consumer": place.consumer_id,
            "outcome": place.pk,
            "learner": learner.pk,
            "module": completion.module_id,
            "course": course_id,
            "score": f"{min(1.0, max(0.0, float(completion.score))):.4f}",
        })
