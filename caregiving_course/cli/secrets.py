"""Reading a password or secret for a command: asked twice on a terminal, or one line from standard input."""
from __future__ import annotations

import getpass
import sys

from caregiving_course.cli.errors import CommandError

STDIN = "-"


def read_secret(value: str | None, *, what: str, option: str, confirm: bool = True) -> str:
    """The secret a command was given: ``value`` itself, or (``value`` is ``-`` or None) typed at a terminal
    twice, or (``value`` is ``-`` without a terminal) the first line of standard input.

    Raises CommandError saying what to give when there is neither a terminal nor any input.
    """
    if value not in (None, STDIN):
        return value
    terminal = sys.stdin is not None and sys.stdin.isatty()
    if terminal:
        try:
            secret = getpass.getpass(f"{what}: ")
            if confirm and getpass.getpass(f"{what} (again): ") != secret:
                raise CommandError(f"the two {what.lower()} entries differ; nothing changed")
        except EOFError:
            secret = ""
    elif value == STDIN:
        line = sys.stdin.readline() if sys.stdin is not None else ""
        secret = line.rstrip("\r\n")
    else:
        raise CommandError(f"no terminal to ask for the {what.lower()}: pipe it in with '{option} -' "
                           f"(e.g. printf '%s\\n' \"$SECRET\" | caregiving ... {option} -)")
    if not secret:
        raise CommandError(f"no {what.lower()} given; type it at the prompt or pipe one line with '{option} -'")
    return secret
