"""A CLR 2.0 API client written from the standard (1EdTech CLR 2.0, "CLR Standard API" and its OpenAPI
service description), independent of the server's code: discovery, dynamic client registration
(RFC 7591), the authorization code grant with PKCE (RFC 7636), and getCredentials. Plain ``requests``.
"""
from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

CREDENTIAL_READ = "https://purl.imsglobal.org/spec/clr/v2p0/scope/credential.readonly"


@dataclass
class Client:
    base: str  # the server's base URL
    redirect_uri: str
    client_id: str = ""
    client_secret: str = ""
    service: dict | None = None

    def discover(self) -> dict:
        answer = requests.get(f"{self.base}/ims/clr/v2p0/discovery", timeout=10)
        answer.raise_for_status()
        self.service = answer.json()
        return self.service

    @property
    def scheme(self) -> dict:
        return self.service["components"]["securitySchemes"]["OAuth2ACG"]

    @property
    def flow(self) -> dict:
        return self.scheme["flows"]["authorizationCode"]

    def register(self, name: str = "Partner wallet") -> dict:
        answer = requests.post(self.scheme["x-imssf-registrationUrl"], json={
            "client_name": name, "client_uri": "https://wallet.example/", "redirect_uris": [self.redirect_uri],
            "token_endpoint_auth_method": "client_secret_basic", "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"], "scope": CREDENTIAL_READ, "software_id": "tests", "software_version": "1"},
            timeout=10)
        assert answer.status_code == 201, answer.text
        body = answer.json()
        self.client_id, self.client_secret = body["client_id"], body["client_secret"]
        return body

    def authorization_url(self, state: str, verifier: str) -> str:
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        query = {"response_type": "code", "client_id": self.client_id, "redirect_uri": self.redirect_uri,
                 "scope": CREDENTIAL_READ, "state": state, "code_challenge": challenge,
                 "code_challenge_method": "S256"}
        return f"{self.flow['authorizationUrl']}?{urlencode(query)}"

    def token(self, **form) -> requests.Response:
        return requests.post(self.flow["tokenUrl"], data=form, auth=(self.client_id, self.client_secret), timeout=10)

    def get_credentials(self, access_token: str | None, **params) -> requests.Response:
        headers = {"Authorization": f"Bearer {access_token}"} if access_token else {}
        return requests.get(f"{self.service['servers'][0]['url']}/credentials", params=params, headers=headers,
                            timeout=30)


def new_verifier() -> str:
    return secrets.token_urlsafe(48)


def sign_in(base: str, username: str, password: str) -> requests.Session:
    """The learner's browser: a session signed in through the login form."""
    browser = requests.Session()
    page = browser.get(f"{base}/accounts/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    done = browser.post(f"{base}/accounts/login/", data={"csrfmiddlewaretoken": token, "username": username,
                                                         "password": password, "next": "/course/"},
                        headers={"Referer": f"{base}/accounts/login/"}, allow_redirects=False, timeout=10)
    assert done.status_code == 302, done.text[:500]
    return browser


def consent(browser: requests.Session, url: str, *, allow: bool) -> tuple[requests.Response, dict]:
    """Open the consent page as the learner and answer it; returns the page and the redirect's query."""
    page = browser.get(url, timeout=10)
    assert page.status_code == 200, page.text[:500]
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    form = {k: unescape(v) for k, v in form.items()}
    if allow:
        form["allow"] = "Authorize"
    answer = browser.post(url, data=form, headers={"Referer": url}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:500]
    location = answer.headers["Location"]
    return page, {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
