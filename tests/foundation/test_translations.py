"""Translated modules: loaded beside the course, checked to mirror what they translate, shown by language."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from caregiving_course.framework import ContentError, load_catalogue, load_course

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
MODULE = "01-hand-hygiene-basics.md"


def _content_with_french(tmp_path: Path, edit=lambda text: text, *, language: str = "fr") -> Path:
    """The small course with a French version of its first module (``edit`` changes that file's text)."""
    root = tmp_path / "content"
    shutil.copytree(FIXTURES / "good_small", root)
    text = (root / "modules" / MODULE).read_text(encoding="utf-8")
    text = text.replace("title: Hand Hygiene Basics", "title: Les bases de l'hygiène des mains")
    text = text.replace("## Why hand hygiene matters", "## Pourquoi l'hygiène des mains est importante")
    folder = root / "translations" / language / "modules"
    folder.mkdir(parents=True)
    (folder / MODULE).write_text(edit(text), encoding="utf-8")
    return root


def test_a_translation_is_shown_in_its_language_and_rules_keep_the_original(tmp_path):
    course = load_course(_content_with_french(tmp_path))
    original = course.module("hand-hygiene-basics")
    french = course.localized(original, "fr")
    assert french.title == "Les bases de l'hygiène des mains" and original.title == "Hand Hygiene Basics"
    assert french.sections[0].title == "Pourquoi l'hygiène des mains est importante"
    assert course.localized(original, "fr-ca") is french and course.localized(original, "FR") is french
    assert course.localized(original, "en") is original and course.localized(original, "de") is original
    assert course.localized(original, None) is original
    other = course.module("safe-moving-basics")  # not translated: shown as written
    assert course.localized(other, "fr") is other
    assert french.hours == original.hours and [c.correct for q in french.questions for c in q.choices] == \
        [c.correct for q in original.questions for c in q.choices]


@pytest.mark.parametrize(("edit", "rule"), [
    (lambda t: t.replace("hours: 1\n", "hours: 2\n"), "designed hours 2 differ from the original's 1"),
    (lambda t: t + "\n## Une section de plus\nDu texte.\n", "has 4 sections, the original has 3"),
    (lambda t: t.replace("  - Explain why gloves do not replace hand hygiene.\n", ""),
     "has 2 outcomes, the original has 3"),
    (lambda t: t.replace("- id: q2", "- id: q9"), "question 2 is 'q9', the original's is 'q2'"),
    (lambda t: t.replace("          correct: true\n          feedback: Correct. This is the moment",
                         "          feedback: Correct. This is the moment", 1).replace(
        "        - text: Only after the meal is finished.\n",
        "        - text: Only after the meal is finished.\n          correct: true\n", 1),
     "question 'q1' has other choices, or another correct choice, than the original"),
    (lambda t: t.replace("id: hand-hygiene-basics", "id: no-such-module"), "translates no module of the course"),
    (lambda t: t.replace("knowledge_check:\n", "knowledge_check:\n  pass_mark: 0.5\n"),
     "pass mark 0.5 differs from the original's"),
])
def test_a_translation_that_changes_more_than_words_is_refused(tmp_path, edit, rule):
    with pytest.raises(ContentError) as caught:
        load_course(_content_with_french(tmp_path, edit))
    assert rule in str(caught.value)
    assert caught.value.file == f"translations/fr/modules/{MODULE}" and "(fr)" in caught.value.item


def _credential_translation(root: Path, text: str) -> Path:
    folder = root / "translations" / "fr" / "credentials"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "fixture-badge.yaml").write_text(text, encoding="utf-8")
    return root


def test_a_credential_translation_gives_words_only(tmp_path):
    words = "id: fixture-badge\ntitle: Badge d'essai\ndescription: Une description.\ncriteria: Des critères.\n"
    course = load_course(_credential_translation(_content_with_french(tmp_path), words))
    badge = course.credentials[0]
    french = course.localized(badge, "fr")
    assert french.title == "Badge d'essai" and badge.title != french.title
    assert (french.tier, french.total_hours, [c.id for c in french.components]) == \
        (badge.tier, badge.total_hours, [c.id for c in badge.components])
    module_titles = {c.id: c.title for c in french.components}  # module components: their translated titles
    assert module_titles["hand-hygiene-basics"] == "Les bases de l'hygiène des mains"
    for extra, rule in ((words + "tier: college-certificate\n", "may only give"),
                        (words + "components:\n  no-such: Rien\n", "must title exactly its instructor-led"),
                        (words.replace("fixture-badge", "no-such-badge"), "translates no credential")):
        with pytest.raises(ContentError, match=rule) as caught:
            load_course(_credential_translation(_content_with_french(tmp_path / rule[:8]), extra))
        assert caught.value.file == "translations/fr/credentials/fixture-badge.yaml"


def test_a_translation_must_be_well_formed_and_named_by_its_language(tmp_path):
    with pytest.raises(ContentError, match="not valid YAML"):
        load_course(_content_with_french(tmp_path / "a", lambda t: t.replace("id: q1", "id: [q1")))
    with pytest.raises(ContentError, match="named by a language code"):
        load_course(_content_with_french(tmp_path / "b", language="French!"))
    root = _content_with_french(tmp_path / "c")
    shutil.copy(root / "translations" / "fr" / "modules" / MODULE, root / "translations" / "fr" / "modules" / "x.md")
    with pytest.raises(ContentError, match="duplicate translation"):
        load_course(root)


