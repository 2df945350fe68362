"""Deep Linking 2.0: the instructor picks modules; we answer with a signed ``LtiDeepLinkingResponse``.

The request's settings travel from the launch to the picker form as a signed, expiring ticket (nothing in the
browser can change them). The response honours ``accept_types`` (we offer ``ltiResourceLink`` only),
``accept_multiple``, ``accept_lineitem`` and echoes ``data`` unchanged (Deep Linking 2.0, sections 4.4 and 4.5).
"""
from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from django.core import signing

from caregiving_course.framework import Catalogue, Course
from lti_bridge import keys
from lti_bridge.launch import DL, LTI, Launch, LaunchError
from lti_bridge.models import Platform

TICKET_SALT = "lti_bridge.deep_linking.v1"
TICKET_MAX_AGE = 3600
RESPONSE_LIFETIME = 600  # seconds; well under keys.MAX_SIGNED_LIFETIME
LINK_TYPE = "ltiResourceLink"
SCORE_MAXIMUM = 100


@dataclass(frozen=True)
class Request:
    """The deep-linking settings of a launch, as the picker needs them."""

    platform_id: int
    deployment_id: str
    return_url: str
    accept_multiple: bool
    accept_lineitem: bool
    data: str | None
    user_id: int

    def ticket(self) -> str:
        return signing.dumps(self.__dict__, salt=TICKET_SALT, compress=True)

    @classmethod
    def from_ticket(cls, ticket: str) -> Request:
        try:
            return cls(**signing.loads(ticket, salt=TICKET_SALT, max_age=TICKET_MAX_AGE))
        except (signing.BadSignature, TypeError) as exc:
            raise LaunchError("the content selection form has expired or was altered; start again from the course",
                              status=403) from exc


def request_from_launch(launch: Launch, user) -> Request:
    """Check a deep-linking launch is one we can answer; raises :class:`LaunchError` otherwise."""
    if not launch.is_staff:
        raise LaunchError("only instructors can add content from this tool", status=403)
    settings_claim = launch.deep_linking_settings
    if LINK_TYPE not in settings_claim.get("accept_types", []):
        raise LaunchError("the platform does not accept LTI resource links here, the only content this tool offers")
    data = settings_claim.get("data")
    return Request(platform_id=launch.platform.pk, deployment_id=launch.deployment_id,
                   return_url=settings_claim["deep_link_return_url"],
                   accept_multiple=settings_claim.get("accept_multiple", True) is not False,
                   accept_lineitem=settings_claim.get("accept_lineitem", True) is not False,
                   data=data if isinstance(data, str) else None, user_id=user.pk)


def content_item(course: Catalogue, module_id: str, launch_url: str, accept_lineitem: bool) -> dict:
    """The ``ltiResourceLink`` of one module: its custom parameters name the module and its course; its line item
    is titled as the module, identified by the module's id (unique across the catalogue) and tagged with the
    module's course id."""
    module, owner = course.module(module_id), course.module_course(module_id)
    item = {
        "type": LINK_TYPE, "title": module.title, "text": "; ".join(module.outcomes)[:1000],
        "url": launch_url, "custom": {"module_id": module.id, "course_id": owner.id, "hours": str(module.hours)},
    }
    if accept_lineitem:
        item["lineItem"] = {"label": module.title, "scoreMaximum": SCORE_MAXIMUM, "resourceId": module.id,
                            "tag": owner.id}
    return item


def selected_modules(allowed: tuple[Course, ...], request: Request, chosen: list[str],
                     whole_courses: list[str]) -> list[str]:
    """The module ids to link: those ``chosen`` and every module of the ``whole_courses`` (course ids), checked
    against the courses the platform may use (``allowed``) and ``accept_multiple``."""
    modules = {m.id for c in allowed for m in c.modules}
    courses = {c.id: c for c in allowed}
    unknown_courses = [i for i in whole_courses if i not in courses]
    if unknown_courses:
        raise LaunchError(f"this platform may not use a course {unknown_courses[0]!r}", status=403)
    ids = chosen + [m.id for i in whole_courses for m in courses[i].modules]
    if not ids:
        raise LaunchError("choose at least one module")
    unknown = [i for i in ids if i not in modules]
    if unknown:
        raise LaunchError(f"unknown module {unknown[0]!r} (or of a course this platform may not use)")
    ids = list(dict.fromkeys(ids))
    if len(ids) > 1 and not request.accept_multiple:
        raise LaunchError("this platform accepts one item here; choose a single module")
    return ids


def response_jwt(request: Request, items: list[dict], *, now: float | None = None) -> str:
    """The signed ``LtiDeepLinkingResponse`` (Deep Linking 2.0 section 4.2) for the platform."""
    platform = Platform.objects.get(pk=request.platform_id)
    now = int(time.time() if now is None else now)
    claims = {
        "iss": platform.client_id, "aud": platform.issuer, "azp": platform.client_id,
        "iat": now, "exp": now + RESPONSE_LIFETIME, "nonce": secrets.token_urlsafe(16),
        LTI + "deployment_id": request.deployment_id, LTI + "message_type": "LtiDeepLinkingResponse",
        LTI + "version": "1.3.0", DL + "content_items": items,
    }
    if request.data is not None:
        claims[DL + "data"] = request.data
    return keys.signing_key().sign(claims, headers={"typ": "JWT"})
