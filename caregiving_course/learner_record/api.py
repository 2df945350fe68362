"""The learner record's public API: the only way XBlocks, the LTI bridge, the sync and the CLI
read or change what learners did and earned.

Every function either completes or raises :class:`RecordError` / :class:`NotAllowed` having
changed nothing.
"""
from __future__ import annotations

from dataclasses import dataclass

from caregiving_course.framework import Course, catalogue
from caregiving_course.learner_record.activity import (
    CompletionCheck,
    completion_check,
    record_knowledge_check,
    record_launch,
    record_reflection,
    record_section_viewed,
    try_complete,
)
from caregiving_course.learner_record.awards import awards_of, evaluate, evaluate_many, get_award, get_awards, revoke
from caregiving_course.learner_record.cohort_page import CohortPage, cohort_hours, cohort_page
from caregiving_course.learner_record.course_versions import learners_in_course, past_modules, record_courses
from caregiving_course.learner_record.errors import NotAllowed, RecordError
from caregiving_course.learner_record.evidence import record_hours, record_signoff, records_for, withdraw
from caregiving_course.learner_record.heartbeats import BeatResult, record_heartbeat
from caregiving_course.learner_record.models import Award, Cohort, Enrolment, Learner, ModuleActivity
from caregiving_course.learner_record.names import check_cohort_name, clean_person_name
from caregiving_course.learner_record.offerings import (
    DELIVERIES,
    UNSET,
    Joined,
    all_offerings,
    change_offering,
    check_teaches,
    courses_of_credential,
    create_offering,
    enrol_by_code,
    format_code,
    get_offering,
    learner_course,
    offering_by_code,
    offering_course,
    offerings_of,
    open_offerings,
    regenerate_code,
    self_enrol,
    signup_offering,
)
from caregiving_course.learner_record.people import (
    ADMINISTRATOR,
    INSTRUCTOR,
    LEARNER,
    add_instructor,
    add_user,
    change_user,
    check_can_view,
    cohort_exists,
    cohorts_for,
    enrol,
    ensure_cohort,
    find_learner,
    is_staff_for,
    learner_by_id,
    learner_for_identity,
    learner_for_user,
    role_of,
    set_password,
)
from caregiving_course.learner_record.progress import CredentialProgress, Progress, compute, load_records
from caregiving_course.learner_record.totals import Totals, credited_totals
from caregiving_course.learner_record.transcript import Changes, Transcript, changed_between, transcript

__all__ = [
    "ADMINISTRATOR",
    "INSTRUCTOR",
    "LEARNER",
    "BeatResult",
    "CohortRow",
    "CompletionCheck",
    "CredentialProgress",
    "NotAllowed",
    "Progress",
    "RecordError",
    "Totals",
    "add_instructor",
    "add_user",
    "awards_of",
    "change_user",
    "check_can_view",
    "check_cohort_name",
    "clean_person_name",
    "cohort_exists",
    "cohort_rows",
    "cohorts_for",
    "completion_check",
    "credited_totals",
    "enrol",
    "ensure_cohort",
    "evaluate",
    "evaluate_many",
    "explain",
    "find_learner",
    "get_award",
    "get_awards",
    "is_staff_for",
    "learner_by_id",
    "learner_for_identity",
    "learner_for_user",
    "learners_active_since",
    "learners_in_course",
    "module_state",
    "progress",
    "progress_many",
    "record_courses",
    "record_heartbeat",
    "record_hours",
    "record_knowledge_check",
    "record_launch",
    "record_reflection",
    "record_section_viewed",
    "record_signoff",
    "records_for",
    "revoke",
    "role_of",
    "set_password",
    "set_show_name_on_badges",
    "try_complete",
    "withdraw",
]
__all__ += ["CohortPage", "cohort_hours", "cohort_page"]  # large cohorts: sorted/filtered by the database
EARNED, REVOKED = Award.EARNED, Award.REVOKED  # an award's status
__all__ += ["EARNED", "REVOKED"]
__all__ += ["Changes", "Transcript", "changed_between", "transcript"]  # records that leave (CLR, xAPI)
__all__ += ["DELIVERIES", "UNSET", "Joined", "all_offerings", "change_offering", "check_teaches",  # offerings
            "courses_of_credential", "create_offering", "enrol_by_code", "format_code", "get_offering",
            "learner_course", "offering_by_code", "offering_course", "offerings_of", "open_offerings",
            "regenerate_code", "self_enrol", "signup_offering"]


