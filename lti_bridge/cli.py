"""`caregiving platform add|list|show|courses|remove|rotate-key|keys|invite|add-lti11`: partner platforms, the
courses each may use, and our keys."""
from __future__ import annotations

import argparse
import json
import sys
from datetime import timedelta
from urllib.parse import urlsplit

from caregiving_course.cli.base_url import public_base_url
from caregiving_course.cli.errors import CommandError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("platform", help="register partner LMS platforms (LTI 1.3) and manage our tool keys")
    psub = p.add_subparsers(dest="action", metavar="ACTION")
    psub.required = True
    add = psub.add_parser("add", help="register a platform, or add deployments to a registered one")
    add.add_argument("--name", required=True, help="a name for the partner, e.g. 'Spark University Moodle'")
    add.add_argument("--issuer", required=True, help="the platform's issuer (iss), e.g. https://lms.example.edu")
    add.add_argument("--client-id", required=True, help="the client id the platform gave this tool")
    add.add_argument("--deployment-id", action="append", default=[], metavar="ID",
                     help="a deployment id of this tool on the platform (repeat for several)")
    add.add_argument("--auth-url", required=True, help="the platform's OIDC authentication (login) URL")
    add.add_argument("--token-url", required=True, help="the platform's OAuth2 access token URL")
    add.add_argument("--jwks-url", required=True, help="the platform's public key set (JWKS) URL")
    add.add_argument("--audience", default="", help="audience of our client assertions, if not the token URL")
    _course_options(add)
    add.set_defaults(func=add_platform)
    lst = psub.add_parser("list", help="list registered platforms")
    lst.add_argument("--json", action="store_true", help="print JSON")
    lst.set_defaults(func=list_platforms)
    show = psub.add_parser("show", help="show one platform with its deployments and resource links")
    show.add_argument("platform", help="platform id, or its issuer")
    show.set_defaults(func=show_platform)
    courses = psub.add_parser("courses", help="show or choose the courses a platform may place and launch")
    courses.add_argument("platform", help="platform id, or its issuer; 'lti11:KEY' for an LTI 1.1 consumer")
    _course_options(courses)
    courses.set_defaults(func=platform_courses)
    remove = psub.add_parser("remove", help="remove a platform (its deployments and links go too)")
    remove.add_argument("platform", help="platform id, or its issuer")
    remove.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    remove.set_defaults(func=remove_platform)
    rotate = psub.add_parser("rotate-key", help="add a new tool signing key (published now, signing after --lead)")
    rotate.add_argument("--lead-minutes", type=int, default=60,
                        help="minutes between publishing the new key and signing with it (default 60)")
    rotate.set_defaults(func=rotate_key)
    key_list = psub.add_parser("keys", help="list our tool keys (never the private parts)")
    key_list.set_defaults(func=list_keys)
    invite = psub.add_parser("invite", help="print a Dynamic Registration URL to give a partner administrator")
    invite.add_argument("--label", default="", help="name to give the platform it registers")
    invite.add_argument("--base-url", help="public URL of this server (default CAREGIVING_BASE_URL)")
    invite.set_defaults(func=invite_url)
    lti11 = psub.add_parser("add-lti11", help="register an older platform that launches with LTI 1.1 (OAuth 1.0a)")
    lti11.add_argument("name", help="the partner's name")
    lti11.add_argument("--key", required=True, help="consumer key the platform will send")
    lti11.add_argument("--secret", help="shared secret (16+ characters); omit to have one generated and shown once")
    lti11.add_argument("--cohort", default="", help="cohort its learners join")
    _course_options(lti11)
    lti11.set_defaults(func=add_lti11_consumer)


