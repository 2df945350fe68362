"""The course's own words on the dashboard (credential and component titles, skill names), in the language
the instructor reads the page in, as learners see them on their progress page."""
from __future__ import annotations

from django.utils.translation import get_language

from caregiving_course.framework import Component, Course, Credential


def credential_title(course: Course, credential: Credential) -> str:
    return course.shown(credential, get_language())[0]


def shown_components(course: Course) -> dict[str, Component]:
    """Every component of the course by id, as shown in the active language (titles, skill names)."""
    language = get_language()
    found: dict[str, Component] = {}
    for credential in course.credentials:
        for component in course.shown(credential, language)[1]:
            found.setdefault(component.id, component)
    return found
