"""The AWS rest-json protocol (Lambda, API Gateway's control plane): the operation is named by
the method and URI template, its input spread over URI labels, query string, headers and a JSON
body; the output likewise over status, headers and body.

https://smithy.io/2.0/aws/protocols/aws-restjson1-protocol.html

    service = RestJsonService("Lambda", service_model("lambda"), operations,
                              validator=ModelValidator(model, flavour=LAMBDA).validate)
    matched = service.match(request)          # ("GetFunction", {"FunctionName": "f"}) or None
    response = await service.handle(request, ctx, matched)

A request is read (rest_json_parse) into the dict a JSON request for the input shape would
decode to, with blobs as bytes and timestamps as epoch seconds; then validated, then given to
the operation, whose output dict (or AwsError) is rendered by rest_json_serialize.

What AWS answers for requests its reader rejects (a flavour per service):

- Lambda: a body that is not JSON, or a member of the wrong type: 400
  InvalidRequestContentException, "Could not parse request body into json: " and Jackson's
  text (the prefix and the Jackson texts are Lambda's, as its Invoke errors show, e.g.
  aws/aws-sdk-js#1876, awsdocs/aws-lambda-developer-guide#382); a URI label, query parameter or
  header that does not convert (e.g. `MaxItems=abc`): 400 InvalidParameterValueException (our
  wording; not confirmed against AWS).
- API Gateway: both 400 BadRequestException (not confirmed against AWS).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

import orjson

from cloudlet.protocol.context import Context
from cloudlet.protocol.errors import AwsError
from cloudlet.protocol.models import ServiceModel, Shape
from cloudlet.protocol.rest import RestOperations
from cloudlet.protocol.rest_json_parse import (
    FLOATING,
    INT_TEXT,
    INTEGRAL,
    NUMBER_TEXT,
    BodyError,
    BodyReader,
    Convert,
    ParamError,
    parse_json,
    parse_timestamp,
)
from cloudlet.protocol.rest_json_serialize import ResponseWriter
from cloudlet.server.http import Request, Response

__all__ = ["APIGATEWAY_REST", "LAMBDA_REST", "Operation", "RestJsonFlavour", "RestJsonService"]

# An operation gets the parsed parameters and returns the output dict (None: empty output) or
# ready JSON body bytes.
Operation = Callable[[dict[str, Any], Context], Awaitable[dict[str, Any] | bytes | None]]
Validator = Callable[[str, Any], None]


@dataclass(frozen=True, slots=True)
class RestJsonFlavour:
    """How a service words what its request reader rejects, and types a blob response."""

    body_error: str = "SerializationException"  # body not JSON, or a member of the wrong type
    param_error: str = "SerializationException"  # URI label / query / header that does not convert
    body_prefix: str = "Could not parse request body into json: "
    blob_content_type: str = "application/octet-stream"  # a blob payload no member types


LAMBDA_REST = RestJsonFlavour(
    body_error="InvalidRequestContentException",
    param_error="InvalidParameterValueException",
    blob_content_type="application/json",  # Invoke answers application/json whatever the bytes
)
APIGATEWAY_REST = RestJsonFlavour(body_error="BadRequestException", param_error="BadRequestException")
_FLAVOURS = {"lambda": LAMBDA_REST, "apigateway": APIGATEWAY_REST}


@dataclass(frozen=True, slots=True)
class _Input:
    """Where one operation's input members are read from."""

    labels: tuple[tuple[str, str, Convert], ...]  # (URI label, member, convert)
    query: dict[str, tuple[str, Convert, bool]]  # parameter -> (member, convert, is a list)
    query_map: tuple[str, Convert, bool] | None  # (member, value convert, values are lists)
    literal: frozenset[str]  # query names fixed by the URI template (`?List=ALL`)
    headers: tuple[tuple[str, str, Convert, bool], ...]  # (header, member, convert, is a list)
    prefixed: tuple[tuple[str, str, Convert], ...]  # (header prefix, member, value convert)
    payload: str | None
    payload_kind: str  # type of the payload member
    body: Convert | None  # body members' (or the structure payload's) converter; None: no body


