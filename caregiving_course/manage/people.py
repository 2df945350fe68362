"""People and roles: every account with its role and cohorts; change a role or add a cohort."""
from __future__ import annotations

import re

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from caregiving_course.manage.access import administrators_only, refuse

PAGE = 50
ROLE_NAMES = {"learner": gettext_lazy("learner"), "instructor": gettext_lazy("instructor"),
              "administrator": gettext_lazy("administrator")}
COHORT_NAME = re.compile(r"^[-a-zA-Z0-9_]{1,80}$")


@require_http_methods(["GET", "POST"])
@administrators_only
def people_list(request: HttpRequest) -> HttpResponse:
    """GET lists accounts (``q`` searches e-mails); POST changes one account's role and/or adds it to a cohort."""
    from caregiving_course.learner_record import api

    if request.method == "POST":
        return _change(request)
    from django.contrib.auth import get_user_model

    query = request.GET.get("q", "").strip()[:254]
    users = get_user_model().objects.order_by("username").prefetch_related("taught_cohorts",
                                                                           "learner__enrolments__cohort")
    if query:
        users = users.filter(username__icontains=query)
    page = Paginator(users, PAGE).get_page(request.GET.get("page"))
    rows = []
    for user in page:
        learner = getattr(user, "learner", None)
        cohorts = {c.name for c in user.taught_cohorts.all()}
        cohorts |= {e.cohort.name for e in learner.enrolments.all()} if learner else set()
        rows.append({"user": user, "role": ROLE_NAMES[api.role_of(user)], "cohorts": sorted(cohorts)})
    return render(request, "caregiving/manage/people.html", {"rows": rows, "page": page, "q": query,
                                                            "roles": ROLE_NAMES.items()})


def _change(request: HttpRequest) -> HttpResponse:
    from django.contrib.auth import get_user_model

    from caregiving_course.learner_record import api

    email = request.POST.get("email", "").strip().lower()
    role = request.POST.get("role", "") or None
    cohort = request.POST.get("cohort", "").strip() or None
    user = get_user_model().objects.filter(username=email).first() if email else None
    if user is None:
        return refuse(request, _("There is no account with this e-mail address."), 404)
    if role is not None and role not in ROLE_NAMES:
        return refuse(request, _("Choose a role from the list."))
    if cohort is not None and not COHORT_NAME.match(cohort):
        return refuse(request, _("A cohort name has 1 to 80 letters, digits, hyphens or underscores."))
    if role == api.INSTRUCTOR and not cohort and api.role_of(user) != api.INSTRUCTOR:
        return refuse(request, _("An instructor needs a cohort to teach: give its name."))
    if user.pk == request.user.pk and role not in (None, api.ADMINISTRATOR):
        return refuse(request, _("You cannot take away your own administrator role."), 409)
    changed = api.change_user(email, role=role, cohort=cohort)
    user.refresh_from_db()
    if changed:
        messages.success(request, _("Saved: %(email)s is now %(role)s.") % {
            "email": email, "role": ROLE_NAMES[api.role_of(user)]}
            + (" " + _("Cohort %(cohort)s added.") % {"cohort": cohort} if cohort else ""))
    else:
        messages.info(request, _("%(email)s: nothing to change.") % {"email": email})
    return redirect(f"{request.path}?q={email}")
