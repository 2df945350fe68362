"""Offerings (cohorts as offerings of courses): list them with their enrolment codes, create one, change one,
regenerate a code. The same as ``caregiving cohort add|change|list|code``."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from caregiving_course.framework import catalogue
from caregiving_course.manage.access import administrators_only, refuse
from caregiving_course.server.catalogue_page import DELIVERY_NAMES


class FieldError(Exception):
    """A field of the form is wrong: answered 400 with the reason."""


def _date(request: HttpRequest, field: str) -> dt.date | None:
    text = request.POST.get(field, "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise FieldError(_("Give dates as year-month-day, for example 2026-09-01.")) from None


def _fields(request: HttpRequest) -> dict:
    """The offering's fields from the form; FieldError says what is wrong."""
    courses = request.POST.getlist("courses")
    known = catalogue()
    if not courses or not all(known.has_course(c) for c in courses):
        raise FieldError(_("Choose at least one course of the catalogue."))
    delivery = request.POST.get("delivery", "")
    if delivery not in DELIVERY_NAMES:
        raise FieldError(_("Choose how the offering is delivered."))
    starts, ends = _date(request, "starts"), _date(request, "ends")
    if starts and ends and ends < starts:
        raise FieldError(_("An offering cannot end before it starts."))
    return {"courses": courses, "title": request.POST.get("title", "").strip()[:200], "starts_on": starts,
            "ends_on": ends, "delivery": delivery, "open_enrolment": request.POST.get("open") == "yes"}


def _course_titles() -> dict[str, str]:
    """Each course's id and title in the reader's language, in the catalogue's order."""
    language = get_language()
    return {c.id: c.text(language)[0] for c in catalogue().courses}


def _offering(api, cohort: str):
    """The offering named ``cohort``, or None when there is none."""
    try:
        return api.get_offering(cohort)
    except api.RecordError:
        return None


def _row(api, cohort, titles: dict) -> dict:
    return {"cohort": cohort, "courses": [titles.get(c, c) for c in cohort.courses],
            "delivery": DELIVERY_NAMES.get(cohort.delivery, cohort.delivery),
            "code": api.format_code(cohort.enrolment_code), "link": f"/enrol/{cohort.enrolment_code}/",
            "instructors": sorted(u.get_username() for u in cohort.instructors.all())}


@require_http_methods(["GET", "POST"])
@administrators_only
def offering_list(request: HttpRequest) -> HttpResponse:
    """GET lists every offering; POST creates one."""
    from caregiving_course.learner_record import api

    if request.method == "POST":
        name = request.POST.get("name", "").strip()
        try:
            fields = _fields(request)
            api.check_cohort_name(name)
        except FieldError as error:
            return refuse(request, str(error))
        except api.RecordError:
            return refuse(request, _("A cohort name has 1 to 80 letters, digits, hyphens or underscores."))
        if api.cohort_exists(name):
            return refuse(request, _("There is already an offering with this name."), 409)
        api.create_offering(name, **fields)
        messages.success(request, _("Offering %(name)s created.") % {"name": name})
        return redirect("manage:offerings")
    titles = _course_titles()
    return render(request, "caregiving/manage/offerings.html", {
        "rows": [_row(api, c, titles) for c in api.all_offerings()], "courses": titles.items(),
        "deliveries": DELIVERY_NAMES.items()})


@require_http_methods(["GET", "POST"])
@administrators_only
def offering_edit(request: HttpRequest, cohort: str) -> HttpResponse:
    """GET the form for one offering; POST saves it."""
    from caregiving_course.learner_record import api

    offering = _offering(api, cohort)
    if offering is None:
        return refuse(request, _("There is no offering with this name."), 404)
    if request.method == "POST":
        try:
            fields = _fields(request)
        except FieldError as error:
            return refuse(request, str(error))
        api.change_offering(cohort, **fields)
        messages.success(request, _("Offering %(name)s saved.") % {"name": cohort})
        return redirect("manage:offerings")
    titles = _course_titles()
    return render(request, "caregiving/manage/offering_edit.html", {
        "row": _row(api, offering, titles), "courses": titles.items(), "deliveries": DELIVERY_NAMES.items()})


@require_POST
@administrators_only
def regenerate(request: HttpRequest, cohort: str) -> HttpResponse:
    """Give the offering a new enrolment code (the old one stops working)."""
    from caregiving_course.learner_record import api

    offering = _offering(api, cohort)
    if offering is None:
        return refuse(request, _("There is no offering with this name."), 404)
    code = api.regenerate_code(offering)
    messages.success(request, _("Offering %(name)s has a new enrolment code: %(code)s. The old code no longer "
                                "works.") % {"name": cohort, "code": api.format_code(code)})
    return redirect("manage:offerings")
