"""A partner platform's grade services on 127.0.0.1, for the score side of the LTI bridge.

Real HTTP (a threaded ``http.server`` speaking keep-alive HTTP/1.1) with:

- ``POST /token``: OAuth 2.0 client credentials with a JWT client assertion (1EdTech Security
  Framework), VERIFIED with joserfc against the tool's JWKS: signature, ``iss``/``sub`` = client id,
  ``aud`` = token URL, ``exp``, ``iat``, single-use ``jti``. Grants the requested scopes it allows.
- AGS 2.0 ``GET``/``POST /<context>/lineitems`` and ``POST <line item>/scores``: bearer token and
  scope checked, media types checked, every score received is recorded. Line item URLs carry a
  query string (as Moodle's do) so a naive ``+ "/scores"`` join fails. A result is kept per
  (line item, user); a score whose ``timestamp`` is already held is a resend and changes nothing.
- ``POST /outcomes``: LTI 1.1 Basic Outcomes, the OAuth 1.0a signature and the body hash VERIFIED
  (oauthlib), ``replaceResult`` stored per ``sourcedId``.

Faults (:meth:`AgsPlatform.fail`), each for the next ``times`` matching requests: ``"500"``,
``"429"`` (with ``Retry-After``), ``"stall"`` (sleep, then carry on: the client has timed out),
``"drop"`` (scores and outcomes only: store, then close the connection without answering), ``"401"`` (as if the
token had expired), ``"status"`` (any status and body, e.g. a 400 or an XXE document).
``on_score``, when set, is called with each valid score the platform receives, in its request's thread, before
the score is stored and answered (a test looks at the tool's database at that moment).
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs, parse_qsl, unquote, urlsplit

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from lxml import etree
from oauthlib.oauth1 import RequestValidator, SignatureOnlyEndpoint

from tests.fakes.http import FakeHandler

SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCOPE_RESULT_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
ALL_SCOPES = {SCOPE_SCORE, SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY, SCOPE_RESULT_READONLY}
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
CONTAINER_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
POX_NS = "http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0"
ACTIVITY = {"Initialized", "Started", "InProgress", "Submitted", "Completed"}
GRADING = {"FullyGraded", "Pending", "PendingManual", "Failed", "NotReady"}
EXPIRED = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


@dataclass
class Fault:
    kind: str
    path: str  # regex on the request path
    times: int
    retry_after: str | None = None
    seconds: float = 0.0
    status: int = 400
    body: bytes = b""
    content_type: str = "application/json"
    method: str | None = None  # only requests of this method (None: any)


@dataclass
class Received:
    """A score POST as the platform saw it."""

    lineitem: str
    score: dict
    answered: int = 0  # the status we answered (0: connection dropped)
    user_agent: str = ""


@dataclass
class State:
    tokens: dict[str, dict] = field(default_factory=dict)  # token -> {"scopes", "expires"}
    tokens_issued: int = 0
    token_refusals: list[str] = field(default_factory=list)
    jtis: set[str] = field(default_factory=set)
    lineitems: dict[str, dict] = field(default_factory=dict)  # id URL -> line item
    received: list[Received] = field(default_factory=list)
    results: dict[tuple[str, str], dict] = field(default_factory=dict)  # (line item, userId) -> latest score
    stored: Counter = field(default_factory=Counter)  # (line item, userId, timestamp) -> times stored
    accepted: Counter = field(default_factory=Counter)  # (line item, userId, timestamp) -> 2xx answers
    foreign_tokens: int = 0
    outcomes: dict[str, str] = field(default_factory=dict)  # sourcedId -> score
    outcome_posts: int = 0
    outcome_refusals: list[str] = field(default_factory=list)


class AgsPlatform:
    """Start with ``with AgsPlatform(client_id, jwks) as platform:``; ``jwks`` is the tool's key set (or a callable)."""

    def __init__(self, client_id: str, jwks: dict | Callable[[], dict], *, token_lifetime: int = 3600,
                 allowed_scopes: set[str] | None = None, lti11: dict[str, str] | None = None,
                 contexts: tuple[str, ...] = ("course-1",)):
        self.client_id = client_id
        self._jwks = jwks
        self.token_lifetime = token_lifetime
        self.allowed_scopes = allowed_scopes if allowed_scopes is not None else set(ALL_SCOPES)
        self.lti11 = dict(lti11 or {})  # consumer key -> secret
        self.contexts = contexts
        self.state = State()
        self.faults: list[Fault] = []
        self.on_score: Callable[[dict], None] | None = None  # called with each valid score POST, before it is stored
        self.lock = threading.RLock()
        self.server = _Server(("127.0.0.1", 0), _handler_class(self))
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> AgsPlatform:
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> AgsPlatform:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- what tests use --------------------------------------------------------------------------
    @property
    def token_url(self) -> str:
        return f"{self.base}/token"

    @property
    def outcomes_url(self) -> str:
        return f"{self.base}/outcomes"

    def lineitems_url(self, context: str = "course-1") -> str:
        return f"{self.base}/{context}/lineitems"

    def add_lineitem(self, context: str = "course-1", **item) -> str:
        """A line item the platform already has (as deep linking would create); returns its id URL."""
        with self.lock:
            return self._create_lineitem(context, item)["id"]

    def fail(self, kind: str, *, path: str = r"/scores$", times: int = 1, retry_after: str | None = None,
             seconds: float = 0.0, status: int = 400, body: bytes | str = b"",
             content_type: str = "application/json", method: str | None = None) -> None:
        with self.lock:
            self.faults.append(Fault(kind, path, times, retry_after, seconds, status,
                                     body.encode() if isinstance(body, str) else body, content_type, method))

    def expire_tokens(self) -> None:
        with self.lock:
            self.state.tokens.clear()

    def scores_for(self, user_id: str) -> list[dict]:
        with self.lock:
            return [r.score for r in self.state.received if r.score.get("userId") == user_id]

    def assert_each_score_once(self) -> None:
        """Every distinct score was stored once and answered with success at most once (never re-sent after)."""
        with self.lock:
            assert all(n == 1 for n in self.state.stored.values()), self.state.stored
            assert all(n <= 1 for n in self.state.accepted.values()), self.state.accepted

    # -- internals -------------------------------------------------------------------------------
    def jwks(self) -> dict:
        return self._jwks() if callable(self._jwks) else self._jwks

    def take_fault(self, path: str, method: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.times > 0 and re.search(fault.path, path) and fault.method in (None, method):
                    fault.times -= 1
                    return fault
        return None

    def _create_lineitem(self, context: str, item: dict) -> dict:
        number = len(self.state.lineitems) + 1
        item = {**item, "id": f"{self.base}/{context}/lineitems/{number}/lineitem?type_id={number}"}
        self.state.lineitems[item["id"]] = item
        return item


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def handle_error(self, request, client_address) -> None:  # a client that hung up (timeouts, faults): quiet
        pass


def _handler_class(platform: AgsPlatform):
    class Handler(_Handler):
        pass

    Handler.platform = platform
    return Handler


class _Handler(FakeHandler):
    platform: AgsPlatform

    # -- plumbing --------------------------------------------------------------------------------
    def _apply_fault(self, path: str) -> Fault | None:
        """Answer for a pending fault; returns a fault to finish after the work (drop), or None."""
        fault = self.platform.take_fault(path, self.command)
        if fault is None:
            return None
        if fault.kind == "stall":
            time.sleep(fault.seconds)
            return None
        if fault.kind == "drop":
            return fault
        self._fault_answer(fault)
        return fault

    def _fault_answer(self, fault: Fault) -> None:
        if fault.kind == "500":
            self._send(500, b'{"error": "internal error"}')
        elif fault.kind == "429":
            self._send(429, b'{"error": "slow down"}', headers={"Retry-After": fault.retry_after or "1"})
        elif fault.kind == "401":
            self._send(401, b'{"error": "invalid_token"}', headers=EXPIRED)
        else:
            self._send(fault.status, fault.body, fault.content_type)

    def _bearer(self, *needed: str) -> bool:
        """Check the bearer token carries one of ``needed``; answers 401/403 itself when not."""
        auth = self.headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else ""
        with self.platform.lock:
            granted = self.platform.state.tokens.get(token)
            if granted is None or granted["expires"] < time.time():
                if token and token.startswith("tok-") and not token.startswith(f"tok-{id(self.platform)}-"):
                    self.platform.state.foreign_tokens += 1
                self._send(401, b'{"error": "invalid_token"}', headers=EXPIRED)
                return False
        if not granted["scopes"] & set(needed):
            self._send(403, b'{"error": "insufficient_scope"}')
            return False
        return True

    # -- routes ----------------------------------------------------------------------------------
    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path == "/_stats":  # for a parent process (the benchmark)
            with self.platform.lock:
                state = self.platform.state
                return self._send(200, {"tokens_issued": state.tokens_issued, "received": len(state.received),
                                        "stored": sum(state.stored.values()), "results": len(state.results),
                                        "max_stored": max(state.stored.values(), default=0),
                                        "max_accepted": max(state.accepted.values(), default=0)})
        match = re.fullmatch(r"/([\w-]+)/lineitems", parts.path)
        if not match or match.group(1) not in self.platform.contexts:
            return self._send(404, b'{"error": "not found"}')
        if self._apply_fault(parts.path):
            return None
        if not self._bearer(SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY):
            return None
        query = parse_qs(parts.query)
        with self.platform.lock:
            items = [i for i in self.platform.state.lineitems.values()
                     if f"/{match.group(1)}/" in i["id"]
                     and ("resource_id" not in query or i.get("resourceId") == query["resource_id"][0])]
        return self._send(200, items, CONTAINER_TYPE)

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        body = self._body()
        if parts.path == "/token":
            return self._token(body)
        if parts.path == "/outcomes":
            return self._outcome(body)
        match = re.fullmatch(r"/([\w-]+)/lineitems", parts.path)
        if match and match.group(1) in self.platform.contexts:
            return self._new_lineitem(match.group(1), body)
        match = re.fullmatch(r"/([\w-]+)/lineitems/(\d+)/lineitem/scores", parts.path)
        if match:
            return self._score(match, parts.query, body)
        return self._send(404, b'{"error": "not found"}')

    def _token(self, body: bytes) -> None:
        platform = self.platform
        if self._apply_fault("/token"):
            return None
        form = dict(parse_qsl(body.decode("utf-8", "replace")))

        def refuse(why: str) -> None:
            with platform.lock:
                platform.state.token_refusals.append(why)
            self._send(400 if why != "invalid_client" else 401, {"error": why})

        if form.get("grant_type") != "client_credentials" or form.get("client_assertion_type") != ASSERTION_TYPE:
            return refuse("unsupported_grant_type")
        try:
            token = jwt.decode(form.get("client_assertion", ""), KeySet.import_key_set(platform.jwks()),
                               algorithms=["RS256"])
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": platform.client_id},
                sub={"essential": True, "value": platform.client_id},
                aud={"essential": True, "value": platform.token_url},
                exp={"essential": True}, iat={"essential": True}, jti={"essential": True},
            ).validate(token.claims)
        except (JoseError, ValueError, TypeError):
            return refuse("invalid_client")
        if token.claims["exp"] - token.claims["iat"] > 3600:
            return refuse("invalid_client")
        scopes = set(form.get("scope", "").split())
        granted = scopes & platform.allowed_scopes
        if not granted:
            return refuse("invalid_scope")
        with platform.lock:
            if token.claims["jti"] in platform.state.jtis:
                return refuse("invalid_client")  # a replayed assertion
            platform.state.jtis.add(token.claims["jti"])
            access = f"tok-{id(platform)}-{secrets.token_urlsafe(16)}"
            platform.state.tokens[access] = {"scopes": granted, "expires": time.time() + platform.token_lifetime}
            platform.state.tokens_issued += 1
        return self._send(200, {"access_token": access, "token_type": "Bearer", "expires_in": platform.token_lifetime,
                                "scope": " ".join(sorted(granted))})

    def _new_lineitem(self, context: str, body: bytes) -> None:
        if self._apply_fault(f"/{context}/lineitems"):
            return None
        if not self._bearer(SCOPE_LINEITEM):
            return None
        if self.headers.get("Content-Type", "").split(";")[0] != LINEITEM_TYPE:
            return self._send(415, b'{"error": "line item media type expected"}')
        try:
            item = json.loads(body)
            assert isinstance(item, dict) and item.get("label") and float(item["scoreMaximum"]) > 0
        except (ValueError, KeyError, AssertionError, TypeError):
            return self._send(400, b'{"error": "invalid line item"}')
        with self.platform.lock:
            created = self.platform._create_lineitem(context, item)
        return self._send(201, created, LINEITEM_TYPE)

    def _score(self, match: re.Match, query: str, body: bytes) -> None:
        platform = self.platform
        lineitem = f"{platform.base}/{match.group(1)}/lineitems/{match.group(2)}/lineitem?type_id={match.group(2)}"
        if parse_qs(query).get("type_id") != [match.group(2)] or lineitem not in platform.state.lineitems:
            return self._send(404, b'{"error": "no such line item"}')
        fault = self._apply_fault(urlsplit(self.path).path)
        if fault is not None and fault.kind != "drop":
            return None
        if not self._bearer(SCOPE_SCORE):
            return None
        if self.headers.get("Content-Type", "").split(";")[0] != SCORE_TYPE:
            return self._send(415, b'{"error": "score media type expected"}')
        try:
            score = json.loads(body)
            _check_score(score)
        except (ValueError, AssertionError, TypeError, KeyError) as exc:
            return self._send(400, {"error": f"invalid score: {exc}"})
        if platform.on_score is not None:
            platform.on_score(score)
        with platform.lock:
            received = Received(lineitem, score, user_agent=self.headers.get("User-Agent", ""))
            platform.state.received.append(received)
            key = (lineitem, score["userId"], score["timestamp"])
            held = platform.state.results.get(key[:2])
            if held is None or _when(held["timestamp"]) < _when(score["timestamp"]):
                platform.state.results[key[:2]] = score
                platform.state.stored[key] += 1
        if fault is not None:  # stored, but the answer never leaves
            return self._drop()
        with platform.lock:
            received.answered = 200
            platform.state.accepted[key] += 1
        return self._send(200, b"{}")

    def _outcome(self, body: bytes) -> None:
        platform = self.platform
        with platform.lock:
            platform.state.outcome_posts += 1

        def refuse(why: str, status: int = 401) -> None:
            with platform.lock:
                platform.state.outcome_refusals.append(why)
            self._send(status, why.encode(), "text/plain")

        auth = self.headers.get("Authorization", "")
        params = dict(re.findall(r'(\w+)="([^"]*)"', auth)) if auth.startswith("OAuth ") else {}
        params = {k: unquote(v) for k, v in params.items()}
        expected = base64.b64encode(hashlib.sha1(body).digest()).decode()  # noqa: S324 (the spec's hash)
        if params.get("oauth_body_hash") != expected:
            return refuse("body hash mismatch")
        secret = platform.lti11.get(params.get("oauth_consumer_key", ""))
        if secret is None:
            return refuse("unknown consumer")
        valid, _ = SignatureOnlyEndpoint(_PoxValidator(params["oauth_consumer_key"], secret)).validate_request(
            platform.outcomes_url, http_method="POST", body=body.decode("utf-8"),
            headers={"Authorization": auth, "Content-Type": self.headers.get("Content-Type", "")})
        if not valid:
            return refuse("signature mismatch")
        fault = self._apply_fault("/outcomes")
        if fault is not None and fault.kind != "drop":
            return None
        try:
            root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
            ns = {"x": POX_NS}
            sourcedid = root.xpath("string(//x:replaceResultRequest//x:sourcedId)", namespaces=ns)
            score = root.xpath("string(//x:replaceResultRequest//x:resultScore/x:textString)", namespaces=ns)
            message_id = root.xpath("string(//x:imsx_messageIdentifier)", namespaces=ns)
            assert sourcedid and 0.0 <= float(score) <= 1.0
        except (etree.XMLSyntaxError, ValueError, AssertionError):
            return refuse("bad replaceResult", 400)
        with platform.lock:
            platform.state.outcomes[sourcedid] = score
        if fault is not None:
            return self._drop()
        return self._send(200, _pox_answer("success", message_id), "application/xml")


