"""Waking delivery the moment an outbox entry is committed; the poll stays as the safety net.

In one process, the outbox's ``committed`` signal (sent from ``transaction.on_commit``) sets an event. Across
processes on PostgreSQL, a listener thread holds its own connection ``LISTEN``-ing on the outbox's channel and sets
the same event on each ``NOTIFY`` (sent in the transaction that queued the rows, so delivered at its commit). Other
databases have no such channel: a separate worker process finds new rows at its next poll.
"""
from __future__ import annotations

import logging
import threading

from django.db import connections

from caregiving_course.learner_record import outbox

log = logging.getLogger(__name__)
_event = threading.Event()
LIBPQ_OPTIONS = ("sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout", "application_name", "options",
                 "service", "passfile", "target_session_attrs")


def wake(**_signal_kwargs) -> None:
    """Something was queued: wake whoever waits in :func:`wait`."""
    _event.set()


def wait(timeout: float) -> bool:
    """Wait up to ``timeout`` seconds for a wake-up; True when one came (and clears it)."""
    woken = _event.wait(timeout)
    _event.clear()
    return woken


def connect_signal() -> None:
    """Wake on every commit that queued deliveries in this process (called from ``SyncConfig.ready``)."""
    outbox.committed.connect(wake, dispatch_uid="sync.wakeup")


def _pg_params(alias: str = "default") -> dict:
    conf = connections[alias].settings_dict
    params = {"dbname": conf["NAME"], "user": conf.get("USER") or None, "password": conf.get("PASSWORD") or None,
              "host": conf.get("HOST") or None, "port": conf.get("PORT") or None}
    params.update({k: v for k, v in (conf.get("OPTIONS") or {}).items() if k in LIBPQ_OPTIONS})
    return {k: v for k, v in params.items() if v is not None}


class Listener(threading.Thread):
    """PostgreSQL ``LISTEN`` on the outbox channel in a thread of its own, reconnecting after errors."""

    def __init__(self, stop: threading.Event):
        super().__init__(name="sync-outbox-listener", daemon=True)
        self.stop = stop
        self.listening = threading.Event()

    def run(self) -> None:
        import psycopg

        while not self.stop.is_set():
            try:
                with psycopg.connect(**_pg_params(), autocommit=True) as conn:
                    conn.execute(f"LISTEN {outbox.CHANNEL}")
                    self.listening.set()
                    wake()  # rows may have been committed while nobody listened
                    while not self.stop.is_set():
                        for _notice in conn.notifies(timeout=1.0):
                            wake()
            except psycopg.Error:
                log.warning("sync: outbox listener lost its connection; polling until it is back", exc_info=True)
                self.listening.clear()
                self.stop.wait(5.0)


def listen(stop: threading.Event) -> Listener | None:
    """Start the PostgreSQL listener (None on other databases); it ends when ``stop`` is set."""
    if connections["default"].vendor != "postgresql":
        return None
    listener = Listener(stop)
    listener.start()
    return listener
