"""OpenAPI 3 / Swagger 2 import (ImportRestApi, PutRestApi) as pure functions.

Follows AWS's developer guide: "Import a REST API into API Gateway" (ImportRestApi / PutRestApi),
"Set the OpenAPI basePath property" (api-gateway-import-api-basePath), "Errors and warnings from
importing your API into API Gateway" (api-gateway-import-api-errors-warnings), "API Gateway extensions
to OpenAPI" (api-gateway-swagger-extensions*) and "Tutorial: Create a REST API by importing an example"
(the PetStore sample, typed from its facts as openapi/petstore_oas3.json).
"""

from __future__ import annotations

import json
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from cloudlet.protocol.errors import AwsError
from cloudlet.services.apigateway.engine.definition import ApiDefinition
from cloudlet.services.apigateway.engine.openapi_export import export_definition
from cloudlet.services.apigateway.engine.openapi_import import bind_api_id, import_definition

FIXTURES = Path(__file__).parent / "openapi"
ALPHABET = string.ascii_lowercase + string.digits


def ids() -> Callable[[int], str]:
    """Predictable, unique ids of the asked length (the control plane passes random ones)."""
    counter = iter(range(1, 10**9))

    def new_id(n: int) -> str:
        i, out = next(counter), ""
        while i:
            i, r = divmod(i, 36)
            out = ALPHABET[r] + out
        return out.rjust(n, "a")

    return new_id


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def do_import(body: bytes | str | dict, *, definition: ApiDefinition | None = None, mode: str = "merge",
              fail_on_warnings: bool = False, **parameters: str) -> tuple[ApiDefinition, list[str]]:
    if isinstance(body, dict):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode()
    return import_definition(body, definition=definition, mode=mode, fail_on_warnings=fail_on_warnings,
                             parameters=parameters, new_id=ids())


def by_path(d: ApiDefinition) -> dict[str, dict[str, Any]]:
    return {r["path"]: r for r in d.resources.values()}


def method(d: ApiDefinition, path: str, verb: str) -> dict[str, Any]:
    return by_path(d)[path]["resourceMethods"][verb]


def oas3(paths: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"openapi": "3.0.1", "info": {"title": "T", "version": "1"}, "paths": paths, **top}


MOCK = {"type": "mock", "requestTemplates": {"application/json": '{"statusCode": 200}'}}


# --- PetStore (OpenAPI 3) ------------------------------------------------------------------------------


def test_petstore_api_and_resources() -> None:
    d, warnings = do_import(fixture("petstore_oas3.json"))
    assert warnings == []
    assert d.api["name"] == "PetStore"
    assert d.api["description"].startswith("Your first API with Amazon API Gateway")
    assert d.api["version"] == "2017-04-20T04:08:08Z"
    assert d.api["endpointConfiguration"]["types"] == ["EDGE"]  # ImportRestApi's default endpoint type
    assert d.api["apiKeySource"] == "HEADER"
    assert "id" not in d.api  # the caller chooses it
    root = d.api["rootResourceId"]
    assert len(root) == 10 and d.resources[root] == {"id": root, "path": "/", "resourceMethods": d.resources[root][
        "resourceMethods"]}
    paths = by_path(d)
    assert sorted(paths) == ["/", "/pets", "/pets/{petId}"]
    pets, pet = paths["/pets"], paths["/pets/{petId}"]
    assert (pets["parentId"], pets["pathPart"]) == (root, "pets")
    assert (pet["parentId"], pet["pathPart"]) == (pets["id"], "{petId}")
    assert all(len(r["id"]) == 6 for r in d.resources.values() if r["id"] != root)
    assert sorted(pets["resourceMethods"]) == ["GET", "OPTIONS", "POST"]


def test_petstore_methods() -> None:
    d, _ = do_import(fixture("petstore_oas3.json"))
    get = method(d, "/pets", "GET")
    assert get["operationName"] == "GetPets"
    assert get["authorizationType"] == "NONE" and get["apiKeyRequired"] is False
    assert get["requestParameters"] == {"method.request.querystring.type": False,
                                        "method.request.querystring.page": False}
    assert get["methodResponses"] == {"200": {
        "statusCode": "200", "responseParameters": {"method.response.header.Access-Control-Allow-Origin": False},
        "responseModels": {"application/json": "Pets"}}}
    assert method(d, "/pets", "POST")["requestModels"] == {"application/json": "NewPet"}
    assert method(d, "/pets/{petId}", "GET")["requestParameters"] == {"method.request.path.petId": True}


