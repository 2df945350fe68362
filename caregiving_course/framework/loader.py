"""Reads a content folder (course.yaml, modules/*.md, credentials/*.yaml) into a :class:`Course`."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

import yaml

from caregiving_course.framework.errors import ContentError, ContentErrors
from caregiving_course.framework.model import (
    DELIVERIES,
    TIERS,
    Catalogue,
    Choice,
    Component,
    Course,
    Credential,
    Module,
    Question,
    Section,
    Translation,
)
from caregiving_course.framework.tiers import check_credentials
from caregiving_course.framework.translations import LANGUAGE_PATTERN, credential_mismatch, mismatch

SHIPPED_CONTENT = Path(__file__).resolve().parent.parent / "content"  # the course the package ships
T = TypeVar("T")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
MAX_FILE_BYTES = 512 * 1024
MAX_HOURS = Decimal(2000)
MIN_SECTIONS = 3
MIN_QUESTIONS = 5
VERSION_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,31}$")
COURSE_FIELDS = frozenset({"id", "version", "title", "description", "minimum_time_share", "pass_mark", "modules"})
MODULE_FIELDS = frozenset({"id", "title", "hours", "outcomes", "knowledge_check", "reflection"})
CHECK_FIELDS = frozenset({"questions", "pass_mark"})
QUESTION_FIELDS = frozenset({"id", "prompt", "choices"})
CHOICE_FIELDS = frozenset({"text", "correct", "feedback"})
CREDENTIAL_FIELDS = frozenset({"id", "title", "tier", "delivery", "credit", "description", "criteria", "requires",
                               "components"})
MODULE_COMPONENT_FIELDS = frozenset({"module"})
COMPONENT_FIELDS = frozenset({"id", "title", "hours", "delivery", "evidence", "skills"})
FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n(.*)\Z", re.S)


def _read(path: Path, root: Path) -> str:
    name = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ContentError(name, "file", f"is larger than {MAX_FILE_BYTES // 1024} KiB")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError(name, "file", "is not UTF-8 text") from exc


class _Mapping(dict):
    """A YAML mapping that remembers the line (in its file) of each key."""

    lines: dict[Any, int]


class _LineLoader(yaml.SafeLoader):
    """PyYAML's safe loader, building :class:`_Mapping` objects; ``first_line`` is the file's line of the text's
    first line (a module's front matter starts on line 2)."""

    first_line = 1

    def construct_lined_mapping(self, node: yaml.MappingNode) -> _Mapping:
        mapping = _Mapping(self.construct_mapping(node, deep=True))
        mapping.lines = {self.construct_object(key, deep=True): key.start_mark.line + self.first_line
                         for key, _ in node.value if isinstance(key, yaml.ScalarNode)}
        return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LineLoader.construct_lined_mapping)


def _yaml(text: str, file: str, item: str, first_line: int = 1) -> Any:
    loader = _LineLoader(text)
    loader.first_line = first_line
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + first_line}" if mark else ""
        raise ContentError(file, item, f"is not valid YAML{where}") from None
    finally:
        loader.dispose()


