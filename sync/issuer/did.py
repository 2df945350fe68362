"""The issuer's identifier: a ``did:web`` or ``did:key`` DID for its one Ed25519 key, as OB 3.0 verifiers expect.

``CAREGIVING_ISSUER_DID`` chooses:

- ``web``: ``did:web:<host of CAREGIVING_BASE_URL>`` (its path, if any, as more segments); the DID document is
  published at ``/.well-known/did.json`` (or ``<path>/did.json``) and names the key as ``#key-1``;
- ``key``: ``did:key:z6Mk…``, the key itself, which needs no domain and nothing fetched;
- ``url``: the issuer profile's https URL (what credentials issued before DIDs carry);
- ``auto`` (the default): ``web`` when the base URL is ``https://`` (the installation has its own domain, which
  did:web resolvers fetch over https), else ``key``.

Whichever is chosen, credentials issued under another choice keep verifying: the same key answers to every
identifier (:func:`known_methods`), and the issuer profile keeps serving the old URL verification method.
"""
from __future__ import annotations

import os
from urllib.parse import quote, urlsplit

from django.conf import settings

from sync.issuer import links
from sync.issuer.jsonld import DID_V1, MULTIKEY_V1
from sync.issuer.multibase import multikey_public

MODES = ("auto", "web", "key", "url")


class DidConfigError(ValueError):
    """``CAREGIVING_ISSUER_DID`` names no known mode."""


def mode() -> str:
    """The identifier kind in use: ``web``, ``key`` or ``url``."""
    chosen = os.environ.get("CAREGIVING_ISSUER_DID", "auto").strip().lower() or "auto"
    if chosen not in MODES:
        raise DidConfigError(f"CAREGIVING_ISSUER_DID={chosen!r}: use one of {', '.join(MODES)}")
    if chosen == "auto":
        return "web" if settings.BASE_URL.startswith("https://") else "key"
    return chosen


def did_web() -> str:
    """``did:web`` of the base URL: host (a port as ``%3A``), then the path's segments."""
    parts = urlsplit(settings.BASE_URL)
    segments = [quote(s, safe="") for s in parts.path.split("/") if s]
    return ":".join(["did:web", quote(parts.netloc, safe=""), *segments])


def did_key(public_raw: bytes) -> str:
    return f"did:key:{multikey_public(public_raw)}"


def issuer_id(public_raw: bytes) -> str:
    """The issuer id new credentials carry."""
    kind = mode()
    if kind == "web":
        return did_web()
    if kind == "key":
        return did_key(public_raw)
    return links.issuer_id()


def method_for(issuer: str, public_raw: bytes) -> str:
    """The verification method (signing key id) under an issuer id."""
    if issuer.startswith("did:key:"):
        return f"{issuer}#{issuer.removeprefix('did:key:')}"
    if issuer.startswith("did:web:"):
        return f"{issuer}#key-1"
    return links.key_id()


def known_issuers(public_raw: bytes) -> set[str]:
    """Every issuer id this installation's key has signed under (or would)."""
    return {links.issuer_id(), did_web(), did_key(public_raw)}


def known_methods(public_raw: bytes) -> set[str]:
    return {method_for(issuer, public_raw) for issuer in known_issuers(public_raw)}


def document(public_raw: bytes) -> dict:
    """The ``did:web`` DID document: the issuer's Ed25519 key as a Multikey, for assertions."""
    did = did_web()
    method = method_for(did, public_raw)
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": [{"id": method, "type": "Multikey", "controller": did,
                                "publicKeyMultibase": multikey_public(public_raw)}],
        "assertionMethod": [method],
        "authentication": [method],
    }
