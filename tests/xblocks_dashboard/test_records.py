"""Recording hours and sign-offs, withdrawing records and revoking awards through the block's handlers,
over real HTTP. A refused request answers 4xx with a reason (next to the field) and changes nothing."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from caregiving_course.learner_record import api
from caregiving_course.learner_record.models import Award, InstructorRecord, OutboxEntry
from tests.xblocks_dashboard.conftest import complete_modules
from tests.xblocks_dashboard.fixture_course import BADGE, CERTIFICATE, PRACTICUM, SKILL_NAMES, SKILLS


def snapshot() -> tuple:
    """Everything an instructor's request could change."""
    return (list(InstructorRecord.objects.values_list("id", "hours", "skill", "withdrawn_at").order_by("id")),
            list(Award.objects.values_list("id", "status").order_by("id")),
            list(OutboxEntry.objects.values_list("key", "status").order_by("id")))


@pytest.fixture
def teacher(people, dashboard):
    return dashboard(people["fall_teacher"])


def hours(learner_id, **changes) -> dict:
    return {"learner_id": learner_id, "component": PRACTICUM, "hours": "2.5",
            "date": timezone.localdate().isoformat(), "note": "Tuesday practicum", **changes}


def test_record_hours_keeps_who_and_when(people, teacher):
    ana = people["ana_learner"]
    response = teacher.post("record_hours", hours(ana.pk))
    assert response.status_code == 200, response.text
    assert response.json()["message"] == "Hours recorded."
    record = InstructorRecord.objects.get()
    assert (record.learner_id, record.component_id, str(record.hours)) == (ana.pk, PRACTICUM, "2.50")
    assert record.recorded_by == people["fall_teacher"] and record.note == "Tuesday practicum"
    html = response.json()["html"]
    assert "fall.teacher@example.org" in html and "Tuesday practicum" in html
    assert api.explain(ana, CERTIFICATE).credited_hours == 2.5


@pytest.mark.parametrize(("changes", "field"), [
    ({"hours": -3}, "hours"),
    ({"hours": "0"}, "hours"),
    ({"hours": 1000}, "hours"),
    ({"hours": "24.001"}, "hours"),
    ({"hours": "1e400"}, "hours"),
    ({"hours": "NaN"}, "hours"),
    ({"hours": "two"}, "hours"),
    ({"hours": True}, "hours"),
    ({"hours": [1]}, "hours"),
    ({"date": "2999-01-01"}, "date"),
    ({"date": "yesterday"}, "date"),
    ({"date": "1900-01-01"}, "date"),
    ({"component": "no-such-component"}, "component"),
    ({"component": SKILLS}, "component"),  # a sign-off component is not recorded in hours
    ({"note": "x" * 501}, "note"),
    ({"surprise": 1}, "form"),
])
def test_invalid_hours_answer_400_next_to_the_field(people, teacher, changes, field):
    before = snapshot()
    response = teacher.post("record_hours", hours(people["ana_learner"].pk, **changes))
    assert response.status_code == 400, response.text
    assert response.json()["errors"][field]
    assert snapshot() == before


def test_tomorrow_is_a_future_date(people, teacher):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = teacher.post("record_hours", hours(people["ana_learner"].pk, date=tomorrow))
    assert response.status_code == 400
    assert response.json()["errors"]["date"] == "The date cannot be in the future."


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'"text"', b"", b"\xff\xfe", b"[" * 5000 + b"]" * 5000])
def test_malformed_bodies_answer_4xx(people, teacher, raw):
    before = snapshot()
    response = teacher.post("record_hours", raw=raw)
    assert 400 <= response.status_code < 500
    assert response.json()["error"]
    assert snapshot() == before


def test_oversized_body_is_refused(people, teacher):
    before = snapshot()
    response = teacher.post("record_hours", hours(people["ana_learner"].pk, note="x" * 20_000))
    assert response.status_code == 413
    assert response.json()["error"] == "The request is too large."
    assert snapshot() == before


def test_get_on_a_form_handler_is_refused(people, teacher):
    assert teacher.get("record_hours").status_code == 405


