"""A per-client-address limit on how often an open endpoint may be called, counted in the cache.

Counts live in Django's default cache, so processes sharing ``CAREGIVING_CACHE_URL`` share them; a fixed
window starts at a client's first call. ``REMOTE_ADDR`` is the client (behind a TLS proxy, ``caregiving
serve`` sets it from the proxy's ``X-Forwarded-For``).
"""
from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest


def over_limit(request: HttpRequest, bucket: str, limit: int, window_seconds: int) -> bool:
    """Count this call against the client's address; True when it is beyond ``limit`` in the window."""
    key = f"rate:{bucket}:{request.META.get('REMOTE_ADDR', '')}"
    cache.add(key, 0, timeout=window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between add and incr: this call starts a new one
        cache.add(key, 1, timeout=window_seconds)
        count = 1
    return count > limit
