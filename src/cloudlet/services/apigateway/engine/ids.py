"""Identifiers as API Gateway shows them: short random lowercase letters and digits.

REST API ids and root resource ids have 10 characters (e.g. `a1b2c3d4e5`); resources,
deployments, models, request validators and authorizers 6 (e.g. `3kzxbg`).
https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-call-api.html
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Container

_ALPHABET = string.ascii_lowercase + string.digits
API_ID_LEN = 10
SHORT_ID_LEN = 6


def new_id(length: int = SHORT_ID_LEN) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def unique_id(taken: Container[str], length: int = SHORT_ID_LEN) -> str:
    """A new id not in `taken` (collisions are rare, but an id must never name two things)."""
    while True:
        candidate = new_id(length)
        if candidate not in taken:
            return candidate
