"""Deliver queued scores (outbox kind ``lti.score``) with LTI Assignment and Grade Services 2.0.

A score goes to ``<line item>/scores`` as ``application/vnd.ims.lis.v1.score+json``. The line item
is the one from the launch's AGS claim; otherwise it is looked up in the context's line items by
``resource_id`` (our module id, unique across the catalogue), or created (label, ``scoreMaximum``,
``resourceId``, ``resourceLinkId``, and the module's course id as ``tag``), and remembered on the
resource link. Finding or creating is serialised per resource link, so two workers never create two
line items.

Answers: 2xx is done; 401 fetches a new token once and tries again; 408/425/429/5xx, timeouts and
dropped connections are retried later (with the platform's ``Retry-After``); any other answer is
permanent and carries what the platform said. A resend after an ambiguous failure is safe: the
platform keeps one result per (``userId``, ``timestamp``) and ignores a score not newer than the
one it holds.
"""
from __future__ import annotations

import functools
import json
import re
import threading
import time
from contextlib import contextmanager
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.db import connection, transaction

from caregiving_course.learner_record.delivery import Permanent, RetryLater
from lti_bridge import outbound, tokens
from lti_bridge.models import Platform, ResourceLink
from lti_bridge.scores import SCORE_MAXIMUM

SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
CONTAINER_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
MAX_ANSWER = 64 * 1024
MAX_CONTAINER = 1024 * 1024
MAX_PAGES = 20

LINK_CACHE_SECONDS = 5.0  # how stale a placement (and its platform) may be when a score is sent

_link_locks: dict[int, threading.Lock] = {}
_link_locks_guard = threading.Lock()
_links: dict[int, tuple[float, ResourceLink]] = {}


def deliver(entry) -> dict:
    """Outbox handler for ``lti.score``: post one score to the platform that launched the learner."""
    payload = entry.payload
    link = _link(payload.get("resource_link"))
    if link is None:
        raise Permanent("lti.score: the resource link no longer exists (placement removed)")
    platform = link.deployment.platform
    if platform.pk != payload.get("platform"):  # partner isolation: a score only ever goes to its own platform
        raise Permanent(f"lti.score: resource link {link.pk} belongs to another platform than the score")
    if not platform.active:
        raise Permanent(f"lti.score: platform {platform.name} is deactivated")
    scopes = scopes_for(link)
    lineitem = link.lineitem_url or line_item_for(platform, link, scopes)
    answer = _call(platform, scopes, "POST", scores_url(lineitem), accept="application/json",
                   content_type=SCORE_TYPE, body=json.dumps(payload["score"]).encode(), read=False)
    _raise_for(answer, "posting the score")
    return {"status": answer.status, "lineitem": lineitem, "remote_id": lineitem}


def _link(pk) -> ResourceLink | None:
    """The placement with its platform, read at most every :data:`LINK_CACHE_SECONDS` (one query saved per score)."""
    if not isinstance(pk, int):
        return None
    cached = _links.get(pk)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    link = ResourceLink.objects.select_related("deployment__platform").filter(pk=pk).first()
    if link is None:
        _links.pop(pk, None)
    else:
        _links[pk] = (time.monotonic() + LINK_CACHE_SECONDS, link)
    return link


def forget_links() -> None:
    """Drop cached placements (tests; an administrator's change is otherwise seen within seconds)."""
    _links.clear()


def scopes_for(link: ResourceLink) -> list[str]:
    """The scopes we ask for: the score scope, and line item access where granted (to find or create one).

    Chosen from the launch's grant only, so all of a platform's links share one token.
    """
    granted = set(link.ags_scopes or [])
    if not granted or SCOPE_LINEITEM in granted:
        return [SCOPE_SCORE, SCOPE_LINEITEM]
    if SCOPE_LINEITEM_READONLY in granted:
        return [SCOPE_SCORE, SCOPE_LINEITEM_READONLY]
    return [SCOPE_SCORE]


@functools.lru_cache(maxsize=256)  # asked once per score, of a handful of line items
def scores_url(lineitem: str) -> str:
    """``<line item>/scores``, appended to the path so a query string stays where it is."""
    parts = urlsplit(lineitem)
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/") + "/scores", parts.query, ""))


