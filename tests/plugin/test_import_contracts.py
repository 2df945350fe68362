"""The import contracts of ``.importlinter`` (issue 16, point 6) hold, and ``lint-imports`` catches each breach."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.plugin.package import ROOT, copy_sources

LINT = str(Path(sys.executable).with_name("lint-imports"))
BREACHES = {  # file, import added, the contract it breaks
    "xblocks/i18n.py": ("import sync.public", "xblocks import neither lti_bridge nor sync"),
    "lti_bridge/outbound.py": ("import sync.delivery", "lti_bridge does not import sync"),
    "sync/public.py": ("import xblocks.i18n", "sync does not import xblocks"),
    "caregiving_course/cli/course.py": ("import caregiving_course.learner_record.models",
                                        "only caregiving_course.learner_record imports its models"),
}


def _lint(where: Path) -> subprocess.CompletedProcess:
    return subprocess.run([LINT, "--no-cache"], cwd=where, capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(where), "COLUMNS": "200"})


def test_the_checkout_keeps_every_contract():
    done = _lint(ROOT)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "4 kept, 0 broken" in done.stdout


@pytest.mark.parametrize("path", sorted(BREACHES))
def test_a_forbidden_import_breaks_its_contract(tmp_path, path):
    copy = copy_sources(tmp_path / "copy")
    shutil.copy2(ROOT / ".importlinter", copy / ".importlinter")
    line, contract = BREACHES[path]
    target = copy / path
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")
    done = _lint(copy)
    assert done.returncode != 0
    assert "1 broken" in done.stdout and contract in " ".join(done.stdout.split())