class _Fields:
    """Typed access to one YAML mapping, raising ContentError that names file and item."""

    def __init__(self, data: Any, file: str, item: str, allowed: frozenset[str] | None = None) -> None:
        if not isinstance(data, dict):
            raise ContentError(file, item, "must be a mapping of fields")
        self.data, self.file, self.item = data, file, item
        self.lines: dict[Any, int] = getattr(data, "lines", {})
        if allowed is not None:
            self.only(allowed)

    def fail(self, rule: str, key: str | None = None) -> ContentError:
        """The error for ``rule``, with the line of ``key`` (else of the item's first field) when the file gave it."""
        line = self.lines.get(key) if key is not None else None
        line = line or min(self.lines.values(), default=None)  # else where the item starts
        return ContentError(self.file, self.item, f"{rule} (line {line})" if line else rule)

    def only(self, allowed: frozenset[str]) -> None:
        """Refuse a field this item does not have (a misspelt or misplaced key would otherwise pass unread)."""
        errors = [self.fail(f"unknown field '{key}' (this item has: {', '.join(sorted(allowed))})", key)
                  for key in self.data if key not in allowed]
        if errors:
            raise _one_or_all(errors)

    def text(self, key: str, required: bool = True, default: str = "") -> str:
        value = self.data.get(key, None)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise self.fail(f"field '{key}' is required", key)
            return default
        if not isinstance(value, (str, int, float)):
            raise self.fail(f"field '{key}' must be text", key)
        return str(value).strip()

    def ident(self, key: str = "id") -> str:
        value = self.text(key)
        if not ID_PATTERN.match(value):
            raise self.fail(f"'{key}' must be lowercase letters, digits and hyphens (got {value!r})", key)
        return value

    def hours(self, key: str = "hours") -> Decimal:
        raw = self.data.get(key)
        if isinstance(raw, bool) or raw is None:
            raise self.fail(f"field '{key}' must be a number of hours", key)
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            raise self.fail(f"field '{key}' must be a number of hours (got {raw!r})", key) from None
        if not value.is_finite() or value <= 0:
            raise self.fail(f"hours must be positive (got {raw})", key)
        if value > MAX_HOURS:
            raise self.fail(f"hours must be at most {MAX_HOURS} (got {raw})", key)
        return value

    def share(self, key: str, default: float) -> float:
        raw = self.data.get(key, default)
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not 0 < raw <= 1:
            raise self.fail(f"'{key}' must be a number above 0 and at most 1 (got {raw!r})", key)
        return float(raw)

    def items(self, key: str, required: bool = True) -> list:
        value = self.data.get(key)
        if value is None and not required:
            return []
        if not isinstance(value, list) or (required and not value):
            raise self.fail(f"field '{key}' must be a non-empty list", key)
        return value

    def choice(self, key: str, allowed: tuple[str, ...], default: str | None = None) -> str:
        value = self.text(key, required=default is None, default=default or "")
        if value not in allowed:
            raise self.fail(f"'{key}' must be one of {', '.join(allowed)} (got {value!r})", key)
        return value


def _sections(body: str, file: str, item: str, first_line: int) -> tuple[Section, ...]:
    """The ``## `` sections of a module's body, which starts at ``first_line`` of its file."""
    parts = re.split(r"^## +(.+?)\s*$", body, flags=re.M)
    sections = []
    line = first_line + parts[0].count("\n")
    for title, text in zip(parts[1::2], parts[2::2], strict=True):
        if not text.strip():
            raise ContentError(file, item, f"section '{title}' has no text (line {line})")
        sections.append(Section(title=title.strip(), markdown=text.strip()))
        line += text.count("\n")
    if len(sections) < MIN_SECTIONS:
        raise ContentError(file, item, f"needs at least {MIN_SECTIONS} sections ('## ' headings), has "
                                       f"{len(sections)} (line {first_line})")
    return tuple(sections)


def _question(data: Any, file: str, module_id: str, index: int) -> Question:
    f = _Fields(data, file, f"module {module_id} question {index + 1}", QUESTION_FIELDS)
    choices = []
    for c in f.items("choices"):
        cf = _Fields(c, file, f.item, CHOICE_FIELDS)
        correct = cf.data.get("correct", False)
        if not isinstance(correct, bool):
            raise cf.fail("'correct' must be true or false")
        choices.append(Choice(text=cf.text("text"), correct=correct, feedback=cf.text("feedback")))
    if not 2 <= len(choices) <= 6:
        raise f.fail(f"needs 2 to 6 choices, has {len(choices)}")
    if sum(c.correct for c in choices) != 1:
        raise f.fail("must have exactly one correct choice")
    return Question(id=f.ident(), prompt=f.text("prompt"), choices=tuple(choices))


def load_module(path: Path, root: Path, default_pass_mark: float) -> Module:
    """One module file; every rule it breaks is raised together (:class:`ContentErrors` when several)."""
    file = str(path.relative_to(root))
    match = FRONT_MATTER.match(_read(path, root))
    if not match:
        raise ContentError(file, "module", "must start with YAML front matter between '---' lines (line 1)")
    f = _Fields(_yaml(match.group(1), file, "front matter", first_line=2), file, "module")
    module_id = f.ident()
    f.item = f"module {module_id}"
    errors: list[ContentError] = []
    _collect(errors, lambda: f.only(MODULE_FIELDS))
    check = _collect(errors, lambda: _Fields(f.data.get("knowledge_check"), file, f"module {module_id} knowledge_check",
                                             CHECK_FIELDS))
    questions = _collect(errors, lambda: _questions(check, file, module_id)) if check else None
    fields = {key: _collect(errors, work) for key, work in (
        ("title", lambda: f.text("title")), ("hours", f.hours),
        ("outcomes", lambda: tuple(str(o).strip() for o in f.items("outcomes") if str(o).strip())),
        ("sections", lambda: _sections(match.group(2), file, f.item,
                                       match.group(0)[:match.start(2)].count("\n") + 1)),
        ("pass_mark", lambda: check.share("pass_mark", default_pass_mark) if check else None),
        ("reflection", lambda: f.text("reflection")))}
    if errors:
        raise _one_or_all(errors)
    return Module(id=module_id, questions=questions, source=file, **fields)


