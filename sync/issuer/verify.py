"""Verify what someone hands us: an Open Badges 3.0 credential (JSON with a Data Integrity proof, or a
VC-JWT), an Open Badges 2.0 hosted assertion, a baked PNG/SVG, or a credential's id or URL.

The answer is one status with the reasons behind it: ``valid``, ``revoked``, ``tampered`` (a proof
does not match), ``expired``, ``not-yet-valid``, ``unknown`` (not something this issuer published)
or ``malformed``. Only this issuer's key is trusted; nothing is fetched from the network.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

import jwt
from django.utils.translation import gettext as _

from sync.issuer import baking, dataintegrity, did, links, statuslist, vcjwt
from sync.issuer.keys import issuer_key
from sync.issuer.recipient import matches
from sync.models import IssuedCredential

MAX_INPUT_CHARS = 256 * 1024
VALID, REVOKED, TAMPERED, EXPIRED, NOT_YET, UNKNOWN, MALFORMED = (
    "valid", "revoked", "tampered", "expired", "not-yet-valid", "unknown", "malformed")
_UUID = re.compile(r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})", re.I)
_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")


@dataclass
class Result:
    status: str
    reasons: list[str] = field(default_factory=list)
    format: str = ""
    title: str = ""
    issued_on: str = ""
    credential_url: str = ""
    recipient_match: bool | None = None

    @property
    def ok(self) -> bool:
        return self.status == VALID

    def as_dict(self) -> dict:
        return {"status": self.status, "valid": self.ok, "reasons": self.reasons, "format": self.format,
                "title": self.title, "issuedOn": self.issued_on, "credential": self.credential_url,
                "recipientMatch": self.recipient_match}


def verify(value, *, email: str = "", now: dt.datetime | None = None) -> Result:
    """Verify a credential given as a dict, text (JSON, JWT, URL or id) or image bytes."""
    now = now or dt.datetime.now(dt.UTC)
    try:
        result = _dispatch(value, now)
    except baking.BakingError as exc:
        return Result(MALFORMED, [str(exc)], format="image")
    if email and result.recipient_match is None and result.credential_url:
        row = _row_for(result.credential_url)
        if row is not None:
            result.recipient_match = matches(row.identity_hash, row.salt, email)
            if not result.recipient_match:
                result.reasons.append(_("the e-mail address given is not the recipient's"))
    return result


def _dispatch(value, now) -> Result:
    if isinstance(value, (bytes, bytearray)):
        return _dispatch(baking.unbake(bytes(value)), now)
    if isinstance(value, dict):
        return _verify_document(value, now)
    if not isinstance(value, str):
        return Result(MALFORMED, [_("expected JSON, a JWT, an image or a credential id")])
    text = value.strip()
    if not text:
        return Result(MALFORMED, [_("nothing to verify")])
    if len(text) > MAX_INPUT_CHARS:
        return Result(MALFORMED, [_("input larger than 256 KB")])
    if text.startswith("{"):
        try:
            document = json.loads(text)
        except (ValueError, RecursionError) as exc:
            return Result(MALFORMED, [_("not valid JSON: %(error)s") % {"error": exc}])
        return _verify_document(document, now) if isinstance(document, dict) else Result(
            MALFORMED, ["expected a JSON object"])
    if _JWS.match(text):
        return _verify_jwt(text, now)
    return _verify_reference(text, now)


def _row_for(reference: str) -> IssuedCredential | None:
    """The stored credential a URL, id or award uuid of ours names."""
    found = _UUID.search(reference or "")
    if not found or not reference_is_ours(reference):
        return None
    return IssuedCredential.objects.filter(award_id=found.group(1).lower()).first()


def reference_is_ours(reference: str) -> bool:
    return bool(_UUID.fullmatch(reference.strip())) or reference.startswith(links.base() + "/")


def _verify_reference(reference: str, now) -> Result:
    row = _row_for(reference)
    if row is None:
        return Result(UNKNOWN, [_("this issuer published no credential with that id")])
    result = _verify_ob3(row.ob3, now)
    result.format = "reference"
    return result


def _verify_document(document: dict, now) -> Result:
    types = document.get("type")
    types = types if isinstance(types, list) else [types]
    if "ClrCredential" in types:  # a learner record (CLR 2.0) holding credentials
        from sync.issuer.clr_verify import verify_clr

        return verify_clr(document, now)
    if "VerifiableCredential" in types:
        return _verify_ob3(document, now)
    if "Assertion" in types or document.get("verification") or document.get("revoked") is True:
        return _verify_ob2(document)
    return Result(MALFORMED, [_("neither an Open Badges 3.0 credential nor an Open Badges 2.0 assertion")])


def _resolve_key(verification_method: str) -> bytes | None:
    raw = issuer_key().public_raw
    return raw if verification_method in did.known_methods(raw) else None


def _describe(result: Result, document: dict) -> Result:
    subject = document.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    name = achievement.get("name") if isinstance(achievement, dict) else None
    result.title = str(name or document.get("name") or "")[:200]
    result.issued_on = str(document.get("validFrom") or "")[:40]
    result.credential_url = str(document.get("id") or "")[:300]
    return result


def _verify_ob3(document: dict, now) -> Result:
    result = _describe(Result(VALID, format="ob3"), document)
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if issuer_id not in did.known_issuers(issuer_key().public_raw):
        reason = _("issued by %(issuer)s, not by this issuer") % {"issuer": repr(str(issuer_id)[:200])}
        return Result(UNKNOWN, [reason], format="ob3")
    check = dataintegrity.verify(document, _resolve_key)
    if not check.ok:
        status = TAMPERED if check.tampered else MALFORMED
        result.status, result.reasons = status, [check.reason]
        return result
    result.reasons.append(_("the issuer's eddsa-rdfc-2022 signature matches"))
    return _check_dates_and_status(result, document, now)


def _parse_time(value) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _check_dates_and_status(result: Result, document: dict, now) -> Result:
    valid_from = _parse_time(document.get("validFrom"))
    if valid_from is None:
        result.status = MALFORMED
        result.reasons.append(_("validFrom is missing or not a date-time"))
        return result
    if valid_from > now:
        result.status = NOT_YET
        result.reasons.append(_("not valid before %(date)s") % {"date": document["validFrom"]})
    if document.get("validUntil"):
        until = _parse_time(document["validUntil"])
        if until is None or until < now:
            result.status = EXPIRED
            result.reasons.append(_("expired on %(date)s") % {"date": document["validUntil"]})
    status = _status_bit(document.get("credentialStatus"))
    if status is None:
        result.status = MALFORMED if result.status == VALID else result.status
        result.reasons.append(_("the credential's status entry is not one of this issuer's status lists"))
    elif status:
        result.status = REVOKED
        row = _row_for(result.credential_url)
        reason = f": {row.revocation_reason}" if row is not None and row.revocation_reason else ""
        result.reasons.append(_("revoked by the issuer%(reason)s") % {"reason": reason})
    else:
        result.reasons.append(_("not revoked (status list checked)"))
    return result


def _status_bit(entry) -> bool | None:
    """The revocation bit the entry points at, read from our signed list; None if it is not ours."""
    if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
        return None
    if entry.get("statusPurpose") != "revocation":
        return None
    url = str(entry.get("statusListCredential", ""))
    prefix = links.status_list(0)[:-1]
    number, index = url[len(prefix):], str(entry.get("statusListIndex", ""))
    if not url.startswith(prefix) or not number.isdigit() or not index.isdigit():
        return None
    listed = statuslist.published(int(number))
    if listed is None or int(index) >= statuslist.LIST_BITS:
        return None
    if not dataintegrity.verify(listed, _resolve_key).ok:
        return None
    bits = statuslist.decode(listed["credentialSubject"]["encodedList"])
    return statuslist.bit(bits, int(index))


def _verify_jwt(token: str, now) -> Result:
    try:
        header = vcjwt.header(token)
    except jwt.InvalidTokenError as exc:
        return Result(MALFORMED, [_("not a readable JWT: %(error)s") % {"error": exc}], format="vc-jwt")
    if header.get("kid") != links.jwk_id() and header.get("kid") not in did.known_methods(issuer_key().public_raw):
        return Result(UNKNOWN, [_("the JWT was not signed with this issuer's key")], format="vc-jwt")
    try:
        credential = vcjwt.decode(token, issuer_key().public_raw)
    except jwt.InvalidSignatureError:
        return Result(TAMPERED, [_("the JWT signature does not match: it was altered after signing")], format="vc-jwt")
    except jwt.ImmatureSignatureError:
        return Result(NOT_YET, [_("the JWT is not valid yet (nbf)")], format="vc-jwt")
    except jwt.ExpiredSignatureError:
        return Result(EXPIRED, [_("the JWT has expired (exp)")], format="vc-jwt")
    except jwt.InvalidTokenError as exc:
        return Result(TAMPERED if isinstance(exc, vcjwt.ClaimMismatch) else MALFORMED, [str(exc)], format="vc-jwt")
    result = _describe(Result(VALID, [_("the issuer's EdDSA JWT signature matches")], format="vc-jwt"), credential)
    return _check_dates_and_status(result, credential, now)


def _verify_ob2(document: dict) -> Result:
    reference = str(document.get("id", ""))
    result = Result(VALID, format="ob2", credential_url=reference[:300])
    row = _row_for(reference)
    if row is None:
        return Result(UNKNOWN, [_("this issuer hosts no assertion with that id")], format="ob2")
    result.issued_on = row.ob2.get("issuedOn", "")
    result.title = row.ob3.get("name", "")
    result.credential_url = links.credential(str(row.award_id))
    if row.revoked:
        result.status = REVOKED
        reason = row.revocation_reason or _("no reason given")
        result.reasons.append(_("revoked by the issuer: %(reason)s") % {"reason": reason})
        return result
    differences = sorted(k for k in set(document) | set(row.ob2) if document.get(k) != row.ob2.get(k))
    if differences:
        result.status = TAMPERED
        fields = ", ".join(differences)[:300]
        result.reasons.append(_("differs from the hosted assertion in: %(fields)s") % {"fields": fields})
        return result
    result.reasons.append(_("matches the assertion this issuer hosts (hosted verification)"))
    return result