def test_petstore_integrations_take_aws_defaults() -> None:
    d, _ = do_import(fixture("petstore_oas3.json"))
    pets = by_path(d)["/pets"]
    integration = pets["resourceMethods"]["GET"]["methodIntegration"]
    assert integration == {
        "type": "HTTP", "httpMethod": "GET", "uri": "http://petstore.execute-api.us-east-1.amazonaws.com/petstore/pets",
        "connectionType": "INTERNET",
        "requestParameters": {"integration.request.querystring.page": "method.request.querystring.page",
                              "integration.request.querystring.type": "method.request.querystring.type"},
        "passthroughBehavior": "WHEN_NO_MATCH", "timeoutInMillis": 29000, "cacheNamespace": pets["id"],
        "cacheKeyParameters": [],
        # `default` is the catch-all: no selectionPattern.
        "integrationResponses": {"200": {
            "statusCode": "200", "responseParameters": {"method.response.header.Access-Control-Allow-Origin": "'*'"}}},
    }
    mock = method(d, "/", "GET")["methodIntegration"]
    assert mock["type"] == "MOCK" and "httpMethod" not in mock and "uri" not in mock
    assert mock["requestTemplates"] == {"application/json": '{"statusCode": 200}'}
    assert mock["integrationResponses"]["200"]["responseTemplates"]["text/html"].startswith("<html>")


def test_models_are_json_strings_with_aws_model_urls() -> None:
    """Models refer to each other as https://apigateway.amazonaws.com/restapis/{restapi_id}/models/{name}."""
    d, _ = do_import(fixture("petstore_oas3.json"))
    assert sorted(d.models) == ["Empty", "NewPet", "NewPetResponse", "Pet", "PetType", "Pets"]
    pets = d.models["Pets"]
    assert pets["name"] == "Pets" and pets["contentType"] == "application/json" and len(pets["id"]) == 6
    assert json.loads(pets["schema"]) == {
        "type": "array", "items": {"$ref": "https://apigateway.amazonaws.com/restapis/{restapi_id}/models/Pet"}}
    bind_api_id(d, "abc1234567")  # ImportRestApi's caller, once it has chosen the id
    assert json.loads(pets["schema"])["items"]["$ref"] == "https://apigateway.amazonaws.com/restapis/abc1234567/models/Pet"


# --- Swagger 2 with AWS (DynamoDB) integrations -----------------------------------------------------


def test_swagger_aws_integration_with_templates_and_responses() -> None:
    d, warnings = do_import(fixture("dynamodb_swagger2.json"))
    assert warnings == []
    put = method(d, "/comments", "POST")
    assert put["requestModels"] == {"application/json": "Comment"}  # the body parameter, for each `consumes`
    assert put["methodResponses"]["400"] == {"statusCode": "400", "responseModels": {"application/json": "Error"}}
    integration = put["methodIntegration"]
    assert (integration["type"], integration["httpMethod"]) == ("AWS", "POST")
    assert integration["uri"] == "arn:aws:apigateway:us-east-1:dynamodb:action/PutItem"
    assert integration["credentials"] == "arn:aws:iam::000000000000:role/apigateway-dynamodb"
    assert integration["passthroughBehavior"] == "NEVER"
    assert "$util.escapeJavaScript($input.path('$.message'))" in integration["requestTemplates"]["application/json"]
    assert integration["integrationResponses"] == {
        "200": {"statusCode": "200", "responseTemplates": {"application/json": "{}"}},
        "400": {"statusCode": "400", "selectionPattern": "4\\d{2}", "responseTemplates": {
            "application/json": "{\"message\": \"$util.escapeJavaScript($input.path('$.message'))\"}"}},
    }
    query = method(d, "/comments/{pageId}", "GET")
    assert query["requestParameters"] == {"method.request.path.pageId": True, "method.request.querystring.limit": False}
    assert query["methodResponses"]["200"]["responseParameters"] == {"method.response.header.Cache-Control": False}
    qi = query["methodIntegration"]
    assert (qi["timeoutInMillis"], qi["passthroughBehavior"]) == (10000, "WHEN_NO_TEMPLATES")
    assert qi["cacheKeyParameters"] == ["method.request.path.pageId"]
    assert json.loads(d.models["Comments"]["schema"])["items"]["$ref"].endswith("/models/Comment")


