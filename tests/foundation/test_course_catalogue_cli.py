"""`caregiving course new|check|add|list|remove` as a person runs them: real processes on a fresh CAREGIVING_HOME,
packages as folders, .tar.gz and .zip, every error in one run, updates that keep every learner's records."""
from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.foundation.test_cli import cli  # noqa: F401 - the fixture

COMPLETE = """
import django, os, sys
os.environ['DJANGO_SETTINGS_MODULE'] = 'caregiving_course.settings'
django.setup()
from caregiving_course.learner_record import api
from caregiving_course.learner_record.synthetic import simulate_study
learner = api.learner_for_user(api.add_user(sys.argv[1], api.LEARNER, password='long-enough-pass-1'))
assert simulate_study(learner, sys.argv[2], seconds=7200, score=1.0)
"""


def _new(cli, tmp_path: Path, course_id: str = "wound-care") -> Path:  # noqa: F811
    folder = tmp_path / course_id
    result = cli("course", "new", course_id, "--into", str(folder), "--title", "Wound Care Basics")
    assert result.returncode == 0, result.stderr
    return folder


def _courses(cli) -> dict[str, dict]:  # noqa: F811
    result = cli("course", "list", "--json")
    assert result.returncode == 0, result.stderr
    return {row["id"]: row for row in json.loads(result.stdout)}


def _installed(cli) -> list[str]:  # noqa: F811
    home = Path(cli.env["CAREGIVING_HOME"]) / "courses"
    return sorted(p.name for p in home.iterdir()) if home.is_dir() else []


def _complete(cli, email: str, module_id: str) -> None:  # noqa: F811
    done = subprocess.run([sys.executable, "-c", COMPLETE, email, module_id], env=cli.env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_a_new_course_passes_check_installs_and_is_listed(cli, tmp_path):  # noqa: F811
    folder = _new(cli, tmp_path)
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.*")) == [
        "course.yaml", "credentials/wound-care-badge.yaml", "modules/01-wound-care-module-1.md",
        "translations/fr/credentials/wound-care-badge.yaml", "translations/fr/modules/01-wound-care-module-1.md"]
    check = cli("course", "check", str(folder))
    assert check.returncode == 0, check.stderr
    assert "Translation fr: 1 of 1 modules, 1 of 1 credentials" in check.stdout
    assert cli("course", "new", "wound-care", "--into", str(tmp_path / "again")).returncode == 0  # not installed yet
    added = cli("course", "add", str(folder))
    assert added.returncode == 0, added.stderr
    assert "installed wound-care version 0.1.0" in added.stdout
    again = cli("course", "new", "wound-care", "--into", str(tmp_path / "third"))
    assert again.returncode == 2 and "already in the catalogue" in again.stderr
    rows = _courses(cli)
    assert list(rows) == ["professional-practice-in-caregiving", "mental-health-substance-use", "wound-care"]
    assert rows["wound-care"] == {"id": "wound-care", "title": "Wound Care Basics", "version": "0.1.0", "modules": 1,
                                  "hours": "2", "learners": 0, "installed": True}
    table = cli("course", "list")
    assert table.returncode == 0 and "Wound Care Basics" in table.stdout and "Traceback" not in table.stderr
    narrow = subprocess.run([sys.executable, "-m", "caregiving_course.cli.main", "course", "list"],
                            env={**cli.env, "COLUMNS": "60"}, capture_output=True, text=True, timeout=120)
    assert narrow.returncode == 0 and max(map(len, narrow.stdout.splitlines())) <= 60


