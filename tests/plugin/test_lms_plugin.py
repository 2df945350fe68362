"""Our apps and blocks in a project built the way edx-platform builds the LMS (issue 16, point 3).

The project (``tests/plugin/lms``) has only what an LMS has of its own; ``edx_django_utils.plugins`` adds our
apps, their settings and their URLs from this checkout's entry points. It runs in processes of its own (the
rest of the suite runs on our settings): ``migrate``, a real server on a free port, and a driver that works
the blocks through an XBlock runtime with the LMS's services and none of ours.
"""
from __future__ import annotations

import re
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
import requests

from tests.conftest import require
from tests.records import clr_client

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
WAIT_MS = 180_000  # generous: the machine may be loaded; nothing here measures time
OUR_APPS = {"caregiving_course.learner_record.apps.LearnerRecordConfig", "caregiving_course.server.apps.ServerConfig",
            "xblocks.apps.XBlocksConfig", "lti_bridge.apps.LtiBridgeConfig", "sync.apps.SyncConfig",
            "sync.xapi.apps.XapiConfig"}


def test_the_plugin_machinery_adds_every_app_and_its_settings(lms):
    assert OUR_APPS <= set(lms.driven["installed_apps"])
    values = lms.driven["settings"]
    assert values["BASE_URL"] == lms.url  # the LMS's root URL
    assert values["KEYS_DIR"] == str(Path(lms.env["LMS_DATA_DIR"]) / "caregiving" / "keys")
    assert values["CONTENT_DIR"].endswith("/caregiving_course/content")  # the course the package ships
    assert values["CONTENT_DIR"].startswith(lms.env["PYTHONPATH"].split(":")[0])  # the installed copy
    assert [values[f"HEARTBEAT_{n}_SECONDS"] for n in ("INTERVAL", "MAX_CREDIT", "IDLE")] == ["15", "30", "120"]
    assert values["LTI_HTTP_TIMEOUT"] == "(5.0, 20.0)" and values["LTI_JWKS_REFETCH_SECONDS"] == "30"
    assert values["USER_CACHE_SECONDS"] == "60" and values["XBLOCK_SETTINGS"] == "{}"
    assert "caregiving_course/locale" in values["LOCALE_PATHS"]


def test_the_projects_own_migrate_creates_our_tables_and_none_is_missing(lms):
    for app in ("learner_record", "caregiving_xblocks", "lti_bridge", "sync"):
        assert f"Applying {app}.0001_initial... OK" in lms.migrate_output
    check = lms.run("-m", "django", "makemigrations", "--check", "--dry-run")
    assert check.returncode == 0, check.stdout + check.stderr[-2000:]


def test_a_learners_beats_are_credited_and_every_module_completes(lms):
    modules = lms.driven["modules"]
    assert len(modules) == 8
    for module in modules:
        assert "failed_beat" not in module, module
        assert module["title_shown"] and module["check_status"] == 200 and module["passed"] is True
        assert module["completed"] is True
        assert module["credited_seconds"] == module["module_seconds"] > 0  # every beat's credit, and no more
    completions = [data for kind, event, data in lms.driven["events"] if event == "completion"]
    assert completions == [{"completion": 1.0}] * 8  # once per module, as the LMS's completion handler expects
    grades = [data for kind, event, data in lms.driven["events"] if event == "grade"]
    assert len(grades) == 8 and all(g["value"] == g["max_value"] for g in grades)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_progress_shows_the_credited_hours(lms):
    hours = Decimal(lms.driven["credited_hours"]["caregiving-badge"])
    assert hours == 14  # the eight modules' designed hours
    page = _text(lms.driven["progress_html"])
    assert "Modules completed: 8 of 8." in page and "Credited hours: 14 h of 14 h" in page


def test_the_instructor_sees_the_cohort_and_a_learner_does_not(lms):
    table = _text(lms.driven["dashboard_html"])
    assert "LMS fall cohort" in table
    assert re.search(r"Ada Lovelace ada@example\.org 8 / 8 \S+ h \S+ min 14 / 14 h earned", table), table[:2000]
    assert "Ada Lovelace" not in lms.driven["learner_dashboard_html"]


def test_badge_pages_and_lti_endpoints_answer_over_http(lms):
    assert lms.driven["sync"] == "all delivered"  # `manage.py caregiving_sync --once` issued the badge
    awards = {a["credential"]: a["id"] for a in lms.driven["awards"]}
    award = awards["caregiving-badge"]
    issuer = requests.get(f"{lms.url}/badges/issuer", timeout=30, headers={"Accept": "text/html"})
    assert issuer.status_code == 200 and "text/html" in issuer.headers["Content-Type"]
    page = requests.get(f"{lms.url}/badges/credentials/{award}", timeout=30, headers={"Accept": "text/html"})
    assert page.status_code == 200 and "Professional Practice in Caregiving" in page.text
    document = requests.get(f"{lms.url}/badges/credentials/{award}.json", timeout=30)
    assert document.status_code == 200 and document.json()["id"].startswith(f"{lms.url}/badges/")
    checked = requests.post(f"{lms.url}/badges/verify.json", data=document.content, timeout=30,
                            headers={"Content-Type": "application/json"}).json()
    assert checked["status"] == "valid" and checked["valid"] is True  # signed with the key under DATA_DIR
    tampered = document.json()
    tampered["credentialSubject"]["id"] = "urn:uuid:" + str(uuid.uuid4())
    checked = requests.post(f"{lms.url}/badges/verify.json", json=tampered, timeout=30).json()
    assert checked["valid"] is False
    verify = requests.get(f"{lms.url}/badges/verify", timeout=30)
    assert verify.status_code == 200 and "<form" in verify.text
    french = requests.get(f"{lms.url}/badges/verify", timeout=30, headers={"Accept-Language": "fr"})
    assert french.status_code == 200 and 'lang="fr"' in french.text
    unknown = requests.get(f"{lms.url}/badges/credentials/{uuid.uuid4()}", timeout=30)
    assert unknown.status_code == 404
    jwks = requests.get(f"{lms.url}/lti/jwks", timeout=30)
    assert jwks.status_code == 200 and jwks.json()["keys"]


