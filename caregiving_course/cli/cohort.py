"""`caregiving cohort add|change|list|code`: cohorts as offerings of the catalogue's courses.

An offering has its courses (``--course``, repeated, or ``--credential``: the courses a credential is made of),
dates (``--starts``, ``--ends``), delivery mode (``--delivery``), whether learners may enrol themselves from the
catalogue page (``--open``/``--closed``), and an enrolment code its instructors share (``cohort code NAME``,
``--regenerate`` to replace it).
``caregiving user add EMAIL --cohort NAME`` still creates a cohort it does not find, as an offering of the first
course; instructors are added with ``user add --role instructor --cohort NAME``.
"""
from __future__ import annotations

import argparse
import datetime as dt

from rich.console import Console
from rich.table import Table

from caregiving_course.cli.database import ensure_migrated
from caregiving_course.cli.errors import CommandError

DELIVERIES = ("self-paced", "instructor-led", "blended", "face-to-face")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _offering_options(parser: argparse.ArgumentParser, *, adding: bool) -> None:
    parser.add_argument("--course", action="append", metavar="ID",
                        help="a course it offers (repeat for several; see 'caregiving course list')")
    parser.add_argument("--credential", action="append", metavar="ID",
                        help="offer every course a credential (and those it stacks on) is made of")
    parser.add_argument("--title", help="the name people read (default: the cohort's name)")
    parser.add_argument("--starts", type=_date, metavar="YYYY-MM-DD", help="first day")
    parser.add_argument("--ends", type=_date, metavar="YYYY-MM-DD", help="last day (closed to enrolment after)")
    parser.add_argument("--delivery", choices=DELIVERIES, help="how it is delivered" + (
        " (default self-paced)" if adding else ""))
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--open", dest="open", action="store_true", default=None,
                       help="learners may enrol themselves from the catalogue page")
    group.add_argument("--closed", dest="open", action="store_false",
                       help="only by enrolment code" + (" (the default)" if adding else ""))


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("cohort", help="manage cohorts: offerings of courses, their dates and enrolment codes")
    csub = p.add_subparsers(dest="action", metavar="ACTION")
    csub.required = True
    add = csub.add_parser("add", help="create an offering of one or more courses")
    add.add_argument("name", help="1 to 80 letters, digits, '-' or '_'")
    _offering_options(add, adding=True)
    add.set_defaults(func=add_cohort)
    change = csub.add_parser("change", help="change what is given of an offering")
    change.add_argument("name")
    _offering_options(change, adding=False)
    change.set_defaults(func=change_cohort)
    ls = csub.add_parser("list", help="list offerings with their courses, dates, delivery and learners")
    ls.set_defaults(func=list_cohorts)
    code = csub.add_parser("code", help="show an offering's enrolment code and link")
    code.add_argument("name")
    code.add_argument("--regenerate", action="store_true", help="replace the code (the old one stops working)")
    code.set_defaults(func=show_code)


def _describe(cohort) -> str:
    dates = f", {cohort.starts_on or '…'} to {cohort.ends_on or '…'}" if cohort.starts_on or cohort.ends_on else ""
    return (f"{cohort.name}: {', '.join(cohort.courses) or '-'}; {cohort.delivery}{dates}; "
            f"{'open' if cohort.open_enrolment else 'closed'} to self-enrolment")


def _courses(args: argparse.Namespace) -> list[str] | None:
    """The courses --course and --credential name, in order (None when neither is given)."""
    from caregiving_course.learner_record import api

    if not args.course and not args.credential:
        return None
    found = list(args.course or [])
    for credential in args.credential or []:
        found += api.courses_of_credential(credential)
    return list(dict.fromkeys(found))


def add_cohort(args: argparse.Namespace) -> int:
    from caregiving_course.learner_record import api

    ensure_migrated()
    courses = _courses(args)
    if courses is None:
        raise CommandError("give the courses it offers: --course ID (or --credential ID)")
    cohort = api.create_offering(args.name, courses=courses, title=args.title or "", starts_on=args.starts,
                                 ends_on=args.ends, delivery=args.delivery or "self-paced",
                                 open_enrolment=bool(args.open))
    print(f"created {_describe(cohort)}")
    print(f"enrolment code {api.format_code(cohort.enrolment_code)} (link: {_link(cohort.enrolment_code)})")
    return 0


def change_cohort(args: argparse.Namespace) -> int:
    from caregiving_course.learner_record import api

    ensure_migrated()
    given = {"courses": _courses(args), "title": args.title, "starts_on": args.starts, "ends_on": args.ends,
             "delivery": args.delivery, "open_enrolment": args.open}
    given = {key: value for key, value in given.items() if value is not None}
    if not given:
        raise CommandError("nothing to change: give --course, --credential, --title, --starts, --ends, --delivery, "
                           "--open or --closed")
    print(f"changed {_describe(api.change_offering(args.name, **given))}")
    return 0


def list_cohorts(args: argparse.Namespace) -> int:
    from caregiving_course.learner_record import api

    ensure_migrated()
    table = Table()
    for col in ("cohort", "courses", "delivery", "starts", "ends", "open", "instructors"):
        table.add_column(col)
    for cohort in api.all_offerings():
        table.add_row(cohort.name, ", ".join(cohort.courses) or "-", cohort.delivery,
                      str(cohort.starts_on or "-"), str(cohort.ends_on or "-"),
                      "yes" if cohort.open_enrolment else "no",
                      ", ".join(sorted(u.get_username() for u in cohort.instructors.all())) or "-")
    Console().print(table)
    return 0


def _link(code: str) -> str:
    from caregiving_course.cli.base_url import public_base_url

    return f"{public_base_url()}/enrol/{code}/"


def show_code(args: argparse.Namespace) -> int:
    from caregiving_course.learner_record import api

    ensure_migrated()
    cohort = api.get_offering(args.name)
    code = api.regenerate_code(cohort) if args.regenerate else cohort.enrolment_code
    print(f"{cohort.name}: enrolment code {api.format_code(code)}" + (" (new; the old code no longer works)"
                                                                      if args.regenerate else ""))
    print(f"link: {_link(code)}")
    return 0
