"""XML export/import of every authored field, the OLX course archive, workbench scenarios and entry points."""
from __future__ import annotations

import tarfile

import pytest
from lxml import etree
from xblock.fields import UserScope

from xblocks.olx import block_xml, course_number, export_course, parse_block

FIELDS = {
    "caregiving_module": {"display_name": 'Module "one" & <two>', "module_id": "beta", "weight": 2.5,
                          "name": "module-beta", "tags": ["core", "week-2"]},
    "caregiving_progress": {"display_name": "Où j'en suis", "introduction": "Line one\nLine <two> & three",
                            "name": "progress", "tags": ["summary"]},
    "caregiving_dashboard": {"display_name": "Cohort <A>", "page_size": 25, "initial_cohort": "fall-2026",
                             "name": "dashboard", "tags": []},
}


@pytest.mark.parametrize("block_type", sorted(FIELDS))
def test_xml_round_trips_every_authored_field(block_type):
    """Every authored field (the module block's ``module_id`` is a settings field) is written and read back."""
    fields = FIELDS[block_type]
    block = parse_block(etree.tostring(block_xml(block_type, fields, "u1")))
    authored = {name for name, field in block.fields.items()
                if name not in ("parent", "children") and field.scope.user == UserScope.NONE}
    assert authored == set(fields), "the test must set every authored field"
    for name, value in fields.items():
        assert getattr(block, name) == value


@pytest.mark.parametrize("which", [0, -1], ids=["first course", "last course"])
def test_course_archive_parses_back_and_passes_olxcleaner(course, which, tmp_path):
    import olxcleaner

    course = course.courses[which]  # one course of the catalogue: its archive holds only its modules
    archive = export_course(course, tmp_path / "course.tar.gz")
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        assert all(name.startswith("course/") for name in names)
        tar.extractall(tmp_path / "out", filter="data")
    root = tmp_path / "out" / "course"
    assert etree.parse(str(root / "course.xml")).getroot().get("url_name") == "self_paced"
    assert etree.parse(str(root / "course.xml")).getroot().get("course") == course_number(course)
    assert sorted(p.stem for p in (root / "vertical").iterdir()) == sorted(
        [f"vert-{m.id}" for m in course.modules] + ["vert-progress"])
    run = etree.parse(str(root / "course" / "self_paced.xml")).getroot()
    chapters = [c.get("url_name") for c in run.findall("chapter")]
    assert chapters == [f"ch-{m.id}" for m in course.modules] + ["ch-progress"]
    for module in course.modules:
        vertical = etree.parse(str(root / "vertical" / f"vert-{module.id}.xml")).getroot()
        (node,) = vertical.findall("caregiving_module")
        block = parse_block(etree.tostring(node))
        assert (block.module_id, block.display_name, block.weight) == (module.id, module.title, 1.0)
    _, errors, _ = olxcleaner.validate(str(root), steps=8)
    problems = [(type(e).__name__, e.description) for e in errors.errors]
    ours = ("<caregiving_module>", "<caregiving_progress>")
    assert problems and all(kind == "UnexpectedTag" and any(tag in text for tag in ours)
                            for kind, text in problems), problems
    _, errors, _ = olxcleaner.validate(str(root), steps=8, allowed_xblocks=["caregiving_module", "caregiving_progress"])
    assert [(type(e).__name__, e.description) for e in errors.errors] == []


def test_entry_points_and_workbench_scenarios():
    from xblock.core import XBlock

    for block_type in FIELDS:
        cls = XBlock.load_class(block_type)
        scenarios = cls.workbench_scenarios()
        assert scenarios and all(title and xml.strip().startswith("<") for title, xml in scenarios)
        for _, xml in scenarios:
            etree.fromstring(xml)


@pytest.mark.django_db
def test_workbench_renders_every_scenario(client):
    from workbench.scenarios import get_scenarios

    ours = [sid for sid in get_scenarios() if sid.startswith(tuple(FIELDS))]
    assert {sid.split(".")[0] for sid in ours} == set(FIELDS) and len(ours) >= 4
    for scenario_id in ours:
        response = client.get(f"/workbench/scenario/{scenario_id}/")
        assert response.status_code == 200, scenario_id
