"""LTI 1.3 launch validation per launch, against pylti1p3 validating the same signed launch in the same run.

Both sides have the platform registered and its key set at hand (no HTTP): pylti1p3 with a ``ToolConfDict``
holding the JWKS and a session kept in memory (state and nonce pre-approved, as its ``SessionService`` would find
them); ours with the registration and parsed key cached in the process, as after the first launch. Each figure
is the time for ``BENCH_LAUNCHES`` validations, best of 5. Target: ours at most 0.5x pylti1p3.

A second, informational line adds what ours does besides: claiming the login state and nonce in the database
(single use across workers), which pylti1p3 keeps in the browser session instead.
"""
from __future__ import annotations

import json
import os
import secrets
import sys
import time
from datetime import timedelta

LAUNCHES = int(os.environ.get("BENCH_LAUNCHES", "2000"))
ISSUER = "https://lms.bench.example"
CLIENT_ID = "bench-client"
DEPLOYMENT = "bench-deployment"


def _platform_key():
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    jwk.update({"kid": "bench-key", "alg": "RS256", "use": "sig"})
    return private, jwk


def _id_token(private, nonce: str) -> str:
    import jwt

    lti = "https://purl.imsglobal.org/spec/lti/claim/"
    now = int(time.time())
    claims = {
        "iss": ISSUER, "aud": CLIENT_ID, "sub": "learner-1", "iat": now, "exp": now + 3600, "nonce": nonce,
        "name": "Ada Learner", "email": "ada@example.org",
        lti + "version": "1.3.0", lti + "message_type": "LtiResourceLinkRequest", lti + "deployment_id": DEPLOYMENT,
        lti + "target_link_uri": "https://tool.example/lti/launch",
        lti + "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
        lti + "resource_link": {"id": "link-1", "title": "Module"},
        lti + "context": {"id": "course-1", "title": "Caregiving 101"},
        lti + "custom": {"module_id": "caregiver-role"},
        "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
            "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"],
            "lineitems": "https://lms.bench.example/lineitems"},
    }
    return jwt.encode(claims, private, algorithm="RS256", headers={"kid": "bench-key"})


def _pylti1p3_validator(jwk: dict, token: str):
    from pylti1p3.cookie import CookieService
    from pylti1p3.message_launch import MessageLaunch
    from pylti1p3.request import Request
    from pylti1p3.session import SessionService
    from pylti1p3.tool_config import ToolConfDict

    config = ToolConfDict({ISSUER: [{
        "default": True, "client_id": CLIENT_ID, "auth_login_url": f"{ISSUER}/auth",
        "auth_token_url": f"{ISSUER}/token", "key_set": {"keys": [jwk]}, "deployment_ids": [DEPLOYMENT]}]})

    class BenchRequest(Request):
        def __init__(self, params: dict) -> None:
            self.params, self._session = params, {}

        @property
        def session(self):
            return self._session

        def is_secure(self) -> bool:
            return True

        def get_param(self, key: str) -> str:
            return self.params.get(key)

    class NoCookies(CookieService):
        def get_cookie(self, name):
            return None

        def set_cookie(self, name, value, exp=3600):
            pass

    class Launch(MessageLaunch):
        def _get_request_param(self, key: str) -> str:
            return self._request.get_param(key)

    import hashlib

    token_hash = hashlib.md5(token.encode()).hexdigest()  # noqa: S324 - pylti1p3's own state binding
    nonce = json.loads(__import__("base64").urlsafe_b64decode(token.split(".")[1] + "==="))["nonce"]

    def validate() -> None:
        request = BenchRequest({"id_token": token, "state": "bench-state"})
        session = SessionService(request)
        session.set_state_valid("bench-state", token_hash)
        session.save_nonce(nonce)
        Launch(request, config, session_service=session, cookie_service=NoCookies()).validate()

    return validate


def _ours(jwk: dict):
    from django.utils import timezone

    from lti_bridge.launch import validate_id_token
    from lti_bridge.models import Deployment, LoginState, Platform

    platform = Platform.objects.create(name="Bench LMS", issuer=ISSUER, client_id=CLIENT_ID,
                                       auth_login_url=f"{ISSUER}/auth", auth_token_url=f"{ISSUER}/token",
                                       key_set_url=f"{ISSUER}/jwks", key_set_cache={"keys": [jwk]},
                                       key_set_fetched_at=timezone.now())
    Deployment.objects.create(platform=platform, deployment_id=DEPLOYMENT)

    def login_state(nonce: str) -> str:
        state = secrets.token_urlsafe(32)
        LoginState.objects.create(state=state, nonce=nonce, platform=platform, browser_binding="x",
                                  expires_at=timezone.now() + timedelta(minutes=10))
        return state

    return validate_id_token, login_state


def main() -> int:
    from bench.common import best_of, fresh_database, setup_django

    setup_django(fresh_database("sqlite", "lti_launch"))
    from lti_bridge import oidc

    private, jwk = _platform_key()
    token = _id_token(private, "bench-nonce")
    validate_ours, login_state = _ours(jwk)
    validate_theirs = _pylti1p3_validator(jwk, token)
    validate_ours(token)  # warm: registration and parsed key cached, as after a first launch
    validate_theirs()

    ours = best_of(lambda: [validate_ours(token) for _ in range(LAUNCHES)])
    theirs = best_of(lambda: [validate_theirs() for _ in range(LAUNCHES)])
    print(f"launch validation: {ours / theirs:.2f}x pylti1p3 (ours {ours / LAUNCHES * 1e6:.0f} us/launch, "
          f"pylti1p3 {theirs / LAUNCHES * 1e6:.0f} us/launch, {LAUNCHES} launches; target at most 0.50x)")

    count = max(1, LAUNCHES // 4)
    launches = []
    for _ in range(count):
        nonce = secrets.token_urlsafe(16)
        launches.append((_id_token(private, nonce), login_state(nonce)))

    class NoCookie(dict):
        pass

    start = time.perf_counter()
    for signed, state in launches:
        launch = validate_ours(signed)
        oidc.finish_login(state, cookies=NoCookie(), platform=launch.platform, nonce=launch.nonce)
    full = time.perf_counter() - start
    print(f"with single-use state and nonce claimed in SQLite: {full / count / (theirs / LAUNCHES):.2f}x pylti1p3 "
          f"(ours {full / count * 1e6:.0f} us/launch over {count} launches; informational)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
