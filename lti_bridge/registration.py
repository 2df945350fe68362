"""LTI Dynamic Registration 1.0 (tool side): one URL a partner administrator pastes into Moodle or Canvas.

The URL we hand out (:func:`invitation_url`) carries a signed, expiring invitation. The platform opens it with
``openid_configuration`` and ``registration_token``; we fetch the platform's OpenID configuration (its issuer
must be on the configuration URL's host), POST our client registration (section 3.3: OpenID Connect client
metadata plus the ``https://purl.imsglobal.org/spec/lti-tool-configuration`` claim, with the Canvas privacy and
placement extensions), store the platform and deployment from the answer, and the page tells the platform we
are done (``postMessage({subject: "org.imsglobal.lti.close"})``).

An invitation registers one platform: its first registration attempt uses it up (:func:`use_invitation`). We
call public addresses only (:mod:`lti_bridge.destinations`), and the registration endpoint must be on the
configuration's own origin, so an invitation cannot make us send a token of the caller's choosing elsewhere.
"""
from __future__ import annotations

import datetime as dt
import json
import secrets
from urllib.parse import urlsplit

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from lti_bridge.destinations import check_url
from lti_bridge.fetch import FetchError, fetch
from lti_bridge.models import Deployment, Platform, UsedNonce

INVITE_SALT = "lti_bridge.registration.v1"
TOOL_CONFIG = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIG = "https://purl.imsglobal.org/spec/lti-platform-configuration"
SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
]
MAX_ANSWER = 256 * 1024
TOOL_NAME = "Professional Practice in Caregiving"
INVITE_MAX_AGE = 14 * 24 * 3600
INVITE_SCOPE = "invite"  # UsedNonce scope of used invitations


class RegistrationError(Exception):
    """Registration cannot go on; the message says why (for the log: the platform's details)."""


class InvitationError(RegistrationError):
    """The invitation itself is not usable; the message may be shown to whoever holds it."""


def invitation_url(base_url: str, *, label: str = "") -> str:
    """The URL to give a partner administrator (one registration, within :data:`INVITE_MAX_AGE`)."""
    payload = {"label": label, "n": secrets.token_urlsafe(16)}
    return f"{base_url.rstrip('/')}/lti/register?invite={signing.dumps(payload, salt=INVITE_SALT)}"


def check_invitation(invite: str, max_age: int = INVITE_MAX_AGE) -> dict:
    """The invitation's payload; :class:`InvitationError` when it is forged, expired or already used."""
    try:
        invitation = signing.loads(invite or "", salt=INVITE_SALT, max_age=max_age)
    except signing.BadSignature as exc:
        raise InvitationError("this registration link is not valid or has expired; ask for a new one") from exc
    nonce = invitation.get("n") if isinstance(invitation, dict) else None
    if not isinstance(nonce, str) or not nonce:
        raise InvitationError("this registration link is not valid or has expired; ask for a new one")
    if UsedNonce.objects.filter(scope=INVITE_SCOPE, value=nonce[:191]).exists():
        raise InvitationError("this registration link has already been used; ask for a new one")
    return invitation


def use_invitation(invitation: dict) -> None:
    """Mark the invitation used (once: a second use, even at the same moment, is :class:`InvitationError`)."""
    try:
        with transaction.atomic():
            UsedNonce.objects.create(scope=INVITE_SCOPE, value=invitation["n"][:191],
                                     expires_at=timezone.now() + dt.timedelta(seconds=INVITE_MAX_AGE))
    except IntegrityError as exc:
        raise InvitationError("this registration link has already been used; ask for a new one") from exc


def _get_json(method: str, url: str, *, headers: dict, data: str | None = None) -> tuple[int, object]:
    try:
        answer = fetch(method, url, limit=MAX_ANSWER, headers=headers, data=data)
    except FetchError as exc:
        raise RegistrationError(f"the platform could not be reached: {exc}") from exc
    try:
        return answer.status, json.loads(answer.body)
    except ValueError as exc:
        raise RegistrationError(f"the platform at {url} answered HTTP {answer.status} without JSON") from exc


