"""Verify a Comprehensive Learner Record (CLR 2.0 ``ClrCredential``) this issuer signed.

The record's own ``eddsa-rdfc-2022`` proof covers every credential inside it; each badge inside that
carries its own proof is checked as a badge is (signature and revocation status list), so a record
holding a badge revoked since it was signed says so.
"""
from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sync.issuer import dataintegrity, did
from sync.issuer import verify as badge_verify
from sync.issuer.keys import issuer_key


def verify_clr(document: dict, now) -> badge_verify.Result:
    """One status for the whole record, with the reasons behind it."""
    result = badge_verify.Result(badge_verify.VALID, format="clr", title=str(document.get("name") or "")[:200],
                                 issued_on=str(document.get("validFrom") or "")[:40])
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if issuer_id not in did.known_issuers(issuer_key().public_raw):
        reason = _("issued by %(issuer)s, not by this issuer") % {"issuer": repr(str(issuer_id)[:200])}
        return badge_verify.Result(badge_verify.UNKNOWN, [reason], format="clr")
    check = dataintegrity.verify(document, badge_verify._resolve_key)
    if not check.ok:
        result.status = badge_verify.TAMPERED if check.tampered else badge_verify.MALFORMED
        result.reasons = [check.reason]
        return result
    result.reasons.append(_("the issuer's eddsa-rdfc-2022 signature matches the whole learner record"))
    valid_from = badge_verify._parse_time(document.get("validFrom"))
    if valid_from is None:
        result.status = badge_verify.MALFORMED
        result.reasons.append(_("validFrom is missing or not a date-time"))
        return result
    if valid_from > now:
        result.status = badge_verify.NOT_YET
        result.reasons.append(_("not valid before %(date)s") % {"date": document["validFrom"]})
    subject = document.get("credentialSubject")
    inner = subject.get("verifiableCredential") if isinstance(subject, dict) else None
    inner = [vc for vc in inner if isinstance(vc, dict)] if isinstance(inner, list) else []
    result.reasons.append(ngettext("it holds %(count)d credential", "it holds %(count)d credentials",
                                   len(inner)) % {"count": len(inner)})
    for vc in inner:
        if not vc.get("proof"):
            continue  # asserted by the record's own signature
        found = badge_verify._verify_ob3(vc, now)
        if found.status != badge_verify.VALID:
            name = found.title or str(vc.get("name") or vc.get("id"))[:200]
            result.reasons.append(_("%(name)s: %(reasons)s") % {"name": name, "reasons": "; ".join(found.reasons)})
            if result.status == badge_verify.VALID:
                result.status = found.status
    return result
