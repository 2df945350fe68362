"""Badgr / Canvas Credentials (v2 API): assertions of a badge class, issued without duplicates.

- Auth: ``POST /o/token`` password grant, then rotating refresh tokens (see :mod:`sync.backends.oauth`).
- Issue: ``POST /v2/badgeclasses/{entityId}/assertions`` with ``allowDuplicateAwards: false``.
- Look up: ``GET /v2/badgeclasses/{entityId}/assertions?recipient=EMAIL&include_revoked=true``.
- Revoke: ``DELETE /v2/assertions/{entityId}`` with ``revocation_reason``.
Answers are ``{"status": {...}, "result": [...]}``.
"""
from __future__ import annotations

import hashlib

from caregiving_course.learner_record.delivery import Permanent, RetryLater, raise_for_response
from sync.backends import http as web
from sync.backends.base import AwardInfo, IssuingBackend, RemoteAward, Setting
from sync.backends.oauth import TokenStore

DUPLICATE_HINTS = ("already", "duplicate")


class BadgrBackend(IssuingBackend):
    name = "badgr"
    title = "Badgr / Canvas Credentials (v2 API)"
    SETTINGS = (
        Setting("url", "API base URL, e.g. https://api.ca.badgr.io"),
        Setting("username", "account e-mail of the issuing user"),
        Setting("password", "that user's password", secret=True),
        Setting("client_id", "OAuth2 client id", required=False, default="public"),
        Setting("client_secret", "OAuth2 client secret, if the client has one", secret=True, required=False),
        Setting("scope", "OAuth2 scope", required=False, default="rw:issuer"),
        Setting("badgeclass", "the badge class entityId of a credential (CREDENTIAL=ENTITYID)", mapping=True),
        Setting("timeout", "seconds to wait for an answer", required=False, default="20"),
    )

    def __init__(self, settings: dict, secrets: dict):
        super().__init__(settings, secrets)
        self.base = str(settings.get("url", "")).rstrip("/")
        self.timeout = (5.0, float(settings.get("timeout") or 20))
        self.http = web.session()
        self.tokens = TokenStore(self.name, f"{self.base}/o/token", self.http, self._password_form,
                                 timeout=self.timeout)

    def _password_form(self) -> dict:
        form = {"username": self.settings.get("username", ""), "password": self.secrets.get("password", ""),
                "client_id": self.settings.get("client_id") or "public",
                "scope": self.settings.get("scope") or "rw:issuer"}
        if self.secrets.get("client_secret"):
            form["client_secret"] = self.secrets["client_secret"]
        return form

    def _call(self, method: str, path: str, *, what: str, **kwargs):
        """An authorised request; a refused (expired or revoked) access token is renewed once."""
        for attempt in (1, 2):
            token = self.tokens.access_token()
            resp = web.send(self.http, method, self.base + path, what=what, timeout=self.timeout,
                            headers={"Authorization": f"Bearer {token}"}, **kwargs)
            if resp.status_code != 401 or attempt == 2:
                return resp
            self.tokens.rejected(token)
        raise AssertionError("unreachable")

    def issue(self, info: AwardInfo) -> RemoteAward:
        badgeclass = self.mapped("badgeclass", info.credential_id)
        body = {
            "recipient": {"identity": info.recipient_email, "type": "email", "hashed": True},
            "issuedOn": info.earned_at.isoformat(),
            "notify": True,
            "allowDuplicateAwards": False,
            "narrative": f"Earned {info.credential_title} with {info.credited_hours} credited hours "
                         f"(award {info.award_id}).",
        }
        resp = self._call("POST", f"/v2/badgeclasses/{badgeclass}/assertions", what="badgr issue", json=body)
        if resp.status_code == 400 and any(h in resp.text.lower() for h in DUPLICATE_HINTS):
            held = self.find(info)
            if held is not None:
                return held
        raise_for_response(resp, what="badgr issue")
        return self._remote(self._first(resp))

    def find(self, info: AwardInfo) -> RemoteAward | None:
        badgeclass = self.mapped("badgeclass", info.credential_id)
        resp = self._call("GET", f"/v2/badgeclasses/{badgeclass}/assertions", what="badgr lookup",
                          params={"recipient": info.recipient_email, "include_revoked": "true"})
        raise_for_response(resp, what="badgr lookup")
        held = [a for a in web.json_of(resp).get("result") or [] if _is_for(a, info.recipient_email)]
        held.sort(key=lambda a: bool(a.get("revoked")))
        return self._remote(held[0]) if held else None

    def revoke(self, info: AwardInfo, remote: RemoteAward, reason: str) -> RemoteAward:
        resp = self._call("DELETE", f"/v2/assertions/{remote.remote_id}", what="badgr revoke",
                          json={"revocation_reason": reason})
        if resp.status_code in (400, 404) and "revoked" in resp.text.lower():
            return RemoteAward(remote.remote_id, revoked=True, data=web.json_of(resp))
        raise_for_response(resp, what="badgr revoke")
        return RemoteAward(remote.remote_id, revoked=True, data=web.json_of(resp))

    def refresh(self) -> str | None:
        import datetime as dt

        if self.tokens.expires_within(dt.timedelta(minutes=10)):
            self.tokens.renew()
            return "badgr: access token renewed"
        return None

    def close(self) -> None:
        self.http.close()

    @staticmethod
    def _first(resp) -> dict:
        result = web.json_of(resp).get("result")
        if isinstance(result, list) and result and isinstance(result[0], dict) and result[0].get("entityId"):
            return result[0]
        raise RetryLater("badgr issue: answer without an assertion", answer=resp.text[:500], ambiguous=True)

    @staticmethod
    def _remote(assertion: dict) -> RemoteAward:
        if not assertion.get("entityId"):
            raise Permanent("badgr: assertion without an entityId", answer=str(assertion)[:500])
        return RemoteAward(str(assertion["entityId"]), revoked=bool(assertion.get("revoked")),
                           data={"entityId": assertion["entityId"], "openBadgeId": assertion.get("openBadgeId", "")})


def _is_for(assertion: dict, email: str) -> bool:
    """Whether an assertion's recipient is ``email`` (plain, or hashed as ``sha256$hex`` with its salt)."""
    recipient = assertion.get("recipient") or {}
    email = email.strip().lower()
    if str(recipient.get("plaintextIdentity", "")).strip().lower() == email:
        return True
    identity = str(recipient.get("identity", ""))
    if not recipient.get("hashed"):
        return identity.strip().lower() == email
    algo, _, digest = identity.partition("$")
    if algo not in ("sha256", "md5"):
        return False
    return hashlib.new(algo, (email + str(recipient.get("salt") or "")).encode()).hexdigest() == digest.lower()


BACKEND = BadgrBackend
