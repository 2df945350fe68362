"""``/manage/``: what needs an administrator's eye, with a way into each page."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from caregiving_course.manage.access import administrators_only
from caregiving_course.manage.issuer import TITLES


@require_GET
@administrators_only
def overview(request: HttpRequest) -> HttpResponse:
    from caregiving_course.learner_record import outbox
    from lti_bridge.models import Platform
    from sync import config

    return render(request, "caregiving/manage/overview.html", {
        "platforms": Platform.objects.count(), "counts": outbox.counts(),
        "issuer": TITLES.get(config.describe()["default"], config.describe()["default"])})
