"""The learner's record in a real browser (Chromium, 375 px, French): the download from My progress and the
consent page a partner's wallet sends the learner to (CLR 2.0 API), both checked with axe-core."""
from __future__ import annotations

import base64
import hashlib
import json
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from tests.browser.conftest import assert_accessible, sign_in

LEARNER = "farah@example.org"  # the demo learner with modules, instructor hours and sign-offs
SCOPE = "https://purl.imsglobal.org/spec/clr/v2p0/scope/credential.readonly"
CALLBACK = "http://127.0.0.1:9/callback"
pytestmark = pytest.mark.browser


def _french(page, server: str) -> None:
    page.goto(server + "/")
    page.get_by_role("button", name="Français").click()
    page.wait_for_load_state("networkidle")


def _fits_a_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page scrolls sideways on a phone ({width}px wide)"


def test_learner_downloads_their_record_from_my_progress_in_french(phone_page, server):
    sign_in(phone_page, server, LEARNER)
    _french(phone_page, server)
    phone_page.goto(server + "/course/progress/")
    link = phone_page.get_by_role("link", name="Télécharger mon dossier d'apprentissage (CLR 2.0, JSON)")
    assert link.is_visible()
    _fits_a_phone(phone_page)
    assert_accessible(phone_page, "progress-record-fr-phone")
    with phone_page.expect_download() as download:
        link.click()
    record = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert record["type"] == ["VerifiableCredential", "ClrCredential"]
    assert record["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert len(record["credentialSubject"]["verifiableCredential"]) > 8


def test_partner_consent_page_in_french_on_a_phone(phone_page, server):
    client = requests.post(f"{server}/ims/clr/v2p0/register", json={
        "client_name": "Portefeuille partenaire", "redirect_uris": [CALLBACK], "scope": SCOPE}, timeout=10).json()
    verifier = "v" * 64
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    url = f"{server}/oauth/authorize/?" + urlencode({
        "response_type": "code", "client_id": client["client_id"], "redirect_uri": CALLBACK, "scope": SCOPE,
        "state": "s1", "code_challenge": challenge, "code_challenge_method": "S256"})
    sign_in(phone_page, server, LEARNER)
    _french(phone_page, server)
    phone_page.goto(url)
    assert phone_page.get_by_role("heading", name="Portefeuille partenaire demande à lire votre dossier "
                                                   "d'apprentissage").is_visible()
    _fits_a_phone(phone_page)
    assert_accessible(phone_page, "clr-consent-fr-phone")
    phone_page.route("http://127.0.0.1:9/**", lambda route: route.fulfill(status=200, body="ok"))
    with phone_page.expect_request(lambda r: r.url.startswith(CALLBACK)) as sent:
        phone_page.get_by_role("button", name="Autoriser").click()
    answer = {k: v[0] for k, v in parse_qs(urlsplit(sent.value.url).query).items()}
    assert answer["state"] == "s1" and answer["code"]


def _verify_pasted(page, server: str, text: str) -> None:
    page.goto(server + "/badges/verify")
    page.locator("#id_credential").fill(text)
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def test_the_verify_page_checks_the_downloaded_record_in_french_and_english(phone_page, server):
    """A CLR pasted on the public verify page as a badge is: valid in French; one claim changed, refused in
    English."""
    sign_in(phone_page, server, LEARNER)
    _french(phone_page, server)
    phone_page.goto(server + "/course/progress/")
    with phone_page.expect_download() as download:
        phone_page.get_by_role("link", name="Télécharger mon dossier d'apprentissage (CLR 2.0, JSON)").click()
    text = open(download.value.path(), encoding="utf-8").read()
    _verify_pasted(phone_page, server, text)
    assert phone_page.locator(".result-valid").is_visible()
    assert "dossier" in phone_page.locator("section[role=status]").inner_text()  # "the whole learner record"
    assert phone_page.locator("html").get_attribute("lang") == "fr"
    _fits_a_phone(phone_page)
    assert_accessible(phone_page, "verify-clr-fr-phone")
    record = json.loads(text)
    record["credentialSubject"]["verifiableCredential"][0]["credentialSubject"]["achievement"]["name"] += "."
    phone_page.goto(server + "/")
    phone_page.get_by_role("button", name="English").click()
    phone_page.wait_for_load_state("networkidle")
    _verify_pasted(phone_page, server, json.dumps(record))
    assert phone_page.locator(".result-tampered").is_visible()
    assert phone_page.locator("html").get_attribute("lang") == "en"
    assert_accessible(phone_page, "verify-clr-tampered-en-phone")
