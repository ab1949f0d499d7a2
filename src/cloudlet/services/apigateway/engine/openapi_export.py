"""GetExport: an ApiDefinition (a stage's deployment) -> an OpenAPI 3.0.1 or Swagger 2.0 document.

Pure: no storage, no HTTP. Follows "Export a REST API from API Gateway" and the GetExport reference:
exportType oas30|swagger; parameters extensions=integrations (x-amazon-apigateway-integration),
authorizers (x-amazon-apigateway-authorizer), apigateway (every API Gateway extension), postman
(a plain document); Accept application/json or application/yaml (`render_export`).
What is exported imports back (`import_definition`) to an equivalent API.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from .definition import ApiDefinition
from .openapi_common import (
    API_KEY_HEADER,
    API_KEY_SCHEME,
    HTTP_METHODS,
    OAS3_REF,
    SIGV4_AUTHTYPE,
    SIGV4_SCHEME,
    SWAGGER_REF,
    X_ANY_METHOD,
    X_API_KEY_SOURCE,
    X_AUTHORIZER,
    X_AUTHTYPE,
    X_BINARY_MEDIA_TYPES,
    X_ENDPOINT_CONFIGURATION,
    X_GATEWAY_RESPONSES,
    X_MINIMUM_COMPRESSION_SIZE,
    X_POLICY,
    X_REQUEST_VALIDATORS,
    Doc,
    bad_request,
    map_refs,
)
from .openapi_export_method import ExportScope, write_operation

__all__ = ["export_definition", "render_export"]

_EXPORT_TYPES = ("oas30", "swagger")
_METHOD_ORDER = {m.upper(): i for i, m in enumerate(HTTP_METHODS)}


def export_definition(definition: ApiDefinition, stage: dict, *, export_type: str, extensions: str | None,
                      endpoint_host: str) -> dict:
    """The document GetExport returns (as a dict; `render_export` writes it out).

    `extensions` is GetExport's `extensions` parameter; several may be given comma-separated.
    """
    if export_type not in _EXPORT_TYPES:
        raise bad_request(f"Invalid export type: {export_type}. Valid values are oas30, swagger.")
    wanted = {e.strip().lower() for e in (extensions or "").split(",") if e.strip()}
    everything = "apigateway" in wanted
    oas3 = export_type == "oas30"
    ref = OAS3_REF if oas3 else SWAGGER_REF
    scope = ExportScope(
        oas3=oas3, model_ref=lambda name: ref + name, integrations=everything or "integrations" in wanted,
        validators=everything, authorizer_names={aid: a["name"] for aid, a in definition.authorizers.items()},
        validator_names={vid: v["name"] for vid, v in definition.request_validators.items()})
    api = definition.api
    stage_name = str(stage.get("stageName") or "")
    doc: Doc = {"openapi": "3.0.1"} if oas3 else {"swagger": "2.0"}
    doc["info"] = _info(api)
    if oas3:
        server: Doc = {"url": f"http://{endpoint_host}/{{basePath}}",
                       "variables": {"basePath": {"default": stage_name}}}
        if everything and (endpoint := _endpoint_configuration(api)):
            server[X_ENDPOINT_CONFIGURATION] = endpoint  # OpenAPI 3 keeps it on the Server object
        doc["servers"] = [server]
    else:
        doc.update({"host": endpoint_host, "basePath": "/" + stage_name, "schemes": ["http"]})
    doc["paths"] = _paths(definition, scope)
    schemas = _schemas(definition, ref)
    security = _security_schemes(definition, doc["paths"], everything or "authorizers" in wanted, oas3)
    if oas3:
        components: Doc = {}
        if schemas:
            components["schemas"] = schemas
        if security:
            components["securitySchemes"] = security
        if components:
            doc["components"] = components
    else:
        if security:
            doc["securityDefinitions"] = security
        if schemas:
            doc["definitions"] = schemas
    if everything:
        doc.update(_api_extensions(definition, oas3))
    return doc


def render_export(doc: Doc, accept: str | None) -> tuple[bytes, str]:
    """The export's body and Content-Type for GetExport's Accept (application/json unless YAML is asked for)."""
    if accept and "yaml" in accept.lower():
        return _yaml().safe_dump(doc, sort_keys=False, allow_unicode=True).encode(), "application/yaml"
    return json.dumps(doc, indent=2, ensure_ascii=False).encode(), "application/json"


def _info(api: Doc) -> Doc:
    info: Doc = {"title": api.get("name", "")}
    if api.get("description"):
        info["description"] = api["description"]
    # OpenAPI requires a version; an API without one exports its creation time, as AWS does.
    info["version"] = api.get("version") or _timestamp(api.get("createdDate"))
    return info


def _timestamp(value: Any) -> str:
    if isinstance(value, int | float):
        value = datetime.datetime.fromtimestamp(value, datetime.UTC)
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value) if value else "1.0"


def _paths(definition: ApiDefinition, scope: ExportScope) -> Doc:
    paths: Doc = {}
    for resource in sorted(definition.resources.values(), key=lambda r: r.get("path", "")):
        methods = resource.get("resourceMethods") or {}
        if not methods:
            continue  # import creates resources without methods from their descendants' paths
        item: Doc = {}
        for verb in sorted(methods, key=lambda v: _METHOD_ORDER.get(v, len(_METHOD_ORDER))):
            key = X_ANY_METHOD if verb == "ANY" else verb.lower()
            item[key] = write_operation(scope, methods[verb], resource["id"])
        paths[resource["path"]] = item
    return paths


def _schemas(definition: ApiDefinition, ref: str) -> Doc:
    schemas: Doc = {}
    for name, model in sorted(definition.models.items()):
        try:
            schema = json.loads(model.get("schema") or "{}")
        except ValueError:
            continue
        if isinstance(schema, dict):
            schema.pop("$schema", None)  # not a keyword of OpenAPI's Schema Object
            schemas[name] = map_refs(schema, lambda n: ref + n)
    return schemas


def _security_schemes(definition: ApiDefinition, paths: Doc, with_authorizers: bool, oas3: bool) -> Doc:
    """The schemes the operations' `security` names: API key, SigV4 and the authorizers."""
    used = {name for item in paths.values() for op in item.values()
            for requirement in op.get("security", []) for name in requirement}
    schemes: Doc = {}
    if API_KEY_SCHEME in used:
        schemes[API_KEY_SCHEME] = {"type": "apiKey", "name": API_KEY_HEADER, "in": "header"}
    if SIGV4_SCHEME in used:
        schemes[SIGV4_SCHEME] = {"type": "apiKey", "name": "Authorization", "in": "header",
                                 X_AUTHTYPE: SIGV4_AUTHTYPE}
    for authorizer in sorted(definition.authorizers.values(), key=lambda a: a["name"]):
        if not with_authorizers and authorizer["name"] not in used:
            continue
        source = str(authorizer.get("identitySource") or "")
        header = source[len("method.request.header."):] if source.startswith("method.request.header.") \
            and "," not in source else "Unused"
        scheme: Doc = {"type": "apiKey", "name": header, "in": "header"}
        if with_authorizers:
            cognito = authorizer.get("type") == "COGNITO_USER_POOLS"
            scheme[X_AUTHTYPE] = authorizer.get("authType") or ("cognito_user_pools" if cognito else "custom")
            ext: Doc = {"type": str(authorizer.get("type", "")).lower()}
            for key in ("authorizerUri", "authorizerCredentials", "identitySource", "identityValidationExpression",
                        "providerARNs", "authorizerResultTtlInSeconds"):
                if authorizer.get(key) not in (None, "", []):
                    ext[key] = authorizer[key]
            scheme[X_AUTHORIZER] = ext
        schemes[authorizer["name"]] = scheme
    return schemes