def _questions(check: _Fields, file: str, module_id: str) -> tuple[Question, ...]:
    """A knowledge check's questions, every broken one reported."""
    errors: list[ContentError] = []
    questions = [_collect(errors, lambda i=i, q=q: _question(q, file, module_id, i))
                 for i, q in enumerate(check.items("questions"))]
    if len(questions) < MIN_QUESTIONS:
        errors.append(check.fail(f"needs at least {MIN_QUESTIONS} questions, has {len(questions)}", "questions"))
    ids = [q.id for q in questions if q]
    if len(set(ids)) != len(ids):
        errors.append(check.fail("question ids must be unique", "questions"))
    if errors:
        raise _one_or_all(errors)
    return tuple(questions)


def _one_or_all(errors: list[ContentError]) -> ContentError:
    """The error to raise for ``errors``: the one, or all of them."""
    return errors[0] if len(errors) == 1 else ContentErrors(errors)


def _component(data: Any, file: str, cred_id: str, modules: dict[str, Module]) -> Component:
    f = _Fields(data, file, f"credential {cred_id} component")
    if isinstance(data, dict) and "module" in data:
        f.only(MODULE_COMPONENT_FIELDS)
        module_id = f.text("module")
        if module_id not in modules:
            raise f.fail(f"component refers to unknown module '{module_id}'", "module")
        m = modules[module_id]
        return Component(id=m.id, title=m.title, hours=m.hours, delivery="self-paced", evidence="module")
    f.only(COMPONENT_FIELDS)
    evidence = f.choice("evidence", ("hours", "signoff"))
    skills, names = _skills(f) if evidence == "signoff" else ((), ())
    return Component(
        id=f.ident(), title=f.text("title"), hours=f.hours(),
        delivery=f.choice("delivery", DELIVERIES), evidence=evidence, skills=skills, skill_names=names,
    )


def _skills(f: _Fields) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A sign-off component's skills: ids and names from a mapping ``id: name`` (or bare ids in a list, then
    people read the ids)."""
    value = f.data.get("skills")
    if isinstance(value, list) and value:
        ids, names = [str(s) for s in value], []
    elif isinstance(value, dict) and value:
        ids, names = [str(s) for s in value], list(value.values())
        if not all(isinstance(n, str) and n.strip() for n in names):
            raise f.fail("each skill's name must be text", "skills")
    else:
        raise f.fail("field 'skills' must map each skill's id to its name", "skills")
    bad = [s for s in ids if not ID_PATTERN.match(s)]
    if bad:
        raise f.fail(f"skill ids must be lowercase letters, digits and hyphens (got {bad[0]!r})", "skills")
    if len(set(ids)) != len(ids):
        raise f.fail("a skill is listed twice", "skills")
    return tuple(ids), tuple(" ".join(n.split()) for n in names)


def load_credential(path: Path, root: Path, modules: dict[str, Module], *, strict: bool = True) -> Credential:
    """One credential file; every rule it breaks is raised together. With ``strict`` False (some module file is
    broken), a component naming a module that did not load is left out instead of refused, so only the
    credential's own mistakes are reported."""
    file = str(path.relative_to(root))
    f = _Fields(_yaml(_read(path, root), file, "credential"), file, "credential")
    cred_id = f.ident()
    f.item = f"credential {cred_id}"
    errors: list[ContentError] = []
    _collect(errors, lambda: f.only(CREDENTIAL_FIELDS))
    listed = _collect(errors, lambda: f.items("components")) or []
    components = [_collect(errors, lambda c=c: _component(c, file, cred_id, modules)) for c in listed
                  if strict or not (isinstance(c, dict) and "module" in c and str(c["module"]) not in modules)]
    ids = [c.id for c in components if c]
    if len(set(ids)) != len(ids):
        errors.append(f.fail("components must not repeat", "components"))
    fields = {key: _collect(errors, work) for key, work in (
        ("title", lambda: f.text("title")), ("tier", lambda: f.choice("tier", TIERS)),
        ("delivery", lambda: f.choice("delivery", DELIVERIES)),
        ("credit", lambda: f.choice("credit", ("credit", "non-credit"))),
        ("description", lambda: f.text("description")), ("criteria", lambda: f.text("criteria")),
        ("requires", lambda: tuple(str(r) for r in f.items("requires", required=False))))}
    if errors:
        raise _one_or_all(errors)
    return Credential(id=cred_id, components=tuple(components), total_hours=Decimal(0), source=file,
                      lines=dict(f.lines), **fields)


