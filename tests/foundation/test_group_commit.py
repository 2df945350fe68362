"""Group commit (learner_record.group_commit): writes of many threads, each committed before its thread returns."""
from __future__ import annotations

import threading
import time

import pytest

from caregiving_course.learner_record import group_commit
from caregiving_course.learner_record.group_commit import write_grouped


class Write:
    def __init__(self, number: int) -> None:
        self.number, self.written = number, False


def wait_until(condition, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def queued(key) -> int:
    return len(group_commit._groups[key].waiting)


def held_group(key, write_batch, others: list[Write]) -> tuple[list, list]:
    """Write ``Write(0)`` under ``key`` and hold its transaction until every one of ``others`` is queued behind it;
    returns (each thread's outcome: True if its write was settled when it returned, or the exception it raised,
    the batches written)."""
    batches, release, outcomes = [], threading.Event(), []

    def hold_first(items):
        batches.append(list(items))
        if len(batches) == 1:
            assert release.wait(10)
        write_batch(items)

    def write(item):
        try:
            write_grouped(key, item, hold_first)
            outcomes.append(item.written)
        except Exception as error:  # the test asserts on it
            outcomes.append(error)

    first = threading.Thread(target=write, args=(Write(0),), daemon=True)
    first.start()
    wait_until(lambda: len(batches) == 1)
    threads = [threading.Thread(target=write, args=(item,), daemon=True) for item in others]
    for thread in threads:
        thread.start()
    wait_until(lambda: queued(key) == len(others))
    release.set()
    for thread in [first, *threads]:
        thread.join(10)
    return outcomes, batches


def mark_written(items) -> None:
    for item in items:
        item.written = True


def test_a_write_alone_is_written_at_once_by_its_own_thread():
    calls = []
    item = Write(1)
    assert write_grouped("alone", item, lambda items: calls.append((threading.get_ident(), items))) is item
    assert calls == [(threading.get_ident(), [item])]
    assert not group_commit._groups["alone"].writing


def test_writes_queued_behind_a_transaction_are_written_together_and_each_once():
    others = [Write(n) for n in range(1, 9)]
    outcomes, batches = held_group("together", mark_written, others)
    assert [item.number for item in batches[0]] == [0]
    assert len(batches) == 2 and sorted(item.number for item in batches[1]) == list(range(1, 9))
    assert outcomes == [True] * 9  # no thread returned before its write was written
    assert not group_commit._groups["together"].writing and queued("together") == 0


def test_an_error_reaches_every_thread_of_its_group_only_and_the_next_write_goes_ahead():
    def fail_second_group(items):
        if items[0].number:
            raise ValueError("disk full")
        mark_written(items)

    others = [Write(n) for n in range(1, 5)]
    outcomes, batches = held_group("failing", fail_second_group, others)
    assert len(batches) == 2
    assert outcomes[0] is True  # the first group committed
    errors = outcomes[1:]
    assert len(errors) == 4 and all(isinstance(e, ValueError) and str(e) == "disk full" for e in errors)
    assert len({id(e) for e in errors}) == 4  # each thread raises its own copy (tracebacks do not mix)
    assert not any(item.written for item in others)
    later = Write(9)
    write_grouped("failing", later, mark_written)
    assert later.written


def test_an_interrupted_writer_leaves_no_thread_waiting():
    with pytest.raises(KeyboardInterrupt):
        write_grouped("interrupted", Write(1), lambda items: (_ for _ in ()).throw(KeyboardInterrupt))
    item = Write(2)
    write_grouped("interrupted", item, mark_written)
    assert item.written
