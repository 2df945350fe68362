"""Home page (the course at a glance) and local sign-up. Sign-in and sign-out are Django's own views."""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from caregiving_course.framework import default_course
from caregiving_course.learner_record import api
from caregiving_course.server.forms import SignupForm

MODEL_BACKEND = "caregiving_course.server.auth.FastModelBackend"  # the session's backend (the embed one is per request)


def home(request: HttpRequest) -> HttpResponse:
    """The course at a glance, in the reader's language; what has no translation carries its own ``lang``."""
    course = default_course()
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
        user = api.add_user(data["email"], api.LEARNER, cohort=settings.SIGNUP_COHORT, password=data["password"],
                            name=data["name"])
        login(request, user, backend=MODEL_BACKEND)
        return redirect("/course/")
    return render(request, "caregiving/signup.html", {"form": form}, status=400 if form.errors else 200)
