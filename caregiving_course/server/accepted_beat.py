"""A heartbeat that passes every check, answered in one function rather than through the middleware chain.

A beat that :mod:`caregiving_course.server.beat_path` takes off the site's request path still went through nine
middleware and the handler view: each middleware's wrappers, the language negotiated and the session user loaded by
Django's general code, whatever the request. For the beat of a signed-in learner whose page is current, which is
nearly every beat, :class:`AcceptedBeat` does the same things in order, calling Django's own pieces where they decide
anything:

- the host check (``request.get_host``), the session (the site's session engine), the session's user as
  ``django.contrib.auth.get_user`` finds it (the backend named in the session and listed in the settings, the account
  active, the session's password hash matching the account's), the block's signed token for that user, the CSRF
  check (Django's ``CsrfViewMiddleware``, as the handler view runs it), the language (Django's negotiation, as
  ``LocaleMiddleware`` does it where URL patterns carry no language);
- then the handler view's answer (:func:`xblocks.heartbeat.beat_response`), and every ``process_response`` hook of the
  site's middleware, in the site's order (the language's headers as ``LocaleMiddleware`` adds them).

Every other beat goes down the chain and is answered as before: no session, a session Django would change (signed
out by a password change, kept by a fallback secret), a token for someone else or for no learner, a CSRF cookie to be
set anew, another host, a body that is not JSON, HTTPS redirects, refused user agents or ``PREPEND_WWW``. A site with
any middleware not in :data:`KNOWN`, or whose URL patterns carry the language, has no such path.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from importlib import import_module

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model, load_backend
from django.contrib.auth.base_user import AbstractBaseUser
from django.core import signing
from django.core.exceptions import DisallowedHost, ValidationError
from django.core.handlers.exception import response_for_exception
from django.http import HttpRequest, HttpResponse
from django.urls import get_urlconf
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.crypto import constant_time_compare, salted_hmac

LOCALE = "django.middleware.locale.LocaleMiddleware"
# What each middleware does before the view, and how this path does it: (1) checked here, the chain where it would act;
# (2) done here; (3) nothing a beat needs. Their process_response hooks all run (the locale's as written here).
KNOWN = {
    "django.middleware.security.SecurityMiddleware",  # (1) the HTTPS redirect
    "django.contrib.sessions.middleware.SessionMiddleware",  # (2) request.session
    LOCALE,  # (2) the language
    "django.middleware.common.CommonMiddleware",  # (1) refused user agents, PREPEND_WWW; (2) the host check
    "django.middleware.csrf.CsrfViewMiddleware",  # (2) the CSRF cookie, then the view's check
    "django.contrib.auth.middleware.AuthenticationMiddleware",  # (2) request.user
    "django.middleware.clickjacking.XFrameOptionsMiddleware",  # (3)
    "csp.middleware.CSPMiddleware",  # (3) the nonce, which a JSON reply never asks for
    "axes.middleware.AxesMiddleware",  # (3) answers a lockout met while signing in; a beat signs nobody in
}
SESSION_HASH_SALT = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"  # Django's own
Hook = Callable[[HttpRequest, HttpResponse], HttpResponse]


class AcceptedBeat:
    """The short answer for ``middleware`` (the classes after the beat path's, each built once, as the site builds
    them); :meth:`answer` gives a beat's response, or None when the chain must answer it."""

    def __init__(self, middleware: list[tuple[str, object]]) -> None:
        self.session_store = import_module(settings.SESSION_ENGINE).SessionStore
        self.csrf = next(instance for path, instance in middleware if path.endswith(".CsrfViewMiddleware"))
        self.hooks: list[Hook] = [_locale_response if path == LOCALE else instance.process_response
                                  for path, instance in reversed(middleware)
                                  if path == LOCALE or hasattr(instance, "process_response")]

    @staticmethod
    def applies(middleware: list[str]) -> bool:
        """Whether every middleware of ``middleware`` is one this path knows, and the URL patterns carry no language."""
        return set(middleware) <= KNOWN and not is_language_prefix_patterns_used(get_urlconf() or
                                                                               settings.ROOT_URLCONF)[0]

    def answer(self, request: HttpRequest) -> HttpResponse | None:
        """The response to the beat ``request`` (``request.beat_token`` set), or None: the chain answers it."""
        from caregiving_course.learner_record import api  # late: loaded with the settings
        from xblocks import heartbeat, views
        from xblocks.runtime import CourseRuntime

        if (settings.SECURE_SSL_REDIRECT and not request.is_secure()) or settings.DISALLOWED_USER_AGENTS \
                or settings.PREPEND_WWW or request.content_type != "application/json":
            return None
        session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if not session_key or not _host_allowed(request):
            return None
        try:
            placement, user_pk, learner_pk = CourseRuntime.placement_from_token(request.beat_token)
        except (signing.BadSignature, ValueError, TypeError):
            return None
        if placement.block_type != heartbeat.BLOCK_TYPE or learner_pk is None:
            return None
        request.session = self.session_store(session_key)
        user = session_user(request.session)
        if user is None or user.pk != user_pk:
            return None
        try:
            learner = api.learner_by_id(learner_pk)
        except api.RecordError:
            return None
        self.csrf.process_request(request)
        if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            return None
        request.user = user
        language = translation.get_language_from_request(request, check_path=False)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            if self.csrf.process_view(request, None, (), {}) is not None:
                response = views.csrf_refused()
            else:
                response = views.beat_answer(request, placement, learner)
        except Exception as exc:  # as Django's handler answers an exception raised in a view
            response = response_for_exception(request, exc)
        for hook in self.hooks:
            response = hook(request, response)
        return response


def _host_allowed(request: HttpRequest) -> bool:
    try:
        request.get_host()
    except DisallowedHost:
        return False
    return True


def _locale_response(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """``LocaleMiddleware.process_response`` where URL patterns carry no language (see :meth:`AcceptedBeat.applies`)."""
    patch_vary_headers(response, ("Accept-Language",))
    response.headers.setdefault("Content-Language", translation.get_language())
    return response


def session_user(session) -> object | None:
    """The session's user when ``django.contrib.auth.get_user`` would return it and leave the session as it is
    (a backend of the settings knows the user, and the session's password hash matches the account's); otherwise
    None (then Django's own ``get_user`` must decide, and may sign the session out)."""
    try:
        user_id, backend_path, session_hash = (session[SESSION_KEY], session[BACKEND_SESSION_KEY],
                                               session[HASH_SESSION_KEY])
    except KeyError:
        return None
    if backend_path not in settings.AUTHENTICATION_BACKENDS or not session_hash:
        return None
    try:
        user_id = get_user_model()._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    user = _backend(backend_path).get_user(user_id)
    if user is None or not hasattr(user, "get_session_auth_hash"):
        return None
    if type(user).get_session_auth_hash is AbstractBaseUser.get_session_auth_hash:
        expected = _session_auth_hash(user.password, settings.SECRET_KEY)
    else:
        expected = user.get_session_auth_hash()
    return user if constant_time_compare(session_hash, expected) else None


@functools.lru_cache(maxsize=4096)
def _session_auth_hash(password: str, secret: str) -> str:
    """``AbstractBaseUser.get_session_auth_hash`` for an account's password hash and the site's secret, kept: a
    key derivation and an HMAC per beat otherwise (a new password or secret is a new entry)."""
    return salted_hmac(SESSION_HASH_SALT, password, secret=secret, algorithm="sha256").hexdigest()


@functools.lru_cache(maxsize=8)
def _backend(path: str):
    """The authentication backend at ``path``, built once (Django builds one per request; ours keep no state)."""
    return load_backend(path)
