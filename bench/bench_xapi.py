"""xAPI statements delivered per second to a real LRS (Ralph, filesystem backend), against a bare loop.

The peer, in the same run, is a keep-alive ``requests`` loop PUTting the statements one by one; ours queues
statements of the same shape in the outbox (SQLite) and drains it with a delivery worker (claim under a
lease, PUT, record the success). Ralph's filesystem backend reads its whole file on each write, so each side
writes to a Ralph of its own that starts empty. Ralph runs from its own venv (``tests/records/setup-ralph.sh``).
"""
from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

from bench.common import fresh_database, setup_django

COUNT = 300
AT = dt.datetime(2026, 11, 3, 15, 30, tzinfo=dt.UTC)


def _statements(first_learner: int, count: int) -> list[dict]:
    from caregiving_course.framework import catalogue
    from sync.xapi import statements as st

    course = catalogue()
    rows = [SimpleNamespace(id=first_learner + i, learner_id=first_learner + i, score=0.9, credited_hours=2,
                            time_on_task_seconds=5400 + i, completed_at=AT) for i in range(count)]
    return [st.completed(row, course.modules[0], course) for row in rows]


def _ralph():
    from tests.records.ralph import Ralph

    return Ralph(Path(tempfile.mkdtemp(prefix="bench-ralph-"))).start()


def _bare_loop(url: str, statements: list[dict]) -> float:
    import requests

    from sync.xapi.delivery import TIMEOUT, VERSION
    from tests.records.ralph import PASSWORD, USER

    session = requests.Session()
    start = 0.0
    for i, s in enumerate(statements):
        if i == 1:  # the first one opened the connection
            start = time.perf_counter()
        answer = session.put(f"{url}/xAPI/statements", params={"statementId": s["id"]}, json=s, timeout=TIMEOUT,
                             auth=(USER, PASSWORD), headers={"X-Experience-API-Version": VERSION})
        assert answer.status_code == 204, answer.text
    return (len(statements) - 1) / (time.perf_counter() - start)


def _outbox(url: str, statements: list[dict]) -> tuple[float, int]:
    from django.db import transaction

    from caregiving_course.learner_record import outbox
    from sync.delivery import RetryPolicy
    from sync.worker import Worker
    from sync.xapi.delivery import put_statement
    from sync.xapi.feed import KIND
    from sync.xapi.models import LrsEndpoint
    from tests.records.ralph import PASSWORD, USER

    lrs = LrsEndpoint.objects.create(name="bench", endpoint=f"{url}/xAPI", username=USER, password=PASSWORD)
    assert put_statement(lrs, statements[0]).status_code == 204  # the first one opened the connection
    with transaction.atomic():
        outbox.enqueue_many(KIND, [(f"xapi:{lrs.pk}:{s['id']}", {"lrs": lrs.pk, "statement": s})
                                   for s in statements[1:]])
    worker = Worker(policy=RetryPolicy(max_attempts=3), kinds=[KIND])
    start = time.perf_counter()
    summary = worker.drain()
    rate = summary.delivered / (time.perf_counter() - start)
    assert summary.delivered == len(statements) - 1, summary.outcomes
    return rate, summary.delivered


def main() -> None:
    setup_django(fresh_database("sqlite", "bench_xapi"))
    peer_lrs, our_lrs = _ralph(), _ralph()
    try:
        peer = _bare_loop(peer_lrs.url, _statements(1, COUNT))
        ours, delivered = _outbox(our_lrs.url, _statements(100_000, COUNT))
        held = len(our_lrs.statements())
    finally:
        peer_lrs.stop()
        our_lrs.stop()
    print(f"bare keep-alive PUT loop to Ralph:  {peer:,.1f} statements/s")
    print(f"outbox + delivery worker to Ralph:  {ours:,.1f} statements/s ({delivered} delivered, Ralph holds {held})")
    print(f"ratio outbox / bare loop: {ours / peer:.3f}")


if __name__ == "__main__":
    main()
