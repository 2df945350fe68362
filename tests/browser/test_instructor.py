"""The instructor dashboard in a real browser: the cohort table, the drill-down and its evidence, recording
hours (and refusing a bad value), signing off a skill, the CSV (with the formula-injection guard), the chart,
accessibility, a phone-sized screen; and a learner is refused.
"""
from __future__ import annotations

import csv
import io
import re
import uuid
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, assert_accessible, caregiving, screenshot, sign_in
from tests.browser.support import cli_progress, record_of

pytestmark = pytest.mark.browser

DEMO_LEARNERS = {"Amara Okafor", "Benoît Tremblay", "Chen Wei", "Dana Whitebird", "Elif Yılmaz", "Farah Haddad",
                 "Gabriel Santos"}
CERTIFICATE = "caregiving-certificate-of-training"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def hostile_learners(server, server_env) -> dict[str, str]:
    """Two learners of the demo cohort whose names a spreadsheet would run as formulas (one also carries HTML)."""
    tag = uuid.uuid4().hex[:6]
    names = {f"formula-{tag}@example.org": '=HYPERLINK("https://evil.example/","open me") <img src=x onerror=alert(1)>',
             f"minus-{tag}@example.org": "-2+3 @SUM(A1)"}
    for email, name in names.items():
        caregiving(server_env, "user", "add", email, "--role", "learner", "--cohort", "demo-cohort", "--name", name,
                   "--no-password")
    return names


def skills_signed_off(env: dict, email: str) -> int:
    """How many skills the learner record counts as signed off (the CLI's "left to do" line)."""
    found = re.search(r"\((\d+) of \d+ skills signed off\)", cli_progress(env, email))
    return int(found.group(1)) if found else 0


def watch_dialogs(page) -> list[str]:
    opened: list[str] = []

    def on_dialog(dialog):
        opened.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return opened


def minutes(text: str) -> int:
    hours, mins = re.fullmatch(r"(\d+) h (\d+) min", text.strip()).groups()
    return int(hours) * 60 + int(mins)


def open_dashboard(page, server: str):
    sign_in(page, server, "instructor@example.org")
    response = page.goto(server + "/course/dashboard/")
    assert response.status == 200
    region = page.locator(".cg-dash-table-region")
    expect(region.locator("tbody tr").first).to_be_visible()
    return region


def reloading(region, action) -> None:
    """Do ``action`` and wait until the dashboard has put a fresh table in place of the one shown."""
    region.locator("table").evaluate("table => table.setAttribute('data-stale', '')")
    action()
    expect(region.locator("table[data-stale]")).to_have_count(0)
    expect(region.locator("table")).to_have_count(1)


def apply_filter(page, region) -> None:
    reloading(region, page.get_by_role("button", name="Apply filter").click)


def sort_by(page, region, label: str, direction: str) -> None:
    """Click a column's sort button until its header says it is sorted in ``direction``."""
    header = region.locator("thead th").filter(has=page.get_by_role("button", name=label, exact=True))
    for _ in range(2):
        if header.get_attribute("aria-sort") == direction:
            break
        expected = "descending" if header.get_attribute("aria-sort") == "ascending" else "ascending"
        reloading(region, header.get_by_role("button").click)
        expect(header).to_have_attribute("aria-sort", expected)
        # the table is replaced; keyboard focus stays on the button that sorted it
        expect(header.get_by_role("button", name=label, exact=True)).to_be_focused()
    expect(header).to_have_attribute("aria-sort", direction)


def column(region, index: int) -> list[str]:
    """The text of one column (0 is the learner's name, the row header) of the table as shown."""
    rows = region.locator("tbody tr")
    if index == 0:
        return [t.strip() for t in rows.locator("th .cg-dash-learner").all_inner_texts()]
    return [r.locator("td").nth(index - 1).inner_text().strip() for r in rows.all()]