def _policy(policy: str) -> Any:
    """The policy as a JSON object; GetRestApi shows it with its quotes escaped, so try that form too."""
    for text in (policy, policy.replace('\\"', '"')):
        try:
            return json.loads(text)
        except ValueError:
            continue
    return policy


def _endpoint_configuration(api: Doc) -> Doc:
    out: Doc = {}
    if api.get("disableExecuteApiEndpoint"):
        out["disableExecuteApiEndpoint"] = True
    if ids := (api.get("endpointConfiguration") or {}).get("vpcEndpointIds"):
        out["vpcEndpointIds"] = list(ids)
    return out


def _api_extensions(definition: ApiDefinition, oas3: bool) -> Doc:
    api, out = definition.api, {}
    if api.get("binaryMediaTypes"):
        out[X_BINARY_MEDIA_TYPES] = list(api["binaryMediaTypes"])
    if api.get("apiKeySource") not in (None, "HEADER"):
        out[X_API_KEY_SOURCE] = api["apiKeySource"]
    if api.get("minimumCompressionSize") is not None:
        out[X_MINIMUM_COMPRESSION_SIZE] = api["minimumCompressionSize"]
    if api.get("policy"):
        out[X_POLICY] = _policy(api["policy"])
    if not oas3 and (endpoint := _endpoint_configuration(api)):
        out[X_ENDPOINT_CONFIGURATION] = endpoint  # Swagger 2 keeps it at the top level
    if definition.gateway_responses:
        out[X_GATEWAY_RESPONSES] = {
            rtype: {k: gr[k] for k in ("statusCode", "responseParameters", "responseTemplates") if gr.get(k)}
            for rtype, gr in sorted(definition.gateway_responses.items())}
    if definition.request_validators:
        out[X_REQUEST_VALIDATORS] = {
            v["name"]: {"validateRequestBody": bool(v.get("validateRequestBody")),
                        "validateRequestParameters": bool(v.get("validateRequestParameters"))}
            for v in sorted(definition.request_validators.values(), key=lambda v: v["name"])}
    return out


def _yaml() -> Any:
    import yaml  # ~15 ms to import: on first use, not at start-up

    return yaml
