"""LTI 1.3 launch validation (Core 1.3 section 5, Security Framework 5.1.3): the id_token a platform posts.

:func:`validate_id_token` checks structure, ``alg`` (RS256 only), ``kid``, the signature against the
platform's cached keys, ``iss``/``aud``/``azp``, ``exp``/``iat`` with :data:`LEEWAY`, the LTI claims (version,
message type, deployment, resource link, roles, subject) and returns a :class:`Launch`. Anything wrong raises
:class:`LaunchError` carrying an HTTP status and a sentence that says what was wrong. State and nonce
(single use, bound to the login) are checked by :mod:`lti_bridge.oidc`.
"""
from __future__ import annotations

import base64
import binascii
import json
import math
import threading
import time
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from django.db.models.signals import post_delete, post_save

from lti_bridge import platform_keys
from lti_bridge.models import Deployment, Platform

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
MESSAGE_TYPES = (RESOURCE_LINK_REQUEST, DEEP_LINKING_REQUEST)
VERSION = "1.3.0"
LEEWAY = 60  # seconds of clock skew allowed on exp and iat
MAX_TOKEN_BYTES = 64 * 1024
MAX_AUDIENCES = 10
REGISTRY_TTL = 10.0  # seconds a platform registration lookup is reused in this process

STAFF_ROLES = {
    "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
    "http://purl.imsglobal.org/vocab/lis/v2/membership#Administrator",
    "http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper",
    "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",
    "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor",
    "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator",
    "http://purl.imsglobal.org/vocab/lis/v2/system/person#SysAdmin",
}
_SHORT_STAFF = {"Instructor", "Administrator", "ContentDeveloper"}


