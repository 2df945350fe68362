"""A learner's Comprehensive Learner Record (1EdTech CLR Standard v2.0): one signed ``ClrCredential``.

It holds an AchievementCredential for every achievement on the record: each module completed (designed
and credited hours, score, time on task), each knowledge check (best score, passed or not), each
instructor-led component's recorded hours (who recorded them, when), each skill signed off, and each
credential earned, as the signed Open Badges 3.0 credential already issued. Revoked awards are left
out (CLR 2.0 holds only what the issuer still asserts). Associations say what is part of what: a module
``isPartOf`` its Badge, the Badge ``isPartOf`` the Certificate that requires it, a skill ``isPartOf`` its
component. The whole is signed with the issuer's key (``eddsa-rdfc-2022``), by
:func:`sync.issuer.dataintegrity.sign`, the same code that signs badges.
"""
from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from caregiving_course.framework import Course, catalogue
from caregiving_course.learner_record import api
from sync.issuer import clr_parts as parts
from sync.issuer import dataintegrity, did, links
from sync.issuer.documents import achievement, hours, iso, profile_ref
from sync.issuer.jsonld import CLR_V2, OB_V3, VC_V2
from sync.issuer.keys import issuer_key
from sync.issuer.recipient import new_recipient
from sync.models import IssuedCredential

MEDIA_TYPE = "application/vc+ld+json"


class EmptyRecord(api.RecordError):
    """A CLR must hold at least one credential; this learner has none yet."""


def _identity(learner) -> dict:
    recipient = new_recipient(learner.email, f"urn:caregiving:learner:{learner.pk}")
    return {"type": "IdentityObject", "identityHash": recipient.identity_hash,
            "identityType": recipient.identity_type, "hashed": True, "salt": recipient.salt}


class _Builder:
    """Collects credentials, the achievements they name and the associations between them."""

    def __init__(self, course: Course, identity: dict):
        self.course, self.identity = course, identity
        self.credentials: list[dict] = []
        self.achievements: dict[str, dict] = {}
        self.associations: list[tuple[str, str, str]] = []

    def add(self, credential: dict, achievement_doc: dict) -> None:
        self.credentials.append(credential)
        self.achievements.setdefault(achievement_doc["id"], achievement_doc)

    def associate(self, source: dict, kind: str, target: dict) -> None:
        self.achievements.setdefault(target["id"], target)
        link = (source["id"], kind, target["id"])
        if link not in self.associations:
            self.associations.append(link)

    def credentials_with(self, component_id: str):
        return [c for c in self.course.credentials if any(comp.id == component_id for comp in c.components)]

    def component(self, component_id: str):
        for credential in self.course.credentials:
            for comp in credential.components:
                if comp.id == component_id:
                    return comp
        return None


def _modules(b: _Builder, record) -> None:
    checks = {c.module_id: c for c in record.knowledge_checks}
    for done in record.completions:
        try:
            module = b.course.module(done.module_id)
        except KeyError:
            continue  # a module no longer in the course: its hours still count in the awards that hold them
        ach = parts.module_achievement(module)
        check = checks.get(done.module_id)
        evidence = [parts.evidence_item("Time on task", f"{parts.duration(done.time_on_task_seconds)} "
                                        f"observed by the server while the learner worked", "time-on-task")]
        b.add(parts.record_credential(
            credential_id=parts.record_urn("completion", done.id), achievement=ach, identity=b.identity,
            valid_from=done.completed_at, evidence=evidence, creditsEarned=hours(done.credited_hours),
            activityEndDate=iso(done.completed_at)), ach)
        for credential in b.credentials_with(module.id):
            b.associate(ach, "isPartOf", achievement(credential))
        if check is None:
            b.associate(parts.check_achievement(module), "isPartOf", ach)
    for check in record.knowledge_checks:
        try:
            module = b.course.module(check.module_id)
        except KeyError:
            continue
        ach = parts.check_achievement(module)
        passed = check.best_score >= module.pass_mark
        result = {"type": ["Result"], "resultDescription": f"{ach['id']}#score",
                  "value": str(round(check.best_score * 100)), "status": "Completed" if passed else "Failed"}
        b.add(parts.record_credential(
            credential_id=parts.record_urn("knowledge-check", check.id), achievement=ach, identity=b.identity,
            valid_from=check.at or dt.datetime.now(dt.UTC), result=[result],
            narrative=f"{'Passed' if passed else 'Not passed yet'}: best score {check.best_score:.0%} "
                      f"in {check.attempts} attempt(s)"), ach)
        b.associate(ach, "isPartOf", parts.module_achievement(module))


