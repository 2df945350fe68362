"""What a learner does in a module besides time on task (see :mod:`heartbeats`): sections viewed,
knowledge-check attempts, the reflection, and completing the module by DESIGN.md's rules.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from caregiving_course.framework import Course, Module, catalogue
from caregiving_course.learner_record import signals
from caregiving_course.learner_record.errors import RecordError
from caregiving_course.learner_record.models import Learner, ModuleActivity, ModuleCompletion

MAX_REFLECTION = 10_000
LAUNCH_CHANNELS = ("local", "lti", "openedx")  # our site, an LTI launch, the Open edX LMS


def _module(course: Course | None, module_id: str) -> Module:
    course = course or catalogue()
    if not isinstance(module_id, str) or not course.has_module(module_id):
        raise RecordError(f"unknown module {module_id!r}")
    return course.module(module_id)


def _activity(learner: Learner, module_id: str) -> ModuleActivity:
    activity, _ = ModuleActivity.objects.select_for_update().get_or_create(learner=learner, module_id=module_id)
    return activity


def record_section_viewed(learner: Learner, module_id: str, index: int, *, course: Course | None = None) -> list[int]:
    """Note that the learner opened section ``index`` of the module; returns the sections seen."""
    module = _module(course, module_id)
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(module.sections):
        raise RecordError(f"module {module_id} has no section {index!r}")
    with transaction.atomic():
        activity = _activity(learner, module_id)
        if index not in activity.sections_viewed:
            activity.sections_viewed = sorted({*activity.sections_viewed, index})
            activity.last_activity_at = timezone.now()
            activity.save(update_fields=["sections_viewed", "last_activity_at"])
            signals.section_viewed.send(None, learner_id=learner.pk, activity=activity, section=index)
        return list(activity.sections_viewed)


def record_launch(learner: Learner, module_id: str, channel: str, *, course: Course | None = None) -> str:
    """Note that the learner opened the module through ``channel`` (one of :data:`LAUNCH_CHANNELS`); the first
    launch is kept (and announced with ``module_launched``). Returns the channel of the first launch."""
    _module(course, module_id)
    if channel not in LAUNCH_CHANNELS:
        raise RecordError(f"unknown launch channel {channel!r}")
    known = ModuleActivity.objects.filter(learner=learner, module_id=module_id).exclude(launched_via="")
    first = known.values_list("launched_via", flat=True).first()  # every later view: one read, no lock
    if first:
        return first
    with transaction.atomic():
        activity = _activity(learner, module_id)
        if activity.launched_via:
            return activity.launched_via
        opened_before = activity.first_activity_at is not None  # a record older than launch channels
        activity.launched_via = channel
        activity.first_activity_at = activity.first_activity_at or timezone.now()
        activity.save(update_fields=["launched_via", "first_activity_at"])
        if not opened_before:
            signals.module_launched.send(None, learner_id=learner.pk, activity=activity)
        return channel


def record_knowledge_check(learner: Learner, module_id: str, score: float, *, course: Course | None = None) -> float:
    """Record an attempt's score (0..1); keeps the best. Returns the best score so far."""
    _module(course, module_id)
    if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 1:
        raise RecordError("score must be between 0 and 1")
    with transaction.atomic():
        activity = _activity(learner, module_id)
        activity.attempts += 1
        activity.best_score = max(activity.best_score or 0.0, float(score))
        activity.last_activity_at = timezone.now()
        activity.save(update_fields=["attempts", "best_score", "last_activity_at"])
        signals.knowledge_check_answered.send(None, learner_id=learner.pk, activity=activity, score=float(score),
                                              attempt=activity.attempts)
        completion = ModuleCompletion.objects.filter(learner=learner, module_id=module_id).first()
        if completion and activity.best_score > completion.score:
            completion.score = activity.best_score
            completion.save(update_fields=["score", "updated_at"])
            signals.module_completed.send(None, learner=learner, completion=completion, created=False)
        return activity.best_score


def record_reflection(learner: Learner, module_id: str, text: str, *, course: Course | None = None) -> None:
    """Keep the learner's reflection (plain text; shown escaped)."""
    _module(course, module_id)
    if not isinstance(text, str) or len(text) > MAX_REFLECTION:
        raise RecordError(f"a reflection is text of at most {MAX_REFLECTION} characters")
    with transaction.atomic():
        activity = _activity(learner, module_id)
        activity.reflection = text.replace("\x00", "")
        activity.save(update_fields=["reflection"])


@dataclass(frozen=True)
class CompletionCheck:
    """What a module still needs before it completes; ``done`` when nothing."""

    sections_left: tuple[int, ...]
    passed: bool
    seconds: int
    seconds_needed: int
    completed: bool

    @property
    def done(self) -> bool:
        return self.completed or (not self.sections_left and self.passed and self.seconds >= self.seconds_needed)


def completion_check(learner: Learner, module_id: str, *, course: Course | None = None) -> CompletionCheck:
    course = course or catalogue()
    module = _module(course, module_id)
    activity = ModuleActivity.objects.filter(learner=learner, module_id=module_id).first()
    viewed = set(activity.sections_viewed) if activity else set()
    best = activity.best_score if activity and activity.best_score is not None else -1
    return CompletionCheck(
        sections_left=tuple(i for i in range(len(module.sections)) if i not in viewed),
        passed=best >= module.pass_mark,
        seconds=activity.seconds if activity else 0,
        seconds_needed=course.minimum_seconds(module),
        completed=ModuleCompletion.objects.filter(learner=learner, module_id=module_id).exists(),
    )


def try_complete(learner: Learner, module_id: str, *, course: Course | None = None) -> ModuleCompletion | None:
    """Complete the module if its rules are met (sections, pass mark, minimum time on task).

    Completing credits the module's designed hours, announces ``module_completed`` and evaluates
    awards, all in one transaction. Returns the completion, or None when something is still left.
    """
    from caregiving_course.learner_record.awards import evaluate

    course = course or catalogue()
    module = _module(course, module_id)
    with transaction.atomic():
        activity = _activity(learner, module_id)  # row lock serialises two completions of one module
        existing = ModuleCompletion.objects.filter(learner=learner, module_id=module_id).first()
        if existing:
            return existing
        if not completion_check(learner, module_id, course=course).done:
            return None
        completion = ModuleCompletion.objects.create(
            learner=learner, module_id=module_id, score=activity.best_score, credited_hours=module.hours,
            time_on_task_seconds=activity.seconds, completed_at=timezone.now())
        signals.module_completed.send(None, learner=learner, completion=completion, created=True)
        evaluate(learner, course=course)
        return completion
