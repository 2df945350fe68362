"""Browser tests: the real `caregiving serve` (waitress, SQLite, demo cohort) driven by Debian's Chromium.

The served course is the real one with a tiny minimum time share and fast heartbeats, so a learner can
finish a module in seconds. Screenshots of each view go to ``test-output/screenshots/``; every page is
scanned with axe-core (WCAG 2.1 A and AA rules) and must have no serious or critical violation.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-output" / "screenshots"
DEMO_PASSWORD = "caregiving-demo"
PHONE = {"width": 375, "height": 740}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def fast_course(tmp_path_factory) -> Path:
    """The real course content with a minimum time share of 0.005 (about half a minute per module)."""
    target = tmp_path_factory.mktemp("content") / "content"
    shutil.copytree(ROOT / "caregiving_course" / "content", target)
    course_yaml = target / "course.yaml"
    course_yaml.write_text(re.sub(r"minimum_time_share:.*", "minimum_time_share: 0.005", course_yaml.read_text()))
    return target


@pytest.fixture(scope="session")
def server_env(tmp_path_factory, fast_course) -> dict:
    port = _free_port()
    env = {**os.environ, "CAREGIVING_HOME": str(tmp_path_factory.mktemp("browser-home")),
           "CAREGIVING_CONTENT": str(fast_course), "CAREGIVING_BASE_URL": f"http://127.0.0.1:{port}",
           "CAREGIVING_HEARTBEAT_INTERVAL": "1", "CAREGIVING_HEARTBEAT_MAX_CREDIT": "3",
           "CAREGIVING_HEARTBEAT_IDLE": "4", "PORT": str(port)}
    env.pop("DATABASE_URL", None)
    return env


def caregiving(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run the `caregiving` command against the browser tests' server database (``check``: fail on a non-zero
    exit)."""
    return subprocess.run([sys.executable, "-m", "caregiving_course.cli.main", *args], env=env,
                          capture_output=True, text=True, timeout=300, check=check)


@pytest.fixture(scope="session")
def server(server_env) -> str:
    caregiving(server_env, "demo")
    yield from serving(server_env, server_env["PORT"])


def serving(env: dict, port) -> object:
    """Run ``caregiving serve`` (no scheduler) with ``env`` on ``port``; yield its base URL once it answers, and
    stop it afterwards (for fixtures to ``yield from``)."""
    proc = subprocess.Popen([sys.executable, "-m", "caregiving_course.cli.main", "serve", "--port", str(port),
                             "--no-scheduler"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = env["CAREGIVING_BASE_URL"]
    for _ in range(240):
        try:
            requests.get(base + "/", timeout=1)
            break
        except requests.RequestException:
            if proc.poll() is not None:
                pytest.fail("caregiving serve exited:\n" + proc.stdout.read())
            time.sleep(0.25)
    yield base
    proc.terminate()
    proc.wait(timeout=15)


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module; closing it ends Playwright's event loop, which Django's ORM refuses to
    run beside (SynchronousOnlyOperation) in the tests that follow."""
    require(Path(CHROMIUM).exists(), f"Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    require(AXE.exists(), "axe-core (npm install in tests/browser)")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    # bypass_csp: axe-core is injected as an inline script, which the pages' policy refuses (tests/browser/test_csp.py
    # checks the policy itself, in contexts that do not bypass it)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-CA", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="en-CA", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def sign_in(page, server: str, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(server + "/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page, *, context: str | None = None) -> list[dict]:
    """Serious and critical WCAG 2.1 A/AA violations axe-core finds on the page (or inside ``context``)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async (context) => {
             const r = await axe.run(context || document, {runOnly: {type: 'tag',
                 values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
             return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                 nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
           }""", context)
    return [v for v in result if v["impact"] in ("serious", "critical")]


def assert_accessible(page, name: str) -> None:
    """Save a screenshot named ``name`` and fail on serious or critical axe-core violations."""
    screenshot(page, name)
    violations = axe_violations(page)
    assert not violations, f"{name}: " + "; ".join(f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes']}"
                                                   for v in violations)
