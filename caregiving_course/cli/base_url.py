"""The public URL a command writes into links for others (LTI registrations, cartridges), with a warning when it
is only this machine's default."""
from __future__ import annotations

import os
import sys


def public_base_url(given: str | None = None) -> str:
    """``given`` (a --base-url option), else CAREGIVING_BASE_URL; when neither is set, the local default with a
    warning on stderr that partners cannot reach it."""
    from django.conf import settings

    if given:
        return given.rstrip("/")
    if not os.environ.get("CAREGIVING_BASE_URL", "").strip():
        print(f"warning: CAREGIVING_BASE_URL is not set, so these links point at {settings.BASE_URL}, which only "
              "this machine can open; set CAREGIVING_BASE_URL to this server's public address "
              "(e.g. https://courses.example.edu) or give --base-url", file=sys.stderr)
    return settings.BASE_URL.rstrip("/")
