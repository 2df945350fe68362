"""One page of a cohort's table, sorted and filtered by the database, for cohorts of any size.

:func:`cohort_rows` computes every learner's progress in Python, which is right for a class of
thirty and too slow for ten thousand. :func:`cohort_page` lets the database order, filter and count,
then computes the exact progress of the page's learners only. Ordering by credited hours uses the credit
rules' SQL aggregate in :mod:`credit_sql` for the one credential sorted on; :func:`cohort_hours` (every
learner's hours toward each credential, for charts) the set-wise credit of :mod:`credit_sets`, as award
evaluation does.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DecimalField,
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
from django.db.models.functions import Coalesce
from django.utils import timezone

from caregiving_course.framework import Course
from caregiving_course.learner_record.credit_sets import credit
from caregiving_course.learner_record.credit_sql import IDS_PER_STATEMENT, Params, per_learner, scope_sql
from caregiving_course.learner_record.errors import RecordError
from caregiving_course.learner_record.models import Cohort, Learner, ModuleActivity, ModuleCompletion
from caregiving_course.learner_record.offerings import check_teaches, offering_course
from caregiving_course.learner_record.progress import Progress, compute, load_records
from caregiving_course.learner_record.sql_dialect import quote

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
    check_teaches(cohort, viewer)
    course = course or offering_course(cohort)
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
    if sort.startswith("hours:") and course.has_credential(sort[6:]):
        found = _page_by_hours(rows, course, course.credentials.index(course.credential(sort[6:])), descending,
                               start, page_size)
    else:
        found = list(_ordered(rows, course, sort, descending, now).values_list("pk", "name", "email")
                     [start:start + page_size])
    records = load_records([pk for pk, _, _ in found])
    out = []
    for pk, name, email in found:
        p = compute(course, pk, records[pk])
        idle = now - p.last_activity_at if p.last_activity_at else None
        at_risk = p.modules_done < len(course.modules) and (idle is None or idle >= IDLE)
        out.append(PageRow(pk, name, email, p, at_risk))
    return CohortPage(out, total, cohort_size, page, pages, sort, descending)


def cohort_hours(cohort: Cohort, *, viewer, course: Course | None = None) -> dict[str, list[Decimal]]:
    """Every learner's credited hours toward each credential (for a distribution chart), from the set-wise
    credit rules (:mod:`credit_sets`)."""
    check_teaches(cohort, viewer)
    course = course or offering_course(cohort)
    ids = list(Learner.objects.filter(enrolments__cohort=cohort).values_list("pk", flat=True))
    cents = _credited_cents(course, ids)
    none = (0,) * len(course.credentials)
    return {cred.id: [Decimal(cents.get(pk, none)[i]) / 100 for pk in ids]
            for i, cred in enumerate(course.credentials)}


def _credited_cents(course: Course, learner_ids: list[int]) -> dict[int, tuple]:
    """Credited hundredths of an hour toward each credential (course order), per learner with any record."""
    found: dict[int, tuple] = {}
    none = (0,) * len(course.credentials)
    for start in range(0, len(learner_ids), IDS_PER_STATEMENT):
        for learner_id, c in credit(course, learner_ids[start:start + IDS_PER_STATEMENT], awards=False).items():
            cents = list(none)
            for i, value in c.cents.items():
                cents[i] = value
            found[learner_id] = tuple(cents)
    return found


def _page_by_hours(rows: QuerySet, course: Course, position: int, descending: bool, start: int,
                   size: int) -> list[tuple[int, str, str]]:
    """One page of ``rows`` ordered by credited hours toward credential ``position`` (then name), the hours
    from the credit rules' SQL aggregate over just these learners."""
    ids = list(rows.values_list("pk", flat=True))
    if not ids:
        return []
    if len(ids) > IDS_PER_STATEMENT:  # a cohort this large is ordered in Python (names by code point)
        cents = _credited_cents(course, ids)
        people = sorted(rows.values_list("pk", "name", "email"), key=lambda r: (r[1], r[0]))
        people.sort(key=lambda r: cents.get(r[0], (0,) * len(course.credentials))[position], reverse=descending)
        return people[start:start + size]
    p = Params()
    learners = quote(Learner._meta.db_table)
    sql = (f"SELECT l.id, l.name, l.email FROM {learners} l "  # noqa: S608 (ids are integers; values are bound)
           f"LEFT JOIN ({per_learner(course, ids, 'c', p, only=[position])}) t ON t.learner_id = l.id "
           f"WHERE {scope_sql(ids, p, 'l.id')} "
           f"ORDER BY COALESCE(t.c{position}, 0) {'DESC' if descending else 'ASC'}, l.name, l.id "
           f"LIMIT {int(size)} OFFSET {int(start)}")
    with connection.cursor() as cursor:
        cursor.execute(sql, p)
        return list(cursor.fetchall())
