"""Pages of the course in our own server, the XBlock handler endpoint and the blocks' static files."""
from __future__ import annotations

import json
import mimetypes
from pathlib import Path

from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import get_user as signed_in_user
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from webob import Request
from xblock.core import XBlock
from xblock.django.request import django_to_webob_request, webob_to_django_response
from xblock.exceptions import DisallowedFileError, NoSuchHandlerError
from xblock.plugin import PluginMissingError

from caregiving_course.framework import catalogue
from caregiving_course.learner_record import api, xblock_services
from xblocks import heartbeat
from xblocks.runtime import CourseRuntime, is_staff_user, render_block

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_TYPES = {".js", ".css", ".svg", ".png", ".woff2"}
DASHBOARD_BLOCK = "caregiving_dashboard"
CSRF_CHECK = CsrfViewMiddleware(lambda request: None)  # stateless, as the one Django's middleware chain holds


def block_page(request: HttpRequest, block_type: str, fields: dict, *, title: str,
               template: str = "xblocks/block_page.html", extra: dict | None = None, learner=None) -> HttpResponse:
    """A page (extending caregiving/base.html) showing one block for the request's user."""
    block = render_block(request, block_type, fields, learner=learner)
    return render(request, template, {"xblock": block, "title": title, **(extra or {})})


@login_required
def course_index(request: HttpRequest) -> HttpResponse:
    """Every course the learner's offerings offer (the whole catalogue when they have none), each with its
    modules and where the learner stands in them."""
    learner = api.learner_for_user(request.user)
    course = api.learner_course(learner)
    progress = {m.module_id: m for m in api.progress(learner, course=course).modules}
    language = get_language()
    courses = []
    for one in course.courses:
        title, description = one.text(language)
        courses.append({"id": one.id, "title": title, "description": description,
                        "lang": one.language_of(None, language),
                        "modules": [_module_row(progress[m.id], one, language) for m in one.modules]})
    return render(request, "xblocks/course.html", {"courses": courses})


def _module_row(m, course, language: str) -> dict:
    if m.completed_at:
        status = _("Completed")
    elif m.seconds or m.sections_viewed or m.best_score is not None:
        status = _("In progress")
    else:
        status = _("Not started")
    return {"id": m.module_id, "title": course.localized_module(m.module_id, language).title, "status": status,
            "done": bool(m.completed_at), "hours": m.designed_hours, "minutes": m.seconds // 60,
            "lang": course.language_of(course.module(m.module_id), language)}


@login_required
def module_page(request: HttpRequest, module_id: str) -> HttpResponse:
    course = catalogue()
    if not course.has_module(module_id):
        raise Http404(_("There is no such module in the course."))
    own = course.module_course(module_id)  # previous and next within the module's own course
    shown = [own.localized(m, get_language()) for m in own.modules]  # in the learner's language
    at = [m.id for m in shown].index(module_id)
    module = shown[at]
    return block_page(request, "caregiving_module", {"module_id": module_id, "display_name": module.title},
                      title=module.title, extra={
                          "previous": shown[at - 1] if at > 0 else None,
                          "next": shown[at + 1] if at + 1 < len(shown) else None})


@login_required
def progress_page(request: HttpRequest) -> HttpResponse:
    learner = api.learner_for_user(request.user)
    return block_page(request, "caregiving_progress", {"display_name": _("My progress")}, title=_("My progress"),
                      template="xblocks/progress_page.html", extra={"show_name": learner.show_name_on_badges})


@login_required
@require_POST
def show_name(request: HttpRequest) -> HttpResponse:
    """The learner's choice to show their name on the public pages of their credentials (a form on My progress)."""
    choice = request.POST.get("show_name")
    if choice not in ("yes", "no"):
        return render(request, "xblocks/message.html", {"title": _("My progress"),
                                                         "message": _("Choose whether to show your name.")},
                      status=400)
    api.set_show_name_on_badges(api.learner_for_user(request.user), choice == "yes")
    messages.success(request, _("Your name is shown on your badges' pages.") if choice == "yes"
                     else _("Your name is not shown on your badges' pages."))
    return redirect("xblocks:progress")


@login_required
def dashboard_page(request: HttpRequest) -> HttpResponse:
    if not is_staff_user(request.user):
        return render(request, "xblocks/message.html", {
            "title": _("Instructor dashboard"),
            "message": _("The dashboard is for instructors and administrators.")}, status=403)
    try:
        XBlock.load_class(DASHBOARD_BLOCK)
    except PluginMissingError:
        return render(request, "xblocks/message.html", {
            "title": _("Instructor dashboard"), "message": _("The instructor dashboard is not installed.")})
    title = _("Instructor dashboard")  # the page's visible heading; the block adds none of its own here
    return block_page(request, DASHBOARD_BLOCK, {"display_name": ""}, title=title,
                      template="xblocks/dashboard_page.html")


