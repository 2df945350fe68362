"""A learner's whole record as plain data, for records that leave the system (the CLR, xAPI statements).

Withdrawn instructor records are left out; revoked awards are kept with their status, so each caller
decides (the CLR leaves them out). Who recorded instructor evidence is given by display name, never
by e-mail address.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from caregiving_course.learner_record.models import (
    Award,
    Enrolment,
    Identity,
    InstructorRecord,
    Learner,
    ModuleActivity,
    ModuleCompletion,
)


@dataclass(frozen=True)
class Completion:
    id: int
    module_id: str
    score: float
    credited_hours: Decimal
    time_on_task_seconds: int
    completed_at: dt.datetime


@dataclass(frozen=True)
class KnowledgeCheck:
    id: int
    module_id: str
    best_score: float
    attempts: int
    at: dt.datetime


@dataclass(frozen=True)
class InstructorEntry:
    id: int
    component_id: str
    kind: str  # "hours" or "signoff"
    hours: Decimal
    skill: str
    occurred_on: dt.date
    recorded_by: str
    recorded_at: dt.datetime


@dataclass(frozen=True)
class AwardEntry:
    public_id: str
    credential_id: str
    revoked: bool
    credited_hours: Decimal
    earned_at: dt.datetime


@dataclass(frozen=True)
class Transcript:
    learner_id: int
    name: str
    email: str
    completions: list[Completion] = field(default_factory=list)
    knowledge_checks: list[KnowledgeCheck] = field(default_factory=list)
    instructor: list[InstructorEntry] = field(default_factory=list)
    awards: list[AwardEntry] = field(default_factory=list)


def display_name(user) -> str:
    """How a staff member is named in records that leave the system (no e-mail address)."""
    name = (user.get_full_name() or user.get_username() or "").strip()
    return name.split("@")[0] if "@" in name else name


def transcript(learner: Learner) -> Transcript:
    """Everything on ``learner``'s record, oldest first within each kind."""
    completions = [Completion(c.pk, c.module_id, c.score, c.credited_hours, c.time_on_task_seconds, c.completed_at)
                   for c in ModuleCompletion.objects.filter(learner=learner).order_by("completed_at", "pk")]
    checks = [KnowledgeCheck(a.pk, a.module_id, a.best_score, a.attempts, a.last_activity_at or a.first_activity_at)
              for a in ModuleActivity.objects.filter(learner=learner, attempts__gt=0, best_score__isnull=False)
              .order_by("module_id")]
    records = InstructorRecord.objects.filter(learner=learner, withdrawn_at__isnull=True).select_related(
        "recorded_by").order_by("recorded_at", "pk")
    instructor = [InstructorEntry(r.pk, r.component_id, r.kind, r.hours, r.skill, r.occurred_on,
                                  display_name(r.recorded_by), r.recorded_at) for r in records]
    awards = [AwardEntry(str(a.public_id), a.credential_id, a.status == Award.REVOKED, a.credited_hours, a.earned_at)
              for a in Award.objects.filter(learner=learner).order_by("earned_at", "pk")]
    return Transcript(learner.pk, learner.name, learner.email, completions, checks, instructor, awards)


@dataclass
class Changes:
    """Records made or changed in a time window (read-only rows), and how each learner reaches the course."""

    activities: list = field(default_factory=list)  # ModuleActivity: launched, sections, knowledge checks
    completions: list = field(default_factory=list)  # ModuleCompletion
    instructor: list = field(default_factory=list)  # InstructorRecord, withdrawn ones included
    awards: list = field(default_factory=list)  # Award, revoked ones included
    channels: dict = field(default_factory=dict)  # learner id -> "lti", "openedx" or "local"


def changed_between(since: dt.datetime, until: dt.datetime, *, cohort: str = "") -> Changes:
    """Every record made or changed in [since, until), of one cohort's learners or of all ("")."""
    def scoped(rows):
        if cohort:
            rows = rows.filter(learner__in=Enrolment.objects.filter(cohort__name=cohort).values("learner"))
        return rows

    def window(field_name: str) -> Q:
        return Q(**{f"{field_name}__gte": since, f"{field_name}__lt": until})

    out = Changes(
        activities=list(scoped(ModuleActivity.objects.filter(
            window("first_activity_at") | window("last_activity_at"))).order_by("pk")),
        completions=list(scoped(ModuleCompletion.objects.filter(window("completed_at"))).order_by("pk")),
        instructor=list(scoped(InstructorRecord.objects.filter(
            window("recorded_at") | window("withdrawn_at"))).order_by("pk")),
        awards=list(scoped(Award.objects.filter(window("earned_at") | window("revoked_at"))).order_by("pk")))
    learners = {r.learner_id for r in out.activities}
    rank = {Identity.LOCAL: 0, Identity.OPENEDX: 1, Identity.LTI: 2}
    for learner_id, source in Identity.objects.filter(learner__in=learners).values_list("learner_id", "source"):
        if rank.get(source, 0) >= rank.get(out.channels.get(learner_id, Identity.LOCAL), 0):
            out.channels[learner_id] = source
    return out
