"""The module page's heartbeat answered on a short path through Django: first in ``MIDDLEWARE``.

Every open module page sends ``POST /course/xblock/<token>/heartbeat/`` every few seconds, so it is the request
our server answers most. Through the whole of Django's request handling it cost about 1.5 times the trivial JSON
endpoint before the beat itself was recorded (``bench.bench_heartbeats``): resolving the URL through every
pattern of the site, eleven middleware wrappers, and a Content-Security-Policy header built anew from the
settings for each JSON reply. :class:`HeartbeatPath`, the first middleware, takes that one request and runs
it through:

- the site's own middleware classes, in the site's order, minus two that have nothing to do with a beat:
  WhiteNoise (it serves files under ``STATIC_URL`` only) and the messages framework (the beat reply shows
  none). Everything else runs as on any request: the host check, the session, the language of the reply,
  the CSRF cookie, the user, django-axes's lockout answer, the security headers and the CSP header;
- the CSP header's value kept once built: for a reply that asked for no nonce and changed no directive, the
  policy depends on the settings only (built again after a settings change);
- the XBlock handler view itself (``xblocks.views.handler``) for the module block's ``heartbeat`` handler,
  without resolving the URL. That view makes every check a beat gets by the ordinary path: the block's signed
  token, the session's user (or the LTI embed token), the CSRF token, the learner the block was shown to,
  and then every rule of the hours policy (``xblocks.heartbeat``, ``learner_record.heartbeats``).

A beat that passes every check is answered before that chain, in one function (:mod:`.accepted_beat`); the chain
answers the others. Any other request, and a beat posted to a URL the site's patterns would not give that view,
goes the whole way.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core.handlers.exception import convert_exception_to_response
from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, ResolverMatch, get_script_prefix, reverse
from django.utils.module_loading import import_string

from caregiving_course.server.accepted_beat import AcceptedBeat

SKIPPED = {"whitenoise.middleware.WhiteNoiseMiddleware", "django.contrib.messages.middleware.MessageMiddleware"}
CSP = "csp.middleware.CSPMiddleware"
HANDLER = "heartbeat"
_CSP_ATTRIBUTES = ("_csp_exempt", "_csp_exempt_ro", "_csp_config", "_csp_config_ro", "_csp_update", "_csp_update_ro",
                   "_csp_replace", "_csp_replace_ro")
_CSP_HEADERS = ("Content-Security-Policy", "Content-Security-Policy-Report-Only")


class _KeptPolicyCSP(CSPMiddleware):
    """django-csp's middleware, keeping the headers it built for a reply without a nonce or per-view policy."""

    headers: list[tuple[str, str]] | None = None  # cleared on any settings change

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        plain = getattr(request, "_csp_nonce", None) is None and not any(
            hasattr(response, name) for name in _CSP_ATTRIBUTES) and not any(
            header in response for header in _CSP_HEADERS)
        kept = _KeptPolicyCSP.headers
        if not plain or kept is None:
            response = super().process_response(request, response)
            if plain and not _excluded_prefixes():
                _KeptPolicyCSP.headers = [(header, response[header]) for header in _CSP_HEADERS if header in response]
            return response
        for header, value in kept:
            response[header] = value
        return response


def _excluded_prefixes() -> bool:
    """Whether a CSP setting exempts URL prefixes (then the header depends on the path: nothing is kept)."""
    return any((getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES")
               for name in ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY"))


def _forget_policy(**kwargs) -> None:
    _KeptPolicyCSP.headers = None


setting_changed.connect(_forget_policy)


class HeartbeatPath:
    """Middleware, first in ``MIDDLEWARE``: a heartbeat POST takes the short path described in the module's
    docstring; every other request goes on down the site's middleware as usual."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._built: tuple[tuple, re.Pattern, Callable] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path_info.endswith(f"/{HANDLER}/"):
            pattern, chain = self._beat_path()
            match = pattern.fullmatch(request.path_info)
            if match is not None:
                request.beat_token = match.group(1)
                return chain(request)
        return self.get_response(request)

    def _beat_path(self) -> tuple[re.Pattern, Callable]:
        """The heartbeat URL's pattern and the short chain, built on first use (again if the settings changed)."""
        key = (tuple(settings.MIDDLEWARE), settings.ROOT_URLCONF, settings.STATIC_URL, settings.SESSION_ENGINE)
        built = self._built
        if built is None or built[0] != key:
            built = self._built = (key, beat_url_pattern(), _short_path(settings.MIDDLEWARE))
        return built[1], built[2]


def beat_url_pattern() -> re.Pattern:
    """The paths the site's URL patterns give the module block's heartbeat handler (``xblocks:handler``); none
    (a pattern matching nothing) where the URLconf has no such handler."""
    marker = "TOKEN"
    try:
        url = reverse("xblocks:handler", kwargs={"token": marker, "handler_name": HANDLER})
    except NoReverseMatch:
        return re.compile(r"(?!)")
    path = "/" + url[len(get_script_prefix()):]
    before, after = path.split(marker)
    if settings.STATIC_URL and path.startswith("/" + settings.STATIC_URL.lstrip("/")):
        raise RuntimeError("the heartbeat URL lies under STATIC_URL")  # WhiteNoise would have to see it
    return re.compile(re.escape(before) + "([^/]+)" + re.escape(after))


def _chain(middleware: list[str]) -> tuple[Callable[[HttpRequest], HttpResponse], list[tuple[str, object]]]:
    """The handler view behind the middleware after this one, minus :data:`SKIPPED`, as Django chains them; and
    each of those middleware with its instance, in the site's order."""
    from xblocks import views  # the URLconf's view (imported late: this module loads with the settings)

    def beat(request: HttpRequest) -> HttpResponse:
        kwargs = {"token": request.beat_token, "handler_name": HANDLER}
        request.resolver_match = ResolverMatch(views.handler, (), kwargs, url_name="handler", app_names=["xblocks"],
                                               namespaces=["xblocks"])
        return views.handler(request, **kwargs)

    after = middleware[middleware.index(f"{__name__}.{HeartbeatPath.__name__}") + 1:]
    chain, instances = convert_exception_to_response(beat), []
    for path in reversed(after):
        if path not in SKIPPED:
            instance = (_KeptPolicyCSP if path == CSP else import_string(path))(chain)
            instances.insert(0, (path, instance))
            chain = convert_exception_to_response(instance)
    return chain, instances


def _short_path(middleware: list[str]) -> Callable[[HttpRequest], HttpResponse]:
    """The chain, with a beat that passes every check answered first without it (:mod:`.accepted_beat`)."""
    chain, instances = _chain(middleware)
    if not AcceptedBeat.applies([path for path, _ in instances]):
        return chain
    accepted = AcceptedBeat(instances)

    def beat(request: HttpRequest) -> HttpResponse:
        response = accepted.answer(request)
        return chain(request) if response is None else response

    return beat
