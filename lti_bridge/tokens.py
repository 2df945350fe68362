"""OAuth 2.0 access tokens for a platform's LTI Advantage services (AGS, NRPS).

1EdTech Security Framework 1.0, section 4.1: the tool asks the platform's token endpoint for a
token with the ``client_credentials`` grant, authenticating with a JWT it signs (RFC 7523:
``client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer``) whose ``iss``
and ``sub`` are the tool's client id, ``aud`` the token endpoint (or the platform's declared
audience), with a fresh ``jti`` and a short ``exp``.

Tokens are cached per platform and scope set, in memory and in :class:`AccessTokenCache` (so
every worker shares one), until shortly before they expire: one token serves many scores. A
refresh is serialised per platform and scope set: by a lock in the process and, on databases with
row locks, by a locked cache row, so concurrent workers do not each fetch a token.
"""
from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from lti_bridge import outbound
from lti_bridge.models import AccessTokenCache, Platform

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_LIFETIME = 300  # seconds; the assertion is used at once
REFRESH_MARGIN = 60  # seconds before expiry at which a cached token is replaced
DEFAULT_EXPIRES_IN = 3600  # when the platform does not say
MAX_TOKEN_ANSWER = 64 * 1024


class TokenError(Exception):
    """The platform would not give a token. ``retry_after`` is None for answers retrying won't fix."""

    def __init__(self, reason: str, *, retryable: bool, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after


@dataclass(frozen=True)
class _Cached:
    token: str
    expires_at: float  # epoch seconds


_memory: dict[tuple[int, str], _Cached] = {}
_locks: dict[tuple[int, str], threading.Lock] = {}
_locks_guard = threading.Lock()
_fetched = 0  # tokens fetched by this process (for the benchmark and tests)


def tokens_fetched() -> int:
    """How many tokens this process has fetched from platforms since it started."""
    return _fetched


def scope_key(scopes: Iterable[str]) -> str:
    """The canonical form of a scope set: sorted, space separated (also the ``scope`` we ask for)."""
    return " ".join(sorted(set(scopes)))


def access_token(platform: Platform, scopes: Iterable[str], *, reject: str | None = None) -> str:
    """A bearer token for ``platform`` valid for ``scopes``, from the cache or fetched.

    ``reject`` is a token the platform just refused (401): it is dropped and a new one fetched,
    unless another worker has already replaced it.
    """
    key = (platform.pk, scope_key(scopes))
    cached = _memory.get(key)
    if cached and cached.token != reject and _fresh(cached.expires_at):
        return cached.token
    with _lock_for(key):
        with _row_lock(platform, key[1]) as row:
            if row is not None and row.token and row.token != reject and _fresh(row.expires_at.timestamp()):
                _memory[key] = _Cached(row.token, row.expires_at.timestamp())
                return row.token
            token, expires_at = _fetch(platform, key[1])
            AccessTokenCache.objects.update_or_create(
                platform=platform, scopes=key[1],
                defaults={"token": token, "expires_at": dt.datetime.fromtimestamp(expires_at, dt.UTC)})
            _memory[key] = _Cached(token, expires_at)
            return token


def forget(platform: Platform | None = None) -> None:
    """Drop cached tokens (all, or one platform's), in memory and in the database."""
    for key in [k for k in _memory if platform is None or k[0] == platform.pk]:
        _memory.pop(key, None)
    rows = AccessTokenCache.objects.all() if platform is None else AccessTokenCache.objects.filter(platform=platform)
    rows.delete()


def client_assertion(platform: Platform, *, now: float | None = None) -> str:
    """The signed JWT that authenticates us to ``platform``'s token endpoint."""
    from lti_bridge.keys import signing_key

    now = time.time() if now is None else now
    claims = {
        "iss": platform.client_id,
        "sub": platform.client_id,
        "aud": platform.token_audience or platform.auth_token_url,
        "iat": int(now),
        "exp": int(now) + ASSERTION_LIFETIME,
        "jti": str(uuid.uuid4()),
    }
    return signing_key().sign(claims)


def _fresh(expires_at: float) -> bool:
    return expires_at - REFRESH_MARGIN > time.time()


def _lock_for(key: tuple[int, str]) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


@contextmanager
def _row_lock(platform: Platform, scopes: str):
    """Hold the cache row for (platform, scopes) locked while a token is fetched, where row locks exist.

    SQLite has no row locks and its transactions lock the whole database, so there the process
    lock alone serialises refreshes (SQLite is the single-process embedded setup).
    """
    if not connection.features.has_select_for_update or connection.in_atomic_block:
        yield AccessTokenCache.objects.filter(platform=platform, scopes=scopes).first()
        return
    try:
        AccessTokenCache.objects.get_or_create(
            platform=platform, scopes=scopes, defaults={"token": "", "expires_at": timezone.now()})
    except IntegrityError:  # created by another worker meanwhile
        pass
    with transaction.atomic():
        yield AccessTokenCache.objects.select_for_update().get(platform=platform, scopes=scopes)


def _fetch(platform: Platform, scopes: str) -> tuple[str, float]:
    """Ask the platform for a token; returns (token, expiry as epoch seconds)."""
    global _fetched
    data = {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": client_assertion(platform),
        "scope": scopes,
    }
    try:
        answer = outbound.call("POST", platform.auth_token_url, body=urlencode(data).encode(), limit=MAX_TOKEN_ANSWER,
                               headers={"Accept": "application/json",
                                        "Content-Type": "application/x-www-form-urlencoded"})
    except outbound.NoAnswer as exc:
        raise TokenError(f"token endpoint: {exc.reason}", retryable=True) from exc
    except outbound.BadAddress as exc:
        raise TokenError(str(exc), retryable=False) from exc
    except outbound.AnswerTooLarge as exc:
        raise TokenError(f"token endpoint answer too large: {exc}", retryable=False) from exc
    body = answer.body
    if outbound.is_transient(answer.status):
        raise TokenError(f"token endpoint said HTTP {answer.status}: {outbound.excerpt(body)}", retryable=True,
                         retry_after=outbound.retry_after(answer.headers))
    if answer.status != 200:
        raise TokenError(f"token endpoint refused (HTTP {answer.status}): {outbound.excerpt(body)}",
                         retryable=False)
    try:
        payload = outbound.json_object(body)
        token = payload["access_token"]
        token_type = payload.get("token_type", "Bearer")
        expires_in = int(payload.get("expires_in", DEFAULT_EXPIRES_IN))
    except (ValueError, KeyError, TypeError) as exc:
        raise TokenError(f"token endpoint answer is not a token: {outbound.excerpt(body)}", retryable=False) from exc
    if not isinstance(token, str) or not 0 < len(token) <= 4096 or str(token_type).lower() != "bearer":
        raise TokenError("token endpoint answer is not a bearer token", retryable=False)
    _fetched += 1
    lifetime = max(0, min(expires_in, getattr(settings, "LTI_TOKEN_MAX_LIFETIME", 24 * 3600)))
    return token, time.time() + lifetime
