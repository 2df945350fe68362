"""Platform public keys (their JWKS), cached in memory and in the database: no fetch per launch.

A ``kid`` we do not know makes us look at the database copy (another worker may have refetched), then refetch
the platform's key set once; refetches of one platform are at least ``settings.LTI_JWKS_REFETCH_SECONDS``
apart (default 30), so a stream of made-up ``kid`` values cannot make us hammer the platform.
"""
from __future__ import annotations

import json
import threading
import time

from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.utils import timezone
from jwt.algorithms import RSAAlgorithm
from jwt.exceptions import InvalidKeyError

from lti_bridge.fetch import FetchError, fetch
from lti_bridge.models import Platform

MAX_JWKS_BYTES = 256 * 1024


class PlatformKeyError(Exception):
    """The platform's key set could not be fetched or used."""


class _Entry:
    __slots__ = ("fetched_at", "keys", "last_refetch", "lock", "url")

    def __init__(self, url: str) -> None:
        self.url = url
        self.keys: dict[str, rsa.RSAPublicKey] = {}
        self.fetched_at = None
        self.last_refetch = 0.0
        self.lock = threading.Lock()


_entries: dict[int, _Entry] = {}
_entries_lock = threading.Lock()


def _refetch_interval() -> float:
    return float(getattr(settings, "LTI_JWKS_REFETCH_SECONDS", 30))


def parse_jwks(data: object) -> dict[str, rsa.RSAPublicKey]:
    """The RS256 signing keys of a JWKS document, by ``kid``; other keys are ignored."""
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise PlatformKeyError("the platform key set is not a JWKS document (no 'keys' list)")
    keys = {}
    for jwk in data["keys"]:
        if not isinstance(jwk, dict) or jwk.get("kty") != "RSA" or not isinstance(jwk.get("kid"), str):
            continue
        if jwk.get("use", "sig") != "sig" or jwk.get("alg", "RS256") != "RS256":
            continue
        try:
            key = RSAAlgorithm.from_jwk(jwk)
        except (InvalidKeyError, ValueError, TypeError, KeyError):  # a malformed key is skipped, not fatal
            continue
        if isinstance(key, rsa.RSAPublicKey):
            keys[jwk["kid"]] = key
    return keys


def fetch_jwks(url: str) -> dict:
    """GET a JWKS document, refusing oversized or non-JSON answers."""
    try:
        answer = fetch("GET", url, limit=MAX_JWKS_BYTES, headers={"Accept": "application/json"})
    except FetchError as exc:
        raise PlatformKeyError(f"could not fetch the platform key set: {exc}") from exc
    if answer.status != 200:
        raise PlatformKeyError(f"the platform key set at {url} answered HTTP {answer.status}")
    try:
        return json.loads(answer.body)
    except ValueError as exc:
        raise PlatformKeyError(f"the platform key set at {url} is not JSON") from exc


def _entry(platform: Platform) -> _Entry:
    with _entries_lock:
        entry = _entries.get(platform.pk)
        if entry is None or entry.url != platform.key_set_url:
            entry = _entries[platform.pk] = _Entry(platform.key_set_url)
            if platform.key_set_cache:
                entry.keys = parse_jwks(platform.key_set_cache)
                entry.fetched_at = platform.key_set_fetched_at
        return entry


def _refetch(platform: Platform, entry: _Entry) -> None:
    data = fetch_jwks(platform.key_set_url)
    keys = parse_jwks(data)
    now = timezone.now()
    Platform.objects.filter(pk=platform.pk).update(key_set_cache=data, key_set_fetched_at=now)
    entry.keys, entry.fetched_at = keys, now


def public_key(platform: Platform, kid: str) -> rsa.RSAPublicKey:
    """The platform's key ``kid``; raises :class:`PlatformKeyError` when the platform does not publish it."""
    entry = _entry(platform)
    key = entry.keys.get(kid)
    if key is not None:
        return key
    with entry.lock:
        key = entry.keys.get(kid)
        if key is not None:
            return key
        stored = Platform.objects.filter(pk=platform.pk).values("key_set_cache", "key_set_fetched_at").first()
        if stored and stored["key_set_cache"] and stored["key_set_fetched_at"] != entry.fetched_at:
            entry.keys, entry.fetched_at = parse_jwks(stored["key_set_cache"]), stored["key_set_fetched_at"]
            if kid in entry.keys:
                return entry.keys[kid]
        if entry.keys:  # a refetch, not the first load: rate limited
            if entry.last_refetch and time.monotonic() - entry.last_refetch < _refetch_interval():
                raise PlatformKeyError(f"the platform does not publish a key with kid {kid!r}")
            entry.last_refetch = time.monotonic()
        _refetch(platform, entry)
        key = entry.keys.get(kid)
    if key is None:
        raise PlatformKeyError(f"the platform does not publish a key with kid {kid!r}")
    return key


def forget(platform_pk: int | None = None) -> None:
    """Drop the in-memory cache (one platform or all): for tests and after a registration changes."""
    with _entries_lock:
        if platform_pk is None:
            _entries.clear()
        else:
            _entries.pop(platform_pk, None)
