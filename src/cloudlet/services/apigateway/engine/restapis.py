"""RestApi resources (Create/Get/Update/Delete, cloneFrom), tags, and the account settings.

https://docs.aws.amazon.com/apigateway/latest/api/API_CreateRestApi.html
https://docs.aws.amazon.com/apigateway/latest/api/API_TagResource.html
https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateAccount.html
"""

from __future__ import annotations

import time
from typing import Any

from cloudlet.services.apigateway.engine import errors
from cloudlet.services.apigateway.engine.apis import RestApi, RestApis, paginate
from cloudlet.services.apigateway.engine.definition import ApiDefinition
from cloudlet.services.apigateway.engine.ids import API_ID_LEN, new_id, unique_id
from cloudlet.services.apigateway.engine.patch import (
    ALL,
    Field,
    Index,
    Item,
    PatchTable,
    Values,
    one_of,
    to_bool,
    to_int,
)

Doc = dict[str, Any]
CUSTOM_ID_TAG = "_custom_id_"  # LocalStack's convention: this tag on CreateRestApi fixes the id
MAX_COMPRESSION = 10485760  # https://docs.aws.amazon.com/apigateway/latest/api/API_CreateRestApi.html

# Every new REST API has these two models.
# https://docs.aws.amazon.com/apigateway/latest/developerguide/models-mappings-models.html
DEFAULT_MODELS: dict[str, Doc] = {
    "Empty": {"name": "Empty", "description": "This is a default empty schema model", "contentType": "application/json",
              "schema": '{\n  "$schema": "http://json-schema.org/draft-04/schema#",\n  "title" : "Empty Schema",\n'
                        '  "type" : "object"\n}'},
    "Error": {"name": "Error", "description": "This is a default error schema model", "contentType": "application/json",
              "schema": '{\n  "$schema" : "http://json-schema.org/draft-04/schema#",\n  "title" : "Error Schema",\n'
                        '  "type" : "object",\n  "properties" : {\n    "message" : { "type" : "string" }\n  }\n}'},
}
_OPTIONAL = ("description", "version", "binaryMediaTypes", "minimumCompressionSize", "policy",
             "securityPolicy", "endpointAccessMode")

# https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateRestApi.html
RESTAPI_PATCH = PatchTable(
    Field("/name"),
    Field("/description"),
    Field("/version"),
    Field("/policy"),
    Field("/minimumCompressionSize", to_int),
    Field("/apiKeySource", one_of("HEADER", "AUTHORIZER")),
    Field("/disableExecuteApiEndpoint", to_bool),
    Item("/binaryMediaTypes/{mediaType}"),
    Index("/endpointConfiguration/types/{index}", one_of("EDGE", "REGIONAL", "PRIVATE")),
    Field("/endpointConfiguration/ipAddressType", one_of("ipv4", "dualstack")),
    Values("/endpointConfiguration/vpcEndpointIds", ops=ALL),
)


def now() -> int:
    return int(time.time())


def new_definition(api_id: str, name: str, created: int | None = None) -> ApiDefinition:
    """An API with its root resource "/" and the default models, nothing else."""
    root = new_id(API_ID_LEN)
    api: Doc = {"id": api_id, "name": name, "createdDate": created or now(), "apiKeySource": "HEADER",
                "endpointConfiguration": {"types": ["EDGE"], "ipAddressType": "ipv4"},
                "disableExecuteApiEndpoint": False, "rootResourceId": root}
    models = {n: {**m, "id": new_id()} for n, m in DEFAULT_MODELS.items()}
    return ApiDefinition(api, {root: {"id": root, "path": "/"}}, models)


def new_api_id(apis: RestApis) -> str:
    while True:
        candidate = new_id(API_ID_LEN)
        if not apis.exists(candidate):
            return candidate


async def create(apis: RestApis, account: str, region: str, p: Doc) -> Doc:
    tags = dict(p.get("tags") or {})
    api_id = tags.get(CUSTOM_ID_TAG) or new_api_id(apis)
    if apis.exists(api_id):
        raise errors.conflict(f"An API with id {api_id} already exists")  # (cloudlet: only with _custom_id_)
    source = apis.get(account, region, p["cloneFrom"]) if p.get("cloneFrom") else None
    definition = new_definition(api_id, p["name"])
    if source is not None:
        definition = clone(source.draft, definition)
    api = definition.api
    for key in _OPTIONAL:
        if p.get(key) is not None:
            api[key] = p[key]
    if p.get("apiKeySource"):
        api["apiKeySource"] = p["apiKeySource"]
    if p.get("endpointConfiguration"):
        api["endpointConfiguration"] = {"ipAddressType": "ipv4", **p["endpointConfiguration"]}
    if p.get("disableExecuteApiEndpoint") is not None:
        api["disableExecuteApiEndpoint"] = p["disableExecuteApiEndpoint"]
    if tags:
        api["tags"] = tags
    check_api(api)
    await apis.save(RestApi(account, region, definition))
    return api


