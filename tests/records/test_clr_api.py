"""The CLR 2.0 API over real HTTP: a client written from the standard registers, gets the learner's
consent (authorization code with PKCE), exchanges the code and reads getCredentials."""
from __future__ import annotations

import datetime as dt

import pytest
import requests

from tests.records import clr_client
from tests.records.conftest import EMAIL
from tests.records.test_clr_access import PASSWORD


@pytest.fixture
def server(live_record):
    origin, full_record = live_record
    client = clr_client.Client(origin, redirect_uri="http://127.0.0.1:9/callback")
    client.discover()
    client.register()
    return client, full_record


def _authorize(client, *, allow=True, lang="en"):
    browser = clr_client.sign_in(client.base, EMAIL, PASSWORD)
    browser.headers["Accept-Language"] = lang
    verifier = clr_client.new_verifier()
    page, answer = clr_client.consent(browser, client.authorization_url("state-123", verifier), allow=allow)
    return page, answer, verifier


def test_discovery_names_the_oauth_urls_and_the_scope(server):
    client, _ = server
    flow = client.flow
    assert clr_client.CREDENTIAL_READ in flow["scopes"]
    assert flow["authorizationUrl"].startswith(client.base) and flow["tokenUrl"].startswith(client.base)
    assert client.service["paths"]["/credentials"]["get"]["operationId"] == "getCredentials"


def test_consented_client_gets_the_learners_signed_clr(server):
    from sync.issuer.clr_verify import verify_clr

    client, _ = server
    page, answer, verifier = _authorize(client)
    assert "Partner wallet" in page.text and "Comprehensive Learner Record" in page.text
    assert answer["state"] == "state-123" and answer["code"]
    tokens = client.token(grant_type="authorization_code", code=answer["code"], redirect_uri=client.redirect_uri,
                          code_verifier=verifier)
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    assert body["scope"] == clr_client.CREDENTIAL_READ and body["token_type"] == "Bearer"
    got = client.get_credentials(body["access_token"])
    assert got.status_code == 200 and got.headers["X-Total-Count"] == "1"
    [clr] = got.json()["credential"]
    assert "ClrCredential" in clr["type"]
    assert verify_clr(clr, dt.datetime.now(dt.UTC)).ok, verify_clr(clr, dt.datetime.now(dt.UTC)).reasons
    assert client.get_credentials(body["access_token"], offset="1").json()["credential"] == []
    again = client.token(grant_type="refresh_token", refresh_token=body["refresh_token"])
    assert again.status_code == 200 and client.get_credentials(again.json()["access_token"]).status_code == 200


def test_consent_page_in_french(server):
    client, _ = server
    page, _, _ = _authorize(client, lang="fr")
    assert "Partager votre dossier" in page.text and "Autoriser" in page.text and "Allow" not in page.text


def test_denied_consent_gives_no_code(server):
    client, _ = server
    _, answer, _ = _authorize(client, allow=False)
    assert answer.get("error") == "access_denied" and "code" not in answer


def test_code_without_the_pkce_verifier_or_reused_is_refused(server):
    client, _ = server
    _, answer, verifier = _authorize(client)
    wrong = client.token(grant_type="authorization_code", code=answer["code"], redirect_uri=client.redirect_uri,
                         code_verifier=clr_client.new_verifier())
    assert wrong.status_code == 400
    _, answer, verifier = _authorize(client)
    form = {"grant_type": "authorization_code", "code": answer["code"], "redirect_uri": client.redirect_uri,
            "code_verifier": verifier}
    assert client.token(**form).status_code == 200
    assert client.token(**form).status_code == 400  # a code is good once


@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_get_credentials_without_a_valid_token_is_401(server, token):
    client, _ = server
    answer = client.get_credentials(token)
    assert answer.status_code == 401 and answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert answer.json()["imsx_codeMajor"] == "failure"


def test_bad_parameters_and_methods_are_4xx(server):
    client, _ = server
    _, answer, verifier = _authorize(client)
    token = client.token(grant_type="authorization_code", code=answer["code"], redirect_uri=client.redirect_uri,
                         code_verifier=verifier).json()["access_token"]
    assert client.get_credentials(token, limit="abc").status_code == 400
    assert client.get_credentials(token, limit="0").status_code == 400
    url = f"{client.base}/ims/clr/v2p0/credentials"
    assert requests.post(url, json={}, headers={"Authorization": f"Bearer {token}"}, timeout=10).status_code == 405


@pytest.mark.parametrize("body", [
    {"client_name": "x", "redirect_uris": ["http://wallet.example/cb"]},  # plain HTTP to another machine
    {"client_name": "x", "redirect_uris": []},
    {"redirect_uris": ["https://wallet.example/cb"]},
    {"client_name": "x", "redirect_uris": ["https://wallet.example/cb"], "scope": "openid"},
])
def test_registration_refuses_bad_metadata(server, body):
    client, _ = server
    before = _clients()
    answer = requests.post(client.scheme["x-imssf-registrationUrl"], json=body, timeout=10)
    assert answer.status_code == 400 and answer.json()["error"].startswith("invalid_")
    assert requests.post(client.scheme["x-imssf-registrationUrl"], data="{", timeout=10,
                         headers={"Content-Type": "application/json"}).status_code == 400
    assert _clients() == before


def _clients() -> int:
    from oauth2_provider.models import get_application_model

    return get_application_model().objects.count()


def test_refused_registrations_create_no_client(server):
    client, _ = server
    before = _clients()
    url = client.scheme["x-imssf-registrationUrl"]
    too_many = {"client_name": "x", "redirect_uris": [f"https://wallet.example/{n}" for n in range(11)]}
    assert requests.post(url, json=too_many, timeout=10).status_code == 400
    padded = {"client_name": "x", "redirect_uris": ["https://wallet.example/cb"], "software_id": "a" * 20_000}
    answer = requests.post(url, json=padded, timeout=10)
    assert answer.status_code == 413 and "bytes" in answer.json()["error_description"]
    assert _clients() == before


def test_registration_is_limited_per_address(server, settings):
    client, _ = server  # its own registration was the first from 127.0.0.1
    settings.CLR_REGISTRATIONS_PER_HOUR = 3
    url = client.scheme["x-imssf-registrationUrl"]
    good = {"client_name": "Wallet", "redirect_uris": ["https://wallet.example/cb"]}
    before = _clients()
    assert requests.post(url, json={"client_name": "x"}, timeout=10).status_code == 400  # refused tries count
    assert requests.post(url, json=good, timeout=10).status_code == 201
    refused = requests.post(url, json=good, timeout=10)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert refused.json()["error"] == "too_many_requests"
    assert _clients() == before + 1


def test_consent_without_pkce_is_refused(server):
    client, _ = server
    browser = clr_client.sign_in(client.base, EMAIL, PASSWORD)
    url = client.authorization_url("state-1", clr_client.new_verifier())
    plain = url.replace("code_challenge_method=S256", "code_challenge_method=plain")
    for refused in (plain, url.split("&code_challenge=")[0]):
        answer = browser.get(refused, timeout=10, allow_redirects=False)
        assert answer.status_code == 400 and "PKCE" in answer.json()["imsx_description"]
