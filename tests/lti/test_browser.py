"""A launch in a real browser: the partner's course page (127.0.0.1) frames the tool (localhost), another site.

Over plain http the browser withholds the tool's SameSite=Lax state cookie on the platform's cross-site form
post, so this exercises the cookieless path end to end, and the tool's CSP ``frame-ancestors`` in Chromium.
"""
from __future__ import annotations

import html
import os
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.conftest import require
from tests.fakes.lti_platform import INSTRUCTOR, LTI, Answer

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[1] / "browser" / "node_modules" / "axe-core" / "axe.min.js"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chromium():
    require(Path(CHROMIUM).exists(), f"Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync"])
        yield browser
        browser.close()


def _course_page(fake, tool_url: str, login_hint: str) -> None:
    """The platform's course page: an iframe that starts the tool's OIDC login."""
    query = urlencode({"iss": fake.issuer, "login_hint": login_hint, "target_link_uri": f"{tool_url}/lti/launch",
                       "client_id": fake.client_id, "lti_deployment_id": fake.deployment_id})
    page = (f'<!DOCTYPE html><html lang="en"><title>Partner course</title><h1>Partner course</h1>'
            f'<iframe title="Caregiving module" width="900" height="700" '
            f'src="{html.escape(tool_url)}/lti/login?{html.escape(query)}"></iframe></html>')
    fake.route("GET", "/course", lambda request: Answer(200, page))


def test_learner_launch_renders_the_module_inside_the_partner_iframe(registered, fake, tool_url, chromium, course,
                                                                    monkeypatch):
    module = course.modules[0]
    fake.plan("browser-learner", overrides={LTI + "custom": {"module_id": module.id}})
    _course_page(fake, tool_url, "browser-learner")
    page = chromium.new_context().new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{fake.base}/course")
    frame = page.frame_locator("iframe[title='Caregiving module']")
    frame.locator(".cg-module").wait_for()
    assert module.title in frame.locator("main").inner_text()

    from caregiving_course.learner_record.models import Identity

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop here
    assert Identity.objects.filter(source="lti", issuer=fake.issuer, subject="browser-learner").exists()


def test_refused_launch_shows_its_reason_inside_the_iframe(registered, fake, tool_url, chromium):
    fake.plan("browser-bad", variant="alg_none")
    _course_page(fake, tool_url, "browser-bad")
    page = chromium.new_context().new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{fake.base}/course")
    alert = page.frame_locator("iframe[title='Caregiving module']").get_by_role("alert")
    assert "alg 'none'" in alert.inner_text()


def _tool_frame(page, tool_url: str, selector: str):
    """The tool's frame once ``selector`` shows in it."""
    page.frame_locator("iframe[title='Caregiving module']").locator(selector).first.wait_for()
    return next(f for f in page.frames if f.url.startswith(tool_url))


def _axe_violations(frame) -> list[dict]:
    frame.add_script_tag(path=str(AXE))
    found = frame.evaluate("""async () => {
        const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
        const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target)}));
    }""")
    return [v for v in found if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("kind", ["module", "error", "picker", "dashboard"])
def test_tool_pages_in_the_iframe_are_accessible(registered, fake, tool_url, chromium, kind):
    require(AXE.exists(), "axe-core (npm install in tests/browser)")
    plans = {
        "module": ({"overrides": {LTI + "custom": {"module_id": "caregiver-role"}}}, ".cg-module"),
        "error": ({"variant": "alg_none"}, "[role=alert]"),
        "picker": ({"message_type": "LtiDeepLinkingRequest", "roles": [INSTRUCTOR]}, "fieldset"),
        "dashboard": ({"roles": [INSTRUCTOR]}, "table"),
    }
    plan, selector = plans[kind]
    fake.plan(f"axe-{kind}", **plan)
    _course_page(fake, tool_url, f"axe-{kind}")
    page = chromium.new_context(bypass_csp=True).new_page()  # axe-core is injected as an inline script
    page.set_default_timeout(20_000)
    page.goto(f"{fake.base}/course")
    violations = _axe_violations(_tool_frame(page, tool_url, selector))
    assert not violations, violations


def test_instructor_downloads_the_cohort_csv_inside_the_iframe_without_cookies(registered, fake, tool_url, chromium,
                                                                                monkeypatch):
    """Over http the browser keeps none of the tool's cookies in the partner's iframe: the dashboard block works
    with the page's signed token, and the CSV link fetches the file with it (a plain link would be refused)."""
    from tests.lti.conftest import new_browser

    assert new_browser(tool_url).launch(fake, "csv-learner",
                                        overrides={LTI + "custom": {"module_id": "caregiver-role"}}).ok
    fake.plan("csv-teacher", roles=[INSTRUCTOR])
    _course_page(fake, tool_url, "csv-teacher")
    context = chromium.new_context(accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{fake.base}/course")
    frame = _tool_frame(page, tool_url, "table")
    assert "User csv-learner" in frame.locator("table.cg-dash-table").inner_text()
    assert not [c for c in context.cookies() if c["name"] == "sessionid"]
    with page.expect_download() as download:
        frame.get_by_role("link", name="Download the table as CSV").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Learner,E-mail,Modules done") and "User csv-learner" in lines[1]
    assert download.value.suggested_filename.endswith(".csv")


@pytest.mark.parametrize("kind", ["module", "error", "picker", "dashboard"])
def test_tool_pages_in_the_iframe_satisfy_the_content_security_policy(registered, fake, tool_url, chromium, kind):
    """Issue 21: the LTI pages carry the site's policy with the platform's frame-ancestors; inside the partner's
    iframe no directive is violated (the blocks' scripts run) and Chromium lets the platform frame them."""
    plans = {
        "module": ({"overrides": {LTI + "custom": {"module_id": "caregiver-role"}}}, "[data-initialised] .cg-module"),
        "error": ({"variant": "alg_none"}, "[role=alert]"),
        "picker": ({"message_type": "LtiDeepLinkingRequest", "roles": [INSTRUCTOR]}, "fieldset"),
        "dashboard": ({"roles": [INSTRUCTOR]}, "[data-initialised] table"),
    }
    plan, selector = plans[kind]
    fake.plan(f"csp-{kind}", **plan)
    _course_page(fake, tool_url, f"csp-{kind}")
    context = chromium.new_context()
    context.add_init_script(script="""window.__csp = []; document.addEventListener('securitypolicyviolation',
        (e) => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));""")
    page = context.new_page()
    page.set_default_timeout(20_000)
    console = []
    page.on("console", lambda m: m.type == "error" and "Content Security Policy" in m.text and console.append(m.text))
    page.goto(f"{fake.base}/course")
    frame = page.frame_locator("iframe[title='Caregiving module']")
    frame.locator(selector).first.wait_for()
    page.wait_for_load_state("networkidle")
    tool = next(f for f in page.frames if f.url.startswith(tool_url))
    assert tool.evaluate("window.__csp") == [] and console == []
    context.close()
