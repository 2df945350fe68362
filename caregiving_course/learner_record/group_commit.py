"""Writes of many threads committed together (group commit): the heartbeats.

SQLite admits one writer at a time. When every server thread runs its own short transaction, the threads
queue for the write lock, and each transaction's statements hand the interpreter lock back and forth with
the threads around it; under a burst of heartbeats that cost more than the writes themselves. PostgreSQL runs
writers side by side, but each beat written alone was a round trip and a commit: with eight threads recording
beats, the beats of a group sent as one statement cost our process about a quarter less CPU per beat and
PostgreSQL about half (``bench.bench_heartbeats`` shows PostgreSQL's share of a beat).

:func:`write_grouped` lets a thread leave its write with the others of the same kind: the thread that
finds no write of that kind in progress writes everything queued (its own included) with one call of
``write_batch``, which runs one transaction; the threads whose writes it took wait for it. Every write
has committed (or failed) before its thread returns, so nothing is answered before it is stored. When
the writer finishes, the first thread still waiting writes the next group, so no thread writes for
others for longer than one transaction. A thread alone writes its own at once.
"""
from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")


class _Ticket:
    """One thread's write in a group; ``done`` is held until the write is settled (a lock is the cheapest signal)."""

    __slots__ = ("done", "error", "item", "leads")

    def __init__(self, item) -> None:
        self.item, self.done, self.leads, self.error = item, threading.Lock(), False, None
        self.done.acquire()


class _Group:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.waiting: list[_Ticket] = []
        self.writing = False


_groups: dict[Hashable, _Group] = {}
_groups_lock = threading.Lock()


def _group(key: Hashable) -> _Group:
    group = _groups.get(key)
    if group is None:
        with _groups_lock:
            group = _groups.setdefault(key, _Group())
    return group


def write_grouped(key: Hashable, item: T, write_batch: Callable[[list[T]], None]) -> T:
    """Have ``write_batch(items)`` write ``item`` with the items other threads are writing under ``key``.

    ``write_batch`` runs in whichever thread writes the group (on that thread's database connection), writes
    every item in one transaction and records each one's outcome on the item; an error it raises undoes the
    group and is raised in each of its threads. Returns ``item`` once its group has committed.
    """
    group = _group(key)
    ticket = _Ticket(item)
    with group.lock:
        group.waiting.append(ticket)
        leads = ticket.leads = not group.writing
        group.writing = True
    if not leads:
        ticket.done.acquire()
        if not ticket.leads:  # another thread wrote it
            if ticket.error is not None:
                raise copy.copy(ticket.error)
            return item
    with group.lock:
        batch, group.waiting = group.waiting, []
    error = None
    try:
        write_batch([t.item for t in batch])
    except BaseException as exc:  # every thread of the group learns it, then this one raises it
        error = exc
    with group.lock:
        if group.waiting:  # the next group's first thread writes it
            group.waiting[0].leads = True
            group.waiting[0].done.release()
        else:
            group.writing = False
    for other in batch:
        if other is not ticket:
            other.error = error
            other.done.release()
    if error is not None:
        raise error
    return item
