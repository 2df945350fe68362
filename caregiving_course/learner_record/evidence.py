"""Instructor-recorded evidence: hours attended and skills signed off, and their withdrawal."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from caregiving_course.framework import Component, Course, catalogue
from caregiving_course.learner_record import signals
from caregiving_course.learner_record.awards import evaluate
from caregiving_course.learner_record.errors import RecordError
from caregiving_course.learner_record.models import InstructorRecord, Learner
from caregiving_course.learner_record.people import check_can_view, is_staff_for

MAX_HOURS_PER_RECORD = Decimal(24)


def _instructor_component(course: Course, component_id: str) -> Component:
    for cred in course.credentials:
        for comp in cred.components:
            if comp.id == component_id and not comp.is_module:
                return comp
    raise RecordError(f"no instructor-led component {component_id!r} in the course")


def _check_staff(by, learner: Learner) -> None:
    if not is_staff_for(by, learner):
        raise RecordError("only an instructor of this learner's cohort or an administrator may record evidence")


def _hours(value) -> Decimal:
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise RecordError(f"hours must be a number (got {value!r})") from None
    if not hours.is_finite() or hours <= 0 or hours > MAX_HOURS_PER_RECORD:
        raise RecordError(f"hours must be above 0 and at most {MAX_HOURS_PER_RECORD} per record (got {value})")
    if hours != hours.quantize(Decimal("0.01")):
        raise RecordError("hours take at most two decimals")
    return hours


def _date(value: dt.date | str | None) -> dt.date:
    if value is None or value == "":
        return timezone.localdate()
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            raise RecordError(f"date must be YYYY-MM-DD (got {value!r})") from None
    if day > timezone.localdate():
        raise RecordError("hours cannot be recorded for a future date")
    return day


def record_hours(learner: Learner, component_id: str, hours, *, by, on=None, note: str = "",
                 course: Course | None = None) -> InstructorRecord:
    """Record instructor-led hours (attendance, practicum) for a learner; evaluates awards."""
    course = course or catalogue()
    comp = _instructor_component(course, component_id)
    if comp.evidence != "hours":
        raise RecordError(f"component {component_id} is signed off skill by skill, not recorded in hours")
    _check_staff(by, learner)
    with transaction.atomic():
        record = InstructorRecord.objects.create(
            learner=learner, component_id=component_id, kind=InstructorRecord.HOURS, hours=_hours(hours),
            occurred_on=_date(on), note=str(note)[:500], recorded_by=by)
        signals.instructor_recorded.send(None, learner_id=learner.pk, record=record)
        evaluate(learner, course=course)
    return record


def record_signoff(learner: Learner, component_id: str, skill: str, *, by, on=None, note: str = "",
                   course: Course | None = None) -> InstructorRecord:
    """Sign off one skill of a sign-off component; signing it off again returns the first record."""
    course = course or catalogue()
    comp = _instructor_component(course, component_id)
    if comp.evidence != "signoff" or skill not in comp.skills:
        raise RecordError(f"component {component_id} has no skill {skill!r} (skills: {', '.join(comp.skills)})")
    _check_staff(by, learner)
    with transaction.atomic():
        existing = InstructorRecord.objects.filter(learner=learner, component_id=component_id, skill=skill,
                                                   withdrawn_at__isnull=True).first()
        if existing:
            return existing
        record = InstructorRecord.objects.create(
            learner=learner, component_id=component_id, kind=InstructorRecord.SIGNOFF, skill=skill,
            occurred_on=_date(on), note=str(note)[:500], recorded_by=by)
        signals.instructor_recorded.send(None, learner_id=learner.pk, record=record)
        evaluate(learner, course=course)
    return record


def withdraw(record_id: int, *, by, reason: str, course: Course | None = None) -> InstructorRecord:
    """Withdraw evidence recorded in error; awards that depended on it are revoked (and the revocation queued)."""
    if not reason or not reason.strip():
        raise RecordError("withdrawing evidence needs a reason")
    with transaction.atomic():
        record = InstructorRecord.objects.select_for_update().filter(pk=record_id).first()
        if record is None or record.withdrawn_at:
            raise RecordError(f"no recorded evidence {record_id} to withdraw")
        _check_staff(by, record.learner)
        record.withdrawn_at, record.withdrawn_by, record.withdraw_reason = timezone.now(), by, reason.strip()[:500]
        record.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason"])
        signals.instructor_recorded.send(None, learner_id=record.learner_id, record=record)
        evaluate(record.learner, course=course)
    return record


def records_for(learner: Learner, *, viewer) -> list[InstructorRecord]:
    check_can_view(viewer, learner)
    return list(InstructorRecord.objects.filter(learner=learner).select_related("recorded_by").order_by("-recorded_at"))
