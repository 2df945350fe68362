"""Home page (the course at a glance) and local sign-up. Sign-in and sign-out are Django's own views.

Sign-up answers the same whether or not the address already has an account (so nobody can learn who has
one): it creates the account when the address is new, leaves an existing one untouched, and in both cases
sends the reader to sign in with the password they chose.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from caregiving_course.framework import catalogue
from caregiving_course.learner_record import api
from caregiving_course.server.forms import SignupForm


def home(request: HttpRequest) -> HttpResponse:
    """The course at a glance, in the reader's language; what has no translation carries its own ``lang``."""
    course = catalogue()
    language = get_language()
    title, description = course.text(language)
    shown = [(course.localized(item, language), course.language_of(item, language))
             for item in (*course.modules, *course.credentials)]
    return render(request, "caregiving/home.html", {
        "course": course, "title": title, "description": description, "lang": course.language_of(None, language),
        "modules": [{"item": m, "lang": lang} for m, lang in shown[:len(course.modules)]],
        "credentials": [{"item": c, "lang": lang} for c, lang in shown[len(course.modules):]]})


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if get_user_model().objects.filter(username=data["email"]).exists():
            make_password(data["password"])  # as long as creating an account takes
        else:
            api.add_user(data["email"], api.LEARNER, cohort=settings.SIGNUP_COHORT, password=data["password"],
                         name=data["name"])
        messages.info(request, _("Your account is ready if this address did not have one. Sign in with your "
                                 "e-mail address and password. If the address already had an account, sign in "
                                 "with that account's password."))
        return redirect("/accounts/login/?next=/course/")
    return render(request, "caregiving/signup.html", {"form": form}, status=400 if form.errors else 200)
