"""Fixtures of the built-in issuer tests: a private key folder, awards, and a live server.

Awards are created straight in the learner record's table: its API grants an award only to a
learner who earned it, which would take hundreds of heartbeats per test.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest


@pytest.fixture(autouse=True)
def _issuer_env(settings, tmp_path, monkeypatch):
    """A fresh key folder and a known issuer contact for every test."""
    settings.KEYS_DIR = tmp_path / "keys"
    monkeypatch.setenv("CAREGIVING_ISSUER_EMAIL", "badges@college.example")
    from sync.issuer import keys

    keys._loaded.clear()
    yield
    keys._loaded.clear()


@pytest.fixture
def make_award(db):
    from caregiving_course.learner_record.models import Award, Learner

    def make(email: str = "pat.learner@example.org", credential_id: str = "caregiving-badge",
             name: str = "Pat Learner"):
        learner = Learner.objects.create(name=name, email=email)
        return Award.objects.create(
            learner=learner, credential_id=credential_id, credited_hours=Decimal("14.00"),
            evidence=[{"kind": "completion", "id": 1,
                       "summary": "completed The caregiver role (score 90%, 95 min on task)",
                       "hours": "2.00", "at": "2026-11-01T10:00:00+00:00", "by": ""},
                      {"kind": "hours", "id": 2, "summary": "3 h on 2026-11-02", "hours": "3.00",
                       "at": "2026-11-02T10:00:00+00:00", "by": "instructor@example.org"}],
            earned_at=dt.datetime(2026, 11, 3, 15, 30, tzinfo=dt.UTC))

    return make


@pytest.fixture
def issuer():
    from sync.issuer.backend import BuiltinIssuer

    return BuiltinIssuer()


@pytest.fixture
def issued(make_award, issuer):
    """An issued credential: (award, issuer's answer, stored row)."""
    from sync.models import IssuedCredential

    award = make_award()
    answer = issuer.issue(str(award.public_id))
    return award, answer, IssuedCredential.objects.get(award_id=award.public_id)
