"""The issuer's Ed25519 key pair: one file under ``settings.KEYS_DIR`` (mode 0600), outside the database.

The private key never leaves this module: nothing logs it, returns it or puts it in a page. Public
forms (Multikey for Data Integrity, JWK for VC-JWT) are what the public pages publish.
"""
from __future__ import annotations

import base64
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from sync.issuer import links
from sync.issuer.multibase import multikey_public
from sync.key_files import create_once

KEY_FILE = "badge-issuer-ed25519.pem"
_lock = threading.Lock()
_loaded: dict[Path, IssuerKey] = {}


@dataclass(frozen=True, repr=False)
class IssuerKey:
    """Signs with the issuer's private key; exposes only public material."""

    _private: Ed25519PrivateKey

    def __repr__(self) -> str:  # never show key material, even in a traceback
        return f"<IssuerKey {self.key_id}>"

    @cached_property
    def public(self) -> Ed25519PublicKey:
        return self._private.public_key()

    @cached_property
    def public_raw(self) -> bytes:
        return self.public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    @property
    def key_id(self) -> str:
        """The verification method id (an https URL under the issuer profile)."""
        return links.key_id()

    @property
    def public_multibase(self) -> str:
        return multikey_public(self.public_raw)

    def public_jwk(self) -> dict:
        x = base64.urlsafe_b64encode(self.public_raw).decode("ascii").rstrip("=")
        return {"kty": "OKP", "crv": "Ed25519", "x": x, "alg": "EdDSA", "use": "sig", "kid": links.jwk_id()}

    def sign(self, data: bytes) -> bytes:
        return self._private.sign(data)

    def verify(self, signature: bytes, data: bytes) -> bool:
        try:
            self.public.verify(signature, data)
            return True
        except InvalidSignature:
            return False

    @property
    def private_for_jose(self) -> Ed25519PrivateKey:
        """The key object for PyJWT's signer; used only by :mod:`sync.issuer.vcjwt`."""
        return self._private


def key_path() -> Path:
    return Path(settings.KEYS_DIR) / KEY_FILE


def issuer_key() -> IssuerKey:
    """The issuer key, created on first use with permissions 0600 in a 0700 folder."""
    path = key_path()
    with _lock:
        if path in _loaded:
            return _loaded[path]
        if not path.exists():
            create_once(path, Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(private, Ed25519PrivateKey):
            raise ValueError(f"{path} does not hold an Ed25519 private key")
        _loaded[path] = IssuerKey(private)
        return _loaded[path]
