"""One OpenAPI operation -> one Method (GetMethod's shape), with its integration.

Follows "API Gateway extensions to OpenAPI": x-amazon-apigateway-integration (+ .responses,
.requestTemplates, .requestParameters), x-amazon-apigateway-request-validator, x-amazon-apigateway-auth,
and the operation's `security` naming schemes that carry x-amazon-apigateway-authorizer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cloudlet.protocol.errors import AwsError

from .openapi_common import (
    DEFAULT_PASSTHROUGH,
    DEFAULT_TIMEOUT_MS,
    INTEGRATION_TYPES,
    X_AUTH,
    X_IGNORED,
    X_INTEGRATION,
    X_REQUEST_VALIDATOR,
    X_REQUEST_VALIDATORS,
    Doc,
    bad_request,
    is_extension,
    obj,
)

_PARAM_LOCATIONS = {"path": "path", "query": "querystring", "header": "header"}
_OPERATION_EXTENSIONS = frozenset({X_INTEGRATION, X_REQUEST_VALIDATOR, X_AUTH})


@dataclass
class SecurityScheme:
    """What a named security scheme means to API Gateway."""

    kind: str  # "authorizer" | "api_key" | "sigv4"
    authorizer_id: str | None = None
    authorizer_type: str | None = None


@dataclass
class OperationScope:
    """What every operation of one document is read against."""

    doc: Doc
    oas3: bool
    warnings: list[str]
    # (schema, where) -> the model's name, creating one for an inline schema; None if there is none.
    model_for: Callable[[Any, str], str | None]
    validator_ids: dict[str, str] = field(default_factory=dict)
    default_validator: str | None = None
    schemes: dict[str, SecurityScheme] = field(default_factory=dict)
    default_security: list[Any] | None = None


def deref(doc: Doc, obj: Any, depth: int = 0) -> Any:
    """Follow a local `$ref` (parameters, requestBodies, responses, headers); schemas are models instead."""
    if not isinstance(obj, dict) or not isinstance(ref := obj.get("$ref"), str) or not ref.startswith("#/"):
        return obj
    target: Any = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(target, dict) or part not in target:
            return {}
        target = target[part]
    return deref(doc, target, depth + 1) if depth < 16 else {}


def read_method(scope: OperationScope, verb: str, op: Doc, shared_params: list[Any], path: str,
                resource_id: str) -> Doc:
    where = f"paths.'{path}'({verb.lower()})"
    method: Doc = {"httpMethod": verb, "authorizationType": "NONE", "apiKeyRequired": False}
    if op.get("operationId"):
        method["operationName"] = str(op["operationId"])
    params = _parameters(scope, shared_params, op.get("parameters"))
    request_parameters = {}
    for p in params:
        loc = _PARAM_LOCATIONS.get(str(p.get("in")))
        if loc and isinstance(p.get("name"), str) and p["name"]:
            request_parameters[f"method.request.{loc}.{p['name']}"] = loc == "path" or bool(p.get("required"))
    if request_parameters:
        method["requestParameters"] = request_parameters
    if models := _request_models(scope, op, params, where):
        method["requestModels"] = models
    if responses := _method_responses(scope, op, where):
        method["methodResponses"] = responses
    validator = op.get(X_REQUEST_VALIDATOR, scope.default_validator)
    if validator:
        if (vid := scope.validator_ids.get(str(validator))) is not None:
            method["requestValidatorId"] = vid
        else:
            scope.warnings.append(f"Parse issue: attribute {where}.{X_REQUEST_VALIDATOR} '{validator}' is not "
                                  f"defined in {X_REQUEST_VALIDATORS}")
    _security(scope, method, op, where)
    if (integration := op.get(X_INTEGRATION)) is not None:
        method["methodIntegration"] = read_integration(integration, path, resource_id)
    for key in op:
        if is_extension(key) and key not in _OPERATION_EXTENSIONS and key not in X_IGNORED:
            scope.warnings.append(f"Parse issue: attribute {where}.{key} is not supported. Ignoring.")
    return method


def _parameters(scope: OperationScope, shared: list[Any], own: Any) -> list[Doc]:
    """Path-item parameters overridden by the operation's, keyed by (name, in) as OpenAPI says."""
    merged: dict[tuple[str, str], Doc] = {}
    for raw in [*shared, *(own if isinstance(own, list) else [])]:
        p = deref(scope.doc, raw)
        if isinstance(p, dict):
            merged[(str(p.get("name")), str(p.get("in")))] = p
    return list(merged.values())


def _request_models(scope: OperationScope, op: Doc, params: list[Doc], where: str) -> dict[str, str]:
    models: dict[str, str] = {}
    if scope.oas3:
        body = deref(scope.doc, op.get("requestBody"))
        for ct, media in obj(obj(body).get("content")).items():
            schema = media.get("schema") if isinstance(media, dict) else None
            if (name := scope.model_for(schema, f"{where}.requestBody.content.schema")) is not None:
                models[ct] = name
        return models
    for p in params:
        if p.get("in") == "body":
            name = scope.model_for(p.get("schema"), f"{where}.parameters.body.schema")
            if name is not None:
                for ct in _media_types(scope, op, "consumes"):
                    models[ct] = name
    return models


def _media_types(scope: OperationScope, op: Doc, key: str) -> list[str]:
    types = op.get(key) or scope.doc.get(key) or ["application/json"]
    return [str(t) for t in types] if isinstance(types, list) else ["application/json"]


