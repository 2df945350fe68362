"""The learner's own records to take away: their signed Comprehensive Learner Record (CLR 2.0)."""
from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from caregiving_course.learner_record import api
from sync.issuer.clr import MEDIA_TYPE, EmptyRecord, learner_clr


@require_GET
@login_required
def clr_download(request: HttpRequest) -> HttpResponse:
    """The signed-in learner's own CLR as a JSON download (never anyone else's: there is no parameter)."""
    learner = api.learner_for_user(request.user)
    try:
        document = learner_clr(learner)
    except EmptyRecord:
        return HttpResponse(_("There is nothing on your record yet: complete a module first."), status=404,
                            content_type="text/plain; charset=utf-8")
    response = HttpResponse(json.dumps(document, ensure_ascii=False, indent=2), content_type=MEDIA_TYPE)
    response["Content-Disposition"] = 'attachment; filename="learner-record-clr.json"'
    response["Cache-Control"] = "no-store"
    return response
