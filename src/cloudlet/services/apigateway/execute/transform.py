"""The non-proxy mapping steps: integration request (parameters, request template or passthrough)
and integration response (selection, response parameters, response template).

https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-integration-settings-integration-response.html
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings-workflow.html
"""

from __future__ import annotations

import base64
import binascii
import re
from functools import lru_cache
from typing import Any

from cloudlet.services.apigateway.execute.integrations.base import EndpointRequest, EndpointResponse
from cloudlet.services.apigateway.execute.invocation import Invocation
from cloudlet.services.apigateway.execute.mapping import MappingInput, Rendered, TemplateEngine
from cloudlet.services.apigateway.execute.params import map_parameters

Doc = dict[str, Any]
_STAGE_VAR = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")
_PATH_VAR = re.compile(r"\{([^}/]+?)\+?\}")


class UnsupportedMediaType(Exception):
    """No request template for the Content-Type and the passthrough behaviour forbids passing it on (415)."""


def media_type(content_type: str | None) -> str:
    if not content_type:
        return "application/json"  # what API Gateway assumes when a request names none
    return content_type.split(";", 1)[0].strip().lower()


def matches_binary(media: str, binary_types: list[str]) -> bool:
    for t in binary_types:
        t = t.lower()
        if t == media or t == "*/*" or (t.endswith("/*") and media.startswith(t[:-1])):
            return True
    return False


def accept_is_binary(accept: str | None, binary_types: list[str]) -> bool:
    # API Gateway looks at the first media type the client accepts.
    return bool(accept and binary_types) and matches_binary(media_type(accept.split(",", 1)[0]), binary_types)


def fill_stage_variables(text: str, variables: dict[str, str]) -> str:
    return _STAGE_VAR.sub(lambda m: variables.get(m.group(1), ""), text) if "${" in text else text


_NO_CONTEXT: dict[str, Any] = {}


def mapping_input(inv: Invocation, body: str, engine: TemplateEngine, template: str) -> MappingInput:
    params = inv.mapping_params
    context = inv.context if engine.reads_context(template) else _NO_CONTEXT
    # multi_params: not read by $input (it exposes single values), so not built here
    return MappingInput(body, params, context, inv.stage_variables)


def _request_template(integration: Doc, media: str) -> str | None:
    templates: dict[str, str] = integration.get("requestTemplates") or {}
    if media in templates:
        return templates[media]
    behaviour = integration.get("passthroughBehavior") or "WHEN_NO_MATCH"
    if behaviour == "WHEN_NO_MATCH" or (behaviour == "WHEN_NO_TEMPLATES" and not templates):
        return None
    raise UnsupportedMediaType


def _convert(body: bytes, handling: str | None, binary: bool) -> bytes:
    """contentHandling: CONVERT_TO_TEXT base64-encodes a binary payload, CONVERT_TO_BINARY decodes a text one."""
    if handling == "CONVERT_TO_TEXT" and binary:
        return base64.b64encode(body)
    if handling == "CONVERT_TO_BINARY" and not binary:
        try:
            return base64.b64decode(body, validate=False)
        except (binascii.Error, ValueError):
            return body
    return body


