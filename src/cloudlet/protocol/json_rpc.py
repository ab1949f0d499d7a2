"""The AWS JSON protocol (`X-Amz-Target: Prefix.Operation`, JSON body in and out).

Parses the body once, validates it against the botocore model, calls the operation, and
renders the result or the AwsError the way the service's clients expect.
"""

from __future__ import annotations

import zlib
from collections.abc import Awaitable, Callable
from typing import Any

import orjson

from cloudlet.protocol.context import Context
from cloudlet.protocol.errors import AwsError
from cloudlet.server.http import Response

# An operation gets the parsed parameters and returns the output as a dict (serialised here)
# or as ready JSON bytes (hot paths that splice stored wire JSON).
Operation = Callable[[dict[str, Any], Context], Awaitable[dict[str, Any] | bytes]]
Validator = Callable[[str, Any], None]


class JsonService:
    def __init__(
        self,
        name: str,
        target_prefix: str,
        operations: dict[str, Operation],
        *,
        content_type: str,
        error_type: Callable[[str], str],
        validator: Validator | None = None,
        crc32: bool = False,
        known_operations: frozenset[str] = frozenset(),
        eager_operations: frozenset[str] = frozenset(),
    ) -> None:
        self.name = name
        self.target_prefix = target_prefix  # X-Amz-Target is "<prefix>.<Operation>"
        self._ops = operations
        self._content_type = content_type.encode()
        self._error_type = error_type
        self._validate = validator
        self._crc32 = crc32
        self._known = known_operations
        # Operations served without a Task (server/eager.py): ones that seldom suspend. (Writes
        # wait for their commit; started eagerly they measured slower, so they get a Task.)
        self.eager_operations = eager_operations

    async def handle(self, op_name: str, body: bytes, ctx: Context) -> Response:
        try:
            op = self._ops.get(op_name)
            if op is None:
                if op_name in self._known:
                    raise AwsError(
                        "UnknownOperationException",
                        f"cloudlet does not implement {self.name}.{op_name} yet",
                    )
                raise AwsError("UnknownOperationException", "")
            params = _parse(body)
            if self._validate is not None:
                self._validate(op_name, params)
            result = await op(params, ctx)
            out = result if isinstance(result, bytes) else orjson.dumps(result)
            return self._respond(200, out, ctx)
        except AwsError as e:
            return self._respond(e.status, self.error_body(e), ctx)

    def error_body(self, e: AwsError) -> bytes:
        doc: dict[str, Any] = {"__type": self._error_type(e.code)}
        if e.message:
            doc["message"] = e.message
        if e.extra:
            doc.update(e.extra)
        return orjson.dumps(doc)

    def _respond(self, status: int, body: bytes, ctx: Context) -> Response:
        headers = [
            (b"content-type", self._content_type),
            (b"x-amzn-requestid", ctx.request_id.encode()),
        ]
        if self._crc32:
            headers.append((b"x-amz-crc32", str(zlib.crc32(body)).encode()))
        return Response(status, body, headers)


def _parse(body: bytes) -> Any:
    if not body:
        return {}
    try:
        params = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise AwsError("SerializationException", "") from None
    if not isinstance(params, dict):
        raise AwsError("SerializationException", "Start of list found where not expected")
    return params
