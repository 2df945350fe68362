"""Public pages and JSON of the built-in issuer: issuer profile, achievements, credentials, status
lists, Open Badges 2.0 hosted objects, badge images, and verification.

Machine-readable answers use their standard media types (``application/vc`` for VC 2.0 credentials,
``application/vc+jwt``, ``application/ld+json`` for Open Badges 2.0) and allow cross-origin reads;
an id URL answers HTML to browsers and JSON to clients that ask for it. Nothing here shows an
e-mail address, a salt-free hash, a secret or the private key.
"""
from __future__ import annotations

import datetime as dt
import json
import uuid

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from caregiving_course.framework import catalogue
from caregiving_course.learner_record import api
from sync.issuer import baking, did, images, links, ob2, statuslist
from sync.issuer.documents import achievement_document, issuer_document
from sync.issuer.keys import issuer_key
from sync.issuer.profile import issuer
from sync.issuer.verify import MAX_INPUT_CHARS, verify
from sync.models import IssuedCredential

VC = "application/vc"
VC_JWT = "application/vc+jwt"
LD_JSON = "application/ld+json"
MAX_UPLOAD = baking.MAX_IMAGE_BYTES
TIER_NAMES = {"badge": gettext_lazy("Badge"), "certificate-of-training": gettext_lazy("Certificate of Training"),
              "college-certificate": gettext_lazy("College Certificate")}
STATUS_LABELS = {
    "valid": gettext_lazy("Valid"), "revoked": gettext_lazy("Revoked"), "tampered": gettext_lazy("Tampered"),
    "expired": gettext_lazy("Expired"), "not-yet-valid": gettext_lazy("Not valid yet"),
    "unknown": gettext_lazy("Not from this issuer"), "malformed": gettext_lazy("Not a credential"),
}


def _json(document: dict, content_type: str, *, status: int = 200, download: str = "") -> HttpResponse:
    response = HttpResponse(json.dumps(document, ensure_ascii=False, indent=2), content_type=content_type,
                            status=status)
    return _public(response, download)


def _public(response: HttpResponse, download: str = "") -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=60"
    if download:
        response["Content-Disposition"] = f'attachment; filename="{download}"'
    return response


def _date(value) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


def _wants_json(request: HttpRequest) -> bool:
    preferred = request.get_preferred_type(["text/html", LD_JSON, "application/json", VC])
    return preferred is not None and preferred != "text/html"


def _credential(credential_id: str):
    course = catalogue()
    if not course.has_credential(credential_id):
        raise Http404(_("No such badge."))
    return course.credential(credential_id)


def _issued(award_id: uuid.UUID) -> IssuedCredential:
    row = IssuedCredential.objects.filter(award_id=award_id).first()
    if row is None:
        raise Http404(_("No such credential."))
    return row


def _courses(credential, language: str) -> list[dict]:
    """The courses a credential is made of (``catalogue().courses_of``), as the reader sees them: ``title`` in
    ``language`` and ``lang``, the language it is written in when it has no translation."""
    return [{"title": course.text(language)[0], "lang": course.language_of(None, language)}
            for course in catalogue().courses_of(credential)]


def _alt(credential) -> str:
    """The badge image's text alternative in the reader's language (``credential`` as the reader sees it)."""
    return _("%(title)s: %(tier)s, %(hours)s hours, issued by %(issuer)s") % {
        "title": credential.title, "tier": TIER_NAMES.get(credential.tier, credential.tier),
        "hours": f"{credential.total_hours.normalize():f}", "issuer": issuer().name}


