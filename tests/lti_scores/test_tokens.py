"""Access tokens: a signed client assertion the platform verifies; cached per platform and scope set."""
from __future__ import annotations

import jwt
import pytest

from lti_bridge import keys, tokens
from lti_bridge.ags import SCOPE_LINEITEM, SCOPE_SCORE
from lti_bridge.models import AccessTokenCache, Platform
from tests.concurrency import run_in_threads
from tests.fakes.lti_platform_ags import AgsPlatform
from tests.lti_scores.conftest import CLIENT_ID, register

pytestmark = pytest.mark.database


def claims_of(assertion: str, audience: str) -> dict:
    kid = jwt.get_unverified_header(assertion)["kid"]
    [public] = [k for k in keys.jwks()["keys"] if k["kid"] == kid]
    return jwt.decode(assertion, jwt.PyJWK(public).key, algorithms=["RS256"], audience=audience)


def test_client_assertion_follows_the_security_framework(placement):
    platform = placement.platform
    first, second = tokens.client_assertion(platform), tokens.client_assertion(platform)
    claims = claims_of(first, platform.auth_token_url)
    assert claims["iss"] == claims["sub"] == CLIENT_ID
    assert 0 < claims["exp"] - claims["iat"] <= 300
    assert claims["jti"] != claims_of(second, platform.auth_token_url)["jti"]
    assert jwt.get_unverified_header(first)["alg"] == "RS256"

    platform.token_audience = "https://platform.example.org/oauth2/aud"
    assert claims_of(tokens.client_assertion(platform), platform.token_audience)["aud"] == platform.token_audience


def test_token_is_cached_per_scope_set_in_memory_and_in_the_database(placement):
    fake, platform = placement.fake, placement.platform
    token = tokens.access_token(platform, [SCOPE_SCORE, SCOPE_LINEITEM])
    assert tokens.access_token(platform, [SCOPE_LINEITEM, SCOPE_SCORE, SCOPE_SCORE]) == token
    assert fake.state.tokens_issued == 1
    assert tokens.access_token(platform, [SCOPE_SCORE]) != token  # another scope set, another token
    assert fake.state.tokens_issued == 2

    tokens._memory.clear()  # another worker process: finds it in the database
    assert tokens.access_token(platform, [SCOPE_SCORE, SCOPE_LINEITEM]) == token
    assert fake.state.tokens_issued == 2
    assert AccessTokenCache.objects.filter(platform=platform).count() == 2


def test_token_about_to_expire_is_replaced(tool_jwks, db):
    with AgsPlatform(CLIENT_ID, tool_jwks, token_lifetime=30) as fake:  # inside our refresh margin
        platform = register(fake).platform
        first = tokens.access_token(platform, [SCOPE_SCORE])
        assert tokens.access_token(platform, [SCOPE_SCORE]) != first
        assert fake.state.tokens_issued == 2


def test_a_rejected_token_is_replaced_once_even_when_many_workers_saw_it_fail(placement):
    platform = placement.platform
    old = tokens.access_token(platform, [SCOPE_SCORE])
    new = tokens.access_token(platform, [SCOPE_SCORE], reject=old)
    assert new != old
    assert tokens.access_token(platform, [SCOPE_SCORE], reject=old) == new  # a second worker with the same 401
    assert placement.fake.state.tokens_issued == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_refresh_fetches_one_token(fake_platform):
    platform = register(fake_platform).platform
    got, errors = run_in_threads([lambda: tokens.access_token(Platform.objects.get(pk=platform.pk), [SCOPE_SCORE])] * 8)
    assert errors == [] and len(set(got)) == 1 and len(got) == 8
    assert fake_platform.state.tokens_issued == 1


@pytest.mark.parametrize(("status", "body", "retryable", "said"), [
    (200, b"<html>hello</html>", False, "not a token"),
    (200, b'{"access_token": "abc", "token_type": "mac"}', False, "not a bearer token"),
    (200, b'{"access_token": "' + b"a" * 70_000 + b'"}', False, "too large"),
    (400, b'{"error": "invalid_scope"}', False, "invalid_scope"),
    (503, b"down for maintenance", True, "down for maintenance"),
])
def test_hostile_or_failing_token_answers(placement, status, body, retryable, said):
    placement.fake.fail("status", path="/token", status=status, body=body)
    with pytest.raises(tokens.TokenError) as caught:
        tokens.access_token(placement.platform, [SCOPE_SCORE])
    assert caught.value.retryable is retryable and said in caught.value.reason
    assert not AccessTokenCache.objects.exclude(token="").exists()


def test_unreachable_token_endpoint_is_retryable(placement):
    placement.platform.auth_token_url = "http://127.0.0.1:9/token"
    with pytest.raises(tokens.TokenError) as caught:
        tokens.access_token(placement.platform, [SCOPE_SCORE])
    assert caught.value.retryable


def test_the_test_platform_really_verifies_assertions(placement):
    """The fake refuses what a real platform refuses: a forged signature, another audience, a replayed jti."""
    import time

    import requests
    from cryptography.hazmat.primitives.asymmetric import rsa

    fake, platform = placement.fake, placement.platform
    kid = jwt.get_unverified_header(tokens.client_assertion(platform))["kid"]
    now = int(time.time())
    claims = {"iss": CLIENT_ID, "sub": CLIENT_ID, "aud": fake.token_url, "iat": now, "exp": now + 60, "jti": "j-1"}
    forged = jwt.encode(claims, rsa.generate_private_key(public_exponent=65537, key_size=2048), algorithm="RS256",
                        headers={"kid": kid})
    wrong_audience = keys.signing_key().sign({**claims, "aud": "https://elsewhere.example.org/token"})
    good = tokens.client_assertion(platform)

    def ask(assertion):
        return requests.post(fake.token_url, timeout=5, data={
            "grant_type": "client_credentials", "client_assertion_type": tokens.ASSERTION_TYPE,
            "client_assertion": assertion, "scope": SCOPE_SCORE})

    assert ask(forged).status_code == 401 and ask(wrong_audience).status_code == 401
    assert ask(good).status_code == 200
    assert ask(good).status_code == 401  # the same jti twice
    assert fake.state.tokens_issued == 1
