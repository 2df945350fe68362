"""``caregiving learner clr``: a learner's signed Comprehensive Learner Record (CLR 2.0), for an administrator.

    caregiving learner clr LEARNER --out FILE   write the signed ClrCredential (JSON) to FILE ('-': stdout)
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from caregiving_course.cli.errors import CommandError


def subcommands_of(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:
    """The sub-command group of an existing command (to add to ``caregiving learner``)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise ValueError(f"{parser.prog} has no sub-commands")


def register(subparsers: argparse._SubParsersAction) -> None:
    learner = subparsers.choices.get("learner")
    if learner is None:  # the learner commands are not installed: nothing to add to
        return
    p = subcommands_of(learner).add_parser("clr", help="write a learner's signed Comprehensive Learner Record",
                                           description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("learner", help="learner id, username or e-mail")
    p.add_argument("--out", required=True, metavar="FILE", help="where to write the JSON ('-' for standard output)")
    p.set_defaults(func=write_clr)


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all (a temporary file renamed over it)."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise CommandError(f"cannot write {path}: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from None


def write_clr(args: argparse.Namespace) -> int:
    from caregiving_course.cli.database import ensure_migrated
    from caregiving_course.learner_record import api
    from sync.issuer.clr import learner_clr

    ensure_migrated()
    document = learner_clr(api.find_learner(args.learner))
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if args.out == "-":
        sys.stdout.write(text)
    else:
        write_atomically(Path(args.out), text)
        count = len(document["credentialSubject"]["verifiableCredential"])
        print(f"wrote {args.out}: a signed ClrCredential holding {count} credentials")
    return 0
