"""The rule for translated modules (``translations/<language>/modules/*.md``, read by :mod:`loader`).

A translation is a module file in another language. It must mirror the module it translates in
everything the rules and the learner record depend on: the same id, designed hours and pass mark,
the same number of outcomes and sections, the same questions (ids, number of choices, and which
choice is correct), so a learner's record, score and completion mean the same in every language.
Only the words differ. A module without a translation is shown in the course's own language.
"""
from __future__ import annotations

import re

from caregiving_course.framework.model import Module

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
