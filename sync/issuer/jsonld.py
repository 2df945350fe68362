"""JSON-LD processing offline: the contexts we sign with ship in ``sync/contexts`` and nothing is fetched.

Canonicalization is RDF Dataset Canonicalization (RDFC-1.0) to N-Quads: PyLD turns JSON-LD into RDF,
once per shape of document (:mod:`sync.issuer.shapes`), and :mod:`sync.issuer.rdfc` canonicalizes.
Resolved contexts are cached once per process. PyLD runs in "safe mode" (as jsonld-signatures does):
a property no context defines would be dropped from the signed statements silently, so it is an error.
"""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from cachetools import LRUCache
from pyld import jsonld
from pyld.context_resolver import ContextResolver
from pyld.jsonld import JsonLdError

from sync.issuer import rdfc
from sync.issuer.shapes import Shapes

CONTEXT_DIR = Path(__file__).resolve().parent.parent / "contexts"

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
CLR_V2 = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
DID_V1 = "https://www.w3.org/ns/did/v1"  # only in the issuer's controller document, which we never canonicalize

SHIPPED = {
    VC_V2: "credentials-v2.jsonld",
    OB_V3: "ob-v3p0-context-3.0.3.json",
    MULTIKEY_V1: "security-multikey-v1.jsonld",
    CLR_V2: "clr-v2p0-context-2.0.1.json",  # 1EdTech's, as its public validator ships it (sync/contexts/README.md)
}


class OfflineContextError(ValueError):
    """A document named a context we do not ship; we never fetch one."""


class UndefinedTermError(ValueError):
    """A property that no context defines, which canonicalization would silently drop."""


def _refuse_dropped(prop: str) -> None:
    raise UndefinedTermError(f"property {prop!r} is not defined by the credential's contexts")


@cache
def shipped_context(url: str) -> dict:
    """The parsed context document for ``url`` from ``sync/contexts`` (read once per process)."""
    try:
        name = SHIPPED[url]
    except KeyError:
        raise OfflineContextError(f"context {url!r} is not one we ship; nothing is fetched") from None
    return json.loads((CONTEXT_DIR / name).read_text(encoding="utf-8"))


def document_loader(url: str, options: dict | None = None) -> dict:
    """PyLD document loader serving only the shipped contexts."""
    try:
        document = shipped_context(url)
    except OfflineContextError as exc:
        raise JsonLdError(str(exc), "jsonld.LoadDocumentError", code="loading remote context failed") from None
    # "tag": "static" lets PyLD keep the resolved context in its shared cache across calls.
    return {"contextUrl": None, "documentUrl": url, "document": document, "tag": "static"}


_resolved_cache = LRUCache(maxsize=64)


def to_rdf(document: dict) -> dict:
    """PyLD's RDF dataset of ``document`` (contexts from the shipped set only, undefined terms refused)."""
    options = {
        "documentLoader": document_loader,
        "contextResolver": ContextResolver(_resolved_cache, document_loader),
    }
    try:
        return jsonld.JsonLdProcessor(on_property_dropped=_refuse_dropped).to_rdf(document, options)
    except JsonLdError as exc:
        cause = exc
        while cause is not None and not isinstance(cause, UndefinedTermError):
            cause = cause.__cause__ or getattr(cause, "cause", None)
        if cause is not None:
            raise cause from None
        raise


def _context_words() -> tuple[frozenset[str], frozenset[str]]:
    """The shipped contexts' aliases of ``@type``, and every term they define (at any depth)."""
    type_keys, terms = {"@type"}, set()

    def walk(node) -> None:
        if isinstance(node, dict):
            for name, value in node.items():
                if not name.startswith("@"):
                    terms.add(name)
                    if value == "@type" or (isinstance(value, dict) and value.get("@id") == "@type"):
                        type_keys.add(name)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for url in SHIPPED:
        walk(shipped_context(url))
    return frozenset(type_keys), frozenset(terms)


_shapes = Shapes(to_rdf, *_context_words())


def canonicalize(document: dict) -> str:
    """RDFC-1.0 canonical N-Quads of ``document`` (contexts from the shipped set only)."""
    return rdfc.canonical_nquads(*_shapes.quads(document))
