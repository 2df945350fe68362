"""``caregiving lrs``: point partners (or the whole installation) at a learning record store.

    caregiving lrs add NAME --endpoint URL --username USER --password - [--cohort SLUG]
                                       the password is read from standard input ('-') and sealed at rest
    caregiving lrs list                the stores, their scope and their queue (passwords never shown)
    caregiving lrs remove NAME         stop sending to a store (its queued statements are dropped)
    caregiving lrs test NAME           check the endpoint and the credentials (GET statements?limit=1)
    caregiving lrs replay --since DATE [--lrs NAME]
                                       queue the statements of records made since DATE, once each
"""
from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
from urllib.parse import urlsplit

from caregiving_course.cli.errors import CommandError


def register(subparsers) -> None:
    p = subparsers.add_parser("lrs", help="send xAPI statements to learning record stores",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="lrs_command", metavar="add|list|remove|test|replay")
    sub.required = True
    add = sub.add_parser("add", help="add a learning record store (a partner's or the installation's)")
    add.add_argument("name", help="a short name (letters, digits, hyphens)")
    add.add_argument("--endpoint", required=True, help="the xAPI endpoint, e.g. https://lrs.example/xAPI")
    add.add_argument("--username", required=True, help="HTTP Basic user name (the LRS key)")
    add.add_argument("--password", required=True, help="'-' to read it from standard input (never on the command line)")
    add.add_argument("--cohort", default="", help="only this partner cohort's learners (default: every learner)")
    add.set_defaults(func=add_lrs)
    sub.add_parser("list", help="the stores and their queues").set_defaults(func=list_lrs)
    rm = sub.add_parser("remove", help="stop sending to a store")
    rm.add_argument("name")
    rm.set_defaults(func=remove_lrs)
    test = sub.add_parser("test", help="check the endpoint and credentials")
    test.add_argument("name")
    test.set_defaults(func=test_lrs)
    rp = sub.add_parser("replay", help="queue statements of records made since a date (once each)")
    rp.add_argument("--since", required=True, type=_date, help="YYYY-MM-DD or an ISO 8601 date-time (UTC if no zone)")
    rp.add_argument("--lrs", default="", help="only this store (default: every store)")
    rp.set_defaults(func=replay)


def _date(value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {value!r} (use YYYY-MM-DD)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _endpoint(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("https", "http") or not parts.netloc or parts.query or parts.fragment:
        raise CommandError(f"--endpoint must be an http(s) URL without query, like https://lrs.example/xAPI "
                           f"(got {value!r})")
    if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise CommandError("--endpoint must use HTTPS (plain HTTP only to this machine): credentials go with every "
                           "statement")
    return value.strip().rstrip("/")


def _lrs(name: str):
    from sync.xapi.models import LrsEndpoint

    found = LrsEndpoint.objects.filter(name=name).first()
    if found is None:
        raise CommandError(f"no learning record store {name!r} (see 'caregiving lrs list')")
    return found


def add_lrs(args: argparse.Namespace) -> int:
    from caregiving_course.cli.database import ensure_migrated
    from caregiving_course.learner_record import api
    from sync.xapi.models import LrsEndpoint

    ensure_migrated()
    if args.password != "-":  # noqa: S105 - "-" means: read it from standard input
        raise CommandError("give --password - and type or pipe the password: a password on the command line "
                           "is seen by other users and kept in shell history")
    password = (getpass.getpass("password: ") if sys.stdin.isatty() else sys.stdin.readline()).strip()
    if not password:
        raise CommandError("the password is empty")
    endpoint = _endpoint(args.endpoint)
    if args.cohort and not api.cohort_exists(args.cohort):
        raise CommandError(f"no cohort {args.cohort!r}")
    if not args.name or not all(c.isalnum() or c == "-" for c in args.name) or len(args.name) > 64:
        raise CommandError("the name must be letters, digits and hyphens (at most 64)")
    if LrsEndpoint.objects.filter(name=args.name).exists():
        raise CommandError(f"a learning record store named {args.name!r} exists; remove it first")
    LrsEndpoint.objects.create(name=args.name, endpoint=endpoint, username=args.username.strip(), password=password,
                               cohort=args.cohort)
    scope = f"cohort {args.cohort}" if args.cohort else "every learner"
    print(f"added {args.name}: {endpoint} ({scope}); statements of records from now on are sent. "
          f"For earlier records: caregiving lrs replay --since DATE --lrs {args.name}")
    return 0


def list_lrs(args: argparse.Namespace) -> int:
    from caregiving_course.cli.database import ensure_migrated
    from caregiving_course.learner_record import outbox
    from sync.xapi.feed import KIND
    from sync.xapi.models import LrsEndpoint

    ensure_migrated()
    rows = list(LrsEndpoint.objects.order_by("name"))
    if not rows:
        print("no learning record stores; add one with 'caregiving lrs add'")
        return 0
    for lrs in rows:
        counts = outbox.counts(KIND, f"xapi:{lrs.pk}:")
        scope = f"cohort {lrs.cohort}" if lrs.cohort else "every learner"
        print(f"{lrs.name}  {lrs.endpoint}  user {lrs.username}  password ********  {scope}  "
              f"pending {counts.get('pending', 0)}, sent {counts.get('done', 0)}, failed {counts.get('dead', 0)}")
    return 0


def remove_lrs(args: argparse.Namespace) -> int:
    from django.db import transaction

    from caregiving_course.cli.database import ensure_migrated
    from caregiving_course.learner_record import outbox
    from sync.xapi.feed import KIND

    ensure_migrated()
    lrs = _lrs(args.name)
    with transaction.atomic():
        dropped = outbox.drop_pending(KIND, f"xapi:{lrs.pk}:")
        lrs.delete()
    print(f"removed {args.name}; {dropped} queued statements dropped")
    return 0


def test_lrs(args: argparse.Namespace) -> int:
    import requests

    from caregiving_course.cli.database import ensure_migrated
    from sync.xapi.delivery import TIMEOUT, VERSION, statements_url

    ensure_migrated()
    lrs = _lrs(args.name)
    try:
        answer = requests.get(statements_url(lrs.endpoint), params={"limit": 1}, auth=(lrs.username, lrs.password),
                              headers={"X-Experience-API-Version": VERSION}, timeout=TIMEOUT)
    except requests.RequestException as exc:
        print(f"{args.name}: cannot reach {lrs.endpoint}: {type(exc).__name__}", file=sys.stderr)
        return 1
    if answer.status_code in (401, 403):
        print(f"{args.name}: the LRS refused the credentials (HTTP {answer.status_code})", file=sys.stderr)
        return 1
    if answer.status_code != 200:
        print(f"{args.name}: HTTP {answer.status_code} from {lrs.endpoint}: {answer.text[:200]}", file=sys.stderr)
        return 1
    print(f"{args.name}: OK (xAPI {answer.headers.get('X-Experience-API-Version', '?')}, credentials accepted)")
    return 0


def replay(args: argparse.Namespace) -> int:
    from caregiving_course.cli.database import ensure_migrated
    from sync.xapi.feed import queue
    from sync.xapi.models import LrsEndpoint

    ensure_migrated()
    stores = [_lrs(args.lrs)] if args.lrs else list(LrsEndpoint.objects.order_by("pk"))
    if not stores:
        raise CommandError("no learning record stores; add one with 'caregiving lrs add'")
    for lrs in stores:
        made = queue(lrs, args.since)
        print(f"{lrs.name}: {made} statements queued (records since {args.since.isoformat()}; "
              "ones already queued are not queued again)")
    return 0
