"""Writing rest-json responses and errors from output dicts and AwsErrors.

An output member bound to `header` becomes a response header, one bound to `statusCode` the HTTP
status (else the operation's `responseCode`, default 200); a `payload` member is the whole body
(a blob's bytes as they are, a structure as JSON); the other members form the JSON body, under
their `locationName`s, with blobs base64-encoded and timestamps per `timestampFormat` (epoch
seconds by default in the body, RFC 7231 dates in headers). A 204 carries no body.

Errors are answered the way Lambda and API Gateway do: the HTTP status of the AwsError, the code
in `x-amzn-ErrorType` (which botocore reads first), and a JSON body with the message under the
error shape's own member name (`Message` for Lambda's ResourceNotFoundException, `message` for
most); services whose error shapes carry `Type` (Lambda) add `"Type": "User"` (sender fault) or
`"Service"`. `extra` members go where the error shape binds them: TooManyRequestsException's
`retryAfterSeconds` is the `Retry-After` header, `Reason` a body member.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import formatdate
from typing import Any

import orjson

from cloudlet.protocol.errors import AwsError
from cloudlet.protocol.models import ServiceModel, Shape
from cloudlet.protocol.query_xml import iso8601
from cloudlet.protocol.rest_json_parse import parse_timestamp
from cloudlet.server.http import Response

Convert = Callable[[Any], Any]
HeaderValue = Callable[[Any], str]

JSON = b"application/json"
_NO_BODY = (204, 304)


def _default(value: Any) -> Any:
    """orjson's fallback: bytes inside members left unconverted are base64 text."""
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(value).decode()
    raise TypeError


def dumps(value: Any) -> bytes:
    return orjson.dumps(value, default=_default)