class RestJsonService:
    def __init__(
        self,
        name: str,
        model: ServiceModel,
        operations: dict[str, Operation],
        *,
        validator: Validator | None = None,
        flavour: RestJsonFlavour | None = None,
    ) -> None:
        """`name`: the service's name in messages ("Lambda"). `flavour`: by default the one of
        the model's service (Lambda, API Gateway), else a generic one."""
        self.name = name
        self.model = model
        self.flavour = flavour or _FLAVOURS.get(model.service_name, RestJsonFlavour())
        self._ops = operations
        self._validate = validator
        self._routes = RestOperations(model)
        self._bodies = BodyReader(model)
        self._writer = ResponseWriter(model, self.flavour.blob_content_type)
        self._inputs: dict[str, _Input] = {}

    def match(self, request: Request) -> tuple[str, dict[str, str]] | None:
        """(operation, URI label values) of the request, or None if no URI template fits."""
        return self._routes.match(request.method, request.path, request.query)

    async def handle(self, request: Request, ctx: Context, matched: tuple[str, dict[str, str]]) -> Response:
        operation, labels = matched
        try:
            op = self._ops.get(operation)
            if op is None:
                raise AwsError("UnknownOperationException", f"cloudlet does not implement {self.name}.{operation} yet")
            params = self.parse(operation, labels, request)
            if self._validate is not None:
                self._validate(operation, params)
            result = await op(params, ctx)
            return self._writer.response(operation, result, ctx.request_id)
        except AwsError as e:
            return self._writer.error(e, ctx.request_id)

    def parse(self, operation: str, labels: dict[str, str], request: Request) -> dict[str, Any]:
        """The parameters of `operation` in a request (URI labels as `match` found them, already
        percent-decoded with the path). Raises AwsError for what does not read or convert."""
        plan = self._inputs.get(operation) or self._plan(operation)
        try:
            return self._read(plan, labels, request)
        except BodyError as e:
            raise AwsError(self.flavour.body_error, self.flavour.body_prefix + str(e)) from None
        except ParamError as e:
            raise AwsError(self.flavour.param_error, str(e)) from None

    def serialize(self, operation: str, result: dict[str, Any] | bytes | None, request_id: str) -> Response:
        """The response of `operation` for an output dict."""
        return self._writer.response(operation, result, request_id)

    def error_response(self, e: AwsError, request_id: str) -> Response:
        return self._writer.error(e, request_id)

    # -- reading -------------------------------------------------------------------------------

    def _read(self, plan: _Input, labels: dict[str, str], request: Request) -> dict[str, Any]:
        params: dict[str, Any] = {}
        body = request.body
        if plan.payload is not None:
            if plan.payload_kind == "blob":
                if body:
                    params[plan.payload] = body
            elif plan.payload_kind == "string":
                if body:
                    try:
                        params[plan.payload] = body.decode("utf-8")
                    except UnicodeDecodeError as u:
                        raise BodyError(f"Invalid UTF-8 start byte 0x{body[u.start]:02x}") from None
            elif plan.body is not None and body.strip():
                params[plan.payload] = plan.body(parse_json(body))
        elif plan.body is not None and body and body.strip():
            params = plan.body(parse_json(body))
        for label, member, convert in plan.labels:
            value = labels.get(label)
            if value is not None:
                params[member] = convert(value)
        if request.query and (plan.query or plan.query_map):
            self._read_query(plan, request.query, params)
        if plan.headers:
            headers = request.headers
            for header, member, convert, is_list in plan.headers:
                value = headers.get(header)
                if value is not None:
                    if not value.isascii():
                        value = _utf8(value)
                    params[member] = convert([value]) if is_list else convert(value)
        for prefix, member, convert in plan.prefixed:
            found = {k[len(prefix) :]: convert(_utf8(v)) for k, v in request.headers.items() if k.startswith(prefix)}
            if found:
                params[member] = found
        return params

    def _read_query(self, plan: _Input, query: bytes, params: dict[str, Any]) -> None:
        grouped: dict[str, list[str]] = {}
        for part in query.decode("utf-8", "surrogateescape").split("&"):
            if not part:
                continue
            k, _, v = part.partition("=")
            if "%" in part or "+" in part:  # as parse_qsl reads it, faster for plain parameters
                k, v = unquote_plus(k, errors="surrogateescape"), unquote_plus(v, errors="surrogateescape")
            grouped.setdefault(k, []).append(v)
        rest: dict[str, Any] = {}
        for k, values in grouped.items():
            entry = plan.query.get(k)
            if entry is not None:
                member, convert, is_list = entry
                params[member] = convert(values) if is_list else convert(values[0])
            elif plan.query_map is not None and k not in plan.literal:
                convert, lists = plan.query_map[1], plan.query_map[2]
                rest[k] = convert(values) if lists else convert(values[0])
        if rest and plan.query_map is not None:
            params[plan.query_map[0]] = rest

    def _plan(self, operation: str) -> _Input:
        op = self.model.operation_model(operation)
        shape = op.input_shape
        uri = str(op.http.get("requestUri", ""))
        literal = frozenset(p.partition("=")[0] for p in uri.partition("?")[2].split("&") if p)
        labels: list[tuple[str, str, Convert]] = []
        query: dict[str, tuple[str, Convert, bool]] = {}
        query_map: tuple[str, Convert, bool] | None = None
        headers: list[tuple[str, str, Convert, bool]] = []
        prefixed: list[tuple[str, str, Convert]] = []
        body_members: dict[str, Shape] = {}
        payload, payload_kind, body = None, "", None
        if shape is not None:
            payload = self.model.shapes[shape.name].get("payload")
            for name, member in shape.members.items():
                where = member.serialization.get("location")
                wire = member.serialization.get("locationName", name)
                if where == "uri":
                    labels.append((wire, name, text_converter(member, "URI", wire)))
                elif where == "querystring":
                    if member.type_name == "map":
                        lists = member.value.type_name == "list"
                        query_map = (name, text_converter(member.value, "query", name), lists)
                    else:
                        query[wire] = (name, text_converter(member, "query", wire), member.type_name == "list")
                elif where == "header":
                    convert = text_converter(member, "header", wire, in_header=True)
                    headers.append((wire.lower(), name, convert, member.type_name == "list"))
                elif where == "headers":
                    prefixed.append((wire.lower(), name, text_converter(member.value, "header", wire)))
                elif name == payload:
                    payload_kind = member.type_name
                    if payload_kind not in ("blob", "string"):
                        body = self._bodies.converter(member)
                elif where is None:
                    body_members[name] = member
            if payload is None and body_members:
                body = self._bodies.structure(shape, body_members)
        plan = _Input(
            labels=tuple(labels),
            query=query,
            query_map=query_map,
            literal=literal,
            headers=tuple(headers),
            prefixed=tuple(prefixed),
            payload=payload,
            payload_kind=payload_kind,
            body=body,
        )
        self._inputs[operation] = plan
        return plan


