"""The CLR 2.0 API (1EdTech Comprehensive Learner Record Standard v2.0, section "CLR Standard API"): a
learner's signed CLR for a partner platform or wallet the learner consents to, over OAuth 2.0.

- ``GET  /ims/clr/v2p0/discovery``    getServiceDescription: an OpenAPI document naming the OAuth 2.0
  authorization code grant's URLs, the registration URL and the scopes (public).
- ``POST /ims/clr/v2p0/register``     dynamic client registration (RFC 7591), as the standard asks; open,
  so limited per client address (``CLR_REGISTRATIONS_PER_HOUR``, 429 with Retry-After) and to 16 KiB bodies
  (413); a refused registration creates no row.
- ``GET  /ims/clr/v2p0/credentials``  getCredentials: the token's learner's ClrCredential
  (scope ``.../scope/credential.readonly``); ``limit``/``offset`` paging, ``X-Total-Count``.
- ``/oauth/authorize``, ``/oauth/token``, ``/oauth/revoke``: django-oauth-toolkit, with PKCE required;
  the consent page is ours (in the reader's language).

Errors are the standard's ``Imsx_StatusInfo`` JSON: 400 bad parameters, 401 no or bad token, 403 a token
without the scope, 405 a method the service does not offer.
"""
from __future__ import annotations

import json
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_application_model
from oauth2_provider.oauth2_backends import get_oauthlib_core
from oauth2_provider.views import AuthorizationView

from caregiving_course import address_counts
from caregiving_course.learner_record import api
from sync import plugin_settings
from sync.issuer.clr import EmptyRecord, learner_clr

CREDENTIAL_READ = plugin_settings.CREDENTIAL_READ
SCOPE_TEXTS = {CREDENTIAL_READ: gettext_lazy("Read your Comprehensive Learner Record: every module, knowledge "
                                             "check, instructor-recorded hour, skill and credential on it")}
MAX_LIMIT = 100
MAX_REGISTRATION_BYTES = 16 * 1024
MAX_REDIRECT_URIS = 10
REGISTRATION_WINDOW_SECONDS = 3600


def _scopes() -> dict[str, str]:
    """The scopes offered, with their descriptions (``settings.OAUTH2_PROVIDER``)."""
    return dict(settings.OAUTH2_PROVIDER["SCOPES"])


def _base() -> str:
    return settings.BASE_URL.rstrip("/")


def status_info(http_status: int, description: str, minor: str) -> JsonResponse:
    """The standard's Imsx_StatusInfo error body."""
    body = {"imsx_codeMajor": "failure", "imsx_severity": "error", "imsx_description": description,
            "imsx_CodeMinor": {"imsx_codeMinorField": [{"imsx_codeMinorFieldName": "TargetEndSystem",
                                                        "imsx_codeMinorFieldValue": minor}]}}
    response = JsonResponse(body, status=http_status)
    if http_status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="clr"'
    return response


def discovery(request: HttpRequest) -> HttpResponse:
    """getServiceDescription: what a client needs to register and ask for the learner's consent."""
    if request.method != "GET":
        return status_info(405, "getServiceDescription is read with GET", "invalid_data")
    base = _base()
    document = {
        "openapi": "3.0.1",
        "info": {"title": "Professional Practice in Caregiving: CLR 2.0 API", "version": "2.0",
                 "termsOfService": f"{base}/", "x-imssf-privacyPolicyUrl": f"{base}/",
                 "x-imssf-image": f"{base}/badges/images/caregiving-badge.png"},
        "servers": [{"url": f"{base}/ims/clr/v2p0", "description": "CLR 2.0 API"}],
        "paths": {"/credentials": {"get": {"operationId": "getCredentials", "security": [
            {"OAuth2ACG": [CREDENTIAL_READ]}]}}},
        "components": {"securitySchemes": {"OAuth2ACG": {
            "type": "oauth2", "description": "OAuth 2.0 Authorization Code Grant (with PKCE)",
            "x-imssf-registrationUrl": f"{base}{reverse('clr-api:register')}",
            "flows": {"authorizationCode": {
                "authorizationUrl": f"{base}{reverse('clr-oauth:authorize')}",
                "tokenUrl": f"{base}{reverse('clr-oauth:token')}",
                "refreshUrl": f"{base}{reverse('clr-oauth:token')}",
                "x-imssf-revocationUrl": f"{base}{reverse('clr-oauth:revoke-token')}",
                "scopes": _scopes()}}}}},
    }
    response = JsonResponse(document)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _redirect_uri_ok(uri) -> bool:
    """HTTPS redirect URIs, or HTTP to this machine (a wallet or tool running locally)."""
    if not isinstance(uri, str) or len(uri) > 500 or " " in uri:
        return False
    parts = urlsplit(uri)
    if parts.fragment or not parts.netloc:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1"))


def _declared_length(request: HttpRequest) -> int:
    raw = request.META.get("CONTENT_LENGTH") or "0"
    return int(raw) if raw.isdigit() else 0


