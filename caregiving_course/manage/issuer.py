"""The badge issuer: which platform issues badges, its settings (secrets masked), and a connection test."""
from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from caregiving_course.manage.access import administrators_only, refuse

TITLES = {  # the backends' own titles are English; the pages show these
    "builtin": gettext_lazy("Built-in issuer (Open Badges 3.0 and 2.0, signed here)"),
    "badgr": gettext_lazy("Badgr / Canvas Credentials (v2 API)"),
    "credly": gettext_lazy("Credly (issued badges API)"),
}
NOT_SET = "(not set)"


def _page(request: HttpRequest, status: int = 200, **extra) -> HttpResponse:
    from caregiving_course.framework import catalogue
    from sync import config

    described = config.describe()
    for name, info in described["backends"].items():
        info["title"] = TITLES.get(name, info["title"])
        info["settings"] = {k: _("(not set)") if v == NOT_SET else v for k, v in info["settings"].items()}
    title = {name: info["title"] for name, info in described["backends"].items()}
    return render(request, "caregiving/manage/issuer.html", {
        "described": described, "credentials": catalogue().credentials,
        "default_title": title.get(described["default"], described["default"]),
        "per_credential": {cred: title.get(name, name) for cred, name in described["per_credential"].items()},
        **extra}, status=status)


@require_http_methods(["GET", "POST"])
@administrators_only
def issuer_page(request: HttpRequest) -> HttpResponse:
    """GET shows the choice; POST makes ``backend`` the issuer of every credential or of one."""
    from caregiving_course.framework import catalogue
    from sync import config
    from sync.backends import available

    if request.method == "GET":
        return _page(request)
    backend = request.POST.get("backend", "")
    credential = request.POST.get("credential", "") or None
    if backend not in available():
        return refuse(request, _("Choose one of the listed badge platforms."))
    if credential and not catalogue().has_credential(credential):
        return refuse(request, _("There is no such credential."))
    try:
        config.use(backend, credential)
    except config.ConfigError as exc:
        return _page(request, status=400, error=str(exc))
    messages.success(request, _("Badges are now issued by %(backend)s.") % {"backend": TITLES.get(backend, backend)})
    return redirect("manage:issuer")


@require_POST
@administrators_only
def connection_test(request: HttpRequest) -> HttpResponse:
    from sync import connection
    from sync.backends import available

    backend = request.POST.get("backend", "")
    if backend not in available():
        return refuse(request, _("Choose one of the listed badge platforms."))
    return _page(request, tested=backend, result=connection.check(backend))
