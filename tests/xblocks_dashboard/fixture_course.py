"""A small, valid content folder for the dashboard's tests and benchmark.

Eight modules (a Badge), a Certificate of Training stacking practicum hours and skill sign-offs on
it, and a College Certificate stacking a placement on that: every kind of evidence the dashboard
shows, independent of the edits the built-in course is going through.
"""
from __future__ import annotations

from pathlib import Path

import yaml

MODULES = [f"module-{n}" for n in range(1, 9)]
PRACTICUM, SKILLS, PLACEMENT = "practicum", "skills-check", "placement"
SKILL_NAMES = ("hand-hygiene", "safe-transfer")
BADGE, CERTIFICATE, COLLEGE = "test-badge", "test-certificate", "test-college"


def _module(module_id: str, index: int) -> str:
    questions = [{"id": f"q{i}", "prompt": f"Question {i}?", "choices": [
        {"text": "Right", "correct": True, "feedback": "Yes."}, {"text": "Wrong", "feedback": "No."}]}
        for i in range(1, 6)]
    front = {"id": module_id, "title": f"Module {index}", "hours": 1.5, "outcomes": ["Do the thing."],
             "reflection": "What did you learn?", "knowledge_check": {"questions": questions}}
    body = "\n".join(f"## Section {s}\nText of section {s}.\n" for s in range(1, 4))
    return f"---\n{yaml.safe_dump(front)}---\n{body}"


def write_course(root: Path) -> Path:
    """Write the content folder under ``root`` and return it."""
    (root / "modules").mkdir(parents=True, exist_ok=True)
    (root / "credentials").mkdir(exist_ok=True)
    (root / "course.yaml").write_text(yaml.safe_dump({
        "id": "dashboard-test-course", "title": "Dashboard test course", "minimum_time_share": 0.5,
        "modules": MODULES}))
    for i, module_id in enumerate(MODULES, 1):
        (root / "modules" / f"{i:02d}-{module_id}.md").write_text(_module(module_id, i))
    common = {"credit": "non-credit", "description": "Holder can care.", "criteria": "Complete it."}
    credentials = [
        {"id": BADGE, "title": "Test Badge", "tier": "badge", "delivery": "self-paced",
         "components": [{"module": m} for m in MODULES]},
        {"id": CERTIFICATE, "title": "Test Certificate of Training", "tier": "certificate-of-training",
         "delivery": "instructor-led", "requires": [BADGE], "components": [
             {"id": PRACTICUM, "title": "Practicum", "hours": 20, "delivery": "instructor-led", "evidence": "hours"},
             {"id": SKILLS, "title": "Skills check", "hours": 4, "delivery": "instructor-led",
              "evidence": "signoff", "skills": list(SKILL_NAMES)}]},
        {"id": COLLEGE, "title": "Test College Certificate", "tier": "college-certificate",
         "delivery": "instructor-led", "requires": [CERTIFICATE], "components": [
             {"id": PLACEMENT, "title": "Placement", "hours": 80, "delivery": "instructor-led", "evidence": "hours"}]},
    ]
    for cred in credentials:
        (root / "credentials" / f"{cred['id']}.yaml").write_text(yaml.safe_dump({**common, **cred}))
    return root


def seed_cohort(cohort_name: str, learners: int, *, completions: int = 8, instructor=None, batch: int = 2000,
                modules: list[str] | None = None):
    """Bulk-create a cohort of ``learners`` with ``completions`` completed modules each (tests and bench only).

    ``modules``: the module ids to complete (default: this course's).
    Learner ``i`` is named ``Learner 00000i``; every fifth learner is idle (no activity for 30 days).
    Returns the cohort.
    """
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from caregiving_course.learner_record import api
    from caregiving_course.learner_record.models import Enrolment, Learner, ModuleActivity, ModuleCompletion

    cohort = api.ensure_cohort(cohort_name)
    if instructor is not None:
        cohort.instructors.add(instructor)
    now = timezone.now()
    for start in range(0, learners, batch):
        people = Learner.objects.bulk_create(
            [Learner(name=f"Learner {i:06d}", email=f"l{i}@{cohort_name}.example.org")
             for i in range(start, min(start + batch, learners))])
        Enrolment.objects.bulk_create([Enrolment(learner=p, cohort=cohort) for p in people])
        done, active = [], []
        for offset, p in enumerate(people):
            i = start + offset
            last = now - dt.timedelta(days=30 if i % 5 == 0 else i % 7, minutes=i % 50)
            for m, module_id in enumerate((modules or MODULES)[:completions]):
                secs = 3000 + (i * 37 + m * 11) % 2400
                done.append(ModuleCompletion(learner=p, module_id=module_id, score=0.8 + (i % 3) / 10,
                                             credited_hours=Decimal("1.5"), time_on_task_seconds=secs,
                                             completed_at=last))
                active.append(ModuleActivity(learner=p, module_id=module_id, seconds=secs, sections_viewed=[0, 1, 2],
                                             best_score=0.9, attempts=1, first_activity_at=last,
                                             last_activity_at=last))
        ModuleCompletion.objects.bulk_create(done, batch_size=1000)
        ModuleActivity.objects.bulk_create(active, batch_size=1000)
    return cohort
