"""Per-learner XBlock state (user_state, preferences, user_info and user_state_summary scopes).

Authored fields (content and settings scopes) are not stored here: in our server they come from
the course content (see :mod:`xblocks.runtime`); in Open edX the modulestore holds them.
Facts about learning (time on task, scores, completions) are not stored here either: they belong
to the learner record and are written through its API.
"""
from django.db import models


class BlockState(models.Model):
    """The JSON-encoded fields of one (scope, scope id, user) bucket."""

    scope = models.CharField(max_length=24)
    scope_id = models.CharField(max_length=255)
    user_id = models.CharField(max_length=64, blank=True, default="")
    state = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "scope_id", "user_id"], name="xblock_state_unique")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.scope_id}:{self.user_id}"
