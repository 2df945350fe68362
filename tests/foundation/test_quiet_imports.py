"""No "pkg_resources is deprecated" warning (from PyFilesystem2, which xblock-sdk imports) in what people read:
`caregiving serve`, `caregiving course export` and the test suite's summary."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

WARNING = "pkg_resources is deprecated"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(tmp_path):
    environment = {**os.environ, "CAREGIVING_HOME": str(tmp_path / "home"), "PYTHONWARNINGS": "default"}
    environment.pop("DATABASE_URL", None)
    return environment


def test_fs_alone_still_warns_so_these_tests_can_fail(env):
    plain = subprocess.run([sys.executable, "-c", "import fs"], env=env, capture_output=True, text=True, timeout=60)
    # setup.py pins setuptools<82, whose pkg_resources warns when fs imports it: without that warning the tests
    # below could not fail, so its absence is a failure, never a skip.
    assert WARNING in plain.stderr, plain.stderr
    ours = subprocess.run([sys.executable, "-c", "import caregiving_course, fs, warnings; warnings.warn('other')"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert WARNING not in ours.stderr and "UserWarning: other" in ours.stderr  # only that one message is dropped


def test_course_export_prints_no_pkg_resources_warning(env, tmp_path):
    result = subprocess.run([sys.executable, "-m", "caregiving_course.cli.main", "course", "export", "--olx",
                             str(tmp_path / "course.tar.gz")], env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    assert WARNING not in result.stderr


def test_serve_prints_no_pkg_resources_warning(env):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "caregiving_course.cli.main", "serve", "--port", str(port),
                               "--no-scheduler"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as answer:
                    assert answer.status == 200
                break
            except (ConnectionError, urllib.error.URLError) as exc:  # not listening yet
                assert not isinstance(exc, urllib.error.HTTPError), exc
                assert server.poll() is None, server.communicate()
                time.sleep(0.2)
    finally:
        server.terminate()
        out, err = server.communicate(timeout=60)
    assert "Serving on" in out and WARNING not in err, err


def test_the_test_summary_has_no_pkg_resources_warning(tmp_path):
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "CAREGIVING_HOME": str(tmp_path / "home")}
    for name in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "PYTEST_ADDOPTS"):
        environment.pop(name, None)
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "tests/xblocks/test_olx.py::test_workbench_renders_every_scenario"],
                            cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout
    assert WARNING not in result.stdout and "warnings summary" not in result.stdout, result.stdout
