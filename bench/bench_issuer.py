"""Built-in issuer: Open Badges 3.0 credentials signed per second, against bare Ed25519 signing.

The peer is Ed25519 signing of the same canonical bytes (the credential's RDFC-1.0 N-Quads) in the
same run, so the ratio says what the Data Integrity pipeline (JSON-LD expansion and canonicalization
of the credential and of the proof options, two SHA-256) and the VC-JWT add to the signature itself.
A breakdown shows where the time goes: PyLD's expansion of the credential against the VC 2.0 and
Open Badges 3.0 contexts (type-scoped contexts are re-processed per node) dominates; the shipped
contexts are resolved once per process and kept in PyLD's shared cache. Nothing touches the database
or the key file.
"""
from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from decimal import Decimal


def _setup() -> None:
    os.environ.setdefault("CAREGIVING_HOME", tempfile.mkdtemp(prefix="bench-issuer-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caregiving_course.settings")
    import django

    django.setup()


def _rate(fn, seconds: float = 2.0, minimum: int = 20) -> tuple[float, int]:
    """Calls per second of ``fn`` over about ``seconds`` (at least ``minimum`` calls)."""
    count, start = 0, time.perf_counter()
    while True:
        fn()
        count += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and count >= minimum:
            return count / elapsed, count


def main() -> None:
    _setup()
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from caregiving_course.framework import default_course
    from sync.issuer import dataintegrity, jsonld, vcjwt
    from sync.issuer.documents import open_badge_credential
    from sync.issuer.keys import IssuerKey
    from sync.issuer.recipient import new_recipient

    key = IssuerKey(Ed25519PrivateKey.generate())
    credential = default_course().credentials[0]
    evidence = [{"kind": "completion", "summary": f"completed module {i}", "hours": "2.00",
                 "at": "2026-11-01T10:00:00+00:00"} for i in range(8)]
    unsigned = open_badge_credential(
        award_id="2b62d704-a66d-4514-bb79-9894d33ec0c2", credential=credential,
        recipient=new_recipient("learner@example.org", "urn:x"), earned_at=dt.datetime(2026, 11, 3, tzinfo=dt.UTC),
        credited_hours=Decimal("14"), evidence_entries=evidence, list_number=1, index=4242)
    canonical = jsonld.canonicalize(unsigned).encode("utf-8")
    options = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "created": "2026-11-28T00:00:00Z",
               "verificationMethod": key.key_id, "proofPurpose": "assertionMethod"}

    # Cold: the shipped contexts resolved for the first time in this process.
    jsonld._resolved_cache.clear()
    start = time.perf_counter()
    dataintegrity.sign(unsigned, key)
    cold_ms = (time.perf_counter() - start) * 1000

    bare, _ = _rate(lambda: key.sign(canonical))
    di, n_di = _rate(lambda: dataintegrity.sign(unsigned, key))
    both, _ = _rate(lambda: vcjwt.sign(dataintegrity.sign(unsigned, key), key))
    canon_doc, _ = _rate(lambda: jsonld.canonicalize(unsigned))
    canon_proof, _ = _rate(lambda: jsonld.canonicalize({"@context": unsigned["@context"], **options}))
    signed = dataintegrity.sign(unsigned, key)
    jwt_only, _ = _rate(lambda: vcjwt.sign(signed, key))

    print(f"bare Ed25519 signing of the credential's canonical bytes ({len(canonical)} B): {bare:,.0f}/s")
    print(f"built-in issuer, eddsa-rdfc-2022 Data Integrity proof: {di:,.1f} credentials/s ({n_di} signed)")
    print(f"built-in issuer, Data Integrity proof + VC-JWT:        {both:,.1f} credentials/s")
    print(f"ratio built-in / bare Ed25519: {di / bare:.4f} (Data Integrity), {both / bare:.4f} (with VC-JWT)")
    per_cred = 1000 / di
    print(f"where a credential's {per_cred:.2f} ms go: canonicalize credential {1000 / canon_doc:.2f} ms, "
          f"canonicalize proof options {1000 / canon_proof:.2f} ms when not cached (the signer reuses it "
          f"within a second), Ed25519 {1000 / bare:.3f} ms; "
          f"VC-JWT adds {1000 / jwt_only:.2f} ms")
    print(f"first signature in a process (contexts not yet cached): {cold_ms:.1f} ms")


if __name__ == "__main__":
    main()
