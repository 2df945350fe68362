"""The `caregiving` command as a person runs it: real processes, one-line errors, exit codes."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture
def cli(tmp_path):
    env = {**os.environ, "CAREGIVING_HOME": str(tmp_path / "home"), "COLUMNS": "200"}
    env.pop("DATABASE_URL", None)

    def run(*args: str, input: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "caregiving_course.cli.main", *args], env=env, input=input,
                              capture_output=True, text=True, timeout=180)

    return run


def test_course_check_summarises_the_built_in_course(cli):
    result = cli("course", "check")
    assert result.returncode == 0, result.stderr
    assert "caregiver-role" in result.stdout and "certificate-of-training" in result.stdout
    assert "every tier rule holds" in result.stdout


def test_course_check_names_file_credential_and_rule(cli):
    result = cli("course", "check", str(FIXTURES / "bad_content" / "badge-20-hours"))
    assert result.returncode == 1
    assert "credentials/" in result.stderr and "credential" in result.stderr and "at most 15 hours" in result.stderr
    assert "Traceback" not in result.stderr


def test_mistakes_are_one_line_without_traceback(cli):
    for args in (["course", "check", "/no/such/folder"], ["learner", "progress", "nobody@example.org"],
                 ["user", "add", "not-an-email", "--password", "longenough1"],
                 ["user", "add", "i@example.org", "--role", "instructor", "--password", "longenough1"]):
        result = cli(*args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_demo_then_progress_with_explain(cli):
    demo = cli("demo")
    assert demo.returncode == 0, demo.stderr
    assert "instructor@example.org" in demo.stdout and "caregiving-demo" in demo.stdout
    progress = cli("learner", "progress", "gabriel@example.org", "--explain")
    assert progress.returncode == 0, progress.stderr
    assert "earned" in progress.stdout and "Why" in progress.stdout and "instructor@example.org" in progress.stdout
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d E[SD]T", progress.stdout), progress.stdout  # named zone
    again = cli("demo")
    assert "already here" in again.stdout


def test_user_add_and_list(cli):
    assert cli("user", "add", "teacher@example.org", "--role", "instructor", "--cohort", "winter",
               "--password", "longenough1").returncode == 0
    assert cli("user", "add", "pat@example.org", "--cohort", "winter", "--password", "longenough1").returncode == 0
    listing = cli("user", "list", "--cohort", "winter")
    assert "teacher@example.org" in listing.stdout and "instructor" in listing.stdout
    assert "pat@example.org" in listing.stdout


def test_user_remove_disables_the_account_and_keeps_it(cli):
    assert cli("user", "add", "leaving@example.org", "--password", "longenough1").returncode == 0
    removed = cli("user", "remove", "leaving@example.org")
    assert removed.returncode == 0, removed.stderr
    assert "disabled (records kept)" in removed.stdout and "signs the account out within 60 s" in removed.stdout
    listing = cli("user", "list")
    assert "leaving@example.org" in listing.stdout and "no" in listing.stdout.split("leaving@example.org")[1][:80]
    unknown = cli("user", "remove", "nobody@example.org")
    assert unknown.returncode != 0 and "no account 'nobody@example.org'" in unknown.stderr
    assert "Traceback" not in unknown.stderr


def test_lti11_consumer_registration_shows_the_secret_once(cli):
    first = cli("platform", "add-lti11", "Old Moodle", "--key", "old-moodle")
    assert first.returncode == 0, first.stderr
    assert "Shared secret" in first.stdout and "/lti/1.1/launch/" in first.stdout
    again = cli("platform", "add-lti11", "Old Moodle", "--key", "old-moodle")
    assert again.returncode == 2 and "already exists" in again.stderr
    short = cli("platform", "add-lti11", "X", "--key", "k2", "--secret", "short")
    assert short.returncode == 2 and "16 to 255" in short.stderr
