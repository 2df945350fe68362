"""HTTP to partner platforms for score delivery: pooled keep-alive connections, timeouts, bounded answers.

Shared by :mod:`lti_bridge.tokens`, :mod:`lti_bridge.ags` and :mod:`lti_bridge.outcomes`. One
``urllib3`` pool manager serves every worker thread (connections are reused across deliveries;
urllib3 directly costs about half the client time of ``requests`` per call, which matters when a
worker posts thousands of scores; each URL is parsed once, and its host's pool called directly). No
redirects are followed (a bearer token never travels to another address) and no retries are made here:
the outbox decides when to try again. Answers are read up to a limit, so a hostile or broken platform
cannot exhaust memory.

Between sending a request and reading its answer, the connection says so to the outbox's delivery
contract (``awaiting_answer``): a sync worker commits the next score's attempt while this one is at the
platform, instead of after its answer (see :mod:`sync.pipeline`).
"""
from __future__ import annotations

import email.utils
import functools
import json
import time
from dataclasses import dataclass

import urllib3
from django.conf import settings
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    LocationValueError,
    NewConnectionError,
    ProtocolError,
)
from urllib3.exceptions import TimeoutError as Urllib3Timeout
from urllib3.util import Retry, parse_url

from caregiving_course.learner_record.delivery import awaiting_answer

MAX_RETRY_AFTER = 24 * 3600
USER_AGENT = "caregiving-course-lti/1.0"


class _Connection(HTTPConnection):
    def getresponse(self, *args, **kwargs):  # the request is out; its answer is not read yet
        awaiting_answer()
        return super().getresponse(*args, **kwargs)


class _TlsConnection(HTTPSConnection):
    def getresponse(self, *args, **kwargs):
        awaiting_answer()
        return super().getresponse(*args, **kwargs)


class _Pool(HTTPConnectionPool):
    ConnectionCls = _Connection


class _TlsPool(HTTPSConnectionPool):
    ConnectionCls = _TlsConnection


_pool = urllib3.PoolManager(num_pools=64, maxsize=32, block=False, retries=False)
_pool.pool_classes_by_scheme = {"http": _Pool, "https": _TlsPool}
_NO_RETRIES = Retry(total=False, redirect=False)  # the outbox decides when to try again


class NoAnswer(Exception):
    """The platform could not be reached or did not answer; ``maybe_applied`` when the request may have arrived."""

    def __init__(self, reason: str, *, maybe_applied: bool):
        super().__init__(reason)
        self.reason = reason
        self.maybe_applied = maybe_applied


class BadAddress(Exception):
    """The URL cannot be called at all (not a usable http(s) address)."""


class AnswerTooLarge(Exception):
    """The platform's answer is over the size we accept; ``status`` is the HTTP status it came with."""

    def __init__(self, reason: str, status: int):
        super().__init__(reason)
        self.status = status


@dataclass(frozen=True)
class Answer:
    status: int
    headers: urllib3.HTTPHeaderDict
    body: bytes

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def call(method: str, url: str, *, body: bytes | None = None, headers: dict | None = None, limit: int) -> Answer:
    """One HTTP request; the answer read up to ``limit`` bytes (:class:`AnswerTooLarge` beyond)."""
    try:
        scheme, host, port, path = _target(url)
        response = _pool.connection_from_host(host, port, scheme).urlopen(
            method, path, body=body, headers={"User-Agent": USER_AGENT, **(headers or {})},
            timeout=_timeout(*timeout()), preload_content=False, redirect=False, assert_same_host=False,
            retries=_NO_RETRIES)
    except LocationValueError as exc:
        raise BadAddress(f"cannot call {url[:200]!r}: {exc}") from exc
    except (NewConnectionError, ConnectTimeoutError) as exc:
        raise NoAnswer(f"cannot connect ({type(exc).__name__})", maybe_applied=False) from exc
    except (Urllib3Timeout, ProtocolError, HTTPError, OSError) as exc:
        raise NoAnswer(f"no answer ({type(exc).__name__})", maybe_applied=True) from exc
    try:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise AnswerTooLarge(f"{declared} bytes declared, at most {limit} accepted", response.status)
        # one read of at most one byte over the limit (urllib3 2 reads until that many bytes or the end): a score's
        # short answer is then read in one call, where reading it in chunks took a second call to find the end
        content = response.read(limit + 1)
        if len(content) > limit:
            raise AnswerTooLarge(f"more than {limit} bytes", response.status)
    except AnswerTooLarge:
        response.close()  # the rest is never read: this connection is not reused
        raise
    except (Urllib3Timeout, ProtocolError, HTTPError, OSError) as exc:
        response.close()
        raise NoAnswer(f"answer cut off ({type(exc).__name__})", maybe_applied=True) from exc
    response.release_conn()
    return Answer(response.status, response.headers, content)


@functools.lru_cache(maxsize=1024)  # a worker calls a handful of score URLs thousands of times
def _target(url: str) -> tuple[str, str, int | None, str]:
    """(scheme, host, port, path and query) of an http(s) URL; :class:`LocationValueError` for anything else."""
    parts = parse_url(url)
    if parts.scheme not in ("http", "https") or not parts.host:
        raise LocationValueError(f"not an http(s) URL with a host: {url[:200]!r}")
    return parts.scheme, parts.host, parts.port, parts.request_uri


@functools.lru_cache(maxsize=8)
def _timeout(connect: float, read: float) -> urllib3.Timeout:
    return urllib3.Timeout(connect=connect, read=read)  # the pool copies it per request: one may serve all


def timeout() -> tuple[float, float]:
    """(connect, read) seconds for calls to platforms; ``settings.LTI_HTTP_TIMEOUT`` overrides."""
    value = getattr(settings, "LTI_HTTP_TIMEOUT", (5.0, 20.0))
    return (float(value[0]), float(value[1])) if isinstance(value, (tuple, list)) else (float(value), float(value))


def is_transient(status: int) -> bool:
    """Answers that may succeed later: timeouts, too many requests, server trouble."""
    return status in (408, 425, 429) or status >= 500


def retry_after(headers) -> float | None:
    """Seconds the platform asked us to wait (``Retry-After`` as seconds or an HTTP date), if any."""
    value = (headers.get("Retry-After") or "").strip()
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
