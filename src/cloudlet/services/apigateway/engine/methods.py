"""Methods, method responses, integrations and integration responses of a resource.

They live inside the resource, as GetResource(embed=methods) shows them:
resource["resourceMethods"][httpMethod] = Method, Method["methodResponses"][status],
Method["methodIntegration"] = Integration, Integration["integrationResponses"][status].
https://docs.aws.amazon.com/apigateway/latest/api/API_PutMethod.html
https://docs.aws.amazon.com/apigateway/latest/api/API_PutIntegration.html
https://docs.aws.amazon.com/apigateway/latest/developerguide/request-response-data-mappings.html
"""

from __future__ import annotations

import re
from typing import Any

from cloudlet.services.apigateway.engine import errors
from cloudlet.services.apigateway.engine.apis import RestApi, RestApis
from cloudlet.services.apigateway.engine.definition import ApiDefinition
from cloudlet.services.apigateway.engine.patch import ALL, Entry, Field, Item, PatchTable, Values, to_bool, to_int
from cloudlet.services.apigateway.engine.resources import find as find_resource

Doc = dict[str, Any]
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY")
AUTH_TYPES = ("NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS")
PASSTHROUGH = ("WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER")
# https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html: 50 ms to 29 seconds.
TIMEOUT_RANGE = (50, 29000)
_METHOD_PARAM = re.compile(r"method\.request\.(path|querystring|header|multivaluequerystring|multivalueheader)\.[^\s]+")
_INTEGRATION_PARAM = re.compile(
    r"integration\.request\.(path|querystring|header|multivaluequerystring|multivalueheader)\.[^\s]+")
_RESPONSE_PARAM = re.compile(r"method\.response\.header\.[^\s]+")

METHOD_PATCH = PatchTable(
    Field("/authorizationType"), Field("/authorizerId"), Field("/apiKeyRequired", to_bool), Field("/operationName"),
    Field("/requestValidatorId"), Entry("/requestParameters/{parameter}", to_bool),
    Entry("/requestModels/{contentType}"), Values("/authorizationScopes", ops=ALL),
)
METHOD_RESPONSE_PATCH = PatchTable(
    Entry("/responseParameters/{parameter}", to_bool), Entry("/responseModels/{contentType}"),
)
INTEGRATION_PATCH = PatchTable(
    Field("/httpMethod"), Field("/uri"), Field("/credentials"), Field("/connectionType"), Field("/connectionId"),
    Field("/passthroughBehavior"), Field("/contentHandling"), Field("/timeoutInMillis", to_int),
    Field("/cacheNamespace"), Item("/cacheKeyParameters/{parameter}"), Entry("/requestTemplates/{contentType}"),
    Entry("/requestParameters/{parameter}"), Field("/tlsConfig/insecureSkipVerification", to_bool),
    Field("/responseTransferMode"), Field("/integrationTarget"),
)
INTEGRATION_RESPONSE_PATCH = PatchTable(
    Field("/selectionPattern"), Field("/contentHandling"), Entry("/responseTemplates/{contentType}"),
    Entry("/responseParameters/{parameter}"),
)
_METHOD_OPTIONAL = ("authorizerId", "operationName", "requestParameters", "requestModels", "requestValidatorId",
                    "authorizationScopes")
_INTEGRATION_OPTIONAL = ("uri", "credentials", "connectionType", "connectionId", "requestParameters",
                         "requestTemplates", "contentHandling", "tlsConfig", "responseTransferMode",
                         "integrationTarget")


def _blank_to_absent(doc: Doc, keys: tuple[str, ...]) -> Doc:
    """Clients unset an optional id by replacing it with "" (Terraform does); AWS then omits it."""
    for k in keys:
        if doc.get(k) == "":
            del doc[k]
    return doc


# -- methods ----------------------------------------------------------------------------------------


def find(definition: ApiDefinition, resource_id: str, http_method: str) -> Doc:
    method = (find_resource(definition, resource_id).get("resourceMethods") or {}).get(http_method)
    if method is None:
        raise errors.method_not_found()
    return method


