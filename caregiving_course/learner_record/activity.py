"""Time on task and module completion, by the policy of DESIGN.md ("Hours: honest and explainable").

The server credits time by its own clock. A beat credits the time since the learner's previous
beat (any tab, any device, any module), but only when that gap is at most
``HEARTBEAT_MAX_CREDIT_SECONDS``: a longer gap was not observed as active and credits nothing.
Because the clock is per learner, two tabs open at once accrue wall time once. Each tab numbers
its beats; a beat whose number is not above the last seen from that tab is a replay and is ignored.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from caregiving_course.framework import Course, Module, default_course
from caregiving_course.learner_record import signals
from caregiving_course.learner_record.errors import RecordError
from caregiving_course.learner_record.models import (
    ActiveSpan,
    ActivityClock,
    Learner,
    ModuleActivity,
    ModuleCompletion,
)

MAX_TABS = 16
MAX_TAB_ID = 64
MAX_REFLECTION = 10_000


@dataclass(frozen=True)
class BeatResult:
    credited_seconds: int
    module_seconds: int
    ignored: str = ""  # why nothing was credited: "replay", "gap", "first", "clock"


def _module(course: Course | None, module_id: str) -> Module:
    course = course or default_course()
    if not isinstance(module_id, str) or not course.has_module(module_id):
        raise RecordError(f"unknown module {module_id!r}")
    return course.module(module_id)


def _activity(learner: Learner, module_id: str) -> ModuleActivity:
    activity, _ = ModuleActivity.objects.select_for_update().get_or_create(learner=learner, module_id=module_id)
    return activity


def record_heartbeat(learner: Learner, module_id: str, tab_id: str, seq: int, *,
                     now: dt.datetime | None = None, course: Course | None = None) -> BeatResult:
    """Credit active time for one heartbeat from the page of ``module_id`` open in tab ``tab_id``."""
    _module(course, module_id)
    if not isinstance(tab_id, str) or not 0 < len(tab_id) <= MAX_TAB_ID:
        raise RecordError("tab must be an id of 1 to 64 characters")
    if isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq < 2**53:
        raise RecordError("seq must be a non-negative whole number")
    now = now or timezone.now()
    max_credit = settings.HEARTBEAT_MAX_CREDIT_SECONDS
    with transaction.atomic():
        clock = _locked_clock(learner)
        if seq <= clock.tabs.get(tab_id, -1):
            activity = ModuleActivity.objects.filter(learner=learner, module_id=module_id).first()
            return BeatResult(0, activity.seconds if activity else 0, "replay")
        tabs = dict(clock.tabs)
        tabs.pop(tab_id, None)
        tabs[tab_id] = seq  # most recently seen last, so the tabs forgotten first are those idle longest
        if len(tabs) > MAX_TABS:
            tabs = dict(list(tabs.items())[-MAX_TABS:])
        gap = (now - clock.last_beat_at).total_seconds() if clock.last_beat_at else None
        if gap is None:
            credit, reason = 0, "first"
        elif gap < 0:
            credit, reason = 0, "clock"
        elif gap > max_credit:
            credit, reason = 0, "gap"
        else:
            credit, reason = round(gap), ""
        activity = _locked_activity(learner, module_id)
        activity.seconds += credit
        activity.first_activity_at = activity.first_activity_at or now
        activity.last_activity_at = now
        activity.save(update_fields=["seconds", "first_activity_at", "last_activity_at"])
        spans = _extend_span(learner, module_id, now, credit, dict(clock.spans))
        clock.tabs, clock.spans, clock.last_beat_at = tabs, spans, max(now, clock.last_beat_at or now)
        clock.save(update_fields=["tabs", "spans", "last_beat_at"])
    return BeatResult(credit, activity.seconds, reason)


def _locked_clock(learner: Learner) -> ActivityClock:
    clock = ActivityClock.objects.select_for_update().filter(learner=learner).first()
    if clock is None:
        ActivityClock.objects.get_or_create(learner=learner)
        clock = ActivityClock.objects.select_for_update().get(learner=learner)
    return clock


def _locked_activity(learner: Learner, module_id: str) -> ModuleActivity:
    activity = ModuleActivity.objects.select_for_update().filter(learner=learner, module_id=module_id).first()
    return activity or _activity(learner, module_id)


def _extend_span(learner: Learner, module_id: str, now: dt.datetime, credit: int, spans: dict) -> dict:
    """Extend the module's open span (its id and end are kept on the clock) or open a new one.

    Returns the clock's updated map of open spans, one per module.
    """
    open_span = spans.get(module_id)
    if open_span and credit and (now - dt.datetime.fromisoformat(open_span[1])).total_seconds() <= \
            settings.HEARTBEAT_MAX_CREDIT_SECONDS:
        ActiveSpan.objects.filter(pk=open_span[0]).update(
            ended_at=now, seconds=F("seconds") + credit, beats=F("beats") + 1)
        span_id = open_span[0]
    else:
        span_id = ActiveSpan.objects.create(learner=learner, module_id=module_id, started_at=now, ended_at=now,
                                            seconds=credit, beats=1).pk
    spans.pop(module_id, None)
    spans[module_id] = [span_id, now.isoformat()]
    return dict(list(spans.items())[-MAX_TABS:])


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
        return list(activity.sections_viewed)


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
    course = course or default_course()
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

    course = course or default_course()
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
