"""Process-unique ids made without a system call each: a random per-process prefix and a counter
(os.urandom per id, as uuid4 does, showed up in the request paths' profiles)."""

from __future__ import annotations

import itertools
import os

_PREFIX = bytearray(os.urandom(8))
_PREFIX[6] = (_PREFIX[6] & 0x0F) | 0x40  # the version nibble of a random (v4) UUID
_HEAD = f"{_PREFIX[:4].hex()}-{_PREFIX[4:6].hex()}-{_PREFIX[6:8].hex()}"
_COUNTER = itertools.count()


def uuid_id() -> str:
    """A UUID v4-shaped id (e.g. a Lambda request id, API Gateway's $context.requestId):
    unique within this server's life and across servers with near certainty."""
    n = next(_COUNTER)
    return f"{_HEAD}-{0x8000 | (n >> 48) & 0x3FFF:04x}-{n & 0xFFFFFFFFFFFF:012x}"


def prefix_bytes() -> bytes:
    """The process's random prefix (for ids of other shapes)."""
    return bytes(_PREFIX)


def counter() -> int:
    return next(_COUNTER)
