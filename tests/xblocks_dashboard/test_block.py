"""The XBlock contract: entry point, field scopes, XML round-trip, workbench scenario, French, the sync
panel and the roster button."""
from __future__ import annotations

import gettext
import io
import re
from importlib.metadata import entry_points
from pathlib import Path

from django.test import RequestFactory
from django.utils import translation
from lxml import etree
from xblock.field_data import DictFieldData
from xblock.fields import Scope
from xblock.test.tools import TestRuntime

import xblocks
from caregiving_course.learner_record import outbox
from caregiving_course.learner_record.models import OutboxEntry
from xblocks.dashboard_block import InstructorDashboardBlock
from xblocks.runtime import render_block

LOCALE = Path(xblocks.__file__).resolve().parent / "translations"  # the XBlock domain, as Open edX reads it


def render_for(user, fields: dict | None = None, language: str = "en") -> str:
    request = RequestFactory().get("/course/dashboard/")
    request.user, request.session = user, {}
    with translation.override(language):
        return render_block(request, "caregiving_dashboard", fields or {}).html


def test_entry_point_is_registered():
    found = {e.name: e.value for e in entry_points(group="xblock.v1")}
    assert found["caregiving_dashboard"] == "xblocks.dashboard_block:InstructorDashboardBlock"


def test_field_scopes():
    fields = InstructorDashboardBlock.fields
    assert fields["display_name"].scope == Scope.settings and fields["page_size"].scope == Scope.settings
    for name in ("selected_cohort", "sort", "descending"):
        assert fields[name].scope == Scope.user_state


def test_xml_round_trip_keeps_authored_fields_and_no_learner_state():
    runtime = TestRuntime(services={"field-data": DictFieldData({})})
    xml = '<caregiving_dashboard display_name="Fall cohort" page_size="25"/>'
    usage_id = runtime.parse_xml_string(xml)
    block = runtime.get_block(usage_id)
    assert (block.display_name, block.page_size) == ("Fall cohort", 25)
    block.selected_cohort = "fall"
    out = io.BytesIO()
    runtime.export_to_xml(block, out)
    node = etree.fromstring(out.getvalue())
    assert node.tag == "caregiving_dashboard"
    assert node.get("display_name") == "Fall cohort" and node.get("page_size") == "25"
    assert node.get("selected_cohort") is None  # learner state stays out of the course
    again = runtime.get_block(runtime.parse_xml_string(etree.tostring(node, encoding="unicode")))
    assert (again.display_name, again.page_size) == ("Fall cohort", 25)


def test_workbench_scenario_parses():
    [(title, xml)] = InstructorDashboardBlock.workbench_scenarios()
    runtime = TestRuntime(services={"field-data": DictFieldData({})})
    block = runtime.get_block(runtime.parse_xml_string(xml))
    assert title and isinstance(block, InstructorDashboardBlock) and block.page_size == 25


def test_page_size_is_kept_in_bounds(people):
    html = render_for(people["fall_teacher"], {"page_size": 100000})
    assert "Learners 1 to 2 of 2" in html


def test_dashboard_in_french(people):
    html = render_for(people["fall_teacher"], language="fr")
    for text in ("Filtrer par nom ou courriel", "Apprenants 1 à 2 sur 2", "Télécharger le tableau en CSV",
                 "Envois des badges et des notes", "Objectif atteint", "Temps consacré", "Dernière activité"):
        assert text in html, text


def test_refusal_in_french(people):
    html = render_for(people["ana"], language="fr")
    assert "réservé aux instructeurs et aux administrateurs" in html


TEMPLATE_MSGID = re.compile(r'{% trans "([^"]+)" %}|{% blocktrans[^%]*%}(.*?){% (?:endblocktrans|plural) %}', re.S)


def test_every_dashboard_string_has_a_french_translation():
    with (LOCALE / "fr" / "LC_MESSAGES" / "text.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)._catalog  # what the runtime's i18n service reads
    translated = {(k[0] if isinstance(k, tuple) else k): v for k, v in catalogue.items() if v}
    root = Path(xblocks.__file__).resolve().parent
    wanted = set()
    for template in (root / "templates").glob("dashboard*.html"):
        for trans, block in TEMPLATE_MSGID.findall(template.read_text(encoding="utf-8")):
            wanted.add(trans or re.sub(r"{{ (\w+) }}", r"%(\1)s", " ".join(block.split())))
    for source in [root / "dashboard_block.py", *(root / "dashboard").glob("*.py")]:
        wanted |= set(re.findall(r'\b(?:_|gettext)\(\s*"([^"]+)"', source.read_text(encoding="utf-8")))
    assert len(wanted) > 100
    missing = sorted(w for w in wanted if not translated.get(w))
    assert missing == []


def test_sync_panel_for_an_administrator_and_retry(people, dashboard):
    from django.db import transaction

    with transaction.atomic():
        entry = outbox.enqueue("badge.issue", "badge.issue:test", {"award": "x"})
    outbox.dead_letter(entry.pk, "HTTP 422 from Badgr: recipient already has this badge <script>")
    with transaction.atomic():
        outbox.enqueue("badge.issue", "badge.issue:other", {"award": "y"})
    admin = dashboard(people["admin"])
    page = admin.open().text
    assert re.search(r"<strong>1</strong> pending</li>\s*<li><strong>1</strong> failed", page)
    assert "HTTP 422 from Badgr: recipient already has this badge &lt;script&gt;" in page
    assert f'data-entry="{entry.pk}"' in page
    teacher = dashboard(people["fall_teacher"])
    teacher_page = teacher.open().text
    assert "<strong>1</strong> failed" in teacher_page and "HTTP 422" not in teacher_page
    assert teacher.post("retry_delivery", {"entry_id": entry.pk}).status_code == 403
    assert OutboxEntry.objects.get(pk=entry.pk).status == "dead"
    for bad in (None, "1", True, 10**9):
        assert admin.post("retry_delivery", {"entry_id": bad}).status_code == 400
    response = admin.post("retry_delivery", {"entry_id": entry.pk})
    assert response.status_code == 200 and response.json()["message"]
    assert OutboxEntry.objects.get(pk=entry.pk).status == "pending"
    assert admin.post("retry_delivery", {"entry_id": entry.pk}).status_code == 400  # not dead any more


def test_roster_button_and_its_refusal(people, dashboard):
    from lti_bridge import nrps

    assert hasattr(nrps, "load_roster")
    client = dashboard(people["fall_teacher"])
    assert "Load roster from LMS" in client.open().text
    response = client.post("load_roster", {"cohort": "fall"})
    assert response.status_code == 400  # no LTI launch from this cohort yet: the bridge says why
    assert "roster" in response.json()["errors"]["form"]
    assert client.post("load_roster", {"cohort": "spring"}).status_code == 403


def test_workbench_renders_the_scenario_with_a_polite_refusal(client, db):
    """The XBlock workbench names its users by workbench ids, never staff accounts: the block says who it is for."""
    response = client.get("/workbench/scenario/caregiving_dashboard.0/", HTTP_HOST="127.0.0.1")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Cohort dashboard" in html and "instructors and administrators" in html and "<table" not in html
