"""Where a CLR comes from and goes: the administrator's command, the learner's download from My progress
(their own only), and the public verify page (English and French)."""
from __future__ import annotations

import datetime as dt
import json

from caregiving_course.cli.main import main
from tests.records.conftest import EMAIL

PASSWORD = "correct-horse-9"  # the test accounts' password (tests/conftest.make_user)


def test_command_writes_a_signed_clr(full_record, tmp_path, capsys):
    out = tmp_path / "pat.json"
    assert main(["learner", "clr", EMAIL, "--out", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert doc["type"] == ["VerifiableCredential", "ClrCredential"]
    assert doc["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert "wrote" in capsys.readouterr().out


def test_command_errors_are_one_line_without_traceback(full_record, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    assert main(["learner", "clr", "nobody@example.org", "--out", str(out / "x.json")]) == 2
    assert main(["learner", "clr", EMAIL, "--out", str(out / "missing" / "x.json")]) == 2
    err = capsys.readouterr().err
    assert "no learner 'nobody@example.org'" in err and "does not exist" in err and "Traceback" not in err
    assert list(out.iterdir()) == []


def test_learner_downloads_their_own_clr_from_my_progress(full_record, client):
    user, _, _ = full_record
    assert client.login(username=user.username, password=PASSWORD)
    page = client.get("/course/progress/").content.decode()
    assert 'href="/records/clr.json"' in page and "Download my learner record" in page
    response = client.get("/records/clr.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/vc+ld+json"
    assert "attachment" in response["Content-Disposition"] and response["Cache-Control"] == "no-store"
    doc = json.loads(response.content)
    from sync.issuer.clr_verify import verify_clr

    assert verify_clr(doc, dt.datetime.now(dt.UTC)).ok


def test_download_needs_sign_in_and_gives_only_your_own(full_record, client, make_user):
    assert client.get("/records/clr.json").status_code == 302  # to the sign-in page
    other = make_user("other.learner@example.org", cohort="fall-2026")
    assert client.login(username=other.username, password=PASSWORD)
    response = client.get("/records/clr.json", {"learner": EMAIL})
    assert response.status_code == 404 and b"nothing on your record" in response.content
    assert client.post("/records/clr.json").status_code == 405


def _verify(client, doc, language="en"):
    page = client.post("/badges/verify", {"credential": json.dumps(doc)}, HTTP_ACCEPT_LANGUAGE=language)
    return page.content.decode()


def test_verify_page_accepts_a_clr_in_english_and_french(full_record, client):
    from sync.issuer import clr

    _, learner, _ = full_record
    doc = clr.learner_clr(learner)
    page = _verify(client, doc)
    assert "result-valid" in page and "whole learner record" in page
    page = _verify(client, doc, "fr")
    assert "result-valid" in page and "dossier" in page and "whole learner record" not in page
    altered = json.loads(json.dumps(doc))
    altered["credentialSubject"]["verifiableCredential"][0]["credentialSubject"]["creditsEarned"] = 9.0
    assert "result-tampered" in _verify(client, altered)
    assert client.post("/badges/verify.json", json.dumps(doc), content_type="application/json").json()["valid"]


def test_verify_page_says_when_a_badge_inside_was_revoked_since(full_record, client):
    from sync.issuer import clr
    from sync.issuer.backend import BuiltinIssuer

    _, learner, awards = full_record
    doc = clr.learner_clr(learner)
    BuiltinIssuer().revoke(str(awards["badge"].public_id), "issued in error")
    page = _verify(client, doc)
    assert "result-revoked" in page and "issued in error" in page
