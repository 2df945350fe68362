"""Statements queued in the transaction of the record they tell about, so they commit (or roll back) with it and
reach the outbox at once, not at the next award evaluation: a module launched (with its channel), a section
first viewed, each knowledge-check answer (with that attempt's own score; the record keeps only the best), a
module completed, instructor-recorded hours and sign-offs (voided when withdrawn), a credential earned or revoked.

Each statement's id is the one the feed (:mod:`sync.xapi.feed`) builds for the same record, and the outbox key is
``xapi:<lrs>:<statement id>``, so the feed's later pass (kept as a safety net and for back-fill) queues nothing
more: each statement still goes to each LRS once."""
from __future__ import annotations

import time
from collections.abc import Callable

from caregiving_course.framework import catalogue
from caregiving_course.learner_record import api, outbox
from sync.xapi import statements as st
from sync.xapi.feed import KIND
from sync.xapi.models import LrsEndpoint

STORES_SECONDS = 30  # how long a process trusts its list of stores (another process may add or remove one)
_stores: list = [0.0, []]  # [read at (monotonic), [(pk, cohort), ...]]


def forget_stores(*args, **kwargs) -> None:
    """Read the stores again at the next record (connected to LrsEndpoint's saves and deletes in this process)."""
    _stores[0] = 0.0


def _all_stores() -> list[tuple[int, str]]:
    """Every LRS as (pk, cohort): one query per process every :data:`STORES_SECONDS` at most, so a record written
    where no LRS is configured costs no query. A store another process added meanwhile gets the records of those
    seconds from the feed; one it removed refuses their entries (``Permanent``)."""
    now = time.monotonic()
    if now - _stores[0] > STORES_SECONDS:
        _stores[1] = list(LrsEndpoint.objects.order_by("pk").values_list("pk", "cohort"))
        _stores[0] = now
    return _stores[1]


def _stores_for(learner_id: int) -> list[int]:
    stores = _all_stores()
    if any(cohort for _, cohort in stores):
        cohorts = {c.name for c in api.enrolled_cohorts(api.learner_by_id(learner_id))}
        stores = [(pk, cohort) for pk, cohort in stores if not cohort or cohort in cohorts]
    return [pk for pk, _ in stores]


def _queue(learner_id: int, build) -> None:
    """Queue the statements ``build(course)`` makes for each LRS that receives this learner's statements."""
    stores = _stores_for(learner_id)
    if not stores:
        return
    statements = build(catalogue())
    outbox.enqueue_many(KIND, [(f"xapi:{lrs}:{s['id']}", {"lrs": lrs, "statement": s})
                               for lrs in stores for s in statements])


def _module_statement(activity, make) -> Callable:
    def build(course):
        return [make(course.module(activity.module_id), course)] if course.has_module(activity.module_id) else []
    return build


def on_launched(sender, *, learner_id: int, activity, **kwargs) -> None:
    _queue(learner_id, _module_statement(activity, lambda module, course: st.launched(
        activity, module, course, activity.launched_via)))


def on_section_viewed(sender, *, learner_id: int, activity, section: int, **kwargs) -> None:
    _queue(learner_id, _module_statement(activity, lambda module, course: st.experienced(
        activity, module, course, section)))


def on_knowledge_check(sender, *, learner_id: int, activity, score: float, attempt: int, **kwargs) -> None:
    _queue(learner_id, _module_statement(activity, lambda module, course: st.knowledge_check(
        activity, module, course, score=score, attempt=attempt)))


def on_completed(sender, *, learner, completion, created: bool, **kwargs) -> None:
    if created:  # a better score later changes the record, not the statement (same id)
        _queue(learner.pk, _module_statement(completion, lambda module, course: st.completed(
            completion, module, course)))


def on_instructor_record(sender, *, learner_id: int, record, **kwargs) -> None:
    def build(course):
        component = {c.id: c for cred in course.credentials for c in cred.components}.get(record.component_id)
        if component is None:
            return []
        statement = st.instructor_record(record, component, course)
        if record.withdrawn_at:
            return [statement, st.voided(statement["id"], learner_id, record.withdrawn_at,
                                         "withdrawn by an instructor")]
        return [statement]
    _queue(learner_id, build)


def on_award(sender, *, learner_id: int, award, **kwargs) -> None:
    """A credential earned, or revoked (the earned statement, then its voiding)."""
    def build(course):
        if not course.has_credential(award.credential_id):
            return []
        statement = st.credential_earned(award, course.credential(award.credential_id), course)
        if award.status == api.REVOKED:
            return [statement, st.voided(statement["id"], learner_id, award.revoked_at or award.earned_at,
                                         "credential revoked")]
        return [statement]
    _queue(learner_id, build)