def test_instructor_sorts_filters_drills_down_records_and_downloads(page, server, server_env, hostile_learners):
    dialogs = watch_dialogs(page)
    region = open_dashboard(page, server)
    names = set(column(region, 0))
    assert DEMO_LEARNERS <= names
    assert set(hostile_learners.values()) <= names, "names are shown as text, exactly as entered"
    assert page.locator("img[src='x']").count() == 0
    assert_accessible(page, "dashboard-1-table")

    # Sorting: by name both ways, then by time on task both ways.
    sort_by(page, region, "Learner", "ascending")
    ascending = column(region, 0)
    sort_by(page, region, "Learner", "descending")
    assert column(region, 0) == list(reversed(ascending))
    sort_by(page, region, "Time on task", "ascending")
    times = [minutes(t) for t in column(region, 2)]
    assert times == sorted(times) and times[0] < times[-1]
    sort_by(page, region, "Time on task", "descending")
    times = [minutes(t) for t in column(region, 2)]
    assert times == sorted(times, reverse=True)
    screenshot(page, "dashboard-2-sorted-by-time")

    # Filtering: by name, then only the learners at risk, then everything again.
    page.get_by_label("Filter by name or e-mail").fill("chen")
    apply_filter(page, region)
    expect(region.locator(".cg-dash-count")).to_contain_text(
        re.compile(r"Learners 1 to 1 of 1 \(filtered from \d+ learners\)"))
    assert column(region, 0) == ["Chen Wei"]
    expect(page.locator(".cg-dash-live")).to_contain_text("Learners 1 to 1 of 1")
    page.get_by_label("Filter by name or e-mail").fill("")
    page.get_by_label("Only learners at risk").check()
    apply_filter(page, region)
    expect(region.locator(".cg-dash-count")).to_contain_text("filtered from")
    at_risk = column(region, 0)
    assert {"Amara Okafor", "Dana Whitebird"} <= set(at_risk) and "Gabriel Santos" not in at_risk
    expect(region.locator("tbody tr")).to_have_count(len(at_risk))
    for row in region.locator("tbody tr").all():
        expect(row.locator("td").last).to_have_text("⚠ At risk")
    screenshot(page, "dashboard-3-filtered-at-risk")
    page.get_by_label("Only learners at risk").uncheck()
    apply_filter(page, region)
    expect(region.locator(".cg-dash-count")).not_to_contain_text("filtered from")

    # Drill-down: Chen's three completed modules are the evidence behind the badge hours.
    before = record_of(server_env, "chen@example.org")
    region.get_by_role("button", name="Chen Wei").click()
    detail = page.locator(".cg-dash-learner-detail")
    expect(detail.locator("h4")).to_contain_text("Chen Wei")
    expect(detail).to_contain_text("Modules done: 3 of 8")
    badge_evidence = detail.get_by_role("table", name="Records behind the hours toward Professional Practice in "
                                                         "Caregiving")
    expect(badge_evidence.locator("tbody tr")).to_have_count(3)
    expect(badge_evidence.locator("tbody tr").first).to_contain_text("Module completed")
    records = detail.get_by_role("table", name="Hours and sign-offs recorded by instructors").locator("tbody tr")
    recorded = records.count()  # 0 on a fresh demo database; the test also holds when run again on the same one
    signed_off = skills_signed_off(server_env, "chen@example.org")

    # A negative number of hours: the field says why, and nothing is recorded.
    hours_form = detail.locator("form[data-action='record_hours']")
    hours_form.get_by_label("Hours").fill("-2")
    hours_form.get_by_role("button", name="Record hours").click()
    error = hours_form.locator(".cg-dash-error[data-field='hours']")
    expect(error).to_have_text("Hours must be more than 0.")
    expect(hours_form.get_by_label("Hours")).to_have_attribute("aria-invalid", "true")
    expect(hours_form.get_by_label("Hours")).to_be_focused()
    assert error.get_attribute("id") in hours_form.get_by_label("Hours").get_attribute("aria-describedby").split()
    assert_accessible(page, "dashboard-4-drilldown-error")
    expect(records).to_have_count(recorded)
    assert record_of(server_env, "chen@example.org") == before

    # The right value is recorded, with who and when, and counts toward the certificate.
    note = f"Workshop day {uuid.uuid4().hex[:6]} <b>lab</b>"
    hours_form.get_by_label("Hours").fill("2.5")
    hours_form.get_by_label("Note (optional)").fill(note)
    hours_form.get_by_role("button", name="Record hours").click()
    expect(page.locator(".cg-dash-ok")).to_have_text("✓ Hours recorded.")
    expect(records).to_have_count(recorded + 1)
    mine = records.filter(has_text=note)
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("2.5 h")
    expect(mine).to_contain_text("instructor@example.org")
    after = record_of(server_env, "chen@example.org")
    assert Decimal(after["credentials"][CERTIFICATE]) == Decimal(before["credentials"][CERTIFICATE]) + Decimal("2.5")
    chen_row = region.locator("tbody tr").filter(has=page.get_by_role("button", name="Chen Wei"))
    expect(chen_row).to_contain_text(f"{Decimal(after['credentials'][CERTIFICATE]).normalize():f} / 92 h")

    # A skill sign-off (one not signed off yet).
    signoff = page.locator(".cg-dash-learner-detail form[data-action='record_signoff']")
    done = set(records.locator("td").all_inner_texts())
    option = next(o for o in signoff.get_by_label("Skill").locator("option").all()
                  if o.inner_text().split(": ", 1)[1] not in done)
    skill = option.inner_text().split(": ", 1)[1]
    signoff.get_by_label("Skill").select_option(option.get_attribute("value"))
    signoff.get_by_role("button", name="Sign off").click()
    expect(page.locator(".cg-dash-ok")).to_have_text("✓ Skill signed off.")
    expect(records).to_have_count(recorded + 2)
    expect(records.filter(has_text=skill)).to_have_count(1)
    assert skills_signed_off(server_env, "chen@example.org") == signed_off + 1
    assert_accessible(page, "dashboard-5-recorded")

    # The CSV: every learner, with the numbers the table shows, and no cell a spreadsheet would run.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the table as CSV").click()
    download = download_info.value
    assert re.fullmatch(r"cohort-demo-cohort-\d{4}-\d\d-\d\d\.csv", download.suggested_filename)
    with open(download.path(), encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(io.StringIO(handle.read())))
    head, body = rows[0], rows[1:]
    assert head[:4] == ["Learner", "E-mail", "Modules done", "Time on task (hours)"]
    assert head[-2:] == ["Last activity", "At risk"]
    assert all(len(r) == len(head) for r in body)
    by_email = {r[1]: dict(zip(head, r, strict=True)) for r in body}
    demo = ("amara", "benoit", "chen", "dana", "elif", "farah", "gabriel")
    assert {f"{n}@example.org" for n in demo} <= set(by_email)
    chen = by_email["chen@example.org"]
    assert chen["Modules done"] == "3"
    assert Decimal(chen["Certificate of Training in Professional Caregiving Practice: credited hours"]) == \
        Decimal(after["credentials"][CERTIFICATE])
    for email, name in hostile_learners.items():
        assert by_email[email]["Learner"] == "'" + name, "a formula-like name is neutralised with a leading quote"
    for r in rows:
        for cell in r:
            assert not cell.startswith(FORMULA_STARTS), f"a CSV cell a spreadsheet would run: {cell!r}"

    # The chart: an SVG image with a title and a description a screen reader reads, and its data as a table.
    chart = page.locator(".cg-dash-chart svg[role='img']")
    expect(chart).to_be_visible()
    title, desc = chart.locator("title"), chart.locator("desc")
    expect(title).to_have_text("Credited hours in cohort demo-cohort")
    expect(desc).to_contain_text("Target met")
    labelled_by = chart.get_attribute("aria-labelledby").split()
    described_by = (chart.get_attribute("aria-describedby") or "").split()
    assert labelled_by[0] == title.get_attribute("id")
    assert desc.get_attribute("id") in labelled_by + described_by, "the description is part of the image's text"
    expect(chart).to_have_accessible_name(re.compile(r"^Credited hours in cohort demo-cohort\b"))
    if described_by:
        expect(chart).to_have_accessible_description(re.compile("Target met"))
    page.get_by_text("The chart's data as a table").click()
    expect(page.get_by_role("table", name="Credited hours in cohort demo-cohort")).to_be_visible()
    page.locator(".cg-dash-chart").scroll_into_view_if_needed()
    assert_accessible(page, "dashboard-6-chart")
    assert not dialogs, f"a learner's name opened a dialog: {dialogs}"


