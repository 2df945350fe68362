"""`caregiving course check|export`: validate content folders and export courses for other platforms."""
from __future__ import annotations

import argparse
import importlib
from pathlib import Path

from rich.console import Console
from rich.table import Table

from caregiving_course.cli import course_admin, course_scaffold
from caregiving_course.cli.base_url import public_base_url
from caregiving_course.cli.course_validate import print_errors, validate
from caregiving_course.cli.errors import CommandError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("course", help="add, list, remove, create, check or export the courses of the catalogue")
    csub = p.add_subparsers(dest="action", metavar="ACTION")
    csub.required = True
    course_admin.register(csub)
    course_scaffold.register(csub)
    check = csub.add_parser("check", help="validate a course folder with the rest of the catalogue, or the whole "
                                          "catalogue, and summarise it (exit 1 on a broken rule)")
    check.add_argument("path", nargs="?", help="course folder (default: every course of the catalogue)")
    check.set_defaults(func=check_course)
    export = csub.add_parser("export", help="export courses as Open edX OLX or IMS Common Cartridges, one archive "
                                            "per course", epilog=EXPORT_NAMES)
    what = export.add_mutually_exclusive_group(required=True)
    what.add_argument("--olx", metavar="FILE", help="write Open edX course archives (.tar.gz) Studio can import")
    what.add_argument("--cartridge", metavar="FILE", help="write IMS Common Cartridges 1.3 (.imscc) of LTI links")
    export.add_argument("--course", metavar="ID", help="export this course only (default: every course)")
    export.add_argument("--base-url", help="public URL of this server for LTI links (default CAREGIVING_BASE_URL)")
    export.set_defaults(func=export_course)


def check_course(args: argparse.Namespace) -> int:
    from caregiving_course.framework import catalogue_folders

    if args.path:
        path = Path(args.path)
        if not path.is_dir():
            raise CommandError(f"{path} is not a folder; give the folder that holds course.yaml")
        folders, where = catalogue_folders(path), str(path)
    else:
        folders, where = catalogue_folders(), "the catalogue"
    with Console(stderr=True).status(f"Checking {where} with the whole catalogue"):
        checked, errors = validate(folders)
    if errors:
        print_errors(errors, where)
        return 1
    shown = [c for c in checked.courses if not args.path or Path(c.path) == path] or list(checked.courses)
    for course in shown:
        _summarise(course, Path(course.path))
    Console().print(f"[green]ok[/]: every tier rule holds across the catalogue ({len(checked.courses)} courses)")
    return 0


def _summarise(course, path: Path) -> None:
    """The course's modules, credentials and translations, as tables."""
    console = Console()
    console.print(f"[bold]{course.title}[/] ({course.id} version {course.version}, {path})", highlight=False)
    modules = Table(title="Modules", title_justify="left")
    modules.add_column("#", justify="right")
    modules.add_column("module", overflow="fold")
    modules.add_column("title")
    for col in ("hours", "sections", "questions"):
        modules.add_column(col, justify="right")
    for i, m in enumerate(course.modules, 1):
        modules.add_row(str(i), m.id, m.title, str(m.hours), str(len(m.sections)), str(len(m.questions)))
    modules.add_row("", "", "total", str(course.total_hours), "", "")
    console.print(modules)
    creds = Table(title="Credentials", title_justify="left")
    for col in ("credential", "tier", "delivery", "requires"):
        creds.add_column(col, overflow="fold")
    creds.add_column("components", justify="right")
    creds.add_column("total hours", justify="right")
    for c in course.credentials:
        creds.add_row(c.id, c.tier, c.delivery, ", ".join(c.requires) or "-", str(len(c.components)),
                      str(c.total_hours))
    console.print(creds)
    for language, translated in sorted(course.translations.items()):
        missing = [m.id for m in course.modules if m.id not in translated.modules]
        missing += [c.id for c in course.credentials if c.id not in translated.credentials]
        console.print(f"Translation [bold]{language}[/]: {len(translated.modules)} of {len(course.modules)} modules, "
                      f"{len(translated.credentials)} of {len(course.credentials)} credentials"
                      + (f" (shown as written: {', '.join(missing)})" if missing else ""), highlight=False)


EXPORT_NAMES = """where the archives go: with --course, or when the catalogue holds one course, FILE is the archive.
Otherwise each course gets its own archive, named by its id: FILE containing {course} is a name pattern
(courses/{course}.tar.gz); FILE that is a folder (or ends with /) gets ID.tar.gz or ID.imscc inside it;
any other FILE (course.tar.gz) gives course-ID.tar.gz next to it."""
SUFFIXES = (".tar.gz", ".tgz", ".imscc", ".zip")


def archive_paths(target: str, course_ids: list[str], suffix: str, *, several: bool) -> dict[str, Path]:
    """Where each course's archive goes (see :data:`EXPORT_NAMES`); ``suffix`` is the format's usual ending."""
    if "{course}" in target:
        return {i: Path(target.replace("{course}", i)) for i in course_ids}
    path = Path(target)
    if not several:
        return {course_ids[0]: path}
    if path.is_dir() or target.endswith(("/", "\\")):
        return {i: path / f"{i}{suffix}" for i in course_ids}
    ending = next((e for e in SUFFIXES if path.name.endswith(e)), "")
    stem = path.name[:len(path.name) - len(ending)] if ending else path.name
    return {i: path.with_name(f"{stem}-{i}{ending or suffix}") for i in course_ids}


def export_course(args: argparse.Namespace) -> int:
    from caregiving_course.framework import catalogue

    found = catalogue()
    if args.course and not found.has_course(args.course):
        raise CommandError(f"no course {args.course!r} in the catalogue (known: "
                           f"{', '.join(c.id for c in found.courses)}; see 'caregiving course list')")
    courses = [found.course(args.course)] if args.course else list(found.courses)
    suffix = ".tar.gz" if args.olx else ".imscc"
    paths = archive_paths(args.olx or args.cartridge, [c.id for c in courses], suffix, several=len(courses) > 1)
    for path in paths.values():
        if not path.parent.exists():
            raise CommandError(f"folder {path.parent} does not exist")
    base = "" if args.olx else public_base_url(args.base_url)
    for course in courses:
        target = paths[course.id]
        if args.olx:
            importlib.import_module("xblocks.olx").export_course(course, target)
            print(f"wrote Open edX course archive {target} for {course.id} (import it in Studio: Tools > Import)")
        else:
            importlib.import_module("lti_bridge.cartridge").export_cartridge(course, target, base)
            print(f"wrote IMS Common Cartridge {target} for {course.id} with LTI links to {base}")
    return 0
