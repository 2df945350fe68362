"""`caregiving course check|export`: validate content folders and export the course for other platforms."""
from __future__ import annotations

import argparse
import importlib
from pathlib import Path

from rich.console import Console
from rich.table import Table

from caregiving_course.cli import course_admin, course_scaffold
from caregiving_course.cli.base_url import public_base_url
from caregiving_course.cli.course_validate import folders_with, print_errors, validate
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
    export = csub.add_parser("export", help="export the course as Open edX OLX or an IMS Common Cartridge")
    what = export.add_mutually_exclusive_group(required=True)
    what.add_argument("--olx", metavar="FILE", help="write an Open edX course archive (.tar.gz) Studio can import")
    what.add_argument("--cartridge", metavar="FILE", help="write an IMS Common Cartridge 1.3 (.imscc) of LTI links")
    export.add_argument("--base-url", help="public URL of this server for LTI links (default CAREGIVING_BASE_URL)")
    export.set_defaults(func=export_course)


def check_course(args: argparse.Namespace) -> int:
    from caregiving_course.framework import catalogue_folders

    if args.path:
        path = Path(args.path)
        if not path.is_dir():
            raise CommandError(f"{path} is not a folder; give the folder that holds course.yaml")
        folders, where = folders_with(path), str(path)
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


def export_course(args: argparse.Namespace) -> int:
    from caregiving_course.framework import catalogue

    target = Path(args.olx or args.cartridge)
    if not target.parent.exists():
        raise CommandError(f"folder {target.parent} does not exist")
    course = catalogue()
    if args.olx:
        importlib.import_module("xblocks.olx").export_course(course, target)
        print(f"wrote Open edX course archive {target} (import it in Studio: Tools > Import)")
    else:
        base = public_base_url(args.base_url)
        importlib.import_module("lti_bridge.cartridge").export_cartridge(course, target, base)
        print(f"wrote IMS Common Cartridge {target} with LTI links to {base}")
    return 0