def test_add_refuses_with_every_error_and_changes_nothing(cli, tmp_path):  # noqa: F811
    folder = _new(cli, tmp_path)
    module = folder / "modules" / "01-wound-care-module-1.md"
    module.write_text(module.read_text().replace("hours: 2\n", "hours: 2\ncolour: blue\n"))
    badge = folder / "credentials" / "wound-care-badge.yaml"
    badge.write_text(badge.read_text().replace("tier: badge", "tier: badge\nrequires: [no-such-credential]")
                     .replace("requires: []\n", ""))
    (folder / "credentials" / "second.yaml").write_text(
        badge.read_text().replace("id: wound-care-badge", "id: caregiving-badge"))  # another course's id
    result = cli("course", "add", str(folder))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    invalid = [line for line in result.stderr.splitlines() if line.startswith("invalid ")]
    assert len(invalid) >= 2, result.stderr
    assert f"{module}: module wound-care-module-1: unknown field 'colour'" in result.stderr
    assert "(line 5)" in result.stderr
    assert "caregiving-badge" in result.stderr and "id already used" in result.stderr
    assert "was not installed: nothing changed" in result.stderr
    assert _installed(cli) == []


def _tar(folder: Path, target: Path, extra: tarfile.TarInfo | None = None) -> Path:
    with tarfile.open(target, "w:gz") as archive:
        archive.add(folder, arcname=folder.name)
        if extra is not None:
            archive.addfile(extra, io.BytesIO(b"x" * extra.size) if extra.isfile() else None)
    return target


def test_packages_are_extracted_safely_or_refused(cli, tmp_path):  # noqa: F811
    folder = _new(cli, tmp_path)
    climbing = tarfile.TarInfo("../escaped.txt")
    climbing.size = 1
    link = tarfile.TarInfo("wound-care/link")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    absolute = tarfile.TarInfo("/tmp/absolute.txt")
    absolute.size = 1
    for extra, said in ((climbing, "climbs out of the package"), (link, "is a link"),
                        (absolute, "absolute path")):
        refused = cli("course", "add", str(_tar(folder, tmp_path / "bad.tar.gz", extra)))
        assert refused.returncode == 2 and said in refused.stderr and "Traceback" not in refused.stderr
    (tmp_path / "junk.zip").write_bytes(b"this is not a zip file")
    junk = cli("course", "add", str(tmp_path / "junk.zip"))
    assert junk.returncode == 2 and "is not a readable .zip archive" in junk.stderr
    with zipfile.ZipFile(tmp_path / "linked.zip", "w") as archive:
        info = zipfile.ZipInfo("wound-care/course.yaml")
        info.external_attr = 0o120777 << 16  # a symbolic link
        archive.writestr(info, "/etc/passwd")
    linked = cli("course", "add", str(tmp_path / "linked.zip"))
    assert linked.returncode == 2 and "is a link" in linked.stderr
    assert not (tmp_path / "escaped.txt").exists() and _installed(cli) == []
    assert not list((Path(cli.env["CAREGIVING_HOME"]) / "courses").glob(".*"))  # no staging folder left

    with zipfile.ZipFile(tmp_path / "wound-care.zip", "w") as archive:
        for path in folder.rglob("*"):
            archive.write(path, f"wound-care/{path.relative_to(folder)}")
    zipped = cli("course", "add", str(tmp_path / "wound-care.zip"))
    assert zipped.returncode == 0, zipped.stderr
    tarred = cli("course", "add", str(_tar(folder, tmp_path / "wound-care.tar.gz")))
    assert tarred.returncode == 0 and "updated wound-care version 0.1.0" in tarred.stdout, tarred.stderr
    assert _installed(cli) == ["wound-care"]


