"""Queue the xAPI statements of records in a time window, one outbox entry per statement and LRS.

The outbox key is ``xapi:<lrs>:<statement id>``, so queuing the same window twice (a replay, an overlapping
run) queues nothing new: each statement goes to each LRS once. :mod:`sync.xapi.live` queues each statement with
its record; :func:`queue_new`, run after each award evaluation, picks up any it did not (a safety net);
``caregiving lrs replay --since DATE`` back-fills.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from caregiving_course.framework import Course, catalogue
from caregiving_course.learner_record import api, outbox
from sync.xapi import statements as st
from sync.xapi.models import LrsEndpoint

KIND = "xapi.statement"
OVERLAP = dt.timedelta(minutes=2)  # re-read a little of the past: transactions commit late


def statements_between(since: dt.datetime, until: dt.datetime, *, cohort: str = "",
                       course: Course | None = None) -> list[dict]:
    """The statements of every record made or changed in [since, until), oldest record first."""
    course = course or catalogue()
    changes = api.changed_between(since, until, cohort=cohort)
    modules = {m.id: m for m in course.modules}
    out: list[dict] = []
    for row in changes.activities:
        module = modules.get(row.module_id)
        if module is None:
            continue
        if row.first_activity_at and since <= row.first_activity_at < until:
            # the channel recorded at launch; a record older than that: guessed from how the learner signs in
            channel = row.launched_via or changes.channels.get(row.learner_id, "local")
            out.append(st.launched(row, module, course, channel))
        out.extend(st.experienced(row, module, course, section) for section in row.sections_viewed)
        if row.attempts and row.best_score is not None:
            out.append(st.knowledge_check(row, module, course))
    for row in changes.completions:
        if row.module_id in modules:
            out.append(st.completed(row, modules[row.module_id], course))
    components = {c.id: (c, cred) for cred in course.credentials for c in cred.components}
    for row in changes.instructor:
        component, credential = components.get(row.component_id, (None, None))
        if component is None:
            continue
        statement = st.instructor_record(row, component, st.courses_for(course, credential)[0])
        out.append(statement)
        if row.withdrawn_at:
            out.append(st.voided(statement["id"], row.learner_id, row.withdrawn_at, "withdrawn by an instructor"))
    for award in changes.awards:
        if not course.has_credential(award.credential_id):
            continue
        statement = st.credential_earned(award, course.credential(award.credential_id), course)
        out.append(statement)
        if award.status == award.REVOKED:
            out.append(st.voided(statement["id"], award.learner_id, award.revoked_at or award.earned_at,
                                 "credential revoked"))
    return out


def queue(lrs: LrsEndpoint, since: dt.datetime, until: dt.datetime | None = None) -> int:
    """Queue for ``lrs`` the statements of records in [since, until); returns how many were new to the outbox."""
    until = until or timezone.now()
    found = statements_between(since, until, cohort=lrs.cohort)
    with transaction.atomic():
        before = outbox_count(lrs)
        outbox.enqueue_many(KIND, [(f"xapi:{lrs.pk}:{s['id']}", {"lrs": lrs.pk, "statement": s}) for s in found])
        return outbox_count(lrs) - before


def outbox_count(lrs: LrsEndpoint) -> int:
    return sum(outbox.counts(KIND, f"xapi:{lrs.pk}:").values())


def queue_new() -> int:
    """Queue the statements of records made since each LRS was last fed (since it was added, at first)."""
    made = 0
    for lrs in LrsEndpoint.objects.order_by("pk"):
        now = timezone.now()
        since = (lrs.fed_until or lrs.created_at) - OVERLAP
        made += queue(lrs, since, now)
        LrsEndpoint.objects.filter(pk=lrs.pk).update(fed_until=now)
    return made
