"""`caregiving user add|password|list|remove`: local accounts, roles and cohorts, and their passwords."""
from __future__ import annotations

import argparse

from rich.console import Console
from rich.table import Table

from caregiving_course.cli.database import ensure_migrated
from caregiving_course.cli.errors import CommandError
from caregiving_course.cli.secrets import read_secret


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("user", help="manage accounts, roles and cohorts")
    usub = p.add_subparsers(dest="action", metavar="ACTION")
    usub.required = True
    add = usub.add_parser("add", help="create an account, or change the role or cohorts of an existing one",
                          description="Create an account. For an existing account, change only what is given "
                          "(--role, --cohort, --name); its password is never touched (see 'user password').")
    add.add_argument("email")
    add.add_argument("--role", choices=("learner", "instructor", "administrator"),
                     help="new accounts: default learner; existing accounts: kept unless given")
    add.add_argument("--cohort", help="cohort the learner joins or the instructor teaches (created if new)")
    add.add_argument("--name", default="", help="display name")
    add.add_argument("--password", metavar="PASSWORD|-",
                     help="new accounts only: the password, or - to read it from standard input "
                          "(omit to be asked at a terminal)")
    add.add_argument("--no-password", action="store_true", help="account cannot sign in with a password")
    add.set_defaults(func=add_user)
    pw = usub.add_parser("password", help="change an account's password",
                         description="Change an account's password: asked twice at a terminal, or read as one "
                                     "line from standard input with --password -.")
    pw.add_argument("email")
    pw.add_argument("--password", metavar="-", choices=("-",),
                    help="read the new password from standard input (never on the command line)")
    pw.set_defaults(func=change_password)
    ls = usub.add_parser("list", help="list accounts with their roles and cohorts")
    ls.add_argument("--cohort", help="only this cohort")
    ls.set_defaults(func=list_users)
    rm = usub.add_parser("remove", help="disable an account (its records are kept)")
    rm.add_argument("email")
    rm.set_defaults(func=remove_user)


def add_user(args: argparse.Namespace) -> int:
    from django.contrib.auth import get_user_model

    from caregiving_course.learner_record import api

    ensure_migrated()
    if get_user_model().objects.filter(username=args.email.lower()).exists():
        return _change_existing(args)
    if args.password is not None and args.no_password:
        raise CommandError("give --password or --no-password, not both")
    password = None if args.no_password else read_secret(args.password, what="Password", option="--password")
    if password is not None:
        _check_password(password)
    role = args.role or api.LEARNER
    user = api.add_user(args.email, role, cohort=args.cohort, password=password, name=args.name)
    where = f" in cohort {args.cohort}" if args.cohort else ""
    print(f"{user.username}: created, {role}{where}" + ("" if password else " (cannot sign in with a password)"))
    return 0


def _change_existing(args: argparse.Namespace) -> int:
    from caregiving_course.learner_record import api

    email = args.email.lower()
    if args.password is not None or args.no_password:
        raise CommandError(f"{email} already exists and 'user add' never changes a password; "
                           f"use 'caregiving user password {email}'")
    changes = api.change_user(email, role=args.role, cohort=args.cohort, name=args.name)
    if changes:
        print(f"{email}: existing account; {'; '.join(changes)} (password unchanged)")
    else:
        print(f"{email}: existing account, already {api.role_of(_user(email))}"
              + (f" in cohort {args.cohort}" if args.cohort else "") + "; nothing changed")
    return 0


def _user(email: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=email)


def _check_password(password: str) -> None:
    from django.contrib.auth import password_validation
    from django.core.exceptions import ValidationError

    try:
        password_validation.validate_password(password)
    except ValidationError as exc:
        raise CommandError(" ".join(exc.messages)) from None


def change_password(args: argparse.Namespace) -> int:
    from django.contrib.auth import get_user_model

    from caregiving_course.learner_record import api

    ensure_migrated()
    email = args.email.lower()
    if not get_user_model().objects.filter(username=email).exists():
        raise CommandError(f"no account {args.email!r} (see 'caregiving user list')")
    api.set_password(email, read_secret(args.password, what=f"New password for {email}", option="--password"))
    print(f"{email}: password changed")
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
