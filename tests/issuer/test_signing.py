"""Signing and verifying Open Badges 3.0 credentials, and keeping secrets out of what is published."""
from __future__ import annotations

import copy
import json
import stat

import pytest

from sync.issuer import verify as v
from tests.concurrency import run_in_threads


def test_issue_is_idempotent_and_durable(make_award, issuer):
    from sync.models import IssuedCredential

    award = make_award()
    first = issuer.issue(str(award.public_id))
    second = issuer.issue(award)
    assert first == second
    assert IssuedCredential.objects.filter(award_id=award.public_id).count() == 1
    assert issuer.find(str(award.public_id)) == first


def test_credential_verifies_and_hides_the_email(issued):
    _, answer, row = issued
    text = json.dumps([row.ob3, row.ob2, row.ob3_jwt, answer])
    assert "pat.learner@example.org" not in text and "instructor@example.org" not in text
    assert "PRIVATE" not in text
    result = v.verify(row.ob3)
    assert result.status == v.VALID, result.reasons
    assert v.verify(row.ob3_jwt).status == v.VALID
    assert v.verify(answer["url"]).status == v.VALID
    assert v.verify(json.dumps(row.ob3), email="Pat.Learner@example.org ").recipient_match is True
    assert v.verify(json.dumps(row.ob3), email="someone@example.org").recipient_match is False


def test_subject_identifier_is_a_salted_hash(issued):
    _, _, row = issued
    ident = row.ob3["credentialSubject"]["identifier"][0]
    assert ident["hashed"] is True and ident["identityHash"].startswith("sha256$") and ident["salt"]
    assert row.ob2["recipient"]["identity"] == ident["identityHash"]


@pytest.mark.parametrize("path,value", [
    (("name",), "Something else"),
    (("credentialSubject", "creditsEarned"), 99.0),
    (("credentialSubject", "identifier", 0, "identityHash"), "sha256$" + "0" * 64),
    (("validFrom",), "2020-01-01T00:00:00Z"),
])
def test_tampered_credential_fails(issued, path, value):
    _, _, row = issued
    doc = copy.deepcopy(row.ob3)
    target = doc
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    result = v.verify(doc)
    assert result.status == v.TAMPERED, result.reasons


def test_added_undefined_property_is_refused(issued):
    _, _, row = issued
    doc = copy.deepcopy(row.ob3)
    doc["credentialSubject"]["grade"] = "A+"
    result = v.verify(doc)
    assert result.status == v.TAMPERED and "not defined" in result.reasons[0]


def test_tampered_jwt_fails(issued):
    _, _, row = issued
    head, payload, sig = row.ob3_jwt.split(".")
    forged = ".".join([head, payload[:-4] + ("AAAA" if not payload.endswith("AAAA") else "BBBB"), sig])
    assert v.verify(forged).status in (v.TAMPERED, v.MALFORMED)


def test_revocation_flips_status_and_is_idempotent(issued, issuer):
    from caregiving_course.learner_record import api
    from sync.issuer import statuslist

    award, _, row = issued
    api.revoke(str(award.public_id), reason="issued in error")
    answer = issuer.revoke(str(award.public_id), "issued in error")
    assert answer["revoked"] is True
    assert issuer.revoke(str(award.public_id), "again")["revocation_reason"] == "issued in error"
    result = v.verify(row.ob3)
    assert result.status == v.REVOKED and "issued in error" in result.reasons[-1]
    assert v.verify(row.ob3_jwt).status == v.REVOKED
    listed = statuslist.published(row.status_list)
    assert statuslist.bit(statuslist.decode(listed["credentialSubject"]["encodedList"]), row.status_index)
    assert issuer.issue(str(award.public_id))["revoked"] is True  # a late issue never revives it


def test_revoke_before_issue_publishes_a_revoked_credential(make_award, issuer):
    award = make_award()
    answer = issuer.revoke(str(award.public_id), "withdrawn")
    assert answer["revoked"] is True and v.verify(answer["url"]).status == v.REVOKED


def test_expired_and_future_credentials(issued):
    import datetime as dt

    _, _, row = issued
    later = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
    earlier = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    assert v.verify(row.ob3, now=later).status == v.VALID  # no validUntil: does not expire
    assert v.verify(row.ob3, now=earlier).status == v.NOT_YET


def test_key_file_is_private_and_never_shown(issued, settings):
    from sync.issuer.keys import issuer_key, key_path

    path = key_path()
    assert str(path).startswith(str(settings.KEYS_DIR))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = issuer_key()
    assert "PRIVATE" not in repr(key) and key.key_id in repr(key)
    assert "d" not in key.public_jwk()


@pytest.mark.parametrize("value", ["", "   ", "{", "[]", "not a thing", "a.b.c", b"GIF89a", b"\x89PNG\r\n\x1a\nxx",
                                   "{\"type\": \"VerifiableCredential\"}", "x" * 300_000, 42, None])
def test_hostile_inputs_give_a_reason(db, value):
    result = v.verify(value)
    assert result.status in (v.MALFORMED, v.UNKNOWN, v.TAMPERED) and result.reasons


def test_pasted_ob2_assertion(issued):
    _, _, row = issued
    assert v.verify(json.dumps(row.ob2)).status == v.VALID
    forged = {**row.ob2, "badge": "http://127.0.0.1:8000/badges/v2/badgeclasses/caregiving-college-certificate"}
    result = v.verify(forged)
    assert result.status == v.TAMPERED and "badge" in result.reasons[0]
    assert v.verify({**row.ob2, "id": "https://elsewhere.example/a/1"}).status == v.UNKNOWN


def test_baked_images_carry_the_assertion(issued):
    from caregiving_course.framework import catalogue
    from sync.issuer import baking, images

    _, _, row = issued
    credential = catalogue().credential(row.credential_id)
    text = baking.assertion_text(row.ob2)
    png = baking.bake_png(images.png(credential), text)
    assert json.loads(baking.unbake(png)) == row.ob2
    assert baking.bake_png(png, text).count(b"openbadges\x00") == 1  # re-baking replaces, never stacks
    svg = baking.bake_svg(images.svg(credential), text.replace("in", "]]>in"), row.ob2["id"])
    assert baking.unbake(svg.encode()) == text.replace("in", "]]>in")
    assert v.verify(png).status == v.VALID


def test_refresh_resigns_a_list_left_behind_by_a_crash(issued):
    from sync.issuer import statuslist
    from sync.models import StatusList

    _, _, row = issued
    StatusList.objects.filter(number=row.status_list).update(bits=b"\xff" * (statuslist.LIST_BITS // 8), version=7)
    assert statuslist.refresh() == 1 and statuslist.refresh() == 0
    listed = statuslist.published(row.status_list)
    assert statuslist.bit(statuslist.decode(listed["credentialSubject"]["encodedList"]), row.status_index)
    assert v.verify(row.ob3).status == v.REVOKED


@pytest.mark.database
@pytest.mark.concurrent_writers
def test_concurrent_issues_of_one_award_store_one_credential(transactional_db, make_award, issuer):


    from sync.models import IssuedCredential

    award = make_award()
    answers, errors = run_in_threads([lambda: issuer.issue(str(award.public_id))] * 4)
    assert not errors, errors
    assert IssuedCredential.objects.filter(award_id=award.public_id).count() == 1
    assert len({a["remote_id"] for a in answers}) == 1 and len(answers) == 4
    stored = IssuedCredential.objects.get(award_id=award.public_id)
    assert all(a["issued_at"] == stored.issued_at.isoformat() for a in answers)
