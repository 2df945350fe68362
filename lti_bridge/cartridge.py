"""IMS Common Cartridge 1.3 export of one course of the catalogue as LTI links (for LMSs that import cartridges).

``imsmanifest.xml`` (CC 1.3 content packaging: ``imsccv1p3/imscp_v1p1``) has one organization item per module,
each pointing at a resource of type ``imsbasiclti_xmlv1p3`` whose file is a ``cartridge_basiclti_link``
(namespace ``imslticc_v1p3``) with the launch URL, and the module id and its course id as custom parameters.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

from caregiving_course.framework import Course

CP = "http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1"
LOM_MANIFEST = "http://ltsc.ieee.org/xsd/imsccv1p3/LOM/manifest"
LTICC = "http://www.imsglobal.org/xsd/imslticc_v1p3"
BLTI = "http://www.imsglobal.org/xsd/imsbasiclti_v1p0"
LTICM = "http://www.imsglobal.org/xsd/imslticm_v1p0"
LTICP = "http://www.imsglobal.org/xsd/imslticp_v1p0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
RESOURCE_TYPE = "imsbasiclti_xmlv1p3"
MANIFEST_SCHEMAS = (f"{CP} http://www.imsglobal.org/profile/cc/ccv1p3/ccv1p3_imscp_v1p2_v1p0.xsd "
                    f"{LOM_MANIFEST} http://www.imsglobal.org/profile/cc/ccv1p3/LOM/ccv1p3_lommanifest_v1p0.xsd")
LINK_SCHEMAS = (f"{LTICC} http://www.imsglobal.org/xsd/lti/ltiv1p3/imslticc_v1p3.xsd "
                f"{BLTI} http://www.imsglobal.org/xsd/lti/ltiv1p0/imsbasiclti_v1p0p1.xsd "
                f"{LTICM} http://www.imsglobal.org/xsd/lti/ltiv1p0/imslticm_v1p0.xsd "
                f"{LTICP} http://www.imsglobal.org/xsd/lti/ltiv1p0/imslticp_v1p0.xsd")


def _sub(parent, ns: str, tag: str, text: str | None = None, **attrs):
    element = etree.SubElement(parent, f"{{{ns}}}{tag}", {k: v for k, v in attrs.items()})
    if text is not None:
        element.text = text
    return element


def link_xml(title: str, description: str, launch_url: str, custom: dict[str, str]) -> bytes:
    """A ``cartridge_basiclti_link`` document for one launch."""
    root = etree.Element(f"{{{LTICC}}}cartridge_basiclti_link",
                         nsmap={None: LTICC, "blti": BLTI, "lticm": LTICM, "lticp": LTICP, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", LINK_SCHEMAS)
    _sub(root, BLTI, "title", title)
    _sub(root, BLTI, "description", description)
    custom_el = _sub(root, BLTI, "custom")
    for name, value in custom.items():
        _sub(custom_el, LTICM, "property", value, name=name)
    _sub(root, BLTI, "launch_url", launch_url)
    if launch_url.startswith("https://"):
        _sub(root, BLTI, "secure_launch_url", launch_url)
    vendor = _sub(root, BLTI, "vendor")
    _sub(vendor, LTICP, "code", "caregiving-course")
    _sub(vendor, LTICP, "name", "Professional Practice in Caregiving")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def manifest_xml(course: Course, resources: list[tuple[str, str, str]]) -> bytes:
    """The manifest: ``resources`` are (identifier, title, href) of each LTI link file."""
    root = etree.Element(f"{{{CP}}}manifest", nsmap={None: CP, "lomimscc": LOM_MANIFEST, "xsi": XSI},
                         identifier=f"cc-{course.id}")
    root.set(f"{{{XSI}}}schemaLocation", MANIFEST_SCHEMAS)
    metadata = _sub(root, CP, "metadata")
    _sub(metadata, CP, "schema", "IMS Common Cartridge")
    _sub(metadata, CP, "schemaversion", "1.3.0")
    general = _sub(_sub(metadata, LOM_MANIFEST, "lom"), LOM_MANIFEST, "general")
    _sub(_sub(general, LOM_MANIFEST, "title"), LOM_MANIFEST, "string", course.title)
    _sub(_sub(general, LOM_MANIFEST, "description"), LOM_MANIFEST, "string", course.description)
    organization = _sub(_sub(root, CP, "organizations"), CP, "organization", identifier="org",
                        structure="rooted-hierarchy")
    top = _sub(organization, CP, "item", identifier="root")
    resources_el = _sub(root, CP, "resources")
    for identifier, title, href in resources:
        item = _sub(top, CP, "item", identifier=f"item-{identifier}", identifierref=identifier)
        _sub(item, CP, "title", title)
        resource = _sub(resources_el, CP, "resource", identifier=identifier, type=RESOURCE_TYPE)
        _sub(resource, CP, "file", href=href)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def export_cartridge(course: Course, path: str | Path, base_url: str) -> Path:
    """Write ``course`` as a Common Cartridge 1.3 (.imscc zip) of LTI 1.3 links to ``base_url``/lti/launch."""
    path = Path(path)
    launch_url = f"{base_url.rstrip('/')}/lti/launch"
    resources, files = [], {}
    for module in course.modules:
        identifier = f"lti-{module.id}"
        href = f"{identifier}/lti.xml"
        description = "; ".join(module.outcomes) or module.title
        files[href] = link_xml(module.title, description, launch_url, {"module_id": module.id,
                                                                          "course_id": course.id})
        resources.append((identifier, module.title, href))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", manifest_xml(course, resources))
        for href, data in files.items():
            archive.writestr(href, data)
    return path
