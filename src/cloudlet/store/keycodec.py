"""Order-preserving byte encodings of DynamoDB key values.

`memcmp` order of the encoded bytes is DynamoDB's order of the values, so a Query is one
ordered range read and an index on (partition, sort) serves every key condition:
- S: UTF-8 bytes (DynamoDB compares strings by their UTF-8 bytes),
- B: the raw bytes,
- N: sign byte, then a biased decimal exponent and the digits; negatives complemented.
Each key attribute has one fixed type per table, so no type tag is stored.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from decimal import Decimal

_NEG, _ZERO, _POS = b"\x01", b"\x02", b"\x03"
_EXP_BIAS = 10_000  # exponents are within about -170..+130; two bytes hold them biased


def encode_number(text: str) -> bytes:
    d = Decimal(text)
    if not d:
        return _ZERO
    sign, digits, exp = d.normalize().as_tuple()
    assert isinstance(exp, int)
    # value = 0.d1d2...dn x 10^e  with d1 != 0
    e = exp + len(digits) + _EXP_BIAS
    body = bytes(0x30 + x for x in digits)
    if not sign:
        return _POS + e.to_bytes(2, "big") + body
    # Negative: larger magnitude sorts first, so complement everything; the 0xFF terminator
    # makes a shorter digit string (smaller magnitude) sort after its extensions.
    ce = (0xFFFF - e).to_bytes(2, "big")
    return _NEG + ce + bytes(0xFF - b for b in body) + b"\xff"


def encode(key_type: str, value: str) -> bytes:
    """Encode a validated key value (`value` is the wire value of type `key_type`)."""
    if key_type == "S":
        return value.encode()
    if key_type == "N":
        return encode_number(value)
    return base64.b64decode(value)


@functools.lru_cache(maxsize=16384)  # partitions read again and again hash once (md5 is ~0.5 us)
def scan_hash(partition: bytes) -> int:
    """A 32-bit hash of the partition key: Scan walks partitions in this order and parallel
    scan segments are ranges of it, as DynamoDB scans in hash order of partition keys."""
    return int.from_bytes(hashlib.md5(partition, usedforsecurity=False).digest()[:4], "big")


def segment_range(segment: int, total: int) -> tuple[int, int]:
    """[lo, hi) of scan hashes belonging to a parallel-scan segment."""
    span = 1 << 32
    return segment * span // total, (segment + 1) * span // total
