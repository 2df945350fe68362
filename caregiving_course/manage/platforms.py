"""Partner platforms: the registered ones, a registration URL to paste into a new one, the courses each may use,
removal."""
from __future__ import annotations

import os

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caregiving_course.manage.access import administrators_only, refuse

MAX_LABEL = 200


def _page(request: HttpRequest, **extra) -> HttpResponse:
    from lti_bridge import courses
    from lti_bridge.models import Platform

    rows = list(Platform.objects.order_by("name").prefetch_related("deployments"))
    for row in rows:
        row.courses_shown = None if row.all_courses else [_title(c) for c in courses.allowed_courses(row)]
    return render(request, "caregiving/manage/platforms.html", {
        "platforms": rows, "base_url_set": bool(os.environ.get("CAREGIVING_BASE_URL", "").strip()),
        "base_url": settings.BASE_URL, **extra}, status=extra.pop("status", 200))


@require_GET
@administrators_only
def platform_list(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@administrators_only
def invite(request: HttpRequest) -> HttpResponse:
    """A Dynamic Registration URL for the partner's administrator to paste into their platform."""
    from lti_bridge import registration

    label = request.POST.get("label", "").strip()
    if len(label) > MAX_LABEL:
        return refuse(request, _("The platform's name may have at most %(n)d characters.") % {"n": MAX_LABEL})
    return _page(request, invitation=registration.invitation_url(settings.BASE_URL, label=label), label=label)


def _title(course) -> str:
    return course.text(get_language())[0]


@require_http_methods(["GET", "POST"])
@administrators_only
def choose_courses(request: HttpRequest, platform_id: int) -> HttpResponse:
    """GET shows the courses the platform may use; POST saves the choice: every course (those added later too),
    or the ones ticked."""
    from caregiving_course.framework import catalogue
    from lti_bridge import courses
    from lti_bridge.models import Platform

    platform = Platform.objects.filter(pk=platform_id).first()
    if platform is None:
        return refuse(request, _("There is no such platform; it may have been removed already."), 404)
    if request.method == "POST":
        every = request.POST.get("scope") == "all"
        if not every and request.POST.get("scope") != "chosen":
            return refuse(request, _("Choose every course, or the courses ticked."))
        try:
            courses.choose(platform, None if every else request.POST.getlist("course")[:200])
        except ValueError:
            return refuse(request, _("One of the courses ticked is no longer in the catalogue; open the page again."))
        platform.save(update_fields=["all_courses", "course_ids"])
        messages.success(request, _("The courses %(name)s may use are saved.") % {"name": platform.name})
        return redirect("manage:platforms")
    chosen = set(platform.course_ids or [])
    return render(request, "caregiving/manage/platform_courses.html", {
        "platform": platform, "courses": [{"id": c.id, "title": _title(c), "lang": c.language_of(None, get_language()),
                                           "chosen": platform.all_courses or c.id in chosen}
                                          for c in catalogue().courses]})


@require_http_methods(["GET", "POST"])
@administrators_only
def remove(request: HttpRequest, platform_id: int) -> HttpResponse:
    """GET asks to confirm; POST removes the platform with its deployments and resource links."""
    from lti_bridge.models import Platform

    platform = Platform.objects.filter(pk=platform_id).first()
    if platform is None:
        return refuse(request, _("There is no such platform; it may have been removed already."), 404)
    if request.method == "GET":
        return render(request, "caregiving/manage/platform_remove.html", {"platform": platform})
    name = platform.name
    platform.delete()
    messages.success(request, _("%(name)s was removed; its launches no longer open this course.") % {"name": name})
    return redirect("manage:platforms")