def with_query(url: str, **params: str) -> str:
    """``url`` with ``params`` added to its query string (existing parameters kept)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def line_item_for(platform: Platform, link: ResourceLink, scopes: list[str]) -> str:
    """The line item of a placement whose launch named none: found by resource id, or created; remembered."""
    with _exclusive(link) as current:
        if current.lineitem_url:
            return current.lineitem_url
        if not current.lineitems_url:
            raise Permanent("lti.score: the platform gave no line item and no line items URL for this placement "
                            "(grade services not enabled for it)")
        url = _find_line_item(platform, current, scopes) or _create_line_item(platform, current, scopes)
        ResourceLink.objects.filter(pk=current.pk).update(lineitem_url=url)
        _links.pop(current.pk, None)
        return url


def _find_line_item(platform: Platform, link: ResourceLink, scopes: list[str]) -> str | None:
    url, candidates = with_query(link.lineitems_url, resource_id=link.module_id), []
    for _ in range(MAX_PAGES):
        answer = _call(platform, scopes, "GET", url, accept=CONTAINER_TYPE, limit=MAX_CONTAINER)
        _raise_for(answer, "looking up line items")
        body = answer.body
        try:
            items = json.loads(body.decode("utf-8"))
        except ValueError as exc:
            raise Permanent("lti.score: the line items answer is not JSON", answer=outbound.excerpt(body)) from exc
        if not isinstance(items, list):
            raise Permanent("lti.score: the line items answer is not a list", answer=outbound.excerpt(body))
        candidates += [i for i in items if isinstance(i, dict) and i.get("resourceId") == link.module_id
                       and _is_url(i.get("id"))]
        url = _next_page(answer.headers.get("Link", ""))
        if not url:
            break
    mine = [i for i in candidates if i.get("resourceLinkId") == link.resource_link_id]
    chosen = (mine or candidates or [None])[0]
    return chosen["id"] if chosen else None


def _create_line_item(platform: Platform, link: ResourceLink, scopes: list[str]) -> str:
    from caregiving_course.framework import catalogue

    course = catalogue()
    known = course.has_module(link.module_id)
    label = course.module(link.module_id).title if known else link.module_id
    item = {"scoreMaximum": SCORE_MAXIMUM, "label": label, "resourceId": link.module_id,
            "resourceLinkId": link.resource_link_id}
    if known:  # tagged with the module's course, as the line items of deep-linking responses are
        item["tag"] = course.module_course(link.module_id).id
    answer = _call(platform, scopes, "POST", link.lineitems_url, accept=LINEITEM_TYPE,
                   content_type=LINEITEM_TYPE, body=json.dumps(item).encode())
    _raise_for(answer, "creating the line item")
    body = answer.body
    try:
        created = outbound.json_object(body)
    except ValueError as exc:
        raise Permanent("lti.score: the created line item is not JSON", answer=outbound.excerpt(body)) from exc
    if not _is_url(created.get("id")):
        raise Permanent("lti.score: the created line item has no id URL", answer=outbound.excerpt(body))
    return created["id"]


def _call(platform: Platform, scopes: list[str], method: str, url: str, *, accept: str,
          content_type: str | None = None, body: bytes | None = None, limit: int = MAX_ANSWER,
          read: bool = True) -> outbound.Answer:
    """One service request with a bearer token; a 401 gets one new token and one more try.

    With ``read=False`` the body of a 2xx answer does not matter (a score accepted is accepted,
    however large or broken the platform's answer).
    """
    token = _token(platform, scopes)
    for attempt in (1, 2):
        headers = {"Authorization": f"Bearer {token}", "Accept": accept}
        if content_type:
            headers["Content-Type"] = content_type
        try:
            answer = outbound.call(method, url, body=body, headers=headers, limit=limit)
        except outbound.NoAnswer as exc:
            raise RetryLater(f"lti.score: {exc.reason} from the platform",
                             ambiguous=exc.maybe_applied and method == "POST") from exc
        except outbound.BadAddress as exc:
            raise Permanent("lti.score: the platform gave an unusable address", answer=str(exc)) from exc
        except outbound.AnswerTooLarge as exc:
            if 200 <= exc.status < 300 and not read:
                return outbound.Answer(exc.status, {}, b"")
            answer = outbound.Answer(exc.status, {}, f"(answer too large: {exc})".encode())
            if 200 <= exc.status < 300:
                raise Permanent(f"lti.score: the platform's answer is too large ({exc})") from exc
        if answer.status == 401 and attempt == 1:
            token = _token(platform, scopes, reject=token)
            continue
        return answer
    raise AssertionError("unreachable")


def _token(platform: Platform, scopes: list[str], reject: str | None = None) -> str:
    try:
        return tokens.access_token(platform, scopes, reject=reject)
    except tokens.TokenError as exc:
        if exc.retryable:
            raise RetryLater(f"lti.score: no access token from {platform.name}", answer=exc.reason,
                             retry_after=exc.retry_after) from exc
        raise Permanent(f"lti.score: {platform.name} refused us an access token", answer=exc.reason) from exc


def _raise_for(answer: outbound.Answer, what: str) -> None:
    status = answer.status
    if answer.ok:
        return
    said = f"HTTP {status} {outbound.excerpt(answer.body)}".strip()
    if outbound.is_transient(status):
        raise RetryLater(f"lti.score: platform busy or failing while {what}", answer=said,
                         retry_after=outbound.retry_after(answer.headers))
    raise Permanent(f"lti.score: the platform refused {what}", answer=said)


def _is_url(value) -> bool:
    return (isinstance(value, str) and len(value) <= 500 and not any(ord(c) < 33 for c in value)
            and urlsplit(value).scheme in ("http", "https") and bool(urlsplit(value).netloc))


def _next_page(link_header: str) -> str | None:
    match = re.search(r'<([^>]+)>\s*;\s*rel="?next"?', link_header)
    return match.group(1) if match and _is_url(match.group(1)) else None


@contextmanager
def _exclusive(link: ResourceLink):
    """The resource link, re-read, held by this worker alone (process lock; row lock where the database has them)."""
    with _link_locks_guard:
        lock = _link_locks.setdefault(link.pk, threading.Lock())
    with lock:
        if not connection.features.has_select_for_update or connection.in_atomic_block:
            yield ResourceLink.objects.get(pk=link.pk)
            return
        with transaction.atomic():
            yield ResourceLink.objects.select_for_update().get(pk=link.pk)
