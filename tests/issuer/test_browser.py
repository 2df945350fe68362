"""The public badge pages in Debian's Chromium: WCAG 2.1 AA (axe-core), a phone's width, the verify flow."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.conftest import AXE, CHROMIUM, PHONE, assert_accessible
from tests.conftest import require

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def chromium():
    """Chromium for this module only: Playwright's sync API runs an event loop on the test thread while it
    is open, which Django's ORM refuses, so it is closed before other modules' database tests run."""
    require(Path(CHROMIUM).exists(), f"Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    require(AXE.exists(), "axe-core (npm install in tests/browser)")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # this module's own ORM calls stay synchronous
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync"])
            yield browser
            browser.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture
def page(chromium):
    # bypass_csp: axe-core is injected as an inline script, which the pages' policy refuses
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-CA", bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone_page(chromium):
    context = chromium.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                   locale="en-CA", bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def shared(live_server, settings, make_award, issuer):
    settings.BASE_URL = live_server.url
    award = make_award()
    return live_server.url, award, issuer.issue(str(award.public_id))


def _fits(p) -> bool:
    return p.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_public_pages_are_accessible_on_a_phone(shared, phone_page):
    base, _, answer = shared
    for name, url in [("badge-credential", answer["url"]),
                      ("badge-achievement", f"{base}/badges/achievements/caregiving-badge"),
                      ("badge-issuer", f"{base}/badges/issuer"), ("badge-verify", f"{base}/badges/verify")]:
        phone_page.goto(url)
        assert _fits(phone_page), f"{name} scrolls sideways on a phone"
        assert_accessible(phone_page, f"{name}-phone")


def test_employer_verifies_a_shared_link_then_sees_revocation(shared, page, issuer):
    base, award, answer = shared
    page.goto(answer["url"])
    page.get_by_role("link", name="Verify this credential").click()
    status = page.get_by_role("status")
    assert "Valid" in status.inner_text()
    assert_accessible(page, "badge-verify-valid")
    issuer.revoke(str(award.public_id), "issued in error")
    page.goto(f"{base}/badges/verify")
    page.get_by_label("Credential address (URL) or id").fill(answer["url"])
    page.get_by_label("Recipient's e-mail address (optional)").fill("pat.learner@example.org")
    page.get_by_role("button", name="Verify").click()
    text = page.get_by_role("status").inner_text()
    assert "Revoked" in text and "issued in error" in text and "is the recipient" in text
    assert_accessible(page, "badge-verify-revoked")