def set_show_name_on_badges(learner: Learner, show: bool) -> None:
    """Record the learner's choice to show (or hide) their name on the public pages of their credentials."""
    if not isinstance(show, bool):
        raise RecordError("show must be true or false")
    Learner.objects.filter(pk=learner.pk).update(show_name_on_badges=show)
    learner.show_name_on_badges = show


def progress(learner: Learner, *, course: Course | None = None) -> Progress:
    """Hours credited toward each credential, time on task, what is done and what is left."""
    return progress_many([learner.pk], course=course)[learner.pk]


def progress_many(learner_ids: list[int], *, course: Course | None = None) -> dict[int, Progress]:
    """Each learner's progress, with their completions of modules that later course versions dropped."""
    course = course or catalogue()
    past = past_modules({m.id for m in catalogue().modules})
    return {lid: compute(course, lid, rec, past) for lid, rec in load_records(learner_ids).items()}


def explain(learner: Learner, credential_id: str, *, course: Course | None = None) -> CredentialProgress:
    """Why the learner has the hours they have toward ``credential_id``: every record behind each number."""
    course = course or catalogue()
    if not course.has_credential(credential_id):
        known = ", ".join(c.id for c in course.credentials)
        raise RecordError(f"unknown credential {credential_id!r} (known: {known})")
    return progress(learner, course=course).credential(credential_id)


def module_state(learner: Learner, module_id: str) -> dict:
    """What the learner has done in one module (for the module view)."""
    activity = ModuleActivity.objects.filter(learner=learner, module_id=module_id).first()
    if activity is None:
        return {"seconds": 0, "sections_viewed": [], "best_score": None, "attempts": 0, "reflection": ""}
    return {"seconds": activity.seconds, "sections_viewed": list(activity.sections_viewed),
            "best_score": activity.best_score, "attempts": activity.attempts, "reflection": activity.reflection}


@dataclass(frozen=True)
class CohortRow:
    """One learner's line in an instructor's cohort table."""

    learner_id: int
    name: str
    email: str
    progress: Progress
    at_risk: bool


def cohort_rows(cohort: Cohort, *, viewer, course: Course | None = None) -> list[CohortRow]:
    """The cohort's learners with their progress; only for its instructors and administrators."""
    check_teaches(cohort, viewer)
    course = course or offering_course(cohort)
    learners = list(Learner.objects.filter(enrolments__cohort=cohort).order_by("name", "pk")
                    .values_list("pk", "name", "email"))
    all_progress = progress_many([pk for pk, _, _ in learners], course=course)
    from django.utils import timezone

    now = timezone.now()
    rows = []
    for pk, name, email in learners:
        p = all_progress[pk]
        idle_days = (now - p.last_activity_at).days if p.last_activity_at else None
        at_risk = p.modules_done < len(course.modules) and (idle_days is None or idle_days >= 14)
        rows.append(CohortRow(pk, name, email, p, at_risk))
    return rows


def enrolled_cohorts(learner: Learner) -> list[Cohort]:
    return [e.cohort for e in Enrolment.objects.filter(learner=learner).select_related("cohort")]


def learners_active_since(since) -> list[int]:
    """Learners whose record changed after ``since``: module activity, completions, instructor evidence."""
    from django.db.models import Q

    from caregiving_course.learner_record.models import InstructorRecord, ModuleCompletion

    ids = set(ModuleActivity.objects.filter(last_activity_at__gt=since).values_list("learner_id", flat=True))
    ids |= set(ModuleCompletion.objects.filter(updated_at__gt=since).values_list("learner_id", flat=True))
    ids |= set(InstructorRecord.objects.filter(Q(recorded_at__gt=since) | Q(withdrawn_at__gt=since))
               .values_list("learner_id", flat=True))
    return sorted(ids)