def test_an_update_keeps_records_and_a_dropped_module_from_the_earlier_version(cli, tmp_path):  # noqa: F811
    folder = _new(cli, tmp_path)
    assert cli("course", "add", str(folder)).returncode == 0
    _complete(cli, "lee@example.org", "wound-care-module-1")
    assert _courses(cli)["wound-care"]["learners"] == 1

    update = tmp_path / "update"
    shutil.copytree(folder, update)
    for path in update.rglob("*"):
        if path.is_file():
            path.write_text(path.read_text().replace("wound-care-module-1", "wound-care-module-2")
                            .replace("version: 0.1.0", "version: 0.2.0"))
            if "module-1" in path.name:
                path.rename(path.with_name(path.name.replace("module-1", "module-2")))
    added = cli("course", "add", str(update))
    assert added.returncode == 0, added.stderr
    assert "updated wound-care version 0.2.0" in added.stdout and "wound-care-module-1" in added.stdout
    progress = cli("learner", "progress", "lee@example.org")
    assert progress.returncode == 0, progress.stderr
    assert "(from version 0.1.0)" in progress.stdout
    total = next(line for line in progress.stdout.splitlines() if " total " in line)
    assert total.split()[-2] == "2.00", progress.stdout  # its hours still count
    assert _courses(cli)["wound-care"]["learners"] == 1

    refused = cli("course", "remove", "wound-care")
    assert refused.returncode == 2 and "1 learner has records in wound-care" in refused.stderr
    assert "--archive" in refused.stderr
    archived = cli("course", "remove", "wound-care", "--archive")
    assert archived.returncode == 0 and "archived (records kept)" in archived.stdout, archived.stderr
    assert "wound-care" not in _courses(cli)
    assert "(from version 0.2.0)" not in cli("learner", "progress", "lee@example.org").stdout
    assert cli("course", "remove", "wound-care").returncode == 2  # already archived


def test_remove_deletes_a_course_without_records_and_archives_a_shipped_one(cli, tmp_path):  # noqa: F811
    folder = _new(cli, tmp_path)
    assert cli("course", "add", str(folder)).returncode == 0
    removed = cli("course", "remove", "wound-care")
    assert removed.returncode == 0 and "removed" in removed.stdout, removed.stderr
    assert _installed(cli) == []
    needed = cli("course", "remove", "mental-health-substance-use")  # the College Certificate requires its badge
    assert needed.returncode == 2 and "other courses depend on mental-health-substance-use" in needed.stderr
    assert "mental-health-substance-use-badge" in needed.stderr
    unknown = cli("course", "remove", "no-such-course")
    assert unknown.returncode == 2 and "no course 'no-such-course'" in unknown.stderr

    first = "professional-practice-in-caregiving"  # shipped: archived by a folder holding only the mark
    archived = cli("course", "remove", first)
    assert archived.returncode == 0 and "archived (a shipped course" in archived.stdout, archived.stderr
    home = Path(cli.env["CAREGIVING_HOME"]) / "courses"
    assert [p.name for p in (home / first).iterdir()] == ["ARCHIVED"]
    assert first not in _courses(cli)
    shipped = Path(__file__).resolve().parents[2] / "caregiving_course" / "content"
    back = cli("course", "add", str(shipped))
    assert back.returncode == 0 and f"installed {first}" in back.stdout, back.stderr
    assert first in _courses(cli)


def test_check_names_every_error_across_the_catalogue(cli, tmp_path):  # noqa: F811
    folder = _new(cli, tmp_path)
    course = folder / "course.yaml"
    course.write_text(course.read_text().replace("pass_mark: 0.8\n", "pass_mark: 0.8\nlevel: 2\n"))
    badge = folder / "credentials" / "wound-care-badge.yaml"
    badge.write_text(badge.read_text().replace("  - module: wound-care-module-1\n",
                                               "  - module: wound-care-module-1\n  - module: caregiver-role\n"
                                               "  - module: wound-care-module-1\n"))
    result = cli("course", "check", str(folder))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{folder}/course.yaml: course: unknown field 'level'" in result.stderr and "(line 12)" in result.stderr
    assert "components must not repeat" in result.stderr
    clash = _new(cli, tmp_path / "other", "wound-care-two")
    module = next((clash / "modules").glob("*.md"))
    module.write_text(module.read_text().replace("id: wound-care-two-module-1", "id: caregiver-role"))
    clashing = cli("course", "check", str(clash))
    assert clashing.returncode == 1 and "module caregiver-role: id already used by the course in" in clashing.stderr


@pytest.mark.parametrize("args", [["course", "add", "/no/such/package.zip"], ["course", "new", "Bad Id"],
                                  ["course", "remove", "nothing-here"], ["course", "add", "/etc/hostname"]])
def test_mistakes_are_one_line_with_what_to_do(cli, args):  # noqa: F811
    result = cli(*args)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
