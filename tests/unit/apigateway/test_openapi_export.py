"""GetExport as a pure function, and export -> import round trips.

Follows AWS's "Export a REST API from API Gateway" (api-gateway-export-api: exportType oas30|swagger,
extensions=integrations|apigateway|authorizers|postman, Accept application/json|application/yaml),
the GetExport API reference, and "API Gateway extensions to OpenAPI" for the extensions written.
"""

from __future__ import annotations

import copy
import json
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from cloudlet.protocol.errors import AwsError
from cloudlet.services.apigateway.engine.definition import ApiDefinition
from cloudlet.services.apigateway.engine.openapi_common import map_refs
from cloudlet.services.apigateway.engine.openapi_export import export_definition, render_export
from cloudlet.services.apigateway.engine.openapi_import import bind_api_id, import_definition

FIXTURES = Path(__file__).parent / "openapi"
ALPHABET = string.ascii_lowercase + string.digits
HOST = "abc123.execute-api.localhost.localstack.cloud:4566"
STAGE = {"stageName": "test", "variables": {"v": "1"}}


def ids(start: int = 1) -> Callable[[int], str]:
    counter = iter(range(start, 10**9))

    def new_id(n: int) -> str:
        i, out = next(counter), ""
        while i:
            i, r = divmod(i, 36)
            out = ALPHABET[r] + out
        return out.rjust(n, "a")

    return new_id


def load(body: bytes | dict, start: int = 1) -> ApiDefinition:
    if isinstance(body, dict):
        body = json.dumps(body).encode()
    d, warnings = import_definition(body, definition=None, mode="merge", fail_on_warnings=False, parameters={},
                                    new_id=ids(start))
    assert warnings == []
    d.api.update({"id": "abc123", "createdDate": 1700000000})
    bind_api_id(d, "abc123")
    return d


def fixture(name: str) -> ApiDefinition:
    return load((FIXTURES / name).read_bytes())


def export(d: ApiDefinition, export_type: str = "oas30", extensions: str | None = "apigateway") -> dict[str, Any]:
    return export_definition(d, STAGE, export_type=export_type, extensions=extensions, endpoint_host=HOST)


def exts(value: Any) -> set[str]:
    """Every x-amazon-apigateway-* key anywhere in a document."""
    found: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            if k.startswith("x-amazon-apigateway-"):
                found.add(k)
            found |= exts(v)
    elif isinstance(value, list):
        for v in value:
            found |= exts(v)
    return found


# --- document shape ---------------------------------------------------------------------------------


