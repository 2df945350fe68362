"""Progress toward each credential and the records behind every number.

The words people read (what is left, each record's summary) are in the active language (the
request's; English for the command line and the sync), and so are the module titles in them.

Loading (:func:`load_records`, a fixed handful of queries for any number of learners) is kept
apart from computing (:func:`compute`, pure Python), so one learner's page and a 10,000-learner
evaluation share the same rules.
"""
from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import translation
from django.utils.formats import get_format
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from caregiving_course.framework import Component, Course, Credential, Module
from caregiving_course.learner_record.credit_sets import plan_of
from caregiving_course.learner_record.models import Award, InstructorRecord, ModuleActivity, ModuleCompletion

ZERO = Decimal(0)
BATCH = 900  # ids per IN (...) clause: below SQLite's variable limit


@dataclass(frozen=True)
class Evidence:
    """One record behind a number: a completion, instructor-recorded hours or a skill sign-off."""

    kind: str
    record_id: int
    summary: str
    hours: Decimal
    at: str
    by: str = ""

    def as_dict(self) -> dict:
        return {"kind": self.kind, "id": self.record_id, "summary": self.summary, "hours": str(self.hours),
                "at": self.at, "by": self.by}


@dataclass
class Records:
    """Everything about one learner that progress is computed from."""

    completions: dict = field(default_factory=dict)  # module_id -> (id, score, hours, completed_at, seconds)
    activity: dict = field(default_factory=dict)  # module_id -> (seconds, sections, best_score, last_at)
    instructor: list = field(default_factory=list)  # (id, component, kind, hours, skill, on, by, at)
    awards: dict = field(default_factory=dict)  # credential_id -> (public_id, status, earned_at)


@dataclass(frozen=True)
class ComponentProgress:
    component: Component
    credited_hours: Decimal
    done: bool
    detail: str
    evidence: tuple[Evidence, ...]
    title: str  # the component's title in the active language


@dataclass(frozen=True)
class CredentialProgress:
    credential: Credential
    credited_hours: Decimal
    components: tuple[ComponentProgress, ...]
    requires: tuple[CredentialProgress, ...]
    eligible: bool
    award_status: str  # "", "earned" or "revoked"
    award_id: str = ""
    title: str = ""  # the credential's title in the active language

    @property
    def total_hours(self) -> Decimal:
        return self.credential.total_hours

    @property
    def left(self) -> list[str]:
        missing = [_("{title} ({detail})").format(title=c.title, detail=c.detail) for c in self.components
                   if not c.done]
        return [_("{title} (credential)").format(title=r.title) for r in self.requires if not r.eligible] + missing

    def evidence(self) -> list[Evidence]:
        own = [e for c in self.components for e in c.evidence]
        return [e for r in self.requires for e in r.evidence()] + own


@dataclass(frozen=True)
class ModuleProgress:
    module_id: str
    title: str
    designed_hours: Decimal
    seconds: int
    sections_viewed: int
    sections: int
    best_score: float | None
    completed_at: dt.datetime | None
    credited_hours: Decimal


@dataclass(frozen=True)
class EarlierCompletion:
    """A completed module that the course's current version no longer has, as the version that had it named it."""

    module_id: str
    title: str  # in the active language when that version was translated into it
    version: str
    course_id: str
    credited_hours: Decimal  # what the completion credited
    completed_at: dt.datetime


@dataclass(frozen=True)
class Progress:
    learner_id: int
    time_on_task_seconds: int
    last_activity_at: dt.datetime | None
    modules: tuple[ModuleProgress, ...]
    credentials: tuple[CredentialProgress, ...]
    earlier: tuple[EarlierCompletion, ...] = ()  # completions of modules a later version of their course dropped

    @property
    def credited_hours(self) -> Decimal:
        """Hours credited by the learner's completed modules, of today's courses and of earlier versions."""
        return (sum((m.credited_hours for m in self.modules), ZERO)
                + sum((e.credited_hours for e in self.earlier), ZERO))

    def credential(self, credential_id: str) -> CredentialProgress:
        return next(c for c in self.credentials if c.credential.id == credential_id)

    @property
    def modules_done(self) -> int:
        return sum(1 for m in self.modules if m.completed_at)


def _chunks(ids: list[int]):
    for start in range(0, len(ids), BATCH):
        yield ids[start:start + BATCH]


