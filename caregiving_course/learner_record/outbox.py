"""The durable outbox: queue deliveries with the facts that cause them; let workers claim them.

This module keeps rows consistent: a row is claimed by one worker at a time under a lease that lapses if
the worker dies, and a delivered row is never handed out again. Who delivers a kind is registered in
:mod:`caregiving_course.learner_record.delivery` (the delivery contract); when and how often to try is the
policy of :mod:`sync`, which runs the handlers. Outside the record, entries are known as :class:`Entry`.
"""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import Count, F, Min
from django.db.models.functions import Greatest
from django.dispatch import Signal
from django.utils import timezone

from caregiving_course.learner_record.models import OutboxEntry

PENDING, DONE, DEAD = OutboxEntry.PENDING, OutboxEntry.DONE, OutboxEntry.DEAD
CHANNEL = "caregiving_outbox"  # PostgreSQL LISTEN/NOTIFY channel that says rows were queued
committed = Signal()  # sent in this process once a transaction that queued deliveries has committed


def announce() -> None:
    """Say that this transaction queued deliveries, so workers need not wait for their next poll: once it commits,
    :data:`committed` is sent in this process; on PostgreSQL a ``NOTIFY`` on :data:`CHANNEL` reaches every
    listening process at commit (never on rollback)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {CHANNEL}")
    transaction.on_commit(_send_committed)


def _send_committed() -> None:
    committed.send(sender=OutboxEntry)


def enqueue(kind: str, key: str, payload: dict, *, at: dt.datetime | None = None) -> OutboxEntry:
    """Queue a delivery; must run inside the transaction that records its cause.

    ``key`` names the effect (``badge.issue:<award>``); queuing the same key again returns the
    existing row, so callers may enqueue freely.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("outbox.enqueue must run inside the transaction that records its cause")
    try:
        with transaction.atomic():
            entry = OutboxEntry.objects.create(kind=kind, key=key, payload=payload,
                                               next_attempt_at=at or timezone.now())
        announce()
        return entry
    except IntegrityError:
        return OutboxEntry.objects.get(key=key)


def enqueue_many(kind: str, entries: list[tuple[str, dict]]) -> None:
    """Queue many deliveries of one kind at once (keys already queued are skipped); inside a transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("outbox.enqueue_many must run inside the transaction that records its cause")
    now = timezone.now()
    OutboxEntry.objects.bulk_create([OutboxEntry(kind=kind, key=key, payload=payload, next_attempt_at=now)
                                     for key, payload in entries], ignore_conflicts=True, batch_size=500)
    if entries:
        announce()


@dataclass
class Entry:
    """A claimed outbox row: what a delivery reads (the handlers and the runners outside the record know rows
    as this, and never import models). ``noted_in_doubt`` is filled for a claimed batch by the sync worker; a
    kind's ``prepare`` may attach what it looked up for the batch (so no ``__slots__``)."""

    id: int
    kind: str
    key: str
    payload: dict
    attempts: int
    lease_owner: str
    noted_in_doubt: bool | None = None

    @property
    def pk(self) -> int:
        """The row's primary key, as on a model row."""
        return self.id


def claim(worker: str, *, limit: int = 50, lease_seconds: int = 60,
          kinds: Iterable[str] | None = None) -> list[Entry]:
    """Claim up to ``limit`` due rows for ``worker`` under a lease; rows others hold are skipped.

    Two hand-built statements in one transaction, the rows read once into :class:`Entry`: a worker claims
    for every batch, and the ORM's building of model rows cost several times the queries themselves."""
    kinds = None if kinds is None else list(kinds)
    if kinds == []:
        return []
    now = timezone.now()
    owner, expires = worker[:64], now + dt.timedelta(seconds=lease_seconds)
    db = connections[DEFAULT_DB_ALIAS]
    at, until = db.ops.adapt_datetimefield_value(now), db.ops.adapt_datetimefield_value(expires)
    due = [PENDING, at, at, *(kinds or ()), limit]
    table, key = db.ops.quote_name(OutboxEntry._meta.db_table), db.ops.quote_name("key")
    if _plain_sqlite(db):  # straight to the driver, as a worker's other busiest writes
        select = _due_rows_sql(table, key, len(kinds or ()), False, "?")
        rows = db.immediate(functools.partial(_claim_on_driver, table, select, due, [owner, until]))
    else:
        select = _due_rows_sql(table, key, len(kinds or ()), db.features.has_select_for_update_skip_locked, "%s")
        with transaction.atomic(using=db.alias), db.cursor() as cursor:
            cursor.execute(select, due)
            rows = cursor.fetchall()
            if rows:
                cursor.execute(_lease_sql(table, len(rows), "%s"), [owner, until, *(row[0] for row in rows)])
    decode = _PAYLOAD.from_db_value
    return [Entry(entry_id, kind, key, decode(payload, None, db), attempts, owner)
            for entry_id, kind, key, payload, attempts in rows]


_PAYLOAD = OutboxEntry._meta.get_field("payload")


