"""What a completed launch leaves behind: the LTI user, the learner, the cohort, the resource link, the session.

One Django user per LTI identity (issuer, subject), with an unusable password; one learner per identity through
the learner-record API (never merged by e-mail). The cohort of a launch is its deployment plus its context.
The session and CSRF cookies are set ``SameSite=None; Secure; Partitioned`` over https so they work in the
partner's iframe (also where third-party cookies are blocked but partitioned ones are kept); pages inside the
iframe also carry a signed :func:`embed_token` for browsers that drop even those.
"""
from __future__ import annotations

import hashlib
from http.cookies import Morsel
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.core import signing
from django.db import transaction

from caregiving_course.learner_record import api
from lti_bridge.launch import Launch, LaunchError
from lti_bridge.models import Deployment, LaunchLearner, ResourceLink

EMBED_SALT = "lti_bridge.embed.v1"
EMBED_MAX_AGE = 8 * 3600


def cohort_name(deployment: Deployment, context_id: str) -> str:
    """The learner-record cohort of a deployment and context (a slug, at most 80 characters)."""
    if not context_id:
        return deployment.cohort_name or f"lti-{deployment.pk}"
    digest = hashlib.sha256(context_id.encode()).hexdigest()[:12]
    return f"lti-{deployment.pk}-{digest}"


def lti_user(launch: Launch):
    """The Django account of an LTI identity (created on first launch; it has no usable password)."""
    digest = hashlib.sha256(f"{launch.platform.issuer}\n{launch.subject}".encode()).hexdigest()[:30]
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=f"lti-{digest}")
    name = api.clean_person_name(launch.name, 150)
    if created or (name and user.first_name != name):
        user.first_name = name
        user.set_unusable_password()
        user.save()
    return user


@transaction.atomic
def record_launch(launch: Launch, module_id: str):
    """Create or update everything a resource-link launch implies; returns (user, learner, resource link)."""
    deployment = Deployment.objects.filter(platform=launch.platform, deployment_id=launch.deployment_id).first()
    if deployment is None:  # removed since this process cached the registration
        raise LaunchError(f"the deployment {launch.deployment_id!r} is not registered for this platform", status=403)
    user = lti_user(launch)
    learner = api.learner_for_identity("lti", launch.subject, issuer=launch.platform.issuer, name=launch.name,
                                       email=launch.email, user=user)
    context = launch.context
    context_id = context.get("id") if isinstance(context.get("id"), str) else ""
    try:
        cohort = api.ensure_cohort(cohort_name(deployment, context_id[:255]),
                                   title=str(context.get("title") or context.get("label") or "")[:200])
    except api.RecordError as exc:  # a cohort name stored before names were checked
        raise LaunchError(f"this deployment's cohort cannot be used ({exc}); ask the tool's administrator "
                          "to correct it", status=409) from None
    if launch.is_staff:
        api.add_instructor(cohort, user)
    else:
        api.enrol(learner, cohort)
    link = None
    if launch.resource_link:
        ags = launch.ags
        scopes = [s for s in ags.get("scope", []) if isinstance(s, str)] if isinstance(ags.get("scope"), list) else []
        defaults = {
            "context_id": context_id[:255], "context_title": str(context.get("title") or "")[:255],
            "lineitems_url": _url(ags.get("lineitems")), "lineitem_url": _url(ags.get("lineitem")),
            "ags_scopes": scopes, "nrps_url": _url(launch.nrps_url), "cohort_name": cohort.name,
            "title": str(launch.resource_link.get("title") or "")[:255],
        }
        if module_id:
            defaults["module_id"] = module_id
        link, _ = ResourceLink.objects.update_or_create(deployment=deployment,
                                                        resource_link_id=launch.resource_link["id"], defaults=defaults)
        if not launch.is_staff:
            LaunchLearner.objects.update_or_create(resource_link=link, learner_id=learner.pk,
                                                   defaults={"subject": launch.subject})
    return user, learner, cohort, link


def _url(value: object) -> str:
    if isinstance(value, str) and len(value) <= 500 and urlsplit(value).scheme in ("http", "https"):
        return value
    return ""


def sign_in(request, user) -> None:
    """Log ``user`` into this request's session (the cookie is set by :func:`set_session_cookie`)."""
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])  # the site's first (model) backend
    request.session.save()