def _instructor(b: _Builder, record) -> None:
    by_component: dict[str, list] = {}
    for entry in record.instructor:
        by_component.setdefault(entry.component_id, []).append(entry)
    for component_id, entries in by_component.items():
        comp = b.component(component_id)
        if comp is None:
            continue
        comp_ach = parts.component_achievement(comp)
        logged = [e for e in entries if e.kind == "hours"]
        if logged:
            total = sum((e.hours for e in logged), Decimal(0))
            evidence = [parts.evidence_item(
                f"{hours(e.hours):g} h on {e.occurred_on.isoformat()}",
                f"recorded by {e.recorded_by} at {iso(e.recorded_at)}", "instructor-hours") for e in logged]
            b.add(parts.record_credential(
                credential_id=parts.record_urn("component-hours", f"{record.learner_id}:{component_id}"),
                achievement=comp_ach, identity=b.identity, valid_from=max(e.recorded_at for e in logged),
                evidence=evidence, creditsEarned=hours(min(total, comp.hours))), comp_ach)
        for credential in b.credentials_with(component_id):
            b.associate(comp_ach, "isPartOf", achievement(credential))
        for e in entries:
            if e.kind != "signoff" or e.skill not in comp.skills:
                continue
            ach = parts.skill_achievement(comp, e.skill)
            b.add(parts.record_credential(
                credential_id=parts.record_urn("signoff", e.id), achievement=ach, identity=b.identity,
                valid_from=e.recorded_at, evidence=[parts.evidence_item(
                    f"Signed off on {e.occurred_on.isoformat()}",
                    f"signed off by {e.recorded_by}, recorded at {iso(e.recorded_at)}", "skill-signoff")]), ach)
            b.associate(ach, "isPartOf", comp_ach)


def _awards(b: _Builder, record) -> None:
    issued = {str(r.award_id): r for r in IssuedCredential.objects.filter(
        award_id__in=[a.public_id for a in record.awards if not a.revoked])}
    for award in record.awards:
        row = issued.get(award.public_id)
        if award.revoked or (row is not None and row.revoked) or not b.course.has_credential(award.credential_id):
            continue  # revoked awards are left out: the issuer no longer asserts them
        credential = b.course.credential(award.credential_id)
        ach = achievement(credential)
        if row is not None:
            signed = row.ob3
        else:  # earned, its badge not issued yet: asserted here, signed with the CLR
            signed = parts.record_credential(
                credential_id=links.credential(award.public_id), achievement=ach, identity=b.identity,
                valid_from=award.earned_at, creditsEarned=hours(award.credited_hours))
        b.add(signed, ach)
        for other in b.course.credentials:
            if credential.id in other.requires:
                b.associate(ach, "isPartOf", achievement(other))


def unsigned_clr(learner, *, course: Course | None = None, now: dt.datetime | None = None) -> dict:
    """The ClrCredential of ``learner`` before signing; :class:`EmptyRecord` when there is nothing to hold."""
    course = course or catalogue()
    record = api.transcript(learner)
    b = _Builder(course, _identity(learner))
    _modules(b, record)
    _instructor(b, record)
    _awards(b, record)
    if not b.credentials:
        raise EmptyRecord("there is nothing on this learner's record yet: no module, hours, skill or credential")
    subject = {
        "type": ["ClrSubject"],
        "identifier": [dict(b.identity)],
        "verifiableCredential": b.credentials,
        "achievement": list(b.achievements.values()),
    }
    if b.associations:
        subject["association"] = [{"type": "Association", "associationType": kind, "sourceId": source,
                                   "targetId": target} for source, kind, target in b.associations]
    return {
        "@context": [VC_V2, CLR_V2, OB_V3],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": f"Comprehensive Learner Record: {course.title}",
        "description": f"Everything recorded for this learner in {course.title}: modules, knowledge checks, "
                       "instructor-recorded hours, skills signed off and credentials earned.",
        "issuer": profile_ref(),
        "validFrom": iso(now or dt.datetime.now(dt.UTC)),
        "credentialSubject": subject,
    }


def learner_clr(learner, *, course: Course | None = None) -> dict:
    """The signed ClrCredential of ``learner`` (a new one, with a new id, on each call)."""
    unsigned, key = unsigned_clr(learner, course=course), issuer_key()
    return dataintegrity.sign(unsigned, key, method=did.method_for(unsigned["issuer"]["id"], key.public_raw))
