"""RDF Dataset Canonicalization (W3C RDFC-1.0) of quads whose terms are already in canonical N-Quads form.

A quad is a tuple ``(subject, predicate, object, graph)`` of canonical N-Quads terms (``<iri>``,
``_:label``, a literal as :func:`literal` writes it); the graph is ``""`` for the default graph.

When every blank node's first-degree hash is unique (a credential's nodes differ in what they say),
the canonical labels follow from those hashes alone; that path is here. Otherwise the full algorithm
(Hash N-Degree Quads) runs in Oxigraph's implementation (``pyoxigraph``). Both are checked against
the W3C test suite in ``tests/issuer/rdfc10``.
"""
from __future__ import annotations

import hashlib
import re

import pyoxigraph

Quad = tuple[str, str, str, str]

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

_ECHAR = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
# Everything else below U+0020, DEL and what is not an XML 1.1 Char is written as \uXXXX.
_UCHAR = [*range(0x00, 0x08), 0x0B, *range(0x0E, 0x20), 0x7F, *range(0xD800, 0xE000), 0xFFFE, 0xFFFF]
_ESCAPES = {**{chr(c): f"\\u{c:04X}" for c in _UCHAR}, **_ECHAR}  # what each character is written as
_NEEDS_ESCAPE = re.compile("[\x00-\x1f\"\\\\\x7f\ud800-\udfff\ufffe\uffff]")


def escape(value: str) -> str:
    """``value`` as the inside of a canonical N-Quads string literal.

    ``str.isprintable`` is false for every control character, surrogate and U+FFFE/U+FFFF, so a printable text
    without a quote or a backslash is kept as it is, at C speed; another goes through the regular expression,
    which replaces each character to escape where it stands (the pattern's character class scans about 3 ns a
    character, and ``str.translate`` looked up every one)."""
    if value.isprintable() and '"' not in value and "\\" not in value:
        return value
    return _NEEDS_ESCAPE.sub(_escaped, value)


def _escaped(match: re.Match) -> str:
    return _ESCAPES[match.group()]


def literal(value: str, datatype: str = XSD_STRING, language: str | None = None) -> str:
    """A literal in canonical N-Quads form (an ``xsd:string`` has no datatype part)."""
    if language and datatype == RDF_LANGSTRING:
        return f'"{escape(value)}"@{language}'
    if datatype == XSD_STRING:
        return f'"{escape(value)}"'
    return f'"{escape(value)}"^^<{datatype}>'


def _line(quad: Quad) -> str:
    s, p, o, g = quad
    return f"{s} {p} {o} {g} .\n" if g else f"{s} {p} {o} .\n"


def _relabelled(quads, labels: dict[str, str]) -> list[str]:
    """The quads' lines with each blank node written as ``labels`` says (no other term is a key of it)."""
    label = labels.get
    return [f"{label(s, s)} {p} {label(o, o)} {label(g, g)} .\n" if g else f"{label(s, s)} {p} {label(o, o)} .\n"
            for s, p, o, g in quads]


def blank_node_quads(quads) -> dict[str, list[Quad]]:
    """Each blank node's quads (a quad once per blank node in it): RDFC-1.0's blank node to quads map."""
    mentions: dict[str, list[Quad]] = {}
    for quad in quads:  # only a blank node's term starts with "_" (an IRI with "<", a literal with '"')
        s, _, o, g = quad
        if s[0] == "_":
            mentions.setdefault(s, []).append(quad)
        if o[0] == "_" and o != s:
            mentions.setdefault(o, []).append(quad)
        if g and g[0] == "_" and g != s and g != o:
            mentions.setdefault(g, []).append(quad)
    return mentions


def canonical_nquads(quads, mentions: dict[str, list[Quad]] | None = None) -> str:
    """The canonical N-Quads document of the dataset made of ``quads`` (duplicates count once).

    ``mentions``, when the caller knows it, is :func:`blank_node_quads` of the distinct quads.
    """
    if mentions is None:
        quads = list(dict.fromkeys(quads))
        mentions = blank_node_quads(quads)
    if not mentions:
        return "".join(sorted(set(map(_line, quads))))
    others = dict.fromkeys(mentions, "_:z")
    hashes = {}
    for node, found in mentions.items():  # Hash First Degree Quads: the node as _:a, every other one as _:z
        others[node] = "_:a"
        hashes[node] = hashlib.sha256("".join(sorted(_relabelled(found, others))).encode()).hexdigest()
        others[node] = "_:z"
    if len(set(hashes.values())) < len(hashes):
        return _full_algorithm(list(dict.fromkeys(quads)))
    labels = {node: f"_:c14n{i}" for i, node in enumerate(sorted(hashes, key=hashes.__getitem__))}
    return "".join(sorted(set(_relabelled(quads, labels))))


def _full_algorithm(quads: list[Quad]) -> str:
    """RDFC-1.0 with Hash N-Degree Quads, for blank nodes that first-degree hashes do not tell apart."""
    dataset = pyoxigraph.Dataset(pyoxigraph.parse("".join(map(_line, quads)), pyoxigraph.RdfFormat.N_QUADS))
    dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
    lines = pyoxigraph.serialize(dataset, format=pyoxigraph.RdfFormat.N_QUADS).decode("utf-8").split("\n")
    return "".join(sorted(line + "\n" for line in lines if line))
