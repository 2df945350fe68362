"""The server's own pages in a real browser: accessible, translatable, usable on a phone."""
from __future__ import annotations

import pytest

from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def test_home_and_sign_in_pages_are_accessible(page, server):
    page.goto(server + "/")
    assert page.get_by_role("heading", level=1).inner_text() == "Course catalogue"  # every course, each a section
    assert "Professional Practice in Caregiving" in page.get_by_role("heading", level=2).all_inner_texts()
    assert_accessible(page, "home")
    page.goto(server + "/accounts/login/")
    assert_accessible(page, "sign-in")
    page.goto(server + "/accounts/signup/")
    assert_accessible(page, "sign-up")


def test_keyboard_user_reaches_main_content_by_skip_link(page, server):
    page.goto(server + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert "Skip to main content" in focused
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_sign_up_errors_are_announced_and_fixable(page, server):
    page.goto(server + "/accounts/signup/")
    page.get_by_label("Your name").fill("Noor")
    page.get_by_label("E-mail address").fill("noor@example.org")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_load_state()
    # GOV.UK pattern: focus on one error summary whose links lead to the fields; each error tied to its field
    focused = page.evaluate("document.activeElement.className")
    assert focused == "error-summary", f"focus is on {focused!r}, not on the error summary"
    assert page.get_by_role("alert").count() == 0, "several alerts compete with the focused summary"
    summary = page.locator(".error-summary")
    assert "at least 8" in summary.inner_text().replace("\xa0", " ")
    password = page.get_by_label("Password")
    described = password.get_attribute("aria-describedby").split()
    assert described == ["id_password-help", "id_password-error"], described
    assert password.get_attribute("aria-invalid") == "true"
    assert "at least 8" in page.locator("#id_password-error").inner_text().replace("\xa0", " ")
    assert page.get_by_label("Your name").get_attribute("aria-invalid") is None
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_password"
    assert_accessible(page, "signup-errors")
    password.fill("a-much-longer-passphrase")
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_url("**/accounts/login/**")
    assert "Sign in with your e-mail address and password" in page.get_by_role("status").inner_text()


def test_french_interface_on_a_phone(phone_page, server):
    phone_page.goto(server + "/")
    phone_page.get_by_role("button", name="Français").click()
    phone_page.wait_for_load_state("networkidle")
    assert phone_page.locator("html").get_attribute("lang") == "fr"
    assert phone_page.get_by_role("link", name="Se connecter").first.is_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page scrolls sideways on a phone ({width}px wide)"
    assert_accessible(phone_page, "home-fr-phone")


def test_demo_learner_signs_in(page, server):
    sign_in(page, server, "gabriel@example.org")
    assert "/course/" in page.url


def test_a_french_speaking_learner_reads_the_module_in_french(phone_page, server):
    sign_in(phone_page, server, "gabriel@example.org")
    phone_page.get_by_role("button", name="Français").click()
    phone_page.wait_for_load_state("networkidle")
    phone_page.goto(server + "/course/module/ethics-privacy-documentation/")
    assert phone_page.locator("html").get_attribute("lang") == "fr"
    heading = phone_page.get_by_role("heading", level=1).inner_text()
    assert "Ethics" not in heading and heading.strip(), heading
    assert phone_page.get_by_role("heading", name="Contrôle des connaissances").is_visible()
    assert "LPRPS" in phone_page.locator("main").text_content()  # the module's text, sections open or not
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page scrolls sideways on a phone ({width}px wide)"
    assert_accessible(phone_page, "module-fr-phone")
