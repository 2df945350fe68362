"""Tables of the sync package.

This file is shared by two parts of ``sync``; each keeps its models in its own section below.
"""
from __future__ import annotations

from django.db import models

from sync.sealed import SealedJSONField, SealedTextField

# ---------------------------------------------------------------------------------------------
# Sync engine and external issuing backends (sync/scheduler.py, worker.py, delivery.py,
# config.py, backends/). Owned by the sync-engine work.
# ---------------------------------------------------------------------------------------------


class IssuerChoice(models.Model):
    """Which issuing backend delivers a credential's badges; ``credential_id`` "" is the global default."""

    credential_id = models.CharField(max_length=64, unique=True, blank=True)
    backend = models.CharField(max_length=32)
    updated_at = models.DateTimeField(auto_now=True)


class BackendSettings(models.Model):
    """One issuing backend's settings (URL, account, badge map) and its secrets, never printed and sealed at rest."""

    backend = models.CharField(max_length=32, unique=True)
    settings = models.JSONField(default=dict)
    secrets = SealedJSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)


class OAuthToken(models.Model):
    """A backend's current OAuth2 tokens (sealed at rest); a rotated refresh token is saved here before the access
    token is used."""

    backend = models.CharField(max_length=32, unique=True)
    access_token = SealedTextField(blank=True)
    access_expires_at = models.DateTimeField(null=True)
    refresh_token = SealedTextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)


class LeaderLease(models.Model):
    """Who runs the scheduled jobs: one holder at a time, until ``expires_at`` unless renewed."""

    name = models.CharField(max_length=64, unique=True)
    holder = models.CharField(max_length=128)
    expires_at = models.DateTimeField()


class SyncCursor(models.Model):
    """How far a scheduled job has got (the award evaluation's activity watermark)."""

    name = models.CharField(max_length=64, unique=True)
    value = models.DateTimeField()


class DeliveryNote(models.Model):
    """Marks a delivery whose earlier attempt may have reached the platform (ambiguous failure or dead letter).

    Before trying such a delivery again the handler asks the platform what it already holds.
    """

    key = models.CharField(max_length=191, unique=True)
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


# ---------------------------------------------------------------------------------------------
# Built-in issuer (sync/issuer/, views.py, public.py). Owned by the built-in issuer work.
# ---------------------------------------------------------------------------------------------


class IssuedCredential(models.Model):
    """What the built-in issuer published for one award: signed once, served as is, revoked in place.

    The recipient appears only as a salted hash; the salt is kept so the hash can be checked
    against an e-mail someone offers. The signing key never touches the database.
    """

    award_id = models.UUIDField(unique=True)
    credential_id = models.CharField(max_length=64)
    salt = models.CharField(max_length=64)
    identity_hash = models.CharField(max_length=100)
    identity_type = models.CharField(max_length=32, default="emailAddress")
    ob3 = models.JSONField(help_text="the OpenBadgeCredential with its eddsa-rdfc-2022 proof")
    ob3_jwt = models.TextField(help_text="the same credential as a VC-JWT (EdDSA)")
    ob2 = models.JSONField(help_text="the Open Badges 2.0 hosted assertion")
    status_list = models.PositiveIntegerField(default=1)
    status_index = models.PositiveIntegerField()
    issued_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["status_list", "status_index"], name="issued_status_slot")]

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class StatusList(models.Model):
    """One Bitstring Status List (revocation) and the signed credential that publishes it."""

    number = models.PositiveIntegerField(unique=True)
    bits = models.BinaryField(help_text="the raw bitstring, index 0 = most significant bit of byte 0")
    version = models.PositiveIntegerField(default=0)
    signed = models.JSONField(default=dict, help_text="the BitstringStatusListCredential last signed")
    signed_version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
