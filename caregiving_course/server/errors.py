"""Error pages (400, 403, 404, 500 and the CSRF refusal) in the site's layout, the reader's language, with a way back.

Django's own handlers render 400 and 500 without the request (so no layout, language switcher or user), and
its 404 shows the resolver's internals; these render ``caregiving/error.html`` with the request instead. The
500 page falls back to a plain page in the reader's language when the layout itself cannot be rendered
(the database may be what failed).
"""
from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

log = logging.getLogger(__name__)

TITLES = {
    400: gettext_lazy("This request could not be understood"),
    403: gettext_lazy("You cannot open this page"),
    404: gettext_lazy("Page not found"),
    500: gettext_lazy("Something went wrong on our side"),
}
MESSAGES = {
    400: gettext_lazy("The page or form sent something we could not read. Go back and try again."),
    403: gettext_lazy("Your account does not give access to this page. If you think it should, ask your instructor."),
    404: gettext_lazy("There is no page at this address. It may have moved, or the link may be mistyped."),
    500: gettext_lazy("The error has been logged. Try again in a moment; your progress so far is saved."),
}


def error_page(request: HttpRequest, status: int, detail: str = "") -> HttpResponse:
    """The page for ``status``: its title, what happened, ``detail`` when there is one, and links back."""
    context = {"status": status, "title": TITLES[status], "message": MESSAGES[status], "detail": detail}
    try:
        return render(request, "caregiving/error.html", context, status=status)
    except Exception:  # the layout needs the session and the user: the failure may be theirs
        if status != 500:
            raise
        log.exception("the error page could not be rendered in the site's layout")
        body = (f'<!DOCTYPE html><html lang="{escape(getattr(request, "LANGUAGE_CODE", "en"))}"><meta charset="utf-8">'
                f'<title>{escape(TITLES[500])}</title><main><h1>{escape(TITLES[500])}</h1>'
                f'<p>{escape(MESSAGES[500])}</p><p><a href="/">{escape(_("Go to the home page"))}</a></p>'
                '</main></html>')
        return HttpResponse(body, status=500)


def _detail(exception: Exception | None) -> str:
    """The reason a view gave (already in the reader's language), never the URL resolver's internals."""
    if isinstance(exception, Http404) and not isinstance(exception, Resolver404) and exception.args \
            and isinstance(exception.args[0], str):
        return exception.args[0]
    return ""


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400."""
    return error_page(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler403."""
    return error_page(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404."""
    return error_page(request, 404, _detail(exception))


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500."""
    return error_page(request, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent from an old page, or with cookies refused."""
    return error_page(request, 403, _("The form was out of date or your browser refused our cookie. "
                                      "Reload the page, then send the form again."))
