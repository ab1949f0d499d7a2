"""One Method -> one OpenAPI operation (the inverse of openapi_import_method), for GetExport.

What AWS's exports look like: "Export a REST API from API Gateway" and the examples in "API Gateway
extensions to OpenAPI"; operations name models by `$ref`, responses are described "{code} response",
and x-amazon-apigateway-integration writes type and passthroughBehavior in lower case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .openapi_common import (
    API_KEY_SCHEME,
    DEFAULT_PASSTHROUGH,
    DEFAULT_TIMEOUT_MS,
    SIGV4_SCHEME,
    X_INTEGRATION,
    X_REQUEST_VALIDATOR,
    Doc,
)

_PARAM_LOCATIONS = {"path": "path", "querystring": "query", "multivaluequerystring": "query",
                    "header": "header", "multivalueheader": "header"}


@dataclass
class ExportScope:
    oas3: bool
    model_ref: Callable[[str], str]
    integrations: bool = False
    validators: bool = False
    authorizer_names: dict[str, str] = field(default_factory=dict)  # id -> security scheme name
    validator_names: dict[str, str] = field(default_factory=dict)  # id -> name


def write_operation(scope: ExportScope, method: Doc, resource_id: str) -> Doc:
    op: Doc = {}
    if method.get("operationName"):
        op["operationId"] = method["operationName"]
    params = [_parameter(scope, key, required) for key, required in (method.get("requestParameters") or {}).items()]
    params = [p for p in params if p is not None]
    models = method.get("requestModels") or {}
    if models and scope.oas3:
        op["requestBody"] = {"content": {ct: {"schema": {"$ref": scope.model_ref(m)}} for ct, m in models.items()},
                             "required": True}
    elif models:
        # Swagger 2 has one body schema per operation: the first model, for every content type.
        op["consumes"] = list(models)
        first = next(iter(models.values()))
        params.append({"in": "body", "name": first, "required": True, "schema": {"$ref": scope.model_ref(first)}})
    if params:
        op["parameters"] = params
    produces: list[str] = []
    op["responses"] = {code: _response(scope, mr, produces)
                       for code, mr in sorted((method.get("methodResponses") or {}).items())}
    if produces:
        op["produces"] = produces
    if security := _security(scope, method):
        op["security"] = [security]
    if scope.validators and (name := scope.validator_names.get(method.get("requestValidatorId") or "")):
        op[X_REQUEST_VALIDATOR] = name
    if scope.integrations and isinstance(method.get("methodIntegration"), dict):
        op[X_INTEGRATION] = write_integration(method["methodIntegration"], resource_id)
    return op


def _parameter(scope: ExportScope, key: str, required: object) -> Doc | None:
    parts = key.split(".", 3)  # method.request.{location}.{name}
    if len(parts) != 4 or parts[2] not in _PARAM_LOCATIONS:
        return None
    where = _PARAM_LOCATIONS[parts[2]]
    p: Doc = {"name": parts[3], "in": where}
    if where == "path" or required:
        p["required"] = True
    if scope.oas3:
        p["schema"] = {"type": "string"}
    else:
        p["type"] = "string"
    return p


def _response(scope: ExportScope, mr: Doc, produces: list[str]) -> Doc:
    out: Doc = {"description": f"{mr.get('statusCode')} response"}
    headers: Doc = {}
    for key, required in (mr.get("responseParameters") or {}).items():
        if key.startswith("method.response.header."):
            name = key[len("method.response.header."):]
            header: Doc = {"schema": {"type": "string"}} if scope.oas3 else {"type": "string"}
            if required and scope.oas3:
                header["required"] = True
            headers[name] = header
    if headers:
        out["headers"] = headers
    models = mr.get("responseModels") or {}
    if models and scope.oas3:
        out["content"] = {ct: {"schema": {"$ref": scope.model_ref(m)}} for ct, m in models.items()}
    elif models:
        out["schema"] = {"$ref": scope.model_ref(next(iter(models.values())))}
        produces.extend(ct for ct in models if ct not in produces)
    return out


def _security(scope: ExportScope, method: Doc) -> Doc:
    requirement: Doc = {}
    kind = method.get("authorizationType")
    name = scope.authorizer_names.get(method.get("authorizerId") or "")
    if kind in ("CUSTOM", "COGNITO_USER_POOLS") and name:
        requirement[name] = list(method.get("authorizationScopes") or [])
    elif kind == "AWS_IAM":
        requirement[SIGV4_SCHEME] = []
    if method.get("apiKeyRequired"):
        requirement[API_KEY_SCHEME] = []
    return requirement


def write_integration(integration: Doc, resource_id: str) -> Doc:
    """Integration -> x-amazon-apigateway-integration; values import would fill in anyway are left out."""
    out: Doc = {"type": str(integration.get("type", "")).lower()}
    for key in ("httpMethod", "uri", "connectionId", "credentials", "requestParameters", "requestTemplates",
                "contentHandling", "tlsConfig", "responseTransferMode"):
        if integration.get(key):
            out[key] = integration[key]
    if integration.get("connectionType") not in (None, "INTERNET"):
        out["connectionType"] = integration["connectionType"]
    out["passthroughBehavior"] = str(integration.get("passthroughBehavior") or DEFAULT_PASSTHROUGH).lower()
    if integration.get("timeoutInMillis") not in (None, DEFAULT_TIMEOUT_MS):
        out["timeoutInMillis"] = integration["timeoutInMillis"]
    # The cache namespace defaults to the resource's id, which a re-import gives a new value.
    if integration.get("cacheNamespace") not in (None, "", resource_id):
        out["cacheNamespace"] = integration["cacheNamespace"]
    if integration.get("cacheKeyParameters"):
        out["cacheKeyParameters"] = list(integration["cacheKeyParameters"])
    responses: Doc = {}
    for code, ir in sorted((integration.get("integrationResponses") or {}).items()):
        r: Doc = {"statusCode": ir.get("statusCode", code)}
        for key in ("responseParameters", "responseTemplates", "contentHandling"):
            if ir.get(key):
                r[key] = ir[key]
        responses[ir.get("selectionPattern") or "default"] = r
    if responses:
        out["responses"] = responses
    return out
