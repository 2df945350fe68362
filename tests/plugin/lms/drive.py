"""Drive our blocks inside the LMS-style project, as its courseware would, and print what happened as JSON.

Run in a process of its own with ``DJANGO_SETTINGS_MODULE=tests.plugin.lms.settings`` after the project's
``migrate``: a learner works through every module of the shipped course in the module block (sections, knowledge
check, reflection, heartbeats on a server clock this script moves), the progress block shows their hours, an
instructor opens the dashboard block on their cohort, and one pass of ``manage.py caregiving_sync --once``
issues the badge they earned. No sleeping: the clock is Django's ``timezone.now``, moved by the beats.
"""
from __future__ import annotations

import datetime as dt
import json
import sys

import django
from django.utils.html import escape


class Clock:
    """The server's clock, moved by the learner's beats."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now


def work_through(runtime, module, interval: int) -> dict:
    """One learner's work in one module block; what the block answered along the way."""
    block = runtime.place("caregiving_module", module_id=module.id)
    html = runtime.html(block)
    for index in range(len(module.sections)):
        runtime.call(block, "view_section", {"index": index})
    answers = {q.id: next(i for i, c in enumerate(q.choices) if c.correct) for q in module.questions}
    check_status, check = runtime.call(block, "submit_check", {"answers": answers})
    runtime.call(block, "save_reflection", {"text": "What I will do differently at work."})
    credited, seq, reply = 0, 0, {}
    while not reply.get("completed"):
        seq += 1
        runtime.clock.now += dt.timedelta(seconds=interval)
        status, reply = runtime.call(block, "heartbeat", {"tab": "tab-1", "seq": seq, "visible": True,
                                                          "idle_seconds": 1})
        if status != 200 or seq > 10_000:
            return {"module": module.id, "failed_beat": [status, reply]}
        credited += reply.get("credited_seconds", 0)
    return {"module": module.id, "title_shown": escape(module.title) in html, "check_status": check_status,
            "passed": check.get("passed"), "beats": seq, "credited_seconds": credited,
            "module_seconds": reply.get("module_seconds"), "completed": reply.get("completed")}


def main() -> int:
    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import CommandError, call_command
    from django.utils import timezone

    from caregiving_course.framework import catalogue
    from caregiving_course.learner_record import api
    from tests.plugin.lms.runtime import LmsStyleRuntime

    # the learner's seven hours of beats end before the real now: the badge they earn is valid at once
    clock = Clock(timezone.now().replace(microsecond=0) - dt.timedelta(days=2))
    timezone.now = clock
    users = get_user_model().objects
    learner_user = users.create_user("ada", "ada@example.org", "pw-ada-123", first_name="Ada", last_name="Lovelace")
    instructor = users.create_user("ines", "ines@example.org", "pw-ines-123", is_staff=True)
    cohort = api.ensure_cohort("lms-fall", "LMS fall cohort")
    api.enrol(api.learner_for_user(learner_user), cohort)
    api.add_instructor(cohort, instructor)

    from sync.xapi.models import LrsEndpoint

    # an LRS (never reached: its entries are dropped before the sync runs) to see the statements queued
    lrs = LrsEndpoint.objects.create(name="partner", endpoint="http://127.0.0.1:9/xAPI", username="u", password="p")
    course = catalogue()
    learner_runtime = LmsStyleRuntime(learner_user)
    learner_runtime.clock = clock
    modules = [work_through(learner_runtime, module, settings.HEARTBEAT_INTERVAL_SECONDS)
               for module in course.courses[0].modules]  # the offering's course
    progress_block = learner_runtime.place("caregiving_progress")
    progress = api.progress(api.learner_for_user(learner_user))

    instructor_runtime = LmsStyleRuntime(instructor)
    dashboard = instructor_runtime.place("caregiving_dashboard")
    learner_dashboard = learner_runtime.place("caregiving_dashboard")

    from caregiving_course.learner_record import outbox

    statements = [e.payload["statement"] for e in outbox.entries(kinds=["xapi.statement"], limit=1000)]
    xapi = {"verbs": sorted({s["verb"]["display"]["en-US"] for s in statements}),
            "launch_platforms": sorted({s["context"]["platform"] for s in statements
                                        if s["verb"]["display"]["en-US"] == "launched"})}
    outbox.drop_pending("xapi.statement", f"xapi:{lrs.pk}:")
    lrs.delete()
    try:
        call_command("caregiving_sync", "--once")
        synced = "all delivered"
    except CommandError as error:
        synced = str(error)
    awards = api.awards_of(api.learner_for_user(learner_user))
    print(json.dumps({
        "installed_apps": settings.INSTALLED_APPS,
        "settings": {name: str(getattr(settings, name, None)) for name in (
            "BASE_URL", "KEYS_DIR", "CONTENT_DIR", "HEARTBEAT_INTERVAL_SECONDS", "HEARTBEAT_MAX_CREDIT_SECONDS",
            "HEARTBEAT_IDLE_SECONDS", "USER_CACHE_SECONDS", "LTI_HTTP_TIMEOUT", "LTI_FETCH_TIMEOUT",
            "LTI_JWKS_REFETCH_SECONDS", "LTI_TOKEN_MAX_LIFETIME", "XBLOCK_SETTINGS", "LOCALE_PATHS")},
        "modules": modules,
        "events": [[kind, event, data] for kind, event, data in learner_runtime.published],
        "progress_html": learner_runtime.html(progress_block),
        "credited_hours": {c.credential.id: str(c.credited_hours) for c in progress.credentials},
        "dashboard_html": instructor_runtime.html(dashboard),
        "learner_dashboard_html": learner_runtime.html(learner_dashboard),
        "sync": synced,
        "xapi": xapi,
        "awards": [{"id": str(a.public_id), "credential": a.credential_id} for a in awards],
    }, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