@dataclass
class _Draft:
    """One course folder read so far: its course.yaml fields and modules, its credentials once read."""

    root: Path
    fields: _Fields | None
    pass_mark: float
    modules: dict[str, Module]
    whole: bool  # every module file loaded
    order: list[str] | None = None
    credentials: dict[str, Credential] = dataclass_field(default_factory=dict)


def _read_course(root: Path, errors: list[ContentError]) -> _Draft | None:
    """course.yaml and the module files of ``root``, their errors added to ``errors``."""
    course_file = root / "course.yaml"
    if not course_file.is_file():
        errors.append(ContentError(str(root), "course", "has no course.yaml"))
        return None
    count = len(errors)
    f = _collect(errors, lambda: _Fields(_yaml(_read(course_file, root), "course.yaml", "course"), "course.yaml",
                                         "course", COURSE_FIELDS))
    pass_mark = (_collect(errors, lambda: f.share("pass_mark", 0.8)) if f else None) or 0.8
    modules: dict[str, Module] = {}
    for module_path in sorted((root / "modules").glob("*.md")):
        module = _collect(errors, lambda p=module_path: load_module(p, root, pass_mark))
        if module and module.id in modules:
            errors.append(ContentError(module.source, f"module {module.id}",
                                       f"duplicate module id (also in {modules[module.id].source})"))
        elif module:
            modules[module.id] = module
    draft = _Draft(root, f, pass_mark, modules, whole=len(errors) == count)
    draft.order = _collect(errors, lambda: _module_order(f, modules, draft.whole)) if f else None
    return draft


def _read_credentials(draft: _Draft, modules: dict[str, Module], strict: bool, errors: list[ContentError]) -> None:
    """The credential files of ``draft``, their module components found among ``modules`` (every course's)."""
    for cred_path in sorted((draft.root / "credentials").glob("*.yaml")):
        cred = _collect(errors, lambda p=cred_path: load_credential(p, draft.root, modules, strict=strict))
        if cred and cred.id in draft.credentials:
            errors.append(ContentError(cred.source, f"credential {cred.id}",
                                       f"duplicate credential id (also in {draft.credentials[cred.id].source})"))
        elif cred:
            draft.credentials[cred.id] = cred


def _placed(errors: list[ContentError], root: Path) -> list[ContentError]:
    """``errors`` with their files named from the course folder ``root`` (several courses load together)."""
    return [ContentError(e.file if Path(e.file).is_absolute() else f"{root}/{e.file}", e.item, e.rule)
            for e in errors]


def _unique(drafts: list[_Draft], kind: str, errors: list[ContentError]) -> dict:
    """Every course's modules (or credentials) by id; an id two courses use is an error."""
    found: dict = {}
    owner: dict[str, Path] = {}
    for draft in drafts:
        for item_id, item in getattr(draft, kind).items():
            if item_id in found:
                errors.append(ContentError(f"{draft.root}/{item.source}", f"{kind[:-1]} {item_id}",
                                           f"id already used by the course in {owner[item_id]}"))
            else:
                found[item_id], owner[item_id] = item, draft.root
    return found


