"""Models (JSON Schema draft 4), request validators, gateway responses and authorizers of an API.

https://docs.aws.amazon.com/apigateway/latest/api/API_CreateModel.html
https://docs.aws.amazon.com/apigateway/latest/api/API_CreateRequestValidator.html
https://docs.aws.amazon.com/apigateway/latest/api/API_PutGatewayResponse.html
https://docs.aws.amazon.com/apigateway/latest/api/API_CreateAuthorizer.html
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from cloudlet.services.apigateway.engine import errors
from cloudlet.services.apigateway.engine.apis import RestApi, RestApis, paginate
from cloudlet.services.apigateway.engine.ids import unique_id
from cloudlet.services.apigateway.engine.patch import ALL, Entry, Field, Item, PatchTable, Values, to_bool, to_int

Doc = dict[str, Any]
_MODEL_NAME = re.compile(r"[A-Za-z0-9]+")
_STATUS = re.compile(r"[1-5]\d\d")

MODEL_PATCH = PatchTable(Field("/schema"), Field("/description"))
VALIDATOR_PATCH = PatchTable(Field("/name"), Field("/validateRequestBody", to_bool),
                             Field("/validateRequestParameters", to_bool))
GATEWAY_RESPONSE_PATCH = PatchTable(Field("/statusCode"), Entry("/responseParameters/{parameter}"),
                                    Entry("/responseTemplates/{contentType}"))
AUTHORIZER_PATCH = PatchTable(
    Field("/name"), Field("/type"), Field("/authType"), Field("/authorizerUri"), Field("/authorizerCredentials"),
    Field("/identitySource"), Field("/identityValidationExpression"),
    Field("/authorizerResultTtlInSeconds", to_int), Item("/providerARNs/{arn}"), Values("/providerARNs", ops=ALL),
)

# Each gateway response type's default status code (None: DEFAULT_4XX and DEFAULT_5XX have none).
# https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
DEFAULT_STATUS: dict[str, str | None] = {
    "ACCESS_DENIED": "403", "API_CONFIGURATION_ERROR": "500", "AUTHORIZER_CONFIGURATION_ERROR": "500",
    "AUTHORIZER_FAILURE": "500", "BAD_REQUEST_PARAMETERS": "400", "BAD_REQUEST_BODY": "400",
    "DEFAULT_4XX": None, "DEFAULT_5XX": None, "EXPIRED_TOKEN": "403", "INTEGRATION_FAILURE": "504",
    "INTEGRATION_TIMEOUT": "504", "INVALID_API_KEY": "403", "INVALID_SIGNATURE": "403",
    "MISSING_AUTHENTICATION_TOKEN": "403", "QUOTA_EXCEEDED": "429", "REQUEST_TOO_LARGE": "413",
    "RESOURCE_NOT_FOUND": "404", "THROTTLED": "429", "UNAUTHORIZED": "401", "UNSUPPORTED_MEDIA_TYPE": "415",
    "WAF_FILTERED": "403",
}
# The body template every default gateway response has (GetGatewayResponses' example).
DEFAULT_TEMPLATE = '{"message":$context.error.messageString}'


def default_gateway_response(response_type: str) -> Doc:
    """AWS's default GatewayResponse of a type (what GetGatewayResponse answers until one is put)."""
    out: Doc = {"responseType": response_type, "responseParameters": {},
                "responseTemplates": {"application/json": DEFAULT_TEMPLATE}, "defaultResponse": True}
    status = DEFAULT_STATUS.get(response_type)
    if status is not None:
        out["statusCode"] = status
    return out


# -- models -----------------------------------------------------------------------------------------


def find_model(api: RestApi, name: str) -> Doc:
    model = api.draft.models.get(name)
    if model is None:
        raise errors.model_not_found(name)
    return model


def check_schema(schema: str | None) -> None:
    """A model's schema must be JSON and a valid JSON Schema draft 4 document."""
    if schema is None:
        return
    prefix = "Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified"
    try:
        document = orjson.loads(schema)
    except orjson.JSONDecodeError:
        raise errors.bad_request(prefix + "]") from None
    try:
        import jsonschema  # ~40 ms to import: on first use, not at start-up

        jsonschema.Draft4Validator.check_schema(document)
    except jsonschema.SchemaError as e:
        raise errors.bad_request(f"{prefix}: {e.message}]") from None  # (detail: cloudlet's)


