"""A test LTI 1.3 platform: a real HTTP server on 127.0.0.1 that signs with PyJWT.

It publishes a JWKS (counting fetches), answers OIDC authentication requests by posting a signed id_token
(valid, or one of the invalid variants the certification suite uses) back to the tool, receives deep-linking
responses and verifies them against the tool's JWKS, serves NRPS memberships behind a bearer token, issues
tokens for client assertions, and plays the platform side of LTI Dynamic Registration.

Extend it by adding routes: ``platform.route("POST", "/lineitems", handler)`` where ``handler(request)``
returns :class:`Answer` (see ``tests/fakes/README.md``).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
REMOVE = object()  # an override value that deletes the claim

#: Signature-level faults :meth:`FakePlatform.id_token` can produce (claim faults are plain overrides).
VARIANTS = ("valid", "bad_signature", "wrong_kid", "no_kid", "alg_none", "hs256_public")


@dataclass
class Request:
    method: str
    path: str
    query: dict
    headers: dict
    body: bytes

    @property
    def form(self) -> dict:
        return {k: v[0] for k, v in parse_qs(self.body.decode("utf-8", "replace")).items()}

    def json(self):
        return json.loads(self.body or b"null")


@dataclass
class Answer:
    status: int = 200
    body: bytes | str | dict | list = b""
    headers: dict = field(default_factory=dict)

    def encoded(self) -> tuple[bytes, str]:
        if isinstance(self.body, (dict, list)):
            return json.dumps(self.body).encode(), "application/json"
        if isinstance(self.body, str):
            return self.body.encode(), "text/html; charset=utf-8"
        return self.body, "application/octet-stream"


@dataclass
class Key:
    kid: str
    private: rsa.RSAPrivateKey

    @classmethod
    def new(cls) -> Key:
        return cls(uuid.uuid4().hex[:12], rsa.generate_private_key(public_exponent=65537, key_size=2048))

    def jwk(self) -> dict:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key()))
        return {**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}

    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(serialization.Encoding.PEM,
                                                      serialization.PublicFormat.SubjectPublicKeyInfo)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _handler_class(platform: FakePlatform):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet
            pass

        def _serve(self) -> None:
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = Request(self.command, split.path, {k: v[0] for k, v in parse_qs(split.query).items()},
                              {k.lower(): v for k, v in self.headers.items()}, body)
            platform.requests.append(request)
            answer = platform.dispatch(request)
            data, content_type = answer.encoded()
            self.send_response(answer.status)
            headers = {"Content-Type": content_type, **answer.headers, "Content-Length": str(len(data))}
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _serve

    return Handler


class FakePlatform:
    """One platform (issuer) with one client id and deployment, on its own port."""

    def __init__(self, *, client_id: str = "tool-client-1", deployment_id: str = "deployment-1",
                 name: str = "Fake LMS") -> None:
        self.client_id, self.deployment_id, self.name = client_id, deployment_id, name
        self.keys = [Key.new()]
        self.stray_key = Key.new()  # never published: for wrong-kid and bad-signature variants
        self.jwks_fetches = 0
        self.requests: list[Request] = []
        self.plans: dict[str, dict] = {}  # login_hint -> {"overrides", "variant"}
        self.deep_link_responses: list[dict] = []
        self.memberships: dict[str, list[dict]] = {}
        self.tokens: dict[str, set[str]] = {}  # access token -> scopes
        self.registrations: list[dict] = []
        self.registration_token = secrets.token_urlsafe(16)
        self.tool_jwks_url = ""  # set by tests (the tool's /lti/jwks) to verify what the tool signs
        self.nrps_page_size = 50
        self._routes: list[tuple[str, re.Pattern, object]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self))
        self._server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.issuer = self.base
        for method, path, handler in [
            ("GET", "/jwks", self._jwks), ("GET", "/auth", self._auth), ("POST", "/auth", self._auth),
            ("POST", "/deep-link-return", self._deep_link_return), ("GET", r"/nrps/(?P<context>[^/]+)", self._nrps),
            ("POST", "/token", self._token), ("GET", "/.well-known/openid-configuration", self._openid_config),
            ("POST", "/register", self._register),
        ]:
            self.route(method, path, handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # --- server ---------------------------------------------------------------------------------------------
    def start(self) -> FakePlatform:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def route(self, method: str, path: str, handler) -> None:
        """Add (or replace) a route; ``path`` is a regular expression matched against the whole path."""
        self._routes = [r for r in self._routes if not (r[0] == method and r[1].pattern == f"^{path}$")]
        self._routes.insert(0, (method, re.compile(f"^{path}$"), handler))

    def dispatch(self, request: Request) -> Answer:
        for method, pattern, handler in self._routes:
            match = pattern.match(request.path)
            if method == request.method and match:
                return handler(request, **match.groupdict())
        return Answer(404, {"error": "no such route"})

    # --- URLs a tool registers ------------------------------------------------------------------------------
    @property
    def auth_url(self) -> str:
        return self.base + "/auth"

    @property
    def token_url(self) -> str:
        return self.base + "/token"

    @property
    def jwks_url(self) -> str:
        return self.base + "/jwks"

    def registration(self) -> dict:
        """Arguments for ``lti_bridge`` registration (CLI ``platform add`` options)."""
        return {"name": self.name, "issuer": self.issuer, "client_id": self.client_id,
                "auth_login_url": self.auth_url, "auth_token_url": self.token_url, "key_set_url": self.jwks_url,
                "deployment_ids": [self.deployment_id]}

    # --- keys -----------------------------------------------------------------------------------------------
    @property
    def key(self) -> Key:
        return self.keys[-1]

    def rotate(self, keep_old: bool = False) -> Key:
        new = Key.new()
        self.keys = (self.keys if keep_old else []) + [new]
        return new

    def _jwks(self, request: Request) -> Answer:
        self.jwks_fetches += 1
        return Answer(200, {"keys": [k.jwk() for k in self.keys]})

    # --- id_tokens ------------------------------------------------------------------------------------------
    def claims(self, *, sub: str = "learner-1", roles: list[str] | None = None, nonce: str = "n",
               message_type: str = "LtiResourceLinkRequest", target_link_uri: str = "https://tool.example/lti/launch",
               context_id: str = "course-1", resource_link_id: str = "link-1") -> dict:
        now = int(time.time())
        claims = {
            "iss": self.issuer, "aud": self.client_id, "sub": sub, "iat": now, "exp": now + 300, "nonce": nonce,
            "name": f"User {sub}", "email": f"{sub}@example.org",
            LTI + "version": "1.3.0", LTI + "message_type": message_type,
            LTI + "deployment_id": self.deployment_id, LTI + "target_link_uri": target_link_uri,
            LTI + "roles": roles if roles is not None else [LEARNER],
            LTI + "context": {"id": context_id, "label": "CARE101", "title": "Caregiving 101",
                              "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"]},
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": f"{self.base}/nrps/{context_id}", "service_versions": ["2.0"]},
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                          "https://purl.imsglobal.org/spec/lti-ags/scope/score"],
                "lineitems": f"{self.base}/{context_id}/lineitems",
                "lineitem": f"{self.base}/{context_id}/lineitems/{resource_link_id}"},
        }
        if message_type == "LtiResourceLinkRequest":
            claims[LTI + "resource_link"] = {"id": resource_link_id, "title": "Module link"}
        else:
            claims[DL + "deep_linking_settings"] = {
                "deep_link_return_url": f"{self.base}/deep-link-return",
                "accept_types": ["ltiResourceLink"], "accept_presentation_document_targets": ["iframe", "window"],
                "accept_multiple": True, "accept_lineitem": True, "data": "opaque-data-123"}
        return claims

    def id_token(self, claims: dict, variant: str = "valid", overrides: dict | None = None) -> str:
        """Sign ``claims`` (with ``overrides`` applied; :data:`REMOVE` deletes) as the platform would, or not."""
        payload = dict(claims)
        for name, value in (overrides or {}).items():
            if value is REMOVE:
                payload.pop(name, None)
            else:
                payload[name] = value
        if variant == "valid":
            return jwt.encode(payload, self.key.private, algorithm="RS256", headers={"kid": self.key.kid})
        if variant == "bad_signature":
            return jwt.encode(payload, self.stray_key.private, algorithm="RS256", headers={"kid": self.key.kid})
        if variant == "wrong_kid":
            return jwt.encode(payload, self.stray_key.private, algorithm="RS256", headers={"kid": self.stray_key.kid})
        if variant == "no_kid":
            return jwt.encode(payload, self.key.private, algorithm="RS256")
        body = _b64(json.dumps(payload).encode())
        if variant == "alg_none":
            return _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode()) + "." + body + "."
        if variant == "hs256_public":
            head = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": self.key.kid}).encode())
            mac = hmac.new(self.key.public_pem(), f"{head}.{body}".encode(), hashlib.sha256).digest()
            return f"{head}.{body}.{_b64(mac)}"
        raise ValueError(f"unknown variant {variant!r}")

    def plan(self, login_hint: str, *, variant: str = "valid", overrides: dict | None = None, **claim_args) -> None:
        """What the next authentication request for ``login_hint`` answers with."""
        self.plans[login_hint] = {"variant": variant, "overrides": overrides or {}, "claims": claim_args}

    def _auth(self, request: Request) -> Answer:
        params = request.query if request.method == "GET" else request.form
        required = {"scope": "openid", "response_type": "id_token", "response_mode": "form_post",
                    "prompt": "none", "client_id": self.client_id}
        for name, value in required.items():
            if params.get(name) != value:
                return Answer(400, f"<p>bad authentication request: {name}={params.get(name)!r}</p>")
        hint = params.get("login_hint", "")
        plan = self.plans.get(hint, {"variant": "valid", "overrides": {}, "claims": {}})
        claims = self.claims(sub=hint, nonce=params.get("nonce", ""), target_link_uri=params.get("redirect_uri", ""),
                             **plan["claims"])
        token = self.id_token(claims, plan["variant"], plan["overrides"])
        fields = {"id_token": token, "state": params.get("state", "")}
        return Answer(200, self.form_post(params["redirect_uri"], fields))

    @staticmethod
    def form_post(url: str, fields: dict) -> str:
        inputs = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                         for k, v in fields.items())
        return (f'<form id="post" method="post" action="{html.escape(url)}">{inputs}</form>'
                '<script>document.getElementById("post").submit()</script>')

    # --- deep linking ---------------------------------------------------------------------------------------
    def _tool_key(self, kid: str):
        keys = requests.get(self.tool_jwks_url, timeout=5).json()["keys"]
        jwk = next(k for k in keys if k["kid"] == kid)
        return jwt.algorithms.RSAAlgorithm.from_jwk(jwk)

    def verify_tool_jwt(self, token: str, audience: str | None = None) -> dict:
        kid = jwt.get_unverified_header(token)["kid"]
        return jwt.decode(token, self._tool_key(kid), algorithms=["RS256"], audience=audience or self.issuer,
                          issuer=self.client_id, options={"require": ["exp", "iat", "iss", "aud"]})

    def _deep_link_return(self, request: Request) -> Answer:
        try:
            claims = self.verify_tool_jwt(request.form.get("JWT", ""))
        except Exception as exc:
            self.deep_link_responses.append({"error": f"{type(exc).__name__}: {exc}"})
            return Answer(400, f"<p>invalid deep linking response: {html.escape(str(exc))}</p>")
        self.deep_link_responses.append(claims)
        return Answer(200, "<p>content added</p>")

    # --- tokens and NRPS ------------------------------------------------------------------------------------
    def _token(self, request: Request) -> Answer:
        form = request.form
        if form.get("grant_type") != "client_credentials":
            return Answer(400, {"error": "unsupported_grant_type"})
        try:
            kid = jwt.get_unverified_header(form.get("client_assertion", ""))["kid"]
            jwt.decode(form["client_assertion"], self._tool_key(kid), algorithms=["RS256"], audience=self.token_url,
                       issuer=self.client_id)
        except Exception as exc:
            return Answer(401, {"error": "invalid_client", "error_description": str(exc)})
        token = secrets.token_urlsafe(24)
        self.tokens[token] = set(form.get("scope", "").split())
        return Answer(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600,
                            "scope": form.get("scope", "")})

    def _nrps(self, request: Request, context: str) -> Answer:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if NRPS_SCOPE not in self.tokens.get(token, set()):
            return Answer(401, {"error": "invalid token"})
        members = self.memberships.get(context, [])
        start = int(request.query.get("offset", 0))
        page = members[start:start + self.nrps_page_size]
        headers = {"Content-Type": "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"}
        if start + self.nrps_page_size < len(members):
            headers["Link"] = f'<{self.base}/nrps/{context}?offset={start + self.nrps_page_size}>; rel="next"'
        body = {"id": f"{self.base}/nrps/{context}", "context": {"id": context, "title": "Caregiving 101"},
                "members": page}
        return Answer(200, json.dumps(body).encode(), headers)

    # --- dynamic registration (platform side) ---------------------------------------------------------------
    def _openid_config(self, request: Request) -> Answer:
        return Answer(200, {
            "issuer": self.issuer, "authorization_endpoint": self.auth_url, "token_endpoint": self.token_url,
            "jwks_uri": self.jwks_url, "registration_endpoint": self.base + "/register",
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
            "id_token_signing_alg_values_supported": ["RS256"], "response_types_supported": ["id_token"],
            "scopes_supported": ["openid", NRPS_SCOPE], "subject_types_supported": ["public", "pairwise"],
            "claims_supported": ["sub", "iss", "name", "given_name", "family_name", "email"],
            "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                "product_family_code": "moodle", "version": "4.5",
                "messages_supported": [{"type": "LtiResourceLinkRequest"}, {"type": "LtiDeepLinkingRequest"}]},
        })

    def _register(self, request: Request) -> Answer:
        if request.headers.get("authorization") != f"Bearer {self.registration_token}":
            return Answer(401, {"error": "bad registration token"})
        body = request.json()
        required = ("application_type", "response_types", "grant_types", "initiate_login_uri", "redirect_uris",
                    "client_name", "jwks_uri", "token_endpoint_auth_method")
        missing = [k for k in required if k not in body]
        config = body.get("https://purl.imsglobal.org/spec/lti-tool-configuration")
        if missing or not isinstance(config, dict) or "domain" not in config or "target_link_uri" not in config:
            return Answer(400, {"error": "invalid_client_metadata", "missing": missing})
        self.registrations.append(body)
        self.tool_jwks_url = body["jwks_uri"]
        return Answer(200, {**body, "client_id": self.client_id,
                            "https://purl.imsglobal.org/spec/lti-tool-configuration": {
                                **config, "deployment_id": self.deployment_id}})