def fetch_platform_configuration(url: str) -> dict:
    """The platform's OpenID configuration, checked (section 3.5.1: issuer host = configuration URL host)."""
    if urlsplit(url).scheme not in ("http", "https") or len(url) > 500:
        raise RegistrationError("openid_configuration must be an http(s) URL")
    try:
        check_url(url)
    except ValueError as exc:
        raise RegistrationError(f"openid_configuration {url!r} may not be called: {exc}") from exc
    status, config = _get_json("GET", url, headers={"Accept": "application/json"})
    if status != 200 or not isinstance(config, dict):
        raise RegistrationError(f"the platform configuration at {url} answered HTTP {status}")
    for name in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint"):
        if not isinstance(config.get(name), str) or urlsplit(config[name]).scheme not in ("http", "https"):
            raise RegistrationError(f"the platform configuration has no valid {name!r}")
    if urlsplit(config["issuer"]).netloc != urlsplit(url).netloc:
        raise RegistrationError("the platform's issuer is not on the host of its configuration URL")
    if _origin(config["registration_endpoint"]) != _origin(url):
        raise RegistrationError("the platform's registration endpoint is not on the origin of its configuration URL")
    for name in ("token_endpoint", "jwks_uri"):  # we call these later, with the platform's tokens
        try:
            check_url(config[name])
        except ValueError as exc:
            raise RegistrationError(f"the platform's {name} may not be called: {exc}") from exc
    algs = config.get("id_token_signing_alg_values_supported", ["RS256"])
    if "RS256" not in algs:
        raise RegistrationError("the platform does not sign id_tokens with RS256")
    return config


def _origin(url: str) -> tuple:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)


def tool_registration(base_url: str, config: dict) -> dict:
    """Our client registration request (LTI Dynamic Registration section 3.3)."""
    base = base_url.rstrip("/")
    launch = f"{base}/lti/launch"
    supported = set(config.get("scopes_supported") or SCOPES)
    product = (config.get(PLATFORM_CONFIG) or {}).get("product_family_code", "")
    deep_link = {"type": "LtiDeepLinkingRequest", "target_link_uri": launch, "label": TOOL_NAME,
                 "custom_parameters": {}, "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]}
    if product == "canvas":
        deep_link["placements"] = ["link_selection", "assignment_selection"]
    return {
        "application_type": "web", "response_types": ["id_token"], "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": f"{base}/lti/login", "redirect_uris": [launch], "client_name": TOOL_NAME,
        "jwks_uri": f"{base}/lti/jwks", "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(s for s in SCOPES if s in supported),
        TOOL_CONFIG: {
            "domain": urlsplit(base).netloc, "target_link_uri": launch, "description": TOOL_NAME,
            "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
            "messages": [{"type": "LtiResourceLinkRequest", "target_link_uri": launch, "label": TOOL_NAME},
                         deep_link],
            "https://canvas.instructure.com/lti/privacy_level": "public",
        },
    }


@transaction.atomic
def _store(config: dict, answer: dict, name: str) -> Platform:
    client_id = answer.get("client_id")
    if not isinstance(client_id, str) or not client_id:
        raise RegistrationError("the platform's registration answer has no client_id")
    platform, _ = Platform.objects.update_or_create(
        issuer=config["issuer"], client_id=client_id,
        defaults={"name": name[:200], "auth_login_url": config["authorization_endpoint"],
                  "auth_token_url": config["token_endpoint"], "key_set_url": config["jwks_uri"],
                  "token_audience": config.get("authorization_server", "") if isinstance(
                      config.get("authorization_server"), str) else "", "active": True})
    deployment_id = (answer.get(TOOL_CONFIG) or {}).get("deployment_id")
    if isinstance(deployment_id, str) and deployment_id:
        Deployment.objects.get_or_create(platform=platform, deployment_id=deployment_id[:255])
    return platform


def register(openid_configuration: str, registration_token: str, base_url: str, *, label: str = "") -> Platform:
    """Run the registration against the platform; returns the stored :class:`Platform`."""
    config = fetch_platform_configuration(openid_configuration)
    body = tool_registration(base_url, config)
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if registration_token:
        headers["Authorization"] = f"Bearer {registration_token}"
    status, answer = _get_json("POST", config["registration_endpoint"], data=json.dumps(body), headers=headers)
    if status not in (200, 201) or not isinstance(answer, dict):
        raise RegistrationError(f"the platform refused the registration (HTTP {status}): {str(answer)[:200]}")
    product = (config.get(PLATFORM_CONFIG) or {}).get("product_family_code", "")
    return _store(config, answer, label or f"{product or 'LMS'} at {urlsplit(config['issuer']).netloc}")
