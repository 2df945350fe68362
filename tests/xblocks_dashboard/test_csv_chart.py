"""The CSV download (content, filename, formula-injection guard) and the chart (SVG that parses, with a
title, a description, a data table and colours of sufficient contrast)."""
from __future__ import annotations

import csv
import io
import re

import pytest
from lxml import etree

from caregiving_course.learner_record import api
from tests.xblocks_dashboard.conftest import complete_modules
from xblocks.dashboard import chart
from xblocks.dashboard.csv_export import safe_cell

SVG = "{http://www.w3.org/2000/svg}"


def read_csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_download_of_the_cohort(people, dashboard):
    complete_modules(people["ana_learner"], 3)
    client = dashboard(people["fall_teacher"])
    response = client.get("csv", {"cohort": "fall"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert re.fullmatch(r'attachment; filename="cohort-fall-(\d{4}-\d{2}-\d{2})\.csv"; '
                        r"filename\*=UTF-8''cohort-fall-\1\.csv",
                        response.headers["Content-Disposition"])
    rows = read_csv(response)
    assert rows[0][:4] == ["Learner", "E-mail", "Modules done", "Time on task (hours)"]
    assert "Test Badge: credited hours" in rows[0] and rows[0][-2:] == ["Last activity", "At risk"]
    by_email = {r[1]: r for r in rows[1:]}
    assert set(by_email) == {"ana@example.org", "ben@example.org"}  # not spring's learners
    ana = dict(zip(rows[0], by_email["ana@example.org"], strict=True))
    assert ana["Modules done"] == "3" and ana["Test Badge: credited hours"] == "4.50"
    assert ana["Time on task (hours)"] == "3.00" and ana["At risk"] == "no"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-0[45]:00", ana["Last activity"])  # Toronto's offset


def test_csv_follows_the_filter_and_sort(people, dashboard):
    client = dashboard(people["fall_teacher"])
    rows = read_csv(client.get("csv", {"cohort": "fall", "search": "ben"}))
    assert [r[1] for r in rows[1:]] == ["ben@example.org"]
    rows = read_csv(client.get("csv", {"cohort": "fall", "sort": "name", "descending": "1"}))
    assert [r[1] for r in rows[1:]] == ["ben@example.org", "ana@example.org"]
    assert client.get("csv", {"cohort": "fall", "sort": "password"}).status_code == 400
    assert client.get("csv", {"cohort": "fall", "search": "x" * 101}).status_code == 400
    assert client.get("csv", {"cohort": "nope"}).status_code == 403


@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://evil.example\",\"x\")", "+41 cmd", "-2+3", "@SUM(A1:A2)",
                                  "\t=1", "\r=1"])
def test_csv_cells_cannot_become_formulas(people, dashboard, name):
    from caregiving_course.learner_record.models import Learner

    Learner.objects.filter(pk=people["ana_learner"].pk).update(name=name)  # test setup: a hostile display name
    rows = read_csv(dashboard(people["fall_teacher"]).get("csv", {"cohort": "fall"}))
    cells = [r[0] for r in rows[1:]]
    assert "'" + name in cells
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for c in r)


def test_safe_cell_leaves_ordinary_values_alone():
    assert safe_cell("Ana") == "Ana" and safe_cell(12) == "12" and safe_cell(None) == "" and safe_cell("=1") == "'=1"


def test_chart_svg_parses_with_title_and_description(people, dashboard):
    complete_modules(people["ana_learner"])
    response = dashboard(people["fall_teacher"]).get("chart", {"cohort": "fall", "format": "svg"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("image/svg+xml")
    root = etree.fromstring(response.content)
    assert root.tag == SVG + "svg" and root.get("role") == "img"
    title, desc = root.find(SVG + "title"), root.find(SVG + "desc")
    assert title.text == "Credited hours in cohort fall"
    assert "Test Badge (target 12 h)" in desc.text and "Target met: 1" in desc.text and "None yet: 1" in desc.text
    assert root.get("aria-labelledby") == title.get("id") and root.get("aria-describedby") == desc.get("id")
    labels = [t.text for t in root.iter(SVG + "text")]
    assert "✓ Target met" in labels and "1 (50 %)" in labels  # numbers in words, not colour alone


def test_chart_fragment_has_a_data_table(people, dashboard):
    html = dashboard(people["fall_teacher"]).get("chart", {"cohort": "fall"}).json()["html"]
    assert "<svg" in html and "<figcaption" in html
    assert "<table>" in html and '<th scope="col" class="cg-num">Target met</th>' in html


def test_small_cohort_page_has_the_chart_inline(people, dashboard):
    page = dashboard(people["fall_teacher"], open_page=False).open()
    assert '<svg xmlns="http://www.w3.org/2000/svg" role="img"' in page.text


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str = "#ffffff") -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_chart_colours_meet_wcag_contrast():
    assert contrast(chart.TEXT_COLOUR) >= 4.5
    assert contrast(chart.BAR_COLOUR) >= 3 and contrast(chart.MET_COLOUR) >= 3  # graphical objects (1.4.11)
    assert contrast(chart.AXIS_COLOUR) >= 3


def test_distribution_buckets():
    from decimal import Decimal as D

    group = chart.distribution("B", D(12), [D(0), D("0.5"), D(3), D(6), D(9), D("11.99"), D(12), D(15)])
    assert group.counts == (1, 1, 1, 1, 2, 2)
    assert group.total == 8


def test_chart_of_an_empty_cohort(people, dashboard):
    api.ensure_cohort("empty").instructors.add(people["fall_teacher"])
    response = dashboard(people["fall_teacher"]).get("chart", {"cohort": "empty", "format": "svg"})
    root = etree.fromstring(response.content)
    assert "None yet: 0" in root.find(SVG + "desc").text
