"""A learner works through a whole module in a real browser and sees honest hours for it.

Sign up, open the course, read every section, fail then pass the knowledge check (per-answer feedback
announced), write a reflection carrying hostile HTML (it comes back as text; no script runs), keep working
until the module completes, then find the time and the credited hours on the module, the course list, the
progress page (with the records behind them) and in the learner record itself (the CLI).
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from caregiving_course.framework.catalogue import SHIPPED_COURSES
from caregiving_course.framework.loader import load_catalogue
from tests.browser.conftest import PHONE, assert_accessible, screenshot
from tests.browser.support import cli_progress, fresh_email, keep_active, record_of, sign_up

pytestmark = pytest.mark.browser

MODULE = "caregiver-role"
HOSTILE = ('I will ask my supervisor first. <img src=x onerror=alert(1)> </textarea><script>alert(2)</script> '
           '<a href="javascript:alert(3)">click</a> & "quotes"')


@pytest.fixture
def module(fast_course):
    return load_catalogue([fast_course, *sorted(SHIPPED_COURSES.iterdir())]).module(MODULE)


def watch_dialogs(page) -> list[str]:
    """Every dialog (alert, confirm, prompt) the page opens; a hostile reflection must open none."""
    opened: list[str] = []

    def on_dialog(dialog):
        opened.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return opened


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways on a phone ({width}px wide)"


def answer(page, module, *, correct: bool) -> None:
    """Choose, for every question, its correct answer or its first wrong one, and submit."""
    for question in module.questions:
        index = question.correct_index if correct else next(i for i, c in enumerate(question.choices)
                                                              if not c.correct)
        page.locator(f'fieldset[data-question="{question.id}"] input[value="{index}"]').check()
    page.get_by_role("button", name="Check my answers").click()


def test_learner_works_through_a_module_and_sees_the_hours(page, server, server_env, module):
    dialogs = watch_dialogs(page)
    email = fresh_email("journey")
    sign_up(page, server, "Noor Haddad", email)

    # The course list: every module, none started.
    page.goto(server + "/course/")
    first = page.locator(".cg-module-list li").first
    expect(first.get_by_role("link")).to_have_text(module.title)
    expect(first.locator(".cg-module-status")).to_have_text("Not started")
    assert_accessible(page, "journey-1-course-list")

    first.get_by_role("link", name=module.title).click()
    page.wait_for_url(f"**/course/module/{MODULE}/")
    block = page.locator(".cg-module")
    status = block.locator('[data-cg="status"]')
    expect(page.get_by_role("heading", level=2, name=module.title)).to_be_visible()
    expect(status).to_contain_text("To complete this module")
    expect(block.locator('[data-cg="credited"]')).to_have_text("0 h")
    assert_accessible(page, "journey-2-module-start")

    # Every section, opened one by one, is marked as viewed (by the server's answer).
    sections = block.locator("details.cg-section")
    assert sections.count() == len(module.sections)
    for i, section in enumerate(module.sections):
        details = sections.nth(i)
        expect(details.locator(".cg-section-title")).to_have_text(section.title)
        details.locator("summary").click()
        expect(details.locator('[data-cg="seen"]')).to_have_text("viewed")
    expect(status).not_to_contain_text("more section")
    screenshot(page, "journey-3-sections-viewed")

    # Knowledge check: wrong answers first; each question says why, in a live region, and the score is announced.
    answer(page, module, correct=False)
    result = block.locator('[data-cg="result"]')
    expect(result).to_contain_text("Your score: 0%")
    assert result.get_attribute("role") == "status"
    assert page.evaluate("document.activeElement.getAttribute('data-cg')") == "result", "focus moves to the score"
    for question in module.questions:
        feedback = block.locator(f'fieldset[data-question="{question.id}"] [data-cg="feedback"]')
        wrong = next(c for c in question.choices if not c.correct)
        expect(feedback).to_have_text(re.compile(r"^Not correct\b"))  # a verdict, then the author's why
        expect(feedback).to_contain_text(" ".join(wrong.feedback.split()[1:7]))
        assert feedback.get_attribute("aria-live") == "polite"
        expect(feedback).to_have_class(re.compile(r"\bcg-incorrect\b"))
    expect(status).to_contain_text("pass the knowledge check")
    assert_accessible(page, "journey-4-check-wrong")

    answer(page, module, correct=True)
    expect(result).to_contain_text("Your score: 100%")
    for question in module.questions:
        feedback = block.locator(f'fieldset[data-question="{question.id}"] [data-cg="feedback"]')
        expect(feedback).to_have_text(re.compile(r"^Correct\b"))
        expect(feedback).to_have_class(re.compile(r"\bcg-correct\b"))
    expect(status).not_to_contain_text("pass the knowledge check")
    screenshot(page, "journey-5-check-passed")

    # Reflection with hostile HTML: saved as the learner's text, never as markup.
    textarea = block.get_by_label(module.reflection[:40].strip())
    textarea.fill(HOSTILE)
    block.get_by_role("button", name="Save my reflection").click()
    expect(block.locator('[data-cg="saved"]')).to_have_text("Your reflection is saved.")
    screenshot(page, "journey-6-reflection-saved")

    # Keep the page visible and keep interacting until the server completes the module.
    keep_active([page], 120, until=lambda: "Module completed" in status.inner_text())
    expect(status).to_contain_text("Module completed")
    expect(block.locator('[data-cg="credited"]')).to_have_text("1.5 h")
    expect(block.locator('[data-cg="time"]')).to_have_text(re.compile(r"^\d+ min$|^\d+ h \d\d min$"))

    # After a reload: the same numbers, and the reflection comes back as text, with nothing injected.
    page.reload()
    expect(status).to_contain_text("Module completed")
    expect(block.locator('[data-cg="credited"]')).to_have_text("1.5 h")
    expect(textarea).to_have_value(HOSTILE)
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("a[href^='javascript:']").count() == 0
    assert page.evaluate("Array.from(document.scripts).some(s => s.textContent.includes('alert(2)'))") is False
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.content()
    assert_accessible(page, "journey-7-module-completed")

    # The course list shows the module done, with its time on task.
    page.goto(server + "/course/")
    first = page.locator(".cg-module-list li").first
    expect(first.locator(".cg-module-status")).to_have_text("Completed")
    expect(first.locator(".cg-module-meta")).to_have_text(re.compile(r"1\.5 h designed · \d+ min on task"))
    screenshot(page, "journey-8-course-list-done")

    # The progress page: time on task, the credited hours toward each credential, and why.
    page.get_by_role("link", name="See my progress toward the badge and certificates").click()
    page.wait_for_url("**/course/progress/")
    progress = page.locator(".cg-progress")
    expect(progress).to_contain_text("Modules completed: 1 of 8.")
    expect(progress).to_contain_text(re.compile(r"Time on task: \d+ min\."))
    badge = progress.locator("article.cg-credential").first
    expect(badge.locator("label")).to_contain_text("Credited hours: 1.5 h of")
    expect(badge.locator("ul.cg-list").first).to_contain_text(module.title)
    why = badge.locator("details.cg-why")
    why.locator("summary", has_text="Why do I have 1.5 h?").click()
    evidence = why.locator("table tbody tr")
    expect(evidence).to_have_count(1)
    expect(evidence.first).to_contain_text("Module completed")
    expect(evidence.first).to_contain_text(module.title)
    expect(evidence.first).to_contain_text("1.5 h")
    expect(evidence.first).to_contain_text("you (your own activity)")
    assert_accessible(page, "journey-9-progress-why")

    # The learner record agrees, read from outside the browser.
    record = record_of(server_env, email)
    needed = int(float(module.hours) * 3600 * 0.005)  # the fast course's minimum time share
    assert record["modules"][MODULE]["completed"] is True
    assert record["modules"][MODULE]["seconds"] >= needed
    assert record["modules"][MODULE]["credited"] == "1.5"
    assert record["done"] == 1
    report = cli_progress(server_env, email)
    assert "1 of 8 modules done" in report
    assert "Why 1.5 h toward Professional Practice in Caregiving" in report, report
    assert re.search(rf"completion #\d+ +│ {re.escape(module.title)}: score 100%", report), report
    assert not dialogs, f"the hostile reflection opened a dialog: {dialogs}"


def test_course_module_and_progress_pages_on_a_phone(phone_page, server, module):
    page = phone_page
    dialogs = watch_dialogs(page)
    sign_up(page, server, "Étienne Roy", fresh_email("phone"))

    page.goto(server + "/course/")
    expect(page.locator(".cg-module-list li")).to_have_count(8)
    no_sideways_scroll(page)
    assert_accessible(page, "phone-1-course-list")

    page.goto(server + f"/course/module/{MODULE}/")
    block = page.locator(".cg-module")
    first = block.locator("details.cg-section").first
    first.locator("summary").click()
    expect(first.locator('[data-cg="seen"]')).to_have_text("viewed")
    answer(page, module, correct=False)
    expect(block.locator('[data-cg="result"]')).to_contain_text("Your score: 0%")
    expect(block.locator('[data-cg="feedback"]').first).to_have_text(re.compile(r"^Not correct\b"))
    no_sideways_scroll(page)
    assert_accessible(page, "phone-2-module-feedback")

    page.goto(server + "/course/progress/")
    why = page.locator("details.cg-why").first
    why.locator("summary").click()
    expect(why).to_contain_text("No records yet")
    no_sideways_scroll(page)
    assert_accessible(page, "phone-3-progress")
    assert not dialogs
