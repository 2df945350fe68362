"""Each achievement names the course or courses its credential is made of: in the OB 3.0 Achievement (English and
its French edition), the OB 2.0 BadgeClass, the issued credential and the public pages."""
from __future__ import annotations

import html
import re

import pytest

from tests.issuer.test_third_party import EMAIL, _node_verify, _obv, _schema_errors

FIRST_EN, FIRST_FR = "Professional Practice in Caregiving", "Pratique professionnelle en soins et accompagnement"
SECOND_EN = "Mental Health and Substance Use Support for Caregivers"
SECOND_FR = "Soutien en santé mentale et en consommation de substances pour les personnes aidantes"
JSON_LD = "application/ld+json"


def test_a_badge_names_its_one_course_in_english_and_in_french(db, client):
    english = client.get("/badges/achievements/caregiving-badge", HTTP_ACCEPT=JSON_LD).json()
    assert english["criteria"]["narrative"].endswith(f"\n\nCourse: {FIRST_EN}.")
    french = client.get("/badges/achievements/caregiving-badge?lang=fr", HTTP_ACCEPT=JSON_LD).json()
    assert french["criteria"]["narrative"].startswith("Terminez les huit modules")
    assert french["criteria"]["narrative"].endswith(f"\n\nCours : {FIRST_FR}.")
    badge_class = client.get("/badges/v2/badgeclasses/caregiving-badge").json()
    assert badge_class["criteria"]["narrative"].endswith(f"Course: {FIRST_EN}.")


def test_the_college_certificate_names_both_courses_it_stacks_across(db, client):
    english = client.get("/badges/achievements/caregiving-college-certificate", HTTP_ACCEPT=JSON_LD).json()
    assert english["criteria"]["narrative"].endswith(f"Courses: {FIRST_EN}; {SECOND_EN}.")
    badge_class = client.get("/badges/v2/badgeclasses/caregiving-college-certificate").json()
    assert badge_class["criteria"]["narrative"].endswith(f"Courses: {FIRST_EN}; {SECOND_EN}.")
    second = client.get("/badges/achievements/mental-health-substance-use-badge", HTTP_ACCEPT=JSON_LD).json()
    assert second["criteria"]["narrative"].endswith(f"Course: {SECOND_EN}.")


@pytest.mark.parametrize("language,heading,first,second", [
    ("en", "Earned across these courses", FIRST_EN, SECOND_EN),
    ("fr", "Obtenu dans ces cours", FIRST_FR, SECOND_FR)])
def test_the_achievement_and_issuer_pages_show_the_courses(db, client, language, heading, first, second):
    page = html.unescape(client.get("/badges/achievements/caregiving-college-certificate",
                                    HTTP_ACCEPT_LANGUAGE=language).content.decode())
    assert heading in page and first in page and second in page
    issuer_page = html.unescape(client.get("/badges/issuer", HTTP_ACCEPT_LANGUAGE=language).content.decode())
    assert first in issuer_page and second in issuer_page


@pytest.fixture
def college_certificate(live_server, settings, make_award, issuer):
    """A College Certificate (made of both courses) issued with ids on the live server."""
    from sync.models import IssuedCredential

    settings.BASE_URL = live_server.url
    award = make_award(email=EMAIL, credential_id="caregiving-college-certificate")
    issuer.issue(str(award.public_id))
    return live_server.url, award, IssuedCredential.objects.get(award_id=award.public_id)


def test_an_issued_credential_names_its_courses_and_passes_the_schema_and_both_verifiers(college_certificate,
                                                                                         client, tmp_path):
    origin, award, row = college_certificate
    narrative = row.ob3["credentialSubject"]["achievement"]["criteria"]["narrative"]
    assert narrative.endswith(f"Courses: {FIRST_EN}; {SECOND_EN}.")
    assert _schema_errors(row.ob3) == []
    ok, report = _node_verify(row.ob3, origin, tmp_path)
    assert ok, report
    ok, said = _obv(f"{origin}/badges/v2/assertions/{award.public_id}", EMAIL)
    assert ok, said
    page = html.unescape(re.sub(r"<[^>]+>", "", client.get(f"/badges/credentials/{award.public_id}").content.decode()))
    assert f"Courses: {FIRST_EN}; {SECOND_EN}" in page
