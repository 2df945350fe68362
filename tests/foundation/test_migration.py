"""An installation made by the code before the catalogue (commit ee80f4a, tests/fixtures/old_install) upgrades when
today's `caregiving serve` starts: the migrations run, and every award, completion, hour, LTI placement and outbox
row is still there, unchanged, and shown (pages of the server, `learner progress`, `platform show`, `sync status`)."""
from __future__ import annotations

import gzip
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.foundation.test_server import csrf, free_port

OLD = Path(__file__).resolve().parent.parent / "fixtures" / "old_install"
ROWS = {  # what must survive, table by table, as the old database holds it
    "awards": "select public_id, learner_id, credential_id, status, credited_hours, earned_at "
              "from learner_record_award",
    "completions": "select learner_id, module_id, score, credited_hours, completed_at "
                   "from learner_record_modulecompletion",
    "instructor records": "select id, learner_id, component_id, kind, hours, skill, occurred_on, withdrawn_at "
                          "from learner_record_instructorrecord",
    "outbox": "select key, kind, status, payload, attempts from learner_record_outboxentry",
    "placements": "select resource_link_id, module_id, context_title, lineitem_url, ags_scopes "
                  "from lti_bridge_resourcelink",
    "launches": "select resource_link_id, learner_id, subject from lti_bridge_launchlearner",
    "lti 1.1 outcomes": "select learner_id, module_id, service_url, sourcedid from lti_bridge_lti11outcome",
    "learners": "select id, name, email from learner_record_learner",
    "enrolments": "select learner_id, cohort_id from learner_record_enrolment",
}


def _rows(database: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(database) as db:
        return {name: sorted(db.execute(query).fetchall()) for name, query in ROWS.items()}


@pytest.fixture
def old_home(tmp_path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    with gzip.open(OLD / "caregiving.sqlite3.gz") as packed, (home / "caregiving.sqlite3").open("wb") as out:
        shutil.copyfileobj(packed, out)
    shutil.copy(OLD / "secret_key", home / "secret_key")
    return home


def _env(home: Path, port: int = 0) -> dict:
    env = {**os.environ, "CAREGIVING_HOME": str(home), "COLUMNS": "200"}
    env.pop("DATABASE_URL", None)
    env["CAREGIVING_BASE_URL"] = f"http://127.0.0.1:{port}" if port else "http://127.0.0.1:8000"
    return env


def _serve(home: Path):
    """`caregiving serve` on the old home: (process, base URL), once it answers."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "caregiving_course.cli.main", "serve", "--port", str(port),
                             "--no-scheduler"], env=_env(home, port), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(480):
        try:
            requests.get(base + "/", timeout=1)
            return proc, base
        except requests.RequestException:
            if proc.poll() is not None:
                pytest.fail(proc.stdout.read())
            time.sleep(0.25)
    proc.terminate()
    pytest.fail("the server did not answer")


def _cli(home: Path, *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "caregiving_course.cli.main", *args], env=_env(home),
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return result.stdout


def test_todays_caregiving_migrates_the_old_database_at_start_and_loses_nothing(old_home):
    database = old_home / "caregiving.sqlite3"
    before = _rows(database)
    assert {name: len(rows) for name, rows in before.items()} == {
        "awards": 5, "completions": 32, "instructor records": 38, "outbox": 5, "placements": 2, "launches": 6,
        "lti 1.1 outcomes": 1, "learners": 7, "enrolments": 7}

    proc, base = _serve(old_home)
    try:
        earned = {"elif@example.org": 1, "farah@example.org": 1, "gabriel@example.org": 3}
        for email, awards in earned.items():  # each learner's progress page shows their awards and hours
            session = requests.Session()
            token = csrf(session, base + "/accounts/login/")
            session.post(base + "/accounts/login/", data={"csrfmiddlewaretoken": token, "username": email,
                                                          "password": "caregiving-demo"}, timeout=30)
            page = session.get(base + "/course/progress/", timeout=60)
            assert page.status_code == 200 and page.text.count('class="cg-earned"') == awards, email
        for hours in ("14 h of 14 h", "92 h of 92 h", "200 h of 206 h"):  # Badge, CoT, College Certificate (now
            assert f"Credited hours: {hours}" in page.text  # stacking on the second course's Badge too: 6 h to go)
    finally:
        proc.terminate()
        output = proc.communicate(timeout=30)[0]
    assert "Applying learner_record.0005" in output, output  # migrated at start
    assert "Traceback" not in output

    assert _rows(database) == before  # every row as it was
    with sqlite3.connect(database) as db:
        recorded = dict(db.execute("select course_id, version from learner_record_courseversion").fetchall())
    assert recorded == {"professional-practice-in-caregiving": "1.0.0", "mental-health-substance-use": "1.0.0"}

    shown = _cli(old_home, "learner", "progress", "gabriel@example.org", "--explain")
    assert shown.count("earned") >= 3 and "8 of 8 modules done" in shown
    assert "deliveries: pending 5, done 0, dead 0" in _cli(old_home, "sync", "status")
    platform = _cli(old_home, "platform", "show", "https://lms.example.edu")
    assert platform.count('"resource_link_id"') == 2 and "person-centred-communication" in platform
    assert "professional-practice-in-caregiving" in _cli(old_home, "course", "list")