def test_xapi_statements_are_queued_with_the_open_edx_launch_channel(lms):
    assert {"launched", "experienced", "passed", "completed", "satisfied"} <= set(lms.driven["xapi"]["verbs"])
    assert lms.driven["xapi"]["launch_platforms"] == ["Open edX"]  # the LMS's runtime, not our site


def test_the_learners_clr_downloads_and_the_clr_api_serves_it(lms):
    """The progress block links the download; a partner registers, gets the learner's consent and reads the CLR
    through the CLR 2.0 API (a client written from the standard), all in the LMS."""
    assert "/records/clr.json" in lms.driven["progress_html"]
    cookie = lms.session_cookie("ada")
    browser = requests.Session()
    browser.cookies.set(cookie["name"], cookie["value"])
    download = browser.get(f"{lms.url}/records/clr.json", timeout=120)
    assert download.status_code == 200 and "ClrCredential" in download.json()["type"]
    client = clr_client.Client(lms.url, redirect_uri="http://127.0.0.1:9/callback")
    client.discover()
    assert client.flow["authorizationUrl"] == f"{lms.url}/oauth/authorize/"
    client.register()
    verifier = clr_client.new_verifier()
    _, answer = clr_client.consent(browser, client.authorization_url("state-1", verifier), allow=True)
    token = client.token(grant_type="authorization_code", code=answer["code"], redirect_uri=client.redirect_uri,
                         code_verifier=verifier)
    assert token.status_code == 200, token.text
    found = client.get_credentials(token.json()["access_token"])
    assert found.status_code == 200 and found.json()["credential"][0]["credentialSubject"]["verifiableCredential"]


class _Browsing:
    """One signed-in (or anonymous) browser context on the project, and everything that went wrong in it:
    console errors, uncaught exceptions, failed requests, answers of 400 and more; and the files it loaded."""

    def __init__(self, chromium, cookie: dict | None) -> None:
        self.context = chromium.new_context(viewport={"width": 375, "height": 740}, locale="en-CA")
        self.context.set_default_timeout(WAIT_MS)
        self.context.set_default_navigation_timeout(WAIT_MS)
        if cookie:
            self.context.add_cookies([cookie])
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.files: dict[str, int] = {}
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"exception: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url} {r.failure}"))
        self.page.on("response", self._answered)

    def _answered(self, response) -> None:
        if response.status >= 400:
            self.problems.append(f"{response.status}: {response.url}")
        if response.request.resource_type in ("script", "stylesheet"):
            self.files[response.url] = response.status

    def open(self, url: str) -> str:
        """Open ``url``; it must answer 200. The page's visible text."""
        answer = self.page.goto(url, wait_until="load")
        assert answer is not None and answer.status == 200, (url, answer and answer.status)
        return _text(self.page.locator("body").inner_text())


@pytest.mark.slow
@pytest.mark.browser
def test_every_block_page_and_badge_page_in_chromium(lms):
    """The pages our plugin apps mount in the LMS-style project, in real Chromium over real HTTP: the course,
    a module (with a heartbeat the server accepts), progress, the instructor dashboard, and the badge pages."""
    require(Path(CHROMIUM).exists(), f"Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    module = lms.driven["modules"][0]["module"]
    award = {a["credential"]: a["id"] for a in lms.driven["awards"]}["caregiving-badge"]
    learner_cookie, instructor_cookie = lms.session_cookie("ada"), lms.session_cookie("ines")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            learner = _Browsing(chromium, learner_cookie)
            assert learner.open(f"{lms.url}/course/").count("Completed") == 8  # the course page, every module
            with learner.page.expect_response(lambda r: "/heartbeat/" in r.url and r.request.method == "POST",
                                              timeout=WAIT_MS) as beat:
                learner.open(f"{lms.url}/course/module/{module}/")
                assert learner.page.locator(".cg-module .cg-check").count() == 1  # the module block, drawn
            assert beat.value.status == 200, beat.value.text()
            assert "module_seconds" in beat.value.json()  # the beat reached the learner record
            progress = learner.open(f"{lms.url}/course/progress/")
            assert "Modules completed: 8 of 8." in progress and "Credited hours: 14 h of 14 h" in progress
            loaded = {url.rsplit("/", 1)[-1] for url in learner.files}
            assert {"module.js", "caregiving.css"} <= loaded, learner.files
            assert all(status == 200 for status in learner.files.values()), learner.files

            instructor = _Browsing(chromium, instructor_cookie)
            table = instructor.open(f"{lms.url}/course/dashboard/")
            assert "LMS fall cohort" in table and "Ada Lovelace" in table, table[:2000]
            assert any(url.endswith("dashboard.css") for url in instructor.files), instructor.files

            visitor = _Browsing(chromium, None)  # the badge pages are public
            assert visitor.open(f"{lms.url}/badges/issuer")
            assert "Professional Practice in Caregiving" in visitor.open(f"{lms.url}/badges/credentials/{award}")
            assert visitor.open(f"{lms.url}/badges/verify") and visitor.page.locator("form").count() >= 1
            for browsing in (learner, instructor, visitor):
                assert browsing.problems == [], "\n".join(browsing.problems)
                assert all(status == 200 for status in browsing.files.values()), browsing.files
        finally:
            chromium.close()
