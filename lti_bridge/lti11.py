"""LTI 1.1 for older platforms: consumers, and launches checked with OAuth 1.0a HMAC-SHA1.

A launch is a form POST signed by the consumer (LTI 1.1 Implementation Guide, OAuth Core 1.0a).
Checked, each with its own 4xx reason: size and form encoding, the LTI parameters, the consumer
key, the timestamp window (:data:`TIMESTAMP_WINDOW`), nonce replay (:class:`UsedNonce`, kept past
the window), then the signature (oauthlib). The learner is the consumer's ``user_id`` with the
consumer key as issuer; where the launch carries an outcome service, the place to send the
learner's result for the module is kept (:class:`Lti11Outcome`).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oauthlib.oauth1 import RequestValidator, SignatureOnlyEndpoint

from caregiving_course.learner_record import api
from lti_bridge.models import Lti11Consumer, Lti11Outcome, UsedNonce

TIMESTAMP_WINDOW = 300  # seconds either side of our clock
NONCE_SCOPE = "lti11"
MAX_LAUNCH_BYTES = 32 * 1024
MAX_FIELD = 255
MESSAGE_TYPE = "basic-lti-launch-request"
VERSIONS = ("LTI-1p0",)
PRUNE_EVERY = 100  # on average, one launch in this many forgets expired nonces


class LaunchError(Exception):
    """A launch we refuse; ``message`` says what was wrong (shown on the error page)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Lti11Launch:
    consumer: Lti11Consumer
    user_id: str
    resource_link_id: str
    name: str
    email: str
    roles: tuple[str, ...]
    outcome_url: str
    sourcedid: str
    return_url: str = ""

    @property
    def is_instructor(self) -> bool:
        return any(r.rsplit("/", 1)[-1].rsplit("#", 1)[-1] in ("Instructor", "Administrator") for r in self.roles)


def add_consumer(name: str, key: str, secret: str | None = None, *, cohort: str = "") -> tuple[Lti11Consumer, str]:
    """Register an LTI 1.1 consumer; returns it and its secret (generated when not given)."""
    name, key = name.strip(), key.strip()
    if not name or len(name) > 200:
        raise ValueError("a consumer needs a name of 1 to 200 characters")
    if not key or len(key) > MAX_FIELD or any(c.isspace() for c in key):
        raise ValueError("the consumer key must be 1 to 255 characters without spaces")
    secret = secret or secrets.token_urlsafe(32)
    if len(secret) < 16 or len(secret) > MAX_FIELD:
        raise ValueError("the secret must be 16 to 255 characters (leave it out to have one generated)")
    if cohort:
        try:
            api.check_cohort_name(cohort)
        except api.RecordError as exc:
            raise ValueError(str(exc)) from None
    try:
        with transaction.atomic():
            consumer = Lti11Consumer.objects.create(name=name, consumer_key=key, secret=secret, cohort_name=cohort)
    except IntegrityError as exc:
        raise ValueError(f"a consumer with key {key!r} already exists") from exc
    return consumer, secret


def validate_launch(uri: str, body: bytes, content_type: str, *, now: float | None = None) -> Lti11Launch:
    """Check a launch POST (its absolute URL, raw body, Content-Type); the launch, or :class:`LaunchError`."""
    now = time.time() if now is None else now
    if len(body) > MAX_LAUNCH_BYTES:
        raise LaunchError(_("The launch is too large."), 413)
    if content_type.split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
        raise LaunchError(_("An LTI 1.1 launch must be a form POST."), 415)
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text), max_num_fields=200)
    except (UnicodeDecodeError, ValueError) as exc:
        raise LaunchError(_("The launch form could not be read.")) from exc
    if any("\x00" in k or "\x00" in v for k, v in pairs):  # no database stores NUL in text
        raise LaunchError(_("The launch form could not be read."))
    names = [k for k, _v in pairs]
    if any(names.count(k) > 1 for k in set(names) if k.startswith("oauth_") or k in ("user_id", "resource_link_id")):
        raise LaunchError(_("The launch repeats a parameter that must appear once."))
    params = dict(pairs)
    _check_lti(params)
    consumer = Lti11Consumer.objects.filter(consumer_key=params["oauth_consumer_key"]).first()
    if consumer is None:
        raise LaunchError(_("This consumer key is not registered with us."), 401)
    timestamp = params["oauth_timestamp"]
    if not timestamp.isdigit() or abs(now - int(timestamp)) > TIMESTAMP_WINDOW:
        raise LaunchError(_("The launch has expired or its clock is wrong (oauth_timestamp outside the window)."), 401)
    nonce_key = _nonce_key(consumer.consumer_key, params["oauth_nonce"])
    if UsedNonce.objects.filter(scope=NONCE_SCOPE, value=nonce_key).exists():
        raise LaunchError(_("This launch was already used (replayed nonce)."), 401)
    valid, _request = SignatureOnlyEndpoint(_Validator(consumer)).validate_request(
        uri, http_method="POST", body=text, headers={"Content-Type": "application/x-www-form-urlencoded"})
    if not valid:
        raise LaunchError(_("The launch signature does not match (wrong secret or URL, or the form was altered)."),
                          401)
    try:
        with transaction.atomic():
            UsedNonce.objects.create(scope=NONCE_SCOPE, value=nonce_key,
                                     expires_at=timezone.now() + dt.timedelta(seconds=2 * TIMESTAMP_WINDOW))
    except IntegrityError as exc:
        raise LaunchError(_("This launch was already used (replayed nonce)."), 401) from exc
    if secrets.randbelow(PRUNE_EVERY) == 0:
        prune_nonces()
    return _launch(consumer, params)


