"""The cohort table: its columns, the sort a request asks for, and the cells of one page of rows."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from caregiving_course import local_time
from caregiving_course.framework import Course
from xblocks.dashboard.course_words import credential_title
from xblocks.dashboard.render import _

if TYPE_CHECKING:  # the rows' type only; the block reaches the record through its service
    from caregiving_course.learner_record.api import CohortRow

FIXED_SORTS = {"name": _("Learner"), "modules_done": _("Modules done"), "time_on_task": _("Time on task"),
               "last_activity": _("Last activity"), "at_risk": _("At risk")}
MAX_SEARCH = 100


@dataclass(frozen=True)
class Column:
    key: str  # the sort key
    label: str  # translated
    numeric: bool


def columns(course: Course, gettext) -> list[Column]:
    cols = [Column("name", gettext(FIXED_SORTS["name"]), False),
            Column("modules_done", gettext(FIXED_SORTS["modules_done"]), True),
            Column("time_on_task", gettext(FIXED_SORTS["time_on_task"]), True)]
    cols += [Column(f"hours:{c.id}", credential_title(course, c), True) for c in course.credentials]
    cols += [Column("last_activity", gettext(FIXED_SORTS["last_activity"]), False),
             Column("at_risk", gettext(FIXED_SORTS["at_risk"]), False)]
    return cols


def is_sort(course: Course, key) -> bool:
    return isinstance(key, str) and (key in FIXED_SORTS or (key.startswith("hours:") and
                                                           course.has_credential(key[6:])))


def hours_text(value: Decimal) -> str:
    """Hours as a person reads them in the active language: 12, 12.5, 1.25 (12,5 in French)."""
    return _hours_text(Decimal(value), get_language())


@functools.lru_cache(maxsize=4096)
def _hours_text(value: Decimal, language: str | None) -> str:
    """(A page of a catalogue's table shows thousands of hours, few of them distinct.)"""
    value = value.quantize(Decimal("0.01"))
    places = 0 if value == value.to_integral() else (1 if value * 10 == (value * 10).to_integral() else 2)
    return formats.number_format(value, decimal_pos=places)


@functools.lru_cache(maxsize=4096)
def _credential_cell(hours: str, target: str, status: str) -> SafeString:
    return format_html('<td class="cg-num">{} / {} h{}</td>', hours, target,
                       format_html(' <span class="cg-tag">{}</span>', status) if status else "")


def duration_text(seconds: int, gettext) -> str:
    hours, minutes = divmod(int(seconds) // 60, 60)
    return gettext("%(h)d h %(m)02d min") % {"h": hours, "m": minutes}


def row_cells(row: CohortRow, course: Course, gettext) -> dict:
    """What the template shows for one learner (already formatted and translated)."""
    p = row.progress
    statuses = {"earned": gettext("earned"), "revoked": gettext("revoked")}
    language = get_language()
    # one cell per credential of the catalogue: made here, not by a template loop (thousands on a page)
    cells = mark_safe("".join(  # noqa: S308 - each cell is escaped by format_html
        _credential_cell(_hours_text(cp.credited_hours, language), _hours_text(cp.total_hours, language),
                         statuses.get(cp.award_status, "")) for cp in p.credentials))
    return {
        "id": row.learner_id, "name": row.name or row.email or gettext("(no name)"), "email": row.email,
        "modules_done": p.modules_done, "modules": len(course.modules),
        "time_on_task": duration_text(p.time_on_task_seconds, gettext),
        "credential_cells": cells,
        "last_activity": local_time.day(p.last_activity_at),
        "at_risk": row.at_risk,
    }