def integration_request(inv: Invocation, integration: Doc, engine: TemplateEngine) -> tuple[EndpointRequest, bool]:
    """The endpoint request, and whether a template built its body (False: passed through)."""
    route = inv.route
    assert route is not None
    variables = inv.stage_variables
    mapping = integration.get("requestParameters")
    headers: dict[str, str] = {}
    query: dict[str, list[str]] = {}
    path_params: dict[str, str] = {}
    if mapping:
        sources = {"path": route.path_params, "querystring": inv.query, "multivaluequerystring": inv.multi_query,
                   "header": inv.headers, "multivalueheader": inv.multi_headers, "body": inv.body}
        mapped = map_parameters(mapping, "integration.request", sources, inv.context, variables, "method.request")
        headers.update(mapped.get("header", {}))
        query.update((k, [v]) for k, v in mapped.get("querystring", {}).items())
        query.update(mapped.get("multivaluequerystring", {}))
        path_params.update(mapped.get("path", {}))
    media = media_type(inv.header("content-type"))
    binary_types = inv.deployed.definition.api.get("binaryMediaTypes")
    binary = bool(binary_types) and matches_binary(media, binary_types)
    body = inv.body
    templated = False
    itype = integration.get("type")
    if itype not in ("HTTP_PROXY", "AWS_PROXY"):
        template = _request_template(integration, media)
        if template is not None and not (binary and not integration.get("contentHandling")):
            # A binary payload goes through untouched unless contentHandling says how to convert it.
            text = _convert(body, integration.get("contentHandling"), binary).decode("utf-8", "replace")
            rendered: Rendered = engine.render(template, mapping_input(inv, text, engine, template))
            body = rendered.body.encode()
            templated = True
            overrides = rendered.request_override
            if overrides["header"] or overrides["querystring"] or overrides["path"]:
                headers.update(overrides["header"])
                query.update((k, [v]) for k, v in overrides["querystring"].items())
                path_params.update(overrides["path"])
        elif integration.get("contentHandling"):
            body = _convert(body, integration["contentHandling"], binary)
    uri = fill_stage_variables(integration.get("uri") or "", variables)
    if path_params and "{" in uri:
        uri = _PATH_VAR.sub(lambda m: path_params.get(m.group(1), m.group(0)), uri)
    if itype == "HTTP_PROXY":
        # The method request's headers and query string go to the endpoint, mapped parameters on top.
        headers = {**inv.headers, **headers}
        query = {**inv.multi_query, **query}
    elif body and not any(h.lower() == "content-type" for h in headers):
        headers["Content-Type"] = inv.header("content-type") or "application/json"
    verb = integration.get("httpMethod")
    if not verb or verb == "ANY":  # ANY: the method request's own verb
        verb = inv.request.method
    return EndpointRequest(uri, verb, headers, query, body,
                           integration.get("credentials")), templated


@lru_cache(maxsize=512)
def _pattern(p: str) -> re.Pattern[str] | None:
    try:
        return re.compile(p)
    except re.error:
        return None


def select_response(integration: Doc, resp: EndpointResponse) -> Doc | None:
    """The integration response whose selectionPattern (a regex over the whole subject) matches: the
    Lambda error message for a function error, else the status code; else the default (no pattern)."""
    responses: dict[str, Doc] = integration.get("integrationResponses") or {}
    if len(responses) == 1 and not resp.function_error:
        only = next(iter(responses.values()))
        if not only.get("selectionPattern"):
            return only  # the default response, and the only one
    subject = resp.error_message if resp.function_error else (
        None if integration.get("type") == "AWS" and _is_lambda(integration) else str(resp.status))
    default = None
    for key in sorted(responses):
        ir = responses[key]
        pattern = ir.get("selectionPattern")
        if not pattern:
            if default is None:
                default = ir
            continue
        if subject is not None:
            rx = _pattern(pattern)
            if rx is not None and rx.fullmatch(subject):
                return ir
    return default


def _is_lambda(integration: Doc) -> bool:
    return ":lambda:path/" in (integration.get("uri") or "")


def response_template(templates: dict[str, str], accept: str | None) -> tuple[str, str] | None:
    """(content type, template) for the method response: the one the Accept header names, else
    application/json, else the first."""
    if not templates:
        return None
    if accept:
        for part in accept.split(","):
            m = media_type(part)
            if m in templates:
                return m, templates[m]
    if "application/json" in templates:
        return "application/json", templates["application/json"]
    key = next(iter(templates))
    return key, templates[key]


def response_headers(ir: Doc, resp: EndpointResponse, inv: Invocation) -> dict[str, str]:
    if not ir.get("responseParameters"):
        return {}
    multi: dict[str, list[str]] = {}
    for k, v in resp.headers:
        multi.setdefault(k, []).append(v)
    sources = {"header": {k: vs[-1] for k, vs in multi.items()}, "multivalueheader": multi, "body": resp.body}
    mapped = map_parameters(ir.get("responseParameters"), "method.response", sources, inv.context,
                            inv.stage_variables, "integration.response")
    return dict(mapped.get("header", {}))
