"""A catalogue at the college's scale, for the benchmarks (issue 18, point 6): 20 generated courses with 60
credentials over them, installed beside the shipped courses, and 10,000 learners spread over offerings.

:func:`write_courses` writes the course folders (each valid for :func:`framework.load_catalogue`: generated
modules of three sections with a knowledge check of five questions, credentials within the tier rules):

- per course, two Badges (the first and the second half of its modules): 40;
- 15 Certificates of Training, each stacking a Badge of one course on a Badge of the next and adding 30
  instructor hours and a skill sign-off: stacks across courses;
- 5 College Certificates, each stacking three Certificates of Training (so six courses) and a 10-hour placement.

:func:`populate` (after Django is set up with those folders in ``settings.COURSES_DIR``) seeds the learners with
``bulk_create``: offerings (cohorts, one or two per course and two for the shipped courses, sized unevenly as
real ones are), each learner in one offering and one in five in a second one of the next course; per course
taken, some learners finished every module, some are part-way, some only started; learners who finished both
Badges a Certificate of Training stacks on have some of its instructor hours and sign-offs recorded.
Deterministic (a seeded random generator).
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml

COURSES = 20
CERTIFICATES = 15
COLLEGE_CERTIFICATES = 5
PRACTICUM_HOURS, SKILLS_HOURS, PLACEMENT_HOURS = 30, 4, 10
SKILLS = ("safe-transfer", "hand-hygiene")
WORDS = ("the caregiver notices changes in the person's routine and writes down what was seen and when, then tells "
         "the team so that the plan of care can be reviewed together with the person and their family while "
         "respecting privacy consent dignity culture and the limits of the caregiver's role at every visit").split()


def course_id(k: int) -> str:
    return f"bench-course-{k:02d}"


def module_ids(k: int) -> list[str]:
    """Course ``k``'s modules: 4 to 8 of them."""
    return [f"bc{k:02d}-module-{j}" for j in range(1, 5 + k % 5)]


def badge_ids(k: int) -> tuple[str, str]:
    return f"bc{k:02d}-badge-a", f"bc{k:02d}-badge-b"


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _module(module_id: str, title: str, hours: Decimal, rng: random.Random) -> str:
    questions = [{"id": f"q{i}", "prompt": f"{_text(rng, 12)[:-1]}?", "choices": [
        {"text": _text(rng, 6), "correct": i % 3 == c, "feedback": _text(rng, 10)} for c in range(3)]}
        for i in range(1, 6)]
    front = {"id": module_id, "title": title, "hours": float(hours), "outcomes": [_text(rng, 10), _text(rng, 10)],
             "reflection": _text(rng, 15)[:-1] + "?", "knowledge_check": {"questions": questions}}
    body = "\n".join(f"## Part {s}\n\n{_text(rng, 160)}\n" for s in range(1, 4))
    return f"---\n{yaml.safe_dump(front, sort_keys=False)}---\n{body}"


def _credential(cred_id: str, title: str, tier: str, **fields) -> dict:
    return {"id": cred_id, "title": title, "tier": tier, "credit": "non-credit",
            "description": f"The holder has completed {title}.", "criteria": "Complete every component.", **fields}


def _hours(k: int, j: int) -> Decimal:
    return Decimal("1.5") if (k + j) % 2 else Decimal(1)


