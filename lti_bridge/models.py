"""Partner platforms, their deployments, and what a launch leaves behind for grade passback.

Shared by the launch side (OIDC login, launch validation, deep linking, NRPS) and the score side
(AGS delivery, LTI 1.1 outcomes). Private keys are not stored here (see ``keys.py``).
"""
from __future__ import annotations

from django.db import models


class CourseChoice(models.Model):
    """Which of the catalogue's courses a partner may place and launch: every course (those added later too), or
    only the ones an administrator chose (see :mod:`lti_bridge.courses`)."""

    all_courses = models.BooleanField(default=True)
    course_ids = models.JSONField(default=list, blank=True)  # the chosen course ids, when not all_courses

    class Meta:
        abstract = True


class Platform(CourseChoice):
    """A partner's LMS registered with us (LTI 1.3): one issuer + client id."""

    name = models.CharField(max_length=200)
    issuer = models.URLField(max_length=255)
    client_id = models.CharField(max_length=255)
    auth_login_url = models.URLField(max_length=500)  # platform OIDC authorization endpoint
    auth_token_url = models.URLField(max_length=500)  # OAuth2 token endpoint (client credentials)
    key_set_url = models.URLField(max_length=500)  # platform JWKS
    token_audience = models.CharField(max_length=500, blank=True)  # aud for the client assertion, if not token url
    key_set_cache = models.JSONField(default=dict, blank=True)  # last fetched platform JWKS
    key_set_fetched_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "client_id"], name="platform_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.issuer})"


class Deployment(models.Model):
    """A deployment of our tool on a platform; learners and results are scoped to it."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="deployments")
    deployment_id = models.CharField(max_length=255)
    cohort_name = models.CharField(max_length=80, blank=True)  # learner-record cohort for this deployment's learners

    class Meta:
        constraints = [models.UniqueConstraint(fields=["platform", "deployment_id"], name="deployment_unique")]

    def __str__(self) -> str:
        return f"{self.deployment_id} on {self.platform.name}"


class ResourceLink(models.Model):
    """A placement of one of our modules in a partner course (from a launch), with its AGS line item."""

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="resource_links")
    resource_link_id = models.CharField(max_length=255)
    context_id = models.CharField(max_length=255, blank=True)
    context_title = models.CharField(max_length=255, blank=True)
    module_id = models.CharField(max_length=64)
    lineitems_url = models.URLField(max_length=500, blank=True)
    lineitem_url = models.URLField(max_length=500, blank=True)
    ags_scopes = models.JSONField(default=list, blank=True)
    nrps_url = models.URLField(max_length=500, blank=True)
    cohort_name = models.CharField(max_length=80, blank=True)  # learner-record cohort of deployment + context
    title = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["deployment", "resource_link_id"], name="resource_link_unique")]


class LaunchLearner(models.Model):
    """Which learner-record learner launched which resource link (who gets scores where)."""

    resource_link = models.ForeignKey(ResourceLink, on_delete=models.CASCADE, related_name="learners")
    learner_id = models.BigIntegerField()  # learner_record Learner pk (accessed only through its API)
    subject = models.CharField(max_length=255)  # the platform's `sub`, sent back as AGS userId
    last_launch_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["resource_link", "learner_id"], name="launch_learner_unique")]


class LoginState(models.Model):
    """OIDC third-party login in flight: ``state`` bound to the browser, ``nonce`` single use, both expiring."""

    state = models.CharField(max_length=128, unique=True)
    nonce = models.CharField(max_length=128, unique=True)
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE)
    browser_binding = models.CharField(max_length=128)  # hash of the cookie/fallback value set at login
    target_link_uri = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True)


class AccessTokenCache(models.Model):
    """A platform's OAuth2 access token for a scope set, reused until shortly before it expires."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE)
    scopes = models.CharField(max_length=500)
    token = models.TextField()
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["platform", "scopes"], name="token_unique")]


class Lti11Consumer(CourseChoice):
    """An older platform using LTI 1.1 (OAuth 1.0a HMAC-SHA1). The secret is for signing only."""

    name = models.CharField(max_length=200)
    consumer_key = models.CharField(max_length=255, unique=True)
    secret = models.CharField(max_length=255)
    cohort_name = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class Lti11Outcome(models.Model):
    """Where to send a learner's LTI 1.1 result (lis_outcome_service_url + lis_result_sourcedid)."""

    consumer = models.ForeignKey(Lti11Consumer, on_delete=models.CASCADE, related_name="outcomes")
    learner_id = models.BigIntegerField()
    module_id = models.CharField(max_length=64)
    service_url = models.URLField(max_length=500)
    sourcedid = models.CharField(max_length=500)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consumer", "learner_id", "module_id"], name="lti11_outcome_unique")]


class UsedNonce(models.Model):
    """Nonces already seen (LTI 1.3 id_token nonce, LTI 1.1 oauth_nonce), kept until they expire."""

    scope = models.CharField(max_length=16)  # "lti13" or "lti11:<consumer key>"
    value = models.CharField(max_length=191)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "value"], name="nonce_unique")]
