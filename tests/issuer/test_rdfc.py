"""RDF Dataset Canonicalization (RDFC-1.0): the W3C test suite's cases (``rdfc10/``, see its README).

Each case runs through :func:`sync.issuer.rdfc.canonical_nquads` (our first-degree path where the
hashes are unique, Oxigraph's full algorithm otherwise) and through the full algorithm alone.
"""
from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph
import pytest

from sync.issuer import rdfc

SUITE = Path(__file__).resolve().parent / "rdfc10"
CASES = json.loads((SUITE / "manifest.jsonld").read_text(encoding="utf-8"))["entries"]


def _term(term) -> str:
    if isinstance(term, pyoxigraph.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, pyoxigraph.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, pyoxigraph.DefaultGraph):
        return ""
    return rdfc.literal(term.value, term.datatype.value, term.language)


def _quads(name: str) -> list[rdfc.Quad]:
    """The case's input as quads of canonical terms (the input files write some terms otherwise)."""
    parsed = pyoxigraph.parse(path=SUITE / name, format=pyoxigraph.RdfFormat.N_QUADS)
    return [(_term(q.subject), _term(q.predicate), _term(q.object), _term(q.graph_name)) for q in parsed]


@pytest.mark.parametrize("case", CASES, ids=[c["id"].lstrip("#") for c in CASES])
def test_w3c_rdfc10_case(case):
    expected = (SUITE / case["result"]).read_text(encoding="utf-8")
    quads = _quads(case["action"])
    assert rdfc.canonical_nquads(quads) == expected, case["name"]
    assert rdfc._full_algorithm(list(dict.fromkeys(quads))) == expected, case["name"]


def test_the_first_degree_path_answers_where_hashes_are_unique(monkeypatch):
    """About half the suite needs no N-degree hashing; those cases must not reach the full algorithm."""
    full = []
    monkeypatch.setattr(rdfc, "_full_algorithm", lambda quads: full.append(1) or "")
    for case in CASES:
        rdfc.canonical_nquads(_quads(case["action"]))
    assert 30 <= len(full) <= len(CASES) - 30


def test_literals_are_escaped_as_rdfc10_says():
    assert rdfc.literal('a"b\\c\n\r\t\b\f') == '"a\\"b\\\\c\\n\\r\\t\\b\\f"'
    assert rdfc.literal("\x00\x07\x0b\x1f\x7f") == '"\\u0000\\u0007\\u000B\\u001F\\u007F"'
    assert rdfc.literal("été 🎓", rdfc.RDF_LANGSTRING, "fr") == '"été 🎓"@fr'
    assert rdfc.literal("2026", "http://www.w3.org/2001/XMLSchema#gYear") == \
        '"2026"^^<http://www.w3.org/2001/XMLSchema#gYear>'


def test_duplicate_quads_count_once():
    quad = ("_:x", "<urn:p>", '"v"', "")
    assert rdfc.canonical_nquads([quad, quad]) == '_:c14n0 <urn:p> "v" .\n'


def _written(char: str) -> str:
    """How canonical N-Quads writes one character inside a literal: ECHAR, then UCHAR for the other controls,
    DEL, surrogates and U+FFFE/U+FFFF (not XML characters), the character itself otherwise."""
    echar = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
    code = ord(char)
    if char in echar:
        return echar[char]
    if code < 0x20 or code == 0x7F or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
        return f"\\u{code:04X}"
    return char


def test_every_code_point_is_escaped_alone_and_inside_text():
    """Including the characters Python calls unprintable that need no escaping (no-break space, soft hyphen,
    line separator, unassigned code points): the escape's quick path must keep only what it may."""
    for code in range(0x110000):
        char = chr(code)
        assert rdfc.escape(char) == _written(char), hex(code)
        assert rdfc.escape(f"née {char} «") == f"née {_written(char)} «", hex(code)
