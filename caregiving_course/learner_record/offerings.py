"""Offerings: a cohort as an offering of one or more of the catalogue's courses (issue 18.4).

An offering has its courses, dates, delivery mode, instructors, whether learners may enrol themselves from the
catalogue page (``open_enrolment``), and an enrolment code its instructors share with a partner's learners. Its
progress, dashboard, CSV and chart read the catalogue as the offering sees it (:meth:`Catalogue.view`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from caregiving_course.framework import Catalogue, catalogue
from caregiving_course.learner_record.errors import NotAllowed, RecordError
from caregiving_course.learner_record.models import (
    ENROLMENT_CODE_ALPHABET,
    ENROLMENT_CODE_LENGTH,
    Cohort,
    Enrolment,
    Learner,
    ModuleActivity,
    new_enrolment_code,
)
from caregiving_course.learner_record.names import check_cohort_name, clean_person_name

DELIVERIES = tuple(value for value, _label in Cohort.DELIVERIES)
UNSET = object()  # a field :func:`change_offering` leaves as it is


def offering_course(cohort: Cohort) -> Catalogue:
    """The catalogue as ``cohort`` sees it: its courses' modules and credentials (every course's for a cohort
    whose courses the catalogue no longer holds)."""
    return catalogue().view(cohort.courses or ())


def learner_course(learner: Learner) -> Catalogue:
    """The catalogue as ``learner`` sees it: the courses of every offering they are enrolled in (the whole
    catalogue when they are enrolled in none, such as a learner known only from a platform)."""
    known = catalogue()
    ids: list[str] = []
    for courses in Cohort.objects.filter(enrolments__learner=learner).order_by("pk").values_list("courses",
                                                                                                flat=True):
        ids += [c for c in courses or () if c not in ids]
    if ids:  # and the courses they have worked in without an offering of them (a platform's placement)
        worked = ModuleActivity.objects.filter(learner=learner).values_list("module_id", flat=True)
        ids += [known.module_course(m).id for m in worked if known.has_module(m)]
    return known.view(ids)


def _check_courses(courses) -> list[str]:
    courses = list(dict.fromkeys(courses or ()))
    if not courses:
        raise RecordError("an offering needs at least one course (see 'caregiving course list')")
    refused = catalogue().unknown_courses(courses)
    if refused:
        raise RecordError(refused)
    return courses


def courses_of_credential(credential_id: str) -> list[str]:
    """The ids of the courses a credential (with every credential it stacks on) is made of: what an offering of
    that credential offers. RecordError when the catalogue has no such credential."""
    known = catalogue()
    if not known.has_credential(credential_id):
        raise RecordError(f"no credential {credential_id!r} in the catalogue (known: "
                          f"{', '.join(c.id for c in known.credentials)})")
    return [c.id for c in known.courses_of(known.credential(credential_id))]


def _check_fields(delivery: str, starts_on: dt.date | None, ends_on: dt.date | None) -> None:
    if delivery not in DELIVERIES:
        raise RecordError(f"delivery must be one of {', '.join(DELIVERIES)}")
    if starts_on and ends_on and ends_on < starts_on:
        raise RecordError(f"an offering cannot end ({ends_on}) before it starts ({starts_on})")


def create_offering(name: str, *, courses, title: str = "", starts_on: dt.date | None = None,
                    ends_on: dt.date | None = None, delivery: str = Cohort.SELF_PACED,
                    open_enrolment: bool = False) -> Cohort:
    """A new offering called ``name`` (a cohort name); RecordError when the name is taken or a field is wrong."""
    check_cohort_name(name)
    courses = _check_courses(courses)
    _check_fields(delivery, starts_on, ends_on)
    try:
        with transaction.atomic():
            return Cohort.objects.create(name=name, title=clean_person_name(title) or name, courses=courses,
                                         starts_on=starts_on, ends_on=ends_on, delivery=delivery,
                                         open_enrolment=bool(open_enrolment))
    except IntegrityError:
        raise RecordError(f"there is already a cohort {name!r}") from None


def change_offering(name: str, *, courses=UNSET, title=UNSET, starts_on=UNSET, ends_on=UNSET, delivery=UNSET,
                    open_enrolment=UNSET) -> Cohort:
    """Change what is given of the offering ``name``; RecordError when there is none or a field is wrong."""
    with transaction.atomic():
        cohort = Cohort.objects.select_for_update().filter(name=name).first()
        if cohort is None:
            raise RecordError(f"no cohort {name!r} (see 'caregiving cohort list')")
        if courses is not UNSET:
            cohort.courses = _check_courses(courses)
        if title is not UNSET:
            cohort.title = clean_person_name(title) or cohort.name
        if starts_on is not UNSET:
            cohort.starts_on = starts_on
        if ends_on is not UNSET:
            cohort.ends_on = ends_on
        if delivery is not UNSET:
            cohort.delivery = delivery
        if open_enrolment is not UNSET:
            cohort.open_enrolment = bool(open_enrolment)
        _check_fields(cohort.delivery, cohort.starts_on, cohort.ends_on)
        cohort.save()
        return cohort


def get_offering(name: str) -> Cohort:
    """The offering called ``name``; RecordError when there is none."""
    cohort = Cohort.objects.filter(name=name).first() if isinstance(name, str) else None
    if cohort is None:
        raise RecordError(f"no cohort {name!r} (see 'caregiving cohort list')")
    return cohort


def all_offerings() -> list[Cohort]:
    """Every offering, by name, with its instructors loaded."""
    return list(Cohort.objects.order_by("name").prefetch_related("instructors"))


def regenerate_code(cohort: Cohort) -> str:
    """Give ``cohort`` a new enrolment code (the old one stops working at once) and return it."""
    for _attempt in range(5):
        code = new_enrolment_code()
        try:
            with transaction.atomic():
                Cohort.objects.filter(pk=cohort.pk).update(enrolment_code=code)
        except IntegrityError:  # a code already taken: about one chance in 10**17
            continue
        cohort.enrolment_code = code
        return code
    raise RecordError("no free enrolment code was found; try again")


def format_code(code: str) -> str:
    """The code as people read it: groups of four (``ABCD-EFGH-JKMN``)."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def normal_code(text: str) -> str:
    """What someone typed, as codes are stored: upper case, without spaces or hyphens ('' when it cannot be one)."""
    code = "".join(str(text or "")[:40].split()).replace("-", "").upper()
    return code if len(code) == ENROLMENT_CODE_LENGTH and set(code) <= set(ENROLMENT_CODE_ALPHABET) else ""


