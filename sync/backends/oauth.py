"""OAuth2 tokens for a platform: password grant, then rotating refresh tokens kept in the database.

A refresh answer carries a new refresh token and voids the old one, so the new pair is committed
before the access token is used; a refresh token lost anyway (a crash between the platform's answer
and the commit) is recovered with the password grant. Concurrent workers take turns through a row
lock, and the one that waited finds the token the other fetched.
"""
from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone

from caregiving_course.learner_record.delivery import Permanent, RetryLater
from sync.backends.http import json_of, send
from sync.models import OAuthToken

EARLY_SECONDS = 60  # renew this long before the access token expires (at most a tenth of its life)


class TokenStore:
    """Access tokens of one backend, cached in the process and kept durably in :class:`OAuthToken`."""

    def __init__(self, backend: str, token_url: str, http, form: Callable[[], dict], *, timeout):
        self.backend, self.token_url, self.http, self.form, self.timeout = backend, token_url, http, form, timeout
        self._lock = threading.Lock()
        self._access: tuple[str, dt.datetime] | None = None

    def access_token(self) -> str:
        with self._lock:
            now = timezone.now()
            if self._access and self._access[1] > now:
                return self._access[0]
            row = OAuthToken.objects.filter(backend=self.backend).first()
            if row and row.access_token and row.access_expires_at and row.access_expires_at > now:
                self._access = (row.access_token, row.access_expires_at)
                return row.access_token
            return self._renew(stale=row.access_token if row else "")

    def rejected(self, token: str) -> None:
        """The platform refused ``token`` (401): forget it here and in the database."""
        with self._lock:
            if self._access and self._access[0] == token:
                self._access = None
            with transaction.atomic():  # tokens are sealed (never equal as stored): compare them as read
                row = OAuthToken.objects.select_for_update().filter(backend=self.backend).first()
                if row is not None and row.access_token == token:
                    row.access_expires_at = None
                    row.save(update_fields=["access_expires_at"])

    def expires_within(self, delta: dt.timedelta) -> bool:
        row = OAuthToken.objects.filter(backend=self.backend).first()
        until = timezone.now() + delta
        return not (row and row.access_token and row.access_expires_at and row.access_expires_at > until)

    def renew(self) -> str:
        with self._lock:
            return self._renew(stale=None)

    def _renew(self, stale: str | None) -> str:
        try:
            OAuthToken.objects.get_or_create(backend=self.backend)
        except IntegrityError:
            pass
        with transaction.atomic():
            row = OAuthToken.objects.select_for_update().get(backend=self.backend)
            now = timezone.now()
            if (stale is not None and row.access_token and row.access_token != stale and row.access_expires_at
                    and row.access_expires_at > now):
                self._access = (row.access_token, row.access_expires_at)  # another worker renewed it meanwhile
                return row.access_token
            answer = None
            if row.refresh_token:
                answer = self._grant({"grant_type": "refresh_token", "refresh_token": row.refresh_token})
            if answer is None:
                answer = self._grant({"grant_type": "password", **self.form()})
                if answer is None:
                    raise Permanent(f"{self.backend}: the platform refused the username and password",
                                    answer="check: caregiving issuer set " + self.backend)
            row.access_token = answer["access_token"]
            lifetime = float(answer.get("expires_in") or 3600)
            row.access_expires_at = now + dt.timedelta(seconds=lifetime - min(EARLY_SECONDS, lifetime / 10))
            row.refresh_token = answer.get("refresh_token") or ""
            row.save()
        # committed: the rotated refresh token is durable before the access token is used
        self._access = (row.access_token, row.access_expires_at)
        return row.access_token

    def _grant(self, fields: dict) -> dict | None:
        """One token request; None when the grant was refused (invalid or used refresh token, bad password)."""
        resp = send(self.http, "POST", self.token_url, what=f"{self.backend} token", data=fields, timeout=self.timeout)
        if resp.status_code == 200:
            data = json_of(resp)
            if data.get("access_token"):
                return data
            raise RetryLater(f"{self.backend} token: answer without an access token", answer=resp.text[:300])
        if resp.status_code in (400, 401):
            return None
        raise RetryLater(f"{self.backend} token: HTTP {resp.status_code}", answer=resp.text[:300])
