"""Open edX course export (OLX): one course of the catalogue as an archive Studio can import.

Layout of the archive (one root folder, ``course/``)::

    course.xml                      points at the run
    course/<run>.xml                the course and its chapters
    chapter/, sequential/, vertical/  one chapter > sequential > vertical per module
    about/overview.html, about/short_description.html
    policies/<run>/policy.json, policies/<run>/grading_policy.json, policies/assets.json
    static/course_image.png

The verticals hold our blocks (``caregiving_module`` per module, ``caregiving_progress`` at the end),
written by XBlock's own ``add_xml_to_node`` so import (``parse_xml``) reads back every field.
"""
from __future__ import annotations

import html
import io
import json
import struct
import tarfile
import zlib
from pathlib import Path

from lxml import etree
from xblock.field_data import DictFieldData
from xblock.fields import ScopeIds
from xblock.runtime import DictKeyValueStore, KvsFieldData, MemoryIdManager, Runtime

from caregiving_course.framework import Course

ORG = "CanadoreCollege"
#: Studio's course number of each course (a course not named here is numbered by its id). The first course keeps
#: the number its single-course exports had, so importing its archive again updates the same Studio course.
COURSE_NUMBERS = {"professional-practice-in-caregiving": "PPC101"}
RUN = "self_paced"
ADVANCED_MODULES = ["caregiving_module", "caregiving_progress"]
GRADER_TYPE = "Knowledge check"
COURSE_IMAGE = "course_image.png"
START, END = "2026-01-01T00:00:00Z", "2036-12-31T00:00:00Z"  # a self-paced run open for ten years


class XmlRuntime(Runtime):
    """A runtime that only builds, exports and parses blocks (no views, no handlers, no users)."""

    def __init__(self) -> None:
        ids = MemoryIdManager()
        super().__init__(ids, ids, services={"field-data": KvsFieldData(DictKeyValueStore())})

    def handler_url(self, *args, **kwargs):
        raise NotImplementedError("blocks are only exported here")

    def resource_url(self, resource):
        raise NotImplementedError("blocks are only exported here")

    def local_resource_url(self, block, uri):
        raise NotImplementedError("blocks are only exported here")

    def publish(self, block, event_type, event_data):
        raise NotImplementedError("blocks are only exported here")


def block_xml(block_type: str, fields: dict, url_name: str) -> etree._Element:
    """The OLX element of a block of ``block_type`` with these authored field values."""
    runtime = XmlRuntime()
    cls = runtime.load_block_type(block_type)
    ids = ScopeIds(None, block_type, f"{url_name}.d", url_name)
    block = runtime.construct_xblock_from_class(cls, ids, field_data=DictFieldData(dict(fields)))
    node = etree.Element(block_type)
    block.add_xml_to_node(node)
    node.set("url_name", url_name)
    return node


def parse_block(xml: str | bytes):
    """Import one block from its OLX (as Studio does); returns the block."""
    node = etree.fromstring(xml)
    node.attrib.pop("url_name", None)  # the modulestore's key, not a field of the block
    runtime = XmlRuntime()
    return runtime.get_block(runtime.parse_xml_string(etree.tostring(node)))


def course_image(width: int = 480, height: int = 270) -> bytes:
    """A plain PNG course card (the college's blue) so the course has the image Studio requires."""
    row = b"\x00" + bytes((11, 79, 138)) * width
    raw = zlib.compress(row * height, 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def _xml(node: etree._Element) -> bytes:
    return etree.tostring(node, pretty_print=True, xml_declaration=False, encoding="utf-8")


def _element(tag: str, **attrs: str) -> etree._Element:
    node = etree.Element(tag)
    for key, value in attrs.items():
        node.set(key, value)
    return node


def course_number(course: Course) -> str:
    """The course's number in Studio (``org/number/run`` names a course there): one per course of the catalogue."""
    return COURSE_NUMBERS.get(course.id, course.id)


def course_files(course: Course) -> dict[str, bytes]:
    """Every file of the OLX course (one course of the catalogue, only its modules), by path inside the course
    folder."""
    files: dict[str, bytes] = {}
    root = _element("course", display_name=course.title, language="en", start=START, end=END,
                    course_image=COURSE_IMAGE)
    parts = [(m.id, m.title, "caregiving_module",
              {"module_id": m.id, "display_name": m.title, "weight": 1.0}, True) for m in course.modules]
    parts.append(("progress", "My progress", "caregiving_progress", {"display_name": "My progress"}, False))
    for slug, title, block_type, fields, graded in parts:
        etree.SubElement(root, "chapter", url_name=f"ch-{slug}")
        chapter = _element("chapter", display_name=title)
        etree.SubElement(chapter, "sequential", url_name=f"seq-{slug}")
        sequential = _element("sequential", display_name=title)
        if graded:
            sequential.set("graded", "true")
            sequential.set("format", GRADER_TYPE)
        etree.SubElement(sequential, "vertical", url_name=f"vert-{slug}")
        vertical = _element("vertical", display_name=title)
        vertical.append(block_xml(block_type, fields, f"{block_type}-{slug}"))
        files[f"chapter/ch-{slug}.xml"] = _xml(chapter)
        files[f"sequential/seq-{slug}.xml"] = _xml(sequential)
        files[f"vertical/vert-{slug}.xml"] = _xml(vertical)
    files[f"course/{RUN}.xml"] = _xml(root)
    files["course.xml"] = _xml(_element("course", url_name=RUN, org=ORG, course=course_number(course)))
    files["about/overview.html"] = (
        f"<section class=\"about\"><h2>{html.escape(course.title)}</h2>"
        f"<p>{html.escape(course.description)}</p></section>\n").encode()
    files["about/short_description.html"] = html.escape(course.description[:300]).encode()
    policy = {f"course/{RUN}": {"advanced_modules": ADVANCED_MODULES, "self_paced": True}}
    grading = {
        "GRADER": [{"type": GRADER_TYPE, "short_label": "KC", "min_count": len(course.modules), "drop_count": 0,
                    "weight": 1.0}],
        "GRADE_CUTOFFS": {"Pass": course.modules[0].pass_mark if course.modules else 0.8},
    }
    files[f"policies/{RUN}/policy.json"] = json.dumps(policy, indent=2).encode()
    files[f"policies/{RUN}/grading_policy.json"] = json.dumps(grading, indent=2).encode()
    files["policies/assets.json"] = b"{}"
    files[f"static/{COURSE_IMAGE}"] = course_image()
    return files


def export_course(course: Course, path: str | Path) -> Path:
    """Write the course as an OLX archive (``.tar.gz`` with one ``course/`` folder) at ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as archive:
        for name, data in sorted(course_files(course).items()):
            info = tarfile.TarInfo(f"course/{name}")
            info.size, info.mode = len(data), 0o644
            archive.addfile(info, io.BytesIO(data))
    return path
