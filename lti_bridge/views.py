"""HTTP endpoints of the LTI 1.3 tool: login, launch, key set, deep linking, dynamic registration.

Every refusal is a 4xx page that says what was wrong (:func:`refuse`); a refused launch creates no session, no
cookie and no row. A learner's launch on a link with no module chosen yet is accepted with a page that says so
(and also leaves nothing behind); an instructor's launch there chooses the module (:mod:`lti_bridge.placement`).
"""
from __future__ import annotations

import logging

from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caregiving_course.framework import catalogue
from lti_bridge import courses, deep_linking, embed, keys, oidc, placement, registration
from lti_bridge.launch import DEEP_LINKING_REQUEST, Launch, LaunchError, validate_id_token
from lti_bridge.models import Platform, ResourceLink

log = logging.getLogger(__name__)
MODULE_BLOCK = "caregiving_module"
DASHBOARD_BLOCK = "caregiving_dashboard"


def launch_url(request) -> str:
    return embed.public_base(request) + "/lti/launch"


def refuse(request, error: LaunchError | str, status: int = 400) -> HttpResponse:
    """A page that says what was wrong, with a 4xx status; framing allowed so the platform can show it."""
    reason, status = (str(error), error.status) if isinstance(error, LaunchError) else (error, status)
    log.info("LTI request refused (%s): %s", status, reason)
    response = render(request, "lti_bridge/error.html", {"reason": reason, "status": status}, status=status)
    embed.allow_framing(response, ["*"])
    return response


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def login(request) -> HttpResponse:
    """OIDC third-party login initiation, by GET or POST."""
    params = request.GET if request.method == "GET" else request.POST
    try:
        start = oidc.begin_login(params, launch_url=launch_url(request))
    except LaunchError as exc:
        return refuse(request, exc)
    response = HttpResponseRedirect(start.redirect_url)
    embed.set_frame_cookie(request, response, start.cookie_name, start.cookie_value, max_age=start.max_age,
                           path="/lti/", httponly=True)
    return response


@csrf_exempt
@never_cache
@require_POST
def launch(request) -> HttpResponse:
    """The platform's authentication response: validate, sign in, then show the module, dashboard or picker."""
    try:
        launch_ = validate_id_token(request.POST.get("id_token"))
        oidc.finish_login(request.POST.get("state", ""), cookies=request.COOKIES, platform=launch_.platform,
                          nonce=launch_.nonce)
        if launch_.message_type == DEEP_LINKING_REQUEST:
            return _deep_linking(request, launch_)
        return _resource_link(request, launch_)
    except LaunchError as exc:
        return refuse(request, exc)


def _module_for(launch_: Launch) -> str:
    course = catalogue()
    wanted = launch_.custom.get("module_id", "")
    if course.has_module(wanted):
        return wanted
    link = ResourceLink.objects.filter(deployment__platform=launch_.platform,
                                       deployment__deployment_id=launch_.deployment_id,
                                       resource_link_id=launch_.resource_link["id"]).first()
    return link.module_id if link and course.has_module(link.module_id) else ""


def _framed(request, launch_: Launch, response: HttpResponse) -> HttpResponse:
    embed.allow_framing(response, embed.frame_ancestors(launch_))
    embed.set_frame_cookies(request, response)
    response["Referrer-Policy"] = "same-origin"
    return response


def _resource_link(request, launch_: Launch) -> HttpResponse:
    module_id = _module_for(launch_)
    if module_id:  # a module of a course the platform may not use: refused before anything is recorded
        courses.check_module(launch_.platform, module_id)
    elif not launch_.is_staff:
        return _not_placed_yet(request, launch_)
    user, learner, cohort, link = embed.record_launch(launch_, module_id)
    embed.sign_in(request, user)
    token = embed.embed_token(user, cohort.name)
    if launch_.is_staff:
        choose = placement.choice(link, user) if not module_id and link is not None else None
        return _framed(request, launch_, _dashboard_page(request, cohort, token, choose))
    from xblocks.runtime import render_block

    course = catalogue()
    module = course.localized_module(module_id, get_language())
    block = render_block(request, MODULE_BLOCK, {"module_id": module_id, "display_name": module.title},
                         learner=learner, channel="lti")
    response = render(request, "lti_bridge/embedded_block.html",
                      {"xblock": block, "title": module.title, "lti_session": token})
    return _framed(request, launch_, response)


def _not_placed_yet(request, launch_: Launch) -> HttpResponse:
    """A learner's valid launch on a link whose module is not chosen yet: a page that says so, in the learner's
    language, and nothing else (no account, session, cookie or row: the launch leaves nothing behind)."""
    with translation.override(placement.launch_language(launch_) or get_language()):
        response = render(request, "lti_bridge/not_placed.html")
    embed.allow_framing(response, embed.frame_ancestors(launch_))
    response["Referrer-Policy"] = "same-origin"
    return response