def write_courses(root: Path) -> list[Path]:
    """Write the 20 course folders (with their 60 credentials) under ``root``; return them."""
    rng = random.Random(18)
    folders = []
    for k in range(COURSES):
        folder = root / course_id(k)
        (folder / "modules").mkdir(parents=True, exist_ok=True)
        (folder / "credentials").mkdir(exist_ok=True)
        modules = module_ids(k)
        (folder / "course.yaml").write_text(yaml.safe_dump({
            "id": course_id(k), "version": "1.0.0", "title": f"Benchmark course {k + 1}",
            "description": _text(rng, 40), "minimum_time_share": 0.5, "modules": modules}, sort_keys=False))
        for j, module_id in enumerate(modules, 1):
            (folder / "modules" / f"{j:02d}-{module_id}.md").write_text(
                _module(module_id, f"Course {k + 1}, module {j}", _hours(k, j), rng))
        half = len(modules) // 2
        credentials = [_credential(badge, f"Course {k + 1} Badge {part.upper()}", "badge", delivery="self-paced",
                                   components=[{"module": m} for m in part_modules])
                       for badge, part, part_modules in zip(badge_ids(k), "ab", (modules[:half], modules[half:]),
                                                            strict=True)]
        if k < CERTIFICATES:
            credentials.append(_credential(
                f"bench-cot-{k:02d}", f"Certificate of Training {k + 1}", "certificate-of-training",
                delivery="instructor-led", requires=[badge_ids(k)[0], badge_ids((k + 1) % COURSES)[1]], components=[
                    {"id": f"bench-cot-{k:02d}-practicum", "title": "Practicum", "hours": PRACTICUM_HOURS,
                     "delivery": "instructor-led", "evidence": "hours"},
                    {"id": f"bench-cot-{k:02d}-skills", "title": "Skills check", "hours": SKILLS_HOURS,
                     "delivery": "instructor-led", "evidence": "signoff",
                     "skills": {s: s.replace("-", " ").capitalize() for s in SKILLS}}]))
        if k < COLLEGE_CERTIFICATES:
            credentials.append(_credential(
                f"bench-college-{k:02d}", f"College Certificate {k + 1}", "college-certificate",
                delivery="instructor-led", requires=[f"bench-cot-{3 * k + i:02d}" for i in range(3)], components=[
                    {"id": f"bench-college-{k:02d}-placement", "title": "Placement", "hours": PLACEMENT_HOURS,
                     "delivery": "instructor-led", "evidence": "hours"}]))
        for cred in credentials:
            (folder / "credentials" / f"{cred['id']}.yaml").write_text(yaml.safe_dump(cred, sort_keys=False))
        folders.append(folder)
    return folders


@dataclass(frozen=True)
class Seeded:
    learner_ids: list[int]
    offerings: dict[str, int]  # cohort name -> learners enrolled
    largest: str  # the largest offering's cohort name
    instructor: object  # the user who teaches every offering and recorded the instructor evidence


def _offerings(catalogue) -> list[tuple[str, object]]:
    """(cohort name, course) of each offering: two for each shipped course, one or two for each generated one."""
    found = []
    for course in catalogue.courses:
        generated = course.id.startswith("bench-course-")
        runs = ("fall", "winter") if not generated or int(course.id[-2:]) % 2 == 0 else ("fall",)
        found += [(f"{course.id[:60]}-{run}", course) for run in runs]
    return found


