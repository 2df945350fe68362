"""Every learner-facing page in French, and the accessibility audit of issue 22 as a test.

15 page states, each at 1280 px and 375 px, in English and in French (60 runs), in Chromium with the
browser's language set (en-CA, fr-CA): axe-core finds no serious or critical WCAG 2.0/2.1 A/AA violation.
In French, no text a person reads (text, ``<title>``, ``alt``, ``aria-label``) may hold a string of the
English catalogues or of the English content unless the element carries ``lang="en"`` (or another language
than the page's): content that exists only in English must say so, so screen readers switch voice.
"""
from __future__ import annotations

import gettext
import re
import subprocess
import sys

import pytest
import yaml
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, ROOT, assert_accessible

pytestmark = pytest.mark.browser

LEARNER = "gabriel@example.org"  # the demo learner who earned every credential
CATALOGUES = sorted(ROOT.glob("*/locale/fr/LC_MESSAGES/django.mo")) + sorted(
    ROOT.glob("caregiving_course/*/locale/fr/LC_MESSAGES/django.mo"))
PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]|%[sd]|\{[\w:.0-9]*\}")


def _fragments(text: str) -> list[str]:
    """The pieces of English worth looking for: at least two words, outside placeholders."""
    return [f.strip(" .:;,()—-") for f in PLACEHOLDER.split(text)
            if len(f.split()) >= 2 and len(f.strip()) >= 12]


@pytest.fixture(scope="module")
def english() -> list[str]:
    """Every English string of the French catalogues that has another French wording, and the course's own
    English words (titles, descriptions, section titles, credential words)."""
    found: set[str] = set()
    for path in CATALOGUES:
        with path.open("rb") as handle:
            catalogue = gettext.GNUTranslations(handle)._catalog
        for msgid, msgstr in catalogue.items():
            msgid = msgid[0] if isinstance(msgid, tuple) else msgid  # plural forms: (msgid, index)
            if msgid and msgstr and msgstr != msgid:
                found.update(_fragments(msgid.split("\x00")[0]))
    content = ROOT / "caregiving_course" / "content"
    course = yaml.safe_load((content / "course.yaml").read_text())
    found.update([course["title"], *_sentences(course["description"])])
    for module in sorted((content / "modules").glob("*.md")):
        front = yaml.safe_load(module.read_text().split("---")[1])
        found.add(front["title"])
        found.update(re.findall(r"^## +(.+?)\s*$", module.read_text(), re.M))
    for cred in sorted((content / "credentials").glob("*.yaml")):
        data = yaml.safe_load(cred.read_text())
        found.update([data["title"], *_sentences(data["description"]), *_sentences(data["criteria"])])
        found.update(c["title"] for c in data.get("components", []) if isinstance(c, dict) and "title" in c)
    return sorted(f for f in found if f and len(f) >= 12)


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.;:])\s+", " ".join(text.split())) if len(s.split()) >= 3]


@pytest.fixture(scope="module")
def badge_url(server, server_env) -> str:
    """The share page of one of the demo learner's badges, issued by the built-in issuer."""
    subprocess.run([sys.executable, "-m", "caregiving_course.cli.main", "sync", "--once"], env=server_env,
                   capture_output=True, text=True, timeout=300, check=False)
    script = ("import sys\nfrom caregiving_course.cli.main import setup_django\nsetup_django()\n"
              "from sync.models import IssuedCredential\nfrom sync.issuer import links\n"
              "row = IssuedCredential.objects.filter(revoked_at=None).order_by('pk').first()\n"
              "print(links.credential(str(row.award_id)) if row else '')")
    out = subprocess.run([sys.executable, "-c", script], env=server_env, capture_output=True, text=True,
                         timeout=120, check=True).stdout.strip()
    assert out.startswith(server), f"no badge was issued to the demo learners: {out!r}"
    return out