def check_method(definition: ApiDefinition, method: Doc) -> None:
    if method.get("authorizationType") not in AUTH_TYPES:
        raise errors.bad_request("Invalid authorization type specified. Valid values are "  # (unconfirmed)
                                 + ", ".join(AUTH_TYPES))
    if method["authorizationType"] in ("CUSTOM", "COGNITO_USER_POOLS") and (
            method.get("authorizerId") not in definition.authorizers):
        raise errors.bad_request("Invalid authorizer ID specified. Setting the authorization type to CUSTOM or "
                                 "COGNITO_USER_POOLS requires a valid authorizer.")
    if method.get("requestValidatorId") and method["requestValidatorId"] not in definition.request_validators:
        raise errors.bad_request("Invalid Request Validator identifier specified")  # (unconfirmed: 400)
    for name in (method.get("requestModels") or {}).values():
        if name not in definition.models:
            raise errors.bad_request(f"Invalid model identifier specified: {name}")  # (unconfirmed)
    for key in method.get("requestParameters") or {}:
        if not _METHOD_PARAM.fullmatch(key):
            raise errors.bad_request(f"Invalid method request parameter specified: {key}")  # (unconfirmed)


async def put_method(apis: RestApis, api: RestApi, p: Doc) -> Doc:
    definition = api.draft
    resource = find_resource(definition, p["resourceId"])
    verb = p["httpMethod"]
    if verb not in HTTP_METHODS:
        raise errors.bad_request("Invalid HttpMethod specified. Valid options are "  # (unconfirmed)
                                 "GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY")
    if verb in (resource.get("resourceMethods") or {}):
        raise errors.conflict("Method already exists for this resource")
    method: Doc = {"httpMethod": verb, "authorizationType": p["authorizationType"],
                   "apiKeyRequired": bool(p.get("apiKeyRequired", False))}
    method.update((k, p[k]) for k in _METHOD_OPTIONAL if p.get(k) is not None)
    check_method(definition, method)
    resource.setdefault("resourceMethods", {})[verb] = method
    await apis.save(api)
    return method


async def update_method(apis: RestApis, api: RestApi, p: Doc) -> Doc:
    definition = api.draft
    current = find(definition, p["resourceId"], p["httpMethod"])
    changed = _blank_to_absent(METHOD_PATCH.apply(current, p.get("patchOperations") or []),
                               ("authorizerId", "requestValidatorId", "operationName"))
    check_method(definition, changed)
    find_resource(definition, p["resourceId"])["resourceMethods"][p["httpMethod"]] = changed
    await apis.save(api)
    return changed


async def delete_method(apis: RestApis, api: RestApi, p: Doc) -> None:
    find(api.draft, p["resourceId"], p["httpMethod"])
    resource = find_resource(api.draft, p["resourceId"])
    del resource["resourceMethods"][p["httpMethod"]]
    if not resource["resourceMethods"]:
        del resource["resourceMethods"]
    await apis.save(api)


# -- method responses -------------------------------------------------------------------------------


def find_method_response(method: Doc, status: str) -> Doc:
    response = (method.get("methodResponses") or {}).get(status)
    if response is None:
        raise errors.response_not_found()
    return response


def check_method_response(definition: ApiDefinition, response: Doc) -> None:
    for name in (response.get("responseModels") or {}).values():
        if name not in definition.models:
            raise errors.bad_request(f"Invalid model identifier specified: {name}")  # (unconfirmed)
    for key in response.get("responseParameters") or {}:
        if not _RESPONSE_PARAM.fullmatch(key):
            raise errors.bad_request(f"Invalid mapping expression specified: {key}")  # (unconfirmed)


