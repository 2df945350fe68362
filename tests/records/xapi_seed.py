"""For tests that deliver xAPI statements from other processes (``python -m tests.records.xapi_seed``):
migrate the database named by ``DATABASE_URL``, add an LRS at ``--url`` and queue ``--statements`` statements;
``--report`` prints the outbox counts and the queued statement ids as JSON."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from types import SimpleNamespace


def queue(url: str, count: int, first: int) -> None:
    from django.db import transaction

    from caregiving_course.framework import catalogue
    from caregiving_course.learner_record import outbox
    from sync.xapi import statements as st
    from sync.xapi.feed import KIND
    from sync.xapi.models import LrsEndpoint
    from tests.records.ralph import PASSWORD, USER

    lrs, _ = LrsEndpoint.objects.get_or_create(name="partner", defaults={
        "endpoint": f"{url}/xAPI", "username": USER, "password": PASSWORD})
    course = catalogue()
    at = dt.datetime(2026, 11, 3, 15, 30, tzinfo=dt.UTC)
    rows = [SimpleNamespace(id=i, learner_id=i, score=0.9, credited_hours=2, time_on_task_seconds=60 + i,
                            completed_at=at) for i in range(first, first + count)]
    with transaction.atomic():
        outbox.enqueue_many(KIND, [(f"xapi:{lrs.pk}:{s['id']}", {"lrs": lrs.pk, "statement": s})
                                   for s in (st.completed(r, course.modules[0], course) for r in rows)])


def report() -> dict:
    from django.db.models import Count

    from caregiving_course.learner_record.models import OutboxEntry

    rows = OutboxEntry.objects.filter(kind="xapi.statement")
    counts = dict(rows.values_list("status").annotate(n=Count("id")))
    return {"counts": {s: counts.get(s, 0) for s in ("pending", "done", "dead")},
            "ids": [p["statement"]["id"] for p in rows.values_list("payload", flat=True)]}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="")
    parser.add_argument("--statements", type=int, default=0)
    parser.add_argument("--first", type=int, default=1)
    parser.add_argument("--report", action="store_true")
    args = parser.parse_args(argv)
    from caregiving_course.cli.main import setup_django

    setup_django()
    from caregiving_course.cli.database import ensure_migrated

    ensure_migrated()
    if args.statements:
        queue(args.url, args.statements, args.first)
    if args.report:
        print(json.dumps(report()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
