"""Helpers the browser tests share: fresh accounts, real interaction, heartbeat watching, and the learner
record read from outside the browser (a separate process on the server's database)."""
from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.browser.conftest import caregiving

FRESH_PASSWORD = "a-long-enough-passphrase"

_READ_RECORD = """
import json, sys
from caregiving_course.cli.main import setup_django
setup_django()
from caregiving_course.learner_record import api
p = api.progress(api.find_learner(sys.argv[1]))
print(json.dumps({"total": p.time_on_task_seconds, "done": p.modules_done,
                  "modules": {m.module_id: {"seconds": m.seconds, "completed": bool(m.completed_at),
                                            "credited": str(m.credited_hours)} for m in p.modules},
                  "credentials": {c.credential.id: str(c.credited_hours) for c in p.credentials}}))
"""


def record_of(env: dict, email: str) -> dict:
    """The learner's progress as the learner record holds it (seconds exactly, unlike the pages' minutes)."""
    done = subprocess.run([sys.executable, "-c", _READ_RECORD, email], env=env, capture_output=True, text=True,
                          timeout=120, check=True)
    return json.loads(done.stdout)


def cli_progress(env: dict, email: str) -> str:
    """`caregiving learner progress EMAIL --explain`, as an instructor or auditor would read it."""
    return caregiving({**env, "COLUMNS": "250"}, "learner", "progress", email, "--explain").stdout


def fresh_email(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}@example.org"


def sign_up(page, server: str, name: str, email: str, password: str = FRESH_PASSWORD) -> None:
    """Create an account through the sign-up page, then sign in with it as the page that follows asks."""
    page.goto(server + "/accounts/signup/")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_url("**/accounts/login/**")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/course/**")


def hide(page) -> None:
    """Make the page report itself hidden, as a background tab or a locked phone does."""
    page.evaluate("""() => {
        Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'hidden'});
        Object.defineProperty(document, 'hidden', {configurable: true, get: () => true});
        document.dispatchEvent(new Event('visibilitychange'));
    }""")


def show(page) -> None:
    """Undo :func:`hide`."""
    page.evaluate("""() => {
        delete document.visibilityState;
        delete document.hidden;
        document.dispatchEvent(new Event('visibilitychange'));
    }""")


_moves = 0


def nudge(page) -> None:
    """One real interaction: the mouse moves over the page (a pointermove the module script listens to)."""
    global _moves
    _moves += 1
    page.mouse.move(200 + 37 * (_moves % 7), 300 + 23 * (_moves % 5))


def keep_active(pages: list, seconds: float, until: Callable[[], bool] | None = None, step: float = 0.4) -> float:
    """Interact with every page in turn for ``seconds`` (or until ``until()`` holds); returns the time spent."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        for p in pages:
            nudge(p)
        if until is not None and until():
            break
        pages[0].wait_for_timeout(step * 1000)
    return time.monotonic() - start


@dataclass
class Beat:
    sent: float
    answered: float | None = None
    reply: dict | None = None


@dataclass
class BeatLog:
    """Every heartbeat a page sends and the server's answer to it, with the local clock's times."""

    beats: list[Beat] = field(default_factory=list)

    def attach(self, page) -> BeatLog:
        pending: dict = {}

        def on_request(request):
            if "/heartbeat/" in request.url:
                beat = Beat(time.monotonic())
                pending[request] = beat
                self.beats.append(beat)

        def on_finished(request):
            beat = pending.pop(request, None)
            if beat is None:
                return
            beat.answered = time.monotonic()
            response = request.response()
            try:
                beat.reply = response.json() if response else None
            except Exception:  # a lost or unreadable answer shows as a beat without a reply
                beat.reply = None

        page.on("request", on_request)
        page.on("requestfinished", on_finished)
        return self

    def sent_since(self, moment: float) -> list[Beat]:
        return [b for b in self.beats if b.sent >= moment]

    def credited(self) -> int:
        return sum(int((b.reply or {}).get("credited_seconds") or 0) for b in self.beats)
