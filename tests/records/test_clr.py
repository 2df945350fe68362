"""The learner's Comprehensive Learner Record (CLR 2.0): what it holds, its schema, and its signature
checked by Digital Bazaar's verifier (``tests/issuer/verifier``) over real HTTP on 127.0.0.1."""
from __future__ import annotations

import copy
import json

import pytest

from tests.issuer.test_third_party import SCHEMA as OB_SCHEMA
from tests.issuer.test_third_party import _node_verify
from tests.records.conftest import EMAIL

# 1EdTech's published ClrCredential schema (self-contained); see tests/issuer/README.md.
CLR_SCHEMA = OB_SCHEMA.parent / "clr_v2p0_clrcredential_schema.json"


def _schema_errors(document: dict) -> list[str]:
    from jsonschema import Draft201909Validator

    validator = Draft201909Validator(json.loads(CLR_SCHEMA.read_text()),
                                     format_checker=Draft201909Validator.FORMAT_CHECKER)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def _by_type(clr: dict, achievement_type: str) -> list[dict]:
    return [vc for vc in clr["credentialSubject"]["verifiableCredential"]
            if vc["credentialSubject"]["achievement"]["achievementType"] == achievement_type]


def test_clr_holds_every_achievement_on_the_record(full_record):
    from sync.issuer import clr
    from sync.models import IssuedCredential

    _, learner, awards = full_record
    doc = clr.learner_clr(learner)
    assert doc["type"] == ["VerifiableCredential", "ClrCredential"]
    [module] = _by_type(doc, "Course")
    assert module["credentialSubject"]["creditsEarned"] == 1.5
    assert module["credentialSubject"]["achievement"]["creditsAvailable"] == 1.5
    assert "PT1H35M20S" in module["evidence"][0]["description"]
    checks = {vc["credentialSubject"]["achievement"]["id"].split("/")[-2]: vc["credentialSubject"]["result"][0]
              for vc in _by_type(doc, "Assessment")}
    assert checks["caregiver-role"]["value"] == "90" and checks["caregiver-role"]["status"] == "Completed"
    assert checks["daily-living-support"]["value"] == "50" and checks["daily-living-support"]["status"] == "Failed"
    [workshop] = _by_type(doc, "LearningProgram")
    assert workshop["credentialSubject"]["creditsEarned"] == 4.0
    assert "recorded by Robin Teacher at 20" in workshop["evidence"][0]["description"]
    [skill] = _by_type(doc, "Competency")  # the withdrawn sign-off is not there
    assert skill["credentialSubject"]["achievement"]["name"].startswith("Hand hygiene")
    assert "signed off by Robin Teacher" in skill["evidence"][0]["description"]
    [badge] = _by_type(doc, "Badge")  # the revoked certificate is left out
    assert badge == IssuedCredential.objects.get(award_id=awards["badge"].public_id).ob3  # as issued, signed
    assert badge["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert not _by_type(doc, "Certificate")
    links = {(a["sourceId"].split("/achievements/")[1], a["associationType"], a["targetId"].split("/achievements/")[1])
             for a in doc["credentialSubject"]["association"]}
    assert ("modules/caregiver-role", "isPartOf", "caregiving-badge") in links
    assert ("caregiving-badge", "isPartOf", "caregiving-certificate-of-training") in links
    assert ("components/skills-signoff/skills/hand-hygiene", "isPartOf", "components/skills-signoff") in links
    assert ("modules/caregiver-role/knowledge-check", "isPartOf", "modules/caregiver-role") in links
    known = {a["id"] for a in doc["credentialSubject"]["achievement"]}
    assert {a["targetId"] for a in doc["credentialSubject"]["association"]} <= known
    text = json.dumps(doc)
    assert EMAIL not in text and "instructor@example.org" not in text


def test_clr_ids_of_records_are_stable_and_the_clr_id_is_new(full_record):
    from sync.issuer import clr

    _, learner, _ = full_record
    first, second = clr.learner_clr(learner), clr.learner_clr(learner)
    assert first["id"] != second["id"]
    ids = [vc["id"] for vc in first["credentialSubject"]["verifiableCredential"]]
    assert ids == [vc["id"] for vc in second["credentialSubject"]["verifiableCredential"]]
    assert len(set(ids)) == len(ids)


def test_empty_record_is_a_clear_error(db, make_user):
    from caregiving_course.learner_record import api
    from sync.issuer import clr

    learner = api.learner_for_user(make_user("new.learner@example.org", cohort="fall-2026"))
    with pytest.raises(api.RecordError, match="nothing on this learner's record"):
        clr.learner_clr(learner)


def test_clr_matches_the_clr_schema(full_record):
    from sync.issuer import clr

    _, learner, _ = full_record
    assert _schema_errors(clr.learner_clr(learner)) == []


def test_clr_schema_rejects_a_broken_clr(full_record):
    from sync.issuer import clr

    _, learner, _ = full_record
    doc = clr.learner_clr(learner)
    doc["credentialSubject"]["association"][0]["associationType"] = "isFriendOf"
    del doc["credentialSubject"]["verifiableCredential"][0]["issuer"]
    del doc["validFrom"]
    assert len(_schema_errors(doc)) == 3


def test_clr_signature_checks_in_python_and_fails_when_altered(full_record):
    from sync.issuer import clr, dataintegrity
    from sync.issuer.keys import issuer_key

    _, learner, _ = full_record
    doc = clr.learner_clr(learner)
    resolve = lambda method: issuer_key().public_raw  # noqa: E731
    assert dataintegrity.verify(doc, resolve).ok
    doc["credentialSubject"]["verifiableCredential"][0]["credentialSubject"]["creditsEarned"] = 15.0
    check = dataintegrity.verify(doc, resolve)
    assert not check.ok and check.tampered


@pytest.fixture
def live_clr(live_record):
    from sync.issuer import clr

    origin, (_, learner, _) = live_record
    return origin, clr.learner_clr(learner)


def test_independent_verifier_accepts_the_clr(live_clr, tmp_path):
    origin, doc = live_clr
    ok, report = _node_verify(doc, origin, tmp_path)
    assert ok, report


def _set_path(doc: dict, path: list, value) -> None:
    for step in path[:-1]:
        doc = doc[step]
    doc[path[-1]] = value


@pytest.mark.parametrize("path,value", [
    (["name"], "Comprehensive Learner Record: another course"),
    (["credentialSubject", "verifiableCredential", 0, "credentialSubject", "creditsEarned"], 1.75),
    (["credentialSubject", "verifiableCredential", 2, "credentialSubject", "result", 0, "value"], "91"),
    (["credentialSubject", "association", 0, "associationType"], "isParentOf"),
    (["credentialSubject", "identifier", 0, "salt"], "00" * 16),
])
def test_independent_verifier_rejects_a_clr_with_any_claim_changed(live_clr, tmp_path, path, value):
    origin, doc = live_clr
    altered = copy.deepcopy(doc)
    _set_path(altered, path, value)
    assert altered != doc
    ok, report = _node_verify(altered, origin, tmp_path)
    assert not ok and report.get("revoked") is False, report
    assert any("verif" in e.lower() or "signature" in e.lower() for e in report["errors"]), report


def test_independent_verifier_rejects_a_clr_with_one_byte_of_a_string_changed(live_clr, tmp_path):
    """Flip one character of every string claim in turn (sampled: every 7th), not only chosen fields."""
    origin, doc = live_clr
    claims = []

    def walk(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                if k not in ("proof", "@context"):
                    walk(v, [*path, k])
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, [*path, i])
        elif isinstance(node, str) and node and path[-1] not in ("type",):
            claims.append(path)

    walk(doc, [])
    for path in claims[::7][:6]:
        altered = copy.deepcopy(doc)
        target = altered
        for step in path[:-1]:
            target = target[step]
        text = target[path[-1]]
        target[path[-1]] = text[:-1] + ("x" if text[-1] != "x" else "y")
        ok, report = _node_verify(altered, origin, tmp_path)
        assert not ok, (path, report)
