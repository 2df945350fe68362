"""Deliveries to other systems (badges, scores): pending, dead-lettered with the platform's answer, retry."""
from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from caregiving_course.manage.access import administrators_only, refuse

ROWS = 50


@require_GET
@administrators_only
def delivery_list(request: HttpRequest) -> HttpResponse:
    from caregiving_course.learner_record import outbox

    return render(request, "caregiving/manage/deliveries.html", {
        "counts": outbox.counts(), "rows": ROWS,
        "sections": [(status, outbox.entries(status, limit=ROWS)) for status in ("dead", "pending", "done")]})


@require_POST
@administrators_only
def retry(request: HttpRequest, entry_id: int) -> HttpResponse:
    """Queue a dead-lettered delivery again (as ``caregiving sync retry`` does)."""
    from caregiving_course.learner_record import outbox
    from sync.delivery import mark_in_doubt

    entry = outbox.get(entry_id)
    if entry is None:
        return refuse(request, _("There is no such delivery."), 404)
    if entry.status != "dead":
        return refuse(request, _("This delivery is not dead-lettered, so there is nothing to retry."), 409)
    mark_in_doubt(entry.key, "retried by an administrator after: " + entry.last_error)
    outbox.retry(entry_id)
    messages.success(request, _("Delivery %(id)d is queued again; it is sent on the next delivery run.")
                     % {"id": entry_id})
    return redirect("manage:deliveries")
