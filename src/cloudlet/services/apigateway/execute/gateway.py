"""Gateway responses: what a method answers when the request fails before or around the integration.

The response type's own customisation wins, then DEFAULT_4XX / DEFAULT_5XX's, then AWS's default
(status per type, body `{"message":$context.error.messageString}`).
https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-gatewayResponse-definition.html
"""

from __future__ import annotations

from typing import Any

import orjson

from cloudlet.server.http import Response
from cloudlet.services.apigateway.engine.models import default_gateway_response
from cloudlet.services.apigateway.execute.invocation import Failure, Invocation
from cloudlet.services.apigateway.execute.mapping import MappingError, TemplateEngine
from cloudlet.services.apigateway.execute.params import source_value
from cloudlet.services.apigateway.execute.transform import mapping_input, response_template

Doc = dict[str, Any]
DEFAULT_TEMPLATE = '{"message":$context.error.messageString}'
# The x-amzn-ErrorType API Gateway sends with some gateway responses.
_ERROR_TYPES = {
    "MISSING_AUTHENTICATION_TOKEN": "MissingAuthenticationTokenException",
    "ACCESS_DENIED": "AccessDeniedException",
    "UNAUTHORIZED": "UnauthorizedException",
    "BAD_REQUEST_BODY": "BadRequestException",
    "BAD_REQUEST_PARAMETERS": "BadRequestException",
    "THROTTLED": "TooManyRequestsException",
    "QUOTA_EXCEEDED": "LimitExceededException",
    "INVALID_API_KEY": "ForbiddenException",
    "REQUEST_TOO_LARGE": "RequestTooLongException",
    "UNSUPPORTED_MEDIA_TYPE": "UnsupportedMediaTypeException",
    "RESOURCE_NOT_FOUND": "NotFoundException",
}


def _status_of(response_type: str) -> int | None:
    code = default_gateway_response(response_type).get("statusCode")
    return int(code) if code else None


def gateway_response(inv: Invocation, failure: Failure, engine: TemplateEngine) -> Response:
    defn = inv.deployed.definition
    own = defn.gateway_responses.get(failure.response_type)
    status = failure.status or (int(own["statusCode"]) if own and own.get("statusCode") else None) \
        or _status_of(failure.response_type) or 500
    fallback = defn.gateway_responses.get("DEFAULT_5XX" if status >= 500 else "DEFAULT_4XX")
    custom = own or fallback or {}
    ctx = inv.context
    ctx["error"] = {"message": failure.message, "messageString": orjson.dumps(failure.message).decode(),
                    "responseType": failure.response_type, "validationErrorString": failure.message}
    ctx["status"] = status
    templates = custom.get("responseTemplates") or {"application/json": DEFAULT_TEMPLATE}
    chosen = response_template(templates, inv.header("accept"))
    content_type, template = chosen if chosen else ("application/json", DEFAULT_TEMPLATE)
    if template == DEFAULT_TEMPLATE:
        body = b'{"message":' + ctx["error"]["messageString"].encode() + b"}"
    else:
        try:
            text = inv.body.decode("utf-8", "replace")
            body = engine.render(template, mapping_input(inv, text, engine, template)).body.encode()
        except MappingError:
            body = b'{"message":' + ctx["error"]["messageString"].encode() + b"}"
    headers: list[tuple[bytes, bytes]] = [(b"content-type", content_type.encode())]
    error_type = _ERROR_TYPES.get(failure.response_type) or (
        "InternalServerErrorException" if status >= 500 else None)
    if error_type:
        headers.append((b"x-amzn-errortype", error_type.encode()))
    route_params = inv.route.path_params if inv.route else {}
    sources = {"path": route_params, "querystring": inv.query, "header": inv.headers,
               "multivaluequerystring": inv.multi_query, "multivalueheader": inv.multi_headers}
    params: dict[str, str] = {}
    if fallback and own is not fallback:
        params.update((fallback or {}).get("responseParameters") or {})
    params.update(custom.get("responseParameters") or {})
    for target, expr in params.items():
        if not target.startswith("gatewayresponse.header."):
            continue
        value = source_value(expr, sources, ctx, inv.stage_variables, "method.request")
        if value is not None:
            v = value[-1] if isinstance(value, list) else value
            headers.append((target[23:].encode("latin-1"), v.encode("latin-1", "replace")))
    return Response(status, body, headers)
