"""One page of a cohort's table, sorted and filtered by the database, for cohorts of any size.

:func:`cohort_rows` computes every learner's progress in Python, which is right for a class of
thirty and too slow for ten thousand. :func:`cohort_page` lets the database order, filter and count
(with the same rules :mod:`progress` applies: a completed module credits its designed hours,
instructor hours are capped at the component's hours, a sign-off component credits its hours once
every skill is signed off, a credential adds the hours of those it stacks on), then computes the
exact progress of the page's learners only. :func:`cohort_hours` gives every learner's credited
hours toward each credential in one query (for charts).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from caregiving_course.framework import Component, Course, Credential, default_course
from caregiving_course.learner_record.errors import NotAllowed, RecordError
from caregiving_course.learner_record.models import Cohort, InstructorRecord, Learner, ModuleActivity, ModuleCompletion
from caregiving_course.learner_record.progress import Progress, compute, load_records

AT_RISK_IDLE_DAYS = 14
IDLE = dt.timedelta(days=AT_RISK_IDLE_DAYS)
MAX_PAGE_SIZE = 500
MAX_SEARCH = 100
HOURS = DecimalField(max_digits=9, decimal_places=2)
SORTS = ("name", "modules_done", "time_on_task", "last_activity", "at_risk")  # plus "hours:<credential id>"


@dataclass(frozen=True)
class PageRow:
    """One learner's line: the exact progress, as :func:`api.progress` computes it."""

    learner_id: int
    name: str
    email: str
    progress: Progress
    at_risk: bool


@dataclass(frozen=True)
class CohortPage:
    rows: list[PageRow]
    total: int  # learners matching the filter
    cohort_size: int
    page: int  # 1-based, clamped to the pages there are
    pages: int
    sort: str
    descending: bool


def _sum_of(model, column: str, **filters) -> Subquery:
    rows = model.objects.filter(learner=OuterRef("pk"), **filters).values("learner").annotate(v=Sum(column)).values("v")
    return Subquery(rows, output_field=HOURS)


def _sum(parts: list):
    total = parts[0]
    for part in parts[1:]:
        total = ExpressionWrapper(total + part, output_field=HOURS)
    return total


def _modules_hours(modules: list[Component]):
    """Designed hours of the completed modules among ``modules``: one subquery, however many modules."""
    hours = Case(*(When(module_id=m.id, then=Value(m.hours)) for m in modules), default=Value(Decimal(0)),
                 output_field=HOURS)
    rows = (ModuleCompletion.objects.filter(learner=OuterRef("pk"), module_id__in=[m.id for m in modules])
            .values("learner").annotate(v=Sum(hours)).values("v"))
    return Coalesce(Subquery(rows, output_field=HOURS), Value(Decimal(0)), output_field=HOURS)


def _instructor_hours(comp: Component):
    mine = {"component_id": comp.id, "withdrawn_at__isnull": True}
    if comp.evidence == "hours":
        got = Coalesce(_sum_of(InstructorRecord, "hours", kind=InstructorRecord.HOURS, **mine), Value(Decimal(0)),
                       output_field=HOURS)
        return Least(got, Value(comp.hours), output_field=HOURS)
    signed = (InstructorRecord.objects.filter(learner=OuterRef("pk"), kind=InstructorRecord.SIGNOFF,
                                              skill__in=comp.skills, **mine)
              .values("learner").annotate(n=Count("skill", distinct=True)).values("n"))
    return Case(When(Q(Exists(signed.filter(n__gte=len(comp.skills)))), then=Value(comp.hours)),
                default=Value(Decimal(0)), output_field=HOURS)


def _own_hours(credential: Credential):
    """Hours credited by the credential's own components (not those of the credentials it stacks on)."""
    modules = [c for c in credential.components if c.is_module]
    parts = [_modules_hours(modules)] if modules else []
    return _sum(parts + [_instructor_hours(c) for c in credential.components if not c.is_module])


def credited_hours_expression(credential: Credential, course: Course):
    """SQL expression of a learner's credited hours toward ``credential`` (stacked credentials included)."""
    return _sum([_own_hours(credential)] + [credited_hours_expression(course.credential(r), course)
                                           for r in credential.requires])


def _modules_done():
    rows = (ModuleCompletion.objects.filter(learner=OuterRef("pk")).values("learner")
            .annotate(n=Count("id")).values("n"))
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def _time_on_task():
    return Coalesce(_sum_of(ModuleActivity, "seconds"), Value(0), output_field=IntegerField())


def _last_activity():
    rows = (ModuleActivity.objects.filter(learner=OuterRef("pk")).values("learner")
            .annotate(v=Max("last_activity_at")).values("v"))
    return Subquery(rows)


def _at_risk(course: Course, now: dt.datetime):
    """Same rule as :func:`api.cohort_rows`: modules left and no activity for 14 days (or ever)."""
    idle_since = now - IDLE
    return Case(When(Q(done__lt=len(course.modules)) & (Q(last__isnull=True) | Q(last__lte=idle_since)), then=1),
                default=0, output_field=IntegerField())