@csrf_exempt
def register(request: HttpRequest) -> HttpResponse:
    """Dynamic client registration (RFC 7591): a confidential authorization-code client for the CLR scopes."""
    if request.method != "POST":
        return status_info(405, "register a client with POST", "invalid_data")
    limit = getattr(settings, "CLR_REGISTRATIONS_PER_HOUR", 20)
    if address_counts.count(request, "clr-register", REGISTRATION_WINDOW_SECONDS) > limit:
        response = JsonResponse({"error": "too_many_requests", "error_description":
                                 f"at most {limit} registrations an hour from one address"}, status=429)
        response["Retry-After"] = str(REGISTRATION_WINDOW_SECONDS)
        return response
    if _declared_length(request) > MAX_REGISTRATION_BYTES or len(request.body) > MAX_REGISTRATION_BYTES:
        return JsonResponse({"error": "invalid_client_metadata",
                             "error_description": f"the body is larger than {MAX_REGISTRATION_BYTES} bytes"},
                            status=413)
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError):  # nesting deep enough to exhaust the parser, too
        return JsonResponse({"error": "invalid_client_metadata", "error_description": "the body is not JSON"},
                            status=400)
    if not isinstance(body, dict):
        return JsonResponse({"error": "invalid_client_metadata", "error_description": "expected a JSON object"},
                            status=400)
    uris = body.get("redirect_uris")
    if not (isinstance(uris, list) and 0 < len(uris) <= MAX_REDIRECT_URIS and all(map(_redirect_uri_ok, uris))):
        return JsonResponse({"error": "invalid_redirect_uri",
                             "error_description": f"redirect_uris must be 1 to {MAX_REDIRECT_URIS} HTTPS "
                                                   "(or HTTP to 127.0.0.1) URLs"},
                            status=400)
    name = str(body.get("client_name") or "").strip()[:200]
    if not name:
        return JsonResponse({"error": "invalid_client_metadata", "error_description": "client_name is required"},
                            status=400)
    asked = str(body.get("scope") or CREDENTIAL_READ).split()
    unknown = [s for s in asked if s not in _scopes()]
    if unknown:
        return JsonResponse({"error": "invalid_client_metadata",
                             "error_description": f"scopes not offered: {' '.join(unknown)[:300]}"}, status=400)
    secret = generate_client_secret()
    model = get_application_model()
    with transaction.atomic():
        app = model.objects.create(name=name, client_type=model.CLIENT_CONFIDENTIAL,
                                   authorization_grant_type=model.GRANT_AUTHORIZATION_CODE,
                                   redirect_uris=" ".join(uris), client_secret=secret, skip_authorization=False)
    answer = {"client_id": app.client_id, "client_secret": secret,
              "client_id_issued_at": int(app.created.timestamp()), "client_secret_expires_at": 0,
              "client_name": name, "redirect_uris": uris, "token_endpoint_auth_method": "client_secret_basic",
              "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"],
              "scope": " ".join(asked)}
    for key in ("client_uri", "logo_uri", "tos_uri", "policy_uri", "software_id", "software_version"):
        if isinstance(body.get(key), str):
            answer[key] = body[key][:500]
    response = JsonResponse(answer, status=201)
    response["Cache-Control"] = "no-store"
    return response


def _paging(request: HttpRequest) -> tuple[int, int] | str:
    values = []
    for name, default in (("limit", MAX_LIMIT), ("offset", 0)):
        raw = request.GET.get(name, str(default))
        if not raw.isdigit():
            return f"{name} must be a whole number"
        values.append(int(raw))
    limit, offset = values
    if limit < 1:
        return "limit must be at least 1"
    return min(limit, MAX_LIMIT), offset


@csrf_exempt
def credentials(request: HttpRequest) -> HttpResponse:
    """getCredentials: the ClrCredential of the learner who granted the token."""
    if request.method != "GET":
        return status_info(405, "this service offers getCredentials (GET) only", "invalid_data")
    valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[CREDENTIAL_READ])
    if not valid:
        if getattr(oauth_request, "access_token", None) is not None:
            return status_info(403, "the access token does not grant the credential.readonly scope",
                               "forbidden")
        return status_info(401, "a valid bearer access token is required", "unauthorized")
    paging = _paging(request)
    if isinstance(paging, str):
        return status_info(400, paging, "invalid_data")
    limit, offset = paging
    learner = api.learner_for_user(oauth_request.user)
    try:
        found = [learner_clr(learner)]
    except EmptyRecord:
        found = []
    page = found[offset:offset + limit]
    response = JsonResponse({"credential": page, "compactJwsString": []})
    response["X-Total-Count"] = str(len(found))
    response["Cache-Control"] = "no-store"
    return response


class ConsentView(AuthorizationView):
    """django-oauth-toolkit's authorization view with our consent page, in the reader's language."""

    template_name = "sync/clr_authorize.html"

    def get(self, request, *args, **kwargs):
        # PKCE whatever the host's OAuth settings say (an Open edX LMS's server does not require it of its clients)
        if request.GET.get("code_challenge_method") != "S256" or not request.GET.get("code_challenge"):
            return status_info(400, "send code_challenge with code_challenge_method=S256 (PKCE)", "invalid_data")
        return super().get(request, *args, **kwargs)

    def render_to_response(self, context, **kwargs):
        context["scope_texts"] = [SCOPE_TEXTS.get(s, s) for s in context.get("scopes") or []]
        return super().render_to_response(context, **kwargs)
