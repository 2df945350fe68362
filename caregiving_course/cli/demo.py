"""`caregiving demo`: a synthetic cohort so every view has something to show."""
from __future__ import annotations

import argparse
import datetime as dt

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from caregiving_course.cli.database import ensure_migrated

DEMO_PASSWORD = "caregiving-demo"  # noqa: S105 - printed for the demo accounts only
COHORT = "demo-cohort"
# (e-mail, name, modules completed, modules started after those, practicum hours, skills signed off, idle days)
LEARNERS = [
    ("amara@example.org", "Amara Okafor", 0, 0, 0, 0, None),
    ("benoit@example.org", "Benoît Tremblay", 0, 1, 0, 0, 1),
    ("chen@example.org", "Chen Wei", 3, 1, 0, 0, 2),
    ("dana@example.org", "Dana Whitebird", 5, 0, 0, 0, 20),
    ("elif@example.org", "Elif Yılmaz", 8, 0, 0, 0, 3),
    ("farah@example.org", "Farah Haddad", 8, 0, 24, 3, 1),
    ("gabriel@example.org", "Gabriel Santos", 8, 0, 60, -1, 0),
]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="fill the database with a synthetic cohort (learners at every stage)")
    p.set_defaults(func=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from caregiving_course.framework import catalogue
    from caregiving_course.learner_record import api
    from caregiving_course.learner_record.synthetic import simulate_study

    ensure_migrated()
    course = catalogue()
    fresh = not get_user_model().objects.filter(username=LEARNERS[0][0]).exists()
    admin = api.add_user("admin@example.org", api.ADMINISTRATOR, password=DEMO_PASSWORD, name="Demo Administrator")
    instructor = api.add_user("instructor@example.org", api.INSTRUCTOR, cohort=COHORT, password=DEMO_PASSWORD,
                              name="Demo Instructor")
    # the demo instructor also follows the learners who sign up on their own (the open offering sign-up joins)
    from django.conf import settings

    api.add_instructor(api.signup_offering(None, settings.SIGNUP_COHORT), instructor)
    hours_components = [c for cred in course.credentials for c in cred.components if c.evidence == "hours"]
    signoffs = [c for cred in course.credentials for c in cred.components if c.evidence == "signoff"]
    now = timezone.now()
    with Progress(transient=True, disable=not fresh) as bar:
        task = bar.add_task("Creating demo learners", total=len(LEARNERS))
        for email, name, done, started, practicum, skills, idle in LEARNERS if fresh else []:
            user = api.add_user(email, api.LEARNER, cohort=COHORT, password=DEMO_PASSWORD, name=name)
            learner = api.learner_for_user(user)
            ended = now - dt.timedelta(days=idle or 0)
            for module in course.courses[0].modules[:done]:  # the demo cohort offers the first course
                simulate_study(learner, module.id, seconds=course.minimum_seconds(module) + 900, score=0.9,
                               ended=ended, course=course)
            for module in course.courses[0].modules[done:done + started]:
                simulate_study(learner, module.id, seconds=1200, score=None, sections=2, ended=ended, course=course)
            if practicum and hours_components:
                comp = hours_components[0]
                left = min(practicum, int(comp.hours))
                day = timezone.localdate() - dt.timedelta(days=30)
                while left > 0:
                    chunk = min(8, left)
                    api.record_hours(learner, comp.id, chunk, by=instructor, on=day, note="Practicum shift",
                                     course=course)
                    left -= chunk
                    day += dt.timedelta(days=1)
                for comp in hours_components[1:] if practicum >= 60 else []:
                    for _ in range(int(comp.hours // 8) + 1):
                        api.record_hours(learner, comp.id, min(8, comp.hours), by=instructor, course=course)
            for comp in signoffs:
                for skill in comp.skills[: len(comp.skills) if skills < 0 else skills]:
                    api.record_signoff(learner, comp.id, skill, by=instructor, course=course)
            bar.advance(task)
    console = Console()
    if not fresh:
        console.print("The demo cohort was already here; nothing was added.")
    table = Table(title=f"Demo cohort '{COHORT}' (password for every account: {DEMO_PASSWORD})", title_justify="left")
    for col in ("sign in as", "role", "what you will see"):
        table.add_column(col)
    table.add_row(admin.username, "administrator", "every cohort, the sync status, the admin pages (/admin/)")
    table.add_row(instructor.username, "instructor", "the dashboard of the demo cohort (/course/dashboard/)")
    for email, name, done, *_ in LEARNERS:
        table.add_row(email, "learner", f"{name}: {done} of {len(course.courses[0].modules)} modules done")
    console.print(table)
    return 0