class _PoxValidator(RequestValidator):
    enforce_ssl = False
    dummy_client = "dummy"

    def __init__(self, key: str, secret: str):
        super().__init__()
        self.key, self.secret = key, secret

    def check_client_key(self, client_key) -> bool:
        return bool(client_key)

    def check_nonce(self, nonce) -> bool:
        return bool(nonce)

    def validate_client_key(self, client_key, request) -> bool:
        return client_key == self.key

    def validate_timestamp_and_nonce(self, *args, **kwargs) -> bool:
        return True

    def get_client_secret(self, client_key, request) -> str:
        return self.secret


def _pox_answer(major: str, message_id: str, description: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<imsx_POXEnvelopeResponse xmlns="{POX_NS}"><imsx_POXHeader>'
            f"<imsx_POXResponseHeaderInfo><imsx_version>V1.0</imsx_version>"
            f"<imsx_messageIdentifier>{secrets.token_hex(4)}</imsx_messageIdentifier><imsx_statusInfo>"
            f"<imsx_codeMajor>{major}</imsx_codeMajor><imsx_severity>status</imsx_severity>"
            f"<imsx_description>{description}</imsx_description>"
            f"<imsx_messageRefIdentifier>{message_id}</imsx_messageRefIdentifier>"
            f"<imsx_operationRefIdentifier>replaceResult</imsx_operationRefIdentifier></imsx_statusInfo>"
            f"</imsx_POXResponseHeaderInfo></imsx_POXHeader><imsx_POXBody><replaceResultResponse/></imsx_POXBody>"
            f"</imsx_POXEnvelopeResponse>").encode()


