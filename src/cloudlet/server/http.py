"""The request and response every plane sees: plain objects, no framework."""

from __future__ import annotations

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


@dataclass(slots=True)
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)


def new_request_id() -> str:
    """A 52-character id like DynamoDB's (x-amzn-RequestId)."""
    return os.urandom(26).hex().upper()


def json_response(status: int, body: bytes, request_id: str | None = None) -> Response:
    headers = [(b"content-type", b"application/json")]
    if request_id:
        headers.append((b"x-amzn-requestid", request_id.encode()))
    return Response(status, body, headers)
