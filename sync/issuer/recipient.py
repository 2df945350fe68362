"""The recipient as published: a salted SHA-256 of the e-mail address, never the address itself."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass


@dataclass(frozen=True)
class Recipient:
    """What the credential says about its holder: hash, salt and what kind of identifier was hashed."""

    identity_hash: str
    salt: str
    identity_type: str  # Open Badges 3.0 identityType: "emailAddress", or "systemId" without an e-mail

    @property
    def ob2_type(self) -> str:
        return "email" if self.identity_type == "emailAddress" else "url"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def salted_hash(identity: str, salt: str) -> str:
    """``sha256$`` + hex SHA-256 of identity then salt, both UTF-8 (the Open Badges IdentityHash)."""
    return "sha256$" + hashlib.sha256((identity + salt).encode("utf-8")).hexdigest()


def new_recipient(email: str, fallback_identity: str) -> Recipient:
    """A fresh salt per credential, so the same person's badges cannot be linked by their hashes."""
    salt = secrets.token_hex(16)
    if email and "@" in email:
        return Recipient(salted_hash(normalise_email(email), salt), salt, "emailAddress")
    return Recipient(salted_hash(fallback_identity, salt), salt, "systemId")


def matches(recipient_hash: str, salt: str, email: str) -> bool:
    """Whether ``email`` is the address behind the hash (for a verifier who was given one)."""
    return hmac.compare_digest(recipient_hash.lower(), salted_hash(normalise_email(email), salt))
