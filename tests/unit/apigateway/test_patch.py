"""The patchOperations applier: JSON Pointer unescaping, value conversions, AWS's error texts, and
the tables of the resources Terraform and CDK update.

https://docs.aws.amazon.com/apigateway/latest/api/patch-operations.html
https://docs.aws.amazon.com/apigateway/latest/api/API_PatchOperation.html
"""

from __future__ import annotations

from typing import Any

import pytest

from cloudlet.protocol.errors import AwsError
from cloudlet.services.apigateway.engine.methods import INTEGRATION_PATCH, METHOD_PATCH
from cloudlet.services.apigateway.engine.patch import (
    Entry,
    Field,
    Index,
    Item,
    PatchTable,
    Values,
    escape,
    to_bool,
    to_float,
    to_int,
    unescape,
)
from cloudlet.services.apigateway.engine.restapis import ACCOUNT_PATCH, RESTAPI_PATCH
from cloudlet.services.apigateway.engine.stages import METHOD_SETTING_DEFAULTS, STAGE_PATCH

TABLE = PatchTable(
    Field("/name"), Field("/count", to_int, ops=("replace", "remove")), Field("/on", to_bool),
    Field("/rate", to_float), Field("/nested/inner"), Entry("/map/{key}"), Entry("/flags/{key}", to_bool),
    Item("/items/{item}"), Values("/scopes", ops=("add", "remove", "replace")),
    Index("/list/{i}", ops=("add", "replace")),
    Field("/target", ops=("replace", "copy")),
)


def apply(doc: dict[str, Any], *ops: dict[str, Any], table: PatchTable = TABLE) -> dict[str, Any]:
    return table.apply(doc, list(ops))


def error(doc: dict[str, Any], *ops: dict[str, Any], table: PatchTable = TABLE) -> tuple[str, str, int]:
    with pytest.raises(AwsError) as exc:
        table.apply(doc, list(ops))
    return exc.value.code, exc.value.message, exc.value.status


def test_pointer_escapes() -> None:
    # RFC 6901: "~1" is "/", "~0" is "~", and "~01" is "~1" (not "/").
    assert unescape("application~1json") == "application/json"
    assert unescape("a~0b") == "a~b" and unescape("~01") == "~1"
    assert escape("image/png") == "image~1png" and unescape(escape("x~/y")) == "x~/y"


def test_scalars_and_conversions() -> None:
    doc = {"name": "a", "count": 1}
    out = apply(doc, {"op": "replace", "path": "/name", "value": "b"},
                {"op": "replace", "path": "/count", "value": "7"}, {"op": "replace", "path": "/on", "value": "TRUE"},
                {"op": "replace", "path": "/rate", "value": "2.5"},
                {"op": "replace", "path": "/nested/inner", "value": "x"})
    assert out == {"name": "b", "count": 7, "on": True, "rate": 2.5, "nested": {"inner": "x"}}
    assert doc == {"name": "a", "count": 1}  # the input is untouched
    assert "count" not in apply(doc, {"op": "remove", "path": "/count"})
    assert "count" not in apply(doc, {"op": "replace", "path": "/count", "value": ""})  # "" unsets a number
    assert error(doc, {"op": "replace", "path": "/count", "value": "many"})[0] == "BadRequestException"
    assert error(doc, {"op": "replace", "path": "/on", "value": "yes"})[0] == "BadRequestException"


def test_maps_lists_and_items() -> None:
    out = apply({}, {"op": "add", "path": "/map/application~1json", "value": "{}"},
                {"op": "add", "path": "/flags/method.request.header.X", "value": "true"},
                {"op": "add", "path": "/items/image~1png"}, {"op": "add", "path": "/items/image~1png"},
                {"op": "add", "path": "/scopes", "value": "email"}, {"op": "add", "path": "/list/0", "value": "a"})
    assert out == {"map": {"application/json": "{}"}, "flags": {"method.request.header.X": True},
                   "items": ["image/png"], "scopes": ["email"], "list": ["a"]}
    out = apply(out, {"op": "remove", "path": "/map/application~1json"}, {"op": "remove", "path": "/items/image~1png"},
                {"op": "replace", "path": "/list/0", "value": "b"}, {"op": "replace", "path": "/scopes", "value": "x"})
    assert out == {"flags": {"method.request.header.X": True}, "scopes": ["x"], "list": ["b"]}
    assert error({}, {"op": "replace", "path": "/list/5", "value": "x"})[0] == "BadRequestException"


def test_copy_from() -> None:
    # "op":"copy","from":"/canarySettings/deploymentId" promotes a canary (PatchOperation's `from`).
    out = apply({"nested": {"inner": "d2"}, "target": "d1"}, {"op": "copy", "from": "/nested/inner", "path": "/target"})
    assert out["target"] == "d2"


def test_aws_error_texts() -> None:
    # Two spaces after "path", as AWS writes it (boto/boto3#2504, localstack/localstack#9102).
    code, message, status = error({}, {"op": "replace", "path": "/nope", "value": "x"},
                                  table=PatchTable(Field("/name"), Field("/description")))
    assert (code, status) == ("BadRequestException", 400)
    assert message == "Invalid patch path  '/nope' specified for op 'replace'. Must be one of: [/name, /description]"
    assert error({}, {"op": "add", "path": "/name", "value": "x"}, table=PatchTable(Field("/name")))[1] == (
        "Invalid patch path  '/name' specified for op 'add'. Please choose supported operations")
    assert error({}, {"op": "move", "from": "/a", "path": "/name"}, table=PatchTable(Field("/name")))[1].endswith(
        "Please choose supported operations")
    assert error({}, {"op": "frobnicate", "path": "/name"})[1] == (
        "Invalid patch operation specified. Must be 'add'|'remove'|'replace'|'move'|'copy'|'test'")
    assert error({}, {"op": "replace", "value": "x"})[1].startswith("Invalid patch path  'null'")
    # A failing operation leaves nothing half done.
    doc = {"name": "a"}
    error(doc, {"op": "replace", "path": "/name", "value": "b"}, {"op": "replace", "path": "/bad", "value": "c"})
    assert doc == {"name": "a"}


