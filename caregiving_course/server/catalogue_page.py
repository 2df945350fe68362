"""What the public home page shows of the catalogue: every course with its title, description, hours, modules
and credentials in the reader's language (what has no translation carries its own ``lang``), and the offerings
of it open for self-enrolment."""
from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from caregiving_course.framework import Catalogue, Course
from caregiving_course.learner_record import api

DELIVERY_NAMES = {"self-paced": _("Self-paced"), "instructor-led": _("Instructor-led"), "blended": _("Blended"),
                  "face-to-face": _("Face to face")}


def offering_row(cohort, enrolled: set[int]) -> dict:
    """One offering as the catalogue lists it."""
    return {"name": cohort.name, "title": cohort.title or cohort.name, "delivery": DELIVERY_NAMES.get(
        cohort.delivery, cohort.delivery), "starts": cohort.starts_on, "ends": cohort.ends_on,
        "enrolled": cohort.pk in enrolled}


def _course(course: Course, language: str, offerings: list, enrolled: set[int]) -> dict:
    title, description = course.text(language)
    modules = [{"item": course.localized(m, language), "lang": course.language_of(m, language)}
               for m in course.modules]
    credentials = [{"item": course.localized(c, language), "lang": course.language_of(c, language)}
                   for c in course.credentials]
    return {"id": course.id, "title": title, "description": description, "lang": course.language_of(None, language),
            "hours": course.total_hours, "modules": modules, "credentials": credentials,
            "offerings": [offering_row(c, enrolled) for c in offerings if course.id in (c.courses or ())]}


def catalogue_context(catalogue: Catalogue, user) -> list[dict]:
    """Every course of ``catalogue`` as the home page lists it, for ``user`` (who may be signed out)."""
    language = get_language()
    offerings = api.open_offerings()
    enrolled = ({c.pk for c in api.offerings_of(api.learner_for_user(user))} if user.is_authenticated else set())
    return [_course(course, language, offerings, enrolled) for course in catalogue.courses]
