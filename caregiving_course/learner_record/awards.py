"""Awarding and revoking credentials. Each award or revocation queues its delivery in the same transaction."""
from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from caregiving_course.framework import Course, default_course
from caregiving_course.learner_record import outbox, signals
from caregiving_course.learner_record.errors import RecordError
from caregiving_course.learner_record.models import Award, Learner
from caregiving_course.learner_record.progress import CredentialProgress, compute, load_records

ISSUE, REVOKE = "badge.issue", "badge.revoke"


def _award(learner_id: int, cp: CredentialProgress) -> Award | None:
    """Record one award with its outbox entry; None when another evaluator already did."""
    try:
        with transaction.atomic():
            award = Award.objects.create(
                learner_id=learner_id, credential_id=cp.credential.id, credited_hours=cp.credited_hours,
                evidence=[e.as_dict() for e in cp.evidence()], earned_at=timezone.now())
            outbox.enqueue(ISSUE, f"{ISSUE}:{award.public_id}",
                           {"award": str(award.public_id), "credential": cp.credential.id, "learner": learner_id})
            signals.award_earned.send(None, learner_id=learner_id, award=award)
            return award
    except IntegrityError:
        return None


def _revoke(award: Award, reason: str, by=None) -> None:
    award.status, award.revoked_at, award.revoke_reason, award.revoked_by = (
        Award.REVOKED, timezone.now(), reason[:500], by)
    award.save(update_fields=["status", "revoked_at", "revoke_reason", "revoked_by"])
    outbox.enqueue(REVOKE, f"{REVOKE}:{award.public_id}",
                   {"award": str(award.public_id), "credential": award.credential_id, "reason": reason[:500]})
    signals.award_revoked.send(None, learner_id=award.learner_id, award=award)


def evaluate_many(learner_ids: list[int], *, course: Course | None = None) -> list[Award]:
    """Award every credential each learner now meets and has not been awarded; returns new awards.

    Safe to run again or concurrently: the (learner, credential) constraint admits one award.
    Awards whose evidence was withdrawn are revoked (and the revocation queued).
    """
    course = course or default_course()
    new: list[Award] = []
    for learner_id, rec in load_records(learner_ids).items():
        progress = compute(course, learner_id, rec)
        for cp in progress.credentials:
            if cp.eligible and not cp.award_status:
                award = _award(learner_id, cp)
                if award:
                    new.append(award)
        for cp in progress.credentials:
            if cp.award_status == Award.EARNED and not cp.eligible:
                with transaction.atomic():
                    award = Award.objects.select_for_update().get(public_id=cp.award_id)
                    if award.status == Award.EARNED:
                        _revoke(award, "evidence withdrawn: " + "; ".join(cp.left)[:450])
    return new


def evaluate(learner: Learner, *, course: Course | None = None) -> list[Award]:
    return evaluate_many([learner.pk], course=course)


def revoke(award_id: str, *, reason: str, by=None) -> Award:
    """Revoke an award (given in error, say); queues the revocation for the issuing platform."""
    if not reason or not reason.strip():
        raise RecordError("a revocation needs a reason")
    with transaction.atomic():
        award = Award.objects.select_for_update().filter(public_id=award_id).first()
        if award is None:
            raise RecordError(f"no award {award_id}")
        if award.status == Award.REVOKED:
            raise RecordError(f"award {award_id} is already revoked")
        _revoke(award, reason.strip(), by)
        return award


def awards_of(learner: Learner) -> list[Award]:
    return list(Award.objects.filter(learner=learner).order_by("earned_at"))


def get_award(award_id: str) -> Award | None:
    try:
        return Award.objects.select_related("learner").filter(public_id=award_id).first()
    except (ValueError, Exception):  # a malformed UUID is simply not an award
        return None
