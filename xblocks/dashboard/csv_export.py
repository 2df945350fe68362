"""The cohort table as CSV, safe to open in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) would run as a formula
in Excel or LibreOffice; such cells are prefixed with ``'`` (OWASP "CSV injection").
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from urllib.parse import quote

from django.utils.text import slugify

from caregiving_course import local_time
from xblocks.dashboard.course_words import credential_title

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def content_disposition(cohort_name: str, day: str) -> str:
    """The download's ``Content-Disposition``: an ASCII slug as ``filename`` and the cohort's own name,
    percent-encoded, as RFC 6266 ``filename*`` (so no quote, CR or LF in a name reaches the header)."""
    ascii_name = f"cohort-{slugify(cohort_name) or 'cohort'}-{day}.csv"
    encoded = quote(f"cohort-{cohort_name}-{day}.csv", safe="")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}"


def header(course, gettext) -> list[str]:
    cols = [gettext("Learner"), gettext("E-mail"), gettext("Modules done"), gettext("Time on task (hours)")]
    for cred in course.credentials:
        title = credential_title(course, cred)
        cols.append(gettext("%(credential)s: credited hours") % {"credential": title})
        cols.append(gettext("%(credential)s: target hours") % {"credential": title})
    return [*cols, gettext("Last activity"), gettext("At risk")]


def line(row, gettext) -> list:
    p = row.progress
    cells = [row.name, row.email, p.modules_done, f"{p.time_on_task_seconds / 3600:.2f}"]
    for cp in p.credentials:
        cells += [f"{cp.credited_hours:.2f}", f"{cp.total_hours:.2f}"]
    last = local_time.iso(p.last_activity_at)  # ISO 8601 with the offset of the installation's zone
    return [*cells, last, gettext("yes") if row.at_risk else gettext("no")]


def to_csv(head: list[str], lines: Iterable[list]) -> str:
    """CSV text with a byte-order mark, so spreadsheets read accented names as UTF-8."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(c) for c in head])
    for cells in lines:
        writer.writerow([safe_cell(c) for c in cells])
    return out.getvalue()
