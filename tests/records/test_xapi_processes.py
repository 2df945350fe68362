"""xAPI delivery in real worker processes killed with SIGKILL at random moments, against a real Ralph LRS:
every statement reaches it exactly once."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from tests.records.test_xapi import ralph  # noqa: F401 - the Ralph fixture
from tests.sync.test_processes import ROOT, _env, database, start_worker  # noqa: F401 - fixtures and helpers


def _seed(db_env: dict, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "tests.records.xapi_seed", "--report", *args], cwd=ROOT,
                         env=_env(db_env), capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.parametrize("database", ["sqlite", "postgres"], indirect=True)
def test_kill_9_during_xapi_delivery_loses_nothing_and_doubles_nothing(database, ralph):  # noqa: F811
    rng = random.Random(int(os.environ.get("SYNC_KILL_SEED", time.time())))
    _seed(database, "--url", ralph.url, "--statements", "150")
    for round_no in range(8):
        if round_no == 4:
            _seed(database, "--statements", "30", "--first", "1000")
        proc = start_worker(database, "--lease", "10", "--batch", str(rng.choice([1, 5, 20])))
        time.sleep(rng.uniform(0.5, 2.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    survivor = start_worker(database, "--lease", "10")
    try:
        deadline = time.monotonic() + 180
        while (report := _seed(database))["counts"]["pending"] and time.monotonic() < deadline:
            time.sleep(1.0)
    finally:
        survivor.send_signal(signal.SIGTERM)
        survivor.communicate(timeout=30)
    assert report["counts"] == {"pending": 0, "done": 180, "dead": 0}, report["counts"]
    held = Counter(s["id"] for s in ralph.statements())
    assert set(held) == set(report["ids"]) and max(held.values()) == 1
