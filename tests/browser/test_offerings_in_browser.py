"""Offerings in real Chromium, in French, on a phone: the catalogue, enrolling in an open offering with one button,
joining a partner's offering by its code (a wrong code first), and the instructor's view of the offering; each
page checked with axe-core (WCAG 2.1 AA) and for sideways scrolling at 375 px."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD, PHONE, assert_accessible, caregiving

pytestmark = pytest.mark.browser

LEARNER = "zoe.offerings@example.org"


@pytest.fixture
def french_phone(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="fr-CA", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


@pytest.fixture(scope="module")
def offerings(server, server_env) -> dict:
    """An open offering of the second course, a partner's closed one (by code), and a learner in neither."""
    caregiving(server_env, "cohort", "add", "soirees-sante-mentale", "--course", "mental-health-substance-use",
               "--title", "Soirées santé mentale", "--delivery", "instructor-led", "--starts", "2031-01-12", "--open")
    caregiving(server_env, "cohort", "add", "partenaire-nord", "--course", "professional-practice-in-caregiving",
               "--title", "Partenaire Nord", "--delivery", "face-to-face")
    caregiving(server_env, "user", "add", "nord.teacher@example.org", "--role", "instructor", "--cohort",
               "partenaire-nord", "--password", DEMO_PASSWORD)
    caregiving(server_env, "user", "add", LEARNER, "--password", DEMO_PASSWORD, "--name", "Zoé")
    shown = caregiving(server_env, "cohort", "code", "partenaire-nord").stdout
    return {"code": re.search(r"code ([A-Z0-9-]{14})", shown).group(1)}


def _sign_in(page, server: str, email: str) -> None:
    page.goto(server + "/accounts/login/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "scrolls sideways at 375 px"


def test_a_learner_enrols_from_the_catalogue_and_with_a_code_in_french(server, offerings, french_phone):
    page = french_phone
    page.goto(server + "/")
    expect(page.locator("h1")).to_have_text("Catalogue des cours")
    expect(page.get_by_text("Soirées santé mentale")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    _fits(page)
    assert_accessible(page, "offerings-catalogue-fr-phone-signed-out")

    _sign_in(page, server, LEARNER)
    page.goto(server + "/")
    offering = page.locator("li.card", has=page.locator('input[value="soirees-sante-mentale"]'))
    expect(offering.get_by_text("Avec formateur·rice")).to_be_visible()
    assert_accessible(page, "offerings-catalogue-fr-phone")
    offering.get_by_role("button", name="S’inscrire").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/course/")
    expect(page.get_by_text("Vous êtes inscrit·e à Soirées santé mentale.")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Mental Health|santé mentale", re.I)).first).to_be_visible()
    _fits(page)
    assert_accessible(page, "offerings-my-courses-fr-phone")
    page.goto(server + "/")
    enrolled = page.locator("li.card", has_text="Soirées santé mentale")
    expect(enrolled.get_by_text("Vous êtes inscrit·e.")).to_be_visible()

    page.goto(server + "/enrol/")
    expect(page.locator("h1")).to_have_text("S’inscrire avec un code")
    assert_accessible(page, "offerings-code-form-fr-phone")
    page.locator("#id_code").fill("AAAA-BBBB-CCCC")
    page.get_by_role("button", name="S’inscrire").click()
    expect(page.locator("h1")).to_have_text("Ce code d’inscription ne fonctionne pas")
    _fits(page)
    assert_accessible(page, "offerings-wrong-code-fr-phone")
    page.goto(server + "/enrol/")
    page.locator("#id_code").fill(offerings["code"].lower())
    page.get_by_role("button", name="S’inscrire").click()
    expect(page.get_by_text("Vous êtes inscrit·e à Partenaire Nord.")).to_be_visible()

    page.goto(server + f"/enrol/{offerings['code'].replace('-', '')}/")
    expect(page.locator("h1")).to_have_text("Rejoindre une offre de cours")
    expect(page.get_by_text("Vous êtes inscrit·e.")).to_be_visible()
    assert_accessible(page, "offerings-link-fr-phone")


def test_the_instructor_sees_their_offering_and_its_code_in_french(server, offerings, french_phone):
    page = french_phone
    _sign_in(page, server, "nord.teacher@example.org")
    page.goto(server + "/course/dashboard/")
    section = page.locator(".cg-dash-offering")
    expect(section.get_by_text("Cette offre de cours")).to_be_visible()
    expect(section.get_by_text(offerings["code"])).to_be_visible()
    expect(section.get_by_text("En présentiel")).to_be_visible()
    expect(page.locator("select[name=cohort] option")).to_have_count(1)  # only the offering they teach
    _fits(page)
    assert_accessible(page, "offerings-dashboard-fr-phone")
