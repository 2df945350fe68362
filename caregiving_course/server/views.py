"""Home page (the course at a glance) and local sign-up. Sign-in and sign-out are Django's own views."""
from __future__ import annotations

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from caregiving_course.framework import default_course
from caregiving_course.learner_record import api
from caregiving_course.server.forms import SignupForm

MODEL_BACKEND = "caregiving_course.server.auth.FastModelBackend"  # the session's backend (the embed one is per request)


def home(request: HttpRequest) -> HttpResponse:
    course = default_course()
    return render(request, "caregiving/home.html", {"course": course, "credentials": course.credentials})


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = api.add_user(data["email"], api.LEARNER, password=data["password"], name=data["name"])
        login(request, user, backend=MODEL_BACKEND)
        return redirect("/course/")
    return render(request, "caregiving/signup.html", {"form": form}, status=400 if form.errors else 200)
