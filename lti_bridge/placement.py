"""Choosing the module of a resource link placed without one (a link added by hand, not by deep linking).

An instructor's launch on such a link shows a picker above the dashboard; the choice travels back with a signed,
expiring ticket naming the link and the instructor (nothing in the browser can change which link it sets), and sets
the module the link's learners open, as a deep-linking response would have.
"""
from __future__ import annotations

from django.core import signing

from caregiving_course.framework import catalogue
from lti_bridge import courses
from lti_bridge.launch import Launch, LaunchError
from lti_bridge.models import ResourceLink

TICKET_SALT = "lti_bridge.placement.v1"
TICKET_MAX_AGE = 3600
PRESENTATION = "https://purl.imsglobal.org/spec/lti/claim/launch_presentation"


def launch_language(launch: Launch) -> str:
    """The supported language of the launch's ``launch_presentation.locale`` (``fr-CA`` -> ``fr``), or ''."""
    from django.conf import settings

    presentation = launch.claims.get(PRESENTATION)
    locale = presentation.get("locale") if isinstance(presentation, dict) else None
    if not isinstance(locale, str):
        return ""
    code = locale.replace("_", "-").split("-")[0].lower()
    return code if code in dict(settings.LANGUAGES) else ""


def choice(link: ResourceLink, user) -> dict:
    """What the instructor's form for choosing the link's module shows (``lti_bridge/place_picker.html``): the
    modules of the courses the link's platform may use, by course."""
    ticket = signing.dumps({"link": link.pk, "user": user.pk}, salt=TICKET_SALT, compress=True)
    return {"courses": courses.grouped_modules(link.deployment.platform), "ticket": ticket, "title": link.title}


def place(ticket: str, module_id: str) -> ResourceLink:
    """Set the module of the link named by ``ticket``; raises :class:`LaunchError` (4xx) when it cannot."""
    try:
        data = signing.loads(ticket, salt=TICKET_SALT, max_age=TICKET_MAX_AGE)
    except signing.BadSignature as exc:
        raise LaunchError("this form has expired or was altered; open the activity again from your course",
                          status=403) from exc
    if not catalogue().has_module(module_id):
        raise LaunchError("choose one of the course's modules")
    link = ResourceLink.objects.select_related("deployment__platform").filter(pk=data.get("link")).first()
    if link is not None:
        courses.check_module(link.deployment.platform, module_id)
    if not ResourceLink.objects.filter(pk=data.get("link"), module_id="").update(module_id=module_id):
        raise LaunchError("this activity already has its module, or is no longer registered; open it again from "
                          "your course", status=409)
    return ResourceLink.objects.get(pk=data["link"])
