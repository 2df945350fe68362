"""Who may use the administration pages: active administrators (superusers) only."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def administrators_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous people are sent to sign in; signed-in people who are not administrators get a 403 page."""

    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (user.is_active and user.is_superuser):
            return refuse(request, _("Only administrators may open these pages."), 403)
        return view(request, *args, **kwargs)

    return guarded


def refuse(request: HttpRequest, reason: str, status: int = 400) -> HttpResponse:
    """A page in the site's layout that says why the request was refused, with a 4xx status."""
    return render(request, "caregiving/manage/refused.html", {"reason": reason, "status": status}, status=status)
