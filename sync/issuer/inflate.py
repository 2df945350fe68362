"""Inflate zlib or gzip data with a hard limit on the output, so a small input cannot become a huge one.

``zlib.decompress(data, bufsize=N)`` only sizes the first buffer; it still inflates everything. A decompressor
object asked for at most ``limit + 1`` bytes stops there, and anything left over means the data is too large.
"""
from __future__ import annotations

import zlib

ZLIB, GZIP = zlib.MAX_WBITS, 16 + zlib.MAX_WBITS


class TooLarge(ValueError):
    """The data inflates to more than the limit (or is not valid compressed data)."""


def inflate(data: bytes, limit: int, *, wbits: int = ZLIB) -> bytes:
    """``data`` inflated (zlib by default, ``wbits=GZIP`` for gzip); :class:`TooLarge` past ``limit`` bytes."""
    inflater = zlib.decompressobj(wbits)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise TooLarge(f"not valid compressed data: {exc}") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise TooLarge(f"the data inflates to more than {limit} bytes")
    if not inflater.eof:
        raise TooLarge("the compressed data is truncated")
    return out