def _claim_on_driver(table: str, select: str, due: list, lease: list, driver) -> list[tuple]:
    rows = driver.execute(select, due).fetchall()
    if rows:
        driver.execute(_lease_sql(table, len(rows), "?"), [*lease, *(row[0] for row in rows)])
    return rows


@functools.lru_cache(maxsize=64)
def _due_rows_sql(table: str, key: str, kinds: int, skip_locked: bool, mark: str) -> str:
    """The due rows nobody holds, oldest first, with ``kinds`` placeholders (``mark``) for the kinds asked for
    (0: any kind). Names are ours, quoted; every value is a parameter."""
    of_kinds = f" AND kind IN ({', '.join([mark] * kinds)})" if kinds else ""
    return (f"SELECT id, kind, {key}, payload, attempts FROM {table} WHERE status = {mark} "  # noqa: S608
            f"AND next_attempt_at <= {mark} AND (lease_expires_at IS NULL OR lease_expires_at < {mark}){of_kinds} "
            f"ORDER BY next_attempt_at, id LIMIT {mark}" + (" FOR UPDATE SKIP LOCKED" if skip_locked else ""))


@functools.lru_cache(maxsize=256)
def _lease_sql(table: str, rows: int, mark: str) -> str:
    """Lease ``rows`` claimed rows (owner, expiry, then their ids), with ``mark`` placeholders."""
    return (f"UPDATE {table} SET lease_owner = {mark}, lease_expires_at = {mark} "  # noqa: S608
            f"WHERE id IN ({', '.join([mark] * rows)})")


START = (f"UPDATE {OutboxEntry._meta.db_table} SET attempts = attempts + 1 "  # noqa: S608
         "WHERE id = %s AND status = %s AND lease_owner = %s")


def start_attempt(entry: Entry, settle: list[tuple[int, dict]] | None = None) -> bool:
    """Count an attempt of a claimed row, committed before its request is sent (a claim alone is no attempt:
    rows a worker claimed and never started when it died keep their count). False when the worker no longer
    holds the row (its lease lapsed and another worker claimed it): do not send.

    ``settle`` holds successes not yet recorded, as (entry id, result): they are marked done in the same
    transaction, before the attempt counts, and the list is emptied once that commits. A worker delivering LTI
    scores so spends one commit per delivery, not two, and makes it while the previous score's request is at the
    platform (:mod:`sync.pipeline`)."""
    params = [entry.id, OutboxEntry.PENDING, entry.lease_owner[:64]]
    db = connections[DEFAULT_DB_ALIAS]  # once: each attribute of the ``connection`` proxy is a lookup
    done = _done_rows(db, settle) if settle else []
    if _plain_sqlite(db):
        started = db.immediate(functools.partial(_start_on_driver, done, params))
    else:
        with transaction.atomic(using=db.alias), db.cursor() as cursor:  # a transaction: queued with the writers
            if done:
                cursor.executemany(COMPLETE, done)
            cursor.execute(START, params)
            started = cursor.rowcount == 1
    if settle:
        settle.clear()
    if started:
        entry.attempts += 1
    return started


def _plain_sqlite(db) -> bool:
    """SQLite through our engine (``caregiving_course.sqlite``), in autocommit, queries neither logged nor wrapped
    (``execute_wrapper``): the busiest writes of a worker go straight to the driver
    (:meth:`~caregiving_course.sqlite.base.DatabaseWrapper.immediate`), without Django's transaction and cursor
    layers."""
    return (db.vendor == "sqlite" and hasattr(db, "immediate") and not db.in_atomic_block and not db.queries_logged
            and not db.execute_wrappers)


def _start_on_driver(done: list[list], params: list, driver) -> bool:
    if done:
        driver.executemany(SQLITE_COMPLETE, done)
    return driver.execute(SQLITE_START, params).rowcount == 1


# A worker marks every delivery done as it succeeds (LTI scores one commit each): building this update
# through the ORM cost more than the score's HTTP round trip, so it is one hand-built statement.
COMPLETE = (f"UPDATE {OutboxEntry._meta.db_table} SET status = %s, done_at = %s, result = %s, "  # noqa: S608
            "lease_owner = '', lease_expires_at = NULL, last_error = '' WHERE id = %s AND status <> %s")


SQLITE_START, SQLITE_COMPLETE = (sql.replace("%s", "?") for sql in (START, COMPLETE))  # the driver's placeholders


def complete(entry_id: int, result: dict | None = None) -> None:
    """Mark a delivery done: it will never be handed out again."""
    db = connections[DEFAULT_DB_ALIAS]
    (row,) = _done_rows(db, [(entry_id, result)])
    if _plain_sqlite(db):
        db.ensure_connection()
        with db.wrap_database_errors:
            db.connection.execute(SQLITE_COMPLETE, row)  # one statement: it commits by itself
        return
    with db.cursor() as cursor:
        cursor.execute(COMPLETE, row)


def _done_rows(db, done: list[tuple[int, dict | None]]) -> list[list]:
    """The parameters of :data:`COMPLETE` for successes (entry id, result)."""
    now = db.ops.adapt_datetimefield_value(timezone.now())
    return [[OutboxEntry.DONE, now, db.ops.adapt_json_value(result or {}, None), entry_id, OutboxEntry.DONE]
            for entry_id, result in done]


