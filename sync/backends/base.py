"""What every issuing backend offers the delivery handlers, and what they hand it."""
from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Setting:
    """One configuration value of a backend: ``secret`` ones are stored apart and never printed."""

    name: str
    help: str
    secret: bool = False
    required: bool = True
    mapping: bool = False  # repeatable CREDENTIAL=VALUE pairs (a badge class per credential, say)
    default: str = ""


@dataclass(frozen=True)
class AwardInfo:
    """An award as the issuing platforms need it: who earned what, when, and (for revocations) why not."""

    award_id: str
    credential_id: str
    credential_title: str
    recipient_email: str
    recipient_name: str
    earned_at: dt.datetime
    credited_hours: Decimal
    evidence: list = field(default_factory=list)
    status: str = "earned"
    revoke_reason: str = ""

    @property
    def first_name(self) -> str:
        return (self.recipient_name.split(None, 1) or [""])[0] or self.recipient_email.split("@")[0]

    @property
    def last_name(self) -> str:
        parts = self.recipient_name.split(None, 1)
        return parts[1] if len(parts) > 1 else "-"


@dataclass(frozen=True)
class RemoteAward:
    """What a platform holds for one award: its id there, whether it is revoked, and its answer."""

    remote_id: str
    revoked: bool = False
    data: dict = field(default_factory=dict)


class IssuingBackend(ABC):
    """A place badges are issued: the built-in issuer, Badgr, Credly...

    ``issue`` must not create a second badge for an award the platform already holds (map the
    platform's "already issued" answer to the badge it holds); the handlers call ``find`` before
    a retry whose earlier attempt may have reached the platform.
    """

    name: str = ""
    title: str = ""
    SETTINGS: tuple[Setting, ...] = ()

    def __init__(self, settings: dict, secrets: dict):
        self.settings = settings
        self.secrets = secrets

    def missing_settings(self) -> list[str]:
        """Required settings not configured yet (``caregiving issuer use`` refuses a backend with any)."""
        have = {**self.settings, **self.secrets}
        return [s.name for s in self.SETTINGS if s.required and not have.get(s.name)]

    def mapped(self, setting: str, credential_id: str) -> str:
        """The value a mapping setting gives a credential (the platform's badge class for it, say)."""
        from caregiving_course.learner_record.delivery import Permanent

        value = (self.settings.get(setting) or {}).get(credential_id)
        if not value:
            raise Permanent(f"{self.name}: no {setting} configured for credential {credential_id!r}",
                            answer=f"run: caregiving issuer set {self.name} --{setting.replace('_', '-')} "
                                   f"{credential_id}=ID")
        return value

    @abstractmethod
    def issue(self, info: AwardInfo) -> RemoteAward:
        """Create the badge (or return the one the platform already holds for this award)."""

    @abstractmethod
    def revoke(self, info: AwardInfo, remote: RemoteAward, reason: str) -> RemoteAward:
        """Revoke the badge ``remote`` with ``reason``; revoking a revoked badge succeeds."""

    @abstractmethod
    def find(self, info: AwardInfo) -> RemoteAward | None:
        """What the platform holds for this recipient and badge, if anything (unrevoked first)."""

    def refresh(self) -> str | None:
        """Renew what expires (access tokens); returns a line saying what was done, or None."""
        return None

    def close(self) -> None:  # noqa: B027 - most backends hold nothing to release
        """Release connections."""