def test_another_cohorts_learner_is_refused(people, teacher):
    before = snapshot()
    response = teacher.post("record_hours", hours(people["sam_learner"].pk))
    assert response.status_code == 403
    assert snapshot() == before


def test_replayed_hours_submission_is_refused(people, teacher):
    """The page names each submission of the hours form; the same one sent again (a double click, a resent
    request) is refused with 409 and recorded once."""
    body = hours(people["ana_learner"].pk, request_id="3f1c2a9e-0d4b-4c1e-9a77-2b8f3e5d6a10")
    assert teacher.post("record_hours", body).status_code == 200
    before = snapshot()
    again = teacher.post("record_hours", body)
    assert again.status_code == 409 and again.json()["error"] == "These hours were already recorded."
    assert snapshot() == before
    assert teacher.post("record_hours", {**body, "request_id": "another-submission-1"}).status_code == 200
    assert InstructorRecord.objects.count() == 2
    for bad in ("short", "x" * 65, "<script>", 12):
        response = teacher.post("record_hours", {**body, "request_id": bad})
        assert response.status_code == 400 and response.json()["errors"]["form"]
    assert InstructorRecord.objects.count() == 2


def test_signoff_and_unknown_skill(people, teacher):
    ana = people["ana_learner"].pk
    before = snapshot()
    response = teacher.post("record_signoff", {"learner_id": ana, "component": SKILLS, "skill": "juggling"})
    assert response.status_code == 400 and response.json()["errors"]["skill"]
    response = teacher.post("record_signoff", {"learner_id": ana, "component": PRACTICUM, "skill": SKILL_NAMES[0]})
    assert response.status_code == 400 and response.json()["errors"]["component"]
    assert snapshot() == before
    response = teacher.post("record_signoff", {"learner_id": ana, "component": SKILLS, "skill": SKILL_NAMES[0]})
    assert response.status_code == 200
    assert response.json()["message"] == "Skill signed off."
    # a skill already signed off is refused with a reason, and no longer offered
    again = teacher.post("record_signoff", {"learner_id": ana, "component": SKILLS, "skill": SKILL_NAMES[0]})
    assert again.status_code == 400 and again.json()["errors"]["skill"] == "This skill is already signed off."
    assert InstructorRecord.objects.filter(kind="signoff").count() == 1
    html = teacher.post("learner", {"learner_id": ana}).json()["html"]
    offered = re.findall(r'<option value="([^"]+)"', html.split('data-action="record_signoff"')[1])
    assert f"{SKILLS}|{SKILL_NAMES[0]}" not in offered and f"{SKILLS}|{SKILL_NAMES[1]}" in offered


def earn_certificate(people, teacher) -> int:
    """Ana completes the modules, attends 20 h and has both skills signed off: Badge and Certificate."""
    ana = people["ana_learner"]
    complete_modules(ana)
    response = teacher.post("record_hours", hours(ana.pk, hours=20))
    assert response.status_code == 200
    for skill in SKILL_NAMES:
        assert teacher.post("record_signoff", {"learner_id": ana.pk, "component": SKILLS,
                                               "skill": skill}).status_code == 200
    assert set(Award.objects.filter(status="earned").values_list("credential_id", flat=True)) == {BADGE, CERTIFICATE}
    return InstructorRecord.objects.get(kind="hours").pk


def test_withdraw_revokes_the_award_and_queues_the_revocation(people, teacher):
    record_id = earn_certificate(people, teacher)
    ana = people["ana_learner"].pk
    before = snapshot()
    response = teacher.post("withdraw", {"learner_id": ana, "record_id": record_id, "reason": "  "})
    assert response.status_code == 400 and response.json()["errors"]["reason"]
    assert snapshot() == before

    response = teacher.post("withdraw", {"learner_id": ana, "record_id": record_id,
                                         "reason": "recorded for the wrong learner"})
    assert response.status_code == 200, response.text
    record = InstructorRecord.objects.get(pk=record_id)
    assert record.withdrawn_by == people["fall_teacher"] and record.withdraw_reason == "recorded for the wrong learner"
    certificate = Award.objects.get(credential_id=CERTIFICATE)
    assert certificate.status == "revoked"
    assert OutboxEntry.objects.filter(kind="badge.revoke", key=f"badge.revoke:{certificate.public_id}").exists()
    assert Award.objects.get(credential_id=BADGE).status == "earned"
    assert "recorded for the wrong learner" in response.json()["html"]

    # withdrawing it again, or a record of another learner, changes nothing
    before = snapshot()
    assert teacher.post("withdraw", {"learner_id": ana, "record_id": record_id, "reason": "again"}).status_code == 400
    assert teacher.post("withdraw", {"learner_id": people["ben_learner"].pk, "record_id": record_id,
                                     "reason": "wrong learner id"}).status_code == 400
    assert snapshot() == before


