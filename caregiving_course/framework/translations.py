"""The rules for translations (``translations/<language>/modules/*.md`` and ``credentials/*.yaml``,
read by :mod:`loader`).

A translated module is a module file in another language. It must mirror the module it translates in
everything the rules and the learner record depend on: the same id, designed hours and pass mark,
the same number of outcomes and sections, the same questions (ids, number of choices, and which
choice is correct), so a learner's record, score and completion mean the same in every language.
A translated credential gives only words: its title, description and criteria, the titles of its
own instructor-led components (by id, every one of them) and, if it names any, the names of the skills
its sign-off components list (by id, every one of them). Anything without a translation is shown in the
course's own language.
"""
from __future__ import annotations

import re

from caregiving_course.framework.model import Credential, Module

LANGUAGE_PATTERN = re.compile(r"^[a-z]{2}(-[a-z]{2,4})?$")


def mismatch(translation: Module, original: Module) -> str:
    """What the translation changes besides words, as a rule a designer can act on ('' when nothing)."""
    if translation.hours != original.hours:
        return f"designed hours {translation.hours} differ from the original's {original.hours}"
    if translation.pass_mark != original.pass_mark:
        return f"pass mark {translation.pass_mark} differs from the original's {original.pass_mark}"
    for what, ours, theirs in (("outcomes", translation.outcomes, original.outcomes),
                               ("sections", translation.sections, original.sections),
                               ("questions", translation.questions, original.questions)):
        if len(ours) != len(theirs):
            return f"has {len(ours)} {what}, the original has {len(theirs)}"
    for number, (ours, theirs) in enumerate(zip(translation.questions, original.questions, strict=True), 1):
        if ours.id != theirs.id:
            return f"question {number} is '{ours.id}', the original's is '{theirs.id}'"
        if [c.correct for c in ours.choices] != [c.correct for c in theirs.choices]:
            return f"question '{ours.id}' has other choices, or another correct choice, than the original"
    return ""


CREDENTIAL_FIELDS = {"id", "title", "description", "criteria", "components", "skills"}


def credential_mismatch(fields: dict, original: Credential) -> str:
    """What a credential translation's fields get wrong, as a rule a designer can act on ('' when nothing)."""
    unknown = sorted(set(fields) - CREDENTIAL_FIELDS)
    if unknown:
        return f"may only give {', '.join(sorted(CREDENTIAL_FIELDS))} (not {', '.join(unknown)})"
    titles = fields.get("components") or {}
    if not isinstance(titles, dict):
        return "'components' must map each instructor-led component's id to its title"
    own = [c.id for c in original.components if not c.is_module]
    if sorted(titles) != sorted(own):
        return (f"'components' must title exactly its instructor-led components ({', '.join(own) or 'none'}), "
                f"not {', '.join(sorted(titles)) or 'none'}")
    if not all(isinstance(t, str) and t.strip() for t in titles.values()):
        return "each component title must be text"
    return _skills_mismatch(fields.get("skills"), original)


def _skills_mismatch(names, original: Credential) -> str:
    if names is None:
        return ""
    if not isinstance(names, dict):
        return "'skills' must map each skill's id to its name"
    skills = [s for c in original.components for s in c.skills]
    if sorted(names) != sorted(skills):
        return (f"'skills' must name exactly the skills of its sign-off components ({', '.join(skills) or 'none'}), "
                f"not {', '.join(sorted(map(str, names))) or 'none'}")
    if not all(isinstance(n, str) and n.strip() for n in names.values()):
        return "each skill's name must be text"
    return ""
