"""Administrators' pages (/manage/) in real Chromium: English and French, 1280 and 375 px, axe-clean, only for
administrators, every change a CSRF-protected POST, bad input refused with a reason."""
from __future__ import annotations

import subprocess
import sys

import pytest
import requests

from tests.browser.conftest import DEMO_PASSWORD, assert_accessible, caregiving, sign_in

pytestmark = pytest.mark.browser

ADMIN = "admin@example.org"
PAGES = {  # path: (English heading, French heading)
    "/manage/": ("Administration", "Administration"),
    "/manage/platforms/": ("Partner platforms", "Plateformes partenaires"),
    "/manage/issuer/": ("Badge issuer", "Émetteur de badges"),
    "/manage/deliveries/": ("Deliveries", "Envois"),
    "/manage/people/": ("People and roles", "Personnes et rôles"),
    "/manage/offerings/": ("Offerings", "Offres de cours"),
    "/manage/offerings/demo-cohort/": ("Offering demo-cohort", "Offre demo-cohort"),
}
ENGLISH_ONLY = ["Partner platforms", "Deliveries", "People and roles", "Badge issuer", "Registered platforms",
                "Failed (dead-lettered)", "Change a role or add a cohort", "Who issues badges", "Skip to main content",
                "Add an offering", "Enrolment code", "Courses offered"]
DEAD_ANSWER = 'HTTP 422 from https://badges.example.net: {"error": "badge class BC-gone is unknown"}'

_DEAD_LETTER = """
import sys
from caregiving_course.cli.main import setup_django
setup_django()
from django.db import transaction
from caregiving_course.learner_record import outbox
with transaction.atomic():
    outbox.enqueue("badge.issue", "badge.issue:" + sys.argv[1], {"award": sys.argv[1], "credential": "c"})
entry = [e for e in outbox.entries("pending", limit=1000) if e.key == "badge.issue:" + sys.argv[1]][0]
outbox.dead_letter(entry.id, sys.argv[2])
print(entry.id)
"""


def dead_letter(env: dict, award: str) -> int:
    """A delivery the platform refused for good, written to the server's database as the worker would."""
    done = subprocess.run([sys.executable, "-c", _DEAD_LETTER, award, DEAD_ANSWER], env=env, capture_output=True,
                          text=True, timeout=120, check=True)
    return int(done.stdout.strip())


@pytest.fixture(scope="module")
def seeded(server, server_env):
    caregiving(server_env, "platform", "add", "--name", "Spark University Moodle", "--issuer",
               "https://moodle.spark.example.edu", "--client-id", "client-with-a-long-identifier-1234567890",
               "--deployment-id", "1", "--auth-url", "https://moodle.spark.example.edu/mod/lti/auth.php",
               "--token-url", "https://moodle.spark.example.edu/mod/lti/token.php",
               "--jwks-url", "https://moodle.spark.example.edu/mod/lti/certs.php")
    return {"dead": dead_letter(server_env, "seeded-award-1")}


def _sign_in_in_any_language(page, server: str, email: str) -> None:
    page.goto(server + "/accounts/login/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def _context(browser, locale: str, width: int):
    if width < 600:
        return browser.new_context(viewport={"width": width, "height": 740}, device_scale_factor=2, is_mobile=True,
                                   has_touch=True, locale=locale, bypass_csp=True)  # axe-core is injected inline
    return browser.new_context(viewport={"width": width, "height": 900}, locale=locale, bypass_csp=True)


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("locale", ["en-CA", "fr-CA"])
def test_every_admin_page_is_accessible_translated_and_fits(browser, server, seeded, locale, width):
    context = _context(browser, locale, width)
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        _sign_in_in_any_language(page, server, ADMIN)
        french = locale.startswith("fr")
        for path, headings in PAGES.items():
            answer = page.goto(server + path)
            assert answer.status == 200, path
            assert page.get_by_role("heading", level=1).inner_text() == headings[french], path
            assert_accessible(page, f"manage-{path.strip('/').replace('/', '-')}-{locale}-{width}")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} is {overflow}px wider than the {width}px window"
            if french:
                text = page.locator("body").inner_text()
                assert not [s for s in ENGLISH_ONLY if s in text], (path, [s for s in ENGLISH_ONLY if s in text])
    finally:
        context.close()


def test_add_a_platform_by_registration_link_then_remove_one(page, server, seeded):
    sign_in(page, server, ADMIN)
    page.goto(server + "/manage/platforms/")
    page.get_by_label("Name of the partner platform (optional)").fill("Canvas College")
    page.get_by_role("button", name="Make a registration link").click()
    link = page.get_by_label("Registration link to paste into the platform").input_value()
    assert link.startswith(server + "/lti/register?invite=")
    opened = page.goto(link)  # what a person who opens the link in a browser sees
    assert opened.status == 400
    assert page.get_by_role("heading", level=1).inner_text() == "A registration link for a learning platform"
    body = page.locator("main").inner_text()
    assert "paste the address there" in body and "go back to your course" not in body.lower()
    assert_accessible(page, "registration-link-opened-directly")
    page.goto(server + "/manage/platforms/")
    page.get_by_role("link", name="Remove Spark University Moodle").click()
    assert "Remove Spark University Moodle?" in page.get_by_role("heading", level=1).inner_text()
    page.get_by_role("button", name="Remove the platform").click()
    assert "was removed" in page.get_by_role("status").first.inner_text()
    assert page.get_by_role("rowheader", name="Spark University Moodle").count() == 0


