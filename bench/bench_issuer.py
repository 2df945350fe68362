"""Built-in issuer: Open Badges 3.0 credentials signed per second, against bare Ed25519 signing.

The peer is Ed25519 signing of the same canonical bytes (the credential's RDFC-1.0 N-Quads), so the
ratio says what the Data Integrity pipeline (the credential and the proof options to RDF, their
canonicalization, two SHA-256) and the VC-JWT add to the signature itself. The two are timed in
``BENCH_ROUNDS`` rounds (9), each alternating batches of 20 calls of each for 0.6 s, and the ratio
printed is the median of the rounds' ratios, with their range: a slow spell of this shared machine
falls on both. Each credential has its own id,
recipient and dates, as in a burst of awards; its shape (and so its template, see
:mod:`sync.issuer.shapes`) is made once, and the first signature shows that cost. Nothing touches the
database or the key file.
"""
from __future__ import annotations

import datetime as dt
import gc
import itertools
import os
import statistics
import tempfile
import time
import uuid
from decimal import Decimal

from bench.common import calls_per_second

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "9"))


def _setup() -> None:
    os.environ.setdefault("CAREGIVING_HOME", tempfile.mkdtemp(prefix="bench-issuer-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caregiving_course.settings")
    import django

    django.setup()



def _interleaved(peer, ours, seconds: float = 0.6, batch: int = 20) -> tuple[float, float]:
    """Calls per second of ``peer`` and of ``ours``, timed in alternating batches of ``batch`` calls
    over about ``seconds``: a slow spell of the machine falls on both."""
    spent, calls = [0.0, 0.0], 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        for side, fn in enumerate((peer, ours)):
            start = time.perf_counter()
            for _ in range(batch):
                fn()
            spent[side] += time.perf_counter() - start
        calls += batch
    return calls / spent[0], calls / spent[1]


def main() -> None:
    _setup()
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from caregiving_course.framework import catalogue
    from sync.issuer import dataintegrity, jsonld, vcjwt
    from sync.issuer.documents import open_badge_credential
    from sync.issuer.keys import IssuerKey
    from sync.issuer.recipient import new_recipient

    key = IssuerKey(Ed25519PrivateKey.generate())
    credential = catalogue().credentials[0]
    evidence = [{"kind": "completion", "summary": f"completed module {i}", "hours": "2.00",
                 "at": "2026-11-01T10:00:00+00:00"} for i in range(8)]

    def unsigned_credential(n: int) -> dict:
        return open_badge_credential(
            award_id=str(uuid.UUID(int=n, version=4)), credential=credential,
            recipient=new_recipient(f"learner{n}@example.org", f"urn:x:{n}"),
            earned_at=dt.datetime(2026, 11, 3, tzinfo=dt.UTC) + dt.timedelta(seconds=n), credited_hours=Decimal("14"),
            evidence_entries=evidence, list_number=1, index=n % 131_072)

    burst = [unsigned_credential(n) for n in range(500)]
    unsigned = burst[0]
    canonical = jsonld.canonicalize(unsigned).encode("utf-8")
    options = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "created": "2026-11-28T00:00:00Z",
               "verificationMethod": key.key_id, "proofPurpose": "assertionMethod"}

    # Cold: the shipped contexts resolved and the credential's template made for the first time in this process.
    jsonld._resolved_cache.clear()
    jsonld._shapes._shapes.clear()
    start = time.perf_counter()
    dataintegrity.sign(unsigned, key)
    cold_ms = (time.perf_counter() - start) * 1000

    documents = itertools.cycle(burst)
    rounds = []
    for _ in range(ROUNDS):
        gc.collect()
        gc.disable()  # as timeit and bench.common.timed do
        try:
            rounds.append(_interleaved(lambda: key.sign(canonical), lambda: dataintegrity.sign(next(documents), key)))
        finally:
            gc.enable()
    ratios = sorted(di / bare for bare, di in rounds)
    bare, di = (statistics.median(r[i] for r in rounds) for i in (0, 1))
    both, _ = calls_per_second(lambda: vcjwt.sign(dataintegrity.sign(next(documents), key), key), seconds=2.0)
    canon_doc, _ = calls_per_second(lambda: jsonld.canonicalize(next(documents)), seconds=2.0)
    proof_options = {"@context": unsigned["@context"], **options}
    canon_proof, _ = calls_per_second(lambda: jsonld.canonicalize(proof_options), seconds=2.0)
    signed = dataintegrity.sign(unsigned, key)
    jwt_only, _ = calls_per_second(lambda: vcjwt.sign(signed, key), seconds=2.0)

    print(f"bare Ed25519 signing of the credential's canonical bytes ({len(canonical)} B): {bare:,.0f}/s "
          f"(median of {ROUNDS} rounds)")
    print(f"built-in issuer, eddsa-rdfc-2022 Data Integrity proof: {di:,.1f} credentials/s (median of {ROUNDS} rounds)")
    print(f"built-in issuer, Data Integrity proof + VC-JWT:        {both:,.1f} credentials/s")
    print(f"ratio built-in / bare Ed25519: {statistics.median(ratios):.3f} (Data Integrity; median of {ROUNDS} "
          f"alternating rounds, range {ratios[0]:.3f}-{ratios[-1]:.3f}; target >= 0.25), "
          f"{both / bare:.3f} (with VC-JWT)")
    per_cred = 1000 / di
    print(f"where a credential's {per_cred:.3f} ms go: canonicalize credential {1000 / canon_doc:.3f} ms, "
          f"canonicalize proof options {1000 / canon_proof:.3f} ms when not cached (the signer reuses it "
          f"within a second), Ed25519 {1000 / bare:.3f} ms; "
          f"VC-JWT adds {1000 / jwt_only:.2f} ms")
    print(f"first signature in a process (contexts not yet cached, template not yet made): {cold_ms:.1f} ms")


if __name__ == "__main__":
    main()
