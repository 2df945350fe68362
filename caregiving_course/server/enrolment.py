"""Learners enrolling themselves: in an open offering from the catalogue page, or in a partner's offering with the
enrolment code (or link) its instructor shares.

Every change is a POST with its CSRF token; a GET shows what would happen. Someone not signed in is sent to sign
in (or sign up) and comes back. A refused request changes nothing and says why (4xx); enrolling twice is harmless.
Wrong codes count against the client's address (:mod:`code_throttle`).
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from caregiving_course.learner_record import api
from caregiving_course.server import code_throttle
from caregiving_course.server.catalogue_page import offering_row


def _refused(request: HttpRequest, title: str, reason: str, status: int) -> HttpResponse:
    response = render(request, "caregiving/enrol_refused.html", {"title": title, "reason": reason}, status=status)
    if status == 429:
        response["Retry-After"] = str(code_throttle.cooloff_seconds())
    return response


def _joined(request: HttpRequest, joined) -> HttpResponse:
    name = joined.cohort.title or joined.cohort.name
    if joined.new:
        messages.success(request, _("You are enrolled in %(offering)s.") % {"offering": name})
    else:
        messages.info(request, _("You were already enrolled in %(offering)s.") % {"offering": name})
    return redirect("/course/")


@require_POST
def enrol_open(request: HttpRequest) -> HttpResponse:
    """POST ``offering``: the signed-in learner enrols in that open offering."""
    if not request.user.is_authenticated:
        return redirect_to_login("/")
    try:
        joined = api.self_enrol(api.learner_for_user(request.user), request.POST.get("offering", "")[:80])
    except api.NotAllowed:
        return _refused(request, _("You cannot enrol in this offering"),
                        _("This offering is not open for enrolment, or it has ended. Choose an open offering "
                          "on the home page, or ask your instructor for an enrolment code."), 403)
    return _joined(request, joined)


def _wrong_code(request: HttpRequest) -> HttpResponse:
    code_throttle.count_failure(request)
    return _refused(request, _("This enrolment code does not work"),
                    _("No offering has this enrolment code. Check the code your instructor gave you (letters and "
                      "digits, in groups of four), or ask them for the enrolment link."), 404)


def _too_many(request: HttpRequest) -> HttpResponse:
    minutes = max(1, code_throttle.cooloff_seconds() // 60)
    return _refused(request, _("Too many attempts"),
                    _("Too many wrong enrolment codes were tried from this connection. Wait %(minutes)s minutes, "
                      "then try again.") % {"minutes": minutes}, 429)


@require_http_methods(["GET", "POST"])
def enrol_with_code(request: HttpRequest) -> HttpResponse:
    """GET: the form asking for a code. POST ``code``: enrol the signed-in learner in its offering."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.path)
    if request.method == "GET":
        return render(request, "caregiving/enrol_code.html", {})
    if code_throttle.is_blocked(request):
        return _too_many(request)
    code = request.POST.get("code", "")
    if not code.strip():
        return render(request, "caregiving/enrol_code.html", {"error": _("Enter the enrolment code.")}, status=400)
    try:
        joined = api.enrol_by_code(api.learner_for_user(request.user), code)
    except api.RecordError:
        return _wrong_code(request)
    return _joined(request, joined)


@require_http_methods(["GET", "POST"])
def enrol_link(request: HttpRequest, code: str) -> HttpResponse:
    """The link an instructor shares: GET names the offering and asks to confirm; POST enrols."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.path)
    if code_throttle.is_blocked(request):
        return _too_many(request)
    cohort = api.offering_by_code(code)
    if cohort is None:
        return _wrong_code(request)
    if request.method == "GET":
        return render(request, "caregiving/enrol_confirm.html", {
            "offering": offering_row(cohort, {c.pk for c in api.offerings_of(api.learner_for_user(request.user))}),
            "code": code})
    return _joined(request, api.enrol_by_code(api.learner_for_user(request.user), code))
