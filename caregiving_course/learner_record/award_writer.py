"""Set-based awarding: one credential's awards for a batch of learners, with their outbox entries.

``INSERT … SELECT`` writes the awards: the database draws each public id and gathers, in one
grouped pass, the evidence as references to the records that earned it (resolved by
:mod:`award_evidence`). A row that the (learner, credential) constraint refuses, because a
concurrent evaluator wrote it first, is skipped; ``RETURNING`` tells which rows this call wrote,
and only those get a ``badge.issue`` entry, written by a second ``INSERT … SELECT`` that skips
keys already queued. The caller holds
the transaction, so each award commits with its outbox entry.
"""
from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.db import connection
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init

from caregiving_course.framework import Course
from caregiving_course.learner_record import outbox
from caregiving_course.learner_record.credit_sql import (
    IDS_PER_STATEMENT,
    Params,
    closure,
    evidence_rows,
    scope_sql,
    table,
)
from caregiving_course.learner_record.models import Award, OutboxEntry
from caregiving_course.learner_record.sql_dialect import (
    concat,
    insert_ignoring_conflicts,
    json_object,
    json_references,
    random_uuid,
    uuid_text,
)

ISSUE = "badge.issue"
AWARD_COLUMNS = ["public_id", "learner_id", "credential_id", "status", "credited_hours", "evidence", "earned_at",
                 "revoke_reason"]
OUTBOX_COLUMNS = ["key", "kind", "payload", "status", "attempts", "next_attempt_at", "lease_owner", "last_error",
                  "result", "created_at"]


def award(course: Course, position: int, learner_ids: list[int], now: dt.datetime) -> list[Award]:
    """Award credential ``position`` to each of ``learner_ids`` not holding it yet; queue each new award.

    The caller has checked that they meet it; returns the awards this call wrote (their evidence
    is left deferred: reading it loads the references).
    """
    cred = course.credentials[position]
    hours = sum((c.hours for c in closure(cred, course)), Decimal(0))
    created = []
    refs = json_references("x.kind", "x.id")
    with connection.cursor() as cursor:
        for start in range(0, len(learner_ids), IDS_PER_STATEMENT):
            p = Params()
            scope = learner_ids[start:start + IDS_PER_STATEMENT]
            records = " UNION ALL ".join(evidence_rows(course, position, scope, p))
            select = (f"SELECT {random_uuid()}, e.learner_id, {p(cred.id)}, {p(Award.EARNED)}, {hours}, e.refs, "  # noqa: S608
                      f"{p(_db_time(now))}, {p('')} "
                      f"FROM (SELECT x.learner_id, {refs} AS refs FROM ({records}) x GROUP BY x.learner_id) e "
                      "WHERE e.refs IS NOT NULL")
            cursor.execute(insert_ignoring_conflicts(Award._meta.db_table, AWARD_COLUMNS, select,
                                                     returning="id, public_id, learner_id"), p)
            rows = cursor.fetchall()
            if rows:
                _queue(cursor, [r[0] for r in rows], now)
            created += _awards(rows, cred.id, hours, now)
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
              f"{p('')}, {p('')}, {p('{}')}, {at} FROM {table(Award)} a WHERE {scope_sql(award_ids, p, 'a.id')}")
    cursor.execute(insert_ignoring_conflicts(OutboxEntry._meta.db_table, OUTBOX_COLUMNS, select), p)
    outbox.announce()


def _awards(rows: list[tuple], credential_id: str, hours: Decimal, now: dt.datetime) -> list[Award]:
    """Award instances of the rows written, as a query would load them; their evidence loads when read.

    ``Model.from_db`` costs about 15 us an instance (its ``__init__`` sets each field through its
    descriptor and sends ``pre_init``/``post_init``), more than writing the row did: with no
    listener on those signals for awards, each instance is made with its loaded values directly.
    """
    alias = connection.alias
    through_init = pre_init.has_listeners(Award) or post_init.has_listeners(Award)
    fixed = {"credential_id": credential_id, "status": Award.EARNED, "credited_hours": hours, "earned_at": now,
             "revoked_at": None, "revoked_by_id": None, "revoke_reason": ""}  # with the ids: model order, no evidence
    awards = []
    for pk, public_id, learner_id in rows:
        values = {"id": pk, "public_id": _uuid(public_id), "learner_id": learner_id, **fixed}
        if through_init:
            awards.append(Award.from_db(alias, list(values), list(values.values())))
            continue
        award = Award.__new__(Award)
        state = award._state = ModelState()
        state.adding, state.db = False, alias
        award.__dict__.update(values)
        awards.append(award)
    return awards


def _uuid(value) -> uuid.UUID:
    """A UUID from the database: a UUID already (PostgreSQL), 32 hex digits (SQLite, MySQL) or text with dashes
    (MariaDB's UUID type)."""
    if isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(int=int(value, 16)) if len(value) == 32 else uuid.UUID(value)
