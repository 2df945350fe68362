"""`caregiving course export --course` (one archive per course) and `caregiving platform courses`, run as a person
runs them: real processes, one-line errors, exit codes."""
from __future__ import annotations

import tarfile
import zipfile

from lxml import etree

from tests.foundation.test_cli import cli  # noqa: F401  (the fixture)

FIRST, SECOND = "professional-practice-in-caregiving", "mental-health-substance-use"
SECOND_MODULES = {"recognising-mental-health-changes", "substance-use-and-harm-reduction",
                  "trauma-informed-communication", "crisis-support-and-escalation"}


def _olx_modules(path) -> set[str]:
    with tarfile.open(path) as archive:
        names = archive.getnames()
        course_xml = archive.extractfile("course/course.xml").read()
    assert etree.fromstring(course_xml).get("course")  # its Studio course number
    return {n[len("course/vertical/vert-"):-len(".xml")] for n in names if n.startswith("course/vertical/vert-")} \
        - {"progress"}


def _olx_number(path) -> str:
    with tarfile.open(path) as archive:
        return etree.fromstring(archive.extractfile("course/course.xml").read()).get("course")


def test_olx_of_one_course_holds_only_that_course(cli, tmp_path):  # noqa: F811
    target = tmp_path / "mh.tar.gz"
    result = cli("course", "export", "--olx", str(target), "--course", SECOND)
    assert result.returncode == 0, result.stderr
    assert _olx_modules(target) == SECOND_MODULES and _olx_number(target) == SECOND


def test_every_course_gets_its_own_archive_named_by_its_id(cli, tmp_path):  # noqa: F811
    result = cli("course", "export", "--olx", str(tmp_path / "course.tar.gz"))
    assert result.returncode == 0, result.stderr
    first, second = tmp_path / f"course-{FIRST}.tar.gz", tmp_path / f"course-{SECOND}.tar.gz"
    assert str(first) in result.stdout and str(second) in result.stdout
    assert _olx_modules(second) == SECOND_MODULES and "caregiver-role" in _olx_modules(first)
    assert not _olx_modules(first) & SECOND_MODULES
    assert _olx_number(first) == "PPC101"  # the number its single-course exports had
    folder = tmp_path / "out"
    folder.mkdir()
    assert cli("course", "export", "--cartridge", str(folder)).returncode == 0
    assert sorted(p.name for p in folder.iterdir()) == sorted([f"{FIRST}.imscc", f"{SECOND}.imscc"])
    pattern = cli("course", "export", "--olx", str(tmp_path / "olx-{course}.tgz"))
    assert pattern.returncode == 0 and (tmp_path / f"olx-{SECOND}.tgz").exists()


def test_a_cartridge_of_one_course_links_only_its_modules_with_their_course(cli, tmp_path):  # noqa: F811
    target = tmp_path / "mh.imscc"
    assert cli("course", "export", "--cartridge", str(target), "--course", SECOND).returncode == 0
    with zipfile.ZipFile(target) as archive:
        links = [n for n in archive.namelist() if n.endswith("/lti.xml")]
        assert {n.split("/")[0][len("lti-"):] for n in links} == SECOND_MODULES
        custom = etree.fromstring(archive.read(links[0])).findall(".//{*}property")
        manifest = etree.fromstring(archive.read("imsmanifest.xml"))
    assert {p.get("name"): p.text for p in custom}["course_id"] == SECOND
    assert manifest.get("identifier") == f"cc-{SECOND}"


def test_an_unknown_course_is_a_clear_error(cli, tmp_path):  # noqa: F811
    for option, name in (("--olx", "x.tar.gz"), ("--cartridge", "x.imscc")):
        result = cli("course", "export", option, str(tmp_path / name), "--course", "no-such-course")
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert "no course 'no-such-course'" in result.stderr and SECOND in result.stderr
        assert not (tmp_path / name).exists()


def test_platform_courses_are_chosen_shown_and_checked(cli):  # noqa: F811
    issuer = "https://lms.example.edu"
    added = cli("platform", "add", "--name", "Spark", "--issuer", issuer, "--client-id", "c", "--auth-url",
                f"{issuer}/auth", "--token-url", f"{issuer}/token", "--jwks-url", f"{issuer}/jwks",
                "--course", SECOND)
    assert added.returncode == 0, added.stderr
    assert f"courses: {SECOND}" in added.stdout
    shown = cli("platform", "courses", issuer)
    assert shown.returncode == 0 and SECOND in shown.stdout and FIRST not in shown.stdout
    assert "courses " + SECOND in cli("platform", "list").stdout
    every = cli("platform", "courses", issuer, "--all-courses")
    assert every.returncode == 0 and "every course" in every.stdout
    unknown = cli("platform", "courses", issuer, "--course", "nope")
    assert unknown.returncode == 2 and "no course 'nope'" in unknown.stderr and "Traceback" not in unknown.stderr
    lti11 = cli("platform", "add-lti11", "Old LMS", "--key", "old-lms", "--course", FIRST)
    assert lti11.returncode == 0, lti11.stderr
    assert FIRST in cli("platform", "courses", "lti11:old-lms").stdout
