"""LTI 1.1 launch endpoint: ``POST /lti/1.1/launch/<module id>/`` (one URL per module, given to the consumer).

A valid launch signs the learner in and shows the module inside the consumer's frame (session
cookie and framing as for LTI 1.3 launches, see :mod:`lti_bridge.embed`); an invalid one gets the
LTI error page with a 4xx status saying what was wrong, and creates no session.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from caregiving_course.framework import catalogue
from lti_bridge import courses, embed, lti11
from lti_bridge.views import MODULE_BLOCK, refuse


@csrf_exempt  # a cross-site form POST from the consumer, authenticated by its OAuth signature
@never_cache
@require_POST
def launch(request: HttpRequest, module_id: str) -> HttpResponse:
    course = catalogue()
    if not course.has_module(module_id):
        return refuse(request, _("There is no module %(module)s in this course.") % {"module": module_id[:64]}, 404)
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not declared.isdigit() or int(declared) > lti11.MAX_LAUNCH_BYTES:
        return refuse(request, _("The launch is too large."), 413)
    try:
        checked = lti11.validate_launch(request.build_absolute_uri(), request.body, request.content_type or "")
        if not courses.may_use(checked.consumer, module_id):  # refused before anything is recorded
            title = course.module_course(module_id).text(get_language())[0]
            raise lti11.LaunchError(_("This module belongs to the course “%(course)s”, which this platform may "
                                      "not use. Ask the tool's administrator to allow the course for your "
                                      "platform.") % {"course": title}, 403)
        learner = lti11.record_launch(checked, module_id)
    except lti11.LaunchError as exc:
        return refuse(request, exc.message, exc.status)
    embed.sign_in(request, learner.user)
    from xblocks.runtime import render_block

    module = course.localized_module(module_id, get_language())
    rendered = render_block(request, MODULE_BLOCK, {"module_id": module_id, "display_name": module.title},
                            learner=learner, channel="lti")
    response = render(request, "xblocks/block_frame.html", {"xblock": rendered, "title": module.title})
    embed.allow_framing(response, _origins(checked))
    embed.set_frame_cookies(request, response)
    return response


def _origins(launch: lti11.Lti11Launch) -> list[str]:
    """The consumer's origins (from the URLs its launch carries), which may frame the module."""
    origins = []
    for url in (launch.return_url, launch.outcome_url):
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if parts.scheme in ("http", "https") and parts.netloc and origin not in origins \
                and not any(c in origin for c in " ;,'\"\n\r"):
            origins.append(origin)
    return origins
