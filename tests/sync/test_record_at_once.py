"""Kinds registered with ``record_at_once`` (LTI scores) are committed the moment the platform accepts them."""
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


def test_one_success_is_one_statement_in_autocommit(monkeypatch):
    """A success recorded at once is a single UPDATE, which commits by itself: no transaction block
    (BEGIN and COMMIT around it) is spent on it; a batch of several still shares one transaction."""
    from django.db import connection

    in_block: list[bool] = []
    complete = outbox.complete
    monkeypatch.setattr(outbox, "complete",
                        lambda *args: in_block.append(connection.in_atomic_block) or complete(*args))
    assert _run_two("test.at-once-autocommit", at_once=True) == [OutboxEntry.DONE]
    assert in_block == [False, False]
    in_block.clear()
    _run_two("test.batched-block", at_once=False)
    assert in_block == [True, True]
