"""Our package installed non-editable into a folder of its own, as a host would ``pip install`` it.

The shared virtualenv may hold an editable install of another checkout; a folder put first on ``PYTHONPATH``
gives the subprocesses this checkout's code and, through its ``dist-info``, this checkout's entry points
(``lms.djangoapp``, ``xblock.v1``, ``tutor.plugin.v1``). The sources are copied first, so building leaves no
``build/`` or ``egg-info`` in the checkout.
"""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("setup.py", "README.md", "MANIFEST.in", "caregiving_course", "xblocks", "lti_bridge", "sync")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "node_modules", "*.egg-info", "build")


def source_digest() -> str:
    """A hash of every file the package is built from (names and contents)."""
    digest = hashlib.sha256()
    for name in SOURCES:
        path = ROOT / name
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file()
                                                      and "__pycache__" not in p.parts and p.suffix != ".pyc")
        for file in files:
            digest.update(str(file.relative_to(ROOT)).encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def copy_sources(dest: Path) -> Path:
    """This checkout's package sources, copied under ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in SOURCES:
        source = ROOT / name
        if source.is_file():
            shutil.copy2(source, dest / name)
        else:
            shutil.copytree(source, dest / name, ignore=IGNORED)
    return dest


def install(target: Path, work: Path, python: str = sys.executable) -> None:
    """``pip install --no-deps --target target`` of this checkout (built from a copy in ``work``)."""
    source = copy_sources(work)
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
                    "--no-build-isolation", "--target", str(target), str(source)], check=True, timeout=600)
