"""Our blocks in the stock XBlock workbench, from outside: a fresh virtualenv with only the workbench pins and our
package installed non-editable, the workbench's own settings, real HTTP and real Chromium.

There is no learner record there (our apps are not installed), so every block must render, say so in the page,
answer its handlers with 503 rather than a 500, and load its files from its ``public/`` folder.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

from tests.browser.conftest import AXE, axe_violations
from tests.conftest import require
from tests.plugin.conftest import venv_python

pytestmark = pytest.mark.slow

BLOCK_TYPES = ("caregiving_module", "caregiving_progress", "caregiving_dashboard")
MISSING_EN = "The caregiving learner record is not available on this platform"
MISSING_FR = "Le dossier de l’apprenant du cours de soins n’est pas disponible sur cette plateforme"
CHROMIUM = "/usr/bin/chromium"


class _Resources(HTMLParser):
    """The URLs a page loads: scripts, stylesheets, images."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "img") and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("href") and "stylesheet" in (attrs.get("rel") or ""):
            self.urls.append(attrs["href"])


def resources_of(html: str) -> list[str]:
    parser = _Resources()
    parser.feed(html)
    return parser.urls


def scenario_paths(workbench: str) -> dict[str, list[str]]:
    index = requests.get(workbench + "/", timeout=30)
    assert index.status_code == 200
    found = {block_type: sorted(set(re.findall(rf'href="(/scenario/{block_type}\.\d+/)"', index.text)))
             for block_type in BLOCK_TYPES}
    return found


def test_the_package_is_installed_from_its_files_and_its_blocks_import_without_our_settings(fresh_venv, tmp_path):
    code = (
        "import sys, django; django.setup()\n"
        "from xblock.core import XBlock\n"
        "for name in ('caregiving_module', 'caregiving_progress', 'caregiving_dashboard'):\n"
        "    XBlock.load_class(name)\n"
        "import xblocks\n"
        "print(xblocks.__file__)\n"
        "print(sorted(m for m in sys.modules if m.startswith(('lti_bridge', 'sync', "
        "'caregiving_course.learner_record'))))\n"
    )
    done = venv_python(fresh_venv, code, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    location, loaded = done.stdout.splitlines()[-2:]
    assert location.startswith(str(fresh_venv)) and "site-packages" in location  # not this checkout, not -e
    assert loaded == "[]"  # the blocks reach the record through services, never at import


def test_the_installed_package_ships_the_french_message(fresh_venv, tmp_path):
    """The workbench cannot be asked for French (no locale middleware, LANGUAGE_CODE en-us); the LMS reads a
    block's ``translations/<lang>/LC_MESSAGES/text.mo``, which the installed package must hold."""
    code = (
        "import gettext, pathlib, xblocks\n"
        "root = pathlib.Path(xblocks.__file__).parent / 'translations'\n"
        "fr = gettext.translation('text', localedir=str(root), languages=['fr'])\n"
        f"print(fr.gettext({MISSING_EN + '.'!r}))\n"
    )
    done = venv_python(fresh_venv, code, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().startswith(MISSING_FR)


def test_the_index_lists_scenarios_of_every_block(workbench):
    found = scenario_paths(workbench)
    assert all(found[block_type] for block_type in BLOCK_TYPES), found


def test_every_scenario_renders_says_the_record_is_missing_and_its_files_load(workbench):
    session = requests.Session()
    local = set()
    for paths in scenario_paths(workbench).values():
        for path in paths:
            page = session.get(workbench + path, timeout=30)
            assert page.status_code == 200, (path, page.text[-2000:])
            assert MISSING_EN in page.text and 'role="status"' in page.text, path
            for url in resources_of(page.text):
                absolute = urljoin(workbench + path, url)
                assert session.get(absolute, timeout=30).status_code == 200, (path, url)
                if "/resource/caregiving_" in url:
                    local.add(url.split("/resource/", 1)[1])
    assert {"caregiving_module/public/caregiving.css", "caregiving_module/public/module.js",
            "caregiving_progress/public/caregiving.css", "caregiving_dashboard/public/dashboard.css"} <= local


def test_handlers_answer_503_without_the_record(workbench):
    session = requests.Session()
    path = scenario_paths(workbench)["caregiving_module"][0]
    page = session.get(workbench + path, timeout=30)
    usage_id = re.search(r"data-usage='([^']+)'", page.text).group(1)
    reply = session.post(f"{workbench}/handler/{usage_id}/view_section/", json={"index": 0}, timeout=30,
                         headers={"X-CSRFToken": session.cookies["csrftoken"], "Referer": workbench + path})
    assert reply.status_code == 503 and "not available" in reply.json()["error"]


@pytest.mark.browser
def test_every_scenario_in_chromium(workbench, tmp_path):
    require(Path(CHROMIUM).exists(), f"Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    require(AXE.exists(), "axe-core (npm install in tests/browser)")
    from playwright.sync_api import sync_playwright

    paths = [p for found in scenario_paths(workbench).values() for p in found]
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=["--no-sandbox", "--disable-gpu"])
        try:
            context = chromium.new_context(viewport={"width": 375, "height": 740}, locale="en-CA")
            page = context.new_page()
            failed, errors = [], []
            page.on("response", lambda r: r.status >= 400 and failed.append((r.status, r.url)))
            page.on("pageerror", lambda e: errors.append(str(e)))
            for path in paths:
                page.goto(workbench + path, wait_until="networkidle")
                message = page.locator(".cg-unavailable[role=status]")
                assert message.count() == 1 and message.first.is_visible(), path
                assert MISSING_EN in message.first.inner_text()
                ours = page.locator(".xblock-v1").first
                assert ours.evaluate("e => e.scrollWidth <= e.clientWidth"), path  # nothing wider than 375 px
                assert axe_violations(page, context=".xblock-v1") == [], path  # our block, not the workbench
            assert failed == [] and errors == []
        finally:
            chromium.close()