def test_dead_letter_shows_the_platforms_answer_and_can_be_retried(page, server, server_env, seeded):
    entry = dead_letter(server_env, "retry-me")
    sign_in(page, server, ADMIN)
    page.goto(server + "/manage/deliveries/")
    row = page.locator("#section-dead ~ .table-scroll tr", has=page.get_by_role("rowheader", name=str(entry)))
    assert DEAD_ANSWER in row.inner_text()
    row.get_by_role("button", name=f"Retry delivery {entry}").click()
    assert f"Delivery {entry} is queued again" in page.get_by_role("status").first.inner_text()
    pending = page.locator("#section-pending ~ .table-scroll").first
    assert pending.get_by_role("rowheader", name=str(entry)).count() == 1


def test_issuer_connection_test_and_choice(page, server):
    sign_in(page, server, ADMIN)
    page.goto(server + "/manage/issuer/")
    page.get_by_role("button", name="Test the connection to Badgr / Canvas Credentials (v2 API)").click()
    result = page.get_by_role("status").filter(has_text="Connection")
    assert "Connection failed." in result.inner_text() and "missing settings" in result.inner_text()
    page.get_by_label("Badge platform").select_option("badgr")
    page.get_by_role("button", name="Use this platform").click()
    assert page.get_by_role("alert").inner_text().startswith("badgr is not configured yet")  # 400 with the reason
    builtin = page.locator("section", has=page.get_by_role("heading", name="Built-in", exact=False)).first
    builtin.get_by_role("button", name="Test the connection").click()
    assert "Connection works." in page.get_by_role("status").filter(has_text="Connection").inner_text()


def test_people_role_and_cohort_change(page, server, server_env):
    caregiving(server_env, "user", "add", "promote-me@example.org", "--no-password")
    sign_in(page, server, ADMIN)
    page.goto(server + "/manage/people/")
    page.get_by_label("E-mail of the account").fill("promote-me@example.org")
    page.get_by_label("Role", exact=True).select_option("instructor")
    page.get_by_label("Cohort to add (joins as a learner, teaches as an instructor)").fill("summer-2027")
    page.get_by_role("button", name="Save").click()
    status = page.get_by_role("status").first.inner_text()
    assert "promote-me@example.org is now instructor" in status and "summer-2027" in status
    listing = caregiving(server_env, "user", "list", "--cohort", "summer-2027").stdout
    assert "promote-me@example.org" in listing and "instructor" in listing


def test_only_administrators_reach_the_pages(browser, page, server):
    anonymous = requests.get(server + "/manage/people/", allow_redirects=False, timeout=10)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.headers["Location"]
    sign_in(page, server, "gabriel@example.org")  # a learner
    for path in PAGES:
        answer = page.goto(server + path)
        assert answer.status == 403, path
        assert "Only administrators may open these pages." in page.get_by_role("alert").inner_text()
    assert page.locator("header .brand").count() == 1  # the site's layout, with a way back


def test_posts_need_the_csrf_token_and_bad_input_is_refused_with_a_reason(page, server):
    sign_in(page, server, ADMIN)
    page.goto(server + "/manage/issuer/")
    forged = page.request.post(server + "/manage/issuer/", form={"backend": "builtin"})
    assert forged.status == 403
    token = page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    headers = {"X-CSRFToken": token, "Referer": server + "/manage/issuer/"}
    for path, form, status, reason in (
            ("/manage/issuer/", {"backend": "nope"}, 400, "Choose one of the listed badge platforms."),
            ("/manage/issuer/", {"backend": "builtin", "credential": "x" * 300}, 400, "There is no such credential."),
            ("/manage/issuer/test/", {"backend": "../etc"}, 400, "Choose one of the listed badge platforms."),
            ("/manage/people/", {"email": "nobody@example.org"}, 404, "There is no account"),
            ("/manage/people/", {"email": ADMIN, "role": "learner"}, 409, "your own administrator role"),
            ("/manage/people/", {"email": ADMIN, "cohort": "no spaces <b>"}, 400, "A cohort name has"),
            ("/manage/platforms/invite/", {"label": "x" * 201}, 400, "at most 200 characters"),
            ("/manage/deliveries/999999/retry/", {}, 404, "There is no such delivery."),
            ("/manage/platforms/999999/remove/", {}, 404, "There is no such platform")):
        answer = page.request.post(server + path, form=form, headers=headers)
        assert answer.status == status and reason in answer.text(), (path, form, answer.status)
    assert page.request.get(server + "/manage/deliveries/1/retry/").status == 405


def test_favicon_and_the_trimmed_django_admin(page, server):
    icon = requests.get(server + "/favicon.ico", timeout=10)
    assert icon.status_code == 200 and icon.headers["Content-Type"].startswith("image/svg+xml")
    missing = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    sign_in(page, server, ADMIN)
    page.goto(server + "/admin/")
    page.wait_for_load_state("networkidle")
    assert not missing, missing
    index = page.locator("#content").inner_text()
    assert "XBlock" not in index and "Launch learners" not in index
    assert "Professional Practice in Caregiving" in page.locator("#site-name").inner_text()
