"""The course content and the credential framework's load-time rules."""
from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from caregiving_course.framework import ContentError, load_course
from caregiving_course.framework.rendering import render_markdown

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
REQUIRED_TOPICS = ["caregiver-role", "person-centred-communication", "safety-and-infection-prevention",
                   "daily-living-support", "mental-health-and-addictions", "dementia-and-cognitive-change",
                   "ethics-privacy-documentation", "caregiver-well-being"]


def test_built_in_course_meets_the_brief(course):
    course = course.course("professional-practice-in-caregiving")
    assert [m.id for m in course.modules] == REQUIRED_TOPICS
    for module in course.modules:
        assert len(module.outcomes) >= 3, module.id
        assert len(module.sections) >= 3, module.id
        assert all(len(s.markdown.split()) >= 150 for s in module.sections), f"{module.id} has a thin section"
        assert len(module.questions) >= 5, module.id
        assert all(c.feedback for q in module.questions for c in q.choices), module.id
        assert module.reflection and module.hours > 0
    assert "PHIPA" in " ".join(s.markdown for s in course.module("ethics-privacy-documentation").sections)


def test_credentials_stack_across_the_three_tiers_and_two_courses(course):
    first, second = course.course("professional-practice-in-caregiving"), course.course("mental-health-substance-use")
    tiers = {c.tier: c for c in first.credentials}
    badge, cot, college = tiers["badge"], tiers["certificate-of-training"], tiers["college-certificate"]
    assert badge.total_hours == first.total_hours <= Decimal(15)
    assert badge.id in cot.requires and cot.total_hours <= 100 and cot.delivery == "instructor-led"
    assert cot.id in college.requires and college.total_hours >= 100 and college.delivery == "instructor-led"
    (other_badge,) = second.credentials
    assert other_badge.id in college.requires and course.course_of(other_badge) == second
    assert college.total_hours == college.own_hours + cot.total_hours + other_badge.total_hours
    assert course.courses_of(college) == (first, second)


@pytest.mark.parametrize(("folder", "item", "rule"), [
    ("badge-20-hours", "credential", "a Badge is at most 15 hours"),
    ("self-paced-certificate", "credential", "must be instructor-led"),
    ("college-60-hours", "credential", "a College Certificate is at least 100 hours"),
    ("stacks-itself", "credential", "stacks on itself"),
    ("duplicate-module-id", "module", "duplicate module id"),
    ("negative-hours", "module", "hours must be positive"),
    ("malformed-yaml", "", "not valid YAML"),
    ("two-correct-answers", "question", "exactly one correct choice"),
])
def test_broken_content_is_rejected_naming_file_item_and_rule(folder, item, rule):
    with pytest.raises(ContentError) as caught:
        load_course(FIXTURES / "bad_content" / folder)
    message = str(caught.value)
    assert rule in message
    assert item in message
    assert caught.value.file.endswith((".md", ".yaml")), message


def test_small_valid_folder_loads():
    course = load_course(FIXTURES / "good_small")
    assert len(course.modules) == 2 and course.credentials


def _copy_small(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(FIXTURES / "good_small", target)
    return target


def test_oversized_and_binary_files_are_refused(tmp_path):
    root = _copy_small(tmp_path)
    module = sorted((root / "modules").glob("*.md"))[0]
    module.write_bytes(b"---\nid: x\n---\n" + b"a" * (600 * 1024))
    with pytest.raises(ContentError, match="larger than"):
        load_course(root)
    module.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ContentError, match="not UTF-8"):
        load_course(root)


