"""What the sync engine calls: issue, revoke and find one award's credential, idempotently.

``issue`` signs once per award and stores the result (:class:`sync.models.IssuedCredential`); every
later call, from a retry or a second worker, gets the stored credential back. ``revoke`` marks it
revoked and sets its status-list bit in one transaction, re-signing the list.

``award_info`` may be the sync engine's ``AwardInfo`` (anything with ``award_id``), a learner-record
``Award``, or an award's public id; the award and its credential definition are read fresh from the
learner record and the course, the sources of truth.
"""
from __future__ import annotations

import logging
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone

from caregiving_course.framework import catalogue
from caregiving_course.learner_record.api import get_award
from caregiving_course.learner_record.delivery import Permanent, RetryLater
from sync.issuer import dataintegrity, did, links, ob2, statuslist, vcjwt
from sync.issuer.documents import open_badge_credential
from sync.issuer.keys import issuer_key
from sync.issuer.recipient import new_recipient
from sync.models import IssuedCredential

log = logging.getLogger(__name__)
SLOT_ATTEMPTS = 8


class IssuerError(Permanent):
    """An award the issuer cannot sign (unknown award or credential); retrying will not help."""


def _award_id(award_info) -> str:
    for attr in ("award_id", "public_id"):
        value = getattr(award_info, attr, None)
        if value:
            return str(value)
    if isinstance(award_info, dict):
        value = award_info.get("award_id") or award_info.get("award")
        if value:
            return str(getattr(value, "public_id", value))
    if isinstance(award_info, (str, uuid.UUID)):
        return str(award_info)
    raise IssuerError(f"cannot tell which award {type(award_info).__name__} names")


def _load(award_info):
    award_id = _award_id(award_info)
    award = get_award(award_id)
    if award is None:
        raise IssuerError(f"no award {award_id}")
    course = catalogue()
    if not course.has_credential(award.credential_id):
        raise IssuerError(f"award {award_id} is for unknown credential {award.credential_id!r}")
    return award, course.credential(award.credential_id)


def summary(row: IssuedCredential) -> dict:
    """What the sync engine records: ids and public URLs only (no e-mail, no key, no salt)."""
    award_id = str(row.award_id)
    return {
        "remote_id": links.credential(award_id),
        "award_id": award_id,
        "credential_id": row.credential_id,
        "url": links.credential(award_id),
        "json_url": links.credential_json(award_id),
        "jwt_url": links.credential_jwt(award_id),
        "assertion_url": links.assertion_v2(award_id),
        "verify_url": links.verify_page(links.credential(award_id)),
        "issued_at": row.issued_at.isoformat(),
        "revoked": row.revoked,
        "revocation_reason": row.revocation_reason,
    }


class BuiltinIssuer:
    """The default issuing backend: signs here, publishes under ``/badges/``."""

    def issue(self, award_info) -> dict:
        award, credential = _load(award_info)
        row = IssuedCredential.objects.filter(award_id=award.public_id).first()
        if row is None:
            try:
                row = self._create(award, credential)
            except did.DidConfigError as exc:  # the administrator must fix the setting, then retry
                raise IssuerError(str(exc)) from exc
        if award.status == award.REVOKED and not row.revoked:
            row = self._revoke(row, award.revoke_reason or "revoked")
        return summary(row)

    def revoke(self, award_info, reason: str) -> dict:
        award, credential = _load(award_info)
        row = IssuedCredential.objects.filter(award_id=award.public_id).first()
        if row is None:  # revoked before its issuance was delivered: publish it as revoked
            row = self._create(award, credential)
        if not row.revoked:
            row = self._revoke(row, reason or award.revoke_reason or "revoked")
        return summary(row)

    def find(self, award_info) -> dict | None:
        row = IssuedCredential.objects.filter(award_id=_award_id(award_info)).first()
        return None if row is None else summary(row)

    def refresh_status_lists(self) -> int:
        return statuslist.refresh()

    def _create(self, award, credential) -> IssuedCredential:
        key = issuer_key()
        recipient = new_recipient(award.learner.email, f"urn:caregiving:award:{award.public_id}")
        award_id = str(award.public_id)
        assertion = ob2.assertion(award_id=award_id, credential_id=credential.id, recipient=recipient,
                                  earned_at=award.earned_at, evidence_entries=award.evidence)
        for _ in range(SLOT_ATTEMPTS):
            number, index = statuslist.pick_slot()
            unsigned = open_badge_credential(
                award_id=award_id, credential=credential, recipient=recipient, earned_at=award.earned_at,
                credited_hours=award.credited_hours, evidence_entries=award.evidence, list_number=number, index=index)
            method = did.method_for(unsigned["issuer"]["id"], key.public_raw)
            signed = dataintegrity.sign(unsigned, key, method=method)
            token = vcjwt.sign(unsigned, key, method=method)
            try:
                with transaction.atomic():
                    return IssuedCredential.objects.create(
                        award_id=award.public_id, credential_id=credential.id, salt=recipient.salt,
                        identity_hash=recipient.identity_hash, identity_type=recipient.identity_type, ob3=signed,
                        ob3_jwt=token, ob2=assertion, status_list=number, status_index=index, issued_at=timezone.now())
            except IntegrityError:
                existing = IssuedCredential.objects.filter(award_id=award.public_id).first()
                if existing is not None:  # another worker issued it first: theirs is the credential
                    return existing
                log.info("status slot %s/%s taken; picking another", number, index)
        raise RetryLater("builtin: no free status-list slot found this time")

    def _revoke(self, row: IssuedCredential, reason: str) -> IssuedCredential:
        with transaction.atomic():
            row = IssuedCredential.objects.select_for_update().get(pk=row.pk)
            if not row.revoked:
                row.revoked_at, row.revocation_reason = timezone.now(), reason[:500]
                row.save(update_fields=["revoked_at", "revocation_reason"])
                statuslist.revoke_slot(row.status_list, row.status_index)
        return row
