"""Which courses of the catalogue a partner platform (or LTI 1.1 consumer) may place and launch.

An administrator chooses, per platform: every course (the default, courses installed later included), or some
of them by id (``caregiving platform courses``, the partner platforms page under ``/manage/``). Deep linking and
the choice of a link's module list only those courses' modules; a launch or placement of another course's module
is refused (:func:`check_module`).
"""
from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from caregiving_course.framework import Course, catalogue
from lti_bridge.launch import LaunchError
from lti_bridge.models import CourseChoice


def allowed_courses(partner: CourseChoice) -> tuple[Course, ...]:
    """The catalogue's courses ``partner`` may use, in the catalogue's order."""
    courses = catalogue().courses
    if partner.all_courses:
        return courses
    chosen = set(partner.course_ids or [])
    return tuple(c for c in courses if c.id in chosen)


def may_use(partner: CourseChoice, module_id: str) -> bool:
    """Whether ``partner`` may place or launch the catalogue's module ``module_id``."""
    found = catalogue()
    if not found.has_module(module_id):
        return False
    return partner.all_courses or found.module_course(module_id).id in (partner.course_ids or [])


def check_module(partner: CourseChoice, module_id: str) -> None:
    """Raise a 403 :class:`LaunchError` naming the course when ``partner`` may not use ``module_id``."""
    if may_use(partner, module_id):
        return
    found = catalogue()
    title = found.module_course(module_id).text(get_language())[0] if found.has_module(module_id) else module_id
    raise LaunchError(_("This activity opens a module of the course “%(course)s”, which this platform may not "
                        "use. Ask the tool's administrator to allow the course for your platform.")
                      % {"course": title}, status=403)


def grouped_modules(partner: CourseChoice) -> list[dict]:
    """The modules ``partner`` may use, by course, in the reader's language: ``[{"id", "title", "lang",
    "modules": [Module, ...]}, ...]`` (``lang`` names the language the course's title is written in, when it has
    no translation)."""
    language = get_language()
    return [{"id": course.id, "title": course.text(language)[0], "lang": course.language_of(None, language),
             "modules": [course.localized_module(m.id, language) for m in course.modules]}
            for course in allowed_courses(partner)]


def describe(partner: CourseChoice) -> str:
    """The choice in words, for the CLI and logs: ``every course`` or the chosen ids."""
    return "every course" if partner.all_courses else (", ".join(partner.course_ids or []) or "no course")


def choose(partner: CourseChoice, course_ids: list[str] | None) -> None:
    """Set the choice (``None``: every course); raises ``ValueError`` naming an id the catalogue lacks."""
    if course_ids is None:
        partner.all_courses, partner.course_ids = True, []
        return
    refused = catalogue().unknown_courses(course_ids)
    if refused:
        raise ValueError(refused)
    partner.all_courses, partner.course_ids = False, list(dict.fromkeys(course_ids))
