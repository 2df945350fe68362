"""The course versions an installation has served, and what they tell about records: which modules a later version
dropped (so their completions are still named, with their hours and version) and who has records in a course."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from caregiving_course.framework import Course
from caregiving_course.learner_record.models import (
    Award,
    CourseVersion,
    CourseVersionModule,
    InstructorRecord,
    ModuleActivity,
    ModuleCompletion,
)


@dataclass(frozen=True)
class PastModule:
    """A module no course of the catalogue has any more, as the last version that had it described it."""

    module_id: str
    course_id: str
    version: str
    title: str
    titles: dict
    hours: Decimal

    def title_in(self, language: str | None) -> str:
        """Its title in ``language`` when that version was translated into it, else as written."""
        language = (language or "").lower()
        return self.titles.get(language) or self.titles.get(language.split("-")[0]) or self.title


def record_courses(courses: Iterable[Course]) -> int:
    """Record each course's version and its modules (idempotent); returns how many versions were new."""
    new = 0
    with transaction.atomic():
        for course in courses:
            version, created = CourseVersion.objects.get_or_create(
                course_id=course.id, version=course.version, defaults={"title": course.title})
            new += created
            for module in course.modules:
                titles = {language: t.modules[module.id].title for language, t in course.translations.items()
                          if module.id in t.modules}
                CourseVersionModule.objects.update_or_create(
                    course_version=version, module_id=module.id,
                    defaults={"title": module.title, "titles": titles, "hours": module.hours})
    return new


def past_modules(current: set[str]) -> dict[str, PastModule]:
    """The recorded modules whose ids are not in ``current`` (the catalogue's), each as the last version that had
    it described it."""
    found: dict[str, PastModule] = {}
    rows = (CourseVersionModule.objects.exclude(module_id__in=current)
            .order_by("course_version__recorded_at", "course_version_id")
            .values_list("module_id", "course_version__course_id", "course_version__version", "title", "titles",
                         "hours"))
    for module_id, course_id, version, title, titles, hours in rows:
        found[module_id] = PastModule(module_id, course_id, version, title, titles or {}, hours)
    return found


def learners_in_course(course: Course) -> int:
    """How many learners have any record in ``course``: a completion or activity in one of its modules (of any
    version recorded), instructor records for its credentials' components, or an award of its credentials."""
    modules = {m.id for m in course.modules}
    modules |= set(CourseVersionModule.objects.filter(course_version__course_id=course.id)
                   .values_list("module_id", flat=True))
    components = {c.id for cred in course.credentials for c in cred.components if not c.is_module}
    credentials = {c.id for c in course.credentials}
    learners: set[int] = set()
    for model, field, ids in ((ModuleCompletion, "module_id", modules), (ModuleActivity, "module_id", modules),
                              (InstructorRecord, "component_id", components), (Award, "credential_id", credentials)):
        if ids:
            learners.update(model.objects.filter(**{f"{field}__in": ids}).values_list("learner_id", flat=True)
                            .distinct())
    return len(learners)
