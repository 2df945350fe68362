"""Credited hours of many learners at once, from one query per table and batch (see :mod:`credit_sets`).

Same rules as :mod:`progress` (a completed module credits its designed hours; instructor hours are
capped at the component's hours; a sign-off component credits its hours once every skill is signed
off; a credential adds the hours of those it stacks on), but without loading every record: cohort
summaries and the benchmarks use this, and load the detailed records only where they show them.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from caregiving_course.framework import Course
from caregiving_course.learner_record.credit_sets import credit
from caregiving_course.learner_record.credit_sql import EARNED, IDS_PER_STATEMENT
from caregiving_course.learner_record.models import Award

ZERO = Decimal(0)
STATUS = {EARNED: Award.EARNED}  # any other non-zero code is a revoked award


@dataclass
class Totals:
    """One learner's numbers: credited hours per credential, modules done, time on task, award statuses."""

    credited: Mapping[str, Decimal] = field(default_factory=dict)  # read-only: learners at one point share it
    modules_done: int = 0
    seconds: int = 0
    awards: dict[str, str] = field(default_factory=dict)


def credited_totals(course: Course, learner_ids: list[int] | None = None) -> dict[int, Totals]:
    """Totals for the given learners (all learners with any record when None), from one query per table and
    batch (:mod:`credit_sets`)."""
    if learner_ids is not None and len(learner_ids) > IDS_PER_STATEMENT:
        merged: dict[int, Totals] = {}
        for start in range(0, len(learner_ids), IDS_PER_STATEMENT):
            merged.update(credited_totals(course, learner_ids[start:start + IDS_PER_STATEMENT]))
        return merged
    ids = [c.id for c in course.credentials]
    zero = MappingProxyType(dict.fromkeys(ids, ZERO))
    hours: dict[int, Decimal] = {}  # a course has few distinct sums: convert each once
    by_cents: dict[int, Mapping[str, Decimal]] = {}  # learners at the same point share their credited hours
    totals = {}
    for learner_id, c in credit(course, learner_ids, seconds=True).items():
        credited = by_cents.get(id(c.cents))
        if credited is None:
            own = dict(zero)
            for i, cents in c.cents.items():
                own[ids[i]] = hours.get(cents) or hours.setdefault(cents, Decimal(cents).scaleb(-2))
            credited = by_cents[id(c.cents)] = MappingProxyType(own)
        awards = {ids[i]: STATUS.get(a, Award.REVOKED) for i, a in c.awards.items()} if c.awards else {}
        totals[learner_id] = Totals(credited, c.modules_done, c.seconds, awards)
    if learner_ids is not None:
        return {lid: totals.get(lid) or Totals(zero) for lid in learner_ids}
    return totals
