"""The second shipped course, *Mental Health and Substance Use Support for Caregivers*: loaded from its
package folder with the framework loader, it meets the brief (issue 18, point 3) in English and French."""
from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import caregiving_course
from caregiving_course.framework import load_catalogue, load_course

COURSE_DIR = Path(caregiving_course.__file__).resolve().parent / "courses" / "mental-health-substance-use"
FIRST_COURSE_DIR = Path(caregiving_course.__file__).resolve().parent / "content"


@pytest.fixture(scope="module")
def second():
    return load_course(COURSE_DIR)


def test_it_is_a_short_self_paced_course_with_its_own_badge(second):
    assert second.id == "mental-health-substance-use"
    assert second.title == "Mental Health and Substance Use Support for Caregivers"
    assert len(second.modules) >= 4
    assert Decimal(4) <= second.total_hours <= Decimal(8)
    badges = [c for c in second.credentials if c.tier == "badge"]
    assert len(badges) == 1
    badge = badges[0]
    assert badge.delivery == "self-paced" and not badge.requires
    assert [c.id for c in badge.components] == [m.id for m in second.modules]
    assert badge.total_hours == second.total_hours <= Decimal(15)


def test_every_module_is_as_substantive_as_the_first_course(second):
    for module in second.modules:
        assert len(module.outcomes) >= 3, module.id
        assert len(module.sections) >= 3, module.id
        assert all(len(s.markdown.split()) >= 150 for s in module.sections), f"{module.id} has a thin section"
        assert len(module.questions) >= 5, module.id
        assert all(c.feedback for q in module.questions for c in q.choices), module.id
        assert all(sum(c.correct for c in q.choices) == 1 for q in module.questions), module.id
        assert module.reflection and module.hours > 0 and module.pass_mark == 0.8


def test_ontario_crisis_resources_and_scope_limits_are_taught(second):
    crisis = " ".join(s.markdown for s in second.module("crisis-support-and-escalation").sections)
    for resource in ("988", "ConnexOntario", "911", "Health811", "Mental Health Act"):
        assert resource in crisis, resource
    for module in second.modules:
        text = " ".join(s.markdown for s in module.sections).lower()
        assert "scope" in text or "not your role" in text, f"{module.id} does not name a caregiver's limits"
        french = " ".join(s.markdown for s in second.localized(module, "fr").sections).lower()
        assert "champ d'exercice" in french or "pas partie de votre rôle" in french, module.id


def test_french_translation_is_complete_and_gives_verdicts(second):
    french = second.translations["fr"]
    assert set(french.modules) == {m.id for m in second.modules}
    assert set(french.credentials) == {c.id for c in second.credentials}
    for module in second.modules:
        translated = second.localized(module, "fr-ca")
        assert translated is french.modules[module.id]
        assert translated.title != module.title and translated.sections[0].title != module.sections[0].title
        for question in translated.questions:
            for choice in question.choices:
                verdict = "Bonne réponse." if choice.correct else "Mauvaise réponse."
                assert choice.feedback.startswith(verdict), f"{module.id} {question.id}: {choice.feedback[:40]}"
    badge = french.credentials["mental-health-substance-use-badge"]
    assert badge.title.startswith("Soutien en santé mentale") and "9-8-8" in badge.description
    assert [c.title for c in badge.components] == [french.modules[m.id].title for m in second.modules]


def test_it_can_share_a_catalogue_with_the_first_course(second):
    first = load_catalogue([FIRST_COURSE_DIR, COURSE_DIR]).course("professional-practice-in-caregiving")
    assert second.id != first.id
    assert not {m.id for m in second.modules} & {m.id for m in first.modules}
    assert not {c.id for c in second.credentials} & {c.id for c in first.credentials}


def test_course_check_says_ok_in_both_languages():
    env = {**os.environ, "COLUMNS": "200"}
    result = subprocess.run([sys.executable, "-m", "caregiving_course.cli.main", "course", "check", str(COURSE_DIR)],
                            env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    assert "Translation fr: 4 of 4 modules, 1 of 1 credentials" in result.stdout
    assert "shown as written" not in result.stdout
    assert "every tier rule holds" in result.stdout
