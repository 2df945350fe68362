"""Per-client-address counts in Django's cache: how often one address did something within a window.

Counts live in the default cache, so processes sharing ``CAREGIVING_CACHE_URL`` share them; a window starts at an
address's first count. ``REMOTE_ADDR`` is the client (behind a TLS proxy, ``caregiving serve`` sets it from the
proxy's ``X-Forwarded-For``). The throttles of open endpoints (CLR client registration, enrolment-code guesses)
count here.
"""
from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest


def _key(request: HttpRequest, bucket: str) -> str:
    return f"address-count:{bucket}:{str(request.META.get('REMOTE_ADDR', ''))[:64]}"


def count(request: HttpRequest, bucket: str, window_seconds: int) -> int:
    """Count one more for the request's address in ``bucket``; the count within the window, this one included."""
    key = _key(request, bucket)
    if cache.add(key, 1, timeout=window_seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between add and incr: this count starts a new one
        cache.add(key, 1, timeout=window_seconds)
        return 1


def counted(request: HttpRequest, bucket: str) -> int:
    """How many the request's address has counted in ``bucket`` within the current window."""
    return int(cache.get(_key(request, bucket), 0))
