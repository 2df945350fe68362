"""Baking (Open Badges Baking Specification): the assertion inside the badge image, and back out.

PNG: an ``iTXt`` chunk with keyword ``openbadges`` (uncompressed) before ``IEND``.
SVG: an ``openbadges:assertion`` element (namespace ``http://openbadges.org``) right inside the
root ``svg`` element, with a ``verify`` attribute (the hosted assertion URL) and the JSON as CDATA.
"""
from __future__ import annotations

import json
import struct
import zlib

from lxml import etree

from sync.issuer.inflate import TooLarge, inflate

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
OB_NS = "http://openbadges.org"
MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_ASSERTION_BYTES = 256 * 1024  # an assertion inflated from an iTXt chunk (verify.MAX_INPUT_CHARS)


class BakingError(ValueError):
    """An image that is not a baked badge (or is too large, or malformed)."""


def _chunks(data: bytes):
    if not data.startswith(PNG_SIGNATURE):
        raise BakingError("not a PNG image")
    pos = len(PNG_SIGNATURE)
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        end = pos + 12 + length
        if end > len(data):
            raise BakingError("truncated PNG chunk")
        yield kind, data[pos + 8:pos + 8 + length], data[pos:end]
        pos = end
        if kind == b"IEND":
            return
    raise BakingError("PNG without IEND")


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def bake_png(image: bytes, assertion: str) -> bytes:
    """``image`` with ``assertion`` (JSON text or URL) in an ``openbadges`` iTXt chunk (replacing any earlier one)."""
    body = b"openbadges\x00\x00\x00\x00\x00" + assertion.encode("utf-8")
    out = [PNG_SIGNATURE]
    for kind, content, raw in _chunks(image):
        if kind in (b"iTXt", b"tEXt") and content.startswith(b"openbadges\x00"):
            continue
        if kind == b"IEND":
            out.append(_chunk(b"iTXt", body))
        out.append(raw)
    return b"".join(out)


def unbake_png(image: bytes) -> str:
    if len(image) > MAX_IMAGE_BYTES:
        raise BakingError("image larger than 2 MB")
    for kind, content, _ in _chunks(image):
        if kind == b"iTXt" and content.startswith(b"openbadges\x00"):
            rest = content[len(b"openbadges\x00"):]
            if len(rest) < 2:
                raise BakingError("malformed openbadges iTXt chunk")
            compressed, _method, rest = rest[0], rest[1], rest[2:]
            _lang, _, rest = rest.partition(b"\x00")
            _translated, _, text = rest.partition(b"\x00")
            try:
                return (inflate(text, MAX_ASSERTION_BYTES) if compressed else text).decode("utf-8")
            except (TooLarge, UnicodeDecodeError) as exc:
                raise BakingError(f"unreadable openbadges chunk: {exc}") from None
        if kind == b"tEXt" and content.startswith(b"openbadges\x00"):
            return content[len(b"openbadges\x00"):].decode("latin-1")
    raise BakingError("this PNG carries no Open Badges assertion")


def _cdata(text: str) -> str:
    return text.replace("]]>", "]]]]><![CDATA[>")


def bake_svg(svg: str, assertion_json: str, verify_url: str) -> str:
    """``svg`` (our own template output) with the assertion element as the root's first child."""
    head, sep, rest = svg.partition(">")
    if not sep or not head.lstrip().startswith("<svg"):
        raise BakingError("not an SVG document starting with its svg element")
    verify = verify_url.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    element = (f'<openbadges:assertion verify="{verify}"><![CDATA[{_cdata(assertion_json)}]]>'
               "</openbadges:assertion>")
    return f'{head} xmlns:openbadges="{OB_NS}">{element}{rest}'


def unbake_svg(data: bytes) -> str:
    if len(data) > MAX_IMAGE_BYTES:
        raise BakingError("image larger than 2 MB")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise BakingError(f"not well-formed SVG: {exc}") from None
    node = root.find(f"{{{OB_NS}}}assertion")
    if node is None:
        raise BakingError("this SVG carries no Open Badges assertion")
    text = (node.text or "").strip()
    return text or node.get("verify", "")


def unbake(data: bytes) -> str:
    """The baked assertion (JSON text or URL) of a PNG or SVG image."""
    if data.startswith(PNG_SIGNATURE):
        return unbake_png(data)
    head = data[:512].lstrip()
    if head.startswith(b"<"):
        return unbake_svg(data)
    raise BakingError("not a PNG or SVG image")


def assertion_text(assertion: dict) -> str:
    return json.dumps(assertion, separators=(",", ":"), ensure_ascii=False)