def offering_by_code(text: str) -> Cohort | None:
    """The offering whose enrolment code ``text`` is (as typed: any case, spaces and hyphens), or None."""
    code = normal_code(text)
    return Cohort.objects.filter(enrolment_code=code).first() if code else None


def open_offerings(course_id: str | None = None) -> list[Cohort]:
    """Offerings open for self-enrolment that have not ended (of ``course_id`` when given), soonest first."""
    today = timezone.localdate()
    rows = Cohort.objects.filter(open_enrolment=True).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
    found = sorted(rows, key=lambda c: (c.starts_on or dt.date.min, c.name))
    return [c for c in found if course_id is None or course_id in (c.courses or ())]


@dataclass(frozen=True)
class Joined:
    cohort: Cohort
    new: bool  # False: the learner was already enrolled (enrolling twice changes nothing)


def _join(learner: Learner, cohort: Cohort) -> Joined:
    _row, created = Enrolment.objects.get_or_create(learner=learner, cohort=cohort)
    return Joined(cohort, created)


def self_enrol(learner: Learner, cohort_name: str) -> Joined:
    """Enrol ``learner`` in the open offering ``cohort_name``; NotAllowed when it is not open (or has ended)."""
    cohort = next((c for c in open_offerings() if c.name == cohort_name), None)
    if cohort is None:
        raise NotAllowed("this offering is not open for enrolment")
    return _join(learner, cohort)


def enrol_by_code(learner: Learner, code: str) -> Joined:
    """Enrol ``learner`` in the offering whose code ``code`` is; RecordError when no offering has it."""
    cohort = offering_by_code(code)
    if cohort is None:
        raise RecordError("no offering has this enrolment code")
    return _join(learner, cohort)


def signup_offering(course_id: str | None, default_name: str, offering: str | None = None) -> Cohort:
    """The offering a learner who signs up on their own joins: ``offering`` when it names an open one (the one
    they chose on the catalogue page); else the first open offering of the course they came for (the first course
    when they named none, or one the catalogue does not hold); when that course has none, ``default_name`` (the
    first course's) or ``default_name-<course id>``, created open and self-paced."""
    chosen = next((c for c in open_offerings() if c.name == offering), None) if offering else None
    if chosen is not None:
        return chosen
    courses = catalogue()
    course = courses.course(course_id) if course_id and courses.has_course(course_id) else courses.courses[0]
    found = open_offerings(course.id)
    if found:
        return found[0]
    name = default_name if course is courses.courses[0] else f"{default_name}-{course.id}"[:80]
    check_cohort_name(name)
    cohort, _created = Cohort.objects.get_or_create(name=name, defaults={
        "title": name, "courses": [course.id], "open_enrolment": True})
    return cohort


def offerings_of(learner: Learner) -> list[Cohort]:
    """The offerings ``learner`` is enrolled in, oldest enrolment first."""
    return [e.cohort for e in Enrolment.objects.filter(learner=learner).select_related("cohort").order_by("pk")]


def check_teaches(cohort: Cohort, user) -> None:
    """NotAllowed unless ``user`` teaches ``cohort`` or is an administrator."""
    if not (user.is_superuser or cohort.instructors.filter(pk=user.pk).exists()):
        raise NotAllowed("you do not teach this cohort")