async def create_model(apis: RestApis, api: RestApi, p: Doc) -> Doc:
    name = p["name"]
    if not _MODEL_NAME.fullmatch(name):
        raise errors.bad_request("Model name must be alphanumeric")  # (unconfirmed)
    if name in api.draft.models:
        raise errors.conflict("Model name already exists for this REST API")
    check_schema(p.get("schema"))
    model: Doc = {"id": unique_id({m["id"] for m in api.draft.models.values()}), "name": name,
                  "contentType": p["contentType"]}
    model.update((k, p[k]) for k in ("description", "schema") if p.get(k) is not None)
    api.draft.models[name] = model
    await apis.save(api)
    return model


def list_models(api: RestApi, p: Doc) -> Doc:
    items, position = paginate(api.draft.models.items(), p)
    return {"items": items, "position": position}


async def update_model(apis: RestApis, api: RestApi, p: Doc) -> Doc:
    changed = MODEL_PATCH.apply(find_model(api, p["modelName"]), p.get("patchOperations") or [])
    check_schema(changed.get("schema"))
    api.draft.models[p["modelName"]] = changed
    await apis.save(api)
    return changed


async def delete_model(apis: RestApis, api: RestApi, p: Doc) -> None:
    name = p["modelName"]
    find_model(api, name)
    for r in api.draft.resources.values():
        for verb, m in (r.get("resourceMethods") or {}).items():
            if name in (m.get("requestModels") or {}).values():
                raise errors.bad_request(  # (unconfirmed)
                    f"Cannot delete model '{name}', is referenced in method request: {r['path']}/{verb}")
    del api.draft.models[name]
    await apis.save(api)


def model_template(api: RestApi, p: Doc) -> Doc:
    """GetModelTemplate: a mapping template that copies the schema's fields from the input."""
    schema = find_model(api, p["modelName"]).get("schema") or "{}"
    try:
        document = orjson.loads(schema)
    except orjson.JSONDecodeError:
        document = {}
    body = _template(document if isinstance(document, dict) else {}, "$inputRoot", "")
    return {"value": "#set($inputRoot = $input.path('$'))\n" + body}


def _template(schema: Doc, ref: str, indent: str) -> str:
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties") or {}
        if not props:
            return "{ }"
        inner = indent + "  "
        lines = [f'{inner}"{k}" : {_template(v if isinstance(v, dict) else {}, f"{ref}.{k}", inner)}'
                 for k, v in props.items()]
        return "{\n" + ",\n".join(lines) + f"\n{indent}}}"
    if kind == "array":
        item = schema.get("items") if isinstance(schema.get("items"), dict) else {}
        element = _template(item or {}, "$elem", indent + "  ")
        return (f"[\n#foreach($elem in {ref})\n{indent}  {element}#if($foreach.hasNext),#end\n#end\n{indent}]")
    if kind in ("integer", "number", "boolean"):
        return ref
    return f'"{ref}"'


# -- request validators -----------------------------------------------------------------------------


def find_validator(api: RestApi, validator_id: str) -> Doc:
    v = api.draft.request_validators.get(validator_id)
    if v is None:
        raise errors.validator_not_found()
    return v


async def create_validator(apis: RestApis, api: RestApi, p: Doc) -> Doc:
    vid = unique_id(api.draft.request_validators)
    validator: Doc = {"id": vid, "validateRequestBody": bool(p.get("validateRequestBody")),
                      "validateRequestParameters": bool(p.get("validateRequestParameters"))}
    if p.get("name") is not None:
        validator["name"] = p["name"]
    api.draft.request_validators[vid] = validator
    await apis.save(api)
    return validator


def list_validators(api: RestApi, p: Doc) -> Doc:
    items, position = paginate(api.draft.request_validators.items(), p)
    return {"items": items, "position": position}


async def update_validator(apis: RestApis, api: RestApi, p: Doc) -> Doc:
    changed = VALIDATOR_PATCH.apply(find_validator(api, p["requestValidatorId"]), p.get("patchOperations") or [])
    api.draft.request_validators[changed["id"]] = changed
    await apis.save(api)
    return changed


async def delete_validator(apis: RestApis, api: RestApi, p: Doc) -> None:
    find_validator(api, p["requestValidatorId"])
    del api.draft.request_validators[p["requestValidatorId"]]
    await apis.save(api)


# -- gateway responses ------------------------------------------------------------------------------


def get_gateway_response(api: RestApi, response_type: str) -> Doc:
    return api.draft.gateway_responses.get(response_type) or default_gateway_response(response_type)


def list_gateway_responses(api: RestApi, p: Doc) -> Doc:
    items, position = paginate(((t, get_gateway_response(api, t)) for t in DEFAULT_STATUS), p)
    return {"items": items, "position": position}


