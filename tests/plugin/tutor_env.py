"""A fresh virtualenv with ``tutor`` and our package (non-editable), cached outside the checkout.

It is keyed by a hash of its inputs (the Tutor pin, the Python version and every source file of the package).
A virtualenv's scripts name its absolute path, so it is made in place, under a lock, and marked complete last:
a half-made one (an interrupted run) is made again. Older ones are removed.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.plugin.package import copy_sources, source_digest

TUTOR = "tutor==22.0.3"
PREFIX = "tutor-venv-"
COMPLETE = ".complete"


def cache_dir() -> Path:
    """Where the virtualenvs are kept: ``$XDG_CACHE_HOME/caregiving-tests`` (``~/.cache`` by default)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "caregiving-tests"


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}{done.stderr[-4000:]}")


def tutor_venv() -> Path:
    """The virtualenv for this checkout, made if missing; its ``bin`` holds ``tutor``."""
    key = hashlib.sha256(f"{TUTOR}\0{sys.version_info[:2]}\0{source_digest()}".encode()).hexdigest()[:16]
    cache = cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    venv = cache / f"{PREFIX}{key}"
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (venv / COMPLETE).exists():
            return venv
        for old in cache.glob(f"{PREFIX}*"):
            shutil.rmtree(old, ignore_errors=True)
        _run([sys.executable, "-m", "venv", str(venv)])
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        _run([*pip, TUTOR, "setuptools<82", "wheel"])
        with tempfile.TemporaryDirectory() as work:
            # our package without its dependencies: Tutor loads the plugin module, never Django or the blocks
            _run([*pip, "--no-deps", "--no-build-isolation", str(copy_sources(Path(work) / "source"))])
        (venv / COMPLETE).write_text(TUTOR)
    return venv
