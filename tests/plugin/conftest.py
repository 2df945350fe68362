"""Fixtures of the plugin tests: the LMS-style project (``lms``, in :mod:`tests.plugin.lms_project`), and
the stock XBlock workbench in a fresh virtualenv with our package installed non-editable, served on 127.0.0.1.

The virtualenv holds only the workbench pins (``xblock-sdk``, ``XBlock[django]``, Django, setuptools) and our
package, installed from a copy of its files (``pip install DIR``, never ``-e``), so nothing of this checkout
or of the test process's path can leak in. It is built once and kept under
``$XDG_CACHE_HOME/caregiving-plugin-test/<hash>`` (``~/.cache`` by default), the hash covering the pins, the
Python version and every file of the package; a change to any of them builds a new one (older ones are removed).
The workbench runs with its own settings (``workbench.settings``), none of ours.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.plugin.lms_project import lms  # noqa: F401 - the LMS-style project's fixture

ROOT = Path(__file__).resolve().parents[2]
PINS = ["xblock-sdk==0.14.0", "XBlock[django]==6.1.0", "Django>=5.2,<5.3", "setuptools<82"]
PACKAGES = ("caregiving_course", "xblocks", "lti_bridge", "sync")
TOP_FILES = ("setup.py", "MANIFEST.in", "README.md")
SKIPPED = {"__pycache__", "node_modules"}
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "caregiving-plugin-test"


def _package_files() -> list[Path]:
    files = [ROOT / name for name in TOP_FILES]
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*")):
            if path.is_file() and not SKIPPED & set(path.relative_to(ROOT).parts) and path.suffix != ".pyc":
                files.append(path)
    return files


def package_hash() -> str:
    """A hash of what the virtualenv is built from: pins, Python version, every file of the package."""
    digest = hashlib.sha256("\n".join([*PINS, sys.version]).encode())
    for path in _package_files():
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:20]


def _clean_env(**extra: str) -> dict:
    """The environment of a process of the fresh virtualenv: nothing of ours (no PYTHONPATH, no settings)."""
    keep = {k: v for k, v in os.environ.items()
            if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PIP_CERT", "PIP_FIND_LINKS",
                     "PIP_DEFAULT_TIMEOUT", "PIP_DISABLE_PIP_VERSION_CHECK", "PIP_INDEX_URL",
                     "PIP_EXTRA_INDEX_URL", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "SSL_CERT_FILE")}
    return {**keep, "PYTHONDONTWRITEBYTECODE": "1", **extra}


def _build(target: Path) -> None:
    source = target / "source"
    source.mkdir(parents=True)
    for name in TOP_FILES:
        shutil.copy2(ROOT / name, source / name)
    for package in PACKAGES:
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns(*SKIPPED, "*.pyc"))
    venv = target / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    for args in (PINS, [str(source)]):  # the pins first, then our package from its copy, not editable
        done = subprocess.run([*pip, *args], env=_clean_env(), capture_output=True, text=True, timeout=1800)
        if done.returncode:
            pytest.fail(f"pip install {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")


@pytest.fixture(scope="session")
def fresh_venv() -> Path:
    """The fresh virtualenv's directory, built when missing or stale (one builder at a time)."""
    key = package_hash()
    CACHE.mkdir(parents=True, exist_ok=True)
    target = CACHE / key
    with open(CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / "ready").exists():
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir()
            _build(target)
            (target / "ready").write_text(key)
        for stale in CACHE.iterdir():
            if stale.is_dir() and stale.name != key:
                shutil.rmtree(stale, ignore_errors=True)
    return target / "venv"


def venv_python(venv: Path, code: str, *, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """Run ``code`` with the fresh virtualenv's Python (its own path, the workbench's settings)."""
    (cwd / "var").mkdir(exist_ok=True)  # the workbench's settings log to var/workbench.log
    return subprocess.run([str(venv / "bin" / "python"), "-c", code], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env=_clean_env(DJANGO_SETTINGS_MODULE="workbench.settings", **env))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def workbench(fresh_venv, tmp_path_factory) -> str:
    """The stock workbench (``workbench.settings``, its ``migrate --run-syncdb``) on a free loopback port."""
    home = tmp_path_factory.mktemp("workbench")
    (home / "var").mkdir()  # the workbench's SQLite database is var/workbench.db, relative to its directory
    python = str(fresh_venv / "bin" / "python")
    env = _clean_env(DJANGO_SETTINGS_MODULE="workbench.settings")
    migrate = subprocess.run([python, "-m", "django", "migrate", "--run-syncdb", "-v", "0"], cwd=home, env=env,
                             capture_output=True, text=True, timeout=300)
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    port = _free_port()
    log = open(home / "server.log", "w")  # open for the server's lifetime
    proc = subprocess.Popen([python, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"], cwd=home,
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            requests.get(base + "/", timeout=2)
            break
        except requests.RequestException:
            if proc.poll() is not None:
                pytest.fail("the workbench exited:\n" + (home / "server.log").read_text()[-3000:])
            time.sleep(0.25)
    yield base
    proc.terminate()
    proc.wait(timeout=15)
    log.close()
