"""The Tutor plugin renders (issue 16, point 5), without Docker: ``tutor plugins enable caregiving`` and
``tutor config save`` in a fresh virtualenv with Tutor and our package, into a temporary ``TUTOR_ROOT``."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.plugin.tutor_env import tutor_venv


@pytest.fixture(scope="module")
def tutor(tmp_path_factory):
    """Run ``tutor ARGS`` against a fresh project root; returns (runner, root)."""
    venv = tutor_venv()
    root = tmp_path_factory.mktemp("tutor-root")
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(root.parent), "TUTOR_ROOT": str(root),
           "LANG": "C.UTF-8"}

    def run(*args: str) -> subprocess.CompletedProcess:
        done = subprocess.run([str(venv / "bin" / "tutor"), *args], env=env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, f"tutor {' '.join(args)}: {done.stdout[-2000:]}{done.stderr[-3000:]}"
        return done

    return run, root


def _read(root: Path, path: str) -> str:
    return (root / "env" / path).read_text(encoding="utf-8")


def test_enable_and_save_render_our_requirement_and_patches(tutor):
    run, root = tutor
    assert "caregiving" in run("plugins", "list").stdout
    run("plugins", "enable", "caregiving")
    run("config", "save")

    dockerfile = _read(root, "build/openedx/Dockerfile")
    assert "install 'caregiving-course==" in dockerfile  # OPENEDX_EXTRA_PIP_REQUIREMENTS
    for variant in ("lms", "cms"):
        for kind in ("production", "development"):
            settings = _read(root, f"apps/openedx/settings/{variant}/{kind}.py")
            compile(settings, f"{variant}/{kind}.py", "exec")  # the patched settings are valid Python
            assert 'XBLOCK_SETTINGS.setdefault("caregiving_module", {})' in settings
            assert '"heartbeat_interval_seconds": 15' in settings
            assert 'os.environ.setdefault("CAREGIVING_ISSUER_URL", "http://local.openedx.io")' in settings
    lms = _read(root, "apps/openedx/settings/lms/production.py")
    assert 'BASE_URL = "http://local.openedx.io"' in lms and 'KEYS_DIR = "/openedx/data/caregiving/keys"' in lms
    assert "BASE_URL" not in _read(root, "apps/openedx/settings/cms/production.py").replace("_BASE_URL", "")

    compose = yaml.safe_load(_read(root, "local/docker-compose.yml"))
    sync = compose["services"]["caregiving-sync"]
    assert sync["command"] == "./manage.py lms caregiving_sync"
    assert sync["image"] == compose["services"]["lms"]["image"]
    assert "../../data/lms:/openedx/data" in sync["volumes"]  # the LMS's keys folder


def test_settings_are_tutor_config_and_disabling_removes_them(tutor):
    run, root = tutor
    run("plugins", "enable", "caregiving")
    run("config", "save", "--set", 'OPENEDX_EXTRA_PIP_REQUIREMENTS=["caregiving-course==9.9.9"]',
        "--set", "CAREGIVING_BASE_URL=https://courses.example.org")
    assert "install 'caregiving-course==9.9.9'" in _read(root, "build/openedx/Dockerfile")
    assert 'BASE_URL = "https://courses.example.org"' in _read(root, "apps/openedx/settings/lms/production.py")

    run("plugins", "disable", "caregiving")
    run("config", "save")
    assert "caregiving-course" not in _read(root, "build/openedx/Dockerfile")
    assert "caregiving" not in _read(root, "apps/openedx/settings/lms/production.py")
    assert "caregiving-sync" not in yaml.safe_load(_read(root, "local/docker-compose.yml"))["services"]


def test_studio_init_task_enables_the_three_blocks_and_the_plugin_needs_no_django(tutor):
    venv = tutor_venv()
    code = ("import json, sys\n"
            "import caregiving_course.tutor_plugin\n"
            "from tutor import hooks\n"
            "print(json.dumps(hooks.Filters.CLI_DO_INIT_TASKS.apply([])))\n"
            "print('django' in sys.modules)\n")
    done = subprocess.run([str(venv / "bin" / "python"), "-c", code], capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-2000:]
    tasks, django_loaded = done.stdout.strip().splitlines()
    [(service, script)] = json.loads(tasks)
    assert service == "cms" and "from xblock_django.models import XBlockStudioConfiguration" in script
    for block_type in ("caregiving_module", "caregiving_progress", "caregiving_dashboard"):
        assert f"C.objects.create(name='{block_type}', template='', support_level='fs', enabled=True)" in script
    assert django_loaded == "False"  # Tutor's process loads the plugin, never the platform's code