async def put_gateway_response(apis: RestApis, api: RestApi, p: Doc) -> Doc:
    response: Doc = {"responseType": p["responseType"]}
    response.update((k, p[k]) for k in ("statusCode", "responseParameters", "responseTemplates")
                    if p.get(k) is not None)
    response["defaultResponse"] = False
    api.draft.gateway_responses[p["responseType"]] = response
    await apis.save(api)
    return response


async def update_gateway_response(apis: RestApis, api: RestApi, p: Doc) -> Doc:
    current = get_gateway_response(api, p["responseType"])
    changed = GATEWAY_RESPONSE_PATCH.apply(current, p.get("patchOperations") or [])
    changed["defaultResponse"] = False
    if not changed.get("statusCode"):
        changed.pop("statusCode", None)
    elif not _STATUS.fullmatch(changed["statusCode"]):  # the model's StatusCode pattern
        raise errors.bad_request(f"Invalid status code specified: {changed['statusCode']}")  # (unconfirmed)
    api.draft.gateway_responses[p["responseType"]] = changed
    await apis.save(api)
    return changed


async def delete_gateway_response(apis: RestApis, api: RestApi, p: Doc) -> None:
    if p["responseType"] not in api.draft.gateway_responses:
        raise errors.gateway_response_not_found()
    del api.draft.gateway_responses[p["responseType"]]
    await apis.save(api)


# -- authorizers (stored; the data plane enforces them) ---------------------------------------------

_AUTHORIZER_OPTIONAL = ("providerARNs", "authType", "authorizerUri", "authorizerCredentials", "identitySource",
                        "identityValidationExpression")


def find_authorizer(api: RestApi, authorizer_id: str) -> Doc:
    a = api.draft.authorizers.get(authorizer_id)
    if a is None:
        raise errors.authorizer_not_found()
    return a


def check_authorizer(a: Doc) -> None:
    if a.get("type") not in ("TOKEN", "REQUEST", "COGNITO_USER_POOLS"):
        raise errors.bad_request(f"Invalid authorizer type specified: {a.get('type')}")  # (unconfirmed)
    if a["type"] == "COGNITO_USER_POOLS" and not a.get("providerARNs"):
        raise errors.bad_request("ProviderARNs need to be specified for COGNITO_USER_POOLS authorizer")  # (unconfirmed)
    if a["type"] != "COGNITO_USER_POOLS" and not a.get("authorizerUri"):
        raise errors.bad_request(f"Authorizer URI must be specified for authorizer type {a['type']}")  # (unconfirmed)
    ttl = a.get("authorizerResultTtlInSeconds")
    if ttl is not None and not 0 <= ttl <= 3600:
        raise errors.bad_request("Authorizer result TTL must be between 0 and 3600 seconds")  # (unconfirmed)


async def create_authorizer(apis: RestApis, api: RestApi, p: Doc) -> Doc:
    aid = unique_id(api.draft.authorizers)
    authorizer: Doc = {"id": aid, "name": p["name"], "type": p["type"]}
    authorizer.update((k, p[k]) for k in _AUTHORIZER_OPTIONAL if p.get(k) is not None)
    ttl = p.get("authorizerResultTtlInSeconds")
    authorizer["authorizerResultTtlInSeconds"] = 300 if ttl is None else ttl
    check_authorizer(authorizer)
    api.draft.authorizers[aid] = authorizer
    await apis.save(api)
    return authorizer


def list_authorizers(api: RestApi, p: Doc) -> Doc:
    items, position = paginate(api.draft.authorizers.items(), p)
    return {"items": items, "position": position}


async def update_authorizer(apis: RestApis, api: RestApi, p: Doc) -> Doc:
    changed = AUTHORIZER_PATCH.apply(find_authorizer(api, p["authorizerId"]), p.get("patchOperations") or [])
    check_authorizer(changed)
    api.draft.authorizers[changed["id"]] = changed
    await apis.save(api)
    return changed


async def delete_authorizer(apis: RestApis, api: RestApi, p: Doc) -> None:
    find_authorizer(api, p["authorizerId"])
    for r in api.draft.resources.values():
        for verb, m in (r.get("resourceMethods") or {}).items():
            if m.get("authorizerId") == p["authorizerId"]:
                raise errors.conflict(  # (unconfirmed)
                    f"Cannot delete authorizer '{p['authorizerId']}', is referenced in method: {verb}:{r['path']}")
    del api.draft.authorizers[p["authorizerId"]]
    await apis.save(api)