@require_GET
def issuer_profile(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return _json(issuer_document(issuer_key()), LD_JSON)
    course, language = catalogue(), get_language()
    credentials = [{"id": c.id, "title": course.localized(c, language).title, "lang": course.language_of(c, language),
                    "tier": TIER_NAMES.get(c.tier, c.tier), "courses": _courses(c, language)}
                   for c in course.credentials]
    return render(request, "sync/issuer.html", {
        "issuer": issuer(), "credentials": credentials, "json_url": links.issuer_id(), "v2_url": links.issuer_v2(),
        "issuer_lang": "" if language.startswith("en") else "en"})  # the issuer's profile is written in English


@require_GET
def did_document(request: HttpRequest) -> HttpResponse:
    """The issuer's ``did:web`` DID document (served at ``/.well-known/did.json`` and ``/did.json``)."""
    response = _json(did.document(issuer_key().public_raw), "application/did+json")
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def issuer_jwk(request: HttpRequest) -> HttpResponse:
    return _json(issuer_key().public_jwk(), "application/jwk+json")


@require_GET
def achievement(request: HttpRequest, credential_id: str) -> HttpResponse:
    credential = _credential(credential_id)
    course = catalogue()
    if _wants_json(request):  # ?lang=fr: the French edition (OB 3.0 ``related``), when there is one
        edition = (request.GET.get("lang") or "").lower()
        if edition and (edition == course.language or course.language_of(credential, edition)):
            raise Http404(_("No such edition of this badge."))
        return _json(achievement_document(course.localized(credential, edition or None), edition or "en"), LD_JSON)
    language = get_language()
    return render(request, "sync/achievement.html", {
        "credential": course.localized(credential, language), "lang": course.language_of(credential, language),
        "tier": TIER_NAMES.get(credential.tier, credential.tier), "courses": _courses(credential, language),
        "components": [{"title": c.title, "hours": c.hours,
                        "lang": course.language_of(course.module(c.id) if c.is_module else credential, language)}
                       for c in course.shown(credential, language)[1]],
        "issuer": issuer(), "image_url": links.image(credential.id, "png"),
        "svg_url": links.image(credential.id, "svg"), "alt": _alt(course.localized(credential, language)),
        "json_url": links.achievement(credential.id), "v2_url": links.badgeclass_v2(credential.id)})


@require_GET
def credential_page(request: HttpRequest, award_id: uuid.UUID) -> HttpResponse:
    row = _issued(award_id)
    if _wants_json(request):
        return _json(row.ob3, VC)
    course = catalogue()
    credential = course.credential(row.credential_id) if course.has_credential(row.credential_id) else None
    key = str(row.award_id)
    earned_on = _date(row.ob3.get("validFrom")) or row.issued_at
    language = get_language()
    shown = course.localized(credential, language) if credential else None
    return render(request, "sync/credential.html", {
        "row": row, "earned_on": earned_on, "credential": credential, "document": row.ob3, "issuer": issuer(),
        "courses": _courses(credential, language) if credential else [],
        "name": shown.title if shown else row.ob3.get("name", ""),
        "description": shown.description if shown else row.ob3.get("description", ""),
        "lang": course.language_of(credential, language) if credential else _written_in(row.ob3, language),
        "holder": _holder(row.award_id),
        "subject": row.ob3.get("credentialSubject", {}), "evidence": _evidence(row, language),
        "image_url": links.image(row.credential_id, "png"),
        "alt": _alt(shown) if shown else row.ob3.get("name", ""),
        "page_url": links.credential(key), "verify_url": links.verify_page(links.credential(key)),
        "json_url": links.credential_json(key), "jwt_url": links.credential_jwt(key),
        "assertion_url": links.assertion_v2(key), "baked_png": links.baked(key, "png"),
        "baked_svg": links.baked(key, "svg"), "achievement_url": links.achievement(row.credential_id)})


def _written_in(document: dict, language: str) -> str:
    """The ``lang`` of words taken from an issued document, for a page in ``language`` ('' when the same)."""
    written = str((document.get("credentialSubject") or {}).get("achievement", {}).get("inLanguage") or "en")
    return "" if written.split("-")[0] == (language or "en").split("-")[0] else written


def _holder(award_id: uuid.UUID) -> str:
    """The holder's name, when they chose to show it on the pages of their credentials ('' otherwise)."""
    award = api.get_award(str(award_id))
    return award.learner.name if award is not None and award.learner.show_name_on_badges and award.learner.name \
        else ""


def _evidence(row: IssuedCredential, language: str) -> list[dict]:
    """The records behind the award, worded in ``language`` as the learner's progress words them; an entry
    that has no other wording (recorded in full when it was issued) keeps its own and says so (``lang``)."""
    award = api.get_award(str(row.award_id))
    if award is None:
        return [{"text": e.get("name", ""), "lang": _written_in(row.ob3, language)}
                for e in row.ob3.get("evidence", [])]
    with translation.override("en"):
        english = {e.get("summary") for e in api.get_award(str(row.award_id)).evidence}
    kinds = {"completion": _("Module completed"), "hours": _("Instructor-recorded hours"),
             "signoff": _("Skill signed off")}
    return [{"kind": kinds.get(e.get("kind"), ""), "text": e.get("summary", ""),
             "lang": "en" if not language.startswith("en") and e.get("summary") in english else ""}
            for e in award.evidence]


@require_GET
def credential_json(request: HttpRequest, award_id: uuid.UUID) -> HttpResponse:
    row = _issued(award_id)
    name = f"{row.credential_id}-{row.award_id}.json" if request.GET.get("download") else ""
    return _json(row.ob3, VC, download=name)


@require_GET
def credential_jwt(request: HttpRequest, award_id: uuid.UUID) -> HttpResponse:
    row = _issued(award_id)
    name = f"{row.credential_id}-{row.award_id}.jwt" if request.GET.get("download") else ""
    return _public(HttpResponse(row.ob3_jwt, content_type=VC_JWT), name)


@require_GET
def status_list(request: HttpRequest, number: int) -> HttpResponse:
    document = statuslist.published(number)
    if document is None:
        raise Http404(_("No such status list."))
    response = _json(document, VC)
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def badge_image(request: HttpRequest, credential_id: str, ext: str) -> HttpResponse:
    credential = _credential(credential_id)
    if ext == "png":
        return _public(HttpResponse(images.png(credential), content_type="image/png"))
    return _public(HttpResponse(images.svg(credential), content_type="image/svg+xml; charset=utf-8"))


@require_GET
def issuer_v2(request: HttpRequest) -> HttpResponse:
    return _json(ob2.issuer_profile(), LD_JSON)


@require_GET
def badgeclass_v2(request: HttpRequest, credential_id: str) -> HttpResponse:
    return _json(ob2.badge_class(_credential(credential_id)), LD_JSON)


@require_GET
def assertion_v2(request: HttpRequest, award_id: uuid.UUID) -> HttpResponse:
    """The hosted assertion; a revoked one answers 410 Gone with ``revoked`` and its reason."""
    row = _issued(award_id)
    if row.revoked:
        return _json(ob2.revoked(str(row.award_id), row.revocation_reason), LD_JSON, status=410)
    return _json(row.ob2, LD_JSON)


@require_GET
def baked_image(request: HttpRequest, award_id: uuid.UUID, ext: str) -> HttpResponse:
    row = _issued(award_id)
    if row.revoked:
        return _json(ob2.revoked(str(row.award_id), row.revocation_reason), LD_JSON, status=410)
    credential = _credential(row.credential_id)
    text = baking.assertion_text(row.ob2)
    name = f"{row.credential_id}-{row.award_id}.{ext}" if request.GET.get("download") else ""
    if ext == "png":
        return _public(HttpResponse(baking.bake_png(images.png(credential), text), content_type="image/png"), name)
    baked = baking.bake_svg(images.svg(credential), text, links.assertion_v2(str(row.award_id)))
    return _public(HttpResponse(baked, content_type="image/svg+xml; charset=utf-8"), name)


class _BadInput(ValueError):
    pass


def _input_of(request: HttpRequest):
    """What was handed in to verify: an uploaded image, pasted text, or an id (form, JSON body or query)."""
    upload = request.FILES.get("image")
    if upload is not None:
        if upload.size > MAX_UPLOAD:
            raise _BadInput(_("The image is larger than 2 MB."))
        return upload.read()
    for name in ("credential", "id"):
        value = request.POST.get(name) or request.GET.get(name)
        if value and value.strip():
            return value
    if request.method == "POST" and request.content_type not in (
            "multipart/form-data", "application/x-www-form-urlencoded") and request.body:
        if len(request.body) > MAX_INPUT_CHARS:
            raise _BadInput(_("The credential is larger than 256 KB."))
        if request.content_type in ("image/png", "image/svg+xml"):
            return request.body
        try:
            return request.body.decode("utf-8")
        except UnicodeDecodeError:
            raise _BadInput(_("The credential is not UTF-8 text.")) from None
    raise _BadInput(_("Paste a credential, upload a badge image or give a credential's address."))


@require_http_methods(["GET", "POST"])
def verify_page(request: HttpRequest) -> HttpResponse:
    result, error, status = None, "", 200
    has_input = request.method == "POST" or request.GET.get("id")
    if has_input:
        try:
            result = verify(_input_of(request), email=(request.POST.get("email") or "").strip()[:254])
        except _BadInput as exc:
            error, status = str(exc), 400
    return render(request, "sync/verify.html", {
        "result": result, "error": error, "issued_on": _date(result.issued_on) if result else None,
        "summary": _verdict(result) if result else "", **(_verified_title(result) if result else {}),
        "label": STATUS_LABELS[result.status] if result else "",
        "given_id": (request.GET.get("id") or request.POST.get("id") or "")[:500]}, status=status)


def _verdict(result) -> str:
    """What an employer needs to know, in one sentence: who issued it, whether it was altered or revoked."""
    name = issuer().name
    if result.status == "valid":
        return _("Issued by %(issuer)s, not altered, not revoked.") % {"issuer": name}
    if result.status == "revoked":
        return _("Issued by %(issuer)s and not altered, but revoked by the issuer.") % {"issuer": name}
    if result.status == "tampered":
        return _("Altered after it was issued: do not rely on it.")
    return ""


def _verified_title(result) -> dict:
    """The verified credential's name in the reader's language when it is one of ours (``title``, ``lang``)."""
    course, language = catalogue(), get_language()
    award_id = str(result.credential_url or "").rstrip("/").rsplit("/", 1)[-1]
    try:
        row = IssuedCredential.objects.filter(award_id=uuid.UUID(award_id)).first()
    except ValueError:
        row = None
    if row is not None and course.has_credential(row.credential_id):
        credential = course.credential(row.credential_id)
        return {"title": course.localized(credential, language).title, "lang": course.language_of(credential, language)}
    return {"title": result.title, "lang": "en" if result.title and not language.startswith("en") else ""}


@csrf_exempt
@require_http_methods(["GET", "POST", "OPTIONS"])
def verify_api(request: HttpRequest) -> HttpResponse:
    """JSON verification for programs: POST the credential (JSON, JWT, image) or ``?id=``; no session involved."""
    if request.method == "OPTIONS":
        response = HttpResponse(status=204)
        response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        return _public(response)
    try:
        value = _input_of(request)
    except _BadInput as exc:
        return _public(JsonResponse({"status": "malformed", "valid": False, "reasons": [str(exc)]}, status=400))
    result = verify(value, email=(request.POST.get("email") or request.GET.get("email") or "").strip()[:254])
    return _public(JsonResponse(result.as_dict(), status=200 if result.status != "malformed" else 400))