def pox_answer(major: str, description: str = "") -> bytes:
    """A Basic Outcomes answer with ``imsx_codeMajor`` = ``major`` (for fault bodies in tests)."""
    return _pox_answer(major, "1", description)


def _when(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00"))


def _check_score(score: dict) -> None:
    assert isinstance(score, dict), "not an object"
    assert isinstance(score["userId"], str) and score["userId"], "userId"
    _when(score["timestamp"])
    assert score["activityProgress"] in ACTIVITY, "activityProgress"
    assert score["gradingProgress"] in GRADING, "gradingProgress"
    if "scoreGiven" in score:
        assert float(score["scoreGiven"]) >= 0 and float(score["scoreMaximum"]) > 0, "scoreGiven/scoreMaximum"


def serve() -> None:
    """``python -m tests.fakes.lti_platform_ags CLIENT_ID JWKS_JSON MODULE_ID``: serve until stdin closes.

    Prints one JSON line: the base URL, token URL and a line item for ``MODULE_ID`` (for benchmarks,
    which run the platform in its own process so it does not share our interpreter).
    """
    client_id, jwks, module_id = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
    with AgsPlatform(client_id, jwks) as platform:
        lineitem = platform.add_lineitem(label="Benchmark", scoreMaximum=100, resourceId=module_id)
        print(json.dumps({"base": platform.base, "token_url": platform.token_url, "lineitem": lineitem,
                          "lineitems": platform.lineitems_url()}), flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    serve()
