"""The request and response every plane sees: plain objects, no framework."""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field


@dataclass(slots=True)
class Request:
    method: str
    path: str
    query: bytes
    headers: dict[str, str]  # lower-cased names; repeated headers joined with ","
    body: bytes
    client: str = "127.0.0.1"
    # Header (name, value) pairs as sent, names in their own case and repeats kept: API Gateway hands
    # them to integrations as the client wrote them. None where the server can't tell (ASGI).
    raw_headers: list[tuple[str, str]] | None = None


@dataclass(slots=True)
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    # May wait to be written with the answer to the next pipelined request of its connection (one
    # write instead of two): for answers the client does not wait on, see RuntimeApi's 202.
    coalesce: bool = False


_ID_PREFIX = os.urandom(16).hex().upper()  # unique per process
_ID_COUNTER = itertools.count()


def new_request_id() -> str:
    """A unique 52-character id like DynamoDB's (x-amzn-RequestId): a per-process random prefix
    and a counter (os.urandom per request cost 5% of a PutItem)."""
    return f"{_ID_PREFIX}{next(_ID_COUNTER):020X}"


def json_response(status: int, body: bytes, request_id: str | None = None) -> Response:
    headers = [(b"content-type", b"application/json")]
    if request_id:
        headers.append((b"x-amzn-requestid", request_id.encode()))
    return Response(status, body, headers)