def test_learner_is_refused_the_dashboard(page, browser, server):
    instructor = browser.new_context()
    staff_page = instructor.new_page()
    sign_in(staff_page, server, "instructor@example.org")
    staff_page.goto(server + "/course/dashboard/")
    csv_url = staff_page.get_by_role("link", name="Download the table as CSV").get_attribute("href")
    instructor.close()

    sign_in(page, server, "gabriel@example.org")
    response = page.goto(server + "/course/dashboard/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Instructor dashboard")
    expect(page.get_by_role("main")).to_contain_text("The dashboard is for instructors and administrators.")
    assert page.locator(".cg-dash-table, .cg-dash-csv").count() == 0
    assert_accessible(page, "dashboard-refused-learner")

    # The instructor's own CSV link, replayed from the learner's session, is refused too.
    replay = page.request.get(server + csv_url)
    assert replay.status == 403
    assert "chen@example.org" not in replay.text()


def test_dashboard_on_a_phone_scrolls_only_inside_its_tables(phone_page, server):
    page = phone_page
    region = open_dashboard(page, server)
    scroll = region.locator(".cg-dash-scroll")

    def sideways() -> int:
        return page.evaluate("document.documentElement.scrollWidth")

    assert sideways() <= PHONE["width"], f"the dashboard scrolls sideways on a phone ({sideways()}px wide)"
    assert_accessible(page, "dashboard-phone")
    inner = scroll.evaluate("e => ({scroll: e.scrollWidth, client: e.clientWidth, overflow: getComputedStyle(e)."
                            "overflowX})")
    assert inner["client"] <= PHONE["width"]
    assert inner["scroll"] > inner["client"] and inner["overflow"] == "auto", "the table scrolls in its own box"
    scroll.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
    assert page.evaluate("window.scrollX") == 0, "scrolling the table moved the page"

    region.get_by_role("button", name="Dana Whitebird").click()
    expect(page.locator(".cg-dash-learner-detail h4")).to_contain_text("Dana Whitebird")
    assert sideways() <= PHONE["width"], f"the drill-down scrolls sideways on a phone ({sideways()}px wide)"
    assert_accessible(page, "dashboard-phone-drilldown")
