"""The Open Badges 3.0 documents: issuer Profile, Achievement and the unsigned OpenBadgeCredential.

Everything here is plain data from the credential definition and the award; signing happens in
:mod:`sync.issuer.dataintegrity` and :mod:`sync.issuer.vcjwt`. Only properties the shipped contexts
define appear, because an undefined one would not be covered by the signature.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from sync.issuer import did, links
from sync.issuer.jsonld import DID_V1, MULTIKEY_V1, OB_V3, VC_V2
from sync.issuer.profile import issuer
from sync.issuer.recipient import Recipient

ACHIEVEMENT_TYPES = {"badge": "Badge", "certificate-of-training": "Certificate", "college-certificate": "Certificate"}
_EMAIL = re.compile(r"[^\s@<>()\"',;]+@[^\s@<>()\"',;]+\.[A-Za-z]{2,}")


def scrub(text: str) -> str:
    """Text safe to publish: any e-mail address in it is removed."""
    return _EMAIL.sub("[address removed]", str(text or "")).strip()


def iso(moment: dt.datetime) -> str:
    """A UTC timestamp with a trailing Z and whole seconds (``DateTimeZ``)."""
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def hours(value) -> float:
    return float(Decimal(str(value)))


def profile_ref() -> dict:
    """The issuer as embedded in credentials: its id is its DID (:mod:`sync.issuer.did`), the signing key's
    controller."""
    from sync.issuer.keys import issuer_key

    who = issuer()
    return {"id": did.issuer_id(issuer_key().public_raw), "type": ["Profile"], "name": who.name, "url": who.url,
            "description": who.description}


def editions(credential_id: str, language: str) -> list[dict]:
    """The Achievement's other language editions (OB 3.0 ``related``: "alternate language editions"), each at
    its own URL: its course's own language at the achievement's id, each translation at ``?lang=<code>``."""
    from caregiving_course.framework import catalogue

    found = catalogue()
    if not found.has_credential(credential_id):
        return []
    course = found.course_of(found.credential(credential_id))
    languages = [course.language, *sorted(code for code, t in course.translations.items()
                                          if credential_id in t.credentials)]
    return [{"id": links.achievement(credential_id) + ("" if code == course.language else f"?lang={code}"),
             "type": ["Related"], "inLanguage": code} for code in languages if code != language]


def course_titles(credential_id: str, language: str) -> list[str]:
    """The titles, in ``language``, of the courses a credential is made of (the credentials it stacks on
    included): ``catalogue().courses_of``; none for a credential the catalogue no longer holds."""
    from caregiving_course.framework import catalogue

    found = catalogue()
    if not found.has_credential(credential_id):
        return []
    return [course.text(language)[0] for course in found.courses_of(found.credential(credential_id))]


def criteria_narrative(credential, language: str = "en") -> str:
    """How the credential is earned, in ``language``, followed by the course or courses it is made of."""
    from django.utils import translation
    from django.utils.translation import ngettext

    narrative = scrub(credential.criteria)
    titles = course_titles(credential.id, language)
    if not titles:
        return narrative
    with translation.override(language):
        label = ngettext("Course: %(courses)s.", "Courses: %(courses)s.", len(titles)) % {
            "courses": "; ".join(titles)}
    return f"{narrative}\n\n{label}" if narrative else label


def achievement(credential, language: str = "en") -> dict:
    """The Achievement of a credential definition (its words in ``language``); ``creditsAvailable`` carries its
    hours, ``related`` its editions in the other languages, the criteria the courses it is made of."""
    related = editions(credential.id, language)
    return {
        "id": links.achievement(credential.id) + ("" if language == "en" else f"?lang={language}"),
        "type": ["Achievement"],
        "achievementType": ACHIEVEMENT_TYPES.get(credential.tier, "Achievement"),
        "name": credential.title,
        "description": scrub(credential.description) or credential.title,
        "criteria": {"id": links.achievement(credential.id), "narrative": criteria_narrative(credential, language)},
        "creditsAvailable": hours(credential.total_hours),
        "image": {"id": links.image(credential.id, "png"), "type": "Image", "caption": credential.title},
        "inLanguage": language,
        "tag": [t for t in (credential.tier, credential.delivery, credential.credit) if t],
        **({"related": related} if related else {}),
    }


def evidence(entries: list) -> list[dict]:
    """The award's evidence without who recorded it (an instructor's account name may be an address)."""
    out = []
    for entry in entries or []:
        if not isinstance(entry, dict):
            continue
        kind = scrub(entry.get("kind", "record"))
        item = {"type": ["Evidence"], "name": scrub(entry.get("summary")) or kind,
                "description": f"{kind}: {scrub(entry.get('hours', '0'))} h credited, "
                               f"{scrub(entry.get('at', ''))[:10]}",
                "genre": kind}
        out.append(item)
    return out


def status_entry(list_number: int, index: int) -> dict:
    url = links.status_list(list_number)
    return {"id": f"{url}#{index}", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
            "statusListIndex": str(index), "statusListCredential": url}


def open_badge_credential(*, award_id: str, credential, recipient: Recipient, earned_at: dt.datetime,
                          credited_hours, evidence_entries: list, list_number: int, index: int) -> dict:
    """The unsigned OpenBadgeCredential for one award."""
    return {
        "@context": [VC_V2, OB_V3],
        "id": links.credential(award_id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": credential.title,
        "description": scrub(credential.description) or credential.title,
        "issuer": profile_ref(),
        "validFrom": iso(earned_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{"type": "IdentityObject", "identityHash": recipient.identity_hash,
                            "identityType": recipient.identity_type, "hashed": True, "salt": recipient.salt}],
            "achievement": achievement(credential),
            "creditsEarned": hours(credited_hours),
        },
        "evidence": evidence(evidence_entries),
        "credentialStatus": status_entry(list_number, index),
    }


def issuer_document(key) -> dict:
    """The issuer Profile served at its id, which is also the controller document of its Multikey.

    The DID v1 context defines the controller terms (``verificationMethod``, ``assertionMethod``)
    for any controller URL, not only DIDs; the Open Badges context defines the Profile.
    """
    who = issuer()
    return {
        "@context": [DID_V1, MULTIKEY_V1, OB_V3],
        "id": links.issuer_id(),
        "type": ["Profile"],
        "name": who.name,
        "url": who.url,
        "description": who.description,
        "verificationMethod": [{"id": key.key_id, "type": "Multikey", "controller": links.issuer_id(),
                                "publicKeyMultibase": key.public_multibase}],
        "assertionMethod": [key.key_id],
    }


def achievement_document(credential, language: str = "en") -> dict:
    return {"@context": [VC_V2, OB_V3], **achievement(credential, language)}