def _held(entry_id: int, owner: str | None):
    """The pending row, and with ``owner`` only while that worker still holds it: a worker whose lease
    lapsed and was claimed by another must not release or bury the other's delivery."""
    rows = OutboxEntry.objects.filter(id=entry_id, status=OutboxEntry.PENDING)
    return rows if owner is None else rows.filter(lease_owner=owner[:64])


def reschedule(entry_id: int, at: dt.datetime, error: str, *, owner: str | None = None,
               attempted: bool = True) -> bool:
    """Release the lease and try again at ``at``; ``error`` says what went wrong (shown to admins).
    ``attempted=False`` takes back the attempt counted when nothing was sent (it waits for another delivery).
    False when the row is no longer pending (or no longer held by ``owner``)."""
    undo = {} if attempted else {"attempts": Greatest(F("attempts") - 1, 0)}
    return bool(_held(entry_id, owner).update(
        next_attempt_at=at, last_error=error[:4000], lease_owner="", lease_expires_at=None, **undo))


def dead_letter(entry_id: int, error: str, *, owner: str | None = None) -> bool:
    """Stop trying: an administrator must look (``caregiving sync status``) and may retry.
    False when the row is no longer pending (or no longer held by ``owner``)."""
    return bool(_held(entry_id, owner).update(
        status=OutboxEntry.DEAD, last_error=error[:4000], lease_owner="", lease_expires_at=None))


def retry(entry_id: int) -> bool:
    """Put a dead-lettered delivery back in the queue now; False if there is no such dead row."""
    return bool(OutboxEntry.objects.filter(id=entry_id, status=OutboxEntry.DEAD).update(
        status=OutboxEntry.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""))


def counts(kind: str | None = None, key_prefix: str = "") -> dict[str, int]:
    """How many deliveries are pending, done and dead-lettered (of ``kind`` and keys starting ``key_prefix``)."""
    rows = OutboxEntry.objects.all()
    if kind is not None:
        rows = rows.filter(kind=kind, key__startswith=key_prefix)
    found = dict(rows.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return {status: found.get(status, 0) for status, _ in OutboxEntry.STATUSES}


def drop_pending(kind: str, key_prefix: str) -> int:
    """Delete the pending deliveries of ``kind`` whose keys start ``key_prefix`` (a channel removed); how many."""
    return OutboxEntry.objects.filter(kind=kind, key__startswith=key_prefix, status=OutboxEntry.PENDING).delete()[0]


def entries(status: str | None = None, *, limit: int = 100, kinds: Iterable[str] | None = None) -> list[OutboxEntry]:
    """Recent deliveries, newest first, for status pages."""
    rows = OutboxEntry.objects.all()
    if status:
        rows = rows.filter(status=status)
    if kinds is not None:
        rows = rows.filter(kind__in=list(kinds))
    return list(rows.order_by("-id")[:limit])


def get(entry_id: int) -> OutboxEntry | None:
    return OutboxEntry.objects.filter(id=entry_id).first()


def _due(kinds: Iterable[str] | None, within_seconds: float = 0):
    rows = OutboxEntry.objects.filter(status=OutboxEntry.PENDING,
                                      next_attempt_at__lte=timezone.now() + dt.timedelta(seconds=within_seconds))
    return rows if kinds is None else rows.filter(kind__in=list(kinds))


def due_count(kinds: Iterable[str] | None = None) -> int:
    """How many pending deliveries (of ``kinds``) are due now."""
    return _due(kinds).count()


def due_entries(kinds: Iterable[str] | None = None, *, limit: int = 1000) -> list[OutboxEntry]:
    """Pending deliveries due now, in the order workers take them (for ``sync --dry-run``)."""
    return list(_due(kinds).order_by("next_attempt_at", "id")[:limit])


def failing_count(kinds: Iterable[str] | None = None) -> int:
    """Pending deliveries whose last attempt failed (waiting out a back-off): due or not, they are overdue."""
    rows = OutboxEntry.objects.filter(status=OutboxEntry.PENDING, attempts__gt=0).exclude(last_error="")
    return (rows if kinds is None else rows.filter(kind__in=list(kinds))).count()


def next_due_at(kinds: Iterable[str] | None = None) -> dt.datetime | None:
    """When the soonest pending delivery (of ``kinds``) falls due; None when nothing is pending."""
    rows = OutboxEntry.objects.filter(status=OutboxEntry.PENDING)
    rows = rows if kinds is None else rows.filter(kind__in=list(kinds))
    return rows.aggregate(at=Min("next_attempt_at"))["at"]


def any_due_within(seconds: float, kinds: Iterable[str] | None = None) -> bool:
    """Whether a pending delivery falls due within ``seconds``."""
    return _due(kinds, seconds).exists()


def get_by_key(key: str) -> OutboxEntry | None:
    return OutboxEntry.objects.filter(key=key).first()