def test_the_built_in_course_is_in_french_too(course):
    course = course.course("professional-practice-in-caregiving")
    french = course.translations["fr"]
    assert set(french.modules) == {m.id for m in course.modules}
    assert set(french.credentials) == {c.id for c in course.credentials}
    for module in course.modules:
        translated = course.localized(module, "fr")
        assert translated.title != module.title, module.id
        assert all(len(s.markdown.split()) >= 150 for s in translated.sections), f"{module.id}: a thin section"
        assert all(c.feedback.startswith(("Bonne réponse", "Mauvaise réponse"))
                   for q in translated.questions for c in q.choices), module.id
    assert "LPRPS" in " ".join(s.markdown for s in course.localized(
        course.module("ethics-privacy-documentation"), "fr").sections)



def test_the_learner_records_french_catalogue_is_complete_and_compiled():
    """Every message of the learner record (what is left, record summaries) has a French text, compiled."""
    import gettext

    import caregiving_course.learner_record as learner_record

    folder = Path(learner_record.__file__).resolve().parent / "locale" / "fr" / "LC_MESSAGES"
    po = (folder / "django.po").read_text(encoding="utf-8")
    msgids = re.findall(r'^msgid "(.+)"$', po, re.M)
    catalogue = gettext.GNUTranslations((folder / "django.mo").open("rb"))
    assert msgids and "completed" in msgids
    untranslated = [m for m in msgids if catalogue.gettext(m) == m and "{detail}" not in m]
    assert untranslated == []


def _french_certificate(tmp_path: Path, edit) -> Path:
    """The built-in course with its French certificate of training edited by ``edit``."""
    from django.conf import settings

    root = tmp_path / "content"
    shutil.copytree(settings.CONTENT_DIR, root)
    path = root / "translations" / "fr" / "credentials" / "caregiving-certificate-of-training.yaml"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return root


def _with_the_second_course(root: Path):
    """The course in ``root`` loaded with the shipped second course its College Certificate stacks on."""
    from caregiving_course.framework.catalogue import SHIPPED_COURSES

    return load_catalogue([root, SHIPPED_COURSES / "mental-health-substance-use"])


def test_skills_are_named_in_each_language_and_recorded_by_the_same_ids(course):
    certificate = course.credential("caregiving-certificate-of-training")
    english = next(c for c in certificate.components if c.skills)
    french = next(c for c in course.localized(certificate, "fr").components if c.skills)
    assert french.skills == english.skills and len(french.skill_names) == len(english.skills)
    assert english.skill_name("bed-bath") == "Bed bath" and french.skill_name("bed-bath") == "Toilette au lit"
    assert not set(french.skill_names) & set(english.skill_names) and not set(french.skill_names) & set(french.skills)


@pytest.mark.parametrize(("edit", "rule"), [
    (lambda t: t.replace("  bed-bath: Toilette au lit\n", ""), "'skills' must name exactly the skills"),
    (lambda t: t.replace("  bed-bath: Toilette au lit\n", "  bed-bath: Toilette au lit\n  swimming: Natation\n"),
     "'skills' must name exactly the skills"),
    (lambda t: t.replace("  bed-bath: Toilette au lit\n", "  bed-bath: ['Toilette']\n"),
     "each skill's name must be text"),
    (lambda t: t.split("\nskills:")[0] + "\nskills: [bed-bath]\n", "'skills' must map each skill's id to its name"),
])
def test_a_credential_translation_must_name_every_skill_or_none(tmp_path, edit, rule):
    with pytest.raises(ContentError, match=re.escape(rule)):
        _with_the_second_course(_french_certificate(tmp_path, edit))
    without = _with_the_second_course(_french_certificate(tmp_path / "none", lambda t: t.split("\nskills:")[0] + "\n"))
    certificate = without.credential("caregiving-certificate-of-training")
    shown = next(c for c in without.localized(certificate, "fr").components if c.skills)
    assert shown.skill_name("bed-bath") == "Bed bath"  # no French names: the course's own


def test_a_credential_translated_twice_is_refused(tmp_path):
    root = _french_certificate(tmp_path, lambda t: t)
    folder = root / "translations" / "fr" / "credentials"
    shutil.copy(folder / "caregiving-certificate-of-training.yaml", folder / "zz-again.yaml")
    with pytest.raises(ContentError, match="duplicate translation") as caught:
        _with_the_second_course(root)
    assert caught.value.file == f"{root}/translations/fr/credentials/zz-again.yaml"


def test_a_message_reads_the_same_in_every_french_catalogue():
    """Django merges the apps' catalogues, so a message translated two ways shows either way, page by page."""
    root = Path(__file__).resolve().parent.parent.parent
    catalogues = [*root.glob("*/locale/fr/LC_MESSAGES/django.po"), root / "xblocks/translations/fr/LC_MESSAGES/text.po"]
    assert len(catalogues) >= 5
    seen: dict[str, dict[str, str]] = {}
    for po in catalogues:
        for msgid, msgstr in re.findall(r'(?m)^msgid "(.+)"\nmsgstr "(.+)"$', po.read_text(encoding="utf-8")):
            seen.setdefault(msgid, {})[str(po.relative_to(root))] = msgstr
    assert {msgid: where for msgid, where in seen.items() if len(set(where.values())) > 1} == {}