def clone(source: ApiDefinition, target: ApiDefinition) -> ApiDefinition:
    """target (a new API's definition) with source's resources, methods, models, validators,
    authorizers and gateway responses, under new ids."""
    src = source.frozen()
    root = target.root_id()
    rids = {old: root if old == src.root_id() else unique_id(src.resources) for old in src.resources}
    vids = {old: unique_id(src.request_validators) for old in src.request_validators}
    aids = {old: unique_id(src.authorizers) for old in src.authorizers}
    resources: dict[str, Doc] = {}
    for old, r in src.resources.items():
        r["id"] = rids[old]
        if "parentId" in r:
            r["parentId"] = rids[r["parentId"]]
        for m in (r.get("resourceMethods") or {}).values():
            if m.get("requestValidatorId") in vids:
                m["requestValidatorId"] = vids[m["requestValidatorId"]]
            if m.get("authorizerId") in aids:
                m["authorizerId"] = aids[m["authorizerId"]]
            integration = m.get("methodIntegration")
            if integration and integration.get("cacheNamespace") == old:
                integration["cacheNamespace"] = rids[old]
        resources[rids[old]] = r
    target.resources = resources
    target.models = {n: {**m, "id": new_id()} for n, m in src.models.items()}
    target.request_validators = {vids[k]: {**v, "id": vids[k]} for k, v in src.request_validators.items()}
    target.authorizers = {aids[k]: {**a, "id": aids[k]} for k, a in src.authorizers.items()}
    target.gateway_responses = src.gateway_responses
    for key in ("description", "binaryMediaTypes", "minimumCompressionSize", "apiKeySource", "policy",
                "endpointConfiguration"):
        if key in src.api:
            target.api[key] = src.api[key]
    return target


def check_api(api: Doc) -> None:
    size = api.get("minimumCompressionSize")
    if size is not None and not 0 <= size <= MAX_COMPRESSION:
        raise errors.bad_request(f"Invalid minimum compression size, must be between 0 and {MAX_COMPRESSION}")
    if not api.get("name"):
        raise errors.bad_request("Invalid REST API name specified")  # (unconfirmed)
    types = (api.get("endpointConfiguration") or {}).get("types") or []
    if len(types) != 1:
        raise errors.bad_request("Only one endpoint type may be specified")  # (unconfirmed)


def list_apis(apis: RestApis, account: str, region: str, p: Doc) -> Doc:
    items, position = paginate(((a.id, a.draft.api) for a in apis.list(account, region)), p)
    return {"items": items, "position": position}


async def update(apis: RestApis, api: RestApi, p: Doc) -> Doc:
    changed = RESTAPI_PATCH.apply(api.draft.api, p.get("patchOperations") or [])
    check_api(changed)
    api.draft.api = changed
    await apis.save(api)
    return changed


# -- tags -------------------------------------------------------------------------------------------


def tagged(apis: RestApis, account: str, region: str, arn: str) -> tuple[RestApi, str | None]:
    """The API (and stage name) an ARN names: arn:aws:apigateway:{region}::/restapis/{id}[/stages/{name}]."""
    prefix, _, path = arn.partition("::")
    parts = path.split("/")
    if not prefix.startswith("arn:aws:apigateway:") or len(parts) not in (3, 5) or parts[:2] != ["", "restapis"]:
        raise errors.bad_request(f"Invalid ARN specified: {arn}")  # (unconfirmed)
    arn_region = prefix.removeprefix("arn:aws:apigateway:")
    api = apis.get(account, arn_region or region, parts[2])
    if len(parts) == 5:
        if parts[3] != "stages":
            raise errors.bad_request(f"Invalid ARN specified: {arn}")  # (unconfirmed)
        api.stage(parts[4])
        return api, parts[4]
    return api, None


async def tag(apis: RestApis, account: str, region: str, arn: str, tags: dict[str, str]) -> None:
    api, stage = tagged(apis, account, region, arn)
    if stage is None:
        api.draft.api["tags"] = {**api.draft.api.get("tags", {}), **tags}
    else:
        old = api.stages[stage]
        api.stages[stage] = {**old, "tags": {**old.get("tags", {}), **tags}}
    await apis.save(api)


async def untag(apis: RestApis, account: str, region: str, arn: str, keys: list[str]) -> None:
    api, stage = tagged(apis, account, region, arn)
    holder = api.draft.api if stage is None else dict(api.stages[stage])
    remaining = {k: v for k, v in holder.get("tags", {}).items() if k not in keys}
    if remaining:
        holder["tags"] = remaining
    else:
        holder.pop("tags", None)
    if stage is not None:
        api.stages[stage] = holder
    await apis.save(api)


def get_tags(apis: RestApis, account: str, region: str, arn: str) -> Doc:
    api, stage = tagged(apis, account, region, arn)
    holder = api.draft.api if stage is None else api.stages[stage]
    return {"tags": dict(holder.get("tags", {}))}


# -- account ----------------------------------------------------------------------------------------

# Only the CloudWatch role can be changed. AWS checks that API Gateway may assume the role; cloudlet
# stores it as given. https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateAccount.html
ACCOUNT_PATCH = PatchTable(Field("/cloudwatchRoleArn", ops=ALL))


async def update_account(apis: RestApis, account: str, region: str, p: Doc) -> Doc:
    current = {k: v for k, v in apis.account_settings(account, region).items() if k == "cloudwatchRoleArn"}
    changed = ACCOUNT_PATCH.apply(current, p.get("patchOperations") or [])
    if not changed.get("cloudwatchRoleArn"):
        changed.pop("cloudwatchRoleArn", None)
    await apis.save_account(account, region, changed)
    return apis.account_settings(account, region)
