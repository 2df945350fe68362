"""Our tool keys (files 0600, JWKS, rotation) and the platform key cache (one refetch for an unknown kid)."""
from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.fakes.lti_platform import LTI

CUSTOM = {LTI + "custom": {"module_id": "caregiver-role"}}


@pytest.fixture
def key_home(tmp_path, settings):
    settings.KEYS_DIR = tmp_path / "keys"
    return tmp_path / "keys" / "lti"


def test_first_key_is_created_private_and_published_without_private_parts(key_home):
    from lti_bridge import keys

    key = keys.signing_key()
    pem = key_home / f"{key.kid}.pem"
    assert stat.S_IMODE(pem.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_home.stat().st_mode) == 0o700
    published = keys.jwks()["keys"]
    assert [k["kid"] for k in published] == [key.kid]
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(published[0])
    assert published[0]["alg"] == "RS256" and published[0]["use"] == "sig"


def test_rotation_publishes_first_signs_later_and_retires_the_old_key_after_its_tokens_expire(key_home):
    from lti_bridge import keys

    old = keys.signing_key()
    t0 = datetime.now(UTC)
    new = keys.rotate_key(timedelta(minutes=30), now=t0)
    assert {k["kid"] for k in keys.jwks(now=t0)["keys"]} == {old.kid, new.kid}
    assert keys.signing_key(now=t0).kid == old.kid  # not signing before platforms could see it
    later = t0 + timedelta(minutes=31)
    assert keys.signing_key(now=later).kid == new.kid
    assert {k["kid"] for k in keys.jwks(now=later)["keys"]} == {old.kid, new.kid}  # old tokens still verify
    expired = t0 + timedelta(minutes=30) + keys.MAX_SIGNED_LIFETIME + timedelta(seconds=1)
    assert [k["kid"] for k in keys.jwks(now=expired)["keys"]] == [new.kid]
    assert keys.prune(now=expired) == [old.kid]
    assert not (key_home / f"{old.kid}.pem").exists()


def test_signed_jwt_verifies_with_the_published_key(key_home):
    import jwt

    from lti_bridge import keys

    token = keys.signing_key().sign({"iss": "me", "aud": "you"})
    jwk = keys.jwks()["keys"][0]
    claims = jwt.decode(token, jwt.algorithms.RSAAlgorithm.from_jwk(jwk), algorithms=["RS256"], audience="you")
    assert claims["iss"] == "me" and jwt.get_unverified_header(token)["kid"] == jwk["kid"]


@pytest.mark.django_db(transaction=True)
def test_jwks_endpoint_and_cli_rotation(key_home, live_server, capsys):
    from caregiving_course.cli.main import main

    first = requests.get(f"{live_server.url}/lti/jwks", timeout=5).json()["keys"]
    assert main(["platform", "rotate-key", "--lead-minutes", "0"]) == 0
    assert "published now" in capsys.readouterr().out
    second = requests.get(f"{live_server.url}/lti/jwks", timeout=5).json()["keys"]
    assert len(second) == 2 and first[0] in second
    assert main(["platform", "keys"]) == 0
    listing = capsys.readouterr().out
    assert "signing" in listing and "BEGIN" not in listing
    for key in second:
        assert "d" not in key


def test_private_keys_are_not_in_the_database_dump(key_home, db):
    from io import StringIO

    from django.core.management import call_command

    from lti_bridge import keys

    key = keys.signing_key()
    out = StringIO()
    call_command("dumpdata", "lti_bridge", stdout=out)
    pem_body = (key_home / f"{key.kid}.pem").read_text().splitlines()[1]
    assert pem_body not in out.getvalue()
    assert "PRIVATE KEY" not in out.getvalue()


# --- platform keys --------------------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_platform_keys_are_fetched_once_and_refetched_once_after_rotation(registered, fake, browser, tool_url,
                                                                          settings):
    from tests.lti.conftest import new_browser

    settings.LTI_JWKS_REFETCH_SECONDS = 0
    for n in range(3):
        assert new_browser(tool_url).launch(fake, f"learner-k{n}", overrides=CUSTOM).status_code == 200
    assert fake.jwks_fetches == 1  # no fetch per launch
    fake.rotate()
    for n in range(3):
        assert new_browser(tool_url).launch(fake, f"learner-r{n}", overrides=CUSTOM).status_code == 200
    assert fake.jwks_fetches == 2  # exactly one refetch for the new kid


@pytest.mark.django_db(transaction=True)
def test_made_up_kids_do_not_make_us_hammer_the_platform(registered, fake, browser, tool_url, settings):
    from tests.lti.conftest import new_browser

    settings.LTI_JWKS_REFETCH_SECONDS = 3600
    assert browser.launch(fake, "learner-1", overrides=CUSTOM).status_code == 200
    for n in range(3):
        response = new_browser(tool_url).launch(fake, f"attacker-{n}", variant="wrong_kid")
        assert response.status_code == 401
    assert fake.jwks_fetches == 2  # the first load, then one refetch for the first unknown kid


@pytest.mark.django_db(transaction=True)
def test_a_worker_uses_the_key_set_another_worker_stored(registered, fake, browser, tool_url):
    from lti_bridge import platform_keys
    from tests.lti.conftest import new_browser

    assert browser.launch(fake, "learner-1", overrides=CUSTOM).status_code == 200
    platform_keys.forget()  # a new process: nothing in memory, the database copy is used
    assert new_browser(tool_url).launch(fake, "learner-2", overrides=CUSTOM).status_code == 200
    assert fake.jwks_fetches == 1


@pytest.mark.parametrize("document", [
    {"keys": "nope"}, [], {"keys": [{"kty": "RSA", "kid": "k", "n": "!!", "e": "AQAB"}]},
    {"keys": [{"kty": "oct", "kid": "k", "k": "c2VjcmV0"}]},
])
def test_hostile_platform_key_sets_yield_no_usable_key(document):
    from lti_bridge import platform_keys

    try:
        assert platform_keys.parse_jwks(document) == {}
    except platform_keys.PlatformKeyError:
        pass


@pytest.mark.django_db(transaction=True)
def test_oversized_platform_key_set_is_refused(registered, fake, browser):
    from tests.fakes.lti_platform import Answer

    fake.route("GET", "/jwks", lambda request: Answer(200, json.dumps({"keys": [], "pad": "x" * 300_000}).encode()))
    response = browser.launch(fake, "learner-1", overrides=CUSTOM)
    assert response.status_code == 401 and "larger than" in response.text


def test_rotate_key_says_when_the_new_key_signs_in_the_named_zone(key_home, db, capsys):
    import re

    from caregiving_course.cli.main import main

    assert main(["platform", "rotate-key", "--lead-minutes", "30"]) == 0
    said = capsys.readouterr().out
    assert re.search(r"signs from \d{4}-\d\d-\d\d \d\d:\d\d E[SD]T\. ", said), said  # America/Toronto, named
