"""A fake badge platform on 127.0.0.1 speaking enough of the Badgr v2 and Credly v1 APIs, with faults.

Badgr: ``POST /o/token`` (password and rotating refresh-token grants; a used refresh token is
refused), ``POST|GET /v2/badgeclasses/{id}/assertions`` (``allowDuplicateAwards: false`` refused
with 400, ``?recipient=``), ``DELETE /v2/assertions/{id}`` (``revocation_reason``).
Credly: ``POST|GET /v1/organizations/{org}/badges`` (duplicate: 422; ``?filter=``) and
``PUT .../badges/{id}/revoke``, HTTP Basic with the token as user name.

Faults are queued with :meth:`FakePlatform.fail` ("429" with ``Retry-After``, "500", "stall",
"drop_after_store") and apply to the next matching requests; :meth:`expire_tokens` voids every
access token. :meth:`badgr_holdings` / :meth:`credly_holdings` say what the platform holds so tests
can check every award exists exactly once and every revoked one is revoked.

It also runs as a process (``python -m tests.fakes.badge_platform --latency 0.005``), printing its
URL, with ``GET /_fake/state``, ``POST /_fake/faults`` and ``POST /_fake/reset`` for other processes.
Every request waits ``latency`` seconds (a stand-in for the network and a real platform's work),
in its own thread, so parallel clients overlap as they would against a real server.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import secrets
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from tests.fakes.http import FakeHandler

USERNAME, PASSWORD, CLIENT_ID = "issuer@college.example", "s3cret-pass", "public"
CREDLY_TOKEN, CREDLY_ORG = "credly-token-123", "org-1"
MAX_BODY = 64 * 1024


@dataclass
class Fault:
    method: str
    path: str  # a prefix of the request path
    kind: str  # "429", "500", "stall", "drop_after_store", or any other HTTP status as text
    times: int = 1
    retry_after: str | None = None
    stall_seconds: float = 3.0
    store: bool = False  # for "stall": store the write before stalling


class FakePlatform:
    """The server and what it holds. Use as a context manager or call :meth:`start` / :meth:`stop`."""

    def __init__(self, *, latency: float = 0.0, token_ttl: int = 3600, badgeclasses=("BC-badge", "BC-cert", "BC-coll"),
                 templates=("T-badge", "T-cert", "T-coll"), port: int = 0):
        self.latency, self.token_ttl = latency, token_ttl
        self.badgeclasses, self.templates = set(badgeclasses), set(templates)
        self.lock = threading.Lock()
        self.port = port
        self._server: ThreadingHTTPServer | None = None
        self.reset()

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> FakePlatform:
        handler = type("Handler", (_Handler,), {"platform": self})
        self._server = _Server(("127.0.0.1", self.port), handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakePlatform:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- state ---------------------------------------------------------------------------------
    def reset(self) -> None:
        with self.lock:
            self.access: dict[str, float] = {}
            self.refresh: dict[str, bool] = {}  # refresh token -> still valid
            self.assertions: dict[str, dict] = {}
            self.badges: dict[str, dict] = {}
            self.faults: list[Fault] = []
            self.stats: Counter = Counter()

    def fail(self, method: str, path: str, kind: str, *, times: int = 1, retry_after: str | None = None,
             stall_seconds: float = 3.0, store: bool = False) -> None:
        with self.lock:
            self.faults.append(Fault(method, path, kind, times, retry_after, stall_seconds, store))

    def expire_tokens(self) -> None:
        with self.lock:
            self.access.clear()

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.method == method and path.startswith(fault.path) and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    def badgr_holdings(self) -> Counter:
        """(badgeclass, e-mail) -> how many assertions the platform holds (revoked included)."""
        with self.lock:
            return Counter((a["badgeclass"], a["email"]) for a in self.assertions.values())

    def badgr_revoked(self) -> set[tuple[str, str]]:
        with self.lock:
            return {(a["badgeclass"], a["email"]) for a in self.assertions.values() if a["revoked"]}

    def credly_holdings(self) -> Counter:
        with self.lock:
            return Counter((b["template"], b["email"]) for b in self.badges.values())

    def credly_revoked(self) -> set[tuple[str, str]]:
        with self.lock:
            return {(b["template"], b["email"]) for b in self.badges.values() if b["state"] == "revoked"}

    def snapshot(self) -> dict:
        with self.lock:
            return {"assertions": list(self.assertions.values()), "badges": list(self.badges.values()),
                    "stats": dict(self.stats)}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def handle_error(self, request, client_address) -> None:  # a client that hung up is not news
        pass


class _Handler(FakeHandler):
    platform: FakePlatform
    max_body = MAX_BODY

    # -- plumbing ------------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        p = self.platform
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        try:
            body = self._body()
        except ValueError:
            self._send(413, {"error": "too large"})
            return
        if path.startswith("/_fake/"):
            self._admin(method, path, body)
            return
        if p.latency:
            time.sleep(p.latency)
        with p.lock:
            p.stats[f"{method} {path.split('/')[1] if '/' in path else path}"] += 1
        fault = p._take_fault(method, path)
        if fault is not None and fault.kind not in ("stall", "drop_after_store"):
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            self._send(int(fault.kind), {"error": f"injected {fault.kind}"}, headers=headers)
            return
        if fault is not None and fault.kind == "stall" and not fault.store:
            time.sleep(fault.stall_seconds)
            self._drop()
            return
        try:
            status, payload = self._route(method, path, query, body)
        except (ValueError, KeyError, TypeError) as exc:
            status, payload = 400, {"error": f"bad request: {exc}"}
        if fault is not None and fault.kind == "stall":
            time.sleep(fault.stall_seconds)
        if fault is not None and fault.kind == "drop_after_store":
            self._drop()
            return
        self._send(status, payload)

    def _admin(self, method: str, path: str, body: bytes) -> None:
        p = self.platform
        if method == "GET" and path == "/_fake/state":
            self._send(200, p.snapshot())
        elif method == "POST" and path == "/_fake/reset":
            p.reset()
            self._send(200, {"ok": True})
        elif method == "POST" and path == "/_fake/faults":
            spec = json.loads(body or b"{}")
            p.fail(spec["method"], spec["path"], str(spec["kind"]), times=int(spec.get("times", 1)),
                   retry_after=spec.get("retry_after"), stall_seconds=float(spec.get("stall_seconds", 3.0)),
                   store=bool(spec.get("store", False)))
            self._send(200, {"ok": True})
        elif method == "POST" and path == "/_fake/expire-tokens":
            p.expire_tokens()
            self._send(200, {"ok": True})
        else:
            self._send(404, {"error": "no such admin route"})

    # -- APIs ----------------------------------------------------------------------------------
    def _route(self, method: str, path: str, query: dict, body: bytes) -> tuple[int, dict]:
        seg = [s for s in path.split("/") if s]
        if method == "POST" and seg == ["o", "token"]:
            return self._token(body)
        if seg[:1] == ["v2"]:
            if not self._bearer_ok():
                return 401, {"detail": "Authentication credentials were not provided or have expired."}
            if len(seg) == 4 and seg[1] == "badgeclasses" and seg[3] == "assertions":
                if seg[2] not in self.platform.badgeclasses:
                    return 404, {"status": {"success": False, "description": "BadgeClass not found"}}
                if method == "POST":
                    return self._badgr_issue(seg[2], json.loads(body or b"{}"))
                if method == "GET":
                    return self._badgr_list(seg[2], query)
            if len(seg) == 3 and seg[1] == "assertions" and method == "DELETE":
                return self._badgr_revoke(seg[2], json.loads(body or b"{}"))
            return 404, {"status": {"success": False, "description": "not found"}}
        if seg[:2] == ["v1", "organizations"] and len(seg) >= 4 and seg[3] == "badges":
            if not self._basic_ok() or seg[2] != CREDLY_ORG:
                return 401, {"data": {"message": "Unauthorized"}}
            if len(seg) == 4 and method == "POST":
                return self._credly_issue(json.loads(body or b"{}"))
            if len(seg) == 4 and method == "GET":
                return self._credly_list(query)
            if len(seg) == 6 and seg[5] == "revoke" and method == "PUT":
                return self._credly_revoke(seg[4], json.loads(body or b"{}"))
        return 404, {"error": "not found"}

    def _token(self, body: bytes) -> tuple[int, dict]:
        p = self.platform
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        with p.lock:
            if form.get("grant_type") == "password":
                if (form.get("username"), form.get("password"), form.get("client_id")) != (USERNAME, PASSWORD,
                                                                                          CLIENT_ID):
                    return 400, {"error": "invalid_grant", "error_description": "Invalid credentials given."}
                p.stats["password_grants"] += 1
            elif form.get("grant_type") == "refresh_token":
                old = form.get("refresh_token", "")
                if not p.refresh.get(old):
                    p.stats["refused_refresh"] += 1
                    return 400, {"error": "invalid_grant"}
                p.refresh[old] = False  # rotation: a refresh token works once
                p.stats["refresh_grants"] += 1
            else:
                return 400, {"error": "unsupported_grant_type"}
            access, refresh = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
            p.access[access] = time.time() + p.token_ttl
            p.refresh[refresh] = True
        return 200, {"access_token": access, "token_type": "Bearer", "expires_in": p.token_ttl,
                     "refresh_token": refresh, "scope": form.get("scope", "rw:issuer")}

    def _bearer_ok(self) -> bool:
        auth = self.headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else ""
        with self.platform.lock:
            return self.platform.access.get(token, 0) > time.time()

    def _basic_ok(self) -> bool:
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Basic "):
            return False
        try:
            user = base64.b64decode(auth[6:]).decode().split(":", 1)[0]
        except (ValueError, UnicodeDecodeError):
            return False
        return user == CREDLY_TOKEN

    @staticmethod
    def _badgr_view(a: dict) -> dict:
        salt = a["salt"]
        return {"entityType": "Assertion", "entityId": a["entityId"], "badgeclass": a["badgeclass"],
                "openBadgeId": f"https://badgr.example/public/assertions/{a['entityId']}",
                "recipient": {"identity": "sha256$" + hashlib.sha256((a["email"] + salt).encode()).hexdigest(),
                              "hashed": True, "type": "email", "salt": salt},
                "issuedOn": a["issuedOn"], "revoked": a["revoked"], "revocationReason": a["revocation_reason"]}

    def _badgr_issue(self, badgeclass: str, data: dict) -> tuple[int, dict]:
        recipient = data.get("recipient") or {}
        email = str(recipient.get("identity", "")).strip().lower()
        if "@" not in email or recipient.get("type", "email") != "email":
            return 400, {"status": {"success": False, "description": "invalid"},
                         "fieldErrors": {"recipient": ["Enter a valid email address."]}}
        p = self.platform
        with p.lock:
            if data.get("allowDuplicateAwards") is False and any(
                    a["badgeclass"] == badgeclass and a["email"] == email and not a["revoked"]
                    for a in p.assertions.values()):
                return 400, {"status": {"success": False, "description": "invalid"},
                             "validationErrors": ["The recipient already has an unexpired, unrevoked assertion "
                                                  "of this badge class."]}
            entity_id = uuid.uuid4().hex[:22]
            a = {"entityId": entity_id, "badgeclass": badgeclass, "email": email, "salt": secrets.token_hex(4),
                 "issuedOn": data.get("issuedOn", ""), "revoked": False, "revocation_reason": ""}
            p.assertions[entity_id] = a
            return 201, {"status": {"success": True, "description": "ok"}, "result": [self._badgr_view(a)]}

    def _badgr_list(self, badgeclass: str, query: dict) -> tuple[int, dict]:
        recipient = (query.get("recipient") or [""])[0].strip().lower()
        include_revoked = (query.get("include_revoked") or ["false"])[0] == "true"
        with self.platform.lock:
            found = [self._badgr_view(a) for a in self.platform.assertions.values()
                     if a["badgeclass"] == badgeclass and (not recipient or a["email"] == recipient)
                     and (include_revoked or not a["revoked"])]
        return 200, {"status": {"success": True, "description": "ok"}, "result": found}

    def _badgr_revoke(self, entity_id: str, data: dict) -> tuple[int, dict]:
        reason = str(data.get("revocation_reason") or "")
        with self.platform.lock:
            a = self.platform.assertions.get(entity_id)
            if a is None:
                return 404, {"status": {"success": False, "description": "Assertion not found"}}
            if a["revoked"]:
                return 400, {"status": {"success": False, "description": "Assertion is already revoked."}}
            if not reason:
                return 400, {"status": {"success": False, "description": "revocation_reason is required"}}
            a["revoked"], a["revocation_reason"] = True, reason
        return 200, {"status": {"success": True, "description": "ok"}, "result": []}

    @staticmethod
    def _credly_view(b: dict) -> dict:
        return {"id": b["id"], "state": b["state"], "recipient_email": b["email"],
                "issued_to_first_name": b["first"], "issued_to_last_name": b["last"],
                "badge_template": {"id": b["template"]}, "issued_at": b["issued_at"],
                "revocation_reason": b["reason"]}

    def _credly_issue(self, data: dict) -> tuple[int, dict]:
        email = str(data.get("recipient_email", "")).strip().lower()
        template = str(data.get("badge_template_id", ""))
        missing = [k for k in ("recipient_email", "badge_template_id", "issued_at", "issued_to_first_name",
                               "issued_to_last_name") if not data.get(k)]
        if missing or "@" not in email:
            return 422, {"data": {"message": f"Validation failed: {', '.join(missing) or 'recipient_email'}"}}
        if template not in self.platform.templates:
            return 422, {"data": {"message": "Badge template not found"}}
        p = self.platform
        with p.lock:
            if any(b["template"] == template and b["email"] == email and b["state"] != "revoked"
                   for b in p.badges.values()):
                return 422, {"data": {"message": "User already has this badge"}}
            b = {"id": str(uuid.uuid4()), "state": "pending", "email": email, "template": template,
                 "first": data["issued_to_first_name"], "last": data["issued_to_last_name"],
                 "issued_at": data["issued_at"], "reason": ""}
            p.badges[b["id"]] = b
            return 201, {"data": self._credly_view(b)}

    def _credly_list(self, query: dict) -> tuple[int, dict]:
        terms = {}
        for part in (query.get("filter") or [""])[0].split("|"):
            key, sep, value = part.partition("::")
            if sep:
                terms[key] = value.strip().lower() if key == "recipient_email" else value
        with self.platform.lock:
            found = [self._credly_view(b) for b in self.platform.badges.values()
                     if terms.get("recipient_email", b["email"]) == b["email"]
                     and terms.get("badge_template_id", b["template"]) == b["template"]]
        return 200, {"data": found, "metadata": {"count": len(found), "current_page": 1, "total_pages": 1}}

    def _credly_revoke(self, badge_id: str, data: dict) -> tuple[int, dict]:
        with self.platform.lock:
            b = self.platform.badges.get(badge_id)
            if b is None:
                return 404, {"data": {"message": "Not found"}}
            if b["state"] == "revoked":
                return 422, {"data": {"message": "Badge is already revoked"}}
            if not data.get("reason"):
                return 422, {"data": {"message": "reason is required"}}
            b["state"], b["reason"] = "revoked", str(data["reason"])
            return 200, {"data": self._credly_view(b)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the fake badge platform until interrupted.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds every API request waits")
    parser.add_argument("--token-ttl", type=int, default=3600)
    args = parser.parse_args(argv)
    platform = FakePlatform(latency=args.latency, token_ttl=args.token_ttl, port=args.port).start()
    print(platform.url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    platform.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
