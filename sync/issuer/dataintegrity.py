"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (W3C Data Integrity EdDSA Cryptosuites v1.0).

Signing: canonicalize the document without its proof and the proof options (with the document's
``@context``) with RDFC-1.0; hash each with SHA-256; sign ``hash(proof options) || hash(document)``
with Ed25519; publish the signature as base58btc multibase ``proofValue``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.utils.translation import gettext as _
from pyld.jsonld import JsonLdError

from sync.issuer.jsonld import UndefinedTermError, canonicalize
from sync.issuer.multibase import decode_z, encode_z

CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_TYPE = "DataIntegrityProof"


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def unsecured(document: dict) -> dict:
    return {k: v for k, v in document.items() if k != "proof"}


@lru_cache(maxsize=256)
def _config_hash(config_json: str) -> bytes:
    """Proof options repeat (same key, same second): their canonical hash is kept."""
    return hashlib.sha256(canonicalize(json.loads(config_json)).encode("utf-8")).digest()


def hash_data(document: dict, proof_options: dict) -> bytes:
    """The 64 bytes that are signed: SHA-256 of the canonical proof options, then of the canonical document."""
    config = {"@context": document["@context"], **{k: v for k, v in proof_options.items() if k != "proofValue"}}
    proof_hash = _config_hash(json.dumps(config, sort_keys=True))
    doc_hash = hashlib.sha256(canonicalize(unsecured(document)).encode("utf-8")).digest()
    return proof_hash + doc_hash


def sign(document: dict, key, *, created: str | None = None, method: str | None = None) -> dict:
    """``document`` with a DataIntegrityProof added (as the one entry of a ``proof`` array), signed as verification
    method ``method`` (default: the key's own id)."""
    options = {"type": PROOF_TYPE, "cryptosuite": CRYPTOSUITE, "created": created or _now(),
               "verificationMethod": method or key.key_id, "proofPurpose": "assertionMethod"}
    signature = key.sign(hash_data(document, options))
    return {**unsecured(document), "proof": [{**options, "proofValue": encode_z(signature)}]}


@dataclass(frozen=True)
class ProofCheck:
    ok: bool
    reason: str = ""
    tampered: bool = False  # the proof is well formed but does not match the document


def verify(document: dict, resolve_key: Callable[[str], bytes | None]) -> ProofCheck:
    """Check the document's ``eddsa-rdfc-2022`` proof; ``resolve_key`` maps a verification method to raw key bytes."""
    proofs = document.get("proof")
    proofs = proofs if isinstance(proofs, list) else [proofs] if isinstance(proofs, dict) else []
    proof = next((p for p in proofs if isinstance(p, dict) and p.get("type") == PROOF_TYPE
                  and p.get("cryptosuite") == CRYPTOSUITE), None)
    if proof is None:
        return ProofCheck(False, _("no DataIntegrityProof with cryptosuite eddsa-rdfc-2022"))
    if proof.get("proofPurpose") != "assertionMethod":
        return ProofCheck(False, _("the proof's purpose is not assertionMethod"))
    if not isinstance(document.get("@context"), list):
        return ProofCheck(False, _("the credential has no @context list"))
    raw = resolve_key(str(proof.get("verificationMethod", "")))
    if raw is None:
        method = repr(str(proof.get("verificationMethod"))[:200])
        return ProofCheck(False, _("unknown verification method %(method)s") % {"method": method})
    try:
        signature = decode_z(proof.get("proofValue", ""))
    except ValueError as exc:
        return ProofCheck(False, _("malformed proofValue: %(error)s") % {"error": exc})
    if len(signature) != 64:
        return ProofCheck(False, _("malformed proofValue: an Ed25519 signature has 64 bytes"))
    try:
        data = hash_data(document, proof)
    except UndefinedTermError as exc:
        return ProofCheck(False, str(exc), tampered=True)
    except (JsonLdError, TypeError, ValueError, KeyError, RecursionError) as exc:
        return ProofCheck(False, _("the credential cannot be canonicalized: %(error)s") % {"error": str(exc)[:200]},
                          tampered=True)
    try:
        Ed25519PublicKey.from_public_bytes(raw).verify(signature, data)
    except InvalidSignature:
        return ProofCheck(False, _("the signature does not match the credential: it was altered after signing"),
                          tampered=True)
    return ProofCheck(True)