def _states(page, server: str, badge: str):
    """Visit the 15 page states in turn, yielding each one's name once it is on screen."""
    page.goto(server + "/")
    yield "home"
    page.goto(server + "/accounts/login/")
    yield "sign-in"
    page.goto(server + "/accounts/signup/")
    yield "sign-up"
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(".error-summary")).to_be_visible()
    yield "sign-up-errors"
    page.goto(server + "/no/such/page/")
    yield "not-found"
    page.goto(badge)
    yield "badge-share"
    page.locator("a[href*='/badges/verify']").first.click()
    page.wait_for_load_state()
    yield "badge-verify"
    page.goto(server + "/badges/achievements/caregiving-badge")
    yield "badge-achievement"
    page.goto(server + "/badges/issuer")
    yield "badge-issuer"
    sign_in_anywhere(page, server, LEARNER)
    page.goto(server + "/course/")
    yield "course"
    page.goto(server + "/course/module/caregiver-role/")
    page.locator(".cg-module").wait_for()
    yield "module"
    for fieldset in page.locator(".cg-check fieldset[data-question]").all():
        fieldset.locator("input[type=radio]").first.check()
    page.locator(".cg-check button[type=submit]").click()
    expect(page.locator(".cg-check [data-cg='result']")).not_to_be_empty()
    yield "module-checked"
    page.goto(server + "/course/progress/")
    yield "progress"
    page.context.clear_cookies()
    sign_in_anywhere(page, server, "instructor@example.org")
    page.goto(server + "/course/dashboard/")
    expect(page.locator(".cg-dash-table-region tbody tr").first).to_be_visible()
    yield "dashboard"
    page.locator(".cg-dash-learner").first.click()
    expect(page.locator(".cg-dash-learner-name")).to_be_focused()
    yield "dashboard-learner"


def sign_in_anywhere(page, server: str, email: str) -> None:
    """Sign in by the form's fields, whatever language the page is in."""
    page.goto(server + "/accounts/login/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill("caregiving-demo")
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state("networkidle")


_READ_TEXT = """() => {
  const out = [];
  const langOf = e => (e.closest('[lang]') || document.documentElement).getAttribute('lang');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const e = n.parentElement;
    if (!e || e.closest('script, style, [hidden], [aria-hidden="true"]')) continue;
    const text = n.textContent.replace(/\\s+/g, ' ').trim();
    if (text) out.push([text, langOf(e), e.tagName]);
  }
  for (const e of document.querySelectorAll('[alt], [aria-label], [placeholder], [title]')) {
    for (const a of ['alt', 'aria-label', 'placeholder', 'title']) {
      if (e.getAttribute(a)) out.push([e.getAttribute(a), langOf(e), e.tagName + '@' + a]);
    }
  }
  out.push([document.title, document.documentElement.getAttribute('lang'), 'TITLE']);
  return out;
}"""


def english_on(page, english: list[str]) -> list[str]:
    """English strings in text whose element says it is French."""
    found = []
    for text, lang, where in page.evaluate(_READ_TEXT):
        if (lang or "").split("-")[0] != "fr":
            continue
        flat = " ".join(text.split())
        found += [f"{where}: {s!r} in {flat[:120]!r}" for s in english if s in flat]
    return found


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_every_page_state_in_each_language_and_width(browser, server, badge_url, english, language, width):
    viewport = {"width": 1280, "height": 900} if width == "desktop" else PHONE
    context = browser.new_context(bypass_csp=True, viewport=viewport, locale=f"{language}-CA",
                                  **({"is_mobile": True, "has_touch": True} if width == "phone" else {}))
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems, seen = [], []
    try:
        for state in _states(page, server, badge_url):
            seen.append(state)
            assert page.evaluate("document.documentElement.lang") == language, f"{state}: page not in {language}"
            assert_accessible(page, f"audit-{state}-{language}-{width}")
            if language == "fr":
                problems += [f"{state}: {p}" for p in english_on(page, english)]
    finally:
        context.close()
    assert len(seen) == 15, seen
    assert not problems, "English on French pages without lang=\"en\":\n" + "\n".join(problems[:40])