@pytest.mark.parametrize(("basepath", "expected"), [
    # api-gateway-import-api-basePath: basePath /a/b/c with /e and /f.
    ("ignore", ["/", "/e", "/f"]),
    ("prepend", ["/", "/a", "/a/b", "/a/b/c", "/a/b/c/e", "/a/b/c/f"]),
    ("split", ["/", "/b", "/b/c", "/b/c/e", "/b/c/f"]),
])
def test_basepath_swagger(basepath: str, expected: list[str]) -> None:
    doc = {"swagger": "2.0", "info": {"title": "T"}, "basePath": "/a/b/c",
           "paths": {"/e": {"get": {"responses": {}}}, "/f": {"get": {"responses": {}}}}}
    d, _ = do_import(doc, basepath=basepath)
    assert sorted(by_path(d)) == expected


def test_basepath_oas3_server_variable_else_url_path() -> None:
    # One basePath server variable is the base path even if the url does not use it.
    with_var = oas3({"/e": {"get": {}}}, servers=[{"url": "https://x.example.com",
                                                   "variables": {"basePath": {"default": "/a/b"}}}])
    assert sorted(by_path(do_import(with_var, basepath="prepend")[0])) == ["/", "/a", "/a/b", "/a/b/e"]
    # None: the path of server.url beyond "/".
    d, _ = do_import(fixture("lambda_authorizers.yaml"), basepath="split")
    assert "/v2/notes" in by_path(d) and "/prod" not in by_path(d)


def test_basepath_invalid_value() -> None:
    with pytest.raises(AwsError) as e:
        do_import(oas3({}), basepath="drop")
    assert e.value.code == "BadRequestException"


# --- validators, models, gateway responses, binary media types, ANY and {proxy+} --------------------


def test_request_validators_method_level_else_document_default() -> None:
    d, warnings = do_import(fixture("validators_oas3.json"))
    assert warnings == []
    by_name = {v["name"]: v for v in d.request_validators.values()}
    assert by_name["all"] == {"id": by_name["all"]["id"], "name": "all", "validateRequestBody": True,
                              "validateRequestParameters": True}
    assert by_name["params-only"]["validateRequestBody"] is False
    assert method(d, "/orders", "POST")["requestValidatorId"] == by_name["all"]["id"]
    assert method(d, "/orders", "GET")["requestValidatorId"] == by_name["params-only"]["id"]
    # Path-item parameters apply to every operation of the path.
    assert method(d, "/orders", "GET")["requestParameters"] == {"method.request.header.X-Tenant": True,
                                                                "method.request.querystring.status": True}


def test_gateway_responses_binary_types_inline_models() -> None:
    d, _ = do_import(fixture("validators_oas3.json"))
    assert d.api["binaryMediaTypes"] == ["image/png", "application/octet-stream"]
    assert d.gateway_responses["BAD_REQUEST_BODY"] == {
        "responseType": "BAD_REQUEST_BODY", "statusCode": "422", "defaultResponse": False,
        "responseParameters": {"gatewayresponse.header.x-request-id": "context.requestId"},
        "responseTemplates": {"application/json": '{"message": "$context.error.validationErrorString"}'}}
    assert "statusCode" not in d.gateway_responses["DEFAULT_5XX"]
    assert json.loads(d.models["NewOrder"]["schema"])["properties"]["address"]["$ref"].endswith("/models/Address")
    # An inline response schema becomes a model of its own.
    inline = method(d, "/orders", "GET")["methodResponses"]["200"]["responseModels"]["application/json"]
    assert json.loads(d.models[inline]["schema"])["type"] == "array"


def test_any_method_and_greedy_proxy() -> None:
    d, _ = do_import(fixture("validators_oas3.json"))
    proxy = by_path(d)["/files/{proxy+}"]
    assert proxy["pathPart"] == "{proxy+}" and list(proxy["resourceMethods"]) == ["ANY"]
    integration = proxy["resourceMethods"]["ANY"]["methodIntegration"]
    assert (integration["type"], integration["httpMethod"], integration["contentHandling"]) == (
        "HTTP_PROXY", "ANY", "CONVERT_TO_BINARY")
    assert "resourceMethods" not in by_path(d)["/files"]  # created for its child: no methods


