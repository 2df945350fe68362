"""What the built-in issuer publishes, checked by validators we did not write, over real HTTP.

- Open Badges 2.0: the 1EdTech validator (PyPI ``openbadges``) on hosted assertions and baked PNG/SVG.
  It pins dependencies from 2018, so it lives in its own venv and runs as a subprocess::

      python3 -m venv .venv-obv
      .venv-obv/bin/pip install openbadges==1.1.2
      .venv-obv/bin/pip install "pycryptodome>=3.20" "python-jose>=3.3" "pytz>=2024"   # run on Python 3.11

  (``CAREGIVING_OBV_PYTHON`` may name another interpreter that has it.)
- Open Badges 3.0: the official 1EdTech JSON schema (``schema/``, validated with ``jsonschema``) and
  Digital Bazaar's Data Integrity verifier (``verifier/``, ``npm ci --prefix tests/issuer/verifier``).

Without them these tests fail, naming what is missing (``require``); ``tests/run`` installs both.
"""
from __future__ import annotations

import base64
import copy
import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import require

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
OBV_PYTHON = Path(os.environ.get("CAREGIVING_OBV_PYTHON", REPO / ".venv-obv" / "bin" / "python"))
VERIFIER = HERE / "verifier"
SCHEMA = HERE / "schema" / "ob_v3p0_achievementcredential_schema.json"
EMAIL = "pat.learner@example.org"


@pytest.fixture
def live(live_server, settings, make_award, issuer):
    """An award issued with ids on the live server, so validators can fetch every URL."""
    settings.BASE_URL = live_server.url
    award = make_award(email=EMAIL)
    answer = issuer.issue(str(award.public_id))
    from sync.models import IssuedCredential

    return live_server.url, award, answer, IssuedCredential.objects.get(award_id=award.public_id)


def _obv(target: str, *args: str) -> tuple[bool, str]:
    require(OBV_PYTHON.exists(), f"the Open Badges 2.0 validator venv ({OBV_PYTHON}); see this module's docstring")
    done = subprocess.run([str(OBV_PYTHON), str(HERE / "obv_runner.py"), target, *args], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "NO_PROXY": "*"})
    return done.returncode == 0, done.stdout + done.stderr


def _node_verify(document: dict, origin: str, tmp_path: Path) -> tuple[bool, dict]:
    require(shutil.which("node") is not None and (VERIFIER / "node_modules" / "@digitalbazaar" / "vc").exists(),
            "node and `npm ci --prefix tests/issuer/verifier`")
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(document))
    done = subprocess.run(["node", str(VERIFIER / "verify.mjs"), str(path), origin], capture_output=True,
                          text=True, timeout=120)
    try:
        report = json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        report = {"errors": [done.stdout, done.stderr]}
    return done.returncode == 0, report


# --- Open Badges 2.0 --------------------------------------------------------------------------------------

def test_ob2_validator_accepts_hosted_assertion(live):
    _, _, answer, _ = live
    ok, report = _obv(answer["assertion_url"], EMAIL)
    assert ok, report


@pytest.mark.parametrize("ext", ["png", "svg"])
def test_ob2_validator_accepts_baked_images(live, tmp_path, ext):
    import requests

    _, _, answer, _ = live
    image = requests.get(f"{answer['assertion_url']}.{ext}", timeout=10)
    assert image.status_code == 200
    path = tmp_path / f"baked.{ext}"
    path.write_bytes(image.content)
    ok, report = _obv(str(path), EMAIL)
    assert ok, report


def test_ob2_validator_rejects_wrong_recipient(live):
    _, _, answer, _ = live
    ok, report = _obv(answer["assertion_url"], "someone.else@example.org")
    assert not ok and "recipient" in report.lower(), report


