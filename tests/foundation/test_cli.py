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
    env.pop("CAREGIVING_BASE_URL", None)

    def run(*args: str, input: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "caregiving_course.cli.main", *args], env=env, input=input,
                              capture_output=True, text=True, timeout=180)

    run.env = env
    return run


def _signs_in(cli, email: str, password: str) -> bool:
    """Whether ``password`` opens ``email``'s account in the database the CLI uses."""
    script = ("import django, os, sys; os.environ['DJANGO_SETTINGS_MODULE'] = 'caregiving_course.settings'; "
              "django.setup(); from django.contrib.auth import authenticate; "
              "print(authenticate(username=sys.argv[1], password=sys.argv[2]) is not None)")
    answer = subprocess.run([sys.executable, "-c", script, email, password], env=cli.env, capture_output=True,
                            text=True, timeout=120)
    assert answer.returncode == 0, answer.stderr
    return answer.stdout.strip().endswith("True")


def _on_a_terminal(cli, args: list[str], answers: list[str]) -> tuple[int, str]:
    """Run the CLI with a pseudo-terminal as its terminal, typing each answer after each prompt (``...: ``)."""
    import pty
    import select
    import signal

    pid, fd = pty.fork()
    if pid == 0:  # the child: its controlling terminal is the pty
        os.execve(sys.executable, [sys.executable, "-m", "caregiving_course.cli.main", *args], cli.env)  # noqa: S606
    seen, pending = b"", list(answers)
    while True:
        if not select.select([fd], [], [], 120)[0]:  # waiting for input it was not told to expect
            os.kill(pid, signal.SIGKILL)
            break
        try:
            chunk = os.read(fd, 1024)
        except OSError:  # the child closed its terminal
            break
        if not chunk:
            break
        seen += chunk
        if pending and seen.endswith(b": "):
            os.write(fd, pending.pop(0).encode() + b"\n")
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), seen.decode(errors="replace")


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


def test_user_add_on_an_existing_account_changes_only_what_was_asked(cli):
    assert cli("user", "add", "pat@example.org", "--password", "first-password-1").returncode == 0
    joined = subprocess.run([sys.executable, "-m", "caregiving_course.cli.main", "user", "add", "pat@example.org",
                             "--cohort", "winter"], env=cli.env, stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, timeout=180)
    assert joined.returncode == 0, joined.stderr
    assert "existing account; joined cohort winter (password unchanged)" in joined.stdout
    promoted = cli("user", "add", "pat@example.org", "--role", "instructor", "--cohort", "spring")
    assert promoted.returncode == 0, promoted.stderr
    assert "role instructor (was learner)" in promoted.stdout and "now teaches cohort spring" in promoted.stdout
    again = cli("user", "add", "pat@example.org", "--cohort", "spring")
    assert "nothing changed" in again.stdout
    assert _signs_in(cli, "pat@example.org", "first-password-1")
    refused = cli("user", "add", "pat@example.org", "--password", "second-password-2")
    assert refused.returncode == 2 and "caregiving user password pat@example.org" in refused.stderr
    assert _signs_in(cli, "pat@example.org", "first-password-1")
    listing = cli("user", "list", "--cohort", "winter").stdout
    assert "pat@example.org" in listing


def test_user_password_reads_stdin_and_refuses_without_input(cli):
    assert cli("user", "add", "sam@example.org", "--password", "-", input="first-password-1\n").returncode == 0
    assert _signs_in(cli, "sam@example.org", "first-password-1")
    changed = cli("user", "password", "sam@example.org", "--password", "-", input="second-password-2\n")
    assert changed.returncode == 0 and "password changed" in changed.stdout, changed.stderr
    assert _signs_in(cli, "sam@example.org", "second-password-2")
    for args, given in ((["--password", "-"], ""), ([], None)):
        empty = cli("user", "password", "sam@example.org", *args, input=given)
        assert empty.returncode == 2 and "Traceback" not in empty.stderr, empty.stderr
        assert "--password -" in empty.stderr
    weak = cli("user", "password", "sam@example.org", "--password", "-", input="short\n")
    assert weak.returncode == 2 and "too short" in weak.stderr
    on_argv = cli("user", "password", "sam@example.org", "--password", "visible-in-ps-1")
    assert on_argv.returncode == 2 and "Traceback" not in on_argv.stderr
    assert _signs_in(cli, "sam@example.org", "second-password-2")


def test_new_account_without_a_terminal_or_password_is_refused_with_what_to_do(cli):
    result = cli("user", "add", "kim@example.org", "--cohort", "winter", input="")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "no terminal to ask for the password" in result.stderr and "--password -" in result.stderr
    assert "kim@example.org" not in cli("user", "list").stdout


def test_user_password_on_a_terminal_asks_twice(cli):
    assert cli("user", "add", "lee@example.org", "--password", "first-password-1").returncode == 0
    status, screen = _on_a_terminal(cli, ["user", "password", "lee@example.org"],
                                    ["third-password-3", "not-the-same-3"])
    assert status == 2 and "differ" in screen and "Traceback" not in screen
    assert _signs_in(cli, "lee@example.org", "first-password-1")
    status, screen = _on_a_terminal(cli, ["user", "password", "lee@example.org"],
                                    ["third-password-3", "third-password-3"])
    assert status == 0 and "password changed" in screen, screen
    assert _signs_in(cli, "lee@example.org", "third-password-3")


def test_course_check_reports_every_broken_file_in_one_run(cli, tmp_path):
    from tests.foundation.test_content import _broken_copy

    result = cli("course", "check", str(_broken_copy(tmp_path)))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    invalid = [line for line in result.stderr.splitlines() if line.startswith("invalid ")]
    assert len(invalid) == 3, result.stderr
    assert "unknown field 'hours'" in result.stderr and "3 errors in" in result.stderr
    assert "ok" not in result.stdout


def test_links_for_partners_warn_when_the_public_address_is_not_set(cli, tmp_path):
    for args in (["platform", "invite"], ["course", "export", "--cartridge", str(tmp_path / "c.imscc")]):
        unset = cli(*args)
        assert unset.returncode == 0, unset.stderr
        assert "warning: CAREGIVING_BASE_URL is not set" in unset.stderr and "127.0.0.1" in unset.stdout
    cli.env["CAREGIVING_BASE_URL"] = "https://courses.example.edu"
    for args in (["platform", "invite"], ["course", "export", "--cartridge", str(tmp_path / "d.imscc")]):
        public = cli(*args)
        assert public.returncode == 0 and "warning" not in public.stderr, public.stderr
        assert "https://courses.example.edu" in public.stdout
