"""Our tool's RSA signing keys: kept as files in ``settings.KEYS_DIR/lti`` (0600), never in the database.

A key ring (``keyring.json``) lists each key with the moment it starts signing. Rotation adds a key that is
published at once but signs only after ``lead`` (so platforms that cache our key set learn it first); the key it
replaces stays published until everything it signed has expired (:data:`MAX_SIGNED_LIFETIME` after it stopped).
"""
from __future__ import annotations

import json
import os
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings

ALGORITHM = "RS256"
KEY_BITS = 2048
#: Longest lifetime of anything we sign (deep-linking responses, client assertions), with margin.
MAX_SIGNED_LIFETIME = timedelta(hours=1)
DEFAULT_LEAD = timedelta(hours=1)

_lock = threading.Lock()
_cache: dict = {"stamp": None, "keys": []}


@dataclass(frozen=True)
class ToolKey:
    kid: str
    signs_from: datetime
    private_key: rsa.RSAPrivateKey

    def public_jwk(self) -> dict:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private_key.public_key()))
        jwk.update({"kid": self.kid, "alg": ALGORITHM, "use": "sig"})
        return jwk

    def sign(self, payload: dict, headers: dict | None = None) -> str:
        """A compact JWS of ``payload`` (RS256, this key's ``kid`` in the header)."""
        return jwt.encode(payload, self.private_key, algorithm=ALGORITHM, headers={"kid": self.kid, **(headers or {})})


def key_dir() -> Path:
    path = Path(settings.KEYS_DIR) / "lti"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` readable by the service only, atomically."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _ring_path() -> Path:
    return key_dir() / "keyring.json"


def _read_ring() -> list[dict]:
    path = _ring_path()
    if not path.exists():
        return []
    return json.loads(path.read_text())


def _write_ring(entries: list[dict]) -> None:
    _write_private(_ring_path(), json.dumps(entries, indent=2).encode())


def _create_ring() -> None:
    """The first key ring; if another process creates one at the same moment, theirs is kept."""
    entry = _new_key(datetime.now(UTC))
    tmp = key_dir() / f"keyring.{entry['kid']}.tmp"
    _write_private(tmp, json.dumps([entry], indent=2).encode())
    try:
        os.link(tmp, _ring_path())  # atomic, and fails when the ring exists
    except FileExistsError:
        (key_dir() / f"{entry['kid']}.pem").unlink(missing_ok=True)
    finally:
        tmp.unlink(missing_ok=True)


def _new_key(signs_from: datetime) -> dict:
    kid = secrets.token_urlsafe(12)
    private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    _write_private(key_dir() / f"{kid}.pem", pem)
    return {"kid": kid, "signs_from": signs_from.isoformat()}


def _loaded() -> list[ToolKey]:
    """The key ring, oldest first, re-read only when the ring file changed."""
    path = _ring_path()
    with _lock:
        if not path.exists():
            _create_ring()
        st = path.stat()
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        if _cache["stamp"] != stamp:
            keys = []
            for entry in _read_ring():
                pem = (key_dir() / f"{entry['kid']}.pem").read_bytes()
                keys.append(ToolKey(entry["kid"], datetime.fromisoformat(entry["signs_from"]),
                                    serialization.load_pem_private_key(pem, password=None)))
            _cache.update(stamp=stamp, keys=sorted(keys, key=lambda k: k.signs_from))
        return list(_cache["keys"])


def signing_key(now: datetime | None = None) -> ToolKey:
    """The key that signs now: the newest whose ``signs_from`` has come."""
    now = now or datetime.now(UTC)
    keys = _loaded()
    current = [k for k in keys if k.signs_from <= now]
    return current[-1] if current else keys[0]


def _published(keys: list[ToolKey], now: datetime) -> list[ToolKey]:
    """Keys to publish: the signing key, keys waiting to sign, and retired keys whose signatures may be live."""
    out = []
    for index, key in enumerate(keys):
        successor = next((k for k in keys[index + 1:] if k.signs_from <= now), None)
        if successor is None or now < successor.signs_from + MAX_SIGNED_LIFETIME:
            out.append(key)
    return out


def jwks(now: datetime | None = None) -> dict:
    """Our public key set (``/lti/jwks``): public parts only."""
    now = now or datetime.now(UTC)
    return {"keys": [k.public_jwk() for k in _published(_loaded(), now)]}


def rotate_key(lead: timedelta = DEFAULT_LEAD, now: datetime | None = None) -> ToolKey:
    """Add a key that is published now and starts signing after ``lead``; drop keys no longer published."""
    now = now or datetime.now(UTC)
    _loaded()  # the ring exists before a key is added to it
    entry = _new_key(now + lead)
    with _lock:
        ring = [*_read_ring(), entry]
        _write_ring(ring)
    prune(now)
    return next(k for k in _loaded() if k.kid == entry["kid"])


def prune(now: datetime | None = None) -> list[str]:
    """Delete keys that are no longer published (their signatures have all expired); their kids."""
    now = now or datetime.now(UTC)
    keys = _loaded()
    keep = {k.kid for k in _published(keys, now)}
    gone = [k.kid for k in keys if k.kid not in keep]
    if gone:
        with _lock:
            _write_ring([e for e in _read_ring() if e["kid"] in keep])
        for kid in gone:
            (key_dir() / f"{kid}.pem").unlink(missing_ok=True)
    return gone


def describe(now: datetime | None = None) -> list[dict]:
    """For ``caregiving platform keys``: each key's kid, when it signs from, whether it signs or is published."""
    now = now or datetime.now(UTC)
    keys = _loaded()
    published = {k.kid for k in _published(keys, now)}
    current = signing_key(now).kid
    return [{"kid": k.kid, "signs_from": k.signs_from.isoformat(), "signing": k.kid == current,
             "published": k.kid in published} for k in keys]
