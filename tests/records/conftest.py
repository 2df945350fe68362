"""Fixtures of the learner-record exports (CLR, xAPI): a learner with one of every kind of record.

Rows are written straight to the learner record's tables (as tests/issuer does): earning them through
its API would take hundreds of heartbeats per test.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.issuer.conftest import _issuer_env  # noqa: F401 - a fresh issuer key folder for every test

EMAIL = "pat.learner@example.org"
AT = dt.datetime(2026, 11, 3, 15, 30, tzinfo=dt.UTC)


@pytest.fixture
def full_record(db, make_user, django_user_model):
    """A learner who completed a module (and failed another's knowledge check), has instructor hours and a
    skill sign-off, holds an issued badge and a revoked certificate; returns (user, learner, awards)."""
    from caregiving_course.learner_record import api
    from caregiving_course.learner_record.models import Award, InstructorRecord, ModuleActivity, ModuleCompletion
    from sync.issuer.backend import BuiltinIssuer

    user = make_user(EMAIL, cohort="fall-2026")
    learner = api.learner_for_user(user)
    learner.name = "Pat Learner"
    learner.save()
    staff = make_user("instructor@example.org", role="instructor", cohort="fall-2026")
    staff.first_name, staff.last_name = "Robin", "Teacher"
    staff.save()
    ModuleCompletion.objects.create(learner=learner, module_id="caregiver-role", score=0.9,
                                    credited_hours=Decimal("1.50"), time_on_task_seconds=5720, completed_at=AT)
    ModuleActivity.objects.create(learner=learner, module_id="caregiver-role", seconds=5720, best_score=0.9,
                                  attempts=2, first_activity_at=AT, last_activity_at=AT)
    ModuleActivity.objects.create(learner=learner, module_id="daily-living-support", seconds=600, best_score=0.5,
                                  attempts=1, first_activity_at=AT, last_activity_at=AT)
    InstructorRecord.objects.create(learner=learner, component_id="applied-skills-workshop", kind="hours",
                                    hours=Decimal("4.00"), occurred_on=dt.date(2026, 11, 2), recorded_by=staff)
    InstructorRecord.objects.create(learner=learner, component_id="skills-signoff", kind="signoff",
                                    skill="hand-hygiene", occurred_on=dt.date(2026, 11, 2), recorded_by=staff)
    InstructorRecord.objects.create(learner=learner, component_id="skills-signoff", kind="signoff",
                                    skill="bed-bath", occurred_on=dt.date(2026, 11, 2), recorded_by=staff,
                                    withdrawn_at=AT, withdrawn_by=staff, withdraw_reason="recorded in error")
    InstructorRecord.objects.update(recorded_at=AT)  # auto_now_add: set as if recorded in November
    badge = Award.objects.create(learner=learner, credential_id="caregiving-badge", credited_hours=Decimal("14.00"),
                                 evidence=[], earned_at=AT)
    certificate = Award.objects.create(learner=learner, credential_id="caregiving-certificate-of-training",
                                       credited_hours=Decimal("92.00"), evidence=[], earned_at=AT,
                                       status=Award.REVOKED, revoke_reason="issued in error", revoked_at=AT)
    BuiltinIssuer().issue(str(badge.public_id))
    return user, learner, {"badge": badge, "certificate": certificate}


@pytest.fixture
def live_record(live_server, settings, full_record):
    """``full_record`` with its badge issued under the live server's URL (ids that validators can fetch)."""
    from sync.issuer.backend import BuiltinIssuer
    from sync.models import IssuedCredential, StatusList

    settings.BASE_URL = live_server.url
    IssuedCredential.objects.all().delete()
    StatusList.objects.all().delete()
    BuiltinIssuer().issue(str(full_record[2]["badge"].public_id))
    return live_server.url, full_record
