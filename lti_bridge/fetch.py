"""Bounded HTTP calls of the launch side (platform key sets, NRPS pages, Dynamic Registration).

Short timeouts, no redirects, no proxies or .netrc picked up from the environment, answers read only up to
a limit, and public destinations only (:mod:`lti_bridge.destinations`), so a slow, broken or hostile platform,
or a URL pointing inside our network, costs us little.
"""
from __future__ import annotations

from dataclasses import dataclass

import requests
from django.conf import settings

from lti_bridge.destinations import CheckedAdapter

USER_AGENT = "caregiving-course-lti/1.0"


class FetchError(Exception):
    """The call failed (unreachable, cut off, or an answer over the limit); the message says which."""


@dataclass(frozen=True)
class Fetched:
    status: int
    headers: dict
    body: bytes


def timeout() -> tuple[float, float]:
    value = getattr(settings, "LTI_FETCH_TIMEOUT", (5.0, 10.0))
    return (float(value[0]), float(value[1])) if isinstance(value, (tuple, list)) else (float(value), float(value))


def fetch(method: str, url: str, *, limit: int, headers: dict | None = None,
          data: bytes | str | None = None) -> Fetched:
    """One request; raises :class:`FetchError` when there is no complete answer within ``limit`` bytes."""
    session = requests.Session()
    session.trust_env = False
    session.mount("http://", CheckedAdapter())
    session.mount("https://", CheckedAdapter())
    try:
        with session, session.request(method, url, headers={"User-Agent": USER_AGENT, **(headers or {})}, data=data,
                                      timeout=timeout(), stream=True, allow_redirects=False) as answer:
            declared = answer.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limit:
                raise FetchError(f"the answer from {url} is larger than {limit} bytes")
            body = answer.raw.read(limit + 1, decode_content=True)
            if len(body) > limit:
                raise FetchError(f"the answer from {url} is larger than {limit} bytes")
            return Fetched(answer.status_code, dict(answer.headers), body)
    except (requests.RequestException, OSError, ValueError) as exc:
        why = "its address is not public" if "refused:" in str(exc) else type(exc).__name__
        raise FetchError(f"{url} could not be reached: {why}") from exc