class _PartitionedMorsel(Morsel):
    """A cookie with the ``Partitioned`` attribute (CHIPS), which Python's cookies only know from 3.14 on."""

    def OutputString(self, attrs=None) -> str:  # the name Morsel uses
        return super().OutputString(attrs) + "; Partitioned"


def public_base(request) -> str:
    """This site's URL as the partner sees it: ``settings.BASE_URL`` when the request is for its host (so a TLS
    proxy in front does not turn our URLs into http ones), else the URL the request was made to."""
    configured = urlsplit(settings.BASE_URL)
    if configured.netloc and request.get_host() == configured.netloc:
        return settings.BASE_URL.rstrip("/")
    return request.build_absolute_uri("/").rstrip("/")


def is_https(request) -> bool:
    return request.is_secure() or public_base(request).startswith("https://")


def set_frame_cookie(request, response, name: str, value: str, **attrs) -> None:
    """Set a cookie that must work inside the partner's iframe.

    Over https it is ``SameSite=None; Secure; Partitioned``: sent in the cross-site frame, and, being partitioned
    by the top-level site (CHIPS), kept by browsers that block ordinary third-party cookies. Over plain http (a
    developer's machine) it is an ordinary ``SameSite=Lax`` cookie.
    """
    secure = is_https(request)
    response.set_cookie(name, value, secure=secure, samesite="None" if secure else "Lax", **attrs)
    if secure:
        morsel = _PartitionedMorsel()
        morsel.update(response.cookies[name])
        morsel.set(name, response.cookies[name].value, response.cookies[name].coded_value)
        dict.__setitem__(response.cookies, name, morsel)


def set_frame_cookies(request, response) -> None:
    """Set the session and CSRF cookies for the partner's iframe ourselves (:func:`set_frame_cookie`), then stop
    the session and CSRF middleware from setting them again with the site-wide attributes."""
    set_frame_cookie(request, response, settings.SESSION_COOKIE_NAME, request.session.session_key,
                     max_age=settings.SESSION_COOKIE_AGE, path=settings.SESSION_COOKIE_PATH, httponly=True)
    request.session.modified = False
    if request.META.get("CSRF_COOKIE"):
        set_frame_cookie(request, response, settings.CSRF_COOKIE_NAME, request.META["CSRF_COOKIE"],
                         max_age=settings.CSRF_COOKIE_AGE, path=settings.CSRF_COOKIE_PATH,
                         httponly=settings.CSRF_COOKIE_HTTPONLY)
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False


def embed_token(user, cohort_name_: str = "") -> str:
    """A signed, expiring credential for pages inside the iframe when the browser drops our cookies (read back by
    the authentication backend :class:`lti_bridge.auth.EmbedTokenBackend`)."""
    return signing.dumps({"u": user.pk, "c": cohort_name_}, salt=EMBED_SALT, compress=True)


def frame_ancestors(launch: Launch) -> list[str]:
    """Origins that may frame our pages for this launch: the platform's issuer, login and return URL hosts."""
    urls = [launch.platform.issuer, launch.platform.auth_login_url]
    presentation = launch.claims.get("https://purl.imsglobal.org/spec/lti/claim/launch_presentation")
    if isinstance(presentation, dict) and isinstance(presentation.get("return_url"), str):
        urls.append(presentation["return_url"])
    dl = launch.deep_linking_settings
    if isinstance(dl.get("deep_link_return_url"), str):
        urls.append(dl["deep_link_return_url"])
    return origins_of(*urls)


def _safe_origin(origin: str) -> bool:
    return all(c not in origin for c in " ;,'\"\n\r")


def allow_framing(response, origins: list[str]) -> None:
    """Let the platform (and only it) frame this response: the site's Content-Security-Policy (django-csp,
    see settings) with its ``frame-ancestors`` replaced; ``["*"]`` lets any page frame it."""
    response.xframe_options_exempt = True
    response._csp_replace = {"frame-ancestors": origins if origins == ["*"] else ["'self'", *origins]}


def origins_of(*urls: str) -> list[str]:
    """The distinct, well-formed http(s) origins of ``urls``."""
    origins = []
    for url in urls:
        parts = urlsplit(url or "")
        origin = f"{parts.scheme}://{parts.netloc}"
        if parts.scheme in ("http", "https") and parts.netloc and _safe_origin(origin) and origin not in origins:
            origins.append(origin)
    return origins