def _course_options(parser: argparse.ArgumentParser) -> None:
    """``--course ID`` (repeat) or ``--all-courses``: the courses a platform may use (see 'caregiving course list')."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--course", action="append", metavar="ID", dest="courses",
                       help="a course the platform may use (repeat for several; the others are refused)")
    group.add_argument("--all-courses", action="store_true",
                       help="the platform may use every course, those added later too (the default)")


def _choose_courses(partner, args: argparse.Namespace) -> bool:
    """Apply ``--course``/``--all-courses`` to ``partner`` (not saved); False when neither was given."""
    from lti_bridge import courses

    if not args.courses and not args.all_courses:
        return False
    try:
        courses.choose(partner, None if args.all_courses else args.courses)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    return True


def _ready() -> None:
    from caregiving_course.cli.database import ensure_migrated

    ensure_migrated()


def _url(value: str, what: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(value) > 500:
        raise CommandError(f"{what} must be an http(s) URL of at most 500 characters, not {value!r}")
    return value


def _find(ref: str):
    from lti_bridge.models import Platform

    rows = Platform.objects.filter(pk=int(ref)) if ref.isdigit() else Platform.objects.filter(issuer=ref)
    found = list(rows[:2])
    if not found:
        raise CommandError(f"no platform {ref!r} (see 'caregiving platform list')")
    if len(found) > 1:
        raise CommandError(f"several platforms have issuer {ref!r}; give the platform id instead")
    return found[0]


def add_platform(args: argparse.Namespace) -> int:
    _ready()
    from django.db import transaction

    from lti_bridge.models import Deployment, Platform

    if not args.client_id.strip() or len(args.client_id) > 255:
        raise CommandError("--client-id must be 1 to 255 characters")
    if any(not d.strip() or len(d) > 255 for d in args.deployment_id):
        raise CommandError("each --deployment-id must be 1 to 255 characters")
    fields = {"name": args.name[:200], "auth_login_url": _url(args.auth_url, "--auth-url"),
              "auth_token_url": _url(args.token_url, "--token-url"), "key_set_url": _url(args.jwks_url, "--jwks-url"),
              "token_audience": args.audience, "active": True}
    chooser = Platform()
    if _choose_courses(chooser, args):
        fields.update(all_courses=chooser.all_courses, course_ids=chooser.course_ids)
    with transaction.atomic():
        platform, created = Platform.objects.update_or_create(
            issuer=_url(args.issuer, "--issuer"), client_id=args.client_id.strip(), defaults=fields)
        for deployment_id in args.deployment_id:
            Deployment.objects.get_or_create(platform=platform, deployment_id=deployment_id.strip())
    print(f"{'registered' if created else 'updated'} platform {platform.pk}: {platform.name} ({platform.issuer}), "
          f"deployments: {', '.join(platform.deployments.values_list('deployment_id', flat=True)) or 'none'}, "
          f"courses: {_courses_of(platform)}")
    return 0


def _courses_of(partner) -> str:
    from lti_bridge import courses

    return courses.describe(partner)


def _summary(platform) -> dict:
    return {"id": platform.pk, "name": platform.name, "issuer": platform.issuer, "client_id": platform.client_id,
            "deployments": list(platform.deployments.values_list("deployment_id", flat=True)),
            "auth_url": platform.auth_login_url, "token_url": platform.auth_token_url,
            "jwks_url": platform.key_set_url, "active": platform.active,
            "courses": None if platform.all_courses else list(platform.course_ids or [])}


def list_platforms(args: argparse.Namespace) -> int:
    _ready()
    from lti_bridge.models import Platform

    rows = [_summary(p) for p in Platform.objects.order_by("pk")]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print("no platforms registered (add one with 'caregiving platform add' or 'caregiving platform invite')")
    for row in rows:
        print(f"{row['id']:>4}  {row['name']}  {row['issuer']}  client {row['client_id']}  "
              f"deployments {', '.join(row['deployments']) or '-'}  "
              f"courses {'all' if row['courses'] is None else ', '.join(row['courses']) or 'none'}")
    return 0


def show_platform(args: argparse.Namespace) -> int:
    _ready()
    from lti_bridge.models import ResourceLink

    platform = _find(args.platform)
    data = _summary(platform)
    data["key_set_fetched_at"] = platform.key_set_fetched_at.isoformat() if platform.key_set_fetched_at else None
    data["resource_links"] = list(ResourceLink.objects.filter(deployment__platform=platform).values(
        "resource_link_id", "context_title", "module_id", "cohort_name"))
    print(json.dumps(data, indent=2))
    return 0


def platform_courses(args: argparse.Namespace) -> int:
    """Show the courses a platform (or ``lti11:KEY``, an LTI 1.1 consumer) may use; with ``--course`` or
    ``--all-courses``, choose them."""
    _ready()
    from lti_bridge import courses
    from lti_bridge.models import Lti11Consumer

    if args.platform.startswith("lti11:"):
        partner = Lti11Consumer.objects.filter(consumer_key=args.platform[len("lti11:"):]).first()
        if partner is None:
            raise CommandError(f"no LTI 1.1 consumer with key {args.platform[len('lti11:'):]!r}")
    else:
        partner = _find(args.platform)
    if _choose_courses(partner, args):
        partner.save(update_fields=["all_courses", "course_ids"])
        print(f"{partner.name} may now use: {courses.describe(partner)}")
        return 0
    print(f"{partner.name} may use: {courses.describe(partner)}")
    for course in courses.allowed_courses(partner):
        print(f"  {course.id}  {course.title}")
    return 0


def remove_platform(args: argparse.Namespace) -> int:
    _ready()
    platform = _find(args.platform)
    if not args.yes:
        if not sys.stdin or not sys.stdin.isatty():
            raise CommandError(f"no terminal to confirm removing {platform.name}; add --yes to remove it")
        answer = input(f"remove {platform.name} ({platform.issuer}) and its deployments? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing removed")
            return 1
    platform.delete()
    print(f"removed platform {args.platform}")
    return 0


def rotate_key(args: argparse.Namespace) -> int:
    from caregiving_course import local_time
    from lti_bridge import keys

    if args.lead_minutes < 0:
        raise CommandError("--lead-minutes cannot be negative")
    key = keys.rotate_key(timedelta(minutes=args.lead_minutes))
    print(f"new key {key.kid} published now; it signs from {local_time.when(key.signs_from)}. "
          f"The previous key stays published until {keys.MAX_SIGNED_LIFETIME} after that.")
    return 0


def list_keys(args: argparse.Namespace) -> int:
    from lti_bridge import keys

    for row in keys.describe():
        state = "signing" if row["signing"] else ("published" if row["published"] else "retired")
        print(f"{row['kid']}  {state:9}  signs from {row['signs_from']}")
    return 0


def invite_url(args: argparse.Namespace) -> int:
    from lti_bridge import registration

    print(registration.invitation_url(public_base_url(args.base_url), label=args.label))
    return 0


def add_lti11_consumer(args: argparse.Namespace) -> int:
    from lti_bridge.lti11 import add_consumer

    _ready()
    from lti_bridge.models import Lti11Consumer

    chooser = Lti11Consumer()
    chosen = _choose_courses(chooser, args)
    try:
        consumer, secret = add_consumer(args.name, args.key, args.secret, cohort=args.cohort)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    if chosen:
        consumer.all_courses, consumer.course_ids = chooser.all_courses, chooser.course_ids
        consumer.save(update_fields=["all_courses", "course_ids"])
    print(f"LTI 1.1 consumer {consumer.name!r} registered with key {consumer.consumer_key!r}.")
    if not args.secret:
        print(f"Shared secret (shown once; give it to the partner): {secret}")
    print(f"Launch URL for a module: {public_base_url()}/lti/1.1/launch/<module id>/")
    return 0
