"""The cohort table: sorted, filtered and paged by the database, with the same numbers as the learner
record's own progress, and accessible markup (caption, scope, aria-sort, labelled filter)."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from caregiving_course.learner_record import api
from caregiving_course.learner_record.models import InstructorRecord, ModuleActivity
from tests.xblocks_dashboard.conftest import complete_modules
from tests.xblocks_dashboard.fixture_course import BADGE, CERTIFICATE, COLLEGE, PRACTICUM, SKILL_NAMES, SKILLS


def emails(html: str) -> list[str]:
    return re.findall(r'<span class="cg-dash-email">([^<]+)</span>', html)


@pytest.fixture
def varied(people):
    """Ana: all modules, 20 h practicum, both skills. Ben: 2 modules, idle for a month. Cy: nothing at all."""
    ana, ben = people["ana_learner"], people["ben_learner"]
    complete_modules(ana)
    complete_modules(ben, 2)
    ModuleActivity.objects.filter(learner=ben).update(last_activity_at=timezone.now() - dt.timedelta(days=30))
    teacher = people["fall_teacher"]
    api.record_hours(ana, PRACTICUM, 20, by=teacher)
    for skill in SKILL_NAMES:
        api.record_signoff(ana, SKILLS, skill, by=teacher)
    cy = api.learner_for_user(api.add_user("cy@example.org", "learner", cohort="fall"))
    return {"ana": ana, "ben": ben, "cy": cy}


@pytest.mark.database
def test_page_numbers_equal_the_learner_records_own(people, varied):
    """cohort_page (SQL) and cohort_rows (Python) agree, learner by learner, credential by credential."""
    cohort = api.ensure_cohort("fall")
    teacher = people["fall_teacher"]
    expected = {r.learner_id: r for r in api.cohort_rows(cohort, viewer=teacher)}
    all_hours = api.cohort_hours(cohort, viewer=teacher)
    for cred in (BADGE, CERTIFICATE, COLLEGE):
        hours = sorted(all_hours[cred])
        assert hours == sorted(r.progress.credential(cred).credited_hours for r in expected.values())
        page = api.cohort_page(cohort, viewer=teacher, sort=f"hours:{cred}", descending=True)
        got = [r.progress.credential(cred).credited_hours for r in page.rows]
        assert got == sorted(got, reverse=True)
    page = api.cohort_page(cohort, viewer=teacher, at_risk_only=True)
    assert {r.learner_id for r in page.rows} == {k for k, r in expected.items() if r.at_risk} == {varied["ben"].pk,
                                                                                                   varied["cy"].pk}
    for row in api.cohort_page(cohort, viewer=teacher).rows:
        assert row.at_risk == expected[row.learner_id].at_risk
        assert row.progress == expected[row.learner_id].progress


@pytest.mark.database
def test_withdrawn_hours_do_not_count_in_the_sort(people, varied):
    InstructorRecord.objects.filter(kind="hours").update(withdrawn_at=timezone.now())
    hours = api.cohort_hours(api.ensure_cohort("fall"), viewer=people["fall_teacher"])[CERTIFICATE]
    assert max(hours) == 16  # 12 module hours + 4 for the skills check


@pytest.mark.parametrize(("sort", "descending", "order"), [
    ("name", False, ["ana", "ben", "cy"]),
    ("name", True, ["cy", "ben", "ana"]),
    ("modules_done", True, ["ana", "ben", "cy"]),
    ("time_on_task", False, ["cy", "ben", "ana"]),
    (f"hours:{CERTIFICATE}", True, ["ana", "ben", "cy"]),
    (f"hours:{CERTIFICATE}", False, ["cy", "ben", "ana"]),
    ("last_activity", True, ["ana", "ben", "cy"]),
    ("at_risk", True, ["ben", "cy", "ana"]),
])
def test_sorting_over_http(people, varied, dashboard, sort, descending, order):
    client = dashboard(people["fall_teacher"])
    response = client.post("table", {"cohort": "fall", "sort": sort, "descending": descending})
    assert response.status_code == 200, response.text
    html = response.json()["html"]
    assert [e.split("@")[0] for e in emails(html)] == order
    direction = "descending" if descending else "ascending"
    assert re.search(rf'<th scope="col"[^>]*aria-sort="{direction}">\s*<button type="button" class="cg-dash-sort" '
                     rf'data-sort="{re.escape(sort)}"', html)
    assert html.count("aria-sort=") == 1


def test_sort_is_remembered_for_the_next_visit(people, varied, dashboard):
    client = dashboard(people["fall_teacher"])
    client.post("table", {"cohort": "fall", "sort": "modules_done", "descending": True})
    page = client.open()
    assert re.search(r'aria-sort="descending">\s*<button type="button" class="cg-dash-sort" data-sort="modules_done"',
                     page.text)


def test_filter_and_at_risk_only(people, varied, dashboard):
    client = dashboard(people["fall_teacher"])
    html = client.post("table", {"cohort": "fall", "search": "BEN"}).json()["html"]
    assert emails(html) == ["ben@example.org"] and "(filtered from 3 learners)" in html
    html = client.post("table", {"cohort": "fall", "search": "BEN", "sort": f"hours:{CERTIFICATE}"}).json()["html"]
    assert emails(html) == ["ben@example.org"]
    html = client.post("table", {"cohort": "fall", "at_risk_only": True}).json()["html"]
    assert emails(html) == ["ben@example.org", "cy@example.org"]
    assert "⚠ At risk" in html
    html = client.post("table", {"cohort": "fall", "search": "nobody"}).json()["html"]
    assert "No learner matches." in html and "<tbody>" in html


def test_paging(people, varied, dashboard, make_user):
    for i in range(12):
        make_user(f"extra{i:02d}@example.org", cohort="fall")
    client = dashboard(people["fall_teacher"])  # page size 50 by default: one page
    data = client.post("table", {"cohort": "fall"}).json()
    assert data["pages"] == 1 and "cg-dash-pager" not in data["html"]
    client.use_token_of(people["fall_teacher"], {"page_size": 10})  # an author's setting
    data = client.post("table", {"cohort": "fall", "page": 2}).json()
    assert (data["page"], data["pages"], data["total"]) == (2, 2, 15)
    assert "Learners 11 to 15 of 15" in data["html"] and len(emails(data["html"])) == 5
    assert 'aria-label="Pages of the table"' in data["html"]
    assert client.post("table", {"cohort": "fall", "page": 99}).json()["page"] == 2  # clamped


@pytest.mark.parametrize("payload", [
    {"cohort": "fall", "sort": "password"},
    {"cohort": "fall", "sort": "hours:nope"},
    {"cohort": "fall", "descending": "yes"},
    {"cohort": "fall", "search": "x" * 101},
    {"cohort": "fall", "search": 5},
    {"cohort": "fall", "page": 0},
    {"cohort": "fall", "page": "2"},
    {"cohort": "fall", "at_risk_only": 1},
    {"cohort": "fall", "extra": 1},
])
def test_table_refuses_bad_input(people, dashboard, payload):
    response = dashboard(people["fall_teacher"]).post("table", payload)
    assert response.status_code == 400
    assert response.json()["errors"]


def test_table_markup_is_accessible(people, varied, dashboard):
    page = dashboard(people["fall_teacher"], open_page=False).open().text
    assert re.search(r"<table class=\"cg-dash-table\">\s*<caption id=", page)
    assert page.count('<th scope="col"') >= 8 and '<th scope="row">' in page
    assert re.search(r'<label for="([^"]+)-search">Filter by name or e-mail</label>\s*'
                     r'<input type="search" id="\1-search"', page)
    assert 'class="cg-dash-scroll" role="region"' in page and 'tabindex="0"' in page  # scrolls on a phone
    assert 'aria-live="polite"' in page


def test_administrator_switches_cohort_and_it_is_remembered(people, dashboard):
    client = dashboard(people["admin"])
    assert client.post("select_cohort", {"cohort": "spring"}).json() == {"cohort": "spring"}
    page = client.open().text
    assert re.search(r'<option value="spring" selected>', page) and "sam@example.org" in page
    assert "ana@example.org" not in page
    for bad in ("nope", None, 3, ["fall"]):
        assert client.post("select_cohort", {"cohort": bad}).status_code == 403


def test_hostile_names_are_shown_as_text(people, dashboard):
    from caregiving_course.learner_record.models import Learner

    hostile = '<img src=x onerror=alert(1)> "quoted" &amp;'
    Learner.objects.filter(pk=people["ana_learner"].pk).update(name=hostile)  # test setup
    client = dashboard(people["fall_teacher"])
    for html in (client.open().text, client.post("learner", {"learner_id": people["ana_learner"].pk}).json()["html"],
                 client.post("table", {"cohort": "fall"}).json()["html"]):
        assert "<img src=x" not in html
        assert "&lt;img src=x onerror=alert(1)&gt; &quot;quoted&quot; &amp;amp;" in html
