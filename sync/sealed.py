"""The sync package's secrets at rest: a badge platform's password and client secret, and its OAuth tokens.

They are sealed (Fernet: AES-128-CBC with an HMAC-SHA256, from ``cryptography``) with a key kept as a file beside
our other keys, ``settings.KEYS_DIR/sync/secrets.key`` (readable by the service only), never in the database: a
copy of the database or a backup of it gives none of them away. The key is made on first use; every process of
one deployment must share ``KEYS_DIR``, as they already do for the LTI and badge-signing keys.

A sealed value is stored as ``sealed:v1:<token>``. A value stored before sealing existed reads back as it was and
is sealed when its row is next saved (the migration that introduced this saved every row).
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models

from sync.key_files import create_once

PREFIX = "sealed:v1:"


class SecretsUnreadable(RuntimeError):
    """Sealed secrets whose key is missing or is another deployment's; the message says how to recover."""


def _key_path() -> Path:
    return Path(settings.KEYS_DIR) / "sync" / "secrets.key"


@functools.lru_cache(maxsize=4)
def _box(path: Path) -> Fernet:
    """The Fernet of the key at ``path`` (FileNotFoundError when there is none; that is not remembered)."""
    return Fernet(path.read_bytes().strip())


def seal(text: str) -> str:
    path = _key_path()
    if not path.exists():
        create_once(path, Fernet.generate_key())
    return PREFIX + _box(path).encrypt(text.encode()).decode("ascii")


def unseal(stored: str) -> str:
    """The text of a stored value (one stored before sealing existed comes back as it is)."""
    if not stored.startswith(PREFIX):
        return stored
    path = _key_path()
    try:
        return _box(path).decrypt(stored[len(PREFIX):].encode("ascii")).decode()
    except FileNotFoundError:
        raise SecretsUnreadable(f"the badge platforms' secrets are sealed with a key that is missing ({path}); "
                                "restore that file from a backup of the keys folder, or enter the secrets again "
                                "with: caregiving issuer set NAME ...") from None
    except InvalidToken:
        raise SecretsUnreadable(f"the badge platforms' secrets were sealed with another key than {path}; restore "
                                "that deployment's keys folder, or enter the secrets again with: "
                                "caregiving issuer set NAME ...") from None


class SealedTextField(models.TextField):
    """Text stored sealed ("" stays "": nothing to hide, and a blank token reads as no token)."""

    def from_db_value(self, value, expression, connection):
        return unseal(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return seal(value) if value else value


class SealedJSONField(models.TextField):
    """A JSON object stored sealed as text."""

    def from_db_value(self, value, expression, connection):
        return json.loads(unseal(value)) if value else {}

    def to_python(self, value):
        return json.loads(unseal(value)) if isinstance(value, str) else value

    def get_prep_value(self, value):
        return seal(json.dumps(value if value is not None else {}, sort_keys=True))
