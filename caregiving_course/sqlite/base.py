"""Django's SQLite backend, with the writers of one process queued on a lock.

SQLite admits one writer at a time, and our transactions begin IMMEDIATE (they take the write lock
at BEGIN). A thread that finds the lock taken sleeps in SQLite's busy handler for 1, 2, 5, 10 … ms
before it tries again, so under a burst of heartbeats the server's threads spent most of their time
asleep while the lock stood free. Here the threads of one process queue on a Python lock instead
and each is woken as soon as the previous transaction ends. SQLite's busy timeout still arbitrates
between processes (the command line beside a running server), and a thread that waits longer than
``QUEUE_TIMEOUT`` goes on to SQLite's own waiting, so nothing can hang on the queue.

:meth:`DatabaseWrapper.immediate` is the same transaction for the busiest writes (a heartbeat), on the
driver's connection without Django's transaction and cursor layers.
"""
from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from typing import TypeVar

from django.db.backends.sqlite3 import base

T = TypeVar("T")
QUEUE_TIMEOUT = 10.0  # seconds, as the busy timeout in settings

_queues: dict[str, threading.Lock] = {}
_queues_lock = threading.Lock()


def _queue(name) -> threading.Lock:
    key = str(name)
    queue = _queues.get(key)  # every write asks; only the first for a database takes the lock
    if queue is None:
        with _queues_lock:
            queue = _queues.setdefault(key, threading.Lock())
    return queue


class DatabaseWrapper(base.DatabaseWrapper):
    _queued: threading.Lock | None = None

    def _start_transaction_under_autocommit(self) -> None:
        queue = _queue(self.settings_dict["NAME"])
        if queue.acquire(timeout=QUEUE_TIMEOUT):
            self._queued = queue
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._leave_queue()
            raise

    def _set_autocommit(self, autocommit: bool) -> None:
        super()._set_autocommit(autocommit)
        if autocommit:
            self._leave_queue()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._leave_queue()

    def immediate(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """``work(connection)`` between ``BEGIN IMMEDIATE`` and ``COMMIT`` (``ROLLBACK`` on any error), in turn
        with the other writers of this process, on the driver's connection (``?`` placeholders); returns what
        ``work`` returns. Only in autocommit: inside a Django transaction use ``transaction.atomic``. Driver
        errors come out as Django's database errors; any other exception ``work`` raises comes out as is."""
        if self.in_atomic_block:
            raise RuntimeError("immediate() inside a Django transaction; use transaction.atomic")
        if self.connection is None:
            self.ensure_connection()
        queue = _queue(self.settings_dict["NAME"])
        queued = queue.acquire(timeout=QUEUE_TIMEOUT)
        connection = self.connection
        try:
            connection.execute("BEGIN IMMEDIATE")
            try:
                result = work(connection)
                connection.commit()
            except BaseException:
                connection.rollback()
                raise
        except sqlite3.Error:
            with self.wrap_database_errors:  # only on the way out: building the wrapper costs a beat's statement
                raise
        finally:
            if queued:
                queue.release()
        return result

    def _leave_queue(self) -> None:
        queue, self._queued = self._queued, None
        if queue is not None:
            queue.release()
