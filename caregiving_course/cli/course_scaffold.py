"""`caregiving course new ID`: a new course folder that `caregiving course check` passes, to write over.

One self-paced module (three sections, five questions, a reflection), one Badge made of it, and their French
translation; every text says what to replace it with.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from caregiving_course.cli.course_validate import print_errors, validate
from caregiving_course.cli.errors import CommandError
from caregiving_course.framework.loader import ID_PATTERN

MAX_NEW_ID = 48  # room for the module and badge ids made from it

COURSE = """\
# The course: its id (never change it once learners have records), version (raise it with every update) and
# the modules in the order learners take them. See caregiving_course/content/README.md for every field.
id: {id}
version: 0.1.0
title: {title}
description: >-
  Replace this with two or three sentences for learners: who the course is for,
  what they will be able to do after it, how long it takes and how it is
  delivered.
minimum_time_share: 0.5
pass_mark: 0.8
modules:
  - {id}-module-1
"""

QUESTION = """\
    - id: q{n}
      prompt: >-
        {prompt}
      choices:
        - text: {right}
          correct: true
          feedback: {right_feedback}
        - text: {wrong}
          feedback: {wrong_feedback}
"""

MODULE = """\
---
id: {id}-module-1
title: {module_title}
hours: 2
outcomes:
  - {outcome_1}
  - {outcome_2}
reflection: >-
  {reflection}
knowledge_check:
  questions:
{questions}---
## {section_1}

{section_1_text}

## {section_2}

{section_2_text}

## {section_3}

{section_3_text}
"""

BADGE = """\
id: {id}-badge
title: {title}
tier: badge
delivery: self-paced
credit: non-credit
description: >-
  {description}
criteria: >-
  {criteria}
requires: []
components:
  - module: {id}-module-1
"""

BADGE_FR = """\
id: {id}-badge
title: {title}
description: >-
  {description}
criteria: >-
  {criteria}