class LaunchError(Exception):
    """A launch we refuse: ``status`` is the HTTP status, the message says what was wrong."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Launch:
    """A validated launch message."""

    claims: dict
    platform: Platform
    deployment_id: str
    message_type: str
    subject: str
    roles: tuple[str, ...]
    nonce: str
    extra: dict = field(default_factory=dict)

    @property
    def is_staff(self) -> bool:
        """Instructor, administrator or content developer (context or institution role)."""
        return any(r in STAFF_ROLES or r in _SHORT_STAFF for r in self.roles)

    @property
    def resource_link(self) -> dict:
        return self.claims.get(LTI + "resource_link") or {}

    @property
    def context(self) -> dict:
        value = self.claims.get(LTI + "context")
        return value if isinstance(value, dict) else {}

    @property
    def custom(self) -> dict:
        value = self.claims.get(LTI + "custom")
        return {k: v for k, v in value.items() if isinstance(v, str)} if isinstance(value, dict) else {}

    @property
    def ags(self) -> dict:
        value = self.claims.get(AGS_ENDPOINT)
        return value if isinstance(value, dict) else {}

    @property
    def nrps_url(self) -> str:
        value = self.claims.get(NRPS_CLAIM)
        url = value.get("context_memberships_url") if isinstance(value, dict) else None
        return url if isinstance(url, str) else ""

    @property
    def deep_linking_settings(self) -> dict:
        return self.claims.get(DL + "deep_linking_settings") or {}

    @property
    def name(self) -> str:
        parts = [self.claims.get("given_name"), self.claims.get("family_name")]
        name = self.claims.get("name") or " ".join(p for p in parts if isinstance(p, str) and p)
        return name if isinstance(name, str) else ""

    @property
    def email(self) -> str:
        email = self.claims.get("email")
        return email if isinstance(email, str) else ""


# --- registrations, cached per process and dropped when a registration changes -------------------------------

_registry: dict[tuple[str, str], tuple[float, Platform | None, frozenset[str]]] = {}
_registry_lock = threading.Lock()


def _registration(issuer: str, client_id: str) -> tuple[Platform | None, frozenset[str]]:
    key = (issuer, client_id)
    hit = _registry.get(key)
    if hit and time.monotonic() - hit[0] < REGISTRY_TTL:
        return hit[1], hit[2]
    platform = Platform.objects.filter(issuer=issuer, client_id=client_id, active=True).first()
    if platform is None:  # not cached: made-up issuers must not grow the cache
        return None, frozenset()
    deployments = frozenset(platform.deployments.values_list("deployment_id", flat=True))
    with _registry_lock:
        _registry[key] = (time.monotonic(), platform, deployments)
    return platform, deployments


def forget_registrations(**_kwargs) -> None:
    with _registry_lock:
        _registry.clear()


for _model in (Platform, Deployment):
    post_save.connect(forget_registrations, sender=_model, dispatch_uid=f"lti-registry-save-{_model.__name__}")
    post_delete.connect(forget_registrations, sender=_model, dispatch_uid=f"lti-registry-del-{_model.__name__}")


# --- token structure ----------------------------------------------------------------------------------------

def _b64decode(part: str, what: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError) as exc:
        raise LaunchError(f"the id_token {what} is not base64url") from exc


def _json_object(raw: bytes, what: str) -> dict:
    if b"\x00" in raw or b"\\u0000" in raw:
        raise LaunchError(f"the id_token {what} contains NUL characters")
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise LaunchError(f"the id_token {what} is not JSON") from exc
    if not isinstance(value, dict):
        raise LaunchError(f"the id_token {what} is not a JSON object")
    return value


def split_token(token: object) -> tuple[dict, dict, bytes, bytes]:
    """(header, payload, signing input, signature) of a compact JWS, without verifying anything."""
    if not isinstance(token, str) or not token:
        raise LaunchError("the launch has no id_token")
    if len(token) > MAX_TOKEN_BYTES:
        raise LaunchError(f"the id_token is larger than {MAX_TOKEN_BYTES} bytes", status=413)
    parts = token.split(".")
    if len(parts) != 3:
        raise LaunchError("the id_token is not a signed JWT (it must have three dot-separated parts)")
    header = _json_object(_b64decode(parts[0], "header"), "header")
    payload = _json_object(_b64decode(parts[1], "payload"), "payload")
    return header, payload, (parts[0] + "." + parts[1]).encode("ascii", "replace"), _b64decode(parts[2], "signature")


def _check_header(header: dict) -> str:
    alg = header.get("alg")
    if alg != "RS256":
        if isinstance(alg, str) and alg.lower() == "none":
            raise LaunchError("the id_token is unsigned (alg 'none'); only RS256 is accepted", status=401)
        if isinstance(alg, str) and alg.upper().startswith("HS"):
            raise LaunchError(f"the id_token uses {alg} (a shared-secret algorithm); only RS256 is accepted",
                              status=401)
        raise LaunchError(f"the id_token algorithm {alg!r} is not accepted; only RS256 is", status=401)
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise LaunchError("the id_token header has no 'kid', so the platform key cannot be chosen", status=401)
    return kid


def _audience(payload: dict) -> tuple[str, list[str]]:
    iss = payload.get("iss")
    if not isinstance(iss, str) or not iss:
        raise LaunchError("the id_token has no issuer ('iss')", status=401)
    aud = payload.get("aud")
    auds = [aud] if isinstance(aud, str) else aud
    if not isinstance(auds, list) or not auds or not all(isinstance(a, str) and a for a in auds):
        raise LaunchError("the id_token audience ('aud') must be our client id or a list containing it", status=401)
    if len(auds) > MAX_AUDIENCES:
        raise LaunchError(f"the id_token names more than {MAX_AUDIENCES} audiences", status=401)
    azp = payload.get("azp")
    if azp is not None and not isinstance(azp, str):
        raise LaunchError("the id_token 'azp' must be a string", status=401)
    if len(auds) > 1 and azp is None:
        raise LaunchError("the id_token has several audiences but no authorized party ('azp')", status=401)
    return iss, auds


def _find_platform(iss: str, auds: list[str], azp: str | None) -> tuple[Platform, frozenset[str]]:
    candidates = [azp] if azp is not None else auds
    if azp is not None and azp not in auds:
        raise LaunchError("the id_token authorized party ('azp') is not one of its audiences", status=401)
    for client_id in candidates:
        platform, deployments = _registration(iss, client_id)
        if platform is not None:
            return platform, deployments
    if Platform.objects.filter(issuer=iss).exists():
        raise LaunchError("the id_token audience is not the client id this platform registered for us", status=401)
    raise LaunchError(f"the issuer {iss!r} is not a registered platform", status=401)


def _check_times(payload: dict, now: float) -> None:
    exp, iat = payload.get("exp"), payload.get("iat")
    if not isinstance(exp, (int, float)) or isinstance(exp, bool) or not math.isfinite(exp):
        raise LaunchError("the id_token has no expiry time ('exp')", status=401)
    if not isinstance(iat, (int, float)) or isinstance(iat, bool) or not math.isfinite(iat):
        raise LaunchError("the id_token has no issue time ('iat')", status=401)
    if exp + LEEWAY < now:
        raise LaunchError("the id_token has expired ('exp' is in the past)", status=401)
    if iat - LEEWAY > now:
        raise LaunchError("the id_token was issued in the future ('iat'); check the platform's clock", status=401)
    if exp < iat:
        raise LaunchError("the id_token expires before it was issued", status=401)


def _check_lti_claims(payload: dict, deployments: frozenset[str]) -> tuple[str, str, tuple[str, ...]]:
    version = payload.get(LTI + "version")
    if version is None:
        raise LaunchError("the launch has no LTI version claim")
    if version != VERSION:
        raise LaunchError(f"the launch is LTI version {version!r}; this tool accepts {VERSION!r}")
    message_type = payload.get(LTI + "message_type")
    if message_type is None:
        raise LaunchError("the launch has no message type claim")
    if message_type not in MESSAGE_TYPES:
        raise LaunchError(f"the message type {message_type!r} is not one this tool handles "
                          f"({', '.join(MESSAGE_TYPES)})")
    deployment_id = payload.get(LTI + "deployment_id")
    if not isinstance(deployment_id, str) or not deployment_id:
        raise LaunchError("the launch has no deployment id claim")
    if deployment_id not in deployments:
        raise LaunchError(f"the deployment {deployment_id!r} is not registered for this platform", status=403)
    sub = payload.get("sub")
    if not isinstance(sub, str) or not sub or len(sub) > 255:
        raise LaunchError("the launch has no user ('sub' claim); anonymous launches are not supported")
    roles = payload.get(LTI + "roles")
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise LaunchError("the launch has no roles claim (a list, possibly empty)")
    if message_type == RESOURCE_LINK_REQUEST:
        link = payload.get(LTI + "resource_link")
        if not isinstance(link, dict) or not isinstance(link.get("id"), str) or not link["id"]:
            raise LaunchError("the launch has no resource link id")
        if len(link["id"]) > 255:
            raise LaunchError("the resource link id is longer than 255 characters")
    else:
        settings_claim = payload.get(DL + "deep_linking_settings")
        if not isinstance(settings_claim, dict) or not isinstance(settings_claim.get("deep_link_return_url"), str):
            raise LaunchError("the deep linking request has no deep_linking_settings with a deep_link_return_url")
        if not isinstance(settings_claim.get("accept_types"), list):
            raise LaunchError("the deep linking request settings have no accept_types")
    return message_type, deployment_id, tuple(roles)


def validate_id_token(token: object, *, now: float | None = None) -> Launch:
    """Validate a launch id_token completely except for state and nonce binding (see :mod:`lti_bridge.oidc`)."""
    header, payload, signing_input, signature = split_token(token)
    kid = _check_header(header)
    iss, auds = _audience(payload)
    platform, deployments = _find_platform(iss, auds, payload.get("azp"))
    try:
        key = platform_keys.public_key(platform, kid)
    except platform_keys.PlatformKeyError as exc:
        raise LaunchError(f"the id_token signature cannot be checked: {exc}", status=401) from exc
    try:
        key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as exc:
        raise LaunchError("the id_token signature does not match the platform's key", status=401) from exc
    _check_times(payload, time.time() if now is None else now)
    nonce = payload.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise LaunchError("the id_token has no nonce", status=401)
    message_type, deployment_id, roles = _check_lti_claims(payload, deployments)
    return Launch(claims=payload, platform=platform, deployment_id=deployment_id, message_type=message_type,
                  subject=payload["sub"], roles=roles, nonce=nonce)
