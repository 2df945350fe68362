"""The Ralph LRS (PyPI ``ralph-malph``, installed by ``tests/records/setup-ralph.sh`` in its own venv) run by the
tests on a free 127.0.0.1 port with its filesystem backend, and its xAPI models to validate statements."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from pathlib import Path

import requests

from tests.conftest import require

VENV = Path(os.environ.get("RALPH_VENV", Path.home() / ".cache" / "caregiving" / "ralph-venv"))
USER, PASSWORD = "partner-lrs", "lrs-secret-pass-1"  # a test LRS account
_VALIDATE = """
import json, sys
from pydantic import ValidationError
from ralph.models.xapi.base.statements import BaseXapiStatement
errors = []
for s in json.load(sys.stdin):
    try:
        BaseXapiStatement(**s)
    except ValidationError as exc:
        errors.append(f"{s.get('id')}: {exc}")
print(json.dumps(errors))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Ralph:
    def __init__(self, folder: Path):
        require((VENV / "bin" / "ralph").exists(), f"Ralph in {VENV} (bash tests/records/setup-ralph.sh)")
        self.folder, self.port = folder, _free_port()
        (folder / "data").mkdir(parents=True, exist_ok=True)
        self.env = {**os.environ, "RALPH_APP_DIR": str(folder), "RALPH_AUTH_FILE": str(folder / "auth.json"),
                    "RALPH_RUNSERVER_BACKEND": "fs", "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH":
                    str(folder / "data"), "NO_PROXY": "*", "PYTHONPATH": str(Path(__file__).parent / "ralph_run")}
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Ralph:
        subprocess.run([str(VENV / "bin" / "ralph"), "auth", "-u", USER, "-p", PASSWORD, "-s", "all",
                        "-A", "caregiving-tests", "https://lrs.example", "-w"], env=self.env, check=True,
                       capture_output=True, timeout=60)
        self._log = log = open(self.folder / "ralph.log", "wb")  # closed by stop()
        self.process = subprocess.Popen([str(VENV / "bin" / "python"), "-m", "uvicorn", "ralph_app:app", "--host",
                                         "127.0.0.1", "--port", str(self.port), "--no-access-log"],
                                        env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=self.folder)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/__heartbeat__", timeout=2).status_code == 200:
                    return self
            except requests.ConnectionError:
                pass
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"Ralph did not start: {(self.folder / 'ralph.log').read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.process is not None:
            self._log.close()

    def statements(self) -> list[dict]:
        """Every statement Ralph holds, through GET /xAPI/statements (following ``more``)."""
        out, url = [], f"{self.url}/xAPI/statements?limit=100"
        while url:
            page = requests.get(url, auth=(USER, PASSWORD), headers={"X-Experience-API-Version": "1.0.3"}, timeout=30)
            page.raise_for_status()
            body = page.json()
            out.extend(body["statements"])
            more = body.get("more")
            url = f"{self.url}{more}" if more and body["statements"] else ""
        return out


def validation_errors(statements: list[dict]) -> list[str]:
    """What Ralph's xAPI 1.0.3 models (pydantic) find wrong in ``statements``."""
    done = subprocess.run([str(VENV / "bin" / "python"), "-c", _VALIDATE], input=json.dumps(statements),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)
