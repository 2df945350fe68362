"""Issue 21: a cohort's name cannot run script in the dashboard or break the CSV download's header, and the
record refuses cohort names that are not slugs (people.ensure_cohort, the admin's deployment form)."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from caregiving_course.learner_record import api

HOSTILE = '</script><img src=x onerror=alert(10)>'


class _Elements(HTMLParser):
    """The tags and the text of each ``script.xblock_json_init_args`` a browser's parser would see."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.init_args: list[str] = []
        self._in_args = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in_args = tag == "script" and "xblock_json_init_args" in (dict(attrs).get("class") or "")

    def handle_endtag(self, tag):
        self._in_args = False

    def handle_data(self, data):
        if self._in_args:
            self.init_args.append(data)


def _legacy_cohort(name: str, teacher) -> None:
    """A cohort row written before names were checked (straight to the table, as an old database holds it)."""
    from caregiving_course.learner_record.models import Cohort

    Cohort.objects.create(name=name, title="legacy").instructors.add(teacher)


def test_a_cohort_name_cannot_end_the_init_script(people, dashboard):
    _legacy_cohort(HOSTILE, people["fall_teacher"])
    client = dashboard(people["fall_teacher"])
    client.post("table", {"cohort": HOSTILE})  # the dashboard remembers the cohort looked at last
    page = client.session.get(client.base_url + "/course/dashboard/", timeout=60)
    assert page.status_code == 200
    parsed = _Elements()
    parsed.feed(page.text)
    assert "img" not in parsed.tags, "the cohort name became an element"
    [args] = parsed.init_args
    assert "</" not in args and json.loads(args)["cohort"] == HOSTILE


def test_escaped_init_arguments_read_back_as_given():
    from xblocks.runtime import script_json

    value = {"cohort": HOSTILE, "amp": "a & b", "line": "\u2028"}
    text = script_json(value)
    assert "<" not in text and ">" not in text and "&" not in text and json.loads(text) == value


@pytest.mark.parametrize("name", [HOSTILE, "fall 2026", "a\nb", "", "x" * 81, "é-cohort", 'x";filename="evil.bat'])
def test_the_record_refuses_cohort_names_that_are_not_slugs(db, name):
    with pytest.raises(api.RecordError, match="cohort name"):
        api.ensure_cohort(name)
    if not name:
        return  # add_user(cohort="") means no cohort
    with pytest.raises(api.RecordError):
        api.add_user("someone@example.org", "learner", cohort=name)
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username="someone@example.org").exists()


def test_the_admin_refuses_a_deployment_cohort_name_that_is_not_a_slug(db):
    from lti_bridge.admin import DeploymentForm

    form = DeploymentForm(data={"deployment_id": "d1", "cohort_name": HOSTILE})
    assert not form.is_valid() and "cohort name" in str(form.errors["cohort_name"])
    assert "cohort_name" not in DeploymentForm(data={"deployment_id": "d1", "cohort_name": "partner-fall"}).errors


@pytest.mark.parametrize("name", ["bad\r\nX-Evil: 1", 'x";filename="evil.bat', "Équipe été"])
def test_csv_filename_is_an_ascii_slug_with_the_name_in_filename_star(people, dashboard, name):
    _legacy_cohort(name, people["fall_teacher"])
    client = dashboard(people["fall_teacher"])
    response = client.get("csv", {"cohort": name})
    assert response.status_code == 200, response.text[:300]
    header = response.headers["Content-Disposition"]
    assert "X-Evil" not in response.headers and "\r" not in header and "\n" not in header
    ascii_name = re.fullmatch(r'attachment; filename="([A-Za-z0-9._-]+)"; filename\*=UTF-8\'\'(\S+)', header)
    assert ascii_name, header
    assert ascii_name.group(1).startswith("cohort-") and ascii_name.group(1).endswith(".csv")
    assert '"' not in ascii_name.group(2) and ";" not in ascii_name.group(2)


@pytest.mark.parametrize("content_type,body", [
    ("multipart/form-data; boundary=xyz", b'--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--xyz--\r\n'),
    ("multipart/form-data", b"no boundary at all"),
    ("application/x-www-form-urlencoded", b"cohort=fall&%zz=%"),
    ("text/plain", b'{"cohort": "fall"}'),
])
def test_a_handler_answers_415_to_anything_but_json(people, dashboard, content_type, body):
    client = dashboard(people["fall_teacher"])
    response = client.session.post(client.url("table"), data=body, timeout=30, headers={
        "Content-Type": content_type, "X-CSRFToken": client.csrf, "Referer": client.base_url + "/"})
    assert response.status_code == 415 and "application/json" in response.json()["error"]


@pytest.mark.parametrize("name", ["%00.js", "blocks/%00module.js", "dashboard.js%00.png"])
def test_a_nul_byte_in_a_resource_path_is_not_found(live_server, name):
    import requests

    assert requests.get(f"{live_server.url}/course/resource/{name}", timeout=10).status_code == 404