@csrf_exempt  # the session path is checked below; a request authenticated otherwise carries its own credential
def handler(request: HttpRequest, token: str, handler_name: str, suffix: str = "") -> HttpResponse:
    """Run a block handler for the signed-in user who was shown the block (see xblocks.runtime).

    The module block's ``heartbeat``, the request every open module page sends every few seconds, is answered
    without building the block (see xblocks.heartbeat), after the same checks."""
    if request.method not in ("GET", "HEAD") and request.content_type != "application/json":
        # before anything reads the body: a form or multipart body would be parsed by the CSRF check
        return JsonResponse({"error": "send the handler's data as application/json"}, status=415)
    try:
        placement, user_pk, learner_pk = CourseRuntime.placement_from_token(token)
    except (signing.BadSignature, ValueError, TypeError):
        return JsonResponse({"error": "unknown block"}, status=404)
    user = request.user = signed_in_user(request)  # the user itself: the runtime reads it a dozen times
    if user.is_authenticated:
        if CSRF_CHECK.process_view(request, None, (), {}) is not None:
            return csrf_refused()
    else:
        # Without a session, the site's authentication backends may still know the request: inside a partner's
        # iframe that refused our cookies, the LTI bridge's backend reads the signed token the page sends in a
        # header no cross-site form can set (so that path needs no CSRF cookie).
        authenticated = authenticate(request)
        if authenticated is not None:
            user = request.user = authenticated
    if not user.is_authenticated:
        return JsonResponse({"error": "sign in to record your progress"}, status=403)
    if user_pk != user.pk:
        return JsonResponse({"error": "this block was shown to another user"}, status=403)
    try:
        learner = api.learner_by_id(learner_pk) if learner_pk is not None else None
    except api.RecordError:
        return JsonResponse({"error": "unknown block"}, status=404)
    if (placement.block_type, handler_name, suffix) == (heartbeat.BLOCK_TYPE, heartbeat.HANDLER, ""):
        return beat_answer(request, placement, learner)
    runtime = CourseRuntime(request, learner=learner)
    try:
        block = runtime.block(placement)
    except PluginMissingError:
        return JsonResponse({"error": "unknown block"}, status=404)
    try:
        result = runtime.handle(block, handler_name, django_to_webob_request(request), suffix)
    except NoSuchHandlerError:
        return JsonResponse({"error": f"no handler {handler_name!r}"}, status=404)
    return webob_to_django_response(result)


def csrf_refused() -> JsonResponse:
    """The handler's answer to a request whose CSRF check failed (a page opened before the token changed)."""
    return JsonResponse({"error": "the page is out of date: reload it and try again"}, status=403)


def beat_answer(request: HttpRequest, placement, learner) -> HttpResponse:
    """The module block's ``heartbeat`` for ``learner``, whose request passed every check, answered without
    building the block (:func:`xblocks.heartbeat.beat_response`; the block's ``status`` asked only when the
    module may complete)."""
    return heartbeat.beat_response(request, placement.fields, learner,
                                   lambda: _block_status(request, placement, learner),
                                   record=xblock_services.service(xblock_services.RECORD))


def _block_status(request: HttpRequest, placement, learner) -> dict:
    """The module block's ``status`` handler's answer for ``learner`` (see :func:`xblocks.heartbeat.beat_response`)."""
    runtime = CourseRuntime(request, learner=learner)
    block = runtime.block(placement)
    answer = runtime.handle(block, "status", Request.blank("/", POST=b"{}", content_type="application/json"))
    payload = json.loads(answer.body)
    if answer.status_code != 200:
        raise api.RecordError(payload.get("error", "the module's status could not be read"))
    return payload


def resource(request: HttpRequest, name: str) -> FileResponse:
    """A static file of our runtime (its JS runtime)."""
    if "\x00" in name:
        raise Http404(name)
    path = (STATIC_DIR / name).resolve()
    if not path.is_relative_to(STATIC_DIR) or path.suffix not in STATIC_TYPES or not path.is_file():
        raise Http404(name)
    response = FileResponse(path.open("rb"), content_type=mimetypes.guess_type(path.name)[0])
    response["Cache-Control"] = "public, max-age=3600"
    return response


def block_resource(request: HttpRequest, block_type: str, uri: str) -> HttpResponse:
    """A file of a block's public folder, as the block itself opens it (``XBlock.open_local_resource``)."""
    if Path(uri).suffix not in STATIC_TYPES:
        raise Http404(uri)
    try:
        opened = XBlock.load_class(block_type).open_local_resource(uri)
    except (PluginMissingError, DisallowedFileError, OSError):
        raise Http404(uri) from None
    with opened:
        response = HttpResponse(opened.read(), content_type=mimetypes.guess_type(uri)[0])
    response["Cache-Control"] = "public, max-age=3600"
    return response


def ping(request: HttpRequest) -> JsonResponse:
    """A trivial JSON answer: the ceiling the heartbeat benchmark compares against.

    With ``?user=1`` it also loads the signed-in user (session and user queries), to show how much
    of a handler's cost is authentication alone.
    """
    if request.GET.get("user"):
        return JsonResponse({"ok": True, "signed_in": request.user.is_authenticated})
    return JsonResponse({"ok": True})
