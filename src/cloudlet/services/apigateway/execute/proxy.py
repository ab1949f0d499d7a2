"""The Lambda proxy integration's event, and reading the function's answer back.

https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format
https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-output-format
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import orjson

from cloudlet.services.apigateway.execute.invocation import Invocation

_CONTEXT_KEYS = ("resourceId", "resourcePath", "httpMethod", "extendedRequestId", "requestTime", "path",
                 "accountId", "protocol", "stage", "domainPrefix", "requestTimeEpoch", "requestId", "identity",
                 "domainName", "deploymentId", "apiId")
_RESULT_KEYS = frozenset(("statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"))


def proxy_event(inv: Invocation, binary: bool) -> bytes:
    route = inv.route
    assert route is not None
    ctx = inv.context
    request_context = {k: ctx[k] for k in _CONTEXT_KEYS}
    if ctx.get("authorizer"):
        request_context["authorizer"] = ctx["authorizer"]
    body: str | None
    if not inv.body:
        body = None
    elif binary:
        body = base64.b64encode(inv.body).decode()
    else:
        body = inv.body.decode("utf-8", "replace")
    event = {
        "resource": route.resource["path"],
        "path": inv.path,
        "httpMethod": inv.request.method,
        "headers": inv.headers or None,
        "multiValueHeaders": inv.multi_headers or None,
        "queryStringParameters": inv.query or None,
        "multiValueQueryStringParameters": inv.multi_query or None,
        "pathParameters": route.path_params or None,
        "stageVariables": inv.stage_variables or None,
        "requestContext": request_context,
        "body": body,
        "isBase64Encoded": binary and body is not None,
    }
    return orjson.dumps(event)


@dataclass
class ProxyResult:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    is_base64: bool


class MalformedResult(Exception):
    """The function's answer is not a valid proxy response (AWS: 502, "Malformed Lambda proxy response")."""


def _text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str | int | float):
        return str(v)
    raise MalformedResult(f"header value {v!r} is not a string")


def parse_result(payload: bytes) -> ProxyResult:
    try:
        doc = orjson.loads(payload)
    except orjson.JSONDecodeError:
        raise MalformedResult("the response is not JSON") from None
    if not isinstance(doc, dict):
        raise MalformedResult("the response is not a JSON object")
    extra = set(doc) - _RESULT_KEYS
    if extra:
        raise MalformedResult(f"unexpected field(s) {sorted(extra)}")
    status = doc.get("statusCode")
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise MalformedResult("statusCode is missing or not an HTTP status")
    headers: list[tuple[str, str]] = []
    single = doc.get("headers")
    single = {} if single is None else single
    multi = doc.get("multiValueHeaders")
    multi = {} if multi is None else multi
    if not isinstance(single, dict) or not isinstance(multi, dict):
        raise MalformedResult("headers must be objects")
    for name, values in multi.items():
        if not isinstance(values, list):
            raise MalformedResult("multiValueHeaders values must be lists")
        headers.extend((name, _text(v)) for v in values)
    named = {n.lower() for n, _ in headers}
    headers.extend((name, _text(v)) for name, v in single.items() if name.lower() not in named)
    body = doc.get("body")
    if body is not None and not isinstance(body, str):
        raise MalformedResult("body must be a string")
    is_b64 = doc.get("isBase64Encoded") is True
    raw = (body or "").encode()
    return ProxyResult(status, headers, raw, is_b64)
