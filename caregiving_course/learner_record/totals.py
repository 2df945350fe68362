"""Credited hours of many learners at once, from one SQL aggregate per batch (see :mod:`credit_sql`).

Same rules as :mod:`progress` (a completed module credits its designed hours; instructor hours are
capped at the component's hours; a sign-off component credits its hours once every skill is signed
off; a credential adds the hours of those it stacks on), but without loading every record: cohort
summaries and the benchmarks use this, and load the detailed records only where they show them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection

from caregiving_course.framework import Course
from caregiving_course.learner_record.credit_sql import EARNED, IDS_PER_STATEMENT, Params, per_learner
from caregiving_course.learner_record.models import Award

STATUS = {EARNED: Award.EARNED}  # any other non-zero code is a revoked award


@dataclass
class Totals:
    """One learner's numbers: credited hours per credential, modules done, time on task, award statuses."""

    credited: dict[str, Decimal] = field(default_factory=dict)
    modules_done: int = 0
    seconds: int = 0
    awards: dict[str, str] = field(default_factory=dict)


def credited_totals(course: Course, learner_ids: list[int] | None = None) -> dict[int, Totals]:
    """Totals for the given learners (all learners with any record when None), in one query per batch."""
    if learner_ids is not None and len(learner_ids) > IDS_PER_STATEMENT:
        merged: dict[int, Totals] = {}
        for start in range(0, len(learner_ids), IDS_PER_STATEMENT):
            merged.update(credited_totals(course, learner_ids[start:start + IDS_PER_STATEMENT]))
        return merged
    ids = [c.id for c in course.credentials]
    p = Params()
    sql = per_learner(course, learner_ids, "nsca", p)
    with connection.cursor() as cursor:
        cursor.execute(sql, p)
        rows = cursor.fetchall()
    count = len(ids)
    credited_by_cents: dict[tuple, dict[str, Decimal]] = {}  # a course has few distinct sums: convert each once
    totals = {}
    for row in rows:
        cents = row[3:3 + count]
        credited = credited_by_cents.get(cents)
        if credited is None:
            credited = {c: Decimal(int(v)).scaleb(-2) for c, v in zip(ids, cents, strict=True)}
            credited_by_cents[cents] = credited
        statuses = row[3 + count:]
        awards = {c: STATUS.get(a, Award.REVOKED) for c, a in zip(ids, statuses, strict=True) if a} \
            if any(statuses) else {}
        totals[row[0]] = Totals(dict(credited), int(row[1]), int(row[2]), awards)
    if learner_ids is not None:
        return {lid: totals.get(lid) or Totals() for lid in learner_ids}
    return totals
