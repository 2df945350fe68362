"""Names and Role Provisioning Services 2.0: load a context's roster into its cohort.

The memberships URL comes from the launch claim (kept on the cohort's resource links); the bearer token from
:func:`lti_bridge.tokens.access_token`. Pages are followed through ``Link: <...>; rel="next"`` headers. Active
members with a learner role are enrolled as learners of (issuer, user_id) — the same identity a launch uses.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from caregiving_course.learner_record import api
from lti_bridge import tokens
from lti_bridge.fetch import FetchError, fetch
from lti_bridge.models import Platform, ResourceLink

SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
MAX_PAGE_BYTES = 4 * 1024 * 1024
MAX_PAGES = 200
LEARNER_ROLES = ("Learner", "Student")
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


class RosterError(Exception):
    """The roster could not be loaded; the message says why."""


@dataclass(frozen=True)
class RosterResult:
    enrolled: int
    skipped: int


def _source(cohort) -> tuple[Platform, str]:
    link = (ResourceLink.objects.filter(cohort_name=cohort.name).exclude(nrps_url="")
            .select_related("deployment__platform").order_by("-pk").first())
    if link is None:
        raise RosterError("no launch from this cohort's course offered a roster service (NRPS) yet")
    return link.deployment.platform, link.nrps_url


def _page(url: str, token: str) -> tuple[dict, str | None]:
    try:
        answer = fetch("GET", url, limit=MAX_PAGE_BYTES,
                       headers={"Authorization": f"Bearer {token}", "Accept": MEDIA_TYPE})
    except FetchError as exc:
        raise RosterError(f"the platform's roster service failed: {exc}") from exc
    if answer.status != 200:
        raise RosterError(f"the platform's roster service answered HTTP {answer.status}")
    link = answer.headers.get("Link", "")
    try:
        data = json.loads(answer.body)
    except ValueError as exc:
        raise RosterError("the platform's roster is not JSON") from exc
    if not isinstance(data, dict) or not isinstance(data.get("members"), list):
        raise RosterError("the platform's roster has no members list")
    match = _NEXT.search(link)
    return data, match.group(1) if match else None


def _is_learner(member: dict) -> bool:
    roles = member.get("roles") if isinstance(member.get("roles"), list) else []
    return any(isinstance(r, str) and r.rsplit("#", 1)[-1] in LEARNER_ROLES for r in roles)


def load_roster(cohort) -> RosterResult:
    """Fetch the memberships of the cohort's context and enrol its active learners; raises :class:`RosterError`."""
    platform, url = _source(cohort)
    try:
        token = tokens.access_token(platform, [SCOPE])
    except tokens.TokenError as exc:
        raise RosterError(f"the platform gave no token for its roster service: {exc}") from exc
    enrolled = skipped = 0
    pages = 0
    next_url: str | None = url
    origin = urlsplit(url)[:2]
    while next_url and pages < MAX_PAGES:
        if urlsplit(next_url)[:2] != origin:
            raise RosterError("the platform's roster points to another site for its next page; not followed")
        data, next_url = _page(next_url, token)
        pages += 1
        for member in data["members"]:
            user_id = member.get("user_id") if isinstance(member, dict) else None
            if (not isinstance(user_id, str) or not user_id or len(user_id) > 255
                    or member.get("status", "Active") != "Active" or not _is_learner(member)):
                skipped += 1
                continue
            name = member.get("name") if isinstance(member.get("name"), str) else ""
            email = member.get("email") if isinstance(member.get("email"), str) else ""
            learner = api.learner_for_identity("lti", user_id, issuer=platform.issuer, name=name, email=email)
            api.enrol(learner, cohort)
            enrolled += 1
    return RosterResult(enrolled, skipped)
