"""Kinds registered with ``record_at_once`` (LTI scores) are recorded with the next attempt, not with the batch.

These handlers answer without waiting on a platform, so nothing is committed during a request: each success is
committed with the next delivery's attempt, before its handler runs. A handler that waits for an answer has the next
attempt committed during that wait instead (tests/lti_scores/test_pipeline.py)."""
from __future__ import annotations

import pytest
from django.db import transaction

from caregiving_course.learner_record import delivery as contract
from caregiving_course.learner_record import outbox
from caregiving_course.learner_record.models import OutboxEntry
from sync.worker import Summary, Worker

pytestmark = pytest.mark.django_db(transaction=True)


def _run_two(kind: str, at_once: bool) -> list[str]:
    """Deliver two entries of ``kind``; while handling the second, note the first one's stored status."""
    seen: list[str] = []

    def handler(entry):
        if entry.key.endswith(":2"):
            seen.append(OutboxEntry.objects.get(key=f"{kind}:1").status)
        return {"ok": True}

    contract.register_handler(kind, handler, replace=True, record_at_once=at_once)
    with transaction.atomic():
        for n in (1, 2):
            outbox.enqueue(kind, f"{kind}:{n}", {"n": n})
    Worker("test", kinds=[kind]).run_batch(Summary())
    return seen


def test_lti_scores_are_recorded_at_once():
    import lti_bridge.apps  # noqa: F401 - registration happens in its ready()

    assert contract.records_at_once("lti.score") and contract.records_at_once("lti11.outcome")
    assert not contract.records_at_once("badge.issue")


def test_at_once_kind_is_done_before_the_next_delivery_starts():
    assert _run_two("test.at-once", at_once=True) == [OutboxEntry.DONE]


def test_batched_kind_is_recorded_with_its_batch():
    assert _run_two("test.batched", at_once=False) == [OutboxEntry.PENDING]


def test_a_success_is_recorded_with_the_next_attempt_in_one_transaction():
    """A success recorded at once shares the transaction that counts the next delivery's attempt (committed
    before that delivery's request goes out): one commit per delivery, not two. The last success of the batch
    is one statement on its own, committed by itself in autocommit mode; a batched kind still waits for its
    batch's transaction. (Watching the statements takes Django's cursors; on SQLite, unwatched, the same
    statements go to the driver in the same transactions.)"""
    from django.db import connection

    from caregiving_course.learner_record.models import OutboxEntry as Row

    statements: list[tuple[str, object]] = []

    def spy(execute, sql, params, many, context):
        if sql.startswith(f"UPDATE {Row._meta.db_table} SET"):
            kind = "complete" if "done_at" in sql else "start" if "attempts = attempts + 1" in sql else "other"
            statements.append((kind, connection.atomic_blocks[0] if connection.in_atomic_block else None))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        assert _run_two("test.at-once-shared", at_once=True) == [OutboxEntry.DONE]
    kinds = [kind for kind, _ in statements if kind != "other"]
    assert kinds == ["start", "complete", "start", "complete"]
    (_, first), (_, settled), (_, second), (_, last) = [s for s in statements if s[0] != "other"]
    assert first is not None and settled is second and settled is not first and last is None
    statements.clear()
    with connection.execute_wrapper(spy):
        _run_two("test.batched-block", at_once=False)
    blocks = [block for kind, block in statements if kind == "complete"]
    assert len(blocks) == 2 and blocks[0] is blocks[1] is not None
