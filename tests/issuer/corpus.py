"""A reproducible corpus of varied unsigned documents the built-in issuer signs.

Every credential of the course, recipients and evidence with accents and French or English text,
quotes, backslashes and line breaks, 0 to 12 evidence entries, different days, status slots and
award ids; one document in twenty is a status list credential with revoked bits set, and one in ten
a proof's options. Needs Django set up (the credential definitions and links come from settings).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import random
import uuid
from decimal import Decimal

FIRST = ["Zoé", "Renée", "Anaïs", "Chloé", "François", "Ève", "Maëlle", "Jérôme", "Pat", "Nguyễn", "Siobhán", "Ōta"]
LAST = ["Lévesque", "Côté", "Bélanger", "Gagné", "O'Brien", "Smith", "Müller", "Dubé", "Tremblay", "Ng"]
SUMMARIES = [
    "completed The caregiver role (score 90%, 95 min on task)",
    "module terminé : Le rôle de l'aidant (note 85 %, 80 min)",
    "3 h on 2026-11-02",
    "3 h le 2026-11-02 — présence confirmée",
    'reflection: "Respect is listening" \\ first draft',
    "séance pratique\nen présentiel\r\ncompte rendu",
    "hygiène des mains, « prévention » et sécurité",
    "Ontario's consent rules: ½ day workshop ✓",
]
KINDS = ["completion", "hours", "attendance", "record"]
FRENCH_TITLES = ["Pratique professionnelle en soins", "Certificat de formation en soins à domicile"]


def documents(count: int = 1000, seed: int = 20261206) -> list[dict]:
    """``count`` unsigned documents (credentials, status lists, proof options), the same for a given seed."""
    from caregiving_course.framework import catalogue
    from sync.issuer import statuslist
    from sync.issuer.documents import open_badge_credential
    from sync.issuer.recipient import new_recipient

    rng = random.Random(seed)
    credentials = catalogue().credentials
    out: list[dict] = []
    for n in range(count):
        if n % 20 == 7:
            bits = bytearray(statuslist.LIST_BITS // 8)
            for index in rng.sample(range(statuslist.LIST_BITS), rng.randint(0, 40)):
                bits[index // 8] |= 1 << (7 - index % 8)
            out.append(statuslist.status_credential(rng.randint(1, 4), bytes(bits)))
            continue
        credential = credentials[n % len(credentials)]
        if n % 3 == 1:  # the same credential worded in French
            credential = dataclasses.replace(credential, title=rng.choice(FRENCH_TITLES),
                                             description=f"Le titulaire a suivi {credential.total_hours} heures.")
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        email = f"{name.lower().replace(' ', '.')}.{n}@exemple.ca"
        evidence = [{"kind": rng.choice(KINDS), "summary": f"{rng.choice(SUMMARIES)} ({name})",
                     "hours": f"{rng.randint(0, 40) / 4:.2f}", "at": f"2026-{rng.randint(1, 12):02d}-01T10:00:00+00:00"}
                    for _ in range(rng.randint(0, 12))]
        document = open_badge_credential(
            award_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)), credential=credential,
            recipient=new_recipient(email, f"urn:caregiving:award:{n}"),
            earned_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=rng.randint(0, 30_000_000)),
            credited_hours=Decimal(rng.choice(["14", "14.00", "92", "200", "7.5"])), evidence_entries=evidence,
            list_number=rng.randint(1, 4), index=rng.randrange(131_072))
        if n % 10 == 3:
            document = {"@context": document["@context"], "type": "DataIntegrityProof",
                        "cryptosuite": "eddsa-rdfc-2022", "created": document["validFrom"],
                        "verificationMethod": f"{document['issuer']['id']}#key-{n}",
                        "proofPurpose": "assertionMethod"}
        out.append(document)
    return out
