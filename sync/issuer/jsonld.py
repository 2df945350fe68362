"""JSON-LD processing offline: the contexts we sign with ship in ``sync/contexts`` and nothing is fetched.

Canonicalization is RDF Dataset Canonicalization (RDFC-1.0, which PyLD names URDNA2015) to N-Quads.
Resolved contexts are cached once per process, so only the document itself is processed per call.
It runs in "safe mode" (as jsonld-signatures does): a property no context defines would be dropped
from the signed statements silently, so it is an error instead.
"""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from cachetools import LRUCache
from pyld import jsonld
from pyld.context_resolver import ContextResolver
from pyld.jsonld import JsonLdError

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


def canonicalize(document: dict) -> str:
    """RDFC-1.0 canonical N-Quads of ``document`` (contexts from the shipped set only)."""
    options = {
        "algorithm": "URDNA2015",
        "format": "application/n-quads",
        "documentLoader": document_loader,
        "contextResolver": ContextResolver(_resolved_cache, document_loader),
    }
    try:
        return jsonld.JsonLdProcessor(on_property_dropped=_refuse_dropped).normalize(document, options)
    except JsonLdError as exc:
        cause = exc
        while cause is not None and not isinstance(cause, UndefinedTermError):
            cause = cause.__cause__ or getattr(cause, "cause", None)
        if cause is not None:
            raise cause from None
        raise