@transaction.atomic
def record_launch(launch: Lti11Launch, module_id: str):
    """The launched learner (created on first sight, enrolled in the consumer's cohort); keeps where
    their result for ``module_id`` goes. Returns the learner-record learner."""
    consumer = launch.consumer
    learner = api.learner_for_identity("lti", launch.user_id, issuer=consumer.consumer_key, name=launch.name,
                                       email=launch.email, user=_account(consumer.consumer_key, launch))
    if consumer.cohort_name:
        try:
            api.enrol(learner, api.ensure_cohort(consumer.cohort_name))
        except api.RecordError as exc:  # a cohort name stored before names were checked
            raise LaunchError(f"this consumer's cohort cannot be used ({exc}); ask the tool's administrator "
                              "to correct it", status=409) from None
    if launch.outcome_url and launch.sourcedid:
        Lti11Outcome.objects.update_or_create(
            consumer=consumer, learner_id=learner.pk, module_id=module_id,
            defaults={"service_url": launch.outcome_url, "sourcedid": launch.sourcedid})
    return learner


def prune_nonces() -> int:
    """Forget LTI 1.1 nonces whose launches can no longer be replayed (outside the window)."""
    return UsedNonce.objects.filter(scope=NONCE_SCOPE, expires_at__lt=timezone.now()).delete()[0]


def _check_lti(params: dict) -> None:
    if params.get("lti_message_type") != MESSAGE_TYPE:
        raise LaunchError(_("This is not an LTI 1.1 launch (lti_message_type)."))
    if params.get("lti_version") not in VERSIONS:
        raise LaunchError(_("Unsupported LTI version (lti_version must be LTI-1p0)."))
    for name in ("resource_link_id", "user_id", "oauth_consumer_key", "oauth_nonce", "oauth_signature"):
        if not 0 < len(params.get(name, "")) <= MAX_FIELD:
            raise LaunchError(_("The launch lacks %(name)s (or it is too long).") % {"name": name})
    if params.get("oauth_signature_method") != "HMAC-SHA1":
        raise LaunchError(_("Only HMAC-SHA1 signed launches are accepted."))
    if params.get("oauth_version", "1.0") != "1.0":
        raise LaunchError(_("Unsupported OAuth version."))
    if not params.get("oauth_timestamp", "").isdigit():
        raise LaunchError(_("The launch lacks a valid oauth_timestamp."))


def _launch(consumer: Lti11Consumer, params: dict) -> Lti11Launch:
    url, sourcedid = params.get("lis_outcome_service_url", ""), params.get("lis_result_sourcedid", "")
    if url and not _web_url(url):
        raise LaunchError(_("The outcome service URL is not a web address."))
    if len(sourcedid) > 500:
        raise LaunchError(_("The result sourcedid is too long."))
    name = params.get("lis_person_name_full") or " ".join(
        p for p in (params.get("lis_person_name_given", ""), params.get("lis_person_name_family", "")) if p)
    return Lti11Launch(
        consumer=consumer, user_id=params["user_id"], resource_link_id=params["resource_link_id"],
        name=name[:200], email=params.get("lis_person_contact_email_primary", "")[:254],
        roles=tuple(r.strip() for r in params.get("roles", "").split(",") if r.strip()),
        outcome_url=url, sourcedid=sourcedid, return_url=_web_url(params.get("launch_presentation_return_url", "")))


def _web_url(url: str) -> str:
    """``url`` when it is an http(s) address of at most 500 characters, else ""."""
    parts = urlsplit(url)
    return url if len(url) <= 500 and parts.scheme in ("http", "https") and parts.netloc else ""


def _nonce_key(consumer_key: str, nonce: str) -> str:
    return hashlib.sha256(f"{consumer_key}\x00{nonce}".encode()).hexdigest()


def _account(consumer_key: str, launch: Lti11Launch):
    """The local account an LTI 1.1 learner signs in with (no password; only launches open it)."""
    from django.contrib.auth import get_user_model

    digest = hashlib.sha256(f"lti11\x00{consumer_key}\x00{launch.user_id}".encode()).hexdigest()[:32]
    user, created = get_user_model().objects.get_or_create(username=f"lti11-{digest}")
    if created:
        user.set_unusable_password()
        user.first_name = launch.name[:150]
        user.save(update_fields=["password", "first_name"])
    return user


class _Validator(RequestValidator):
    """What oauthlib asks of us to verify one consumer's signature (replay and time are checked before)."""

    enforce_ssl = False  # the signature, not the transport, authenticates the launch; TLS is the server's job
    timestamp_lifetime = TIMESTAMP_WINDOW
    dummy_client = "unknown-consumer"

    def __init__(self, consumer: Lti11Consumer):
        super().__init__()
        self.consumer = consumer

    @property
    def allowed_signature_methods(self):
        return ("HMAC-SHA1",)

    def check_client_key(self, client_key: str) -> bool:
        return 0 < len(client_key) <= MAX_FIELD

    def check_nonce(self, nonce: str) -> bool:
        return 0 < len(nonce) <= MAX_FIELD

    def validate_client_key(self, client_key: str, request) -> bool:
        return client_key == self.consumer.consumer_key

    def validate_timestamp_and_nonce(self, client_key, timestamp, nonce, request, request_token=None,
                                     access_token=None) -> bool:
        return True

    def get_client_secret(self, client_key: str, request) -> str:
        return self.consumer.secret
