"""ImportRestApi, PutRestApi and GetExport: the OpenAPI translation lives in `openapi_import` and
`openapi_export`; this module gives it the definitions and keeps the API's identity.

Those modules are imported on first use, so the control plane runs (and answers 501 for these
three operations) while they are not there.
https://docs.aws.amazon.com/apigateway/latest/api/API_ImportRestApi.html
https://docs.aws.amazon.com/apigateway/latest/api/API_PutRestApi.html
https://docs.aws.amazon.com/apigateway/latest/api/API_GetExport.html
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import orjson

from cloudlet.services.apigateway.engine import errors
from cloudlet.services.apigateway.engine.apis import RestApi, RestApis
from cloudlet.services.apigateway.engine.definition import ApiDefinition
from cloudlet.services.apigateway.engine.ids import API_ID_LEN, new_id
from cloudlet.services.apigateway.engine.restapis import CUSTOM_ID_TAG, check_api, new_api_id, now

Doc = dict[str, Any]
EXPORT_TYPES = ("oas30", "swagger")
Importer = Callable[..., tuple[ApiDefinition, list[str]]]


def _importer() -> Any:
    """The openapi_import module (import_definition; bind_api_id, which writes a new API's id into
    model references)."""
    try:
        from cloudlet.services.apigateway.engine import openapi_import
    except ImportError:
        raise errors.not_implemented("cloudlet cannot import OpenAPI definitions yet") from None
    return openapi_import


def _with_root(definition: ApiDefinition) -> None:
    """The imported definition's root resource (made if the importer made none)."""
    if definition.api.get("rootResourceId") in definition.resources:
        return
    root = next((r for r in definition.resources.values() if r.get("path") == "/"), None)
    if root is None:
        root = {"id": new_id(API_ID_LEN), "path": "/"}
        definition.resources[root["id"]] = root
    definition.api["rootResourceId"] = root["id"]


def _output(api: Doc, warnings: list[str]) -> Doc:
    return {**api, "warnings": warnings} if warnings else api


async def import_rest_api(apis: RestApis, account: str, region: str, p: Doc) -> Doc:
    module = _importer()
    importer: Importer = module.import_definition
    definition, warnings = importer(
        p.get("body") or b"", definition=None, mode="overwrite", fail_on_warnings=bool(p.get("failOnWarnings")),
        parameters=dict(p.get("parameters") or {}), new_id=new_id)
    api = definition.api
    api_id = (api.get("tags") or {}).get(CUSTOM_ID_TAG) or new_api_id(apis)
    if apis.exists(api_id):
        raise errors.conflict(f"An API with id {api_id} already exists")  # (cloudlet: only with _custom_id_)
    api["id"] = api_id
    bind = getattr(module, "bind_api_id", None)
    if bind is not None:
        bind(definition, api_id)
    api.setdefault("createdDate", now())
    api.setdefault("apiKeySource", "HEADER")
    api.setdefault("endpointConfiguration", {"types": ["EDGE"], "ipAddressType": "ipv4"})
    api.setdefault("disableExecuteApiEndpoint", False)
    _with_root(definition)
    check_api(api)
    await apis.save(RestApi(account, region, definition))
    return _output(api, warnings)


async def put_rest_api(apis: RestApis, api: RestApi, p: Doc) -> Doc:
    importer: Importer = _importer().import_definition
    definition, warnings = importer(
        p.get("body") or b"", definition=api.draft.frozen(), mode=p.get("mode") or "merge",
        fail_on_warnings=bool(p.get("failOnWarnings")), parameters=dict(p.get("parameters") or {}), new_id=new_id)
    # The API keeps its identity whatever the document says.
    for key in ("id", "createdDate", "tags"):
        if key in api.draft.api:
            definition.api[key] = api.draft.api[key]
    definition.api.setdefault("rootResourceId", api.draft.root_id())
    _with_root(definition)
    check_api(definition.api)
    api.draft = definition
    await apis.save(api)
    return _output(definition.api, warnings)


def endpoint_host(api_id: str, endpoint: str) -> str:
    """The API's invoke host on this cloudlet (LocalStack's host-based form), for export's servers."""
    port = urlsplit(endpoint).port
    return f"{api_id}.execute-api.localhost.localstack.cloud" + (f":{port}" if port else "")


def get_export(api: RestApi, p: Doc, endpoint: str) -> Doc:
    stage = api.stage(p["stageName"])
    deployment = api.deployment(stage["deploymentId"])
    export_type = p["exportType"]
    if export_type not in EXPORT_TYPES:
        raise errors.bad_request(f"Invalid export type specified: {export_type}")  # (unconfirmed)
    try:
        from cloudlet.services.apigateway.engine import openapi_export
    except ImportError:
        raise errors.not_implemented("cloudlet cannot export OpenAPI definitions yet") from None
    parameters = p.get("parameters") or {}
    document = openapi_export.export_definition(
        deployment.definition, stage, export_type=export_type, extensions=parameters.get("extensions"),
        endpoint_host=endpoint_host(api.id, endpoint))
    render = getattr(openapi_export, "render_export", _render)
    body, content_type = render(document, p.get("accepts"))
    ext = "yaml" if "yaml" in content_type else "json"
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return {"body": body, "contentType": content_type,
            "contentDisposition": f'attachment; filename="{export_type}_{stamp}.{ext}"'}


def _render(document: Doc, accepts: str | None) -> tuple[bytes, str]:
    if "yaml" in (accepts or "").lower():
        return _yaml().safe_dump(document, sort_keys=False, allow_unicode=True).encode(), "application/yaml"
    return orjson.dumps(document, option=orjson.OPT_INDENT_2), "application/json"


def _yaml() -> Any:
    import yaml  # ~15 ms to import: on first use, not at start-up

    return yaml