def test_oas30_document() -> None:
    doc = export(fixture("petstore_oas3.json"), extensions=None)
    assert doc["openapi"] == "3.0.1"
    assert doc["info"] == {"title": "PetStore", "description": doc["info"]["description"],
                           "version": "2017-04-20T04:08:08Z"}
    assert doc["servers"] == [{"url": f"http://{HOST}/{{basePath}}", "variables": {"basePath": {"default": "test"}}}]
    assert list(doc["paths"]) == ["/", "/pets", "/pets/{petId}"]
    get = doc["paths"]["/pets"]["get"]
    assert get["operationId"] == "GetPets"
    assert {p["name"]: p for p in get["parameters"]}["page"] == {"name": "page", "in": "query",
                                                                 "schema": {"type": "string"}}
    assert get["responses"]["200"] == {
        "description": "200 response",
        "headers": {"Access-Control-Allow-Origin": {"schema": {"type": "string"}}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pets"}}}}
    post = doc["paths"]["/pets"]["post"]
    assert post["requestBody"] == {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewPet"}}},
                                   "required": True}
    assert doc["paths"]["/pets/{petId}"]["get"]["parameters"] == [
        {"name": "petId", "in": "path", "required": True, "schema": {"type": "string"}}]
    # Model references come back in the document's own form.
    assert doc["components"]["schemas"]["Pets"] == {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}}
    assert exts(doc) == set()  # no extensions asked for


def test_swagger_document() -> None:
    doc = export(fixture("dynamodb_swagger2.json"), "swagger", extensions=None)
    assert doc["swagger"] == "2.0"
    assert (doc["host"], doc["basePath"], doc["schemes"]) == (HOST, "/test", ["http"])
    post = doc["paths"]["/comments"]["post"]
    assert post["consumes"] == ["application/json"] and post["produces"] == ["application/json"]
    assert post["parameters"] == [{"in": "body", "name": "Comment", "required": True,
                                   "schema": {"$ref": "#/definitions/Comment"}}]
    assert post["responses"]["400"] == {"description": "400 response", "schema": {"$ref": "#/definitions/Error"}}
    get = doc["paths"]["/comments/{pageId}"]["get"]
    assert get["responses"]["200"]["headers"] == {"Cache-Control": {"type": "string"}}
    assert {p["name"]: p for p in get["parameters"]}["limit"] == {"name": "limit", "in": "query", "type": "string"}
    assert doc["definitions"]["Comments"]["items"] == {"$ref": "#/definitions/Comment"}


def test_info_version_defaults_to_the_creation_time() -> None:
    d = load({"openapi": "3.0.1", "info": {"title": "T"}, "paths": {}})
    assert export(d)["info"] == {"title": "T", "version": "2023-11-14T22:13:20Z"}


def test_invalid_export_type() -> None:
    with pytest.raises(AwsError) as e:
        export(fixture("petstore_oas3.json"), "raml")
    assert e.value.code == "BadRequestException"


# --- extensions --------------------------------------------------------------------------------------


def test_extensions_integrations() -> None:
    doc = export(fixture("validators_oas3.json"), extensions="integrations")
    assert exts(doc) == {"x-amazon-apigateway-integration", "x-amazon-apigateway-any-method"}


def test_extensions_authorizers() -> None:
    doc = export(fixture("lambda_authorizers.yaml"), extensions="authorizers")
    assert exts(doc) == {"x-amazon-apigateway-authorizer", "x-amazon-apigateway-authtype",
                         "x-amazon-apigateway-any-method"}
    schemes = doc["components"]["securitySchemes"]
    assert schemes["token-auth"] == {
        "type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "custom",
        "x-amazon-apigateway-authorizer": {
            "type": "token", "authorizerUri": schemes["token-auth"]["x-amazon-apigateway-authorizer"]["authorizerUri"],
            "identitySource": "method.request.header.Authorization", "identityValidationExpression": "^Bearer .+$",
            "authorizerResultTtlInSeconds": 60}}
    assert schemes["api_key"] == {"type": "apiKey", "name": "x-api-key", "in": "header"}
    assert schemes["sigv4"]["x-amazon-apigateway-authtype"] == "awsSigv4"
    assert doc["paths"]["/notes"]["get"]["security"] == [{"token-auth": [], "api_key": []}]
    assert doc["paths"]["/notes"]["post"]["security"] == [{"cognito": ["notes/write"]}]


def test_extensions_apigateway_oas30() -> None:
    doc = export(fixture("validators_oas3.json"))
    assert doc["x-amazon-apigateway-request-validators"] == {
        "all": {"validateRequestBody": True, "validateRequestParameters": True},
        "params-only": {"validateRequestBody": False, "validateRequestParameters": True}}
    assert doc["paths"]["/orders"]["get"]["x-amazon-apigateway-request-validator"] == "params-only"
    assert doc["paths"]["/orders"]["post"]["x-amazon-apigateway-request-validator"] == "all"
    assert doc["x-amazon-apigateway-binary-media-types"] == ["image/png", "application/octet-stream"]
    assert doc["x-amazon-apigateway-gateway-responses"]["BAD_REQUEST_BODY"]["statusCode"] == "422"
    assert "x-amazon-apigateway-any-method" in doc["paths"]["/files/{proxy+}"]


def test_extensions_apigateway_api_settings() -> None:
    d = fixture("lambda_authorizers.yaml")
    oas = export(d)
    assert oas["servers"][0]["x-amazon-apigateway-endpoint-configuration"] == {"disableExecuteApiEndpoint": True}
    assert oas["x-amazon-apigateway-api-key-source"] == "AUTHORIZER"
    assert oas["x-amazon-apigateway-minimum-compression-size"] == 1024
    assert oas["x-amazon-apigateway-policy"]["Statement"][0]["Action"] == "execute-api:Invoke"
    swagger = export(d, "swagger")
    assert swagger["x-amazon-apigateway-endpoint-configuration"] == {"disableExecuteApiEndpoint": True}


def test_integration_extension_shape() -> None:
    doc = export(fixture("dynamodb_swagger2.json"), "swagger", "integrations")
    put = doc["paths"]["/comments"]["post"]["x-amazon-apigateway-integration"]
    assert put["type"] == "aws" and put["passthroughBehavior"] == "never"
    assert put["credentials"] == "arn:aws:iam::000000000000:role/apigateway-dynamodb"
    assert set(put["responses"]) == {"default", "4\\d{2}"}
    # AWS's defaults (timeout 29000, the resource's id as cache namespace, no cache keys) are left out.
    assert not {"timeoutInMillis", "cacheNamespace", "cacheKeyParameters", "connectionType"} & set(put)
    query = doc["paths"]["/comments/{pageId}"]["get"]["x-amazon-apigateway-integration"]
    assert (query["timeoutInMillis"], query["cacheKeyParameters"]) == (10000, ["method.request.path.pageId"])


def test_export_of_control_plane_shapes() -> None:
    """A definition as the control plane builds it: models with $schema and real ids in their refs,
    a root without resourceMethods, GetRestApi's escaped policy, a method without an integration."""
    root = "rootroot01"
    d = ApiDefinition(
        {"id": "api1", "name": "Built", "version": "v1", "rootResourceId": root, "apiKeySource": "HEADER",
         "policy": '{\\"Version\\":\\"2012-10-17\\",\\"Statement\\":[]}'},
        {root: {"id": root, "path": "/"},
         "r1": {"id": "r1", "parentId": root, "pathPart": "a", "path": "/a", "resourceMethods": {
             "PUT": {"httpMethod": "PUT", "authorizationType": "NONE", "apiKeyRequired": True,
                     "requestModels": {"application/json": "A"}}}}},
        {"A": {"id": "m1", "name": "A", "contentType": "application/json", "schema": json.dumps({
            "$schema": "http://json-schema.org/draft-04/schema#", "title": "A",
            "properties": {"b": {"$ref": "https://apigateway.amazonaws.com/restapis/api1/models/B"}}})},
         "B": {"id": "m2", "name": "B", "contentType": "application/json", "schema": '{"type": "string"}'}},
    )
    doc = export(d)
    assert doc["components"]["schemas"]["A"] == {"title": "A", "properties": {"b": {"$ref": "#/components/schemas/B"}}}
    assert list(doc["paths"]) == ["/a"]
    assert doc["paths"]["/a"]["put"]["security"] == [{"api_key": []}]
    assert doc["components"]["securitySchemes"] == {"api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"}}
    assert doc["x-amazon-apigateway-policy"] == {"Version": "2012-10-17", "Statement": []}
    assert "x-amazon-apigateway-api-key-source" not in doc