# -- URI labels, query parameters, headers ---------------------------------------------------


def text_converter(shape: Shape, where: str, name: str, *, in_header: bool = False) -> Convert:
    """Converter of one text value (or, for a list, of the list of texts) to the member's type."""
    kind = shape.type_name
    if kind == "list":
        item = text_converter(shape.member, where, name)
        if in_header:
            return lambda values: [item(t.strip()) for v in values for t in v.split(",")]
        return lambda values: [item(v) for v in values]
    if kind == "string" and shape.serialization.get("jsonvalue"):

        def json_value(text: str) -> Any:
            try:
                return orjson.loads(base64.b64decode(text, validate=True))
            except (binascii.Error, ValueError, orjson.JSONDecodeError):
                raise ParamError(_bad(where, name, text, "base64-encoded JSON")) from None

        return json_value
    if kind in INTEGRAL:
        bound = INTEGRAL[kind][1]

        def integral(text: str) -> int:
            if len(text) < 100 and INT_TEXT.fullmatch(text):
                n = int(text)
                if not bound or -bound <= n < bound:
                    return n
            raise ParamError(_bad(where, name, text, "an integer"))

        return integral
    if kind in FLOATING:

        def floating(text: str) -> float:
            if NUMBER_TEXT.fullmatch(text) or text in ("NaN", "Infinity", "-Infinity"):
                return float(text)
            raise ParamError(_bad(where, name, text, "a number"))

        return floating
    if kind == "boolean":

        def boolean(text: str) -> bool:
            word = text.lower()
            if word in ("true", "false"):
                return word == "true"
            raise ParamError(_bad(where, name, text, "a boolean"))

        return boolean
    if kind == "timestamp":

        def timestamp(text: str) -> float:
            seconds = parse_timestamp(text)
            if seconds is None:
                raise ParamError(_bad(where, name, text, "a timestamp"))
            return seconds

        return timestamp
    if kind == "blob":

        def blob(text: str) -> bytes:
            try:
                return base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError):
                raise ParamError(_bad(where, name, text, "base64")) from None

        return blob
    return _same


def _same(v: Any) -> Any:
    return v


def _utf8(value: str) -> str:
    """A header value as UTF-8 text (the server hands header bytes on as latin-1)."""
    if value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def _bad(where: str, name: str, text: str, expected: str) -> str:
    shown = text if len(text) <= 100 else text[:100] + "..."
    return f"Invalid value '{shown}' for {where} parameter {name}: expected {expected}"
