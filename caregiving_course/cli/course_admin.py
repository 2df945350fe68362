"""`caregiving course add|list|remove`: the courses an installation serves (settings.COURSES_DIR, one folder each).

Adding unpacks the package beside the installed courses (a hidden staging folder), checks it with the whole
catalogue, and only then renames it into place: a refused course changes nothing. Records are keyed by module and
credential ids, so an update keeps every learner's records; each version served is recorded with its modules, so a
module a later version drops is still shown, with its hours, as from the earlier version.
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

from caregiving_course.cli.course_package import is_archive, remove_tree, unpack
from caregiving_course.cli.course_validate import print_errors, validate
from caregiving_course.cli.database import ensure_migrated
from caregiving_course.cli.errors import CommandError
from caregiving_course.framework import ARCHIVED_MARK, Course, catalogue_folders, course_id_of


def register(csub: argparse._SubParsersAction) -> None:
    """Add the `add`, `list` and `remove` actions to `caregiving course`."""
    add = csub.add_parser("add", help="install or update a course from a folder, .tar.gz or .zip (checked first)")
    add.add_argument("path", help="the course folder, or a .tar.gz or .zip of it")
    add.set_defaults(func=add_course)
    listing = csub.add_parser("list", help="the courses served: id, title, version, modules, hours, learners")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.set_defaults(func=list_courses)
    remove = csub.add_parser("remove", help="take a course out of the catalogue (refused while learners have "
                                            "records, unless --archive)")
    remove.add_argument("id", help="the course id (see 'caregiving course list')")
    remove.add_argument("--archive", action="store_true",
                        help="keep the learners' records and take the course out of the catalogue")
    remove.set_defaults(func=remove_course)


def _courses_dir() -> Path:
    from django.conf import settings

    return Path(settings.COURSES_DIR)


def add_course(args: argparse.Namespace) -> int:
    from caregiving_course.learner_record import api

    source = Path(args.path).expanduser()
    home = _courses_dir()
    home.mkdir(parents=True, exist_ok=True)
    console = Console(stderr=True)
    staging = Path(tempfile.mkdtemp(prefix=".incoming-", dir=home))
    try:
        with console.status(f"{'Extracting' if is_archive(source) else 'Copying'} {source}"):
            root = unpack(source, staging / "package")
        with console.status(f"Checking {source} with the whole catalogue"):
            before, _ = validate(catalogue_folders())
            checked, errors = validate(catalogue_folders(root), {root: str(source)})
        if errors:
            print_errors(errors, str(source))
            raise CommandError(f"{source} was not installed: nothing changed")
        course = next(c for c in checked.courses if Path(c.path) == root)
        ensure_migrated()
        api.record_courses([*(before.courses if before else ()), course])
        previous = before.course(course.id) if before and before.has_course(course.id) else None
        _install(root, home / course.id, staging)
    finally:
        remove_tree(staging)
    _say_added(course, previous)
    return 0


def _install(root: Path, target: Path, staging: Path) -> None:
    """Put ``root`` at ``target`` by renames in one file system, the old folder moved aside first."""
    aside = staging / "previous"
    if target.exists():
        os.rename(target, aside)
    try:
        os.rename(root, target)
    except OSError as exc:
        if aside.exists():
            os.rename(aside, target)
        raise CommandError(f"cannot install into {target}: {exc.strerror}; check the folder's permissions") from None


def _say_added(course: Course, previous: Course | None) -> None:
    summary = f"{course.id} version {course.version}: {course.title} ({len(course.modules)} modules, " \
              f"{course.total_hours} h, {len(course.credentials)} credentials)"
    if previous is None:
        print(f"installed {summary}")
        return
    print(f"updated {summary}, was version {previous.version}")
    dropped = [m for m in previous.modules if not course.has_module(m.id)]
    if dropped:
        print("modules no longer in the course (learners keep their completions and hours, shown as from version "
              f"{previous.version}): {', '.join(m.id for m in dropped)}")


def _rows() -> list[dict]:
    from caregiving_course.framework import catalogue
    from caregiving_course.learner_record import api

    ensure_migrated()
    home = _courses_dir().resolve()
    return [{"id": c.id, "title": c.title, "version": c.version, "modules": len(c.modules),
             "hours": f"{c.total_hours.normalize():f}", "learners": api.learners_in_course(c),
             "installed": Path(c.path).resolve().is_relative_to(home)} for c in catalogue().courses]


def list_courses(args: argparse.Namespace) -> int:
    rows = _rows()
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    table = Table(title="Courses", title_justify="left")
    table.add_column("id", overflow="fold", no_wrap=False)
    table.add_column("title", overflow="fold", ratio=1)
    table.add_column("version", overflow="fold")
    for col in ("modules", "hours", "learners"):
        table.add_column(col, justify="right")
    table.add_column("from")
    for row in rows:
        table.add_row(row["id"], row["title"], row["version"], str(row["modules"]), row["hours"],
                      str(row["learners"]), "installed" if row["installed"] else "shipped")
    Console().print(table)
    return 0


def remove_course(args: argparse.Namespace) -> int:
    from caregiving_course.framework import catalogue
    from caregiving_course.learner_record import api

    served = catalogue()
    folder = _courses_dir() / args.id
    if not served.has_course(args.id):
        if (folder / ARCHIVED_MARK).exists():
            raise CommandError(f"course {args.id} is already archived (add it again to bring it back)")
        raise CommandError(f"no course {args.id!r} (courses: {', '.join(c.id for c in served.courses)})")
    course = served.course(args.id)
    _, errors = validate([f for f in catalogue_folders() if course_id_of(f) != args.id])
    if errors:
        print_errors(errors, f"the catalogue without {args.id}")
        raise CommandError(f"other courses depend on {args.id} (above); change them first: nothing changed")
    ensure_migrated()
    learners = api.learners_in_course(course)
    if learners and not args.archive:
        raise CommandError(f"{learners} learner{'s have' if learners > 1 else ' has'} records in {args.id}; "
                           "give --archive to take it out of the catalogue and keep their records")
    api.record_courses([course])  # its modules stay named in the learners' records
    installed = Path(course.path).resolve().is_relative_to(_courses_dir().resolve())
    shipped = any(course_id_of(f) == args.id for f in _shipped_folders())
    if learners or shipped:
        _archive(folder, keep=installed and learners > 0)
        how = "archived (records kept)" if learners else "archived (a shipped course; the package keeps it)"
        print(f"{args.id} {how}; 'caregiving course add' brings it back")
    else:
        remove_tree(folder)
        print(f"{args.id} removed (no learner had records in it)")
    return 0


def _shipped_folders() -> list[Path]:
    from django.conf import settings

    shipped = Path(settings.SHIPPED_COURSES_DIR)
    return [Path(settings.CONTENT_DIR), *(p for p in shipped.iterdir() if p.is_dir())] if shipped.is_dir() \
        else [Path(settings.CONTENT_DIR)]


def _archive(folder: Path, *, keep: bool) -> None:
    """Mark ``folder`` archived: its content kept (an installed course with records), or only the mark (a shipped
    course, or one without records: the shipped version must not come back in its place)."""
    if folder.exists() and not keep:
        aside = folder.with_name(f".removing-{folder.name}")
        remove_tree(aside)
        os.rename(folder, aside)
        remove_tree(aside)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ARCHIVED_MARK).write_text("archived by 'caregiving course remove --archive'\n", encoding="utf-8")
