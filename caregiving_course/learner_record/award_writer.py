"""Set-based awarding: one credential's awards for a batch of learners, with their outbox entries.

``INSERT … SELECT`` writes the awards: the database draws each public id and gathers the evidence
as references to the records that earned it (resolved by :mod:`award_evidence`). A row that the
(learner, credential) constraint refuses, because a concurrent evaluator wrote it first, is
skipped; ``RETURNING`` tells which rows this call wrote, and only those get a ``badge.issue``
entry, written by a second ``INSERT … SELECT`` that skips keys already queued. The caller holds
the transaction, so each award commits with its outbox entry.
"""
from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.db import connection

from caregiving_course.framework import Course
from caregiving_course.learner_record.credit_sql import Params, closure, evidence_sources, scope_sql, table
from caregiving_course.learner_record.models import Award, Learner, OutboxEntry
from caregiving_course.learner_record.progress import BATCH
from caregiving_course.learner_record.sql_dialect import (
    concat,
    insert_ignoring_conflicts,
    json_object,
    random_uuid,
    reference_array,
    uuid_text,
)

ISSUE = "badge.issue"
AWARD_COLUMNS = ["public_id", "learner_id", "credential_id", "status", "credited_hours", "evidence", "earned_at",
                 "revoke_reason"]
OUTBOX_COLUMNS = ["key", "kind", "payload", "status", "attempts", "next_attempt_at", "lease_owner", "last_error",
                  "result", "created_at"]
LOADED = [f.attname for f in Award._meta.concrete_fields if f.attname != "evidence"]  # evidence loads on access


def award(course: Course, position: int, learner_ids: list[int], now: dt.datetime) -> list[Award]:
    """Award credential ``position`` to each of ``learner_ids`` not holding it yet; queue each new award.

    The caller has checked that they meet it; returns the awards this call wrote (their evidence
    is left deferred: reading it loads the references).
    """
    cred = course.credentials[position]
    hours = sum((c.hours for c in closure(cred, course)), Decimal(0))
    created = []
    with connection.cursor() as cursor:
        for start in range(0, len(learner_ids), BATCH):
            p = Params()
            evidence = reference_array(evidence_sources(course, position, "l.id", p))
            select = (f"SELECT {random_uuid()}, l.id, {p(cred.id)}, {p(Award.EARNED)}, {hours}, {evidence}, "  # noqa: S608
                      f"{p(_db_time(now))}, {p('')} FROM {table(Learner)} l "
                      f"WHERE {scope_sql(learner_ids[start:start + BATCH], 'l.id')}")
            cursor.execute(insert_ignoring_conflicts(Award._meta.db_table, AWARD_COLUMNS, select,
                                                     returning="id, public_id, learner_id"), p)
            rows = cursor.fetchall()
            if rows:
                _queue(cursor, [r[0] for r in rows], now)
            created += [_award(row, cred.id, hours, now) for row in rows]
    return created


def _db_time(now: dt.datetime):
    return connection.ops.adapt_datetimefield_value(now)


def _queue(cursor, award_ids: list[int], now: dt.datetime) -> None:
    """``badge.issue:<public id>`` entries for these awards (payload: award, credential, learner)."""
    p = Params()
    public = uuid_text("a.public_id")
    payload = json_object(("award", public), ("credential", "a.credential_id"), ("learner", "a.learner_id"))
    at = p(_db_time(now))
    select = (f"SELECT {concat(p(ISSUE + ':'), public)}, {p(ISSUE)}, {payload}, {p(OutboxEntry.PENDING)}, 0, {at}, "  # noqa: S608
              f"{p('')}, {p('')}, {p('{}')}, {at} FROM {table(Award)} a WHERE {scope_sql(award_ids, 'a.id')}")
    cursor.execute(insert_ignoring_conflicts(OutboxEntry._meta.db_table, OUTBOX_COLUMNS, select), p)


def _award(row, credential_id: str, hours: Decimal, now: dt.datetime) -> Award:
    pk, public_id, learner_id = row
    if not isinstance(public_id, uuid.UUID):
        public_id = uuid.UUID(public_id)
    values = {"id": pk, "public_id": public_id, "learner_id": learner_id, "credential_id": credential_id,
              "status": Award.EARNED, "credited_hours": hours, "earned_at": now, "revoke_reason": ""}
    return Award.from_db(connection.alias, LOADED, [values.get(name) for name in LOADED])
