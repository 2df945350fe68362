"""Awarding and revoking credentials. Each award or revocation queues its delivery in the same transaction."""
from __future__ import annotations

import uuid

from django.db import transaction
from django.utils import timezone

from caregiving_course.framework import Course, default_course
from caregiving_course.learner_record import outbox, signals
from caregiving_course.learner_record.errors import RecordError
from caregiving_course.learner_record.models import Award, Learner
from caregiving_course.learner_record.progress import BATCH, CredentialProgress, compute, load_records
from caregiving_course.learner_record.totals import credited_totals, may_change

ISSUE, REVOKE = "badge.issue", "badge.revoke"
PREFILTER_ABOVE = 50  # evaluations of more learners first ask the database which ones can change


def _award_all(eligible: list[tuple[int, CredentialProgress]]) -> list[Award]:
    """Record awards and their outbox entries in one transaction; returns the awards this call created.

    Concurrent evaluators are safe: the (learner, credential) constraint admits one award, a row that
    conflicts is skipped, and only awards whose public ids this call chose get an outbox entry.
    """
    if not eligible:
        return []
    now = timezone.now()
    rows = [Award(public_id=uuid.uuid4(), learner_id=learner_id, credential_id=cp.credential.id,
                  credited_hours=cp.credited_hours, evidence=[e.as_dict() for e in cp.evidence()], earned_at=now)
            for learner_id, cp in eligible]
    with transaction.atomic():
        Award.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        chosen = [r.public_id for r in rows]
        mine = set()
        for start in range(0, len(chosen), BATCH):
            batch = chosen[start:start + BATCH]
            mine.update(Award.objects.filter(public_id__in=batch).values_list("public_id", flat=True))
        created = [r for r in rows if r.public_id in mine]
        outbox.enqueue_many(ISSUE, [
            (f"{ISSUE}:{a.public_id}",
             {"award": str(a.public_id), "credential": a.credential_id, "learner": a.learner_id})
            for a in created])
        for award in created:
            signals.award_earned.send(None, learner_id=award.learner_id, award=award)
    return created


def _revoke(award: Award, reason: str, by=None) -> None:
    award.status, award.revoked_at, award.revoke_reason, award.revoked_by = (
        Award.REVOKED, timezone.now(), reason[:500], by)
    award.save(update_fields=["status", "revoked_at", "revoke_reason", "revoked_by"])
    outbox.enqueue(REVOKE, f"{REVOKE}:{award.public_id}",
                   {"award": str(award.public_id), "credential": award.credential_id, "reason": reason[:500]})
    signals.award_revoked.send(None, learner_id=award.learner_id, award=award)


def evaluate_many(learner_ids: list[int] | None, *, course: Course | None = None) -> list[Award]:
    """Award every credential each learner (all learners when None) now meets and has not been awarded.

    Returns the new awards.
    Safe to run again or concurrently: the (learner, credential) constraint admits one award.
    Awards whose evidence was withdrawn are revoked (and the revocation queued).
    """
    course = course or default_course()
    ids = None if learner_ids is None else list(learner_ids)
    if ids is None or len(ids) > PREFILTER_ABOVE:  # ask the database which learners can change at all
        ids = [lid for lid, t in credited_totals(course, ids).items() if may_change(course, t)]
    eligible, lapsed = [], []
    for learner_id, rec in load_records(ids, activity=False).items():
        for cp in compute(course, learner_id, rec).credentials:
            if cp.eligible and not cp.award_status:
                eligible.append((learner_id, cp))
            elif cp.award_status == Award.EARNED and not cp.eligible:
                lapsed.append(cp)
    new = _award_all(eligible)
    for cp in lapsed:
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


def get_awards(public_ids: list[str]) -> dict[str, Award]:
    """Awards by public id (with their learners), for a batch of deliveries; unknown ids are left out."""
    found: dict[str, Award] = {}
    for start in range(0, len(public_ids), BATCH):
        rows = Award.objects.filter(public_id__in=public_ids[start:start + BATCH]).select_related("learner")
        found.update({str(a.public_id): a for a in rows})
    return found
