"""Entry point of the `caregiving` command: sets up Django, then runs one sub-command.

Each package contributes its own commands through a ``register(subparsers)`` function in its
``cli`` module (listed in :data:`COMMAND_MODULES`); a handler is stored as ``func`` on its parser.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys

COMMAND_MODULES = [
    "caregiving_course.cli.serve",
    "caregiving_course.cli.course",
    "caregiving_course.cli.learner",
    "caregiving_course.cli.user",
    "caregiving_course.cli.cohort",
    "caregiving_course.cli.demo",
    "lti_bridge.cli",
    "sync.cli",
    "sync.records_cli",
    "sync.xapi.cli",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="caregiving",
        description="Professional Practice in Caregiving: course, credentials, LTI bridge and badge sync.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # a package that has no commands yet
                continue
            raise
        module.register(sub)
    return parser


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caregiving_course.settings")
    import django

    django.setup()


def main(argv: list[str] | None = None) -> int:
    """Run one sub-command; every failure ends as one line on stderr and a non-zero status, never a traceback
    (set CAREGIVING_DEBUG=1 to see the traceback of an unexpected error)."""
    from django.db import DatabaseError

    from caregiving_course.cli.errors import CommandError
    from caregiving_course.framework.errors import ContentError
    from caregiving_course.learner_record.errors import NotAllowed, RecordError

    command = "caregiving"
    try:
        setup_django()
        args = build_parser().parse_args(argv)
        command = f"caregiving {args.command}"
        return int(args.func(args) or 0)
    except (CommandError, ContentError, RecordError, NotAllowed) as exc:
        print(f"{command}: error: {exc}", file=sys.stderr)
        return 2
    except EOFError:
        print(f"{command}: error: no input to read (no terminal); give the answer as an option (see --help)",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`caregiving course list --json | head`): nothing to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except DatabaseError as exc:
        print(f"{command}: database error: {_first_line(exc)} (check DATABASE_URL and that the database is up)",
              file=sys.stderr)
        return 1
    except Exception as exc:  # the last resort: a bug, said in one line
        if os.environ.get("CAREGIVING_DEBUG"):
            raise
        print(f"{command}: unexpected error: {type(exc).__name__}: {_first_line(exc)} "
              f"(run again with CAREGIVING_DEBUG=1 for the details)", file=sys.stderr)
        return 1


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [""])[0][:300]


if __name__ == "__main__":
    sys.exit(main())
