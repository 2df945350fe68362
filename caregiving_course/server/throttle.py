"""Throttling of failed sign-ins (django-axes): who a try counts against, and the page a locked-out client sees.

A try counts against the account (the e-mail address, as sign-up stores it) and against the client address.
Behind a TLS proxy (``CAREGIVING_BEHIND_TLS_PROXY=1``) the client address is the last one the proxy added to
``X-Forwarded-For``: every earlier entry is whatever the client sent.
"""
from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_address(request: HttpRequest) -> str:
    """The address failed sign-ins from this request count against."""
    if settings.BEHIND_TLS_PROXY:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if forwarded[-1]:
            return forwarded[-1][:64]
    return request.META.get("REMOTE_ADDR", "")


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
