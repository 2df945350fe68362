"""A course package made safe to read: a folder, or a ``.tar.gz`` / ``.zip`` of one folder, copied into a staging
folder with every entry checked (no absolute paths, no ``..``, no links or devices, capped size and file count).
"""
from __future__ import annotations

import shutil
import stat
import tarfile
import zipfile
from pathlib import Path, PurePosixPath

from caregiving_course.cli.errors import CommandError

MAX_FILES = 2000  # files and folders in one package
MAX_BYTES = 64 * 1024 * 1024  # all its files, unpacked
CHUNK = 64 * 1024
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".zip")


def is_archive(path: Path) -> bool:
    return path.name.lower().endswith(ARCHIVE_SUFFIXES)


def unpack(source: Path, staging: Path) -> Path:
    """Copy or extract ``source`` into the empty folder ``staging``; return the course folder in it (the one that
    holds course.yaml). Raises CommandError, changing nothing outside ``staging``, for anything unsafe or broken."""
    if source.is_dir():
        _copy_folder(source, staging)
    elif not source.exists():
        raise CommandError(f"{source} does not exist; give a course folder, or a .tar.gz or .zip of one")
    elif source.name.lower().endswith(".zip"):
        _extract_zip(source, staging)
    elif source.name.lower().endswith((".tar.gz", ".tgz")):
        _extract_tar(source, staging)
    else:
        raise CommandError(f"{source} is neither a folder nor a .tar.gz or .zip archive")
    return _course_root(source, staging)


def _safe_name(name: str, source: Path) -> PurePosixPath:
    """The entry's relative path, refused when it is absolute or climbs out with '..'."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or name.startswith(("/", "\\")) or (path.parts and ":" in path.parts[0]):
        raise CommandError(f"{source}: refused: entry '{name}' has an absolute path")
    if ".." in path.parts:
        raise CommandError(f"{source}: refused: entry '{name}' climbs out of the package with '..'")
    return path


class _Budget:
    """The caps one package must stay within."""

    def __init__(self, source: Path) -> None:
        self.source, self.files, self.bytes = source, 0, 0

    def entry(self) -> None:
        self.files += 1
        if self.files > MAX_FILES:
            raise CommandError(f"{self.source}: refused: more than {MAX_FILES} files (a course package holds a "
                               "course.yaml, its modules, credentials and translations)")

    def spend(self, size: int) -> None:
        self.bytes += size
        if self.bytes > MAX_BYTES:
            raise CommandError(f"{self.source}: refused: more than {MAX_BYTES // (1024 * 1024)} MiB unpacked")


def _write(stream, target: Path, budget: _Budget) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("xb") as out:
        while chunk := stream.read(CHUNK):
            budget.spend(len(chunk))
            out.write(chunk)


def _copy_folder(source: Path, staging: Path) -> None:
    budget = _Budget(source)
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        budget.entry()
        if path.is_symlink():
            raise CommandError(f"{source}: refused: {relative} is a link (a package holds plain files only)")
        if path.is_dir():
            (staging / relative).mkdir(parents=True, exist_ok=True)
        elif path.is_file():
            with path.open("rb") as stream:
                _write(stream, staging / relative, budget)
        else:
            raise CommandError(f"{source}: refused: {relative} is not a plain file")


def _extract_tar(source: Path, staging: Path) -> None:
    budget = _Budget(source)
    try:
        with tarfile.open(source, "r:gz") as archive:
            for member in archive:
                budget.entry()
                name = _safe_name(member.name, source)
                if member.isdir():
                    (staging / name).mkdir(parents=True, exist_ok=True)
                elif member.isfile():
                    _write(archive.extractfile(member), staging / name, budget)
                else:
                    raise CommandError(f"{source}: refused: entry '{member.name}' is a link or a device "
                                       "(a package holds plain files only)")
    except FileExistsError as exc:
        raise CommandError(f"{source}: refused: entry '{Path(exc.filename).relative_to(staging)}' is there twice") \
            from None
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise CommandError(f"{source} is not a readable .tar.gz archive ({exc}); make it with "
                           f"'tar czf {source.name} FOLDER'") from None


def _extract_zip(source: Path, staging: Path) -> None:
    budget = _Budget(source)
    try:
        with zipfile.ZipFile(source) as archive:
            for info in archive.infolist():
                budget.entry()
                name = _safe_name(info.filename, source)
                mode = info.external_attr >> 16
                if stat.S_ISLNK(mode) or (mode and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))):
                    raise CommandError(f"{source}: refused: entry '{info.filename}' is a link or a device "
                                       "(a package holds plain files only)")
                if info.is_dir():
                    (staging / name).mkdir(parents=True, exist_ok=True)
                else:
                    with archive.open(info) as stream:
                        _write(stream, staging / name, budget)
    except FileExistsError as exc:
        raise CommandError(f"{source}: refused: entry '{Path(exc.filename).relative_to(staging)}' is there twice") \
            from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise CommandError(f"{source} is not a readable .zip archive ({exc}); make it with "
                           f"'zip -r {source.name} FOLDER'") from None


def _course_root(source: Path, staging: Path) -> Path:
    """The folder holding course.yaml: the package's top, or its one top-level folder."""
    if (staging / "course.yaml").is_file():
        return staging
    tops = [p for p in staging.iterdir() if not p.name.startswith((".", "__MACOSX"))]
    if len(tops) == 1 and tops[0].is_dir() and (tops[0] / "course.yaml").is_file():
        return tops[0]
    raise CommandError(f"{source} holds no course: a package is one folder with course.yaml at its top "
                       "(run 'caregiving course new ID' to see the layout)")


def remove_tree(path: Path) -> None:
    """Delete a staging or replaced course folder (quietly: it is ours and nothing else refers to it)."""
    shutil.rmtree(path, ignore_errors=True)
