"""Home page (the catalogue) and local sign-up. Sign-in and sign-out are Django's own views.

Sign-up answers the same whether or not the address already has an account (so nobody can learn who has
one): it creates the account when the address is new, leaves an existing one untouched, and in both cases
sends the reader to sign in with the password they chose. A new account joins the open offering the reader chose
(``?offering=NAME``), else one of the course they came for (``?course=ID``; the first course otherwise), so its
instructors follow them.
"""
from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from caregiving_course.framework import catalogue
from caregiving_course.learner_record import api
from caregiving_course.server.catalogue_page import catalogue_context
from caregiving_course.server.forms import SignupForm


def home(request: HttpRequest) -> HttpResponse:
    """The catalogue: every course, its modules, credentials and open offerings, in the reader's language."""
    return render(request, "caregiving/home.html", {"courses": catalogue_context(catalogue(), request.user)})


def safe_next(request: HttpRequest, default: str) -> str:
    """The ``next`` page a form or link names, when it is a page of this site; else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    return target if target and allowed else default


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if get_user_model().objects.filter(username=data["email"]).exists():
            make_password(data["password"])  # as long as creating an account takes
        else:
            offering = api.signup_offering(_given(request, "course"), settings.SIGNUP_COHORT,
                                           offering=_given(request, "offering"))
            api.add_user(data["email"], api.LEARNER, cohort=offering.name, password=data["password"],
                         name=data["name"])
        messages.info(request, _("Your account is ready if this address did not have one. Sign in with your "
                                 "e-mail address and password. If the address already had an account, sign in "
                                 "with that account's password."))
        return redirect(f"/accounts/login/?next={quote(safe_next(request, '/course/'), safe='/')}")
    return render(request, "caregiving/signup.html", {
        "form": form, "next": safe_next(request, ""), "course": _given(request, "course"),
        "offering": _given(request, "offering")}, status=400 if form.errors else 200)


def _given(request: HttpRequest, name: str) -> str:
    """A choice the catalogue page passed along (the course or offering the reader came for), '' when none."""
    return str(request.POST.get(name) or request.GET.get(name) or "")[:80]