def load_catalogue(paths: list[str | Path]) -> Catalogue:
    """Load and validate several course folders as one catalogue: module and credential ids are unique across
    it, a credential may be made of modules and credentials of any of its courses, and the tier rules are
    checked across all of them. Raises :class:`ContentError` (:class:`ContentErrors` when there are several)
    naming every file, line and rule broken."""
    roots = [Path(p) for p in paths]
    several = len(roots) > 1
    errors: list[ContentError] = []
    drafts: list[_Draft] = []
    for root in roots:
        own: list[ContentError] = []
        draft = _read_course(root, own)
        errors.extend(_placed(own, root) if several else own)
        if draft:
            drafts.append(draft)
    modules = _unique(drafts, "modules", errors)
    strict = not errors
    for draft in drafts:
        own = []
        _read_credentials(draft, modules, strict, own)
        errors.extend(_placed(own, draft.root) if several else own)
    credentials = _unique(drafts, "credentials", errors)
    checked = None
    if not errors:
        own = []
        checked = _collect(own, lambda: check_credentials(credentials))
        for error in own:
            owner = next((d.root for d in drafts if error.item.split()[-1] in d.credentials), None)
            errors.extend(_placed([error], owner) if several and owner else [error])
    courses = []
    for draft in drafts if checked else []:
        own = []
        course = _collect(own, lambda d=draft: _course(d, checked))
        errors.extend(_placed(own, draft.root) if several else own)
        courses.append(course)
    owners: dict[str, str] = {}
    for course in courses:
        if course and course.id in owners:
            errors.append(ContentError(f"{course.path}/course.yaml", f"course {course.id}",
                                       f"id already used by the course in {owners[course.id]}"))
        elif course:
            owners[course.id] = course.path
    if errors:
        raise errors[0] if len(errors) == 1 else ContentErrors(errors)
    return Catalogue.of(tuple(courses))


def _course(draft: _Draft, checked: dict[str, Credential]) -> Course:
    """The :class:`Course` of a draft whose files all loaded, with its translations."""
    errors: list[ContentError] = []
    f = draft.fields
    own = {cred_id: checked[cred_id] for cred_id in draft.credentials}
    translations = _collect(errors, lambda: load_translations(draft.root, draft.modules, own, draft.pass_mark))
    fields = _collect(errors, lambda: (f.ident(), f.text("title"), f.text("description", required=False),
                                       f.share("minimum_time_share", 0.5), _version(f)))
    if errors:
        raise errors[0] if len(errors) == 1 else ContentErrors(errors)
    course_id, title, description, share, version = fields
    return Course(
        id=course_id, title=title, description=description, minimum_time_share=share, version=version,
        modules=tuple(draft.modules[m] for m in draft.order), credentials=tuple(own.values()),
        path=str(draft.root), translations=translations,
    )


def _version(f: _Fields) -> str:
    """The course's version (``version:`` in course.yaml, default "1"): letters, digits, dots and hyphens."""
    raw = f.data.get("version", "1")
    value = str(raw).strip() if isinstance(raw, (str, int, float)) and not isinstance(raw, bool) else ""
    if not VERSION_PATTERN.match(value):
        raise f.fail(f"'version' must be letters, digits, dots and hyphens such as 1.2.0 (got {raw!r})", "version")
    return value


def load_course(path: str | Path) -> Course:
    """Load and validate one content folder on its own; raise :class:`ContentError` (:class:`ContentErrors` when
    there are several) naming every file, item and rule broken, each file checked even when another is broken."""
    return load_catalogue([path]).courses[0]


def _collect(errors: list[ContentError], work: Callable[[], T]) -> T | None:
    """``work()``, or None with its ContentError(s) added to ``errors``."""
    try:
        return work()
    except ContentErrors as exc:
        errors.extend(exc.errors)
    except ContentError as exc:
        errors.append(exc)
    return None


def _module_order(f: _Fields, modules: dict[str, Module], complete: bool) -> list[str]:
    """The module ids course.yaml lists, checked against the module files (unlisted ones only when every module
    file loaded)."""
    order = [str(m) for m in f.items("modules")]
    for module_id in order:
        if module_id not in modules and complete:
            raise f.fail(f"lists module '{module_id}' but no file in modules/ defines it", "modules")
    if len(set(order)) != len(order):
        raise f.fail("lists a module twice", "modules")
    unlisted = sorted(set(modules) - set(order))
    if unlisted:
        raise f.fail(f"does not list module(s) {', '.join(unlisted)}", "modules")
    return order