def _check_viewer(cohort: Cohort, viewer) -> None:
    if not (viewer.is_superuser or cohort.instructors.filter(pk=viewer.pk).exists()):
        raise NotAllowed("you do not teach this cohort")


def _filtered(cohort: Cohort, course: Course, search: str, at_risk_only: bool, now: dt.datetime) -> QuerySet:
    rows = Learner.objects.filter(enrolments__cohort=cohort)
    if search:
        rows = rows.filter(Q(name__icontains=search) | Q(email__icontains=search))
    if at_risk_only:
        rows = (rows.annotate(done=_modules_done(), last=_last_activity())
                .annotate(risk=_at_risk(course, now)).filter(risk=1))
    return rows


def _ordered(rows: QuerySet, course: Course, sort: str, descending: bool, now: dt.datetime) -> QuerySet:
    if sort == "name":
        key = F("name")
    elif sort == "modules_done":
        rows, key = rows.annotate(key=_modules_done()), F("key")
    elif sort == "time_on_task":
        rows, key = rows.annotate(key=_time_on_task()), F("key")
    elif sort == "last_activity":
        rows, key = rows.annotate(key=_last_activity()), F("key")
    elif sort == "at_risk":
        if "risk" not in rows.query.annotations:
            rows = rows.annotate(done=_modules_done(), last=_last_activity()).annotate(risk=_at_risk(course, now))
        key = F("risk")
    elif sort.startswith("hours:") and course.has_credential(sort[6:]):
        rows, key = rows.annotate(key=credited_hours_expression(course.credential(sort[6:]), course)), F("key")
    else:
        raise RecordError(f"cannot sort by {sort!r}")
    order = key.desc(nulls_last=True) if descending else key.asc(nulls_first=True)
    return rows.order_by(order, "name", "pk")


def cohort_page(cohort: Cohort, *, viewer, sort: str = "name", descending: bool = False, search: str = "",
                at_risk_only: bool = False, page: int = 1, page_size: int = 50,
                course: Course | None = None) -> CohortPage:
    """One page of the cohort's table; only for the cohort's instructors and administrators.

    ``sort`` is one of :data:`SORTS` or ``hours:<credential id>``; ``search`` matches name or e-mail.
    """
    _check_viewer(cohort, viewer)
    course = course or default_course()
    if not isinstance(page_size, int) or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise RecordError(f"page size must be 1 to {MAX_PAGE_SIZE}")
    search = (search or "").strip()
    if len(search) > MAX_SEARCH:
        raise RecordError(f"search text is at most {MAX_SEARCH} characters")
    now = timezone.now()
    rows = _filtered(cohort, course, search, at_risk_only, now)
    total = rows.count()
    cohort_size = total if not (search or at_risk_only) else Learner.objects.filter(enrolments__cohort=cohort).count()
    pages = max(1, -(-total // page_size))
    page = min(max(1, int(page)), pages)
    start = (page - 1) * page_size
    ordered = _ordered(rows, course, sort, descending, now)
    found = list(ordered.values_list("pk", "name", "email")[start:start + page_size])
    records = load_records([pk for pk, _, _ in found])
    out = []
    for pk, name, email in found:
        p = compute(course, pk, records[pk])
        idle = now - p.last_activity_at if p.last_activity_at else None
        at_risk = p.modules_done < len(course.modules) and (idle is None or idle >= IDLE)
        out.append(PageRow(pk, name, email, p, at_risk))
    return CohortPage(out, total, cohort_size, page, pages, sort, descending)


def cohort_hours(cohort: Cohort, *, viewer, course: Course | None = None) -> dict[str, list[Decimal]]:
    """Every learner's credited hours toward each credential (for a distribution chart), in one query.

    Each credential's own components are computed once in SQL; stacking (a credential adds the hours of
    those it requires) is summed here.
    """
    _check_viewer(cohort, viewer)
    course = course or default_course()
    names = {cred.id: f"c{i}" for i, cred in enumerate(course.credentials)}
    rows = (Learner.objects.filter(enrolments__cohort=cohort)
            .annotate(**{names[cred.id]: _own_hours(cred) for cred in course.credentials})
            .values_list(*names.values()))
    out: dict[str, list[Decimal]] = {cred.id: [] for cred in course.credentials}
    for values in rows:
        own = {cred_id: Decimal(str(v or 0)) for cred_id, v in zip(names, values, strict=True)}
        memo: dict[str, Decimal] = {}

        def total(cred: Credential, own=own, memo=memo) -> Decimal:
            if cred.id not in memo:
                memo[cred.id] = own[cred.id] + sum((total(course.credential(r)) for r in cred.requires), Decimal(0))
            return memo[cred.id]

        for cred in course.credentials:
            out[cred.id].append(total(cred))
    return out
