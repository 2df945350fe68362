"""Checking course folders the way the server will load them: together with the rest of the catalogue."""
from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.text import Text

from caregiving_course.framework import Catalogue, ContentError, load_catalogue


def validate(folders: list[Path], shown: dict[Path, str] | None = None) -> tuple[Catalogue | None, list[ContentError]]:
    """Load ``folders`` as one catalogue: (the catalogue, []) or (None, every error). ``shown`` names a folder
    as the person knows it (the package they gave rather than the staging folder it was unpacked in)."""
    try:
        return load_catalogue(folders), []
    except ContentError as exc:
        errors = getattr(exc, "errors", [exc])
    renamed = []
    for error in errors:
        file = error.file
        for folder, name in (shown or {}).items():
            if file == str(folder) or file.startswith(f"{folder}/"):
                file = name + file[len(str(folder)):]
        renamed.append(ContentError(file, error.item, error.rule))
    return None, renamed


def print_errors(errors: list[ContentError], where: str) -> None:
    """Every error, one a line (file: item: rule (line N)), never wrapped, then how many, on stderr."""
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    for error in errors:
        console.print(Text.assemble(("invalid", "bold red"), " ", str(error)))
    several = len(errors) > 1
    console.print(f"{len(errors)} error{'s' if several else ''} in {where}; fix {'them' if several else 'it'} and "
                  "run 'caregiving course check' again")
