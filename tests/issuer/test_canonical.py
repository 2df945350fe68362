"""Canonical forms of what the issuer signs, against PyLD's own RDFC-1.0 (URDNA2015) on the same documents.

PyLD turns a shape of document into RDF once (:mod:`sync.issuer.shapes`); these tests check that the
templates give PyLD's answer for 1,000 varied documents and for values a template must not take in.
"""
from __future__ import annotations

import copy

import pytest
from pyld import jsonld as pyld
from pyld.context_resolver import ContextResolver

from sync.issuer import jsonld
from sync.issuer.shapes import Shapes, _Reading
from tests.issuer.corpus import documents


def _pyld(document: dict) -> str:
    """PyLD's canonical N-Quads, in the safe mode our canonicalizer uses."""
    options = {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": jsonld.document_loader,
               "contextResolver": ContextResolver(jsonld._resolved_cache, jsonld.document_loader)}
    return pyld.JsonLdProcessor(on_property_dropped=jsonld._refuse_dropped).normalize(document, options)


@pytest.fixture
def compiles(monkeypatch):
    """A fresh template cache; the list of documents it compiled a template for."""
    seen: list[dict] = []
    compile_ = Shapes._compile
    monkeypatch.setattr(Shapes, "_compile", lambda self, doc, *args: seen.append(doc) or compile_(self, doc, *args))
    monkeypatch.setattr(jsonld, "_shapes", Shapes(jsonld.to_rdf, *jsonld._context_words()))
    return seen


@pytest.mark.slow
def test_a_thousand_documents_canonicalize_as_pyld_does(compiles):
    corpus = documents(1000)
    mismatched = [n for n, document in enumerate(corpus) if jsonld.canonicalize(document) != _pyld(document)]
    assert mismatched == []
    # a template was made once for each shape (and values of its types); the rest were filled in
    shapes = {(tuple(r.key), tuple(r.leaves[i] for i in sorted(r.typed)))
              for r in (_Reading(document, jsonld._context_words()[0]) for document in corpus)}
    assert len(compiles) == len(shapes) < 300


def _credential() -> dict:
    return copy.deepcopy(documents(1)[0])


def _options(**changes) -> dict:
    return {"@context": _credential()["@context"], "type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
            "created": "2026-11-28T00:00:00Z", "verificationMethod": "http://127.0.0.1/badges/issuer#key-1",
            "proofPurpose": "assertionMethod", **changes}


def _changed(path: tuple, value) -> dict:
    document = _credential()
    node = document
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return document


ODD = {
    "a relative id": _changed(("credentialSubject", "achievement", "criteria", "id"), "criteria"),
    "a blank node id": _changed(("credentialSubject", "achievement", "criteria", "id"), "_:b0"),
    "a compact IRI": _changed(("credentialSubject", "achievement", "image", "id"), "xsd:string"),
    "a term as id": _changed(("credentialSubject", "achievement", "image", "id"), "Achievement"),
    "an id with a space": _changed(("id",), "http://127.0.0.1/badges/a b"),
    "the issuer's id as the credential's": _changed(("id",), "http://127.0.0.1/badges/issuer"),
    "repeated tags": _changed(("credentialSubject", "achievement", "tag"), ["badge", "badge", "x"]),
    "escapes": _changed(("name",), 'a "quote" \\ tab\t line\n été 🎓'),
    "a subject id": _changed(("credentialSubject", "id"), "did:example:123"),
    "another purpose (a term)": _options(proofPurpose="authentication"),
    "a purpose IRI": _options(proofPurpose="https://example.org/purpose"),
    "a relative key": _options(verificationMethod="key-1"),
}


@pytest.mark.parametrize("name", ODD)
def test_a_value_a_template_cannot_take_gives_pyld_answer(compiles, name):
    """The same shape is first seen with ordinary values, so the odd value meets a cached template."""
    odd = ODD[name]
    ordinary = _options() if odd.get("cryptosuite") else _credential()
    assert jsonld.canonicalize(ordinary) == _pyld(ordinary)
    assert jsonld.canonicalize(odd) == _pyld(odd)
    assert jsonld.canonicalize(ordinary) == _pyld(ordinary)


def test_identical_evidence_needs_the_full_algorithm_and_agrees(compiles):
    document = _credential()
    document["evidence"] = [copy.deepcopy(document["evidence"][0]) for _ in range(3)] if document["evidence"] else [
        {"type": ["Evidence"], "name": "same", "genre": "record"}] * 3
    assert jsonld.canonicalize(document) == _pyld(document)


def test_another_type_uses_that_type_s_context(compiles):
    document = _credential()
    jsonld.canonicalize(document)
    document["credentialStatus"]["type"] = "StatusList2021Entry"  # not defined: its properties would be dropped
    with pytest.raises(jsonld.UndefinedTermError):
        jsonld.canonicalize(document)


def test_control_characters_are_written_as_rdfc10_says(compiles):
    """PyLD's URDNA2015 writes U+0008 and U+0001 raw; RDFC-1.0 (and Digital Bazaar's verifier) escape them."""
    document = _changed(("name",), "bell\x07 back\x08 one\x01")
    assert '"bell\\u0007 back\\b one\\u0001"' in jsonld.canonicalize(document)


def test_a_blank_node_s_repeated_value_counts_once(compiles):
    """Two values of one property of a blank node may be filled alike; the dataset holds that quad once."""
    document = _credential()
    document["evidence"] = [{"type": ["Evidence"], "name": ["first", "second"], "genre": "record"},
                            {"type": ["Evidence"], "name": "other", "genre": "record"}]
    assert jsonld.canonicalize(document) == _pyld(document)
    for n in range(8):  # a quad counted twice would change the node's hash, and so (mostly) its label
        document["evidence"][0]["name"] = [f"same {n}", f"same {n}"]
        assert jsonld.canonicalize(document) == _pyld(document)
    assert len(compiles) == 1


def test_a_context_given_as_one_url_is_shape_not_a_value(compiles):
    lists = [_status_list(n) for n in (1, 2)]
    for document in lists:
        document["@context"] = document["@context"][0]
        assert jsonld.canonicalize(document) == _pyld(document)
    assert len(compiles) == 1


def _status_list(number: int) -> dict:
    from sync.issuer import statuslist

    return statuslist.status_credential(number, bytes(statuslist.LIST_BITS // 8))
