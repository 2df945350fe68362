"""The two multibase encodings Data Integrity and Bitstring Status List use: base58btc ("z") and base64url ("u")."""
from __future__ import annotations

import base64

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(_ALPHABET)}
ED25519_PUB_PREFIX = b"\xed\x01"  # multicodec ed25519-pub, as a varint


_PAIRS = [high + low for high in _ALPHABET for low in _ALPHABET]  # two base58 digits, by value (0 to 58**2 - 1)
_CHUNK = 58 ** 10  # ten digits: one division of the big number per ten digits, the rest on small numbers


def b58encode(data: bytes) -> str:
    """``data`` in base58btc (each leading zero byte a "1")."""
    n = int.from_bytes(data, "big")
    chunks = []
    while n:
        n, chunk = divmod(n, _CHUNK)
        chunks.append(chunk)
    digits = []
    for chunk in reversed(chunks):
        pairs = []
        for _ in range(5):
            chunk, pair = divmod(chunk, 58 * 58)
            pairs.append(_PAIRS[pair])
        digits.extend(reversed(pairs))
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + "".join(digits).lstrip("1")


def b58decode(text: str) -> bytes:
    n = 0
    for c in text:
        try:
            n = n * 58 + _INDEX[c]
        except KeyError:
            raise ValueError("not base58btc") from None
    pad = len(text) - len(text.lstrip("1"))
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    return b"\0" * pad + body


def encode_z(data: bytes) -> str:
    return "z" + b58encode(data)


def decode_z(text: str) -> bytes:
    if not isinstance(text, str) or not text.startswith("z"):
        raise ValueError("expected a base58btc multibase value (starting with 'z')")
    return b58decode(text[1:])


def encode_u(data: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def decode_u(text: str) -> bytes:
    if not isinstance(text, str) or not text.startswith("u"):
        raise ValueError("expected a base64url multibase value (starting with 'u')")
    body = text[1:]
    return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))


def multikey_public(raw: bytes) -> str:
    """``publicKeyMultibase`` of an Ed25519 public key (Multikey)."""
    return encode_z(ED25519_PUB_PREFIX + raw)


def multikey_public_raw(value: str) -> bytes:
    data = decode_z(value)
    if not data.startswith(ED25519_PUB_PREFIX) or len(data) != 34:
        raise ValueError("not an Ed25519 Multikey")
    return data[2:]
