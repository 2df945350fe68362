"""JSON-LD to RDF quads at the cost of filling in a template: PyLD runs once per shape of document.

Credentials of one kind differ in their values (ids, names, dates, evidence), not in their shape (keys,
types, array lengths, numbers). JSON-LD expansion of a document depends on its shape and contexts;
so PyLD converts a document once with a marker in place of each string, and where the markers come
out (a literal's text, an IRI) gives a template that the next document of the same shape fills in.

A string whose value could change more than the quad it lands in stays part of the shape, with its
value: a ``type`` (it selects type-scoped contexts), a string PyLD turned into something other than
exactly a literal's text or an IRI, and an IRI a different value of which would not be kept as it is
(not absolute, blank node, or a term or prefix of the contexts). Those are checked on each document.
"""
from __future__ import annotations

import json
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter

from sync.issuer.rdfc import RDF_LANGSTRING, XSD_STRING, Quad, escape, literal

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_STR = object()  # a string leaf's place in a shape key
TEMPLATES_PER_SHAPE = 16  # by the values of its fixed strings (its types, mostly); at most 256 shapes are kept
_MARKER = re.compile(r"urn:x-rdfc-slot:[0-9a-f]+:[0-9]+")
_KEPT_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`\x00-\x1f\x7f]*\Z")

ToRdf = Callable[[dict], dict]


@dataclass(frozen=True)
class Template:
    """A shape's quads: each term is canonical N-Quads text or a string of the document filled in.

    Filling lays the constant terms and then the rendered slots in one list, from which one
    ``itemgetter`` takes every quad's four terms in order.
    """
    constants: tuple[str, ...]
    iri_slots: tuple[int, ...]  # leaf indexes written as <value>
    literal_slots: tuple[tuple[int, str], ...]  # (leaf index, what follows the quoted text)
    terms: Callable[[list[str]], tuple[str, ...]]
    # Each blank node's quads (by position), when no two quads with a blank node can come out equal
    # (slots are never blank nodes, so the blank node to quads map is the same for every filling).
    blank_nodes: tuple[tuple[str, tuple[int, ...]], ...] | None

    @classmethod
    def of(cls, quads: list[tuple[str | int, ...]], kinds: dict[int, str]) -> Template:
        """The template of ``quads`` whose int terms are leaf indexes of the given kinds ("<>" or a suffix)."""
        iri = tuple(i for i, kind in kinds.items() if kind == "<>")
        literals = tuple((i, kind) for i, kind in kinds.items() if kind != "<>")
        constants = list(dict.fromkeys(t for quad in quads for t in quad if isinstance(t, str)))
        place = {t: n for n, t in enumerate(constants)}
        place.update({i: len(constants) + n for n, i in enumerate((*iri, *(i for i, _ in literals)))})
        indexes = [place[t] for quad in quads for t in quad]
        terms = itemgetter(*indexes) if len(indexes) > 1 else lambda values: tuple(values[n] for n in indexes)
        return cls(tuple(constants), iri, literals, terms, _blank_nodes(quads))

    def fill(self, leaves: list[str]) -> tuple[list[Quad], dict[str, list[Quad]] | None]:
        """The quads with ``leaves`` in their slots, and each blank node's quads where the template knows them."""
        texts = [escape(leaves[i]) for i, _ in self.literal_slots]
        values = [*self.constants, *[f"<{leaves[i]}>" for i in self.iri_slots],
                  *[f'"{text}"{suffix}' for text, (_, suffix) in zip(texts, self.literal_slots, strict=True)]]
        flat = iter(self.terms(values))
        quads = list(zip(flat, flat, flat, flat, strict=True))
        if self.blank_nodes is None:
            return quads, None
        return quads, {node: [quads[n] for n in found] for node, found in self.blank_nodes}


def _blank_nodes(quads: list[tuple[str | int, ...]]) -> tuple[tuple[str, tuple[int, ...]], ...] | None:
    """The template's blank node to quads map, or None when two of those quads could be filled alike."""
    with_blank = [quad for quad in quads if any(isinstance(t, str) and t[:1] == "_" for t in quad)]
    for n, quad in enumerate(with_blank):
        for other in with_blank[n + 1:]:
            if all(a == b or isinstance(a, int) or isinstance(b, int) for a, b in zip(quad, other, strict=True)):
                return None
    found: dict[str, list[int]] = {}
    for n, quad in enumerate(quads):
        for node in dict.fromkeys(t for t in quad if isinstance(t, str) and t[:1] == "_"):
            found.setdefault(node, []).append(n)
    return tuple((node, tuple(positions)) for node, positions in found.items())

@dataclass
class _Shape:
    fixed: tuple[int, ...]  # leaves whose values are part of the shape
    templates: dict  # by the values of the fixed leaves


class _Reading:
    """One walk over a document: its shape key, its strings in order, which of them are types."""

    def __init__(self, document: dict, type_keys: frozenset[str]) -> None:
        self.key: list = []
        self.leaves: list[str] = []
        self.typed: set[int] = set()
        self.own_context = False  # a context written in the document: its terms are not ours to know
        key, leaves = self.key.append, self.leaves.append

        def walk(node, is_type: bool) -> None:
            kind = node.__class__
            if kind is str:
                if is_type:
                    self.typed.add(len(self.leaves))
                leaves(node)
                key(_STR)
            elif kind is dict:
                key(dict)
                for name, value in node.items():
                    key(name)
                    if name == "@context":  # part of the shape, never a string to fill in
                        urls = value.__class__ is list and all(v.__class__ is str for v in value)
                        key(tuple(value) if urls else json.dumps(value, sort_keys=True))
                        self.own_context |= not (urls or value.__class__ is str)
                    elif value.__class__ is str and name not in type_keys:  # most values: no call
                        leaves(value)
                        key(_STR)
                    else:
                        walk(value, name in type_keys)
                key(None)
            elif kind is list:
                key(list)
                for item in node:
                    if item.__class__ is str:
                        if is_type:
                            self.typed.add(len(self.leaves))
                        leaves(item)
                        key(_STR)
                    else:
                        walk(item, is_type)
                key(None)
            elif isinstance(node, (str, dict, list)):  # a subclass: walked as its base type
                walk(str(node) if isinstance(node, str) else dict(node) if isinstance(node, dict) else list(node),
                     is_type)
            else:
                key((kind, node))

        walk(document, False)


def _replace(node, values: dict[int, str], counter: list[int]):
    """A copy of ``node`` with string leaf ``i`` (in walk order) replaced by ``values[i]`` where given."""
    if isinstance(node, str):
        index = counter[0]
        counter[0] += 1
        return values.get(index, node)
    if isinstance(node, dict):
        return {name: value if name == "@context" else _replace(value, values, counter)
                for name, value in node.items()}
    if isinstance(node, list):
        return [_replace(item, values, counter) for item in node]
    return node


def _term(term: dict) -> str:
    if term["type"] == "IRI":
        return f"<{term['value']}>"
    if term["type"] == "blank node":
        return term["value"]
    return literal(term["value"], term["datatype"], term.get("language"))


def _dataset_quads(dataset: dict) -> list[tuple[dict, dict, dict, dict | None]]:
    out = []
    for graph_name, triples in dataset.items():
        graph = None if graph_name == "@default" else (
            {"type": "blank node" if graph_name.startswith("_:") else "IRI", "value": graph_name})
        out.extend((t["subject"], t["predicate"], t["object"], graph) for t in triples)
    return out


class Shapes:
    """A bounded cache of templates, keyed by document shape; ``to_rdf`` is PyLD's conversion."""

    def __init__(self, to_rdf: ToRdf, type_keys: frozenset[str], context_terms: frozenset[str],
                 maxsize: int = 256) -> None:
        self._to_rdf = to_rdf
        self._type_keys = type_keys
        self._terms = context_terms
        self._maxsize = maxsize
        self._shapes: dict[tuple, _Shape] = {}  # read without the lock (a dict read is atomic); oldest out first
        self._lock = threading.Lock()

    def quads(self, document: dict) -> tuple[list[Quad], dict[str, list[Quad]] | None]:
        """The RDF quads of ``document`` (terms in canonical N-Quads form), and each blank node's quads
        when the template knows them (for :func:`sync.issuer.rdfc.canonical_nquads`)."""
        reading = _Reading(document, self._type_keys)
        leaves, shape_key = reading.leaves, tuple(reading.key)
        shape = self._shapes.get(shape_key)
        template = shape.templates.get(tuple([leaves[i] for i in shape.fixed])) if shape else None
        if template is None or not self._fits(template, leaves):
            fixed = set(range(len(leaves))) if reading.own_context else reading.typed
            fixed |= set(shape.fixed if shape else ())
            template = self._compile(document, leaves, fixed)
            with self._lock:
                shape = self._shapes.get(shape_key)
                if shape is None or not fixed.issubset(shape.fixed):
                    # leaves only ever join the fixed ones, so templates made with fewer are dropped
                    shape = _Shape(tuple(sorted(fixed | set(shape.fixed if shape else ()))), {})
                    _put(self._shapes, shape_key, shape, self._maxsize)
                if fixed == set(shape.fixed):
                    _put(shape.templates, tuple([leaves[i] for i in shape.fixed]), template, TEMPLATES_PER_SHAPE)
        return template.fill(leaves)

    def _fits(self, template: Template, leaves: list[str]) -> bool:
        return all(self._kept(leaves[i]) for i in template.iri_slots)

    def _kept(self, value: str) -> bool:
        """Whether PyLD keeps ``value`` as this very IRI wherever an IRI is expected.

        An absolute IRI (so not a blank node) that is neither a term nor starts with one as a prefix.
        """
        return (_KEPT_ABSOLUTE.match(value) is not None and value.partition(":")[0] not in self._terms
                and value not in self._terms)

    def _compile(self, document: dict, leaves: list[str], fixed: set[int]) -> Template:
        """The template of ``document``'s shape; adds to ``fixed`` the leaves that must stay values."""
        while len(fixed) < len(leaves):
            nonce = secrets.token_hex(6)
            markers = {f"urn:x-rdfc-slot:{nonce}:{i}": i for i in range(len(leaves)) if i not in fixed}
            try:
                dataset = self._to_rdf(_replace(document, {i: m for m, i in markers.items()}, [0]))
            except Exception:  # a marker PyLD refuses where a value was fine: keep every value
                fixed.update(range(len(leaves)))
                break
            template, misplaced = _template(dataset, markers)
            misplaced |= {i for i in template.iri_slots if not self._kept(leaves[i])}
            if not misplaced:
                return template
            fixed |= misplaced
        return _template(self._to_rdf(document), {})[0]


def _put(cache: dict, key, value, maxsize: int) -> None:
    """``cache[key] = value``, first dropping the oldest entries beyond ``maxsize``."""
    while len(cache) >= maxsize:
        del cache[next(iter(cache))]
    cache[key] = value


def _template(dataset: dict, markers: dict[str, int]) -> tuple[Template, set[int]]:
    """``dataset``'s quads with markers as slots, and the markers found anywhere but a literal's text or an IRI."""
    kinds: dict[int, str] = {}
    quads = []
    misplaced: set[int] = set()
    for parts in _dataset_quads(dataset):
        quad: list[str | int] = []
        for position, term in enumerate(parts):
            if term is None:
                quad.append("")
                continue
            slot = markers.get(term["value"]) if term["type"] != "blank node" else None
            if slot is not None and position != 1 and not (position == 2 and quad[1] == RDF_TYPE):
                kind = "<>" if term["type"] == "IRI" else _suffix(term)
                if kinds.setdefault(slot, kind) == kind:
                    quad.append(slot)
                    continue
            rendered = _term(term)
            misplaced.update(markers.get(m, -1) for m in _MARKER.findall(rendered))
            quad.append(rendered)
        quads.append(tuple(quad))
    misplaced |= set(markers.values()) - set(kinds)
    misplaced.discard(-1)
    return Template.of(quads, kinds), misplaced


def _suffix(term: dict) -> str:
    """What follows a literal's quoted text in canonical N-Quads."""
    if term["datatype"] == RDF_LANGSTRING and term.get("language"):
        return "@" + term["language"]
    return "" if term["datatype"] == XSD_STRING else f"^^<{term['datatype']}>"
