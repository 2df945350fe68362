"""Synthetic study records for the demo cohort and benchmarks (never used on real learners' requests).

Writes what many heartbeats would have written (one active span per module) and then completes
modules through the same rules as real study.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from caregiving_course.framework import Course, catalogue
from caregiving_course.learner_record.activity import try_complete
from caregiving_course.learner_record.models import ActiveSpan, Learner, ModuleActivity


def simulate_study(learner: Learner, module_id: str, *, seconds: int, score: float | None,
                   sections: int | None = None, ended: dt.datetime | None = None,
                   course: Course | None = None) -> bool:
    """Record ``seconds`` of observed activity, ``sections`` viewed and a knowledge-check score; try to complete.

    Returns True when the module completed.
    """
    course = course or catalogue()
    module = course.module(module_id)
    ended = ended or timezone.now()
    viewed = list(range(len(module.sections) if sections is None else min(sections, len(module.sections))))
    with transaction.atomic():
        ModuleActivity.objects.update_or_create(
            learner=learner, module_id=module_id,
            defaults={"seconds": seconds, "sections_viewed": viewed, "best_score": score,
                      "attempts": 0 if score is None else 1,
                      "first_activity_at": ended - dt.timedelta(seconds=seconds), "last_activity_at": ended})
        ActiveSpan.objects.create(learner=learner, module_id=module_id, ended_at=ended, seconds=seconds,
                                  started_at=ended - dt.timedelta(seconds=seconds), beats=max(1, seconds // 15))
        return try_complete(learner, module_id, course=course) is not None