async def put_method_response(apis: RestApis, api: RestApi, p: Doc) -> Doc:
    method = find(api.draft, p["resourceId"], p["httpMethod"])
    response: Doc = {"statusCode": p["statusCode"]}
    response.update((k, p[k]) for k in ("responseParameters", "responseModels") if p.get(k) is not None)
    check_method_response(api.draft, response)
    method.setdefault("methodResponses", {})[p["statusCode"]] = response
    await apis.save(api)
    return response


async def update_method_response(apis: RestApis, api: RestApi, p: Doc) -> Doc:
    method = find(api.draft, p["resourceId"], p["httpMethod"])
    current = find_method_response(method, p["statusCode"])
    changed = METHOD_RESPONSE_PATCH.apply(current, p.get("patchOperations") or [])
    check_method_response(api.draft, changed)
    method["methodResponses"][p["statusCode"]] = changed
    await apis.save(api)
    return changed


async def delete_method_response(apis: RestApis, api: RestApi, p: Doc) -> None:
    method = find(api.draft, p["resourceId"], p["httpMethod"])
    find_method_response(method, p["statusCode"])
    del method["methodResponses"][p["statusCode"]]
    if not method["methodResponses"]:
        del method["methodResponses"]
    await apis.save(api)


# -- integrations -----------------------------------------------------------------------------------


def find_integration(definition: ApiDefinition, p: Doc) -> Doc:
    integration = find(definition, p["resourceId"], p["httpMethod"]).get("methodIntegration")
    if integration is None:
        raise errors.integration_not_found()
    return integration


def _mapping_error(expression: str) -> Exception:
    # AWS's text for a mapping that names an undeclared method request/response parameter.
    return errors.bad_request("Invalid mapping expression specified: Validation Result: warnings : [], errors : "
                              f"[Invalid mapping expression parameter specified: {expression}]")


def check_integration(method: Doc, integration: Doc) -> None:
    kind = integration["type"]
    uri = integration.get("uri") or ""
    if kind in ("HTTP", "HTTP_PROXY", "AWS", "AWS_PROXY"):
        if not integration.get("httpMethod"):
            raise errors.bad_request("Enumeration value for HttpMethod must be non-empty")
        if integration["httpMethod"] not in HTTP_METHODS:
            raise errors.bad_request("Invalid HttpMethod specified. Valid options are "  # (unconfirmed)
                                     "GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY")
        if kind.startswith("HTTP") and not uri.startswith(("http://", "https://")):
            raise errors.bad_request("Invalid HTTP endpoint specified for URI")
        if kind.startswith("AWS"):
            parts = uri.split(":", 5)
            if len(parts) < 6 or parts[:3] != ["arn", "aws", "apigateway"]:
                raise errors.bad_request("Invalid ARN specified in the request")
            if not parts[5].startswith(("path/", "action/")):
                raise errors.bad_request("AWS ARN for integration must contain path or action")
            if kind == "AWS_PROXY" and not (parts[4] == "lambda" and parts[5].startswith("path/2015-03-31/functions/")
                                            and parts[5].endswith("/invocations")):
                raise errors.bad_request(  # (unconfirmed)
                    "Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream "
                    "invocations.")
    timeout = integration.get("timeoutInMillis")
    if timeout is not None and not TIMEOUT_RANGE[0] <= timeout <= TIMEOUT_RANGE[1]:
        raise errors.bad_request(f"Timeout should be between {TIMEOUT_RANGE[0]} ms and {TIMEOUT_RANGE[1]} ms")
    if integration.get("passthroughBehavior") not in PASSTHROUGH:
        raise errors.bad_request(  # (unconfirmed)
            f"Invalid passthrough behavior specified: {integration.get('passthroughBehavior')}")
    if integration.get("connectionType") == "VPC_LINK" and not integration.get("connectionId"):
        raise errors.bad_request("ConnectionId is required for a VPC_LINK connection type")  # (unconfirmed)
    declared = method.get("requestParameters") or {}
    for key, source in (integration.get("requestParameters") or {}).items():
        if not _INTEGRATION_PARAM.fullmatch(key):
            raise _mapping_error(key)
        if _METHOD_PARAM.fullmatch(source) and source not in declared:
            raise _mapping_error(source)


