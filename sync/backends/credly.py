"""Credly (Web Service API v1): issued badges of an organisation.

- Auth: HTTP Basic with the organisation's authorization token as the user name.
- Issue: ``POST /v1/organizations/{org}/badges`` (recipient e-mail and name, template, ``issued_at``);
  its "already has this badge" answer (422) means the badge exists, which is success.
- Look up: ``GET /v1/organizations/{org}/badges?filter=recipient_email::E|badge_template_id::T``.
- Revoke: ``PUT /v1/organizations/{org}/badges/{id}/revoke`` with a ``reason``.
Answers are ``{"data": ...}``.
"""
from __future__ import annotations

from caregiving_course.learner_record.delivery import RetryLater, raise_for_response
from sync.backends import http as web
from sync.backends.base import AwardInfo, IssuingBackend, RemoteAward, Setting

DUPLICATE_HINTS = ("already", "duplicate")


class CredlyBackend(IssuingBackend):
    name = "credly"
    title = "Credly (issued badges API)"
    SETTINGS = (
        Setting("url", "API base URL", required=False, default="https://api.credly.com"),
        Setting("organization", "organisation id"),
        Setting("token", "the organisation's authorization token", secret=True),
        Setting("template", "the badge template id of a credential (CREDENTIAL=TEMPLATEID)", mapping=True),
        Setting("timeout", "seconds to wait for an answer", required=False, default="20"),
    )

    def __init__(self, settings: dict, secrets: dict):
        super().__init__(settings, secrets)
        base = str(settings.get("url") or "https://api.credly.com").rstrip("/")
        self.badges = f"{base}/v1/organizations/{settings.get('organization', '')}/badges"
        self.timeout = (5.0, float(settings.get("timeout") or 20))
        self.http = web.session()
        self.http.auth = (secrets.get("token", ""), "")

    def issue(self, info: AwardInfo) -> RemoteAward:
        template = self.mapped("template", info.credential_id)
        body = {
            "recipient_email": info.recipient_email,
            "issued_to_first_name": info.first_name,
            "issued_to_last_name": info.last_name,
            "badge_template_id": template,
            "issued_at": info.earned_at.strftime("%Y-%m-%d %H:%M:%S %z"),
            "issuer_earner_id": info.award_id,
            "suppress_badge_notification_email": False,
        }
        resp = web.send(self.http, "POST", self.badges, what="credly issue", json=body, timeout=self.timeout)
        if resp.status_code == 422 and any(h in resp.text.lower() for h in DUPLICATE_HINTS):
            held = self.find(info)
            if held is not None:
                return held
        raise_for_response(resp, what="credly issue")
        data = web.json_of(resp).get("data")
        if not isinstance(data, dict) or not data.get("id"):
            raise RetryLater("credly issue: answer without a badge", answer=resp.text[:500], ambiguous=True)
        return _remote(data)

    def find(self, info: AwardInfo) -> RemoteAward | None:
        template = self.mapped("template", info.credential_id)
        resp = web.send(self.http, "GET", self.badges, what="credly lookup", timeout=self.timeout,
                        params={"filter": f"recipient_email::{info.recipient_email}|badge_template_id::{template}"})
        raise_for_response(resp, what="credly lookup")
        email = info.recipient_email.strip().lower()
        held = [b for b in web.json_of(resp).get("data") or [] if isinstance(b, dict)
                and str(b.get("recipient_email", "")).lower() == email and _template_of(b) == template]
        held.sort(key=lambda b: b.get("state") == "revoked")
        return _remote(held[0]) if held else None

    def revoke(self, info: AwardInfo, remote: RemoteAward, reason: str) -> RemoteAward:
        resp = web.send(self.http, "PUT", f"{self.badges}/{remote.remote_id}/revoke", what="credly revoke",
                        json={"reason": reason, "suppress_revoke_notification_email": False}, timeout=self.timeout)
        if resp.status_code == 422 and "revoked" in resp.text.lower():
            return RemoteAward(remote.remote_id, revoked=True, data=web.json_of(resp).get("data") or {})
        raise_for_response(resp, what="credly revoke")
        return RemoteAward(remote.remote_id, revoked=True, data={"id": remote.remote_id})

    def close(self) -> None:
        self.http.close()


def _template_of(badge: dict) -> str:
    template = badge.get("badge_template")
    if isinstance(template, dict):
        return str(template.get("id", ""))
    return str(badge.get("badge_template_id", ""))


def _remote(badge: dict) -> RemoteAward:
    return RemoteAward(str(badge["id"]), revoked=badge.get("state") == "revoked",
                       data={"id": badge["id"], "state": badge.get("state", "")})


BACKEND = CredlyBackend