def load_records(learner_ids: list[int], *, activity: bool = True) -> dict[int, Records]:
    """Load every learner's records in four queries per batch of ids (three without ``activity``).

    Award evaluation passes ``activity=False``: time on task and sections do not decide awards.
    """
    records: dict[int, Records] = defaultdict(Records)
    for ids in _chunks(list(learner_ids)):
        for lid, mid, cid, score, hours, at, secs in ModuleCompletion.objects.filter(learner_id__in=ids).values_list(
                "learner_id", "module_id", "id", "score", "credited_hours", "completed_at", "time_on_task_seconds"):
            records[lid].completions[mid] = (cid, score, hours, at, secs)
        rows = ModuleActivity.objects.filter(learner_id__in=ids) if activity else ModuleActivity.objects.none()
        for lid, mid, secs, sections, best, last in rows.values_list(
                "learner_id", "module_id", "seconds", "sections_viewed", "best_score", "last_activity_at"):
            records[lid].activity[mid] = (secs, sections, best, last)
        for row in InstructorRecord.objects.filter(learner_id__in=ids, withdrawn_at__isnull=True).values_list(
                "learner_id", "id", "component_id", "kind", "hours", "skill", "occurred_on",
                "recorded_by__username", "recorded_at"):
            records[row[0]].instructor.append(row[1:])
        for lid, cred, pid, status, at in Award.objects.filter(learner_id__in=ids).values_list(
                "learner_id", "credential_id", "public_id", "status", "earned_at"):
            records[lid].awards[cred] = (str(pid), status, at)
    return {lid: records[lid] for lid in learner_ids}


NOT_COMPLETED, COMPLETED = gettext_noop("not completed"), gettext_noop("completed")
COMPLETION = gettext_noop("{module}: score {score}, {minutes} min on task")
HOURS_ON = gettext_noop("{hours} h for {component} on {date}")
HOURS_RECORDED = gettext_noop("{got} of {total} h recorded")
SKILL_SIGNED = gettext_noop("{skill}, for {component}")
SKILLS_SIGNED = gettext_noop("{signed} of {total} skills signed off")
MESSAGES = (NOT_COMPLETED, COMPLETED, COMPLETION, HOURS_ON, HOURS_RECORDED, SKILL_SIGNED, SKILLS_SIGNED)


@dataclass(frozen=True)
class _Words:
    """The words of progress in one language, looked up once: a cohort's progress uses them thousands of times."""

    text: dict[str, str]
    decimal_separator: str

    def hours(self, value: Decimal) -> str:
        return str(value).replace(".", self.decimal_separator)


@functools.lru_cache(maxsize=16)
def _words(language: str | None) -> _Words:
    with translation.override(language):
        return _Words({m: _(m) for m in MESSAGES}, get_format("DECIMAL_SEPARATOR"))


