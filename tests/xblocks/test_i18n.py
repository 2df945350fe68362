"""English and French: the blocks and pages translate every learner-facing string."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation

import xblocks

pytestmark = pytest.mark.django_db
LOCALE = Path(xblocks.__file__).resolve().parent / "translations"  # the XBlock domain, as Open edX reads it
OURS = re.compile(r"(module_block|progress_block|i18n\.py|views\.py|templates/blocks/|templates/xblocks/)")


def test_module_block_in_french(block_client, learner_user):
    with translation.override("fr"):
        client = block_client(learner_user)
        html = client.render()
        status, reply = client.call("view_section", {"index": 0})
    for text in ("Temps consacré", "Heures créditées", "Contrôle des connaissances", "Vérifier mes réponses",
                 "Enregistrer ma réflexion", "Pour terminer ce module"):
        assert text in html
    assert status == 200 and reply["status_text"].startswith("Pour terminer ce module : ouvrir encore 2 sections")
    assert reply["credited_text"] == "0 h"


def test_module_content_in_the_learners_language(block_client, learner_user):
    """The module's own words come from its French translation; its rules and the record stay the same."""
    answers = {f"q{n}": 0 for n in range(1, 6)} | {"q5": 1}
    with translation.override("fr"):
        client = block_client(learner_user)
        html = client.render()
        status, reply = client.call("submit_check", {"answers": answers})
    for text in ("Première section d&#x27;alpha", "Un texte <strong>important</strong> sur les soins",
                 "Premier résultat d&#x27;alpha", "Question 1 d&#x27;alpha?", "Autre mauvaise réponse 3",
                 "Qu&#x27;avez-vous appris dans alpha?"):
        assert text in html, text
    assert "First section of alpha" not in html and "Right answer 1" not in html
    assert "<img src=x onerror" not in html  # the translation's hostile outcome is escaped too
    assert status == 200 and reply["score"] == 0.8
    assert reply["feedback"]["q1"] == {"chosen": 0, "correct": True, "feedback": "Bonne réponse, car 1.", "verdict": ""}
    assert reply["feedback"]["q5"]["feedback"] == "Mauvaise réponse, car 5." and not reply["feedback"]["q5"]["correct"]
    with translation.override("en"):
        english = block_client(learner_user).render()
    assert "First section of alpha" in english and "Première section" not in english


def test_progress_block_in_french(block_client, learner_user):
    with translation.override("fr"):
        html = block_client(learner_user, "caregiving_progress", {"display_name": "Ma progression"}).render()
    for text in ("Certificat de formation", "Certificat collégial", "Reste à faire", "Pourquoi ai-je",
                 "Module alpha (non terminé)",  # what is left: the learner record's words, the module's title
                 "Certificat de formation d&#x27;essai", "Stage supervisé (0 h sur 20 h consignées)"):
        assert text in html, text
    assert "not completed" not in html and "Alpha module" not in html and "Test Certificate" not in html


def test_course_page_in_french(client, learner_user):
    client.force_login(learner_user)
    response = client.get("/course/", HTTP_ACCEPT_LANGUAGE="fr")
    page = response.content.decode()
    assert response.status_code == 200 and "Pas commencé" in page
    assert "Module alpha" in page and "Alpha module" not in page  # the module's translated title


@pytest.mark.parametrize("language", ["en", "fr"])
def test_catalogues_are_compiled_and_complete_for_the_blocks(language):
    po = (LOCALE / language / "LC_MESSAGES" / "text.po").read_text(encoding="utf-8")
    assert (LOCALE / language / "LC_MESSAGES" / "text.mo").is_file()
    if language == "en":
        return
    missing = []
    for entry in po.split("\n\n")[1:]:
        refs = " ".join(line for line in entry.splitlines() if line.startswith("#:"))
        if OURS.search(refs) and re.search(r'^msgstr(\[0\])? ""\s*$', entry, re.M) and "\n\"" not in \
                entry.split("msgstr", 1)[1]:
            missing.append(entry.splitlines()[-2])
    assert missing == []


def test_the_i18n_service_takes_the_language_it_is_given():
    """A runtime's i18n service speaks the request's language (given by the runtime), else Django's active one."""
    from xblocks.services import I18nService

    message = "To complete this module: {steps}."
    with translation.override("en"):
        assert I18nService("fr").gettext(message).startswith("Pour terminer ce module")
        assert I18nService().gettext(message) == message
    with translation.override("fr"):
        assert I18nService().gettext(message).startswith("Pour terminer ce module")
