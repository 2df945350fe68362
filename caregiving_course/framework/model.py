"""Immutable description of the course and its credentials, as loaded from content files."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from decimal import Decimal

TIERS = ("badge", "certificate-of-training", "college-certificate")
DELIVERIES = ("self-paced", "online", "blended", "face-to-face", "instructor-led")
EVIDENCE_KINDS = ("module", "hours", "signoff")


@dataclass(frozen=True)
class Choice:
    text: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class Question:
    id: str
    prompt: str
    choices: tuple[Choice, ...]

    @property
    def correct_index(self) -> int:
        return next(i for i, c in enumerate(self.choices) if c.correct)


@dataclass(frozen=True)
class Section:
    title: str
    markdown: str


@dataclass(frozen=True)
class Module:
    id: str
    title: str
    hours: Decimal
    outcomes: tuple[str, ...]
    sections: tuple[Section, ...]
    questions: tuple[Question, ...]
    pass_mark: float
    reflection: str
    source: str = ""


@dataclass(frozen=True)
class Component:
    """One requirement of a credential: one of our modules, or an instructor-led part."""

    id: str
    title: str
    hours: Decimal
    delivery: str
    evidence: str  # one of EVIDENCE_KINDS
    skills: tuple[str, ...] = ()  # ids: what records hold
    skill_names: tuple[str, ...] = ()  # what people read, one per skill (the content may name none)

    @property
    def is_module(self) -> bool:
        return self.evidence == "module"

    def skill_name(self, skill: str) -> str:
        """The skill's name as people read it; its id when the content names none."""
        for known, name in zip(self.skills, self.skill_names, strict=False):
            if known == skill:
                return name
        return skill


@dataclass(frozen=True)
class Credential:
    id: str
    title: str
    tier: str
    delivery: str
    credit: str
    description: str
    criteria: str
    requires: tuple[str, ...]
    components: tuple[Component, ...]
    total_hours: Decimal
    source: str = ""
    lines: dict = field(default_factory=dict, compare=False, repr=False)  # its file's line of each field

    @property
    def own_hours(self) -> Decimal:
        return sum((c.hours for c in self.components), Decimal(0))


@dataclass(frozen=True)
class Translation:
    """One language's versions of the course's modules and credentials (each may be missing: shown as written)."""

    modules: dict = field(default_factory=dict)  # module id -> Module
    credentials: dict = field(default_factory=dict)  # credential id -> Credential
    title: str = ""  # the course's title and description in this language ('' when not translated)
    description: str = ""


@dataclass(frozen=True)
class Course:
    id: str
    title: str
    description: str
    minimum_time_share: float
    modules: tuple[Module, ...]
    credentials: tuple[Credential, ...]
    path: str = ""
    version: str = "1"
    language: str = "en"  # the language the content is written in
    translations: dict = field(default_factory=dict, compare=False, repr=False)  # language -> Translation
    _modules_by_id: dict = field(default_factory=dict, compare=False, repr=False)
    _credentials_by_id: dict = field(default_factory=dict, compare=False, repr=False)
    _shown: dict = field(default_factory=dict, compare=False, repr=False)  # (credential id, language) -> shown

    def __post_init__(self) -> None:
        self._modules_by_id.update({m.id: m for m in self.modules})
        self._credentials_by_id.update({c.id: c for c in self.credentials})

    def module(self, module_id: str) -> Module:
        return self._modules_by_id[module_id]

    def localized(self, item: Module | Credential, language: str | None) -> Module | Credential:
        """The module or credential in ``language`` ('fr', 'fr-ca': its own or its base language's
        translation), else as written.

        Only the words differ (see :mod:`caregiving_course.framework.translations`): rules, records and
        grading use the item as written; pages show this.
        """
        if not language:
            return item
        language = language.lower()
        found = self.translations.get(language) or self.translations.get(language.split("-")[0])
        if found is None:
            return item
        return (found.modules if isinstance(item, Module) else found.credentials).get(item.id, item)

    def _translation(self, language: str | None) -> Translation | None:
        if not language:
            return None
        language = language.lower()
        return self.translations.get(language) or self.translations.get(language.split("-")[0])

    def language_of(self, item: Module | Credential | None, language: str | None) -> str:
        """The language ``item`` (or the course itself, for None) is shown in to a reader of ``language``:
        '' when it is shown in that language, else the language it is written in (for a ``lang`` attribute)."""
        if not language or language.split("-")[0].lower() == self.language:
            return ""
        found = self._translation(language)
        if found is not None and (found.title if item is None else (
                found.modules if isinstance(item, Module) else found.credentials).get(item.id)):
            return ""
        return self.language

    def text(self, language: str | None) -> tuple[str, str]:
        """The course's title and description in ``language`` (each as written when not translated)."""
        found = self._translation(language)
        return ((found.title or self.title, found.description or self.description) if found
                else (self.title, self.description))

    def localized_module(self, module_id: str, language: str | None) -> Module:
        """The module with this id in ``language`` (see :meth:`localized`)."""
        return self.localized(self.module(module_id), language)

    def shown(self, credential: Credential, language: str | None) -> tuple[str, tuple[Component, ...]]:
        """The credential's title and its components as people read them in ``language`` (titles and skill
        names; a module component is titled as its module), worked out once per language: a cohort's progress
        asks for them for every learner."""
        key = (credential.id, language)
        found = self._shown.get(key)
        if found is None:
            localized = self.localized(credential, language)
            found = self._shown[key] = (localized.title, tuple(
                replace(c, title=self.localized_module(c.id, language).title) if c.is_module else c
                for c in localized.components))
        return found

    def credential(self, credential_id: str) -> Credential:
        return self._credentials_by_id[credential_id]

    def has_module(self, module_id: str) -> bool:
        return module_id in self._modules_by_id

    def has_credential(self, credential_id: str) -> bool:
        return credential_id in self._credentials_by_id

    @property
    def total_hours(self) -> Decimal:
        return sum((m.hours for m in self.modules), Decimal(0))

    def minimum_seconds(self, module: Module) -> int:
        """Time on task a module needs before it can complete (its minimum share of designed hours)."""
        return _share_in_seconds(module.hours, self.minimum_time_share)


