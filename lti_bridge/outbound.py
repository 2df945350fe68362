"""HTTP to partner platforms for score delivery: keep-alive sessions, timeouts, bounded answers.

Shared by :mod:`lti_bridge.tokens`, :mod:`lti_bridge.ags` and :mod:`lti_bridge.outcomes`. Each
thread keeps one ``requests.Session`` (connections are reused across deliveries); answers are read
up to a limit, so a hostile or broken platform cannot exhaust memory.
"""
from __future__ import annotations

import email.utils
import json
import threading
import time

import requests
from django.conf import settings

MAX_RETRY_AFTER = 24 * 3600
_local = threading.local()


class AnswerTooLarge(Exception):
    """The platform's answer is over the size we accept."""


def session() -> requests.Session:
    """This thread's keep-alive session (created on first use)."""
    current = getattr(_local, "session", None)
    if current is None:
        current = _local.session = requests.Session()
        current.headers["User-Agent"] = "caregiving-course-lti/1.0"
        current.trust_env = False  # no proxies or .netrc credentials picked up from the environment
    return current


def timeout() -> tuple[float, float]:
    """(connect, read) seconds for calls to platforms; ``settings.LTI_HTTP_TIMEOUT`` overrides."""
    value = getattr(settings, "LTI_HTTP_TIMEOUT", (5.0, 20.0))
    return (float(value[0]), float(value[1])) if isinstance(value, (tuple, list)) else (float(value), float(value))


def read_limited(answer: requests.Response, limit: int) -> bytes:
    """The answer's body (from a ``stream=True`` request), refusing more than ``limit`` bytes."""
    declared = answer.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise AnswerTooLarge(f"{declared} bytes declared, at most {limit} accepted")
    chunks, size = [], 0
    for chunk in answer.iter_content(16384):
        size += len(chunk)
        if size > limit:
            raise AnswerTooLarge(f"more than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def is_transient(status: int) -> bool:
    """Answers that may succeed later: timeouts, too many requests, server trouble."""
    return status in (408, 425, 429) or status >= 500


def retry_after(answer: requests.Response) -> float | None:
    """Seconds the platform asked us to wait (``Retry-After`` as seconds or an HTTP date), if any."""
    value = answer.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(min(int(value), MAX_RETRY_AFTER))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, min(when.timestamp() - time.time(), MAX_RETRY_AFTER))


def excerpt(body: bytes, limit: int = 500) -> str:
    """The start of an answer as text, for error messages shown to administrators."""
    text = body[:limit].decode("utf-8", "replace").replace("\x00", "")
    return text + ("…" if len(body) > limit else "")


def json_object(body: bytes) -> dict:
    """A JSON object from an answer; ValueError for anything else."""
    value = json.loads(body.decode("utf-8"))
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value