def _seconds(value: Any) -> Any:
    if isinstance(value, datetime):
        value = (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    elif isinstance(value, str):
        parsed = parse_timestamp(value)
        if parsed is None:
            return value
        value = parsed
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def http_date(value: Any) -> str:
    seconds = _seconds(value)
    return seconds if isinstance(seconds, str) else formatdate(float(seconds), usegmt=True)


def timestamp_writer(shape: Shape, default: str) -> Convert:
    fmt = shape.serialization.get("timestampFormat", default)
    if fmt == "iso8601":
        return lambda v: iso8601(_seconds(v) if isinstance(v, str) else v)
    if fmt == "rfc822":
        return http_date
    return _seconds


def _blob_text(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(value).decode()
    return value  # a string is taken as base64 text already


@dataclass(frozen=True, slots=True)
class _Output:
    """How one operation's output dict maps onto the response."""

    status: int  # http.responseCode
    status_member: str | None  # member bound to statusCode
    headers: tuple[tuple[str, bytes, HeaderValue], ...]  # (member, header name, text writer)
    prefixed: tuple[tuple[str, str], ...]  # (member, header prefix) of `headers` maps
    payload: str | None
    payload_blob: bool  # blob/string payload: raw bytes
    payload_convert: Convert | None
    body: Convert | None  # the body members' converter; None: the operation has no output
    sets_content_type: bool  # a member is bound to the Content-Type header


class ResponseWriter:
    """Output converters (model values -> JSON values), compiled per shape and cached; a shape
    whose subtree has no blob, timestamp or renamed member is passed through (None).

    `blob_content_type`: Content-Type of a blob payload no member sets (Lambda's Invoke answers
    application/json whatever the function returned)."""

    def __init__(self, model: ServiceModel, blob_content_type: str = "application/octet-stream") -> None:
        self._model = model
        self._blob_type = blob_content_type.encode()
        self._outputs: dict[str, _Output] = {}
        self._cache: dict[tuple[str, str | None], Convert | None] = {}
        self._plain: dict[str, bool] = {}
        # Lambda's error shapes carry a `Type` member ("User" / "Service").
        self.typed_errors = any(
            s.get("exception") and "Type" in s.get("members", {}) for s in model.shapes.values()
        )

    # -- responses -----------------------------------------------------------------------------

    def response(self, operation: str, result: dict[str, Any] | bytes | None, request_id: str) -> Response:
        """The response of `operation` for an output dict (or ready JSON body bytes)."""
        plan = self._outputs.get(operation) or self._plan(operation)
        headers = [(b"x-amzn-requestid", request_id.encode())]
        status = plan.status
        if isinstance(result, bytes):
            headers.append((b"content-type", JSON))
            return Response(status, result, headers)
        if not result:
            result = {}
        if plan.status_member is not None:
            code = result.get(plan.status_member)
            if isinstance(code, int) and 100 <= code < 600:
                status = code
        for member, name, write in plan.headers:
            value = result.get(member)
            if value is not None:
                headers.append((name, header_bytes(write(value))))
        for member, prefix in plan.prefixed:
            for key, value in (result.get(member) or {}).items():
                headers.append(((prefix + key).lower().encode(), header_bytes(str(value))))
        content_type = JSON
        if plan.payload is not None:
            value = result.get(plan.payload)
            if plan.payload_blob:
                content_type = self._blob_type
                body = b"" if value is None else value.encode() if isinstance(value, str) else bytes(value)
            elif value is None:
                body = b""
            else:
                body = dumps(value if plan.payload_convert is None else plan.payload_convert(value))
        elif plan.body is None or status in _NO_BODY:
            body = b""
        else:
            body = dumps(plan.body(result))
        if body and not (plan.sets_content_type and any(h[0] == b"content-type" for h in headers)):
            headers.append((b"content-type", content_type))
        return Response(status, body, headers)

    def _plan(self, operation: str) -> _Output:
        model = self._model
        op = model.operation_model(operation)
        ref = model.operations[operation].get("output")
        shape = model.resolve(ref) if ref else None
        status_member, payload, blob, payload_convert = None, None, False, None
        headers: list[tuple[str, bytes, HeaderValue]] = []
        prefixed: list[tuple[str, str]] = []
        body: dict[str, Shape] = {}
        if shape is not None:
            payload = model.shapes[shape.name].get("payload")
            for name, member in shape.members.items():
                where = member.serialization.get("location")
                wire = member.serialization.get("locationName", name)
                if where == "statusCode":
                    status_member = name
                elif where == "header":
                    headers.append((name, wire.lower().encode(), header_writer(member)))
                elif where == "headers":
                    prefixed.append((name, wire))
                elif name == payload:
                    blob = member.type_name in ("blob", "string")
                    payload_convert = None if blob else self.converter(member)
                elif where is None:
                    body[name] = member
        plan = _Output(
            status=int(op.http.get("responseCode", 200)),
            status_member=status_member,
            headers=tuple(headers),
            prefixed=tuple(prefixed),
            payload=payload,
            payload_blob=blob,
            payload_convert=payload_convert,
            body=None if shape is None else self.structure(body),
            sets_content_type=any(name == b"content-type" for _, name, _ in headers),
        )
        self._outputs[operation] = plan
        return plan

    # -- JSON values ---------------------------------------------------------------------------

    def converter(self, shape: Shape) -> Convert | None:
        key = (shape.name, shape.serialization.get("timestampFormat"))
        if key in self._cache:
            return self._cache[key]
        if self._is_plain(shape.name, set()):
            self._cache[key] = None
            return None
        cell: list[Convert] = []
        self._cache[key] = lambda v: cell[0](v)  # recursive shapes, until built
        built = self._build(shape)
        cell.append(built)
        self._cache[key] = built
        return built

    def _is_plain(self, name: str, seen: set[str]) -> bool:
        """Whether values of this shape serialize as they are (no blob, timestamp, renaming)."""
        known = self._plain.get(name)
        if known is not None:
            return known
        if name in seen:
            return True  # a cycle adds nothing by itself
        seen.add(name)
        d = self._model.shapes[name]
        kind = d["type"]
        if kind in ("blob", "timestamp"):
            plain = False
        elif kind == "structure":
            plain = bool(d.get("document")) or all(
                "locationName" not in ref and "timestampFormat" not in ref and self._is_plain(ref["shape"], seen)
                for ref in d.get("members", {}).values()
            )
        elif kind == "list":
            plain = self._is_plain(d["member"]["shape"], seen)
        elif kind == "map":
            plain = self._is_plain(d["value"]["shape"], seen)
        else:
            plain = True
        self._plain[name] = plain
        return plain

    def structure(self, members: dict[str, Shape]) -> Convert:
        table = {n: (m.serialization.get("locationName", n), self.converter(m)) for n, m in members.items()}
        get = table.get

        def structure(v: Any) -> Any:
            if not isinstance(v, dict):
                return v
            out: dict[str, Any] = {}
            for k, x in v.items():
                entry = get(k)
                if entry is not None and x is not None:
                    out[entry[0]] = x if entry[1] is None else entry[1](x)
            return out

        return structure

    def _build(self, shape: Shape) -> Convert:
        kind = shape.type_name
        if kind == "structure":
            return self.structure(shape.members)
        if kind == "list":
            item = self.converter(shape.member)
            assert item is not None
            return lambda v: [None if x is None else item(x) for x in v]
        if kind == "map":
            value = self.converter(shape.value)
            assert value is not None
            return lambda v: {k: None if x is None else value(x) for k, x in v.items()}
        if kind == "timestamp":
            return timestamp_writer(shape, "unixTimestamp")
        return _blob_text

    # -- errors --------------------------------------------------------------------------------

    def error(self, e: AwsError, request_id: str) -> Response:
        d = self._model.shapes.get(e.code)
        members: dict[str, Any] = d.get("members", {}) if d and d.get("exception") else {}
        headers = [
            (b"x-amzn-errortype", header_bytes(e.code)),
            (b"content-type", JSON),
            (b"x-amzn-requestid", request_id.encode()),
        ]
        body: dict[str, Any] = {}
        if "Type" in members or (not members and self.typed_errors):
            body["Type"] = "User" if e.sender_fault else "Service"
        key = "Message" if "Message" in members and "message" not in members else "message"
        body[key] = e.message
        for name, value in (e.extra or {}).items():
            ref = members.get(name)
            if value is None:
                continue
            if ref is not None and ref.get("location") == "header":
                text = header_writer(self._model.resolve(ref))(value)
                headers.append((ref.get("locationName", name).lower().encode(), header_bytes(text)))
            elif ref is not None:
                convert = self.converter(self._model.resolve(ref))
                body[ref.get("locationName", name)] = value if convert is None else convert(value)
            else:
                body[name] = value
        return Response(e.status, dumps(body), headers)


def header_writer(shape: Shape) -> HeaderValue:
    """Text of a header-bound value."""
    kind = shape.type_name
    if kind == "list":
        item = header_writer(shape.member)
        return lambda v: ",".join(item(x) for x in v)
    if kind == "string" and shape.serialization.get("jsonvalue"):
        return lambda v: base64.b64encode(dumps(v)).decode()
    if kind == "boolean":
        return lambda v: ("true" if v else "false") if isinstance(v, bool) else str(v).lower()
    if kind in ("integer", "long", "short", "byte"):
        return lambda v: str(int(v)) if not isinstance(v, str) else v
    if kind in ("float", "double"):
        return lambda v: repr(float(v)) if not isinstance(v, str) else v
    if kind == "timestamp":
        write = timestamp_writer(shape, "rfc822")
        return lambda v: str(write(v))
    if kind == "blob":
        return lambda v: str(_blob_text(v))
    return str


def header_bytes(text: str) -> bytes:
    if "\r" in text or "\n" in text:  # no header injection
        text = text.replace("\r", " ").replace("\n", " ")
    return text.encode("utf-8")
