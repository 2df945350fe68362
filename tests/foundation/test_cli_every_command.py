"""Every `caregiving` sub-command, found by walking the argument parser, run as cron or a pipe runs it: without a
terminal (standard input closed, or not a terminal) and with bad arguments. None may print a traceback; each
failure is a non-zero status with a message that says what to do."""
from __future__ import annotations

import argparse
import os
import subprocess
import sys

import pytest

LONG_RUNNING = {("serve",)}  # they serve until stopped: run here with bad arguments only

# Arguments a person could plausibly give each command ({tmp} is a scratch folder). A new command must be added
# here: test_every_command_has_a_sample fails until it is.
SAMPLES: dict[tuple[str, ...], list[str]] = {
    ("course", "check"): [],
    ("course", "add"): ["{tmp}/scaffolded-course"],  # made by `course new` below (in the walk's second pass)
    ("course", "list"): [],
    ("course", "remove"): ["scaffolded-course"],
    ("course", "new"): ["scaffolded-course", "--into", "{tmp}/scaffolded-course"],
    ("course", "export"): ["--cartridge", "{tmp}/course.imscc"],
    ("learner", "progress"): ["nobody@example.org"],
    ("learner", "clr"): ["nobody@example.org", "--out", "{tmp}/clr.json"],
    ("lrs", "add"): ["partner-lrs", "--endpoint", "https://lrs.example.org/xAPI/", "--username", "u",
                     "--password", "-"],
    ("lrs", "list"): [],
    ("lrs", "test"): ["partner-lrs"],
    ("lrs", "remove"): ["partner-lrs"],
    ("lrs", "replay"): ["--since", "2026-01-01"],
    ("user", "add"): ["someone@example.org"],
    ("user", "password"): ["someone@example.org"],
    ("user", "list"): [],
    ("user", "remove"): ["nobody@example.org"],
    ("cohort", "add"): ["evening", "--course", "professional-practice-in-caregiving", "--open"],
    ("cohort", "change"): ["evening", "--closed"],
    ("cohort", "list"): [],
    ("cohort", "code"): ["evening", "--regenerate"],
    ("demo",): [],
    ("platform", "add"): ["--name", "P", "--issuer", "https://lms.example.edu", "--client-id", "c",
                          "--auth-url", "https://lms.example.edu/auth", "--token-url", "https://lms.example.edu/t",
                          "--jwks-url", "https://lms.example.edu/jwks"],
    ("platform", "list"): [],
    ("platform", "show"): ["https://lms.example.edu"],
    ("platform", "courses"): ["https://lms.example.edu", "--course", "mental-health-substance-use"],
    ("platform", "remove"): ["https://lms.example.edu"],
    ("platform", "rotate-key"): [],
    ("platform", "keys"): [],
    ("platform", "invite"): [],
    ("platform", "add-lti11"): ["Old LMS", "--key", "old-lms"],
    ("sync",): ["--once"],
    ("sync", "status"): [],
    ("sync", "retry"): ["999"],
    ("issuer", "use"): ["badgr"],
    ("issuer", "show"): [],
    ("issuer", "set", "badgr"): ["--password", "-"],
    ("issuer", "set", "credly"): ["--token", "-"],
}


def _commands() -> list[tuple[str, ...]]:
    """Every runnable command path of the `caregiving` parser."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caregiving_course.settings")
    from caregiving_course.cli.main import build_parser

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]):
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs or not subs[0].required:
            yield path
        for sub in subs:
            for name, child in sub.choices.items():
                yield from walk(child, (*path, name))

    return list(walk(build_parser(), ()))


COMMANDS = _commands()


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    env = {**os.environ, "CAREGIVING_HOME": str(home), "COLUMNS": "100"}
    for name in ("DATABASE_URL", "CAREGIVING_BASE_URL", "CAREGIVING_DEBUG"):
        env.pop(name, None)

    def run(args: list[str], *, closed_stdin: bool) -> subprocess.CompletedProcess:
        args = [a.replace("{tmp}", str(home)) for a in args]
        return subprocess.run([sys.executable, "-m", "caregiving_course.cli.main", *args], env=env,
                              stdin=None if closed_stdin else subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=300, preexec_fn=(lambda: os.close(0)) if closed_stdin else None)

    return run


def _check(result: subprocess.CompletedProcess, command) -> None:
    output = result.stdout + result.stderr
    assert "Traceback" not in output, (command, output)
    if result.returncode != 0:
        last = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""
        assert "error" in last and len(last) > 20, (command, result.returncode, output)


def test_the_walk_finds_every_command():
    assert ("user", "password") in COMMANDS and ("issuer", "set", "credly") in COMMANDS and len(COMMANDS) >= 20


def test_every_command_has_a_sample():
    assert set(COMMANDS) - LONG_RUNNING - set(SAMPLES) == set()


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_bad_arguments_give_usage_and_no_traceback(run, command):
    result = run([*command, *SAMPLES.get(command, []), "--no-such-option"], closed_stdin=False)
    assert result.returncode == 2, (command, result.stdout, result.stderr)
    assert "unrecognized arguments: --no-such-option" in result.stderr, result.stderr
    _check(result, command)


@pytest.mark.slow
@pytest.mark.parametrize("closed_stdin", [True, False], ids=["stdin closed", "stdin not a terminal"])
def test_every_command_without_a_terminal_ends_without_traceback(run, closed_stdin):
    for command in [c for c in COMMANDS if c not in LONG_RUNNING]:
        _check(run([*command, *SAMPLES[command]], closed_stdin=closed_stdin), command)


@pytest.mark.parametrize("command,says", [
    (["user", "add", "someone@example.org"], "--password -"),
    (["user", "password", "someone@example.org"], "no account"),
    (["platform", "remove", "https://lms.example.edu"], "--yes"),
    (["issuer", "set", "badgr", "--password", "-"], "no password given"),
])
def test_commands_that_need_input_say_how_to_give_it(run, command, says):
    if command[:2] == ["platform", "remove"]:
        assert run(["platform", "add", *SAMPLES[("platform", "add")]], closed_stdin=True).returncode == 0
    result = run(command, closed_stdin=True)
    assert result.returncode == 2 and says in result.stderr, (result.stdout, result.stderr)
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
