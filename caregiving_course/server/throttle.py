"""Throttling of failed sign-ins (django-axes): who a try counts against, and the page a locked-out client sees.

A try counts against the account (the e-mail address, as sign-up stores it) and against the client address
(``REMOTE_ADDR``; behind a TLS proxy, ``caregiving serve`` sets it from the proxy's ``X-Forwarded-For``).
"""
from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def account(request: HttpRequest, credentials: dict | None) -> str:
    """The account a sign-in tries: the e-mail address given, as sign-up stores it (lower case, trimmed)."""
    value = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(value).strip().lower()[:254]


def locked_out(request: HttpRequest, original_response=None, credentials: dict | None = None) -> HttpResponse:
    """429 page in the reader's language: too many failed sign-ins; when to try again."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    response = render(request, "caregiving/locked_out.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