def test_ob2_validator_rejects_revoked_assertion(live, issuer):
    import requests

    _, award, answer, _ = live
    issuer.revoke(str(award.public_id), "issued in error")
    response = requests.get(answer["assertion_url"], timeout=10)
    assert response.status_code == 410 and response.json()["revoked"] is True
    assert response.json()["revocationReason"] == "issued in error"
    ok, report = _obv(answer["assertion_url"], EMAIL)
    assert not ok, report  # the validator sees the revocation answer, not an assertion it can accept


def test_ob2_validator_rejects_a_forged_assertion_hosted_elsewhere(live, tmp_path):
    """Someone copies our badge class into an assertion they host: hosted verification must fail."""
    _, _, _, row = live
    forged = copy.deepcopy(row.ob2)
    forged["id"] = "http://127.0.0.2:9/forged-assertion"
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(forged))
    ok, report = _obv(str(path), EMAIL)
    assert not ok, report


# --- Open Badges 3.0 --------------------------------------------------------------------------------------

def _schema_errors(document: dict) -> list[str]:
    from jsonschema import Draft201909Validator

    validator = Draft201909Validator(json.loads(SCHEMA.read_text()), format_checker=Draft201909Validator.FORMAT_CHECKER)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def test_ob3_credential_matches_official_schema(issued):
    _, _, row = issued
    assert _schema_errors(row.ob3) == []


def test_ob3_schema_rejects_a_broken_credential(issued):
    _, _, row = issued
    broken = copy.deepcopy(row.ob3)
    broken["credentialSubject"]["identifier"][0]["email"] = EMAIL  # IdentityObject allows no other property
    del broken["validFrom"]
    assert len(_schema_errors(broken)) == 2


def test_independent_verifier_accepts_credential(live, tmp_path):
    origin, _, _, row = live
    ok, report = _node_verify(row.ob3, origin, tmp_path)
    assert ok, report


@pytest.mark.parametrize("change", ["name", "hours", "recipient", "proof"])
def test_independent_verifier_rejects_tampered_credential(live, tmp_path, change):
    origin, _, _, row = live
    doc = copy.deepcopy(row.ob3)
    if change == "name":
        doc["credentialSubject"]["achievement"]["name"] = "College Certificate"
    elif change == "hours":
        doc["credentialSubject"]["creditsEarned"] = 200.0
    elif change == "recipient":
        doc["credentialSubject"]["identifier"][0]["identityHash"] = "sha256$" + "ab" * 32
    else:
        value = doc["proof"][0]["proofValue"]
        doc["proof"][0]["proofValue"] = value[:-2] + ("11" if not value.endswith("11") else "22")
    ok, report = _node_verify(doc, origin, tmp_path)
    assert not ok and report.get("revoked") is False, report
    assert any("verif" in e.lower() or "signature" in e.lower() for e in report["errors"]), report


def test_independent_verifier_rejects_revoked_credential(live, tmp_path, issuer):
    origin, award, _, row = live
    ok, _ = _node_verify(row.ob3, origin, tmp_path)
    assert ok
    issuer.revoke(str(award.public_id), "issued in error")
    ok, report = _node_verify(row.ob3, origin, tmp_path)
    assert not ok and report["revoked"] is True, report


