"""OIDC third-party login (LTI 1.3 Core 5.1.1, Security Framework 5.1.1): ``state`` and ``nonce`` in the database.

:func:`begin_login` answers the platform's login initiation: it records a :class:`LoginState` (a random
``state``, a random ``nonce``, the hash of a browser secret set as a cookie) and sends the browser to the
platform's authorization endpoint. :func:`finish_login` is called when the id_token comes back: the state must
exist, be unexpired and unused, belong to the platform that signed the token, carry the token's nonce, and be
claimed once (an atomic update, so two workers cannot both accept it).

Browser binding: the cookie is ``SameSite=None; Secure`` over https. Where the browser withholds third-party
cookies, the launch may still complete without it, but only within :data:`COOKIELESS_WINDOW` of the login
start; a cookie that is present and does not match is always refused.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

from django.utils import timezone

from lti_bridge.launch import LaunchError
from lti_bridge.models import LoginState, Platform

STATE_TTL = timedelta(minutes=10)
COOKIELESS_WINDOW = timedelta(minutes=2)
COOKIE_PREFIX = "lti1p3-"
MAX_PARAM = 2048


@dataclass(frozen=True)
class LoginStart:
    redirect_url: str
    cookie_name: str
    cookie_value: str
    max_age: int


def cookie_name(state: str) -> str:
    """One cookie per login, so several launches in one page (several iframes) do not overwrite each other."""
    return COOKIE_PREFIX + hashlib.sha256(state.encode()).hexdigest()[:16]


def _binding(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _param(params, name: str, required: bool = True) -> str:
    value = params.get(name, "")
    if not isinstance(value, str):
        value = ""
    if "\x00" in value:
        raise LaunchError(f"the login parameter '{name}' contains a NUL character")
    if len(value) > MAX_PARAM:
        raise LaunchError(f"the login parameter '{name}' is longer than {MAX_PARAM} characters")
    if required and not value:
        raise LaunchError(f"the login request has no '{name}' parameter")
    return value


def _platform_for(issuer: str, client_id: str) -> Platform:
    rows = Platform.objects.filter(issuer=issuer, active=True)
    if client_id:
        rows = rows.filter(client_id=client_id)
    found = list(rows[:2])
    if not found:
        raise LaunchError(f"no platform is registered with issuer {issuer!r}"
                          + (f" and client id {client_id!r}" if client_id else ""), status=403)
    if len(found) > 1:
        raise LaunchError("several registrations share this issuer; the login request must name its client_id")
    return found[0]


def begin_login(params, *, launch_url: str) -> LoginStart:
    """Validate a login initiation (GET or POST parameters) and prepare the authentication request."""
    issuer = _param(params, "iss")
    login_hint = _param(params, "login_hint")
    target = _param(params, "target_link_uri")
    client_id = _param(params, "client_id", required=False)
    message_hint = _param(params, "lti_message_hint", required=False)
    deployment_id = _param(params, "lti_deployment_id", required=False)
    platform = _platform_for(issuer, client_id)
    if deployment_id and not platform.deployments.filter(deployment_id=deployment_id).exists():
        raise LaunchError(f"the deployment {deployment_id!r} is not registered for this platform", status=403)
    ours, theirs = urlsplit(launch_url), urlsplit(target)
    if (theirs.scheme, theirs.netloc) != (ours.scheme, ours.netloc):
        raise LaunchError("the target_link_uri is not on this tool's site")
    now = timezone.now()
    LoginState.objects.filter(expires_at__lt=now).delete()
    state, nonce, secret = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    LoginState.objects.create(state=state, nonce=nonce, platform=platform, browser_binding=_binding(secret),
                              expires_at=now + STATE_TTL, target_link_uri=target)
    query = {
        "scope": "openid", "response_type": "id_token", "response_mode": "form_post", "prompt": "none",
        "client_id": platform.client_id, "redirect_uri": launch_url, "login_hint": login_hint,
        "state": state, "nonce": nonce,
    }
    if message_hint:
        query["lti_message_hint"] = message_hint
    separator = "&" if urlsplit(platform.auth_login_url).query else "?"
    return LoginStart(platform.auth_login_url + separator + urlencode(query), cookie_name(state), secret,
                      int(STATE_TTL.total_seconds()))


def finish_login(state: str, *, cookies, platform: Platform, nonce: str) -> LoginState:
    """Claim the login ``state`` for a validated id_token; raises :class:`LaunchError` for anything amiss."""
    if not isinstance(state, str) or not state or len(state) > 128 or "\x00" in state:
        raise LaunchError("the launch has no state (it must come from a login this tool started)")
    login = LoginState.objects.filter(state=state).first()
    if login is None:
        raise LaunchError("the launch state is unknown: the login was not started here or was cleaned up",
                          status=403)
    now = timezone.now()
    if login.used_at is not None:
        raise LaunchError("this launch was already used (a replayed id_token or state)", status=403)
    if login.expires_at < now:
        raise LaunchError("the login took too long and has expired; launch again from the course", status=403)
    if login.platform_id != platform.pk:
        raise LaunchError("the id_token comes from another platform than the login", status=403)
    if not hmac.compare_digest(login.nonce, nonce):
        raise LaunchError("the id_token nonce does not match the login (replayed or forged token)", status=403)
    secret = cookies.get(cookie_name(state))
    if secret is not None:
        if not hmac.compare_digest(_binding(secret), login.browser_binding):
            raise LaunchError("the launch did not come from the browser that started the login", status=403)
    elif now - login.created_at > COOKIELESS_WINDOW:
        raise LaunchError("the browser blocked this tool's cookie and the login took too long; launch again",
                          status=403)
    if not LoginState.objects.filter(pk=login.pk, used_at__isnull=True).update(used_at=now):
        raise LaunchError("this launch was already used (a replayed id_token or state)", status=403)
    return login
