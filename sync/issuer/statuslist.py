"""Revocation through a Bitstring Status List (W3C Bitstring Status List v1.0).

Each credential gets a random free slot (herd privacy: neighbours tell nothing) in a list of
131,072 bits. Revoking sets its bit and re-signs the list credential in the same transaction; a
list whose signed copy is behind its bits (a crash between the two) is re-signed by
:func:`refresh`, which the scheduler runs.
"""
from __future__ import annotations

import datetime as dt
import gzip
import secrets

from django.db import transaction
from django.db.models import F

from sync.issuer import dataintegrity, did, links
from sync.issuer.documents import iso
from sync.issuer.inflate import GZIP, inflate
from sync.issuer.jsonld import VC_V2
from sync.issuer.multibase import decode_u, encode_u
from sync.models import IssuedCredential, StatusList

LIST_BITS = 131_072  # the specification's minimum size, 16 KiB
FILL = LIST_BITS // 2  # open a new list once half the slots are taken, so random picks stay cheap


def encode(bits: bytes) -> str:
    """``encodedList``: multibase base64url (no padding) of the GZIP-compressed bitstring."""
    return encode_u(gzip.compress(bytes(bits), mtime=0))


def decode(encoded: str) -> bytes:
    """The bitstring of an ``encodedList`` (at most the 16 KiB of :data:`LIST_BITS`; :class:`TooLarge` beyond)."""
    return inflate(decode_u(encoded), LIST_BITS // 8, wbits=GZIP)


def bit(bits: bytes, index: int) -> bool:
    """Index 0 is the left-most bit of the first byte."""
    return bool(bits[index // 8] >> (7 - index % 8) & 1)


def _with_bit(bits: bytes, index: int) -> bytes:
    data = bytearray(bits)
    data[index // 8] |= 1 << (7 - index % 8)
    return bytes(data)


def pick_slot() -> tuple[int, int]:
    """A list number and a random index likely free in it (the unique constraint has the last word).

    A list belongs to the issuer id that first signed it (verifiers require the list's issuer to be the
    credential's): when the issuer id changes (to a DID, say), new credentials go to a new list."""
    last = StatusList.objects.order_by("-number").first()
    number = last.number if last is not None else 1
    if last is not None and (_issuer_of(last) != _current_issuer()
                             or IssuedCredential.objects.filter(status_list=number).count() >= FILL):
        number += 1
    ensure_list(number)
    return number, secrets.randbelow(LIST_BITS)


def _current_issuer() -> str:
    from sync.issuer.keys import issuer_key

    return did.issuer_id(issuer_key().public_raw)


def _issuer_of(row: StatusList) -> str:
    return (row.signed or {}).get("issuer") or _current_issuer()


def ensure_list(number: int) -> StatusList:
    row = StatusList.objects.filter(number=number).first()
    if row is None:
        with transaction.atomic():
            row, created = StatusList.objects.get_or_create(number=number, defaults={"bits": bytes(LIST_BITS // 8)})
            if created:
                _sign(row)
    return row


def status_credential(number: int, bits: bytes, issuer: str | None = None) -> dict:
    """The unsigned BitstringStatusListCredential for list ``number`` with these bits."""
    url = links.status_list(number)
    return {
        "@context": [VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer or _current_issuer(),
        "validFrom": iso(dt.datetime.now(dt.UTC)),
        "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList", "statusPurpose": "revocation",
                              "encodedList": encode(bytes(bits))},
    }


def _sign(row: StatusList) -> None:
    from sync.issuer.keys import issuer_key

    key, issuer = issuer_key(), _issuer_of(row)
    row.signed = dataintegrity.sign(status_credential(row.number, row.bits, issuer), key,
                                    method=did.method_for(issuer, key.public_raw))
    row.signed_version = row.version
    row.save(update_fields=["signed", "signed_version", "updated_at"])


def revoke_slot(number: int, index: int) -> None:
    """Set the slot's bit and re-sign the list; call inside the transaction that records the revocation."""
    row = StatusList.objects.select_for_update().get(number=number)
    if not bit(row.bits, index):
        row.bits = _with_bit(row.bits, index)
        row.version += 1
        row.save(update_fields=["bits", "version", "updated_at"])
    if row.signed_version != row.version or not row.signed:
        _sign(row)


def published(number: int) -> dict | None:
    """The signed list credential as published (re-signed first if it lags behind its bits)."""
    row = StatusList.objects.filter(number=number).first()
    if row is None:
        return None
    if row.signed_version != row.version or not row.signed:
        with transaction.atomic():
            row = StatusList.objects.select_for_update().get(number=number)
            if row.signed_version != row.version or not row.signed:
                _sign(row)
    return row.signed


def refresh() -> int:
    """Re-sign every list whose signed copy is behind; returns how many were re-signed."""
    done = 0
    for number in StatusList.objects.exclude(signed_version=F("version")).values_list("number", flat=True):
        with transaction.atomic():
            row = StatusList.objects.select_for_update().get(number=number)
            if row.signed_version != row.version or not row.signed:
                _sign(row)
                done += 1
    return done
