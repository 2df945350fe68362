"""Credited hours of many learners at once, from a few GROUP BY queries.

Same rules as :mod:`progress` (a completed module credits its designed hours; instructor hours are
capped at the component's hours; a sign-off component credits its hours once every skill is signed
off; a credential adds the hours of those it stacks on), but without loading every record: the
scheduler's award evaluation and cohort summaries use this, and load the detailed records only for
the learners whose awards may change.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce

from caregiving_course.framework import Component, Course, Credential
from caregiving_course.learner_record.models import Award, InstructorRecord, ModuleActivity, ModuleCompletion
from caregiving_course.learner_record.progress import BATCH

ZERO = Decimal(0)
HOURS = DecimalField(max_digits=9, decimal_places=2)


@dataclass
class Totals:
    """One learner's numbers: credited hours per credential, modules done, time on task, award statuses."""

    credited: dict[str, Decimal] = field(default_factory=dict)
    modules_done: int = 0
    seconds: int = 0
    awards: dict[str, str] = field(default_factory=dict)


def closure(credential: Credential, course: Course) -> list[Component]:
    """The credential's components and those of every credential it stacks on, each once."""
    seen: dict[str, Component] = {}
    stack = [credential]
    while stack:
        cred = stack.pop()
        for comp in cred.components:
            seen.setdefault(comp.id, comp)
        stack.extend(course.credential(r) for r in cred.requires)
    return list(seen.values())


def _scoped(queryset, learner_ids: list[int] | None):
    return queryset if learner_ids is None else queryset.filter(learner_id__in=learner_ids)


def credited_totals(course: Course, learner_ids: list[int] | None = None) -> dict[int, Totals]:
    """Totals for the given learners (all learners with any record when None), in four queries per batch."""
    if learner_ids is not None and len(learner_ids) > BATCH:
        merged: dict[int, Totals] = {}
        for start in range(0, len(learner_ids), BATCH):
            merged.update(credited_totals(course, learner_ids[start:start + BATCH]))
        return merged
    closures = {c.id: closure(c, course) for c in course.credentials}
    module_sums = {
        f"c{i}": Coalesce(Sum("credited_hours", filter=Q(module_id__in=[m.id for m in comps if m.is_module])),
                          Value(ZERO), output_field=HOURS)
        for i, comps in enumerate(closures.values())
    }
    totals: dict[int, Totals] = defaultdict(Totals)
    done = _scoped(ModuleCompletion.objects, learner_ids).values("learner_id").annotate(n=Count("id"), **module_sums)
    for row in done:
        t = totals[row["learner_id"]]
        t.modules_done = row["n"]
        for i, cred_id in enumerate(closures):
            t.credited[cred_id] = Decimal(row[f"c{i}"])
    evidence: dict[int, dict[str, tuple[Decimal, int]]] = defaultdict(dict)
    rows = (_scoped(InstructorRecord.objects, learner_ids).filter(withdrawn_at__isnull=True)
            .values("learner_id", "component_id").annotate(h=Sum("hours"), n=Count("skill", distinct=True)))
    for row in rows:
        evidence[row["learner_id"]][row["component_id"]] = (Decimal(row["h"] or 0), row["n"])
    for lid, comps in evidence.items():
        t = totals[lid]
        for cred_id, parts in closures.items():
            extra = ZERO
            for comp in parts:
                got = comps.get(comp.id)
                if got and comp.evidence == "hours":
                    extra += min(got[0], comp.hours)
                elif got and comp.evidence == "signoff" and got[1] >= len(comp.skills):
                    extra += comp.hours
            t.credited[cred_id] = t.credited.get(cred_id, ZERO) + extra
    seconds = _scoped(ModuleActivity.objects, learner_ids).values("learner_id").annotate(s=Sum("seconds"))
    for row in seconds:
        totals[row["learner_id"]].seconds = row["s"] or 0
    awards = _scoped(Award.objects, learner_ids).values_list("learner_id", "credential_id", "status")
    for lid, cred_id, status in awards:
        totals[lid].awards[cred_id] = status
    if learner_ids is not None:
        return {lid: totals[lid] for lid in learner_ids}
    return dict(totals)


def may_change(course: Course, totals: Totals) -> bool:
    """True when an award could be made (full hours, none yet) or revoked (earned, hours now short)."""
    for cred in course.credentials:
        full = totals.credited.get(cred.id, ZERO) >= cred.total_hours
        status = totals.awards.get(cred.id)
        if (full and not status) or (not full and status == Award.EARNED):
            return True
    return False
