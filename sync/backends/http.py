"""HTTP for the platform backends: one keep-alive session, and failures mapped to delivery errors."""
from __future__ import annotations

import requests
from requests.adapters import HTTPAdapter

from caregiving_course.learner_record.delivery import RetryLater

DEFAULT_TIMEOUT = (5.0, 20.0)  # connect, read


def session() -> requests.Session:
    """A keep-alive session that never retries by itself (a retried POST could issue twice)."""
    s = requests.Session()
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=4, max_retries=0)
    s.mount("http://", adapter)
    s.mount("https://", adapter)
    s.headers["User-Agent"] = "caregiving-sync/1"
    s.trust_env = False  # no proxy or .netrc look-ups per request: platform URLs are configured explicitly
    return s


def _never_sent(exc: requests.RequestException) -> bool:
    """True when the request surely did not reach the platform (no connection was made)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    text = repr(exc)
    return "NewConnectionError" in text or "NameResolutionError" in text or "Connection refused" in text


def send(http: requests.Session, method: str, url: str, *, what: str, timeout=DEFAULT_TIMEOUT,
         **kwargs) -> requests.Response:
    """Send one request; a timeout or dropped connection becomes :class:`RetryLater`, ambiguous when it may
    have been applied."""
    try:
        return http.request(method, url, timeout=timeout, **kwargs)
    except requests.RequestException as exc:
        ambiguous = method != "GET" and not _never_sent(exc)
        raise RetryLater(f"{what}: {'no answer' if ambiguous else 'could not connect'}",
                         answer=f"{type(exc).__name__}: {str(exc)[:300]}", ambiguous=ambiguous) from None


def json_of(resp: requests.Response) -> dict:
    try:
        data = resp.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {"items": data}
