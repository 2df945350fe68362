"""A cohort of 10,000 learners: the page renders one sorted page, the table pages and filters in the
database, the chart comes in its own request, and the CSV holds every learner."""
from __future__ import annotations

import re

import pytest

from tests.xblocks_dashboard.fixture_course import seed_cohort


@pytest.mark.slow
def test_ten_thousand_learner_cohort(people, dashboard):
    seed_cohort("fall", 10_000, instructor=people["fall_teacher"])  # plus Ana and Ben: 10,002
    client = dashboard(people["fall_teacher"], open_page=False)
    page = client.open()
    assert page.status_code == 200
    assert "Learners 1 to 50 of 10002" in page.text
    assert len(re.findall(r'<th scope="row">', page.text)) == 50
    assert 'class="cg-dash-chart-loading"' in page.text  # chart in a second request for a cohort this size

    data = client.post("table", {"cohort": "fall", "sort": "time_on_task", "descending": True, "page": 200}).json()
    assert (data["page"], data["pages"], data["total"]) == (200, 201, 10_002)
    data = client.post("table", {"cohort": "fall", "search": "Learner 00999"}).json()
    assert data["total"] == 10  # Learner 009990 .. 009999
    data = client.post("table", {"cohort": "fall", "at_risk_only": True}).json()
    assert data["total"] == 2  # every seeded learner finished; Ana and Ben have done nothing

    chart = client.get("chart", {"cohort": "fall"}).json()["html"]
    assert re.search(r"<td class=\"cg-num\">10000 \(100 %\)</td>", chart)  # all 10,000 met the Badge's hours

    rows = client.get("csv", {"cohort": "fall"}).content.decode("utf-8").splitlines()
    assert len(rows) == 1 + 10_002