# --- YAML, authorizers and security ------------------------------------------------------------------


def test_yaml_document_api_settings() -> None:
    d, warnings = do_import(fixture("lambda_authorizers.yaml"), endpointConfigurationTypes="REGIONAL")
    assert warnings == []
    api = d.api
    assert (api["name"], api["version"]) == ("Notes", "2024-01-15")  # YAML's date read back as text
    assert api["apiKeySource"] == "AUTHORIZER" and api["minimumCompressionSize"] == 1024
    assert json.loads(api["policy"])["Statement"][0]["Resource"] == "execute-api:/*"
    assert api["endpointConfiguration"]["types"] == ["REGIONAL"]
    assert api["disableExecuteApiEndpoint"] is True  # the extension sits on the Server object in OpenAPI 3
    assert method(d, "/notes", "GET")["methodResponses"] == {"200": {"statusCode": "200"}}


def test_authorizers_from_security_schemes() -> None:
    d, _ = do_import(fixture("lambda_authorizers.yaml"))
    authorizers = {a["name"]: a for a in d.authorizers.values()}
    assert sorted(authorizers) == ["cognito", "request-auth", "token-auth"]
    token = authorizers["token-auth"]
    assert token == {
        "id": token["id"], "name": "token-auth", "type": "TOKEN", "authType": "custom",
        "authorizerUri": token["authorizerUri"], "identityValidationExpression": "^Bearer .+$",
        # A token authorizer reads the header the security scheme names.
        "identitySource": "method.request.header.Authorization", "authorizerResultTtlInSeconds": 60}
    assert authorizers["request-auth"]["identitySource"] == (
        "method.request.header.X-User, method.request.querystring.team")
    assert authorizers["request-auth"]["authorizerResultTtlInSeconds"] == 0
    assert authorizers["cognito"]["providerARNs"] == [
        "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_abc123"]
    assert authorizers["cognito"]["authorizerResultTtlInSeconds"] == 300  # the default


def test_method_security() -> None:
    d, _ = do_import(fixture("lambda_authorizers.yaml"))
    authorizers = {a["name"]: a["id"] for a in d.authorizers.values()}
    get = method(d, "/notes", "GET")
    assert (get["authorizationType"], get["authorizerId"], get["apiKeyRequired"]) == (
        "CUSTOM", authorizers["token-auth"], True)
    post = method(d, "/notes", "POST")
    assert (post["authorizationType"], post["authorizerId"], post["authorizationScopes"]) == (
        "COGNITO_USER_POOLS", authorizers["cognito"], ["notes/write"])
    assert method(d, "/notes/{id}", "DELETE")["authorizationType"] == "AWS_IAM"
    assert method(d, "/{proxy+}", "ANY")["authorizerId"] == authorizers["request-auth"]


# --- errors and warnings ----------------------------------------------------------------------------


@pytest.mark.parametrize("body", [
    b"{not json: [", b"just text", b"[1, 2]", b"",
    json.dumps({"info": {"title": "no version"}, "paths": {}}).encode(),
    json.dumps({"openapi": "3.1.0", "info": {"title": "T"}, "paths": {}}).encode(),
    json.dumps({"swagger": "1.2", "info": {"title": "T"}, "paths": {}}).encode(),
])
def test_invalid_documents(body: bytes) -> None:
    with pytest.raises(AwsError) as e:
        do_import(body)
    assert (e.value.code, e.value.status, e.value.message) == ("BadRequestException", 400, "Invalid OpenAPI input.")


def test_malformed_integration_is_an_error() -> None:
    for integration in ({"type": "lambda"}, {"type": "http", "uri": "http://x"}, "mock"):
        with pytest.raises(AwsError) as e:
            do_import(oas3({"/search": {"get": {"x-amazon-apigateway-integration": integration}}}))
        assert e.value.message == "Unable to parse API definition because of a malformed integration at path /search."


