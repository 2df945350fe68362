"""Which issuing backend serves each credential, and each backend's settings, stored in the database.

``caregiving issuer use NAME [--credential ID]`` picks a backend globally or for one credential;
``caregiving issuer set NAME --opt value ...`` stores its settings (secrets apart, never printed).
Workers re-read both within :data:`CACHE_SECONDS` of a change.
"""
from __future__ import annotations

import logging
import threading
import time

from django.db import transaction

from sync.backends import available
from sync.backends.base import IssuingBackend
from sync.models import BackendSettings, IssuerChoice, OAuthToken
from sync.sealed import SecretsUnreadable

log = logging.getLogger(__name__)

DEFAULT_BACKEND = "builtin"
CACHE_SECONDS = 5.0
MASK = "********"

_lock = threading.Lock()
_choices: tuple[float, dict[str, str]] | None = None
_instances: dict[str, tuple[float, object, IssuingBackend]] = {}


class ConfigError(ValueError):
    """A configuration that cannot be used (unknown backend, missing setting); the message says what to do."""


def backend_class(name: str) -> type[IssuingBackend]:
    try:
        return available()[name]
    except KeyError:
        raise ConfigError(f"unknown issuing backend {name!r} (known: {', '.join(sorted(available()))})") from None


def choices() -> dict[str, str]:
    """Backend per credential id; the key "" is the global choice."""
    return dict(IssuerChoice.objects.values_list("credential_id", "backend"))


def backend_name_for(credential_id: str) -> str:
    """The backend that issues ``credential_id``: its own choice, else the global one, else the built-in issuer."""
    global _choices
    with _lock:
        if _choices is None or time.monotonic() - _choices[0] > CACHE_SECONDS:
            _choices = (time.monotonic(), choices())
        chosen = _choices[1]
    return chosen.get(credential_id) or chosen.get("") or DEFAULT_BACKEND


def use(name: str, credential_id: str | None = None) -> None:
    """Issue ``credential_id``'s badges (or every credential's) through backend ``name``."""
    backend = backend_class(name)({}, {})
    row = BackendSettings.objects.filter(backend=name).first()
    if row is not None:
        backend = backend_class(name)(row.settings, row.secrets)
    missing = backend.missing_settings()
    if missing:
        flags = " ".join(f"--{m.replace('_', '-')} ..." for m in missing)
        raise ConfigError(f"{name} is not configured yet; first run: caregiving issuer set {name} {flags}")
    IssuerChoice.objects.update_or_create(credential_id=credential_id or "", defaults={"backend": name})
    _forget()


def settings_of(name: str) -> tuple[dict, dict]:
    row = BackendSettings.objects.filter(backend=name).first()
    return (dict(row.settings), dict(row.secrets)) if row else ({}, {})


def update_settings(name: str, values: dict[str, object]) -> None:
    """Merge ``values`` into backend ``name``'s settings; secret ones go to the secrets column."""
    cls = backend_class(name)
    known = {s.name: s for s in cls.SETTINGS}
    with transaction.atomic():
        try:
            row, _ = BackendSettings.objects.select_for_update().get_or_create(backend=name)
        except SecretsUnreadable as error:  # their key is lost: what is entered now starts the secrets afresh
            log.warning("%s: replacing secrets that cannot be read (%s); its OAuth tokens are dropped too", name, error)
            BackendSettings.objects.filter(backend=name).update(secrets={})
            OAuthToken.objects.filter(backend=name).delete()
            row = BackendSettings.objects.select_for_update().get(backend=name)
        for key, value in values.items():
            setting = known.get(key)
            if setting is None:
                raise ConfigError(f"{name} has no setting {key!r} (it has: {', '.join(known)})")
            target = row.secrets if setting.secret else row.settings
            if setting.mapping:
                target.setdefault(key, {}).update(value)
            else:
                target[key] = value
        row.save()
    _forget()


def describe() -> dict:
    """Choices and every backend's settings with secrets masked (for ``caregiving issuer show``)."""
    out = {"default": choices().get("", DEFAULT_BACKEND),
           "per_credential": {k: v for k, v in choices().items() if k}, "backends": {}}
    for name, cls in sorted(available().items()):
        settings, secrets = settings_of(name)
        shown = {}
        for s in cls.SETTINGS:
            if s.secret:
                shown[s.name] = MASK if secrets.get(s.name) else "(not set)"
            else:
                shown[s.name] = settings.get(s.name, s.default or "(not set)")
        out["backends"][name] = {"title": cls.title, "settings": shown,
                                 "missing": cls(settings, secrets).missing_settings()}
    return out


def backend(name: str) -> IssuingBackend:
    """A ready instance of backend ``name`` with its current settings (cached per process)."""
    with _lock:
        cached = _instances.get(name)
        if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[2]
    row = BackendSettings.objects.filter(backend=name).only("updated_at").first()
    stamp = row.updated_at if row else None
    with _lock:
        cached = _instances.get(name)
        if cached and cached[1] == stamp:
            _instances[name] = (time.monotonic(), stamp, cached[2])
            return cached[2]
    settings, secrets = settings_of(name)
    instance = backend_class(name)(settings, secrets)
    with _lock:
        old = _instances.get(name)
        _instances[name] = (time.monotonic(), stamp, instance)
    if old:
        old[2].close()
    return instance


def configured_backends() -> list[IssuingBackend]:
    """The backends in use (chosen globally or for a credential, and the built-in issuer, whose status lists
    outlive a switch to another platform), for the refresh job."""
    names = set(choices().values()) | {DEFAULT_BACKEND}
    return [backend(n) for n in sorted(names) if n in available()]


def _forget() -> None:
    global _choices
    with _lock:
        _choices = None
        for _, _, instance in _instances.values():
            instance.close()
        _instances.clear()
