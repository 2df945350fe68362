"""Comprehensive Learner Record (CLR 2.0): signed records per second, against bare Ed25519 on the same bytes.

The learner holds a full record: the eight modules of the Badge completed with their knowledge checks, a
failed knowledge check, instructor hours in two components, seven skills signed off and the issued Badge
(its signed Open Badges 3.0 credential inside). The peer is Ed25519 signing of the CLR's canonical bytes
(RDFC-1.0 N-Quads) in the same run; the ratio says what the Data Integrity pipeline (JSON-LD expansion and
canonicalization of the whole record, with the badge and its proof inside) adds to the signature. A second
line adds reading the record from the database (SQLite), as a download does.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from bench.common import calls_per_second, fresh_database, setup_django


def _learner():
    from caregiving_course.framework import catalogue
    from caregiving_course.learner_record import api
    from caregiving_course.learner_record.models import Award, InstructorRecord, ModuleActivity, ModuleCompletion
    from sync.issuer.backend import BuiltinIssuer

    at = dt.datetime(2026, 11, 3, 15, 30, tzinfo=dt.UTC)
    user = api.add_user("bench.learner@example.org", "learner", cohort="bench", password="bench-pass-1")
    staff = api.add_user("bench.staff@example.org", "instructor", cohort="bench", password="bench-pass-1")
    learner = api.learner_for_user(user)
    course = catalogue()
    badge = course.credentials[0]
    for comp in badge.components:
        ModuleCompletion.objects.create(learner=learner, module_id=comp.id, score=0.9, credited_hours=comp.hours,
                                        time_on_task_seconds=5400, completed_at=at)
        ModuleActivity.objects.create(learner=learner, module_id=comp.id, seconds=5400, best_score=0.9, attempts=1,
                                      sections_viewed=[0, 1, 2], first_activity_at=at, last_activity_at=at)
    for component, hours in (("applied-skills-workshop", "12"), ("supervised-practicum", "30")):
        InstructorRecord.objects.create(learner=learner, component_id=component, kind="hours", hours=Decimal(hours),
                                        occurred_on=at.date(), recorded_by=staff)
    for skill in course.credentials[1].components[2].skills:
        InstructorRecord.objects.create(learner=learner, component_id="skills-signoff", kind="signoff", skill=skill,
                                        occurred_on=at.date(), recorded_by=staff)
    award = Award.objects.create(learner=learner, credential_id=badge.id, credited_hours=Decimal(14), evidence=[],
                                 earned_at=at)
    BuiltinIssuer().issue(str(award.public_id))
    return learner


def main() -> None:
    setup_django(fresh_database("sqlite", "bench_clr"))
    from sync.issuer import clr, dataintegrity, jsonld
    from sync.issuer.keys import issuer_key

    learner = _learner()
    key = issuer_key()
    unsigned = clr.unsigned_clr(learner)
    canonical = jsonld.canonicalize(unsigned).encode("utf-8")
    held = len(unsigned["credentialSubject"]["verifiableCredential"])
    bare, _ = calls_per_second(lambda: key.sign(canonical), seconds=3.0, minimum=5)
    signed, n = calls_per_second(lambda: dataintegrity.sign(unsigned, key), seconds=3.0, minimum=5)
    whole, _ = calls_per_second(lambda: clr.learner_clr(learner), seconds=3.0, minimum=5)
    canon, _ = calls_per_second(lambda: jsonld.canonicalize(unsigned), seconds=3.0, minimum=5)
    print(f"CLR of {held} credentials, canonical form {len(canonical):,} B")
    print(f"bare Ed25519 signing of the CLR's canonical bytes: {bare:,.0f}/s")
    print(f"CLR eddsa-rdfc-2022 Data Integrity proof:          {signed:,.2f} CLRs/s ({n} signed)")
    print(f"CLR read from the database, built and signed:      {whole:,.2f} CLRs/s")
    print(f"ratio CLR signing / bare Ed25519: {signed / bare:.6f}; with the database read: {whole / bare:.6f}")
    print(f"where a CLR's {1000 / signed:.0f} ms go: canonicalize the record {1000 / canon:.0f} ms, "
          f"Ed25519 {1000 / bare:.3f} ms")


if __name__ == "__main__":
    main()