def _method_responses(scope: OperationScope, op: Doc, where: str) -> dict[str, Doc]:
    out: dict[str, Doc] = {}
    responses = op.get("responses")
    for code, raw in (responses.items() if isinstance(responses, dict) else ()):
        if not (len(code) == 3 and code.isdigit()):
            # API Gateway keys method responses by a 3-digit status; OpenAPI's `default` has no place.
            if code != "default" and not is_extension(code):
                scope.warnings.append(f"Parse issue: attribute {where}.responses.{code} is not a valid status code")
            continue
        resp = deref(scope.doc, raw)
        resp = resp if isinstance(resp, dict) else {}
        mr: Doc = {"statusCode": code}
        headers = resp.get("headers")
        if isinstance(headers, dict) and headers:
            mr["responseParameters"] = {f"method.response.header.{name}": _required(deref(scope.doc, header))
                                        for name, header in headers.items()}
        models: dict[str, str] = {}
        if scope.oas3:
            for ct, media in obj(resp.get("content")).items():
                schema = media.get("schema") if isinstance(media, dict) else None
                if (name := scope.model_for(schema, f"{where}.responses.{code}.content.schema")) is not None:
                    models[ct] = name
        elif (name := scope.model_for(resp.get("schema"), f"{where}.responses.{code}.schema")) is not None:
            models = dict.fromkeys(_media_types(scope, op, "produces"), name)
        if models:
            mr["responseModels"] = models
        out[code] = mr
    return out


def _required(header: Any) -> bool:
    return bool(isinstance(header, dict) and header.get("required"))


def _security(scope: OperationScope, method: Doc, op: Doc, where: str) -> None:
    requirements = op.get("security", scope.default_security)
    for requirement in requirements if isinstance(requirements, list) else ():
        for name, scopes in (requirement.items() if isinstance(requirement, dict) else ()):
            scheme = scope.schemes.get(name)
            if scheme is None:
                scope.warnings.append(f"Parse issue: attribute {where}.security.{name} is not defined. Ignoring.")
            elif scheme.kind == "api_key":
                method["apiKeyRequired"] = True
            elif scheme.kind == "sigv4":
                method["authorizationType"] = "AWS_IAM"
            else:
                cognito = scheme.authorizer_type == "COGNITO_USER_POOLS"
                method["authorizationType"] = "COGNITO_USER_POOLS" if cognito else "CUSTOM"
                method["authorizerId"] = scheme.authorizer_id
                if cognito and isinstance(scopes, list) and scopes:
                    method["authorizationScopes"] = [str(s) for s in scopes]
    auth = op.get(X_AUTH)
    if isinstance(auth, dict) and str(auth.get("type", "")).upper() in ("AWS_IAM", "NONE"):
        method["authorizationType"] = str(auth["type"]).upper()


def _malformed(path: str) -> AwsError:
    return bad_request(f"Unable to parse API definition because of a malformed integration at path {path}.")


def read_integration(ext: Any, path: str, resource_id: str) -> Doc:
    """x-amazon-apigateway-integration -> Integration (GetIntegration's shape, AWS's defaults filled)."""
    if not isinstance(ext, dict):
        raise _malformed(path)
    itype = str(ext.get("type", "")).upper()
    if itype not in INTEGRATION_TYPES:
        raise _malformed(path)
    out: Doc = {"type": itype}
    if itype != "MOCK":
        if not ext.get("uri") or not ext.get("httpMethod"):
            raise _malformed(path)
        out["httpMethod"] = str(ext["httpMethod"]).upper()
        out["uri"] = str(ext["uri"])
        out["connectionType"] = str(ext.get("connectionType") or "INTERNET").upper()
    elif ext.get("httpMethod"):
        out["httpMethod"] = str(ext["httpMethod"]).upper()
    for key in ("connectionId", "credentials", "contentHandling", "responseTransferMode"):
        if ext.get(key):
            out[key] = str(ext[key])
    for key in ("requestParameters", "requestTemplates"):
        if isinstance(ext.get(key), dict) and ext[key]:
            out[key] = {str(k): "" if v is None else str(v) for k, v in ext[key].items()}
    out["passthroughBehavior"] = str(ext.get("passthroughBehavior") or DEFAULT_PASSTHROUGH).upper()
    try:
        out["timeoutInMillis"] = int(ext.get("timeoutInMillis") or DEFAULT_TIMEOUT_MS)
    except (TypeError, ValueError):
        raise _malformed(path) from None
    out["cacheNamespace"] = str(ext.get("cacheNamespace") or resource_id)
    keys = ext.get("cacheKeyParameters")
    out["cacheKeyParameters"] = [str(k) for k in keys] if isinstance(keys, list) else []
    if isinstance(ext.get("tlsConfig"), dict):
        out["tlsConfig"] = dict(ext["tlsConfig"])
    responses = ext.get("responses")
    if isinstance(responses, dict) and responses:
        out["integrationResponses"] = _integration_responses(responses, path)
    return out


def _integration_responses(responses: Doc, path: str) -> dict[str, Doc]:
    """Keyed by the response status pattern in the document; API Gateway keys them by statusCode."""
    out: dict[str, Doc] = {}
    for pattern, resp in responses.items():
        if not isinstance(resp, dict) or resp.get("statusCode") in (None, ""):
            raise _malformed(path)
        code = str(resp["statusCode"])
        ir: Doc = {"statusCode": code}
        if pattern != "default":
            ir["selectionPattern"] = pattern
        for key in ("responseParameters", "responseTemplates"):
            if isinstance(resp.get(key), dict) and resp[key]:
                ir[key] = {str(k): "" if v is None else str(v) for k, v in resp[key].items()}
        if resp.get("contentHandling"):
            ir["contentHandling"] = str(resp["contentHandling"])
        out[code] = ir
    return out
