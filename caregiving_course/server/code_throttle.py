"""Throttling of enrolment-code guesses: after ``ENROLMENT_CODE_FAILURES`` wrong codes from one client address
within ``ENROLMENT_CODE_COOLOFF``, every code (right or wrong) is refused with 429 until the window ends.

Counted per address in the shared cache (:mod:`caregiving_course.address_counts`).
"""
from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from caregiving_course import address_counts

BUCKET = "enrolment-code-failures"


def cooloff_seconds() -> int:
    return int(settings.ENROLMENT_CODE_COOLOFF.total_seconds())


def is_blocked(request: HttpRequest) -> bool:
    """Whether this client has guessed too many wrong codes lately."""
    return address_counts.counted(request, BUCKET) >= settings.ENROLMENT_CODE_FAILURES


def count_failure(request: HttpRequest) -> None:
    """Count one wrong code against this client (the window starts at its first failure)."""
    address_counts.count(request, BUCKET, cooloff_seconds())
