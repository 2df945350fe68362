"""Awarding and revoking credentials. Each award or revocation queues its delivery in the same transaction.

Evaluation asks the database which learners' awards can change (:func:`changes`, one query per
table and batch), writes the new awards set-based (:mod:`award_writer`) and loads the detailed records only
of learners whose earned award has lapsed, to say why when revoking it.
"""
from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from caregiving_course.framework import Course, catalogue
from caregiving_course.learner_record import award_writer, outbox, signals
from caregiving_course.learner_record.award_evidence import resolve
from caregiving_course.learner_record.credit_sets import credit, plan_of
from caregiving_course.learner_record.credit_sql import EARNED, IDS_PER_STATEMENT
from caregiving_course.learner_record.errors import RecordError
from caregiving_course.learner_record.models import Award, Learner
from caregiving_course.learner_record.progress import BATCH, compute, load_records

ISSUE, REVOKE = award_writer.ISSUE, "badge.revoke"


def changes(course: Course, learner_ids: list[int] | None) -> tuple[dict[int, list[int]], list[int]]:
    """Which awards can change: ({credential position: learners who now meet it and hold no award of it},
    learners holding an earned award they no longer meet), from one query per table (:mod:`credit_sets`).
    """
    plan = plan_of(course)
    to_award: dict[int, list[int]] = {}
    lapsed = []
    decided: dict[tuple[int, int], tuple[list[int], bool]] = {}  # learners at the same point decide alike
    for learner_id, c in credit(course, learner_ids).items():
        key = (id(c.done), id(c.awards))
        decision = decided.get(key)
        if decision is None:
            met = c.met(plan)
            decision = ([i for i in met if i not in c.awards],
                        any(status == EARNED and i not in met for i, status in c.awards.items()))
            if not isinstance(c.done, dict):  # shared (read-only): others have the same
                decided[key] = decision
        for i in decision[0]:
            to_award.setdefault(i, []).append(learner_id)
        if decision[1]:
            lapsed.append(learner_id)
    return to_award, lapsed


def _award_all(course: Course, to_award: dict[int, list[int]]) -> list[Award]:
    """Record the awards and their outbox entries in one transaction; returns the awards this call created.

    ``award_earned`` is sent for each (inside the transaction, as :mod:`signals` promises).
    """
    now = timezone.now()
    created: list[Award] = []
    with transaction.atomic():
        for position, learner_ids in to_award.items():
            created += award_writer.award(course, position, learner_ids, now)
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


def _revoke_lapsed(course: Course, learner_ids: list[int]) -> None:
    with translation.override(settings.LANGUAGE_CODE):  # the stored reason, whoever's request withdrew the evidence
        _revoke_each_lapsed(course, learner_ids)


def _revoke_each_lapsed(course: Course, learner_ids: list[int]) -> None:
    for learner_id, rec in load_records(learner_ids, activity=False).items():
        for cp in compute(course, learner_id, rec).credentials:
            if cp.award_status != Award.EARNED or cp.eligible:
                continue
            with transaction.atomic():
                award = Award.objects.select_for_update().get(public_id=cp.award_id)
                if award.status == Award.EARNED:
                    _revoke(award, "evidence withdrawn: " + "; ".join(cp.left)[:450])


def evaluate_many(learner_ids: list[int] | None, *, course: Course | None = None) -> list[Award]:
    """Award every credential each learner (all learners when None) now meets and has not been awarded.

    Returns the new awards.
    Safe to run again or concurrently: the (learner, credential) constraint admits one award, and
    only the awards this call wrote are queued. Awards whose evidence was withdrawn are revoked (and
    the revocation queued).
    """
    course = course or catalogue()
    ids = None if learner_ids is None else list(learner_ids)
    scopes = [None] if ids is None else [ids[s:s + IDS_PER_STATEMENT] for s in range(0, len(ids), IDS_PER_STATEMENT)]
    new, lapsed = [], []
    for scope in scopes:
        to_award, gone = changes(course, scope)
        if to_award:
            new += _award_all(course, to_award)
        lapsed += gone
    _revoke_lapsed(course, lapsed)
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
    """The learner's awards, oldest first, with their evidence resolved (see :mod:`award_evidence`)."""
    return resolve(list(Award.objects.filter(learner=learner).order_by("earned_at")))


def get_award(award_id: str) -> Award | None:
    """The award with this public id (evidence resolved), or None."""
    try:
        award = Award.objects.select_related("learner").filter(public_id=award_id).first()
    except (ValueError, Exception):  # a malformed UUID is simply not an award
        return None
    return None if award is None else resolve([award])[0]


def get_awards(public_ids: list[str]) -> dict[str, Award]:
    """Awards by public id (with learners, evidence resolved), for a batch of deliveries; unknown ids are left out."""
    found: dict[str, Award] = {}
    for start in range(0, len(public_ids), BATCH):
        rows = Award.objects.filter(public_id__in=public_ids[start:start + BATCH]).select_related("learner")
        found.update({str(a.public_id): a for a in rows})
    resolve(list(found.values()))
    return found