def load_translations(root: Path, modules: dict[str, Module],
                      credentials: dict[str, Credential], pass_mark: float) -> dict[str, Translation]:
    """{language: Translation} from ``root/translations/<language>/``: ``modules/*.md`` and
    ``credentials/*.yaml``, each checked against what it translates (see :mod:`translations`)."""
    found: dict[str, Translation] = {}
    errors: list[ContentError] = []
    folder = root / "translations"
    for language_dir in sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []:
        language = language_dir.name
        if not LANGUAGE_PATTERN.match(language):
            errors.append(ContentError(str(language_dir.relative_to(root)), "translation",
                                       "folder must be named by a language code such as 'fr' or 'fr-ca'"))
            continue
        translated = _translated_modules(root, language_dir, modules, pass_mark, errors)
        titles = {m.id: m.title for m in translated.values()}
        found[language] = Translation(translated, _translated_credentials(root, language_dir, credentials, titles,
                                                                          errors),
                                      **(_collect(errors, lambda d=language_dir: _translated_course(root, d)) or {}))
    if errors:
        raise errors[0] if len(errors) == 1 else ContentErrors(errors)
    return found


def _translated_course(root: Path, language_dir: Path) -> dict:
    """The course's own title and description from ``course.yaml`` in the language's folder (optional)."""
    path = language_dir / "course.yaml"
    if not path.is_file():
        return {}
    file = str(path.relative_to(root))
    f = _Fields(_yaml(_read(path, root), file, "course translation"), file, "course translation")
    unknown = sorted(set(f.data) - {"id", "title", "description"})
    if unknown:
        raise f.fail(f"may only give id, title and description (not {', '.join(map(str, unknown))})")
    return {"title": f.text("title"), "description": f.text("description", required=False)}


def _translated_modules(root: Path, language_dir: Path, modules: dict[str, Module],
                        pass_mark: float, errors: list[ContentError]) -> dict[str, Module]:
    translated: dict[str, Module] = {}
    for path in sorted((language_dir / "modules").glob("*.md")):
        module = _collect(errors, lambda p=path: load_module(p, root, pass_mark))
        if module is None:
            continue
        item = f"module {module.id} ({language_dir.name})"
        original = modules.get(module.id)
        if original is None:
            problem = "translates no module of the course (unknown id)"
        elif module.id in translated:
            problem = f"duplicate translation (also in {translated[module.id].source})"
        else:
            difference = mismatch(module, original)
            problem = f"{difference} ({original.source})" if difference else ""
        if problem:
            errors.append(ContentError(module.source, item, problem))
        else:
            translated[module.id] = module
    return translated


def _translated_credentials(root: Path, language_dir: Path, credentials: dict[str, Credential],
                            module_titles: dict[str, str], errors: list[ContentError]) -> dict[str, Credential]:
    translated: dict[str, Credential] = {}
    for path in sorted((language_dir / "credentials").glob("*.yaml")):
        cred = _collect(errors, lambda p=path: _translated_credential(root, p, credentials, module_titles,
                                                                      language_dir.name))
        if cred and cred.id in translated:
            errors.append(ContentError(cred.source, f"credential {cred.id} ({language_dir.name})",
                                       f"duplicate translation (also in {translated[cred.id].source})"))
        elif cred:
            translated[cred.id] = cred
    return translated


def _translated_credential(root: Path, path: Path, credentials: dict[str, Credential],
                           module_titles: dict[str, str], language: str) -> Credential:
    """The credential with the file's words; its module components titled as their translated modules."""
    file = str(path.relative_to(root))
    f = _Fields(_yaml(_read(path, root), file, "credential translation"), file, "credential translation")
    cred_id = f.ident()
    f.item = f"credential {cred_id} ({language})"
    original = credentials.get(cred_id)
    if original is None:
        raise f.fail("translates no credential of the course (unknown id)")
    problem = credential_mismatch(f.data, original)
    if problem:
        raise f.fail(f"{problem} ({original.source})")
    titles = {**module_titles, **{k: str(v).strip() for k, v in (f.data.get("components") or {}).items()}}
    names = {k: " ".join(str(v).split()) for k, v in (f.data.get("skills") or {}).items()}
    return replace(original, title=f.text("title"), description=f.text("description"), criteria=f.text("criteria"),
                   components=tuple(replace(c, title=titles.get(c.id, c.title),
                                            skill_names=tuple(names.get(s) or c.skill_name(s) for s in c.skills))
                                    for c in original.components),
                   source=file)