def test_render_export() -> None:
    doc = export(fixture("validators_oas3.json"))
    body, content_type = render_export(doc, "application/yaml")
    assert content_type == "application/yaml" and yaml.safe_load(body) == doc
    body, content_type = render_export(doc, None)
    assert content_type == "application/json" and json.loads(body) == doc


# --- round trips -------------------------------------------------------------------------------------

API_KEYS = ("name", "description", "version", "binaryMediaTypes", "apiKeySource", "policy",
            "minimumCompressionSize", "disableExecuteApiEndpoint")


def normal(d: ApiDefinition) -> dict[str, Any]:
    """A definition with its ids replaced by what they name, for comparing two imports."""
    authorizers = {aid: a["name"] for aid, a in d.authorizers.items()}
    validators = {vid: v["name"] for vid, v in d.request_validators.items()}
    resources = {}
    for r in d.resources.values():
        methods = copy.deepcopy(r.get("resourceMethods") or {})
        for m in methods.values():
            if "authorizerId" in m:
                m["authorizerId"] = authorizers[m["authorizerId"]]
            if "requestValidatorId" in m:
                m["requestValidatorId"] = validators[m["requestValidatorId"]]
            if m.get("methodIntegration", {}).get("cacheNamespace") == r["id"]:
                m["methodIntegration"]["cacheNamespace"] = "<resource id>"
        resources[r["path"]] = (r.get("pathPart"), methods)
    return {
        "api": {k: d.api.get(k) for k in API_KEYS},
        "vpce": (d.api.get("endpointConfiguration") or {}).get("vpcEndpointIds"),
        "resources": resources,
        "models": {n: (m["contentType"], map_refs(json.loads(m["schema"]), lambda ref: "model:" + ref))
                   for n, m in d.models.items()},
        "authorizers": {a["name"]: {k: v for k, v in a.items() if k != "id"} for a in d.authorizers.values()},
        "validators": {v["name"]: {k: x for k, x in v.items() if k != "id"} for v in d.request_validators.values()},
        "gateway_responses": d.gateway_responses,
    }


FIXTURE_NAMES = ["petstore_oas3.json", "dynamodb_swagger2.json", "validators_oas3.json", "lambda_authorizers.yaml"]


@pytest.mark.parametrize("export_type", ["oas30", "swagger"])
@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_round_trip(name: str, export_type: str) -> None:
    """import -> export (extensions=apigateway) -> import gives an equivalent API, in JSON and in YAML."""
    first = fixture(name)
    doc = export(first, export_type)
    for body in (json.dumps(doc).encode(), render_export(doc, "application/yaml")[0]):
        second = load(body, start=5000)  # other ids than the first import's
        assert normal(second) == normal(first)
        # and exporting again gives the same document
        assert export(second, export_type) == doc


def test_round_trip_keeps_templates_verbatim() -> None:
    first = fixture("dynamodb_swagger2.json")
    second = load(json.dumps(export(first, "oas30")).encode(), start=9000)
    get = next(r for r in second.resources.values() if r["path"] == "/comments/{pageId}")["resourceMethods"]["GET"]
    original = next(r for r in first.resources.values() if r["path"] == "/comments/{pageId}")["resourceMethods"]["GET"]
    template = get["methodIntegration"]["integrationResponses"]["200"]["responseTemplates"]["application/json"]
    assert template == original["methodIntegration"]["integrationResponses"]["200"]["responseTemplates"][
        "application/json"]
    assert "#foreach($elem in $inputRoot.Items)" in template
