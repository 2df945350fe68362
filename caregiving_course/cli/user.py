"""`caregiving user add|list|remove`: local accounts, roles and cohorts."""
from __future__ import annotations

import argparse
import getpass

from rich.console import Console
from rich.table import Table

from caregiving_course.cli.database import ensure_migrated
from caregiving_course.cli.errors import CommandError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("user", help="manage accounts, roles and cohorts")
    usub = p.add_subparsers(dest="action", metavar="ACTION")
    usub.required = True
    add = usub.add_parser("add", help="create or update an account")
    add.add_argument("email")
    add.add_argument("--role", choices=("learner", "instructor", "administrator"), default="learner")
    add.add_argument("--cohort", help="cohort the learner joins or the instructor teaches (created if new)")
    add.add_argument("--name", default="", help="display name")
    add.add_argument("--password", help="password (omit to be asked; --no-password for LTI/SSO-only accounts)")
    add.add_argument("--no-password", action="store_true", help="account cannot sign in with a password")
    add.set_defaults(func=add_user)
    ls = usub.add_parser("list", help="list accounts with their roles and cohorts")
    ls.add_argument("--cohort", help="only this cohort")
    ls.set_defaults(func=list_users)
    rm = usub.add_parser("remove", help="disable an account (its records are kept)")
    rm.add_argument("email")
    rm.set_defaults(func=remove_user)


def add_user(args: argparse.Namespace) -> int:
    from caregiving_course.learner_record import api

    ensure_migrated()
    password = args.password
    if password is None and not args.no_password:
        password = getpass.getpass(f"Password for {args.email}: ")
    if password is not None and len(password) < 8:
        raise CommandError("the password must be at least 8 characters")
    user = api.add_user(args.email, args.role, cohort=args.cohort, password=password, name=args.name)
    where = f" in cohort {args.cohort}" if args.cohort else ""
    print(f"{user.username}: {args.role}{where}")
    return 0


def list_users(args: argparse.Namespace) -> int:
    from django.contrib.auth import get_user_model

    from caregiving_course.learner_record import api

    ensure_migrated()
    users = get_user_model().objects.order_by("username").prefetch_related(
        "taught_cohorts", "learner__enrolments__cohort")
    if args.cohort:
        if not api.cohort_exists(args.cohort):
            raise CommandError(f"no cohort {args.cohort!r}")
        users = (users.filter(taught_cohorts__name=args.cohort)
                 | users.filter(learner__enrolments__cohort__name=args.cohort))
    table = Table()
    for col in ("account", "role", "cohorts", "active"):
        table.add_column(col)
    for user in users.distinct():
        learner = getattr(user, "learner", None)
        cohorts = [c.name for c in user.taught_cohorts.all()]
        if learner:
            cohorts += [e.cohort.name for e in learner.enrolments.all()]
        table.add_row(user.username, api.role_of(user), ", ".join(sorted(set(cohorts))) or "-",
                      "yes" if user.is_active else "no")
    Console().print(table)
    return 0


def remove_user(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.contrib.auth import get_user_model

    ensure_migrated()
    user = get_user_model().objects.filter(username=args.email.lower()).first()
    if user is None:
        raise CommandError(f"no account {args.email!r} (see 'caregiving user list')")
    user.is_active = False
    user.save(update_fields=["is_active"])  # through the ORM, so a shared user cache drops the account at once
    print(f"{args.email}: disabled (records kept); a running server without a shared cache signs the account out "
          f"within {settings.USER_CACHE_SECONDS} s")
    return 0