def populate(catalogue, learners: int, *, instructor=None, seed: int = 18) -> Seeded:
    """Seed ``learners`` learners over the catalogue's offerings (see the module's docstring)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from caregiving_course.learner_record import api
    from caregiving_course.learner_record.models import (
        Enrolment,
        InstructorRecord,
        Learner,
        ModuleActivity,
        ModuleCompletion,
    )

    rng = random.Random(seed)
    now = timezone.now()
    if instructor is None:
        instructor, _ = get_user_model().objects.get_or_create(username="bench-instructor@example.org")
    offerings = _offerings(catalogue)
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(offerings))]  # a few large offerings, many small
    cohorts = {}
    for name, _course in offerings:
        cohorts[name] = api.ensure_cohort(name)
        api.add_instructor(cohorts[name], instructor)
    certificates = {}  # (course id of badge A, of badge B) -> the certificate stacking them
    for cred in catalogue.credentials:
        if cred.tier == "certificate-of-training" and len(cred.requires) == 2:
            first, second = (catalogue.course_of(catalogue.credential(r)).id for r in cred.requires)
            certificates[first] = (cred, second)
    sizes = dict.fromkeys(cohorts, 0)
    with transaction.atomic():
        people = Learner.objects.bulk_create(
            [Learner(name=f"Learner {i:06d}", email=f"l{i}@catalogue.example.org") for i in range(learners)],
            batch_size=2000)
        enrolments, completions, activity, evidence = [], [], [], []
        for person in people:
            index = rng.choices(range(len(offerings)), weights)[0]
            taken = [offerings[index]]
            if rng.random() < 0.2:  # one in five also takes the next course (stacking across courses)
                following = [o for o in offerings if o[1] is catalogue.courses[
                    (catalogue.courses.index(taken[0][1]) + 1) % len(catalogue.courses)]]
                taken.append(rng.choice(following))
            finished = set()
            for name, course in taken:
                enrolments.append(Enrolment(learner=person, cohort=cohorts[name]))
                sizes[name] += 1
                last = now - dt.timedelta(days=rng.choice((0, 1, 3, 8, 20, 45)), minutes=rng.randrange(600))
                draw = rng.random()
                done = len(course.modules) if draw < 0.35 else (rng.randrange(1, len(course.modules))
                                                                 if draw < 0.75 else 0)
                for j, module in enumerate(course.modules[:done + 1]):
                    secs = int(module.hours * 3600 * Decimal(rng.uniform(0.55, 1.4)))
                    complete = j < done
                    activity.append(ModuleActivity(
                        learner=person, module_id=module.id, seconds=secs,
                        sections_viewed=list(range(len(module.sections) if complete else 1)),
                        best_score=rng.choice((0.8, 0.9, 1.0)) if complete else None, attempts=int(complete),
                        first_activity_at=last - dt.timedelta(days=2), last_activity_at=last))
                    if complete:
                        completions.append(ModuleCompletion(
                            learner=person, module_id=module.id, score=activity[-1].best_score,
                            credited_hours=module.hours, time_on_task_seconds=secs, completed_at=last))
                if done == len(course.modules):
                    finished.add(course.id)
            for first, (cred, second) in certificates.items():
                if first in finished and second in finished:
                    evidence += _instructor_evidence(person, cred, instructor, rng, now)
        Enrolment.objects.bulk_create(enrolments, batch_size=2000)
        ModuleActivity.objects.bulk_create(activity, batch_size=2000)
        ModuleCompletion.objects.bulk_create(completions, batch_size=2000)
        InstructorRecord.objects.bulk_create(evidence, batch_size=2000)
    ids = sorted(p.pk for p in people)
    return Seeded(ids, sizes, max(sizes, key=sizes.get), instructor)


def _instructor_evidence(person, certificate, instructor, rng: random.Random, now) -> list:
    """The certificate's practicum hours in one to four records (all of them for half the learners) and skill
    sign-offs."""
    from caregiving_course.learner_record.models import InstructorRecord

    records = []
    for comp in certificate.components:
        if comp.evidence == "hours":
            days = rng.randrange(1, 5)
            hours = comp.hours / days if rng.random() < 0.5 else Decimal(rng.choice((4, 6)))
            records += [InstructorRecord(learner=person, component_id=comp.id, kind=InstructorRecord.HOURS,
                                         hours=hours.quantize(Decimal("0.01")), recorded_by=instructor,
                                         occurred_on=(now - dt.timedelta(days=rng.randrange(60))).date())
                        for _ in range(days)]
        else:
            records += [InstructorRecord(learner=person, component_id=comp.id, kind=InstructorRecord.SIGNOFF,
                                         skill=skill, recorded_by=instructor, occurred_on=now.date())
                        for skill in comp.skills if rng.random() < 0.8]
    return records


def enabled() -> bool:
    """Whether the benchmarks run at catalogue scale (``BENCH_CATALOGUE=1``, as ``python -m bench catalogue`` sets)."""
    import os

    return os.environ.get("BENCH_CATALOGUE") == "1"


def install(home: Path | None = None) -> Path:
    """A home folder (``CAREGIVING_HOME``, set here) whose ``courses`` folder holds the 20 generated courses, where
    ``settings.COURSES_DIR`` points, so that ``catalogue()`` serves them with the shipped ones. Call before Django
    is set up."""
    import os
    import tempfile

    home = home or Path(tempfile.mkdtemp(prefix="bench-home-"))
    write_courses(home / "courses")
    os.environ["CAREGIVING_HOME"] = str(home)
    return home