def test_rest_api_table() -> None:
    api = {"name": "a", "endpointConfiguration": {"types": ["EDGE"]}, "binaryMediaTypes": ["image/png"]}
    out = RESTAPI_PATCH.apply(api, [
        {"op": "replace", "path": "/endpointConfiguration/types/0", "value": "REGIONAL"},
        {"op": "add", "path": "/binaryMediaTypes/*~1*"},
        {"op": "remove", "path": "/binaryMediaTypes/image~1png"},
        {"op": "replace", "path": "/minimumCompressionSize", "value": "0"},
    ])
    assert out["endpointConfiguration"]["types"] == ["REGIONAL"] and out["binaryMediaTypes"] == ["*/*"]
    assert out["minimumCompressionSize"] == 0
    with pytest.raises(AwsError):
        RESTAPI_PATCH.apply(api, [{"op": "replace", "path": "/endpointConfiguration/types/0", "value": "MOON"}])
    with pytest.raises(AwsError):
        RESTAPI_PATCH.apply(api, [{"op": "replace", "path": "/id", "value": "x"}])


def test_method_and_integration_tables() -> None:
    method = {"httpMethod": "GET", "authorizationType": "NONE", "apiKeyRequired": False}
    out = METHOD_PATCH.apply(method, [
        {"op": "add", "path": "/requestParameters/method.request.querystring.q", "value": "true"},
        {"op": "add", "path": "/requestModels/application~1json", "value": "Empty"},
        {"op": "add", "path": "/authorizationScopes", "value": "email"},
        {"op": "replace", "path": "/apiKeyRequired", "value": "true"},
    ])
    assert out["requestParameters"] == {"method.request.querystring.q": True}
    assert out["requestModels"] == {"application/json": "Empty"} and out["authorizationScopes"] == ["email"]
    assert out["apiKeyRequired"] is True
    integration = {"type": "HTTP", "cacheKeyParameters": []}
    out = INTEGRATION_PATCH.apply(integration, [
        {"op": "add", "path": "/cacheKeyParameters/method.request.path.id"},
        {"op": "replace", "path": "/requestTemplates/application~1json", "value": "#set($a = 1)"},
        {"op": "replace", "path": "/tlsConfig/insecureSkipVerification", "value": "true"},
        {"op": "replace", "path": "/timeoutInMillis", "value": "500"},
    ])
    assert out["cacheKeyParameters"] == ["method.request.path.id"] and out["timeoutInMillis"] == 500
    assert out["requestTemplates"] == {"application/json": "#set($a = 1)"}
    assert out["tlsConfig"] == {"insecureSkipVerification": True}


def test_stage_method_settings() -> None:
    # The methodSettings key is the path's text before the setting: "*/*", "~1pets/GET", or
    # Terraform's method_path form "pets/GET" (https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateStage.html).
    out = STAGE_PATCH.apply({"methodSettings": {}}, [
        {"op": "replace", "path": "/*/*/logging/loglevel", "value": "ERROR"},
        {"op": "replace", "path": "/~1pets~1{id}/GET/throttling/rateLimit", "value": "5"},
        {"op": "replace", "path": "/pets/items/POST/caching/ttlInSeconds", "value": "10"},
        {"op": "replace", "path": "/*/*/caching/unauthorizedCacheControlHeaderStrategy", "value": "FAIL_WITH_403"},
    ])
    settings = out["methodSettings"]
    assert set(settings) == {"*/*", "~1pets~1{id}/GET", "pets/items/POST"}
    assert settings["*/*"] == {**METHOD_SETTING_DEFAULTS, "loggingLevel": "ERROR",
                               "unauthorizedCacheControlHeaderStrategy": "FAIL_WITH_403"}
    assert settings["~1pets~1{id}/GET"]["throttlingRateLimit"] == 5.0
    assert settings["pets/items/POST"]["cacheTtlInSeconds"] == 10
    out = STAGE_PATCH.apply(out, [{"op": "remove", "path": "/pets/items/POST"},
                                  {"op": "add", "path": "/variables/x", "value": "1"},
                                  {"op": "remove", "path": "/variables/x"}])
    assert set(out["methodSettings"]) == {"*/*", "~1pets~1{id}/GET"} and "variables" not in out
    with pytest.raises(AwsError):
        STAGE_PATCH.apply(out, [{"op": "replace", "path": "/*/FETCH/logging/loglevel", "value": "INFO"}])
    with pytest.raises(AwsError):
        STAGE_PATCH.apply(out, [{"op": "replace", "path": "/*/*/logging/nothing", "value": "INFO"}])
    # Promoting a canary: copy its deployment to the stage's.
    out = STAGE_PATCH.apply({"deploymentId": "d1", "canarySettings": {"deploymentId": "d2"}}, [
        {"op": "copy", "from": "/canarySettings/deploymentId", "path": "/deploymentId"},
        {"op": "remove", "path": "/canarySettings"}])
    assert out == {"deploymentId": "d2"}


def test_account_table() -> None:
    out = ACCOUNT_PATCH.apply({}, [{"op": "replace", "path": "/cloudwatchRoleArn", "value": "arn:aws:iam::1:role/r"}])
    assert out == {"cloudwatchRoleArn": "arn:aws:iam::1:role/r"}
    with pytest.raises(AwsError):
        ACCOUNT_PATCH.apply({}, [{"op": "replace", "path": "/features", "value": "x"}])