def test_yaml_tags_that_build_objects_are_refused(tmp_path):
    root = _copy_small(tmp_path)
    (root / "course.yaml").write_text("!!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(ContentError, match="not valid YAML"):
        load_course(root)


def test_unknown_module_in_a_credential_is_named(tmp_path):
    root = _copy_small(tmp_path)
    cred = sorted((root / "credentials").glob("*.yaml"))[0]
    cred.write_text(cred.read_text() + "  - module: no-such-module\n")
    with pytest.raises(ContentError, match="unknown module 'no-such-module'"):
        load_course(root)


def test_authored_html_is_sanitised():
    html = render_markdown('Hello <script>alert(1)</script> <img src=x onerror=alert(2)> '
                           '[link](javascript:alert(3)) <a href="https://example.org" onclick="x()">ok</a>')
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html and "onclick" not in html
    assert 'href="https://example.org"' in html


SIGNOFF = """  - id: skills-check
    title: Skills check
    hours: 1
    delivery: instructor-led
    evidence: signoff
    skills:{skills}
"""


def _with_skills(tmp_path: Path, skills: str) -> Path:
    """The small course whose badge also has a sign-off component listing ``skills`` (YAML after 'skills:')."""
    root = _copy_small(tmp_path)
    cred = root / "credentials" / "fixture-badge.yaml"
    cred.write_text(cred.read_text() + SIGNOFF.format(skills=skills))
    return root


def test_sign_off_skills_are_named_and_recorded_by_id(tmp_path):
    skills = "\n      hand-hygiene: Hand hygiene\n      bed-bath: '  Bed\n        bath'"
    named = load_course(_with_skills(tmp_path / "a", skills))
    component = named.credentials[0].components[-1]
    assert component.skills == ("hand-hygiene", "bed-bath") and component.skill_names == ("Hand hygiene", "Bed bath")
    assert component.skill_name("bed-bath") == "Bed bath" and component.skill_name("no-such") == "no-such"
    listed = load_course(_with_skills(tmp_path / "b", " [hand-hygiene, bed-bath]")).credentials[0].components[-1]
    assert listed.skills == ("hand-hygiene", "bed-bath") and listed.skill_name("bed-bath") == "bed-bath"


@pytest.mark.parametrize(("skills", "rule"), [
    ("\n      Hand Hygiene: Hand hygiene",
     "skill ids must be lowercase letters, digits and hyphens (got 'Hand Hygiene')"),
    ("\n      hand-hygiene: [not, text]", "each skill's name must be text"),
    ("\n      hand-hygiene: ''", "each skill's name must be text"),
    (" [hand-hygiene, hand-hygiene]", "a skill is listed twice"),
    (" {}", "field 'skills' must map each skill's id to its name"),
    (" hand-hygiene", "field 'skills' must map each skill's id to its name"),
])
def test_badly_listed_skills_are_refused(tmp_path, skills, rule):
    with pytest.raises(ContentError) as caught:
        load_course(_with_skills(tmp_path, skills))
    skills_line = _line_of(tmp_path / "content" / "credentials" / "fixture-badge.yaml", "    skills:")
    assert caught.value.file == "credentials/fixture-badge.yaml"
    assert caught.value.rule == f"{rule} (line {skills_line})"


def _broken_copy(tmp_path: Path) -> Path:
    """The small valid course with two broken module files and a credential carrying an unknown key."""
    root = tmp_path / "content"
    shutil.copytree(FIXTURES / "good_small", root)
    first, second = sorted((root / "modules").glob("*.md"))
    first.write_text(first.read_text().replace("hours: 1\n", "hours: -1\n"))
    second.write_text(second.read_text().replace("title:", "title: Safe: moving\ntitle:", 1))
    badge = root / "credentials" / "fixture-badge.yaml"
    badge.write_text(badge.read_text().replace("credit: non-credit\n", "credit: non-credit\nhours: 20\n"))
    return root


def _line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if line.startswith(text))


def test_every_broken_file_is_reported_in_one_run_with_the_files_line_numbers(tmp_path):
    from caregiving_course.framework.errors import ContentErrors

    root = _broken_copy(tmp_path)
    with pytest.raises(ContentErrors) as caught:
        load_course(root)
    errors = {e.file: str(e) for e in caught.value.errors}
    first, second = sorted((root / "modules").glob("*.md"))
    badge = root / "credentials" / "fixture-badge.yaml"
    assert set(errors) == {f"modules/{first.name}", f"modules/{second.name}", "credentials/fixture-badge.yaml"}
    assert f"hours must be positive (got -1) (line {_line_of(first, 'hours:')})" in errors[f"modules/{first.name}"]
    assert "not valid YAML at line" in errors[f"modules/{second.name}"]
    bad_line = int(errors[f"modules/{second.name}"].split("at line ")[1].split()[0])
    assert second.read_text().splitlines()[bad_line - 1] == "title: Safe: moving"  # the file's own count
    assert (f"credential fixture-badge: unknown field 'hours' (this item has: components, credit, criteria, "
            f"delivery, description, id, requires, tier, title) (line {_line_of(badge, 'hours:')})"
            ) in errors["credentials/fixture-badge.yaml"]


@pytest.mark.parametrize(("where", "old", "new", "key", "item"), [
    ("course.yaml", "pass_mark:", "passmark: 0.8\npass_mark:", "passmark", "course"),
    ("modules/01-hand-hygiene-basics.md", "reflection:", "reflexion: x\nreflection:", "reflexion",
     "module hand-hygiene-basics"),
    ("modules/01-hand-hygiene-basics.md", "    - id: q1\n", "    - id: q1\n      answer: a\n", "answer",
     "module hand-hygiene-basics question 1"),
    ("modules/01-hand-hygiene-basics.md", "  questions:\n", "  pass_marks: 0.5\n  questions:\n", "pass_marks",
     "knowledge_check"),
    ("credentials/fixture-badge.yaml", "  - module: safe-moving-basics", "  - module: safe-moving-basics\n    hours: 3",
     "hours", "credential fixture-badge component"),
])
def test_unknown_keys_are_refused_naming_key_and_place(tmp_path, where, old, new, key, item):
    root = tmp_path / "content"
    shutil.copytree(FIXTURES / "good_small", root)
    path = root / where
    if where == "course.yaml" and old not in path.read_text():
        path.write_text(path.read_text() + "pass_mark: 0.8\n")
    assert old in path.read_text(), where
    path.write_text(path.read_text().replace(old, new, 1))
    with pytest.raises(ContentError) as caught:
        load_course(root)
    message = str(caught.value)
    assert f"unknown field '{key}'" in message and item in message and where in message
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if text.strip().startswith(f"{key}:"))
    assert f"(line {line})" in message, message