def _component(comp: Component, rec: Records, words: _Words) -> ComponentProgress:
    """``comp`` as shown in the language of ``words`` (same id, hours and rules; its own title and skill names)."""
    text, title = words.text, comp.title
    if comp.is_module:
        done = rec.completions.get(comp.id)
        if not done:
            return ComponentProgress(comp, ZERO, False, text[NOT_COMPLETED], (), title)
        cid, score, _hours, at, secs = done
        summary = text[COMPLETION].format(module=title, score=f"{score:.0%}", minutes=secs // 60)
        return ComponentProgress(comp, comp.hours, True, text[COMPLETED],
                                 (Evidence("completion", cid, summary, comp.hours, at.isoformat()),), title)
    mine = [r for r in rec.instructor if r[1] == comp.id]
    if comp.evidence == "hours":
        got = sum((r[3] for r in mine if r[2] == InstructorRecord.HOURS), ZERO)
        evidence = tuple(Evidence("hours", r[0],
                                  text[HOURS_ON].format(hours=words.hours(r[3]), component=title, date=r[5]),
                                  r[3], r[7].isoformat(), r[6])
                         for r in mine if r[2] == InstructorRecord.HOURS)
        credited = min(got, comp.hours)
        detail = text[HOURS_RECORDED].format(got=words.hours(got), total=words.hours(comp.hours))
        return ComponentProgress(comp, credited, got >= comp.hours, detail, evidence, title)
    signed = {r[4]: r for r in mine if r[2] == InstructorRecord.SIGNOFF and r[4] in comp.skills}
    done = len(signed) == len(comp.skills)
    evidence = tuple(Evidence("signoff", r[0], text[SKILL_SIGNED].format(skill=comp.skill_name(r[4]), component=title),
                              ZERO, r[7].isoformat(), r[6])
                     for r in signed.values())
    detail = text[SKILLS_SIGNED].format(signed=len(signed), total=len(comp.skills))
    return ComponentProgress(comp, comp.hours if done else ZERO, done, detail, evidence, title)


def compute(course: Course, learner_id: int, rec: Records, past: dict | None = None) -> Progress:
    """Progress of one learner from their records (no database access). ``past`` ({module id: PastModule} of
    :mod:`course_versions`) names the completed modules that later versions of their courses dropped.

    A catalogue has many credentials and modules, of which a learner's records bear on a few: the others'
    progress is the same as with no records, worked out once per language and shared.
    """
    plan = plan_of(course)
    language = get_language()
    untouched = plan.untouched.get(language)
    if untouched is None:
        untouched = plan.untouched[language] = _compute(course, 0, Records(), language)
    touched = plan.touched(rec.completions, (r[1] for r in rec.instructor), rec.awards)
    return _compute(course, learner_id, rec, language, (plan.positions, plan.module_index, touched, untouched),
                    past)


def _compute(course: Course, learner_id: int, rec: Records, language: str | None,
             shortcut: tuple[dict[str, int], dict[str, int], set[int], Progress] | None = None,
             past: dict | None = None) -> Progress:
    """Progress; with a ``shortcut`` (credential and module positions, the credential positions the records
    touch, progress with no records), the credentials not touched and the modules without records come from
    the latter."""
    words = _words(language)
    memo: dict[str, CredentialProgress] = {}
    position, module_index, touched, untouched = shortcut or ({}, {}, set(), None)

    def credential(cred: Credential) -> CredentialProgress:
        if cred.id not in memo:
            if untouched is not None and position[cred.id] not in touched:
                memo[cred.id] = untouched.credentials[position[cred.id]]
                return memo[cred.id]
            requires = tuple(credential(course.credential(r)) for r in cred.requires)
            title, shown = course.shown(cred, language)
            components = tuple(_component(c, rec, words) for c in shown)
            award = rec.awards.get(cred.id)
            status = award[1] if award else ""
            eligible = (status != Award.REVOKED and all(c.done for c in components)
                        and all(r.eligible for r in requires))
            credited = (sum((c.credited_hours for c in components), ZERO)
                        + sum((r.credited_hours for r in requires), ZERO))
            memo[cred.id] = CredentialProgress(cred, credited, components, requires, eligible, status,
                                               award[0] if award else "", title)
        return memo[cred.id]

    if untouched is None:
        modules = [_module(m, rec) for m in course.modules]
        credentials = [credential(c) for c in course.credentials]
    else:  # the shared progress, with the parts the records touch worked out
        modules = list(untouched.modules)
        for module_id in {*rec.activity, *rec.completions}:
            i = module_index.get(module_id)
            if i is not None:
                modules[i] = _module(course.modules[i], rec)
        credentials = list(untouched.credentials)
        for i in touched:
            credentials[i] = credential(course.credentials[i])
    lasts = [a[3] for a in rec.activity.values() if a[3]]
    return Progress(
        learner_id=learner_id,
        time_on_task_seconds=sum(a[0] for a in rec.activity.values()),
        last_activity_at=max(lasts) if lasts else None,
        modules=tuple(modules),
        credentials=tuple(credentials),
        earlier=_earlier(course, rec, past or {}, language),
    )


def _earlier(course: Course, rec: Records, past: dict, language: str | None) -> tuple[EarlierCompletion, ...]:
    """The learner's completions of modules ``course`` no longer has, that ``past`` describes."""
    found = []
    for module_id, (_id, _score, hours, at, _secs) in rec.completions.items():
        was = past.get(module_id)
        if was is not None and not course.has_module(module_id):
            found.append(EarlierCompletion(module_id, was.title_in(language), was.version, was.course_id, hours, at))
    return tuple(sorted(found, key=lambda e: e.completed_at))


def _module(m: Module, rec: Records) -> ModuleProgress:
    """One module's line of progress from the records."""
    secs, sections, best, _last = rec.activity.get(m.id, (0, [], None, None))
    done = rec.completions.get(m.id)
    return ModuleProgress(m.id, m.title, m.hours, secs, len(sections), len(m.sections), best,
                          done[3] if done else None, m.hours if done else ZERO)
