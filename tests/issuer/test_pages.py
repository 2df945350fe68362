"""The public pages and JSON endpoints: content types, revocation answers, no private data, hostile input."""
from __future__ import annotations

import copy
import json
import re

import pytest
from django.utils import translation

PRIVATE = ("pat.learner@example.org", "instructor@example.org", "PRIVATE KEY", "secretKey", '"d":')


def _urls(key: str) -> list[tuple[str, str]]:
    return [
        (f"/badges/credentials/{key}", "text/html"),
        (f"/badges/credentials/{key}.json", "application/vc"),
        (f"/badges/credentials/{key}.jwt", "application/vc+jwt"),
        ("/badges/issuer", "text/html"),
        ("/badges/issuer/jwk", "application/jwk+json"),
        ("/badges/achievements/caregiving-badge", "text/html"),
        ("/badges/status/1", "application/vc"),
        ("/badges/images/caregiving-badge.png", "image/png"),
        ("/badges/images/caregiving-badge.svg", "image/svg+xml"),
        ("/badges/v2/issuer", "application/ld+json"),
        ("/badges/v2/badgeclasses/caregiving-badge", "application/ld+json"),
        (f"/badges/v2/assertions/{key}", "application/ld+json"),
        (f"/badges/v2/assertions/{key}.png", "image/png"),
        (f"/badges/v2/assertions/{key}.svg", "image/svg+xml"),
        ("/badges/verify", "text/html"),
    ]


def test_every_public_url_answers_with_its_type_and_nothing_private(issued, client):
    award, _, _ = issued
    for url, content_type in _urls(str(award.public_id)):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith(content_type), url
        body = response.content.decode("utf-8", "replace")
        assert not any(p in body for p in PRIVATE), url


def test_ids_negotiate_json_for_machines(issued, client):
    award, _, row = issued
    key = str(award.public_id)
    response = client.get(f"/badges/credentials/{key}", HTTP_ACCEPT="application/ld+json")
    assert response["Content-Type"].startswith("application/vc") and json.loads(response.content) == row.ob3
    issuer = client.get("/badges/issuer", HTTP_ACCEPT="application/json").json()
    method = row.ob3["proof"][0]["verificationMethod"]
    assert method.startswith(row.ob3["issuer"]["id"] + "#")  # under the issuer's DID (did:key here: plain http)
    multikey = issuer["verificationMethod"][0]["publicKeyMultibase"]
    assert multikey.startswith("z6Mk") and row.ob3["issuer"]["id"] == f"did:key:{multikey}"
    assert issuer["assertionMethod"] == [issuer["verificationMethod"][0]["id"]]  # the http key id still resolves
    achievement = client.get("/badges/achievements/caregiving-badge", HTTP_ACCEPT="application/ld+json").json()
    assert achievement["id"] == row.ob3["credentialSubject"]["achievement"]["id"]
    assert client.get(f"/badges/credentials/{key}.json")["Access-Control-Allow-Origin"] == "*"


def test_revoked_assertion_answers_410_with_reason(issued, issuer, client):
    award, _, _ = issued
    issuer.revoke(str(award.public_id), "issued in error")
    key = str(award.public_id)
    response = client.get(f"/badges/v2/assertions/{key}")
    assert response.status_code == 410
    assert response.json() == {"@context": "https://w3id.org/openbadges/v2", "type": "Assertion",
                               "id": f"http://127.0.0.1:8000/badges/v2/assertions/{key}", "revoked": True,
                               "revocationReason": "issued in error"}
    assert client.get(f"/badges/v2/assertions/{key}.png").status_code == 410
    page = client.get(f"/badges/credentials/{key}").content.decode()
    assert "revoked" in page and "issued in error" in page


def test_credential_page_is_shareable_and_accessible(issued, client):
    award, answer, _ = issued
    html = client.get(f"/badges/credentials/{award.public_id}").content.decode()
    assert '<html lang="en">' in html and 'name="viewport"' in html
    assert re.search(r'<img [^>]*alt="Professional Practice in Caregiving: Badge, 14 hours, issued by ', html)
    assert 'property="og:title"' in html and answer["verify_url"].replace("&", "&amp;") in html
    assert html.count("<h1") == 1
    for ext in ("json", "jwt", "png", "svg"):
        assert f"{award.public_id}.{ext}" in html


