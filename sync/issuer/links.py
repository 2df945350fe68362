"""Every public URL the built-in issuer publishes, under ``settings.BASE_URL`` + ``/badges``.

Open Badges 3.0 objects (credential page, achievement, issuer profile and key, status lists) and
Open Badges 2.0 hosted objects (under ``/badges/v2/``) each have one stable address here.
"""
from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings


def base() -> str:
    return f"{settings.BASE_URL.rstrip('/')}/badges"


def issuer_id() -> str:
    """The Open Badges 3.0 issuer Profile, also the controller document of the signing key."""
    return f"{base()}/issuer"


def key_id() -> str:
    return f"{issuer_id()}#key-1"


def jwk_id() -> str:
    """A URL that dereferences to the public JWK (the VC-JWT ``kid``)."""
    return f"{issuer_id()}/jwk"


def achievement(credential_id: str) -> str:
    return f"{base()}/achievements/{credential_id}"


def credential(award_id: str) -> str:
    """The credential's id: its share page for people, its signed JSON for machines."""
    return f"{base()}/credentials/{award_id}"


def credential_json(award_id: str) -> str:
    return f"{credential(award_id)}.json"


def credential_jwt(award_id: str) -> str:
    return f"{credential(award_id)}.jwt"


def status_list(number: int) -> str:
    return f"{base()}/status/{number}"


def image(credential_id: str, ext: str) -> str:
    return f"{base()}/images/{credential_id}.{ext}"


def verify_page(credential_url: str | None = None) -> str:
    page = f"{base()}/verify"
    return f"{page}?{urlencode({'id': credential_url})}" if credential_url else page


def issuer_v2() -> str:
    return f"{base()}/v2/issuer"


def badgeclass_v2(credential_id: str) -> str:
    return f"{base()}/v2/badgeclasses/{credential_id}"


def assertion_v2(award_id: str) -> str:
    return f"{base()}/v2/assertions/{award_id}"


def baked(award_id: str, ext: str) -> str:
    return f"{assertion_v2(award_id)}.{ext}"
