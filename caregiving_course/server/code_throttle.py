"""Throttling of enrolment-code guesses: after ``ENROLMENT_CODE_FAILURES`` wrong codes from one client address
within ``ENROLMENT_CODE_COOLOFF``, every code (right or wrong) is refused with 429 until the window ends.

Counts live in the cache, so processes sharing ``CAREGIVING_CACHE_URL`` share them (as django-axes' do).
"""
from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

PREFIX = "enrolment-code-failures:"


def _key(request: HttpRequest) -> str:
    return PREFIX + str(request.META.get("REMOTE_ADDR", ""))[:64]


def cooloff_seconds() -> int:
    return int(settings.ENROLMENT_CODE_COOLOFF.total_seconds())


def is_blocked(request: HttpRequest) -> bool:
    """Whether this client has guessed too many wrong codes lately."""
    return int(cache.get(_key(request), 0)) >= settings.ENROLMENT_CODE_FAILURES


def count_failure(request: HttpRequest) -> None:
    """Count one wrong code against this client (the window starts at its first failure)."""
    key = _key(request)
    if not cache.add(key, 1, cooloff_seconds()):
        try:
            cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.add(key, 1, cooloff_seconds())