def test_conflicting_path_variables_are_errors() -> None:
    with pytest.raises(AwsError) as e:
        do_import(oas3({"/{a}": {"get": {}}, "/{b}": {"get": {}}}))
    assert e.value.message == ("Errors found during import:\n\tUnable to create resource at path '/{b}': A sibling "
                               "({a}) of this resource already has a variable path part -- only one is allowed")
    with pytest.raises(AwsError) as e:
        do_import(oas3({"/{proxy+}/x": {"get": {}}}))
    assert "Cannot create a child of a resource with a greedy path variable" in e.value.message


def test_warnings_are_collected() -> None:
    doc = oas3({
        "/ok": {"get": {"responses": {"200": {"description": "x", "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Missing"}}}}},
            "x-amazon-apigateway-integration": MOCK, "x-amazon-apigateway-shiny": True}},
        "/bad path": {"get": {}},
    }, components={"securitySchemes": {"oauth": {"type": "oauth2", "flows": {}}}})
    doc["x-amazon-apigateway-unknown"] = 1
    d, warnings = do_import(doc)
    assert "/ok" in by_path(d) and "/bad path" not in by_path(d)
    assert "responseModels" not in method(d, "/ok", "GET")["methodResponses"]["200"]
    assert ("Parse issue: attribute paths.'/ok'(get).responses.200.content.schema.#/components/schemas/Missing "
            "is missing") in warnings
    assert "Unsupported security definition type 'oauth2' for 'oauth'. Ignoring." in warnings
    assert any("x-amazon-apigateway-shiny" in w for w in warnings)
    assert any("x-amazon-apigateway-unknown" in w for w in warnings)
    assert any(w.startswith("Unable to create resource at path '/bad path'") for w in warnings)
    assert len(warnings) == 5


def test_fail_on_warnings() -> None:
    doc = oas3({"/x": {"get": {"x-amazon-apigateway-integration": MOCK, "x-amazon-apigateway-shiny": 1}}})
    with pytest.raises(AwsError) as e:
        do_import(doc, fail_on_warnings=True)
    assert e.value.code == "BadRequestException"
    assert e.value.message == ("Warnings found during import:\n\tParse issue: attribute "
                               "paths.'/x'(get).x-amazon-apigateway-shiny is not supported. Ignoring.")
    do_import(oas3({"/x": {"get": {"x-amazon-apigateway-integration": MOCK}}}), fail_on_warnings=True)


def test_documentation_extension_is_not_a_warning() -> None:
    documentation = {"version": "1", "documentationParts": []}
    _, warnings = do_import(oas3({}, **{"x-amazon-apigateway-documentation": documentation}))
    assert warnings == []


# --- PutRestApi: overwrite and merge -----------------------------------------------------------------


def existing() -> ApiDefinition:
    d, _ = do_import(fixture("petstore_oas3.json"))
    d.api.update({"id": "api0000001", "createdDate": 1700000000, "tags": {"team": "pets"}})
    bind_api_id(d, "api0000001")
    d.request_validators["v1"] = {"id": "v1", "name": "old", "validateRequestBody": True,
                                  "validateRequestParameters": False}
    return d


def test_put_overwrite_replaces_everything_but_the_api_identity() -> None:
    before = existing()
    thing = {"type": "object", "properties": {"pet": {"$ref": "#/components/schemas/Thing"}}}
    doc = oas3({"/things": {"get": {"x-amazon-apigateway-integration": MOCK}}},
               components={"schemas": {"Thing": thing}})
    doc["info"] = {"title": "Things", "version": "2"}
    d, _ = do_import(doc, definition=before, mode="overwrite")
    assert {k: d.api[k] for k in ("id", "createdDate", "rootResourceId", "tags")} == {
        "id": "api0000001", "createdDate": 1700000000, "rootResourceId": before.api["rootResourceId"],
        "tags": {"team": "pets"}}
    assert (d.api["name"], d.api["version"]) == ("Things", "2") and "description" not in d.api
    assert sorted(by_path(d)) == ["/", "/things"]
    assert "resourceMethods" not in d.resources[d.root_id()]  # the root's GET is gone too
    assert list(d.models) == ["Thing"] and d.request_validators == {}
    # PutRestApi knows the API's id: model references name it.
    assert "/restapis/api0000001/models/Thing" in d.models["Thing"]["schema"]
    assert len(before.resources) == 3  # the input definition is not changed


