"""The instructor dashboard in French: the course's own words (credential and component titles, skill names)
as learners see them on their progress page, in the table, the chart, the CSV and the learner's details."""
from __future__ import annotations

import json

import pytest
from django.utils import translation

from caregiving_course.learner_record import api

pytestmark = pytest.mark.django_db


def test_the_dashboard_page_and_its_handlers_use_the_course_in_french(client, make_user):
    teacher = make_user("teacher@example.org", role="instructor", cohort="demo")
    ana = api.learner_for_user(make_user("ana@example.org", cohort="demo"))
    api.record_signoff(ana, "skills", "hand-hygiene", by=teacher)
    client.force_login(teacher)
    page = client.get("/course/dashboard/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Certificat de formation d&#x27;essai" in page  # a column of the table and a group of the chart
    assert "Test Certificate of Training" not in page and ">Instructor dashboard<" not in page

    prefix = page.split("data-handler-prefix='", 1)[1].split("'", 1)[0]
    details = client.post(prefix.replace("HANDLER", "learner"), json.dumps({"learner_id": ana.pk}),
                          content_type="application/json", HTTP_ACCEPT_LANGUAGE="fr").json()["html"]
    assert "Validation des compétences: Transfert sécuritaire" in details  # the sign-off form's choice
    assert "Validation des compétences: Hygiène des mains" not in details  # signed off already: not offered
    assert "Hygiène des mains, pour Validation des compétences" in details and "hand-hygiene<" not in details
    csv = client.get(prefix.replace("HANDLER", "csv") + "?cohort=demo", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Certificat de formation d'essai : heures créditées" in csv.content.decode("utf-8-sig").splitlines()[0]

    with translation.override("en"):
        english = client.get("/course/dashboard/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Test Certificate of Training" in english and "Certificat de formation" not in english