def test_independent_verifier_accepts_varied_credentials(live, tmp_path):
    """A sample of the canonicalization corpus (every credential, accents, French and English, escapes,
    control characters), signed here; some slots revoked. ``CAREGIVING_CORPUS_SAMPLE`` sets the size
    (all 1,000 were run once: see the README's benchmark notes)."""
    from django.db import transaction

    from sync.issuer import dataintegrity, did, statuslist
    from sync.issuer.keys import issuer_key
    from tests.issuer.corpus import documents

    origin = live[0]
    size = int(os.environ.get("CAREGIVING_CORPUS_SAMPLE", "40"))
    credentials = [d for d in documents(2 * size) if "OpenBadgeCredential" in d.get("type", [])][:size]
    credentials[0]["name"] = "bell\x07 back\x08 one\x01 tab\t"  # written as RDFC-1.0 says, not as URDNA2015 did

    def slot(credential: dict) -> tuple[int, int]:
        entry = credential["credentialStatus"]
        return int(entry["statusListCredential"].rsplit("/", 1)[-1]), int(entry["statusListIndex"])

    revoked = {slot(credential) for n, credential in enumerate(credentials) if n % 5 == 2}
    for number in {slot(credential)[0] for credential in credentials}:
        statuslist.ensure_list(number)
    for number, index in revoked:
        with transaction.atomic():
            statuslist.revoke_slot(number, index)
    paths, key = [], issuer_key()
    for n, credential in enumerate(credentials):  # signed as the issuer signs: by its DID's key
        paths.append(tmp_path / f"credential-{n}.json")
        method = did.method_for(credential["issuer"]["id"], key.public_raw)
        paths[-1].write_text(json.dumps(dataintegrity.sign(credential, key, method=method)))
    require(shutil.which("node") is not None and (VERIFIER / "node_modules" / "@digitalbazaar" / "vc").exists(),
            "node and `npm ci --prefix tests/issuer/verifier`")
    done = subprocess.run(["node", str(VERIFIER / "verify.mjs"), "--each", origin, *map(str, paths)],
                          capture_output=True, text=True, timeout=60 + 2 * size)
    reports = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert len(reports) == len(credentials), done.stderr[-2000:]
    refused = {n: r["errors"] for n, (r, credential) in enumerate(zip(reports, credentials, strict=True))
               if not r["proof"] or r["revoked"] != (slot(credential) in revoked)}
    assert refused == {}


def test_vc_jwt_verifies_with_an_independent_jose_library(live):
    """jwcrypto (not PyJWT, which signed it) checks the token with the issuer's JWK (the header's, which is the
    one the issuer publishes)."""
    import requests
    from jwcrypto import jwk, jws

    origin, _, _, row = live
    header = json.loads(jws.base64url_decode(row.ob3_jwt.split(".")[0]))
    assert header["alg"] == "EdDSA" and set(header) <= {"alg", "kid", "typ", "jwk"}
    published = requests.get(f"{origin}/badges/issuer/jwk", timeout=10).json()
    assert header["jwk"]["x"] == published["x"] and "d" not in header["jwk"]
    key = jwk.JWK(**published)
    token = jws.JWS()
    token.deserialize(row.ob3_jwt)
    token.verify(key, alg="EdDSA")
    claims = json.loads(token.payload)
    assert claims["jti"] == row.ob3["id"] and claims["iss"] == row.ob3["issuer"]["id"]
    assert {k: v for k, v in claims.items() if k not in ("iss", "jti", "nbf")} == \
        {k: v for k, v in row.ob3.items() if k != "proof"}  # OB 3.0 §8.2: the payload is the credential
    forged = row.ob3_jwt.rsplit(".", 1)[0] + "." + jws.base64url_encode(b"\0" * 64)
    bad = jws.JWS()
    bad.deserialize(forged)
    with pytest.raises(jws.InvalidJWSSignature):
        bad.verify(key, alg="EdDSA")


# --- did:web and did:key, with openbadgeslib's OB 3.0 verifier and Digital Bazaar's -----------------------------

@pytest.fixture(params=["web", "key"])
def did_live(request, live_server, settings, make_award, issuer, monkeypatch):
    """An award issued under a did:web (resolved from the live server) or a did:key issuer."""
    monkeypatch.setenv("CAREGIVING_ISSUER_DID", request.param)
    settings.BASE_URL = live_server.url
    award = make_award(email=EMAIL)
    issuer.issue(str(award.public_id))
    from sync.models import IssuedCredential

    return live_server.url, award, IssuedCredential.objects.get(award_id=award.public_id)


