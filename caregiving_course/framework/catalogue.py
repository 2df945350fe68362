"""The catalogue an installation serves: which course folders it holds, loaded once and again when they change.

Its courses, in the order shown:

1. ``settings.CONTENT_DIR``: the first course (the package ships *Professional Practice in Caregiving*);
2. every folder in ``settings.SHIPPED_COURSES_DIR`` (the other courses the package ships);
3. every folder in ``settings.COURSES_DIR`` (the courses ``caregiving course add`` installed, one folder named by
   each course's id). An installed course replaces a shipped one with the same id (a newer version of it); a folder
   holding an ``ARCHIVED`` file takes its course out of the catalogue, records kept.

A host whose settings are not ours (the XBlock workbench, an LMS without our settings) gets the courses the
package ships.
"""
from __future__ import annotations

import functools
import threading
import time
from pathlib import Path

import yaml

from caregiving_course.framework.loader import load_catalogue
from caregiving_course.framework.model import Catalogue

PACKAGE_DIR = Path(__file__).resolve().parent.parent
SHIPPED_CONTENT = PACKAGE_DIR / "content"  # the first course the package ships
SHIPPED_COURSES = PACKAGE_DIR / "courses"  # the other courses it ships
ARCHIVED_MARK = "ARCHIVED"  # a file in an installed course's folder: the course is archived
RECHECK_SECONDS = 2.0  # how often a running server looks for courses added, updated or archived

_lock = threading.Lock()
_loaded: tuple[tuple, Catalogue] | None = None  # (the folders' stamp, their catalogue)
_checked_at = 0.0


def _settings_path(name: str, default: Path | None) -> Path | None:
    from django.conf import settings

    value = getattr(settings, name, None) if settings.configured else None
    return Path(value) if value else default


def course_id_of(folder: Path) -> str:
    """The id a course folder's ``course.yaml`` gives (the folder's name when it gives none or cannot be read).
    Read again only when the file changes: a running server asks for every folder's id at each recheck."""
    try:
        changed = (folder / "course.yaml").stat().st_mtime_ns
    except OSError:
        return folder.name
    return _course_id(folder, changed)


@functools.lru_cache(maxsize=256)
def _course_id(folder: Path, changed: int) -> str:
    try:
        data = yaml.safe_load((folder / "course.yaml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return folder.name
    return str(data.get("id") or folder.name) if isinstance(data, dict) else folder.name


def _folders(folder: Path | None) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")) \
        if folder and folder.is_dir() else []


def catalogue_folders(candidate: Path | None = None) -> list[Path]:
    """The course folders the catalogue loads, in order (see the module's docstring); with ``candidate`` (a course
    folder being checked or installed) in place of the course of its id, as if installed."""
    installed = {p.name: p for p in _folders(_settings_path("COURSES_DIR", None))}
    if candidate is not None:
        installed[course_id_of(candidate)] = candidate
    shipped = [_settings_path("CONTENT_DIR", SHIPPED_CONTENT), *_folders(_settings_path("SHIPPED_COURSES_DIR",
                                                                                        SHIPPED_COURSES))]
    chosen: list[Path] = []
    for folder in shipped:
        course_id = course_id_of(folder)
        replacement = installed.pop(course_id, None)
        chosen.append(replacement or folder)
    chosen += installed.values()
    return [p for p in chosen if not (p / ARCHIVED_MARK).exists()]


def _stamp(folders: list[Path]) -> tuple:
    """What changes when a course is added, updated or archived: each folder and its modification time."""
    stamp = []
    for folder in folders:
        try:
            stamp.append((str(folder), folder.stat().st_mtime_ns))
        except OSError:
            stamp.append((str(folder), 0))
    installed = _settings_path("COURSES_DIR", None)
    if installed and installed.is_dir():
        stamp.append((str(installed), installed.stat().st_mtime_ns))
    return tuple(stamp)


def catalogue() -> Catalogue:
    """Every course the installation serves, as one :class:`Catalogue`. Loaded once; a running server sees a
    course added, updated or archived within ``RECHECK_SECONDS`` (installing replaces a course's folder whole)."""
    global _loaded, _checked_at
    now = time.monotonic()
    if _loaded is not None and now - _checked_at < RECHECK_SECONDS:
        return _loaded[1]
    with _lock:
        folders = catalogue_folders()
        stamp = _stamp(folders)
        if _loaded is None or _loaded[0] != stamp:
            _loaded = (stamp, load_catalogue(folders))
        _checked_at = now
        return _loaded[1]


def forget_catalogue() -> None:
    """Load the catalogue afresh on its next use (settings naming other folders, a course just installed)."""
    global _loaded
    with _lock:
        _loaded = None