def test_put_merge_adds_and_replaces_keeps_the_rest() -> None:
    before = existing()
    pets_id = by_path(before)["/pets"]["id"]
    doc = oas3({
        "/pets": {"get": {"operationId": "ListPetsV2", "x-amazon-apigateway-integration": MOCK}},
        "/pets/{petId}/toys": {"get": {"x-amazon-apigateway-integration": MOCK}},
    }, components={"schemas": {"Pet": {"type": "object"}, "Toy": {"type": "object"}}})
    d, _ = do_import(doc, definition=before, mode="merge")
    paths = by_path(d)
    assert sorted(paths) == ["/", "/pets", "/pets/{petId}", "/pets/{petId}/toys"]
    assert paths["/pets"]["id"] == pets_id  # existing resources keep their ids
    assert paths["/pets"]["resourceMethods"]["GET"]["operationName"] == "ListPetsV2"
    assert sorted(paths["/pets"]["resourceMethods"]) == ["GET", "OPTIONS", "POST"]
    assert paths["/pets/{petId}/toys"]["parentId"] == paths["/pets/{petId}"]["id"]
    assert d.models["Pet"]["id"] == before.models["Pet"]["id"] and d.models["Pet"]["schema"] == '{"type": "object"}'
    assert "Toy" in d.models and "NewPet" in d.models
    assert d.api["name"] == "T" and d.api["description"] == before.api["description"]
    assert d.request_validators == before.request_validators


def test_put_merge_reuses_authorizers_by_name() -> None:
    before, _ = do_import(fixture("lambda_authorizers.yaml"))
    token_id = next(a["id"] for a in before.authorizers.values() if a["name"] == "token-auth")
    doc = oas3({"/more": {"get": {"security": [{"token-auth": []}], "x-amazon-apigateway-integration": MOCK}}})
    d, warnings = do_import(doc, definition=before, mode="merge")
    assert warnings == []
    assert method(d, "/more", "GET")["authorizerId"] == token_id


def test_put_merge_into_a_control_plane_definition() -> None:
    """As CreateRestApi leaves it: a root without resourceMethods, the default models."""
    root = "rootroot01"
    before = ApiDefinition({"id": "api1", "name": "Made", "rootResourceId": root}, {root: {"id": root, "path": "/"}},
                           {"Empty": {"id": "m1", "name": "Empty", "contentType": "application/json",
                                      "schema": '{"type": "object"}'}})
    d, _ = do_import(oas3({"/": {"get": {"x-amazon-apigateway-integration": MOCK}}}), definition=before)
    assert list(d.resources[root]["resourceMethods"]) == ["GET"]
    assert d.models == before.models and "resourceMethods" not in before.resources[root]


def test_put_invalid_mode() -> None:
    with pytest.raises(AwsError):
        do_import(oas3({}), definition=existing(), mode="replace")


# --- robustness: malformed parts give BadRequestException or warnings, never a crash ------------------

JUNK: list[Any] = [None, [], "x", 7, {}, {"$ref": "#/nowhere"}]


def _nodes(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [at] if at else []
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        found += _nodes(child, (*at, key))
    return found


def _replaced(doc: Any, at: tuple[Any, ...], junk: Any) -> Any:
    doc = json.loads(json.dumps(doc))
    target = doc
    for key in at[:-1]:
        target = target[key]
    target[at[-1]] = junk
    return doc


@pytest.mark.parametrize("name", ["petstore_oas3.json", "dynamodb_swagger2.json", "validators_oas3.json",
                                  "lambda_authorizers.yaml"])
def test_every_part_malformed(name: str) -> None:
    """Each node of each fixture replaced by junk: an AwsError, or a definition that exports."""
    original = yaml.safe_load(fixture(name)) if name.endswith(".yaml") else json.loads(fixture(name))
    original = json.loads(json.dumps(original, default=str))
    for at in _nodes(original):
        for junk in JUNK:
            try:
                d, _ = do_import(_replaced(original, at, junk))
            except AwsError as e:
                assert e.code == "BadRequestException", (at, junk)
                continue
            for export_type in ("oas30", "swagger"):
                export_definition(d, {"stageName": "s"}, export_type=export_type, extensions="apigateway",
                                  endpoint_host="h")