@functools.lru_cache(maxsize=256)
def _share_in_seconds(hours: Decimal, share: float) -> int:
    """(Asked on every heartbeat) ``share`` of ``hours``, in whole seconds."""
    return int(hours * 3600 * Decimal(str(share)))


@dataclass(frozen=True)
class Catalogue(Course):
    """Every course an installation serves, read as one: its modules and credentials are all its courses'
    (ids are unique across the catalogue, so a record's module or credential id names one thing). Words and the
    time-share rule come from the course that owns each module or credential."""

    courses: tuple[Course, ...] = ()
    _module_courses: dict = field(default_factory=dict, compare=False, repr=False)  # module id -> its course
    _credential_courses: dict = field(default_factory=dict, compare=False, repr=False)  # credential id -> course
    _views: dict = field(default_factory=dict, compare=False, repr=False)  # course ids -> :meth:`view`

    @classmethod
    def of(cls, courses: tuple[Course, ...], credentials: tuple[Credential, ...] | None = None) -> Catalogue:
        """The catalogue of ``courses`` (in the order given: the first is the one shown first), listing their
        credentials or those given."""
        first = courses[0] if courses else None
        if credentials is None:
            credentials = tuple(x for c in courses for x in c.credentials)
        return cls(id="catalogue", title=first.title if first else "", description="", minimum_time_share=(
            first.minimum_time_share if first else 0.5), modules=tuple(m for c in courses for m in c.modules),
            credentials=credentials, language=first.language if first else "en", courses=courses)

    def __post_init__(self) -> None:
        super().__post_init__()
        for course in self.courses:
            self._module_courses.update({m.id: course for m in course.modules})
            self._credential_courses.update({c.id: course for c in course.credentials})

    def course(self, course_id: str) -> Course:
        """The course with this id (KeyError when the catalogue has none)."""
        for course in self.courses:
            if course.id == course_id:
                return course
        raise KeyError(course_id)

    def has_course(self, course_id: str) -> bool:
        return any(course.id == course_id for course in self.courses)

    def unknown_courses(self, course_ids) -> str:
        """Why ``course_ids`` cannot all be chosen (the first id this catalogue lacks, and the ids it has), or ""."""
        unknown = [c for c in course_ids if not isinstance(c, str) or not self.has_course(c)]
        if not unknown:
            return ""
        return f"no course {unknown[0]!r} in the catalogue (known: {', '.join(c.id for c in self.courses)})"

    def course_of(self, item: Module | Credential) -> Course:
        """The course a module or a credential belongs to."""
        return (self._credential_courses if isinstance(item, Credential) else self._module_courses)[item.id]

    def module_course(self, module_id: str) -> Course:
        """The course the module with this id belongs to."""
        return self._module_courses[module_id]

    def courses_of(self, credential: Credential) -> tuple[Course, ...]:
        """The courses whose modules a credential (with the credentials it stacks on) is made of, and its own."""
        found = [self.course_of(credential)]
        pending = [credential]
        while pending:
            cred = pending.pop()
            found += [self.module_course(c.id) for c in cred.components if c.is_module]
            pending += [self.credential(r) for r in cred.requires]
        return tuple(dict.fromkeys(found))

    def view(self, course_ids) -> Catalogue:
        """The catalogue as an offering of ``course_ids`` sees it: those courses' modules and credentials listed
        (in catalogue order), with the credentials of other courses theirs stack on (the College Certificate
        needs the second course's Badge), every course's still looked up. Ids the catalogue does not hold are
        left out; no known id at all gives the whole catalogue."""
        wanted = tuple(c for c in self.courses if c.id in set(course_ids))
        if not wanted or len(wanted) == len(self.courses):
            return self
        key = tuple(c.id for c in wanted)
        found = self._views.get(key)
        if found is None:
            listed = {x.id for c in wanted for x in c.credentials}
            pending = list(listed)
            while pending:
                required = [r for r in self.credential(pending.pop()).requires if r not in listed]
                listed.update(required)
                pending += required
            found = self._views[key] = Catalogue.of(wanted, tuple(x for x in self.credentials if x.id in listed))
            found._modules_by_id.update(self._modules_by_id)
            found._credentials_by_id.update(self._credentials_by_id)
            found._module_courses.update(self._module_courses)
            found._credential_courses.update(self._credential_courses)
        return found

    def localized(self, item: Module | Credential, language: str | None) -> Module | Credential:
        return self.course_of(item).localized(item, language)

    def language_of(self, item: Module | Credential | None, language: str | None) -> str:
        return (self.courses[0] if item is None else self.course_of(item)).language_of(item, language)

    def text(self, language: str | None) -> tuple[str, str]:
        return self.courses[0].text(language)

    def minimum_seconds(self, module: Module) -> int:
        return self.course_of(module).minimum_seconds(module)