def _openbadgeslib(token: str, origin: str) -> str:
    """openbadgeslib's verdict on a VC-JWT: 'valid', 'revoked' or its error. Its did:web resolution (https) and the
    status list fetch are pointed at the live test server on 127.0.0.1."""
    import jwt as pyjwt
    import requests
    from openbadgeslib.ob3 import OB3VerificationError, OB3Verifier

    host = urlsplit(origin).netloc

    def download(url: str) -> bytes:
        parts = urlsplit(url)
        assert parts.netloc == host, f"openbadgeslib asked for {url}, not the issuer's"
        response = requests.get(origin + parts.path, timeout=10)
        response.raise_for_status()
        return response.content

    issuer_did = pyjwt.decode(token, options={"verify_signature": False})["iss"]
    try:
        verifier = OB3Verifier.for_issuer_did(issuer_did, download=download)
        verifier.verify(token, check_status=True, verify_status_list=False, download=download)
    except OB3VerificationError as exc:
        return "revoked" if "status 'revocation' is set" in str(exc) else f"invalid: {exc}"
    return "valid"


def test_openbadgeslib_verifies_the_vc_jwt_and_sees_its_revocation(did_live, issuer):
    origin, award, row = did_live
    assert row.ob3["issuer"]["id"].startswith("did:")
    assert _openbadgeslib(row.ob3_jwt, origin) == "valid"
    issuer.revoke(str(award.public_id), "issued in error")
    assert _openbadgeslib(row.ob3_jwt, origin) == "revoked"


def test_openbadgeslib_rejects_a_forged_vc_jwt(did_live):
    origin, _, row = did_live
    head, payload, _ = row.ob3_jwt.split(".")
    other = json.loads(base64.urlsafe_b64decode(payload + "=="))
    other["credentialSubject"]["creditsEarned"] = 200.0
    forged = ".".join([head, base64.urlsafe_b64encode(json.dumps(other).encode()).decode().rstrip("="),
                       row.ob3_jwt.rsplit(".", 1)[1]])
    assert _openbadgeslib(forged, origin).startswith("invalid")


def test_digital_bazaar_verifies_the_did_credential_and_sees_its_revocation(did_live, tmp_path, issuer):
    origin, award, row = did_live
    method = row.ob3["proof"][0]["verificationMethod"]
    assert method.startswith(row.ob3["issuer"]["id"] + "#")
    ok, report = _node_verify(row.ob3, origin, tmp_path)
    assert ok, report
    issuer.revoke(str(award.public_id), "issued in error")
    ok, report = _node_verify(row.ob3, origin, tmp_path)
    assert not ok and report["revoked"] is True, report


def test_credentials_issued_before_dids_keep_verifying(live_server, settings, make_award, issuer, monkeypatch,
                                                        tmp_path):
    """A credential with the http issuer and key ids, then the installation moves to did:web: the old key id still
    resolves (Digital Bazaar), our verifier still says valid, and new credentials go to a new status list."""
    from sync.issuer import verify
    from sync.models import IssuedCredential

    settings.BASE_URL = live_server.url
    monkeypatch.setenv("CAREGIVING_ISSUER_DID", "url")
    old = make_award(email=EMAIL)
    issuer.issue(str(old.public_id))
    monkeypatch.setenv("CAREGIVING_ISSUER_DID", "web")
    new = make_award(email="sam.learner@example.org")
    issuer.issue(str(new.public_id))
    old_row, new_row = (IssuedCredential.objects.get(award_id=a.public_id) for a in (old, new))
    assert old_row.ob3["issuer"]["id"] == f"{live_server.url}/badges/issuer"
    assert new_row.ob3["issuer"]["id"].startswith("did:web:")
    assert old_row.status_list != new_row.status_list
    for row in (old_row, new_row):
        assert verify.verify(row.ob3).status == verify.VALID
        assert verify.verify(row.ob3_jwt).status == verify.VALID
        ok, report = _node_verify(row.ob3, live_server.url, tmp_path)
        assert ok, report
    issuer.revoke(str(old.public_id), "issued in error")
    ok, report = _node_verify(old_row.ob3, live_server.url, tmp_path)
    assert not ok and report["revoked"] is True, report
    assert verify.verify(old_row.ob3_jwt).status == verify.REVOKED
