"""Open Badges 2.0 hosted objects: Issuer Profile, BadgeClass and Assertion, each served at its own id."""
from __future__ import annotations

import datetime as dt

from sync.issuer import links
from sync.issuer.documents import criteria_narrative, evidence, iso, scrub
from sync.issuer.profile import issuer
from sync.issuer.recipient import Recipient

CONTEXT = "https://w3id.org/openbadges/v2"


def issuer_profile() -> dict:
    who = issuer()
    return {"@context": CONTEXT, "type": "Issuer", "id": links.issuer_v2(), "name": who.name, "url": who.url,
            "email": who.email, "description": who.description}


def badge_class(credential) -> dict:
    """The BadgeClass of a credential definition; its criteria name the course or courses it is made of."""
    return {
        "@context": CONTEXT,
        "type": "BadgeClass",
        "id": links.badgeclass_v2(credential.id),
        "name": credential.title,
        "description": scrub(credential.description) or credential.title,
        "image": links.image(credential.id, "png"),
        "criteria": {"id": links.achievement(credential.id), "narrative": criteria_narrative(credential)},
        "issuer": links.issuer_v2(),
        "tags": [t for t in (credential.tier, credential.delivery, credential.credit) if t],
    }


def assertion(*, award_id: str, credential_id: str, recipient: Recipient, earned_at: dt.datetime,
              evidence_entries: list) -> dict:
    items = [{"name": e["name"], "description": e["description"], "genre": e["genre"],
              "narrative": e["name"]} for e in evidence(evidence_entries)]
    document = {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": links.assertion_v2(award_id),
        "recipient": {"type": recipient.ob2_type, "hashed": True, "salt": recipient.salt,
                      "identity": recipient.identity_hash},
        "badge": links.badgeclass_v2(credential_id),
        "verification": {"type": "hosted"},
        "issuedOn": iso(earned_at),
        "image": links.baked(award_id, "png"),
    }
    if items:
        document["evidence"] = items
    return document


def revoked(award_id: str, reason: str) -> dict:
    """What a revoked hosted assertion answers (with HTTP 410)."""
    return {"@context": CONTEXT, "type": "Assertion", "id": links.assertion_v2(award_id), "revoked": True,
            "revocationReason": scrub(reason) or "revoked"}
