"""The built-in issuer (default): signs Open Badges itself, in :mod:`sync.issuer` (see ``BuiltinIssuer``).

This adapter only gives it the backend interface; issuing in the same database needs no network,
so every answer is definite, and ``BuiltinIssuer`` keeps issuance idempotent per award.
"""
from __future__ import annotations

from caregiving_course.learner_record.delivery import RetryLater
from sync.backends.base import AwardInfo, IssuingBackend, RemoteAward


def _issuer():
    try:
        from sync.issuer.backend import BuiltinIssuer
    except ImportError as exc:
        raise RetryLater("builtin: the built-in issuer is not installed in this process", answer=str(exc)) from None
    return BuiltinIssuer()


def _remote(answer, info: AwardInfo, *, revoked: bool = False) -> RemoteAward:
    """Accept the issuer's answer as a dict or an object; its id falls back to the award id."""
    if isinstance(answer, RemoteAward):
        return answer
    get = answer.get if isinstance(answer, dict) else (lambda k, d=None: getattr(answer, k, d))
    keys = ("remote_id", "id", "credential_id", "public_id")
    remote_id = next((str(get(k)) for k in keys if get(k)), info.award_id)
    data = {}
    if isinstance(answer, dict):
        data = {k: v for k, v in answer.items() if isinstance(v, (str, int, float, bool))}
    return RemoteAward(remote_id, revoked=revoked or bool(get("revoked", False)), data=data)


class BuiltinBackend(IssuingBackend):
    name = "builtin"
    title = "Built-in issuer (Open Badges 3.0 and 2.0, signed here)"

    def issue(self, info: AwardInfo) -> RemoteAward:
        return _remote(_issuer().issue(info), info)

    def revoke(self, info: AwardInfo, remote: RemoteAward, reason: str) -> RemoteAward:
        return _remote(_issuer().revoke(info, reason), info, revoked=True)

    def find(self, info: AwardInfo) -> RemoteAward | None:
        answer = _issuer().find(info)
        return None if answer is None else _remote(answer, info)

    def refresh(self) -> str | None:
        """Re-publish status lists when the issuer offers it (``refresh_status_lists``)."""
        issuer = _issuer()
        refresh = getattr(issuer, "refresh_status_lists", None)
        if refresh is None:
            return None
        done = refresh()
        return f"builtin: status lists refreshed ({done})" if done else None


BACKEND = BuiltinBackend