def _with_credentials(tmp_path: Path, files: dict[str, str]) -> Path:
    """The small valid course with ``files`` added to its credentials/ folder."""
    root = tmp_path / "content"
    shutil.copytree(FIXTURES / "good_small", root)
    for name, text in files.items():
        (root / "credentials" / name).write_text(text)
    return root


CERTIFICATE = """id: {id}
title: {id}
tier: certificate-of-training
delivery: instructor-led
credit: non-credit
description: A test certificate.
criteria: Complete it.
requires: [{requires}]
components:
{components}  - id: {id}-practicum
    title: Practicum
    hours: 10
    delivery: instructor-led
    evidence: hours
"""


def test_a_component_reached_twice_through_a_stack_is_refused(tmp_path):
    root = _with_credentials(tmp_path, {"twice.yaml": CERTIFICATE.format(
        id="twice", requires="fixture-badge", components="  - module: safe-moving-basics\n")})
    with pytest.raises(ContentError) as caught:
        load_course(root)
    message = str(caught.value)
    assert "credentials/twice.yaml: credential twice: component 'safe-moving-basics' is counted twice" in message
    assert "(in twice and in fixture-badge)" in message
    assert f"(line {_line_of(root / 'credentials' / 'twice.yaml', 'components:')})" in message


def test_a_credential_reached_twice_through_a_stack_is_refused(tmp_path):
    root = _with_credentials(tmp_path, {
        "left.yaml": CERTIFICATE.format(id="left", requires="fixture-badge", components=""),
        "right.yaml": CERTIFICATE.format(id="right", requires="fixture-badge", components=""),
        "both.yaml": CERTIFICATE.format(id="both", requires="left, right", components="")})
    with pytest.raises(ContentError) as caught:
        load_course(root)
    assert "credential both: credential 'fixture-badge' is counted twice through its stack" in str(caught.value)


def test_every_tier_rule_broken_is_reported_in_one_run(tmp_path):
    from caregiving_course.framework.errors import ContentErrors

    root = _with_credentials(tmp_path, {
        "self-paced.yaml": CERTIFICATE.format(id="self-paced", requires="", components="").replace(
            "delivery: instructor-led\ncredit", "delivery: self-paced\ncredit"),
        "too-long.yaml": CERTIFICATE.format(id="too-long", requires="", components="").replace(
            "hours: 10", "hours: 120")})
    with pytest.raises(ContentErrors) as caught:
        load_course(root)
    rules = {e.file: e.rule for e in caught.value.errors}
    assert rules["credentials/self-paced.yaml"] == "a Certificate of Training must be instructor-led (delivery is " \
        f"self-paced) (line {_line_of(root / 'credentials' / 'self-paced.yaml', 'delivery:')})"
    assert rules["credentials/too-long.yaml"].startswith("a Certificate of Training is at most 100 hours")


def test_a_module_with_too_few_sections_is_refused_at_its_line(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(FIXTURES / "good_small", root)
    module = sorted((root / "modules").glob("*.md"))[0]
    text = module.read_text()
    module.write_text(text[:text.index("\n## ", text.index("\n## ") + 1)] + "\n")
    with pytest.raises(ContentError) as caught:
        load_course(root)
    body = next(n for n, line in enumerate(module.read_text().splitlines(), 1) if n > 1 and line == "---") + 1
    assert "needs at least 3 sections" in str(caught.value) and f"(line {body})" in str(caught.value)


def test_every_mistake_in_one_file_is_reported_with_its_line(tmp_path):
    from caregiving_course.framework.errors import ContentErrors

    root = tmp_path / "content"
    shutil.copytree(FIXTURES / "good_small", root)
    module = sorted((root / "modules").glob("*.md"))[0]
    module.write_text(module.read_text().replace("hours: 1\n", "hours: lots\ncolour: blue\nsize: 2\n", 1)
                      .replace("correct: true", "correct: maybe", 1))
    badge = root / "credentials" / "fixture-badge.yaml"
    badge.write_text(badge.read_text().replace("tier: badge", "tier: gold").replace("delivery: self-paced",
                                                                                  "delivery: by post"))
    with pytest.raises(ContentErrors) as caught:
        load_course(root)
    rules = [(e.file, e.rule) for e in caught.value.errors]
    name = f"modules/{module.name}"
    for key in ("colour", "size"):
        assert any(f == name and f"unknown field '{key}'" in r and f"(line {_line_of(module, key + ':')})" in r
                   for f, r in rules), rules
    assert any(f == name and "must be a number of hours (got 'lots')" in r for f, r in rules), rules
    assert any(f == name and "'correct' must be true or false" in r for f, r in rules), rules
    assert any(f == "credentials/fixture-badge.yaml" and "'tier' must be one of" in r for f, r in rules), rules
    assert any(f == "credentials/fixture-badge.yaml" and "'delivery' must be one of" in r for f, r in rules), rules
