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
    hours: dict[int, Decimal] = {}  # hundredths -> hours; a course has few distinct sums

    def decimal(cents) -> Decimal:
        cents = int(cents)
        found = hours.get(cents)
        if found is None:
            found = hours[cents] = Decimal(cents).scaleb(-2)
        return found

    count = len(ids)
    totals = {}
    for row in rows:
        cents, statuses = row[3:3 + count], row[3 + count:]
        totals[row[0]] = Totals(dict(zip(ids, map(decimal, cents), strict=True)), int(row[1]), int(row[2]),
                                {c: STATUS.get(a, Award.REVOKED) for c, a in zip(ids, statuses, strict=True) if a})
    if learner_ids is not None:
        return {lid: totals.get(lid) or Totals() for lid in learner_ids}
    return totals
