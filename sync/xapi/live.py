"""Statements queued in the transaction of the fact itself, where the fact carries more than its stored record:
each knowledge-check answer with that attempt's own score (the record keeps only the best). The feed
(:mod:`sync.xapi.feed`) builds the same statement id for that attempt, so it queues nothing more for it."""
from __future__ import annotations

from caregiving_course.framework import catalogue
from caregiving_course.learner_record import api, outbox
from sync.xapi import statements as st
from sync.xapi.feed import KIND
from sync.xapi.models import LrsEndpoint


def _stores_for(learner_id: int) -> list[LrsEndpoint]:
    stores = list(LrsEndpoint.objects.order_by("pk"))
    if any(s.cohort for s in stores):
        cohorts = {c.name for c in api.enrolled_cohorts(api.learner_by_id(learner_id))}
        stores = [s for s in stores if not s.cohort or s.cohort in cohorts]
    return stores


def on_knowledge_check(sender, *, learner_id: int, activity, score: float, attempt: int, **kwargs) -> None:
    """Queue the answer's statement for each LRS that receives this learner's statements."""
    stores = _stores_for(learner_id)
    if not stores:
        return
    course = catalogue()
    statement = st.knowledge_check(activity, course.module(activity.module_id), course, score=score, attempt=attempt)
    for lrs in stores:
        outbox.enqueue(KIND, f"xapi:{lrs.pk}:{statement['id']}", {"lrs": lrs.pk, "statement": statement})