@csrf_exempt
@never_cache
@require_POST
def place(request) -> HttpResponse:
    """The instructor's choice of module for a link placed without one (what deep linking would have set)."""
    try:
        link = placement.place(request.POST.get("ticket", ""), request.POST.get("module", ""))
    except LaunchError as exc:
        return refuse(request, exc)
    response = render(request, "lti_bridge/placed.html", {
        "module": catalogue().localized_module(link.module_id, get_language())})
    response.xframe_options_exempt = True
    return response


def _dashboard_page(request, cohort, token: str, choose: dict | None = None) -> HttpResponse:
    """The instructor dashboard block, opened on the launch's cohort (its table, records, roster, CSV, chart);
    above it, on a link with no module yet, the choice of its module (``choose``, :func:`placement.choice`)."""
    from xblocks.runtime import render_block

    title = _("Instructor dashboard")
    block = render_block(request, DASHBOARD_BLOCK, {"display_name": title, "initial_cohort": cohort.name})
    return render(request, "lti_bridge/embedded_block.html", {"xblock": block, "title": title, "lti_session": token,
                                                              "choose": choose})


def _deep_linking(request, launch_: Launch) -> HttpResponse:
    with transaction.atomic():  # a refused request leaves no account behind
        user = embed.lti_user(launch_)
        dl_request = deep_linking.request_from_launch(launch_, user)
        grouped = courses.grouped_modules(launch_.platform)
        if not grouped:
            raise LaunchError(_("This platform may not use any of this tool's courses yet. Ask the tool's "
                                "administrator to allow a course for your platform."), status=403)
    embed.sign_in(request, user)
    response = render(request, "lti_bridge/deep_link_picker.html", {
        "courses": grouped, "ticket": dl_request.ticket(), "multiple": dl_request.accept_multiple})
    return _framed(request, launch_, response)


@csrf_exempt
@never_cache
@require_POST
def deep_link_respond(request) -> HttpResponse:
    """The picker's answer: sign the deep-linking response and post it to the platform."""
    try:
        dl_request = deep_linking.Request.from_ticket(request.POST.get("ticket", ""))
        platform = Platform.objects.filter(pk=dl_request.platform_id, active=True).first()
        if platform is None:
            raise LaunchError("this platform is no longer registered with this tool", status=403)
        course = catalogue()
        modules = deep_linking.selected_modules(courses.allowed_courses(platform), dl_request,
                                                request.POST.getlist("module")[:100],
                                                request.POST.getlist("whole_course")[:100])
        items = [deep_linking.content_item(course, m, launch_url(request), dl_request.accept_lineitem)
                 for m in modules]
        token = deep_linking.response_jwt(dl_request, items)
    except LaunchError as exc:
        return refuse(request, exc)
    response = render(request, "lti_bridge/autopost.html", {"action": dl_request.return_url, "jwt": token,
                                                            "count": len(items)})
    embed.allow_framing(response, embed.origins_of(dl_request.return_url))
    return response


@require_GET
def jwks(request) -> JsonResponse:
    """Our public key set (the platform verifies our deep-linking responses and client assertions)."""
    response = JsonResponse(keys.jwks())
    response["Cache-Control"] = "public, max-age=300"
    return response


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def register(request) -> HttpResponse:
    """LTI Dynamic Registration: GET shows what will be registered, POST registers (both need the invitation)."""
    params = request.GET if request.method == "GET" else request.POST
    try:
        invitation = registration.check_invitation(params.get("invite", ""))
        config_url = params.get("openid_configuration", "")
        if not config_url:
            return _registration_help(request)
        if request.method == "GET":
            config = registration.fetch_platform_configuration(config_url)
            response = render(request, "lti_bridge/register.html", {
                "config": config, "invite": params.get("invite"), "openid_configuration": config_url,
                "registration_token": params.get("registration_token", "")})
        else:
            registration.use_invitation(invitation)
            platform = registration.register(config_url, params.get("registration_token", ""),
                                             embed.public_base(request), label=invitation.get("label", ""))
            response = render(request, "lti_bridge/register_done.html", {"platform": platform})
    except registration.InvitationError as exc:
        return refuse(request, str(exc), 400)
    except registration.RegistrationError as exc:
        # what the platform (or the address given) answered goes to the log only: a browser learns nothing of it
        log.warning("dynamic registration refused (openid_configuration %r): %s", config_url[:500], exc)
        return refuse(request, _("The registration could not be completed. Ask this tool's administrator to "
                                 "look at the server log, then start the registration again from your platform."),
                      400)
    embed.allow_framing(response, embed.origins_of(config_url))  # the platform's registration page frames it
    return response


def _registration_help(request) -> HttpResponse:
    """A 400 page for a registration link opened in a browser (without the platform's openid_configuration):
    what the link is for and where to paste it."""
    return render(request, "lti_bridge/register_help.html", status=400)