def test_revoke_with_a_reason(people, teacher, dashboard):
    earn_certificate(people, teacher)
    ana = people["ana_learner"].pk
    badge = Award.objects.get(credential_id=BADGE)
    before = snapshot()
    response = teacher.post("revoke", {"learner_id": ana, "award_id": str(badge.public_id), "reason": ""})
    assert response.status_code == 400 and response.json()["errors"]["reason"]
    response = teacher.post("revoke", {"learner_id": ana, "award_id": "not-a-uuid", "reason": "x"})
    assert response.status_code == 400 and response.json()["errors"]["form"]
    response = teacher.post("revoke", {"learner_id": people["ben_learner"].pk, "award_id": str(badge.public_id),
                                       "reason": "x"})
    assert response.status_code == 400
    other = dashboard(people["spring_teacher"])
    assert other.post("revoke", {"learner_id": ana, "award_id": str(badge.public_id), "reason": "x"}).status_code == 403
    assert snapshot() == before

    response = teacher.post("revoke", {"learner_id": ana, "award_id": str(badge.public_id),
                                       "reason": "awarded in error: duplicate account"})
    assert response.status_code == 200, response.text
    badge.refresh_from_db()
    assert badge.status == "revoked" and badge.revoke_reason == "awarded in error: duplicate account"
    assert badge.revoked_by == people["fall_teacher"]
    assert OutboxEntry.objects.filter(key=f"badge.revoke:{badge.public_id}").exists()
    again = teacher.post("revoke", {"learner_id": ana, "award_id": str(badge.public_id), "reason": "again"})
    assert again.status_code == 400 and again.json()["errors"]["form"] == "This award is already revoked."


def test_drilldown_shows_the_evidence_with_who_and_when(people, teacher):
    earn_certificate(people, teacher)
    response = teacher.post("learner", {"learner_id": people["ana_learner"].pk})
    assert response.status_code == 200
    html = response.json()["html"]
    assert "Records behind the hours toward Test Certificate of Training" in html
    assert "hand-hygiene, for Skills check" in html and "Module 1: score" in html
    assert "completed Module 1" not in html  # not "Module completed — completed Module 1"
    assert re.search(r"\d+\.\d\d h for Practicum on \d{4}-\d\d-\d\d", html), html
    assert html.count("fall.teacher@example.org") >= 3
    assert 'data-action="record_hours"' in html and 'data-action="revoke"' in html
    assert '<label for="' in html and 'aria-describedby="' in html


@pytest.mark.parametrize(("zone", "abbreviations", "offsets"), [
    ("America/Toronto", ("EST", "EDT"), ("-05:00", "-04:00")),
    ("America/Vancouver", ("PST", "PDT"), ("-08:00", "-07:00")),
])
def test_times_are_shown_in_the_installations_named_zone(people, teacher, settings, zone, abbreviations, offsets):
    settings.TIME_ZONE = zone
    earn_certificate(people, teacher)
    html = teacher.post("learner", {"learner_id": people["ana_learner"].pk}).json()["html"]
    shown = re.findall(r"\d{4}-\d\d-\d\d \d\d:\d\d ([A-Z]{3,4})", html)
    assert shown and set(shown) <= set(abbreviations), shown  # every time a person reads names its zone
    assert "+00:00" not in html and " UTC" not in html
    from caregiving_course import local_time

    assert local_time.iso(timezone.now())[-6:] in offsets  # CSV: ISO 8601 with the zone's offset
