"""The outbox handlers of ``badge.issue`` and ``badge.revoke``: award in, configured backend out.

An issuance whose earlier attempt may have reached the platform first asks the platform what it
holds for that recipient and badge, so a retry never creates a second badge. An award revoked before
its issuance was delivered is never sent (the learner would be told of a badge they do not hold): the
issuance is skipped, and its revocation has nothing to do. A revocation goes to the backend that issued
the badge, and waits until the issuance has been delivered or skipped.
"""
from __future__ import annotations

import uuid
from functools import lru_cache

from caregiving_course.framework import catalogue
from caregiving_course.learner_record import api, outbox
from caregiving_course.learner_record.delivery import Permanent, Waiting
from caregiving_course.learner_record.outbox import Entry
from sync import config
from sync.backends.base import AwardInfo, RemoteAward
from sync.delivery import in_doubt

ISSUE, REVOKE = "badge.issue", "badge.revoke"


@lru_cache(maxsize=256)
def _title(credential_id: str) -> str:
    course = catalogue()
    return course.credential(credential_id).title if course.has_credential(credential_id) else credential_id


def prepare(entries: list[Entry]) -> None:
    """Load the awards of a claimed batch in one query (kept on each entry as ``prefetched_award``).
    """
    wanted = {}
    for entry in entries:
        try:
            wanted[str(uuid.UUID(str(entry.payload.get("award", ""))))] = entry
        except (ValueError, AttributeError, TypeError):
            continue  # not an award id: award_info says so when the entry is delivered
    awards = api.get_awards(list(wanted))
    for key, entry in wanted.items():
        entry.prefetched_award = awards.get(key)


def award_info(payload: dict, award=None) -> AwardInfo:
    """What the platforms need to know about the award named in an outbox payload."""
    award_id = str(payload.get("award", ""))
    if award is None:
        award = api.get_award(award_id) if award_id else None
    if award is None:
        raise Permanent("no such award in the learner record", answer=f"award {award_id!r}")
    learner = award.learner
    if not learner.email:
        raise Permanent("the learner has no e-mail address to issue the badge to", answer=f"learner {learner.pk}")
    return AwardInfo(award_id=str(award.public_id), credential_id=award.credential_id,
                     credential_title=_title(award.credential_id), recipient_email=learner.email,
                     recipient_name=learner.name, earned_at=award.earned_at, credited_hours=award.credited_hours,
                     evidence=list(award.evidence or []), status=award.status, revoke_reason=award.revoke_reason)


def _result(backend: str, remote: RemoteAward, **extra) -> dict:
    return {"backend": backend, "remote_id": remote.remote_id, "revoked": remote.revoked, **remote.data, **extra}


def issue(entry: Entry) -> dict:
    info = award_info(entry.payload, getattr(entry, "prefetched_award", None))
    name = config.backend_name_for(info.credential_id)
    backend = config.backend(name)
    if in_doubt(entry):
        held = backend.find(info)
        if held is not None:
            return _result(name, held, found_by_lookup=True)
    if info.status != api.EARNED:
        return {"backend": name, "remote_id": "", "revoked": True, "skipped": True,
                "note": "the award was revoked before its badge was sent; nothing sent"}
    return _result(name, backend.issue(info))


def revoke(entry: Entry) -> dict:
    info = award_info(entry.payload, getattr(entry, "prefetched_award", None))
    issued = outbox.get_by_key(f"{ISSUE}:{info.award_id}")
    if issued is not None and issued.status == outbox.PENDING:
        raise Waiting("waiting for the badge to be issued before revoking it", retry_after=1.0)
    if issued is not None and issued.status == outbox.DONE and (issued.result or {}).get("skipped"):
        return {"backend": issued.result.get("backend", ""), "remote_id": "", "revoked": True, "skipped": True,
                "note": "nothing to do: the badge was never sent"}
    name = (issued.result or {}).get("backend") if issued is not None and issued.status == outbox.DONE else None
    name = name or config.backend_name_for(info.credential_id)
    backend = config.backend(name)
    reason = str(entry.payload.get("reason") or info.revoke_reason or "revoked")
    held = backend.find(info)
    if held is None:
        return {"backend": name, "remote_id": "", "revoked": True, "note": "the platform holds no such badge"}
    if held.revoked:
        return _result(name, held, found_by_lookup=True)
    return _result(name, backend.revoke(info, held, reason))
