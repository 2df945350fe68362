"""The credential as a VC-JWT in the form Open Badges 3.0 §8.2 ("JSON Web Token Proof Format") gives, signed EdDSA.

JOSE header: ``alg`` EdDSA, ``typ`` JWT, ``kid`` (the verification method, under the issuer's DID) and ``jwk``
(the issuer's public key). Payload: the credential itself, with the registered claims ``iss`` (issuer id),
``jti`` (credential id), ``nbf`` (``validFrom``), ``exp`` (``validUntil``, if any) and ``sub``
(``credentialSubject.id``, if any: ours carry only a salted hash, so there is none).

Tokens issued before this form wrapped the credential in a ``vc`` claim; :func:`decode` still reads them.
"""
from __future__ import annotations

import datetime as dt

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from sync.issuer import links

REGISTERED = ("iss", "jti", "nbf", "exp", "sub", "iat")


class ClaimMismatch(jwt.InvalidTokenError):
    """The signed claims disagree with the credential inside them."""


def _seconds(value: str) -> int:
    return int(dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())


def _id(value) -> str | None:
    return value.get("id") if isinstance(value, dict) else value


def public_jwk(public_raw: bytes) -> dict:
    """The public key as a JWK for the JOSE header (no private part, ever)."""
    import base64

    return {"kty": "OKP", "crv": "Ed25519", "x": base64.urlsafe_b64encode(public_raw).decode("ascii").rstrip("=")}


def sign(credential: dict, key, *, method: str | None = None) -> str:
    """The signed token of ``credential`` (any embedded Data Integrity ``proof`` is left out)."""
    body = {k: v for k, v in credential.items() if k != "proof"}
    claims = {**body, "iss": _id(body["issuer"]), "jti": body["id"], "nbf": _seconds(body["validFrom"])}
    subject = _id(body.get("credentialSubject"))
    if isinstance(subject, str):
        claims["sub"] = subject
    if body.get("validUntil"):
        claims["exp"] = _seconds(body["validUntil"])
    headers = {"kid": method or links.jwk_id(), "typ": "JWT", "jwk": public_jwk(key.public_raw)}
    return jwt.encode(claims, key.private_for_jose, algorithm="EdDSA", headers=headers)


def decode(token: str, public_raw: bytes) -> dict:
    """The verified credential; raises ``jwt.InvalidTokenError`` (or a subclass) with the reason otherwise."""
    public = Ed25519PublicKey.from_public_bytes(public_raw)
    claims = jwt.decode(token, public, algorithms=["EdDSA"], options={"require": ["iss", "jti", "nbf"]})
    legacy = claims.get("vc")
    vc = legacy if isinstance(legacy, dict) else {k: v for k, v in claims.items() if k not in REGISTERED}
    if not isinstance(vc.get("type"), list):
        raise jwt.InvalidTokenError("the token holds no credential")
    if claims["iss"] != _id(vc.get("issuer")):
        raise ClaimMismatch("iss does not match the credential's issuer")
    if claims["jti"] != vc.get("id"):
        raise ClaimMismatch("jti does not match the credential's id")
    if not isinstance(vc.get("validFrom"), str) or claims["nbf"] != _seconds(vc["validFrom"]):
        raise ClaimMismatch("nbf does not match the credential's validFrom")
    if "sub" in claims and claims["sub"] != _id(vc.get("credentialSubject")):
        raise ClaimMismatch("sub does not match the credential subject's id")
    return vc


def header(token: str) -> dict:
    return jwt.get_unverified_header(token)
