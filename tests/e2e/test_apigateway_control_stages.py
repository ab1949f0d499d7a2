"""API Gateway's control plane through boto3: deployments, stages, models, request validators,
gateway responses, authorizers, import/export.

https://docs.aws.amazon.com/apigateway/latest/api/API_Operations.html
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from apigw_helpers import cloudwatch_role
from botocore.exceptions import ClientError

from conftest import BOTO_CONFIG, unique


@pytest.fixture(scope="session")
def apigw(endpoint: str):  # type: ignore[no-untyped-def]
    return boto3.client("apigateway", endpoint_url=endpoint, region_name="us-east-1", config=BOTO_CONFIG)


def fails(call: Any, **kw: Any) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as exc:
        call(**kw)
    r = exc.value.response
    return r["Error"]["Code"], r["Error"]["Message"], r["ResponseMetadata"]["HTTPStatusCode"]


def api_with_method(apigw, integration: bool = True) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """An API with GET /pets (MOCK): (api id, resource id of /pets)."""
    api = apigw.create_rest_api(name=unique("api"))
    rid = apigw.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart="pets")["id"]
    apigw.put_method(restApiId=api["id"], resourceId=rid, httpMethod="GET", authorizationType="NONE")
    if integration:
        apigw.put_integration(restApiId=api["id"], resourceId=rid, httpMethod="GET", type="MOCK",
                              requestTemplates={"application/json": '{"statusCode": 200}'})
    return api["id"], rid


# -- deployments ---------------------------------------------------------------------------------------


def test_deployments(apigw) -> None:  # type: ignore[no-untyped-def]
    # https://docs.aws.amazon.com/apigateway/latest/api/API_CreateDeployment.html
    empty = apigw.create_rest_api(name=unique("api"))["id"]
    assert fails(apigw.create_deployment, restApiId=empty) == (
        "BadRequestException", "The REST API doesn't contain any methods", 400)
    api_id, rid = api_with_method(apigw, integration=False)
    assert fails(apigw.create_deployment, restApiId=api_id)[:2] == (
        "BadRequestException", "No integration defined for method")
    apigw.put_integration(restApiId=api_id, resourceId=rid, httpMethod="GET", type="MOCK")
    first = apigw.create_deployment(restApiId=api_id, description="v1")
    assert first["ResponseMetadata"]["HTTPStatusCode"] == 201 and first["description"] == "v1"
    assert len(first["id"]) == 6 and "createdDate" in first
    # A deployment is a snapshot: later draft edits do not reach it (GetDeployment embed=apisummary).
    apigw.put_method(restApiId=api_id, resourceId=rid, httpMethod="POST", authorizationType="AWS_IAM",
                     apiKeyRequired=True)
    apigw.put_integration(restApiId=api_id, resourceId=rid, httpMethod="POST", type="MOCK")
    second = apigw.create_deployment(restApiId=api_id, description="v2")
    old = apigw.get_deployment(restApiId=api_id, deploymentId=first["id"], embed=["apisummary"])
    assert old["apiSummary"] == {"/pets": {"GET": {"authorizationType": "NONE", "apiKeyRequired": False}}}
    new = apigw.get_deployment(restApiId=api_id, deploymentId=second["id"], embed=["apisummary"])
    assert new["apiSummary"]["/pets"]["POST"] == {"authorizationType": "AWS_IAM", "apiKeyRequired": True}
    assert "apiSummary" not in apigw.get_deployment(restApiId=api_id, deploymentId=first["id"])
    ids = [d["id"] for p in apigw.get_paginator("get_deployments").paginate(
        restApiId=api_id, PaginationConfig={"PageSize": 1}) for d in p["items"]]
    assert sorted(ids) == sorted([first["id"], second["id"]])
    out = apigw.update_deployment(restApiId=api_id, deploymentId=first["id"],
                                  patchOperations=[{"op": "replace", "path": "/description", "value": "first"}])
    assert out["description"] == "first"
    assert fails(apigw.get_deployment, restApiId=api_id, deploymentId="nope00") == (
        "NotFoundException", "Invalid Deployment identifier specified", 404)
    # A deployment a stage points to cannot be deleted.
    apigw.create_stage(restApiId=api_id, stageName="dev", deploymentId=first["id"])
    assert fails(apigw.delete_deployment, restApiId=api_id, deploymentId=first["id"]) == (
        "BadRequestException", "Active stages pointing to this deployment must be moved or deleted", 400)
    apigw.update_stage(restApiId=api_id, stageName="dev",
                       patchOperations=[{"op": "replace", "path": "/deploymentId", "value": second["id"]}])
    apigw.delete_deployment(restApiId=api_id, deploymentId=first["id"])
    assert fails(apigw.get_deployment, restApiId=api_id, deploymentId=first["id"])[0] == "NotFoundException"


def test_deployment_with_stage_name(apigw) -> None:  # type: ignore[no-untyped-def]
    api_id, _ = api_with_method(apigw)
    dep = apigw.create_deployment(restApiId=api_id, stageName="dev", stageDescription="development",
                                  variables={"table": "pets"})
    stage = apigw.get_stage(restApiId=api_id, stageName="dev")
    assert stage["deploymentId"] == dep["id"] and stage["description"] == "development"
    assert stage["variables"] == {"table": "pets"} and stage["methodSettings"] == {}
    assert (stage["cacheClusterEnabled"], stage["cacheClusterStatus"], stage["tracingEnabled"]) == (
        False, "NOT_AVAILABLE", False)
    # Deploying again to the stage moves it and merges the variables.
    again = apigw.create_deployment(restApiId=api_id, stageName="dev", variables={"v": "2"})
    stage = apigw.get_stage(restApiId=api_id, stageName="dev")
    assert stage["deploymentId"] == again["id"] and stage["variables"] == {"table": "pets", "v": "2"}
    assert fails(apigw.create_deployment, restApiId=api_id, stageName="bad-name")[:2] == (
        "BadRequestException", "Stage name only allows a-zA-Z0-9_")


# -- stages --------------------------------------------------------------------------------------------


def test_stages(apigw, endpoint: str) -> None:  # type: ignore[no-untyped-def]
    cloudwatch_role(endpoint)  # stage logging needs the account's CloudWatch role
    # https://docs.aws.amazon.com/apigateway/latest/api/API_CreateStage.html
    api_id, _ = api_with_method(apigw)
    d1 = apigw.create_deployment(restApiId=api_id)["id"]
    d2 = apigw.create_deployment(restApiId=api_id)["id"]
    out = apigw.create_stage(restApiId=api_id, stageName="prod", deploymentId=d1, description="p",
                             variables={"a": "1"}, tags={"t": "v"}, tracingEnabled=True)
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (out["stageName"], out["deploymentId"], out["tracingEnabled"], out["tags"]) == ("prod", d1, True, {"t": "v"})
    apigw.create_stage(restApiId=api_id, stageName="beta", deploymentId=d2)
    assert fails(apigw.create_stage, restApiId=api_id, stageName="prod", deploymentId=d1) == (
        "ConflictException", "Stage already exists", 409)
    assert fails(apigw.create_stage, restApiId=api_id, stageName="x", deploymentId="nope00")[0] == (
        "NotFoundException")
    assert [s["stageName"] for s in apigw.get_stages(restApiId=api_id)["item"]] == ["beta", "prod"]
    assert [s["stageName"] for s in apigw.get_stages(restApiId=api_id, deploymentId=d2)["item"]] == ["beta"]
    # UpdateStage: the paths of https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateStage.html
    out = apigw.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/description", "value": "production"},
        {"op": "replace", "path": "/deploymentId", "value": d2},
        {"op": "add", "path": "/variables/b", "value": "2"},
        {"op": "replace", "path": "/variables/a", "value": "10"},
        {"op": "replace", "path": "/*/*/logging/loglevel", "value": "INFO"},
        {"op": "replace", "path": "/*/*/logging/dataTrace", "value": "true"},
        {"op": "replace", "path": "/*/*/metrics/enabled", "value": "true"},
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "100.5"},
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "200"},
        {"op": "replace", "path": "/~1pets/GET/caching/enabled", "value": "true"},
        {"op": "replace", "path": "/~1pets/GET/caching/ttlInSeconds", "value": "60"},
        {"op": "replace", "path": "/accessLogSettings/destinationArn",
         "value": "arn:aws:logs:us-east-1:000000000000:log-group:access"},
        {"op": "replace", "path": "/accessLogSettings/format", "value": "$context.requestId"},
        {"op": "replace", "path": "/tracingEnabled", "value": "false"},
        {"op": "replace", "path": "/cacheClusterEnabled", "value": "true"},
        {"op": "replace", "path": "/cacheClusterSize", "value": "1.6"},
    ])
    assert (out["description"], out["deploymentId"], out["variables"]) == ("production", d2, {"a": "10", "b": "2"})
    everything = out["methodSettings"]["*/*"]
    assert (everything["loggingLevel"], everything["dataTraceEnabled"], everything["metricsEnabled"]) == (
        "INFO", True, True)
    assert (everything["throttlingRateLimit"], everything["throttlingBurstLimit"]) == (100.5, 200)
    pets = out["methodSettings"]["~1pets/GET"]
    assert (pets["cachingEnabled"], pets["cacheTtlInSeconds"], pets["loggingLevel"]) == (True, 60, "OFF")
    assert out["accessLogSettings"] == {"destinationArn": "arn:aws:logs:us-east-1:000000000000:log-group:access",
                                        "format": "$context.requestId"}
    assert (out["tracingEnabled"], out["cacheClusterEnabled"], out["cacheClusterSize"]) == (False, True, "1.6")
    assert out["cacheClusterStatus"] == "AVAILABLE"
    out = apigw.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
        {"op": "remove", "path": "/variables/a"}, {"op": "remove", "path": "/accessLogSettings"},
        {"op": "remove", "path": "/~1pets/GET"}])
    assert out["variables"] == {"b": "2"} and "accessLogSettings" not in out
    assert list(out["methodSettings"]) == ["*/*"]
    assert fails(apigw.update_stage, restApiId=api_id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/deploymentId", "value": "nope00"}])[0] == "NotFoundException"
    assert fails(apigw.update_stage, restApiId=api_id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/*/*/logging/loglevel", "value": "LOUD"}])[0] == "BadRequestException"
    assert fails(apigw.update_stage, restApiId=api_id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/stageName", "value": "x"}])[0] == "BadRequestException"
    apigw.delete_stage(restApiId=api_id, stageName="beta")
    assert fails(apigw.get_stage, restApiId=api_id, stageName="beta") == (
        "NotFoundException", "Invalid Stage identifier specified", 404)
    assert fails(apigw.delete_stage, restApiId=api_id, stageName="beta")[0] == "NotFoundException"
    apigw.flush_stage_cache(restApiId=api_id, stageName="prod")


# -- models --------------------------------------------------------------------------------------------


def test_models(apigw) -> None:  # type: ignore[no-untyped-def]
    # https://docs.aws.amazon.com/apigateway/latest/api/API_CreateModel.html (JSON Schema draft 4)
    api_id = apigw.create_rest_api(name=unique("api"))["id"]
    schema = json.dumps({"$schema": "http://json-schema.org/draft-04/schema#", "type": "object",
                         "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}})
    out = apigw.create_model(restApiId=api_id, name="Pet", contentType="application/json", schema=schema,
                             description="a pet")
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 201 and len(out["id"]) == 6
    assert fails(apigw.create_model, restApiId=api_id, name="Pet", contentType="application/json")[0] == (
        "ConflictException")
    assert fails(apigw.create_model, restApiId=api_id, name="Bad", contentType="application/json",
                 schema="{not json")[0] == "BadRequestException"
    assert fails(apigw.create_model, restApiId=api_id, name="Bad", contentType="application/json",
                 schema='{"type": 5}')[0] == "BadRequestException"
    assert apigw.get_model(restApiId=api_id, modelName="Pet")["schema"] == schema
    assert fails(apigw.get_model, restApiId=api_id, modelName="Nope") == (
        "NotFoundException", "Invalid model name specified: Nope", 404)
    names = [m["name"] for p in apigw.get_paginator("get_models").paginate(
        restApiId=api_id, PaginationConfig={"PageSize": 1}) for m in p["items"]]
    assert names == ["Empty", "Error", "Pet"]
    template = apigw.get_model_template(restApiId=api_id, modelName="Pet")["value"]
    assert template.startswith("#set($inputRoot = $input.path('$'))") and '"age" : $inputRoot.age' in template
    out = apigw.update_model(restApiId=api_id, modelName="Pet", patchOperations=[
        {"op": "replace", "path": "/description", "value": "pets"},
        {"op": "replace", "path": "/schema", "value": '{"type": "array"}'}])
    assert (out["description"], out["schema"]) == ("pets", '{"type": "array"}')
    assert fails(apigw.update_model, restApiId=api_id, modelName="Pet", patchOperations=[
        {"op": "replace", "path": "/schema", "value": "[broken"}])[0] == "BadRequestException"
    # A model a method uses stays.
    root = apigw.get_rest_api(restApiId=api_id)["rootResourceId"]
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="POST", authorizationType="NONE",
                     requestModels={"application/json": "Pet"})
    assert fails(apigw.delete_model, restApiId=api_id, modelName="Pet")[0] == "BadRequestException"
    apigw.delete_method(restApiId=api_id, resourceId=root, httpMethod="POST")
    apigw.delete_model(restApiId=api_id, modelName="Pet")
    assert fails(apigw.get_model, restApiId=api_id, modelName="Pet")[0] == "NotFoundException"


# -- request validators ---------------------------------------------------------------------------------


def test_request_validators(apigw) -> None:  # type: ignore[no-untyped-def]
    # https://docs.aws.amazon.com/apigateway/latest/api/API_CreateRequestValidator.html
    api_id = apigw.create_rest_api(name=unique("api"))["id"]
    out = apigw.create_request_validator(restApiId=api_id, name="all", validateRequestBody=True,
                                         validateRequestParameters=True)
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 201 and len(out["id"]) == 6
    vid = out["id"]
    plain = apigw.create_request_validator(restApiId=api_id, name="none")
    assert (plain["validateRequestBody"], plain["validateRequestParameters"]) == (False, False)
    got = apigw.get_request_validator(restApiId=api_id, requestValidatorId=vid)
    assert (got["name"], got["validateRequestBody"]) == ("all", True)
    assert len(apigw.get_request_validators(restApiId=api_id)["items"]) == 2
    out = apigw.update_request_validator(restApiId=api_id, requestValidatorId=vid, patchOperations=[
        {"op": "replace", "path": "/name", "value": "body"},
        {"op": "replace", "path": "/validateRequestParameters", "value": "false"}])
    assert (out["name"], out["validateRequestBody"], out["validateRequestParameters"]) == ("body", True, False)
    apigw.delete_request_validator(restApiId=api_id, requestValidatorId=vid)
    assert fails(apigw.get_request_validator, restApiId=api_id, requestValidatorId=vid) == (
        "NotFoundException", "Invalid Request Validator identifier specified", 404)


# -- gateway responses ----------------------------------------------------------------------------------


def test_gateway_responses(apigw) -> None:  # type: ignore[no-untyped-def]
    # Defaults: https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
    api_id = apigw.create_rest_api(name=unique("api"))["id"]
    default = apigw.get_gateway_response(restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN")
    assert (default["statusCode"], default["defaultResponse"]) == ("403", True)
    assert default["responseTemplates"] == {"application/json": '{"message":$context.error.messageString}'}
    assert "statusCode" not in apigw.get_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX")
    assert apigw.get_gateway_response(restApiId=api_id, responseType="THROTTLED")["statusCode"] == "429"
    assert apigw.get_gateway_response(restApiId=api_id, responseType="INTEGRATION_TIMEOUT")["statusCode"] == "504"
    out = apigw.put_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX", statusCode="400",
                                     responseParameters={"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
                                     responseTemplates={"application/json": '{"error": "$context.error.message"}'})
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 201 and out["defaultResponse"] is False
    got = apigw.get_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX")
    assert (got["statusCode"], got["defaultResponse"]) == ("400", False)
    every = [r for p in apigw.get_paginator("get_gateway_responses").paginate(
        restApiId=api_id, PaginationConfig={"PageSize": 5}) for r in p["items"]]
    assert len(every) == 21 and sum(1 for r in every if not r["defaultResponse"]) == 1
    out = apigw.update_gateway_response(restApiId=api_id, responseType="ACCESS_DENIED", patchOperations=[
        {"op": "replace", "path": "/statusCode", "value": "401"},
        {"op": "add", "path": "/responseParameters/gatewayresponse.header.X-A", "value": "'a'"}])
    assert (out["statusCode"], out["defaultResponse"]) == ("401", False)
    assert out["responseParameters"] == {"gatewayresponse.header.X-A": "'a'"}
    apigw.delete_gateway_response(restApiId=api_id, responseType="ACCESS_DENIED")
    assert apigw.get_gateway_response(restApiId=api_id, responseType="ACCESS_DENIED")["defaultResponse"] is True
    assert fails(apigw.delete_gateway_response, restApiId=api_id, responseType="ACCESS_DENIED")[0] == (
        "NotFoundException")
    assert fails(apigw.get_gateway_response, restApiId=api_id, responseType="NOT_A_TYPE")[0] == (
        "BadRequestException")


# -- authorizers ----------------------------------------------------------------------------------------


def test_authorizers(apigw) -> None:  # type: ignore[no-untyped-def]
    # https://docs.aws.amazon.com/apigateway/latest/api/API_CreateAuthorizer.html
    api = apigw.create_rest_api(name=unique("api"))
    api_id = api["id"]
    uri = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
           "arn:aws:lambda:us-east-1:000000000000:function:auth/invocations")
    out = apigw.create_authorizer(restApiId=api_id, name="tok", type="TOKEN", authorizerUri=uri,
                                  identitySource="method.request.header.Authorization")
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 201 and out["authorizerResultTtlInSeconds"] == 300
    aid = out["id"]
    pool = apigw.create_authorizer(restApiId=api_id, name="pool", type="COGNITO_USER_POOLS",
                                   providerARNs=["arn:aws:cognito-idp:us-east-1:000000000000:userpool/p1"],
                                   identitySource="method.request.header.Authorization")
    assert pool["providerARNs"] == ["arn:aws:cognito-idp:us-east-1:000000000000:userpool/p1"]
    assert fails(apigw.create_authorizer, restApiId=api_id, name="x", type="COGNITO_USER_POOLS")[0] == (
        "BadRequestException")
    assert {a["name"] for a in apigw.get_authorizers(restApiId=api_id)["items"]} == {"tok", "pool"}
    out = apigw.update_authorizer(restApiId=api_id, authorizerId=aid, patchOperations=[
        {"op": "replace", "path": "/authorizerResultTtlInSeconds", "value": "0"},
        {"op": "replace", "path": "/identityValidationExpression", "value": "^Bearer .+$"}])
    assert (out["authorizerResultTtlInSeconds"], out["identityValidationExpression"]) == (0, "^Bearer .+$")
    # A method may use it (CUSTOM); then it cannot be deleted.
    apigw.put_method(restApiId=api_id, resourceId=api["rootResourceId"], httpMethod="GET",
                     authorizationType="CUSTOM", authorizerId=aid)
    assert fails(apigw.delete_authorizer, restApiId=api_id, authorizerId=aid)[0] == "ConflictException"
    apigw.delete_method(restApiId=api_id, resourceId=api["rootResourceId"], httpMethod="GET")
    apigw.delete_authorizer(restApiId=api_id, authorizerId=aid)
    assert fails(apigw.get_authorizer, restApiId=api_id, authorizerId=aid) == (
        "NotFoundException", "Invalid Authorizer identifier specified", 404)


# -- import / export --------------------------------------------------------------------------------


OPENAPI = {
    "openapi": "3.0.1",
    "info": {"title": "imported", "version": "1"},
    "paths": {"/items": {"get": {
        "responses": {"200": {"description": "ok"}},
        "x-amazon-apigateway-integration": {
            "type": "mock", "requestTemplates": {"application/json": '{"statusCode": 200}'},
            "responses": {"default": {"statusCode": "200"}}},
    }}},
}


def test_import_and_export(apigw) -> None:  # type: ignore[no-untyped-def]
    # https://docs.aws.amazon.com/apigateway/latest/api/API_ImportRestApi.html, API_GetExport.html
    out = apigw.import_rest_api(body=json.dumps(OPENAPI).encode())
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 201 and out["name"] == "imported"
    api_id = out["id"]
    assert len(api_id) == 10 and out["rootResourceId"]
    paths = {r["path"] for r in apigw.get_resources(restApiId=api_id)["items"]}
    assert paths == {"/", "/items"}
    apigw.create_deployment(restApiId=api_id, stageName="v1")
    export = apigw.get_export(restApiId=api_id, stageName="v1", exportType="oas30")
    assert export["contentType"] == "application/json" and "attachment" in export["contentDisposition"]
    document = json.loads(export["body"].read())
    assert "/items" in document["paths"]
    yaml_export = apigw.get_export(restApiId=api_id, stageName="v1", exportType="swagger", accepts="application/yaml")
    assert yaml_export["contentType"] == "application/yaml" and b"swagger" in yaml_export["body"].read()
    # PutRestApi keeps the API's identity.
    changed = {**OPENAPI, "paths": {"/other": OPENAPI["paths"]["/items"]}}
    out = apigw.put_rest_api(restApiId=api_id, mode="overwrite", body=json.dumps(changed).encode())
    assert out["id"] == api_id
    assert {r["path"] for r in apigw.get_resources(restApiId=api_id)["items"]} == {"/", "/other"}
    assert fails(apigw.get_export, restApiId=api_id, stageName="nope", exportType="oas30")[0] == "NotFoundException"
