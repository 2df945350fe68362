"""The LMS-style project of the plugin tests: our package installed into a folder of its own, migrated with the
project's own ``migrate``, served by a real server on a free port, and driven by a process of its own.
(The ``lms`` fixture; tests/plugin/conftest.py makes it available to the tests here.)"""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass

import pytest

from tests.plugin.package import ROOT, install

SETTINGS = "tests.plugin.lms.settings"


@dataclass
class LmsProject:
    env: dict
    url: str = ""
    migrate_output: str = ""
    driven: dict | None = None

    def run(self, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
        """A command of the project (``-m django migrate``, ``-m tests.plugin.lms.drive``) in its own process."""
        return subprocess.run([sys.executable, *args], env=self.env, cwd=self.env["LMS_DATA_DIR"],
                              capture_output=True, text=True, timeout=timeout)

    def session_cookie(self, username: str) -> dict:
        """A signed-in session of ``username``, made in the project's own process (Django's ``force_login``),
        as the cookie a browser would hold for this server."""
        code = ("import django; django.setup()\n"
                "from django.conf import settings\n"
                "from django.contrib.auth import get_user_model\n"
                "from django.test import Client\n"
                "client = Client()\n"
                f"client.force_login(get_user_model().objects.get(username={username!r}))\n"
                "print(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)\n")
        made = self.run("-c", code, timeout=300)
        assert made.returncode == 0, made.stderr[-3000:]
        name, value = made.stdout.split()[-2:]
        return {"name": name, "value": value, "url": self.url, "httpOnly": True, "sameSite": "Lax"}


def _serve(env: dict) -> tuple[subprocess.Popen, str]:
    server = subprocess.Popen([sys.executable, "-m", "tests.plugin.lms.serve"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True, cwd=env["LMS_DATA_DIR"])
    line = server.stdout.readline()
    if not line.startswith("port "):
        server.kill()
        raise RuntimeError(f"the LMS-style server did not start: {line!r}")
    return server, f"http://127.0.0.1:{int(line.split()[1])}"


@pytest.fixture(scope="module")
def lms(tmp_path_factory):
    """The project, migrated, served and driven once for the module's tests."""
    base = tmp_path_factory.mktemp("lms")
    site, data = base / "site", base / "data"
    data.mkdir()
    install(site, base / "source")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "CAREGIVING_"))}
    env.update({"PYTHONPATH": os.pathsep.join([str(site), str(ROOT)]), "DJANGO_SETTINGS_MODULE": SETTINGS,
                "LMS_DATA_DIR": str(data), "LMS_SECRET_KEY": secrets.token_urlsafe(40),
                "PYTHONWARNINGS": "ignore::UserWarning"})
    project = LmsProject(env)
    migrated = project.run("-m", "django", "migrate", "--no-input")
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    project.migrate_output = migrated.stdout
    server, project.url = _serve(env)
    try:
        env["LMS_ROOT_URL"] = project.url
        driven = project.run("-m", "tests.plugin.lms.drive")
        assert driven.returncode == 0, driven.stderr[-5000:]
        project.driven = json.loads(driven.stdout.strip().splitlines()[-1])
        yield project
    finally:
        server.terminate()
        server.wait(timeout=30)