async def put_integration(apis: RestApis, api: RestApi, p: Doc) -> Doc:
    method = find(api.draft, p["resourceId"], p["httpMethod"])
    integration: Doc = {"type": p["type"]}
    if p.get("integrationHttpMethod"):
        integration["httpMethod"] = p["integrationHttpMethod"]
    integration.update((k, p[k]) for k in _INTEGRATION_OPTIONAL if p.get(k) is not None)
    integration["passthroughBehavior"] = p.get("passthroughBehavior") or "WHEN_NO_MATCH"
    timeout = p.get("timeoutInMillis")
    integration["timeoutInMillis"] = TIMEOUT_RANGE[1] if timeout is None else timeout
    integration["cacheNamespace"] = p.get("cacheNamespace") or p["resourceId"]
    integration["cacheKeyParameters"] = p.get("cacheKeyParameters") or []
    check_integration(method, integration)
    method["methodIntegration"] = integration
    await apis.save(api)
    return integration


async def update_integration(apis: RestApis, api: RestApi, p: Doc) -> Doc:
    method = find(api.draft, p["resourceId"], p["httpMethod"])
    current = find_integration(api.draft, p)
    changed = _blank_to_absent(INTEGRATION_PATCH.apply(current, p.get("patchOperations") or []),
                               ("credentials", "contentHandling", "connectionId"))
    changed.setdefault("cacheKeyParameters", [])
    changed.setdefault("timeoutInMillis", TIMEOUT_RANGE[1])
    check_integration(method, changed)
    method["methodIntegration"] = changed
    await apis.save(api)
    return changed


async def delete_integration(apis: RestApis, api: RestApi, p: Doc) -> None:
    find_integration(api.draft, p)
    del find(api.draft, p["resourceId"], p["httpMethod"])["methodIntegration"]
    await apis.save(api)


# -- integration responses --------------------------------------------------------------------------


def find_integration_response(integration: Doc, status: str) -> Doc:
    response = (integration.get("integrationResponses") or {}).get(status)
    if response is None:
        raise errors.response_not_found()
    return response


def check_integration_response(method: Doc, response: Doc) -> None:
    # The method response of the status code must exist (AWS answers 404 otherwise, the error
    # Terraform users meet when the integration response is created first).
    declared = find_method_response(method, response["statusCode"]).get("responseParameters") or {}
    for key in response.get("responseParameters") or {}:
        if key not in declared:
            raise _mapping_error(key)


async def put_integration_response(apis: RestApis, api: RestApi, p: Doc) -> Doc:
    method = find(api.draft, p["resourceId"], p["httpMethod"])
    integration = find_integration(api.draft, p)
    response: Doc = {"statusCode": p["statusCode"]}
    response.update((k, p[k]) for k in ("selectionPattern", "responseParameters", "responseTemplates",
                                         "contentHandling") if p.get(k) is not None)
    check_integration_response(method, response)
    integration.setdefault("integrationResponses", {})[p["statusCode"]] = response
    await apis.save(api)
    return response


async def update_integration_response(apis: RestApis, api: RestApi, p: Doc) -> Doc:
    method = find(api.draft, p["resourceId"], p["httpMethod"])
    integration = find_integration(api.draft, p)
    current = find_integration_response(integration, p["statusCode"])
    changed = _blank_to_absent(INTEGRATION_RESPONSE_PATCH.apply(current, p.get("patchOperations") or []),
                               ("contentHandling",))
    check_integration_response(method, changed)
    integration["integrationResponses"][p["statusCode"]] = changed
    await apis.save(api)
    return changed


async def delete_integration_response(apis: RestApis, api: RestApi, p: Doc) -> None:
    integration = find_integration(api.draft, p)
    find_integration_response(integration, p["statusCode"])
    del integration["integrationResponses"][p["statusCode"]]
    if not integration["integrationResponses"]:
        del integration["integrationResponses"]
    await apis.save(api)
