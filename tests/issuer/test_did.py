"""The issuer's DID (did:web, did:key, the configured choice), its DID document, and the OB 3.0 §8.2 VC-JWT."""
from __future__ import annotations

import base64
import json

import jwt
import pytest


@pytest.mark.parametrize("base,mode,expected", [
    ("https://badges.college.example", "auto", "did:web:badges.college.example"),
    ("https://college.example:8443/caregiving/", "auto", "did:web:college.example%3A8443:caregiving"),
    ("http://127.0.0.1:8000", "auto", "did:key:"),
    ("https://badges.college.example", "key", "did:key:"),
    ("http://127.0.0.1:8000", "web", "did:web:127.0.0.1%3A8000"),
    ("https://badges.college.example", "url", "https://badges.college.example/badges/issuer"),
])
def test_the_issuer_id_follows_the_configured_choice(settings, monkeypatch, base, mode, expected):
    from sync.issuer import did
    from sync.issuer.keys import issuer_key

    settings.BASE_URL = base
    monkeypatch.setenv("CAREGIVING_ISSUER_DID", mode)
    raw = issuer_key().public_raw
    assert did.issuer_id(raw).startswith(expected)
    if expected == "did:key:":
        issuer = did.issuer_id(raw)
        assert did.method_for(issuer, raw) == f"{issuer}#{issuer.removeprefix('did:key:')}"


def test_an_unknown_did_choice_is_refused_by_name(monkeypatch):
    from sync.issuer import did

    monkeypatch.setenv("CAREGIVING_ISSUER_DID", "ion")
    with pytest.raises(did.DidConfigError, match="CAREGIVING_ISSUER_DID='ion'"):
        did.mode()


def test_the_did_web_document_is_published_at_the_well_known_path(client, settings):
    from sync.issuer.keys import issuer_key
    from sync.issuer.multibase import multikey_public

    settings.BASE_URL = "https://testserver"
    for path in ("/.well-known/did.json", "/did.json"):
        response = client.get(path)
        assert response.status_code == 200 and response["Content-Type"] == "application/did+json"
        document = response.json()
        assert document["id"] == "did:web:testserver"
        (method,) = document["verificationMethod"]
        assert method == {"id": "did:web:testserver#key-1", "type": "Multikey", "controller": "did:web:testserver",
                          "publicKeyMultibase": multikey_public(issuer_key().public_raw)}
        assert document["assertionMethod"] == ["did:web:testserver#key-1"]
        assert "private" not in response.content.decode() and '"d"' not in response.content.decode()


def test_the_vc_jwt_is_the_credential_with_registered_claims_and_the_key_in_its_header(issued, settings,
                                                                                        monkeypatch):
    _, _, row = issued
    header = jwt.get_unverified_header(row.ob3_jwt)
    payload = jwt.decode(row.ob3_jwt, options={"verify_signature": False})
    assert "vc" not in payload and payload["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert payload["iss"] == row.ob3["issuer"]["id"] and payload["jti"] == row.ob3["id"]
    assert payload["nbf"] == 1793719800  # validFrom 2026-11-03T15:30:00Z
    assert "proof" not in payload and "sub" not in payload  # the subject has no id, only a salted hash
    assert header["alg"] == "EdDSA" and header["typ"] == "JWT"
    assert header["kid"] == row.ob3["proof"][0]["verificationMethod"]
    from sync.issuer.keys import issuer_key

    raw = issuer_key().public_raw
    assert base64.urlsafe_b64decode(header["jwk"]["x"] + "==") == raw and set(header["jwk"]) == {"kty", "crv", "x"}


def test_a_vc_jwt_of_the_earlier_vc_claim_form_still_verifies(issued):
    """Tokens issued before §8.2 wrapped the credential in ``vc`` and named the key by an http URL."""
    from sync.issuer import links, verify
    from sync.issuer.keys import issuer_key

    _, _, row = issued
    credential = {k: v for k, v in row.ob3.items() if k != "proof"}
    old = jwt.encode({"iss": credential["issuer"]["id"], "jti": credential["id"], "nbf": 1793719800,
                      "vc": credential}, issuer_key().private_for_jose, algorithm="EdDSA",
                     headers={"kid": links.jwk_id(), "typ": "JWT"})
    assert verify.verify(old).status == verify.VALID
    forged = json.loads(base64.urlsafe_b64decode(old.split(".")[1] + "=="))
    forged["vc"]["name"] = "College Certificate"
    token = ".".join([old.split(".")[0], base64.urlsafe_b64encode(json.dumps(forged).encode()).decode().rstrip("="),
                      old.split(".")[2]])
    assert verify.verify(token).status == verify.TAMPERED


def test_a_misconfigured_did_choice_stops_issuing_with_the_setting_named(make_award, issuer, monkeypatch):
    from sync.issuer.backend import IssuerError

    monkeypatch.setenv("CAREGIVING_ISSUER_DID", "ion")
    award = make_award()
    with pytest.raises(IssuerError, match="CAREGIVING_ISSUER_DID"):
        issuer.issue(str(award.public_id))
