"""Many learners over a catalogue of 22 courses and 64 credentials (the benchmarks' catalogue, bench/catalogue_fixture):
the set-wise totals and award evaluation agree with each learner's detailed progress, past 62 credentials."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.translation import get_language

from bench import catalogue_fixture
from caregiving_course.framework import forget_catalogue, load_catalogue
from caregiving_course.framework.catalogue import catalogue_folders
from caregiving_course.learner_record import api
from caregiving_course.learner_record.models import Award, InstructorRecord
from caregiving_course.learner_record.progress import _compute, compute, load_records

pytestmark = pytest.mark.database


@pytest.fixture(scope="module")
def big_catalogue(tmp_path_factory):
    folders = catalogue_fixture.write_courses(tmp_path_factory.mktemp("courses"))
    return load_catalogue([*catalogue_folders(), *folders])


def test_totals_and_awards_agree_with_detailed_progress(db, big_catalogue):
    course = big_catalogue
    assert len(course.credentials) > 62, "more credentials than a 64-bit mask has bits"
    seeded = catalogue_fixture.populate(course, 400, seed=7)
    ids = seeded.learner_ids
    withdrawn = InstructorRecord.objects.filter(kind=InstructorRecord.HOURS).first()
    withdrawn.withdrawn_at = timezone.now()
    withdrawn.save()
    every = api.progress_many(ids, course=course)
    for learner_id, totals in api.credited_totals(course, ids).items():
        progress = every[learner_id]
        assert dict(totals.credited) == {c.credential.id: c.credited_hours for c in progress.credentials}
        assert totals.modules_done == progress.modules_done
        assert totals.seconds == progress.time_on_task_seconds
    records = load_records(ids[:150])  # the shared progress of what records do not touch changes nothing
    assert all(compute(course, lid, rec) == _compute(course, lid, rec, get_language()) for lid, rec in records.items())
    due = {(lid, c.credential.id) for lid, p in every.items() for c in p.credentials if c.eligible}
    assert any(c.startswith("bench-cot-") for _, c in due), "the seed stacks certificates across courses"
    awarded = api.evaluate_many(ids, course=course)
    assert {(a.learner_id, a.credential_id) for a in awarded} == due
    assert api.evaluate_many(ids, course=course) == []

    # a revoked badge blocks the certificate stacking on it, and lapses an earned one
    cot = next(a for a in awarded if a.credential_id.startswith("bench-cot-"))
    below = course.credential(cot.credential_id).requires[0]
    api.revoke(str(Award.objects.get(learner_id=cot.learner_id, credential_id=below).public_id), reason="in error")
    api.evaluate_many([cot.learner_id], course=course)
    assert Award.objects.get(pk=cot.pk).status == Award.REVOKED
    again = api.progress(api.learner_by_id(cot.learner_id), course=course).credential(cot.credential_id)
    assert not again.eligible and again.credited_hours > Decimal(0)


def test_the_catalogue_serves_the_generated_courses(settings, tmp_path):
    catalogue_fixture.write_courses(tmp_path)
    settings.COURSES_DIR = tmp_path
    forget_catalogue()
    try:
        from caregiving_course.framework import catalogue

        served = catalogue()
        assert len(served.courses) == 22 and len(served.credentials) == 64
        spans = {c.id for c in served.courses_of(served.credential("bench-college-00"))}
        assert spans == {catalogue_fixture.course_id(k) for k in range(4)}, "stacks across four courses"
    finally:
        forget_catalogue()