def test_pages_are_translated(issued, client):
    award, _, _ = issued
    client.cookies["django_language"] = "fr"
    html = client.get(f"/badges/credentials/{award.public_id}", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="fr">' in html and "Vérifier ce titre" in html
    html = client.get("/badges/verify", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Vérifier un titre" in html


def test_svg_is_accessible(issued, client):
    svg = client.get("/badges/images/caregiving-badge.svg").content.decode()
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg


def _state():
    from caregiving_course.learner_record.models import Award
    from sync.models import IssuedCredential, StatusList

    return (IssuedCredential.objects.count(), Award.objects.count(),
            [(s.number, bytes(s.bits), s.version) for s in StatusList.objects.all()],
            list(IssuedCredential.objects.values_list("revoked_at", flat=True)))


def test_verify_page_pasted_uploaded_and_by_id(issued, client):
    award, answer, row = issued
    before = _state()
    for _ in range(2):  # a replayed verification answers the same and changes nothing
        page = client.post("/badges/verify", {"credential": json.dumps(row.ob3)}).content.decode()
        assert "result-valid" in page
    tampered = copy.deepcopy(row.ob3)
    tampered["credentialSubject"]["creditsEarned"] = 200.0
    page = client.post("/badges/verify", {"credential": json.dumps(tampered)}).content.decode()
    assert "result-tampered" in page and "altered" in page
    png = client.get(f"/badges/v2/assertions/{award.public_id}.png").content
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = client.post("/badges/verify", {"image": SimpleUploadedFile("b.png", png, "image/png")}).content.decode()
    assert "result-valid" in page
    page = client.get("/badges/verify", {"id": answer["url"]}).content.decode()
    assert "result-valid" in page
    page = client.post("/badges/verify", {"credential": row.ob3_jwt, "email": "pat.learner@example.org"})
    assert "is the recipient" in page.content.decode() and "pat.learner@example.org" not in page.content.decode()
    assert _state() == before


def test_verify_api_json(issued, client):
    _, answer, row = issued
    result = client.post("/badges/verify.json", json.dumps(row.ob3), content_type="application/json").json()
    assert result["status"] == "valid" and result["valid"] is True
    result = client.get("/badges/verify.json", {"id": answer["url"]}).json()
    assert result["status"] == "valid"
    result = client.post("/badges/verify.json", row.ob3_jwt, content_type="text/plain").json()
    assert result["status"] == "valid"


@pytest.mark.parametrize("body,content_type", [
    ("", "application/json"),
    ("{", "application/json"),
    ("[1, 2]", "application/json"),
    ("\u0000\u0001", "text/plain"),
    ("<svg xmlns='http://www.w3.org/2000/svg'><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>&e;</svg>",
     "image/svg+xml"),
    ("x" * 300_000, "text/plain"),
    ("[" * 100_000, "application/json"),
    ('{"type": ["VerifiableCredential"], "issuer": "http://127.0.0.1:8000/badges/issuer", "@context": ['
     '"https://www.w3.org/ns/credentials/v2"], "proof": {"type": "DataIntegrityProof", "cryptosuite": '
     '"eddsa-rdfc-2022", "proofPurpose": "assertionMethod", "verificationMethod": '
     '"http://127.0.0.1:8000/badges/issuer#key-1", "proofValue": "z' + "1" * 64 + '"}, "credentialSubject": '
     + '{"a": ' * 5000 + '1' + '}' * 5001, "application/json"),
    ('{"@context": ["https://www.w3.org/ns/credentials/v2", "https://evil.example/ctx"],'
     ' "type": ["VerifiableCredential"], "issuer": "http://127.0.0.1:8000/badges/issuer",'
     ' "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "proofPurpose": "assertionMethod",'
     ' "verificationMethod": "http://127.0.0.1:8000/badges/issuer#key-1", "proofValue": "z1111"}}', "application/json"),
])
def test_verify_api_hostile_input_is_a_4xx_or_a_reasoned_no(db, client, body, content_type):
    before = _state()
    response = client.post("/badges/verify.json", body.encode("utf-8"), content_type=content_type)
    assert response.status_code in (200, 400)
    result = response.json()
    assert result["valid"] is False and result["reasons"]
    assert "root:" not in json.dumps(result)
    assert _state() == before


def test_verify_page_rejects_empty_and_oversized_uploads(db, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post("/badges/verify", {})
    assert response.status_code == 400 and "Paste a credential" in response.content.decode()
    big = SimpleUploadedFile("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * (2 * 1024 * 1024 + 1), "image/png")
    response = client.post("/badges/verify", {"image": big})
    assert response.status_code == 400 and "2 MB" in response.content.decode()


@pytest.mark.parametrize("url", [
    "/badges/credentials/00000000-0000-0000-0000-000000000000",
    "/badges/credentials/not-a-uuid.json",
    "/badges/v2/assertions/00000000-0000-0000-0000-000000000000",
    "/badges/achievements/no-such-badge",
    "/badges/images/no-such-badge.png",
    "/badges/images/caregiving-badge.gif",
    "/badges/status/999",
    "/badges/v2/badgeclasses/..%2Fetc",
])
def test_unknown_things_are_404(db, client, url):
    assert client.get(url).status_code == 404


def test_methods_other_than_get_are_refused(issued, client):
    award, _, _ = issued
    assert client.post(f"/badges/credentials/{award.public_id}.json").status_code in (403, 405)
    assert client.delete(f"/badges/v2/assertions/{award.public_id}").status_code == 405


def test_badges_for_learner(make_award, issuer):
    from sync.public import badges_for_learner

    award = make_award()
    pending = badges_for_learner(award.learner)
    assert pending == [{"title": "Professional Practice in Caregiving", "lang": "", "status": "pending",
                        "courses": [{"title": "Professional Practice in Caregiving", "lang": ""}],
                        "status_label": "Pending",
                        "url": "", "verify_url": "", "image_url": "http://127.0.0.1:8000/badges/images/caregiving-badge.png"}]
    answer = issuer.issue(str(award.public_id))
    [entry] = badges_for_learner(award.learner)
    assert entry["status"] == "issued" and entry["url"] == answer["url"] and entry["verify_url"] == answer["verify_url"]
    issuer.revoke(str(award.public_id), "withdrawn")
    assert badges_for_learner(award.learner)[0]["status"] == "revoked"
    with translation.override("fr"):
        [french] = badges_for_learner(award.learner)
    assert (french["title"], french["lang"], french["status_label"]) == (
        "Pratique professionnelle en soins et accompagnement", "", "Révoqué")
    assert french["courses"] == [{"title": "Pratique professionnelle en soins et accompagnement", "lang": ""}]


def test_share_page_in_french_uses_the_french_credential_and_marks_english_evidence(issued, client):
    award, _, _ = issued
    html = client.get(f"/badges/credentials/{award.public_id}", HTTP_ACCEPT_LANGUAGE="fr-CA").content.decode()
    assert "<title>Pratique professionnelle en soins et accompagnement" in html
    assert "<h1>Pratique professionnelle en soins et accompagnement</h1>" in html
    assert "La personne titulaire a suivi 14 heures" in html and "The holder" not in html.split("<main")[1][:3000]
    assert re.search(r'<img [^>]*alt="Pratique professionnelle en soins et accompagnement : Badge, 14 heures', html)
    # this award's evidence was recorded in full, in English, when it was issued: it says so
    assert '<span lang="en">completed The caregiver role (score 90%, 95 min on task)</span>' in html


def test_share_page_shows_the_holders_name_only_when_they_chose_to(issued, client):
    from caregiving_course.learner_record import api

    award, _, _ = issued
    url = f"/badges/credentials/{award.public_id}"
    assert "Pat Learner" not in client.get(url).content.decode()
    api.set_show_name_on_badges(award.learner, True)
    assert "Awarded to Pat Learner" in client.get(url).content.decode()
    assert "Décerné à Pat Learner" in client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    api.set_show_name_on_badges(award.learner, False)
    assert "Pat Learner" not in client.get(url).content.decode()


def test_the_achievement_names_its_french_edition(issued, client):
    _, _, row = issued
    achievement = row.ob3["credentialSubject"]["achievement"]
    assert achievement["inLanguage"] == "en"
    assert achievement["related"] == [{"id": "http://127.0.0.1:8000/badges/achievements/caregiving-badge?lang=fr",
                                       "type": ["Related"], "inLanguage": "fr"}]
    french = client.get("/badges/achievements/caregiving-badge?lang=fr", HTTP_ACCEPT="application/ld+json").json()
    assert french["inLanguage"] == "fr" and french["name"] == "Pratique professionnelle en soins et accompagnement"
    assert french["criteria"]["narrative"].startswith("Terminez les huit modules")
    assert french["related"][0] == {"id": "http://127.0.0.1:8000/badges/achievements/caregiving-badge",
                                    "type": ["Related"], "inLanguage": "en"}
    assert client.get("/badges/achievements/caregiving-badge?lang=de", HTTP_ACCEPT="application/ld+json"
                      ).status_code == 404


def test_verify_page_says_what_an_employer_needs(issued, issuer, client):
    award, answer, _ = issued
    html = client.get("/badges/verify", {"id": answer["url"]}).content.decode()
    assert re.search(r"Issued by [^<]+, not altered, not revoked\.", html), html
    french = client.get("/badges/verify", {"id": answer["url"]}, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "<span>Pratique professionnelle en soins et accompagnement</span>" in french
    assert re.search(r"Émis par [^<]+, non modifié, non révoqué\.", french), french
    issuer.revoke(str(award.public_id), "issued in error")
    html = client.get("/badges/verify", {"id": answer["url"]}).content.decode()
    assert "but revoked by the issuer" in html and "issued in error" in html