"""

WORDS = {
    "en": {
        "module_title": "Your First Module (replace this title)",
        "outcome_1": "Replace this with what a learner will be able to do after the module.",
        "outcome_2": "Write each outcome as an action a learner can show, such as describe, recognise or plan.",
        "reflection": "Replace this with a question that asks learners to connect the module to their own work.",
        "section_1": "What this module covers",
        "section_1_text": "Replace this section with the module's introduction: why the topic matters in a "
                          "caregiver's daily work and what the learner will practise.",
        "section_2": "The main ideas",
        "section_2_text": "Replace this section with the teaching text. Keep paragraphs short, use plain "
                          "language and give one concrete example for each idea.",
        "section_3": "Putting it into practice",
        "section_3_text": "Replace this section with a realistic scenario and the steps a caregiver takes, "
                          "then a short summary of the module.",
        "prompt": "Replace this with question {n}: a short scenario and what the learner should do.",
        "right": "The best answer (replace this)",
        "right_feedback": "Correct. Replace this with why it is the best answer.",
        "wrong": "A plausible but weaker answer (replace this)",
        "wrong_feedback": "Not quite. Replace this with why it falls short.",
        "badge": "{title} (replace this Badge title)",
        "description": "Replace this with what the holder has learned and can do, in a few sentences an "
                       "employer can read.",
        "criteria": "Complete the module at your own pace, pass its knowledge check with 80% or more and "
                    "answer the reflection question.",
    },
    "fr": {
        "module_title": "Votre premier module (remplacez ce titre)",
        "outcome_1": "Remplacez ceci par ce que la personne saura faire après le module.",
        "outcome_2": "Formulez chaque résultat comme une action observable : décrire, reconnaître, planifier.",
        "reflection": "Remplacez ceci par une question qui relie le module au travail de la personne.",
        "section_1": "Ce que couvre ce module",
        "section_1_text": "Remplacez cette section par l'introduction du module : pourquoi le sujet compte "
                          "dans le travail quotidien d'une personne aidante et ce qu'elle va pratiquer.",
        "section_2": "Les idées principales",
        "section_2_text": "Remplacez cette section par le texte d'enseignement. Gardez les paragraphes courts, "
                          "employez un langage simple et donnez un exemple concret pour chaque idée.",
        "section_3": "Mettre en pratique",
        "section_3_text": "Remplacez cette section par un scénario réaliste et les étapes que suit une "
                          "personne aidante, puis un court résumé du module.",
        "prompt": "Remplacez ceci par la question {n} : une courte mise en situation et ce qu'il faut faire.",
        "right": "La meilleure réponse (remplacez ceci)",
        "right_feedback": "Exact. Remplacez ceci par la raison pour laquelle c'est la meilleure réponse.",
        "wrong": "Une réponse plausible mais moins bonne (remplacez ceci)",
        "wrong_feedback": "Pas tout à fait. Remplacez ceci par ce qui manque à cette réponse.",
        "badge": "{title} (remplacez ce titre de badge)",
        "description": "Remplacez ceci par ce que la personne titulaire a appris et sait faire, en quelques "
                       "phrases qu'un employeur peut lire.",
        "criteria": "Terminez le module à votre rythme, réussissez son contrôle des connaissances avec au "
                    "moins 80 % et répondez à la question de réflexion.",
    },
}


def register(csub: argparse._SubParsersAction) -> None:
    """Add the `new` action to `caregiving course`."""
    new = csub.add_parser("new", help="create a new course folder (one module, one Badge, English and French)")
    new.add_argument("id", help="the course id: lowercase letters, digits and hyphens")
    new.add_argument("--into", metavar="FOLDER", help="where to create it (default: ./ID)")
    new.add_argument("--title", help="the course title (default: from the id)")
    new.set_defaults(func=new_course)


def _module(course_id: str, words: dict) -> str:
    questions = "".join(QUESTION.format(n=n, prompt=words["prompt"].format(n=n), right=words["right"],
                                        right_feedback=words["right_feedback"], wrong=words["wrong"],
                                        wrong_feedback=words["wrong_feedback"]) for n in range(1, 6))
    return MODULE.format(id=course_id, questions=questions, **words)


def write_course(folder: Path, course_id: str, title: str) -> None:
    """Write the new course's files into the (new) ``folder``."""
    files = {
        "course.yaml": COURSE.format(id=course_id, title=title),
        f"modules/01-{course_id}-module-1.md": _module(course_id, WORDS["en"]),
        f"credentials/{course_id}-badge.yaml": BADGE.format(id=course_id, title=WORDS["en"]["badge"].format(
            title=title), description=WORDS["en"]["description"], criteria=WORDS["en"]["criteria"]),
        f"translations/fr/modules/01-{course_id}-module-1.md": _module(course_id, WORDS["fr"]),
        f"translations/fr/credentials/{course_id}-badge.yaml": BADGE_FR.format(
            id=course_id, title=WORDS["fr"]["badge"].format(title=title), description=WORDS["fr"]["description"],
            criteria=WORDS["fr"]["criteria"]),
    }
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def new_course(args: argparse.Namespace) -> int:
    course_id = args.id
    if not ID_PATTERN.match(course_id) or len(course_id) > MAX_NEW_ID:
        raise CommandError(f"'{course_id}' is not a course id: use at most {MAX_NEW_ID} lowercase letters, digits "
                           "and hyphens, starting with a letter or digit (e.g. wound-care-basics)")
    from caregiving_course.framework import catalogue_folders, course_id_of

    if any(course_id_of(f) == course_id for f in catalogue_folders()):
        raise CommandError(f"a course {course_id} is already in the catalogue; choose another id "
                           "(see 'caregiving course list')")
    folder = Path(args.into or course_id).expanduser()
    if folder.exists() and any(folder.iterdir()):
        raise CommandError(f"{folder} already exists and is not empty; choose another place with --into")
    title = " ".join(args.title.split()) if args.title else course_id.replace("-", " ").capitalize()
    if not title or len(title) > 200 or "\n" in title or title.startswith(("{", "[", "&", "*", "!", "|", ">", "'")):
        raise CommandError("--title must be one line of plain text, at most 200 characters")
    write_course(folder, course_id, title.replace(":", " -"))
    _, errors = validate(catalogue_folders(folder))
    if errors:
        print_errors(errors, str(folder))
        raise CommandError(f"{folder} was created but does not fit the catalogue (above); fix it or remove it")
    print(f"created {folder}: course {course_id} with one module and one Badge, in English and French")
    print(f"next: write the module and the Badge in {folder}, run 'caregiving course check {folder}', "
          f"then 'caregiving course add {folder}'")
    return 0
