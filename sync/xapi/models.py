"""Learning record stores statements go to: one per partner (a cohort), or installation-wide (no cohort)."""
from __future__ import annotations

from django.db import models

from sync.sealed import SealedTextField


class LrsEndpoint(models.Model):
    """An LRS: its xAPI endpoint and HTTP Basic credentials (the password sealed at rest)."""

    name = models.SlugField(max_length=64, unique=True)
    endpoint = models.URLField(max_length=500)  # the xAPI base, e.g. https://lrs.example/xAPI
    username = models.CharField(max_length=200)
    password = SealedTextField()
    cohort = models.CharField(max_length=80, blank=True)  # a partner's cohort; "" = every learner
    created_at = models.DateTimeField(auto_now_add=True)
    fed_until = models.DateTimeField(null=True)  # records up to here are queued (see sync.xapi.feed)

    def __str__(self) -> str:
        return self.name
