"""The credential as a VC-JWT (Open Badges 3.0 "JSON Web Token Proof Format"), signed EdDSA.

JOSE header: ``alg`` EdDSA, ``kid`` (a URL serving the public JWK), ``typ`` JWT. Claims: ``iss``
(issuer id), ``jti`` (credential id), ``nbf`` (validFrom), ``exp`` (validUntil, if any) and ``vc``.
The recipient has no ``id`` (only a salted hash), so there is no ``sub`` claim.
"""
from __future__ import annotations

import datetime as dt

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from sync.issuer import links


class ClaimMismatch(jwt.InvalidTokenError):
    """The signed claims disagree with the credential inside them."""


def _seconds(value: str) -> int:
    return int(dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())


def sign(credential: dict, key) -> str:
    claims = {"iss": credential["issuer"]["id"], "jti": credential["id"], "nbf": _seconds(credential["validFrom"]),
              "vc": credential}
    if credential.get("validUntil"):
        claims["exp"] = _seconds(credential["validUntil"])
    return jwt.encode(claims, key.private_for_jose, algorithm="EdDSA", headers={"kid": links.jwk_id(), "typ": "JWT"})


def decode(token: str, public_raw: bytes) -> dict:
    """The verified claims; raises ``jwt.InvalidTokenError`` (or a subclass) with the reason otherwise."""
    public = Ed25519PublicKey.from_public_bytes(public_raw)
    claims = jwt.decode(token, public, algorithms=["EdDSA"], options={"require": ["iss", "jti", "nbf"]})
    vc = claims.get("vc")
    if not isinstance(vc, dict):
        raise jwt.InvalidTokenError("the token has no vc claim")
    issuer = vc.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if claims["iss"] != issuer_id:
        raise ClaimMismatch("iss does not match the credential's issuer")
    if claims["jti"] != vc.get("id"):
        raise ClaimMismatch("jti does not match the credential's id")
    if not isinstance(vc.get("validFrom"), str) or claims["nbf"] != _seconds(vc["validFrom"]):
        raise ClaimMismatch("nbf does not match the credential's validFrom")
    return claims


def header(token: str) -> dict:
    return jwt.get_unverified_header(token)
