"""API Gateway's control plane through boto3 against a real server: REST APIs, resources, methods,
integrations, tags, account, input validation, restarts. (Deployments, stages, models, validators,
gateway responses and authorizers: test_apigateway_control_stages.py.)

https://docs.aws.amazon.com/apigateway/latest/api/API_Operations.html
Error texts not in the API reference are AWS's as quoted in public threads; see
src/cloudlet/services/apigateway/engine/errors.py for the sources.
"""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any

import boto3
import pytest
from apigw_helpers import cloudwatch_role
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import BOTO_CONFIG, unique
from server import start

LAMBDA_URI = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
              "arn:aws:lambda:us-east-1:000000000000:function:f/invocations")


@pytest.fixture(scope="session")
def apigw(endpoint: str):  # type: ignore[no-untyped-def]
    return boto3.client("apigateway", endpoint_url=endpoint, region_name="us-east-1", config=BOTO_CONFIG)


def err(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    r = exc.value.response
    return r["Error"]["Code"], r["Error"]["Message"], r["ResponseMetadata"]["HTTPStatusCode"]


def fails(call: Any, **kw: Any) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as exc:
        call(**kw)
    return err(exc)


def new_api(apigw, **kw: Any) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    out = apigw.create_rest_api(name=unique("api"), **kw)
    return out["id"], out["rootResourceId"]


# -- REST APIs ----------------------------------------------------------------------------------------


def test_create_get_list_update_delete_rest_api(apigw) -> None:  # type: ignore[no-untyped-def]
    # https://docs.aws.amazon.com/apigateway/latest/api/API_CreateRestApi.html (defaults: HEADER, EDGE)
    out = apigw.create_rest_api(name="pets", description="d", binaryMediaTypes=["image/png"])
    api_id = out["id"]
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert re.fullmatch(r"[a-z0-9]{10}", api_id) and re.fullmatch(r"[a-z0-9]{10}", out["rootResourceId"])
    assert out["apiKeySource"] == "HEADER" and out["endpointConfiguration"]["types"] == ["EDGE"]
    assert out["binaryMediaTypes"] == ["image/png"] and out["disableExecuteApiEndpoint"] is False
    got = apigw.get_rest_api(restApiId=api_id)
    assert got["name"] == "pets" and got["createdDate"] == out["createdDate"]
    root = apigw.get_resources(restApiId=api_id)["items"]
    assert root == [{"id": out["rootResourceId"], "path": "/"}]
    # Every new API has the models Empty and Error.
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/models-mappings-models.html
    assert sorted(m["name"] for m in apigw.get_models(restApiId=api_id)["items"]) == ["Empty", "Error"]
    # UpdateRestApi: the paths Terraform and CDK send.
    # https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateRestApi.html
    out = apigw.update_rest_api(restApiId=api_id, patchOperations=[
        {"op": "replace", "path": "/name", "value": "pets2"},
        {"op": "replace", "path": "/description", "value": "new"},
        {"op": "add", "path": "/binaryMediaTypes/application~1octet-stream"},
        {"op": "remove", "path": "/binaryMediaTypes/image~1png"},
        {"op": "replace", "path": "/minimumCompressionSize", "value": "1024"},
        {"op": "replace", "path": "/apiKeySource", "value": "AUTHORIZER"},
        {"op": "replace", "path": "/endpointConfiguration/types/0", "value": "REGIONAL"},
        {"op": "replace", "path": "/policy", "value": '{"Version":"2012-10-17","Statement":[]}'},
        {"op": "replace", "path": "/disableExecuteApiEndpoint", "value": "true"},
    ])
    assert (out["name"], out["description"], out["binaryMediaTypes"]) == ("pets2", "new", ["application/octet-stream"])
    assert out["minimumCompressionSize"] == 1024 and out["apiKeySource"] == "AUTHORIZER"
    assert out["endpointConfiguration"]["types"] == ["REGIONAL"] and out["disableExecuteApiEndpoint"] is True
    assert json.loads(out["policy"]) == {"Version": "2012-10-17", "Statement": []}
    out = apigw.update_rest_api(restApiId=api_id, patchOperations=[
        {"op": "replace", "path": "/minimumCompressionSize", "value": ""}])
    assert "minimumCompressionSize" not in out
    assert fails(apigw.update_rest_api, restApiId=api_id, patchOperations=[
        {"op": "replace", "path": "/minimumCompressionSize", "value": "10485761"}])[:2] == (
        "BadRequestException", "Invalid minimum compression size, must be between 0 and 10485760")
    apigw.delete_rest_api(restApiId=api_id)
    # "Invalid API identifier specified {account}:{id}": aws/aws-sdk-js#2458, Miserlou/Zappa#1892.
    assert fails(apigw.get_rest_api, restApiId=api_id) == (
        "NotFoundException", f"Invalid API identifier specified 000000000000:{api_id}", 404)
    assert fails(apigw.get_resources, restApiId=api_id)[0] == "NotFoundException"
    assert fails(apigw.delete_rest_api, restApiId=api_id)[2] == 404


def test_rest_api_pagination(apigw) -> None:  # type: ignore[no-untyped-def]
    # A region of its own so other tests' APIs do not show up.
    client = boto3.client("apigateway", endpoint_url=apigw.meta.endpoint_url, region_name="eu-west-3",
                          config=BOTO_CONFIG)
    ids = {client.create_rest_api(name=f"p{i}")["id"] for i in range(5)}
    first = client.get_rest_apis(limit=2)
    assert len(first["items"]) == 2 and first["position"]
    seen = [a["id"] for page in client.get_paginator("get_rest_apis").paginate(PaginationConfig={"PageSize": 2})
            for a in page["items"]]
    assert sorted(seen) == sorted(ids) and len(seen) == 5
    # Another region's APIs are not listed, nor found.
    assert all(a["id"] not in ids for a in apigw.get_rest_apis(limit=500)["items"])
    assert fails(apigw.get_rest_api, restApiId=next(iter(ids)))[0] == "NotFoundException"


def test_custom_id_and_clone(apigw) -> None:  # type: ignore[no-untyped-def]
    custom = unique("cid").replace("-", "")
    out = apigw.create_rest_api(name="c", tags={"_custom_id_": custom})  # LocalStack's convention
    assert out["id"] == custom and apigw.get_rest_api(restApiId=custom)["tags"] == {"_custom_id_": custom}
    assert fails(apigw.create_rest_api, name="again", tags={"_custom_id_": custom})[0] == "ConflictException"
    pets = apigw.create_resource(restApiId=custom, parentId=out["rootResourceId"], pathPart="pets")
    apigw.put_method(restApiId=custom, resourceId=pets["id"], httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=custom, resourceId=pets["id"], httpMethod="GET", type="MOCK")
    clone = apigw.create_rest_api(name="copy", cloneFrom=custom)
    assert clone["id"] != custom
    items = {r["path"]: r for r in apigw.get_resources(restApiId=clone["id"], embed=["methods"])["items"]}
    assert set(items) == {"/", "/pets"} and items["/pets"]["id"] != pets["id"]
    integration = items["/pets"]["resourceMethods"]["GET"]["methodIntegration"]
    assert integration["type"] == "MOCK" and integration["cacheNamespace"] == items["/pets"]["id"]


# -- resources ----------------------------------------------------------------------------------------


def test_resources(apigw) -> None:  # type: ignore[no-untyped-def]
    # https://docs.aws.amazon.com/apigateway/latest/api/API_CreateResource.html
    api_id, root = new_api(apigw)
    pets = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="pets")
    assert pets["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert re.fullmatch(r"[a-z0-9]{6}", pets["id"]) and pets["path"] == "/pets" and pets["parentId"] == root
    pet = apigw.create_resource(restApiId=api_id, parentId=pets["id"], pathPart="{petId}")
    toys = apigw.create_resource(restApiId=api_id, parentId=pet["id"], pathPart="toys")
    assert (pet["path"], toys["path"]) == ("/pets/{petId}", "/pets/{petId}/toys")
    proxy = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{proxy+}")
    assert proxy["path"] == "/{proxy+}"
    # Sibling rules: names unique, one variable part per parent, nothing under a greedy part.
    assert fails(apigw.create_resource, restApiId=api_id, parentId=root, pathPart="pets") == (
        "ConflictException", "Another resource with the same parent already has this name: pets", 409)
    assert fails(apigw.create_resource, restApiId=api_id, parentId=pets["id"], pathPart="{other}") == (
        "BadRequestException",
        "A sibling ({petId}) of this resource already has a variable path part -- only one is allowed", 400)
    assert fails(apigw.create_resource, restApiId=api_id, parentId=proxy["id"], pathPart="x")[0] == (
        "BadRequestException")
    # claudiajs/claudia#11, aws/chalice#76
    assert fails(apigw.create_resource, restApiId=api_id, parentId=root, pathPart="a b") == (
        "BadRequestException",
        "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end.", 400)
    assert fails(apigw.create_resource, restApiId=api_id, parentId=root, pathPart="")[:2] == (
        "BadRequestException", "Resource's path part must be specified")
    # serverless/serverless#5005
    assert fails(apigw.create_resource, restApiId=api_id, parentId="nope00", pathPart="x") == (
        "NotFoundException", "Invalid Resource identifier specified", 404)
    assert fails(apigw.get_resource, restApiId=api_id, resourceId="nope00")[0] == "NotFoundException"
    # GetResource: methods appear as empty objects unless embed=methods.
    apigw.put_method(restApiId=api_id, resourceId=pets["id"], httpMethod="GET", authorizationType="NONE")
    assert apigw.get_resource(restApiId=api_id, resourceId=pets["id"])["resourceMethods"] == {"GET": {}}
    embedded = apigw.get_resource(restApiId=api_id, resourceId=pets["id"], embed=["methods"])
    assert embedded["resourceMethods"]["GET"]["authorizationType"] == "NONE"
    # Pagination of GetResources.
    paths = [r["path"] for page in apigw.get_paginator("get_resources").paginate(
        restApiId=api_id, PaginationConfig={"PageSize": 2}) for r in page["items"]]
    assert sorted(paths) == sorted(["/", "/pets", "/pets/{petId}", "/pets/{petId}/toys", "/{proxy+}"])
    # UpdateResource: renaming and moving recompute the subtree's paths.
    # https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateResource.html
    out = apigw.update_resource(restApiId=api_id, resourceId=pets["id"],
                                patchOperations=[{"op": "replace", "path": "/pathPart", "value": "animals"}])
    assert out["path"] == "/animals"
    assert apigw.get_resource(restApiId=api_id, resourceId=toys["id"])["path"] == "/animals/{petId}/toys"
    shop = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="shop")
    apigw.update_resource(restApiId=api_id, resourceId=pet["id"],
                          patchOperations=[{"op": "replace", "path": "/parentId", "value": shop["id"]}])
    assert apigw.get_resource(restApiId=api_id, resourceId=toys["id"])["path"] == "/shop/{petId}/toys"
    assert fails(apigw.update_resource, restApiId=api_id, resourceId=shop["id"],
                 patchOperations=[{"op": "replace", "path": "/parentId", "value": toys["id"]}])[0] == (
        "BadRequestException")
    assert fails(apigw.update_resource, restApiId=api_id, resourceId=shop["id"],
                 patchOperations=[{"op": "replace", "path": "/pathPart", "value": "animals"}])[0] == (
        "ConflictException")
    # DeleteResource takes the subtree; the root stays.
    apigw.delete_resource(restApiId=api_id, resourceId=shop["id"])
    assert fails(apigw.get_resource, restApiId=api_id, resourceId=toys["id"])[0] == "NotFoundException"
    assert fails(apigw.delete_resource, restApiId=api_id, resourceId=root)[0] == "BadRequestException"


# -- methods, method responses ------------------------------------------------------------------------


def test_methods_and_method_responses(apigw) -> None:  # type: ignore[no-untyped-def]
    # https://docs.aws.amazon.com/apigateway/latest/api/API_PutMethod.html
    api_id, root = new_api(apigw)
    rid = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="items")["id"]
    kw = {"restApiId": api_id, "resourceId": rid, "httpMethod": "POST"}
    out = apigw.put_method(**kw, authorizationType="NONE", apiKeyRequired=True, operationName="addItem",
                           requestParameters={"method.request.header.X-Id": True},
                           requestModels={"application/json": "Empty"})
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (out["httpMethod"], out["apiKeyRequired"], out["operationName"]) == ("POST", True, "addItem")
    assert fails(apigw.put_method, **kw, authorizationType="NONE") == (
        "ConflictException", "Method already exists for this resource", 409)
    assert fails(apigw.get_method, **{**kw, "httpMethod": "PUT"}) == (
        "NotFoundException", "Invalid Method identifier specified", 404)
    assert fails(apigw.put_method, **{**kw, "httpMethod": "FETCH"}, authorizationType="NONE")[0] == (
        "BadRequestException")
    assert fails(apigw.put_method, **{**kw, "httpMethod": "GET"}, authorizationType="CUSTOM")[:2] == (
        "BadRequestException", "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or "
                               "COGNITO_USER_POOLS requires a valid authorizer.")
    # UpdateMethod: the paths Terraform sends.
    out = apigw.update_method(**kw, patchOperations=[
        {"op": "add", "path": "/requestParameters/method.request.querystring.q", "value": "false"},
        {"op": "remove", "path": "/requestParameters/method.request.header.X-Id"},
        {"op": "replace", "path": "/requestModels/application~1json", "value": "Error"},
        {"op": "replace", "path": "/apiKeyRequired", "value": "false"},
        {"op": "replace", "path": "/authorizationType", "value": "AWS_IAM"},
    ])
    assert out["requestParameters"] == {"method.request.querystring.q": False}
    assert out["requestModels"] == {"application/json": "Error"}
    assert (out["apiKeyRequired"], out["authorizationType"]) == (False, "AWS_IAM")
    validator = apigw.create_request_validator(restApiId=api_id, name="body", validateRequestBody=True)["id"]
    out = apigw.update_method(**kw, patchOperations=[
        {"op": "replace", "path": "/requestValidatorId", "value": validator}])
    assert out["requestValidatorId"] == validator
    out = apigw.update_method(**kw, patchOperations=[{"op": "replace", "path": "/requestValidatorId", "value": ""}])
    assert "requestValidatorId" not in out
    # Method responses. https://docs.aws.amazon.com/apigateway/latest/api/API_PutMethodResponse.html
    out = apigw.put_method_response(**kw, statusCode="200", responseModels={"application/json": "Empty"},
                                    responseParameters={"method.response.header.X-Req": False})
    assert out["statusCode"] == "200" and out["responseModels"] == {"application/json": "Empty"}
    out = apigw.update_method_response(**kw, statusCode="200", patchOperations=[
        {"op": "add", "path": "/responseParameters/method.response.header.Access-Control-Allow-Origin",
         "value": "true"},
        {"op": "remove", "path": "/responseModels/application~1json"}])
    assert out["responseParameters"] == {"method.response.header.X-Req": False,
                                         "method.response.header.Access-Control-Allow-Origin": True}
    assert "responseModels" not in out
    assert apigw.get_method(**kw)["methodResponses"]["200"] == {k: v for k, v in out.items()
                                                               if k != "ResponseMetadata"}
    assert fails(apigw.get_method_response, **kw, statusCode="404") == (
        "NotFoundException", "Invalid Response status code specified", 404)
    apigw.delete_method_response(**kw, statusCode="200")
    assert fails(apigw.get_method_response, **kw, statusCode="200")[0] == "NotFoundException"
    apigw.delete_method(**kw)
    assert fails(apigw.get_method, **kw)[0] == "NotFoundException"
    assert "resourceMethods" not in apigw.get_resource(restApiId=api_id, resourceId=rid)


# -- integrations, integration responses --------------------------------------------------------------


def test_integrations(apigw) -> None:  # type: ignore[no-untyped-def]
    # https://docs.aws.amazon.com/apigateway/latest/api/API_PutIntegration.html
    api_id, root = new_api(apigw)
    rid = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{id}")["id"]
    kw = {"restApiId": api_id, "resourceId": rid, "httpMethod": "GET"}
    apigw.put_method(**kw, authorizationType="NONE", requestParameters={"method.request.path.id": True})
    # carrot/terraform-api-gateway-method-module#3
    assert fails(apigw.get_integration, **kw) == ("NotFoundException", "No integration defined for method", 404)
    out = apigw.put_integration(**kw, type="AWS_PROXY", integrationHttpMethod="POST", uri=LAMBDA_URI)
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (out["type"], out["httpMethod"], out["uri"]) == ("AWS_PROXY", "POST", LAMBDA_URI)
    assert (out["passthroughBehavior"], out["timeoutInMillis"]) == ("WHEN_NO_MATCH", 29000)
    assert out["cacheNamespace"] == rid and out["cacheKeyParameters"] == []
    assert apigw.get_method(**kw)["methodIntegration"]["uri"] == LAMBDA_URI
    # AWS's validation of the integration request.
    assert fails(apigw.put_integration, **kw, type="HTTP", uri="https://example.com")[:2] == (
        "BadRequestException", "Enumeration value for HttpMethod must be non-empty")
    assert fails(apigw.put_integration, **kw, type="HTTP", integrationHttpMethod="GET", uri="ftp://x")[:2] == (
        "BadRequestException", "Invalid HTTP endpoint specified for URI")
    assert fails(apigw.put_integration, **kw, type="AWS_PROXY", integrationHttpMethod="POST",
                 uri="arn:aws:apigateway:us-east-1:dynamodb:action/PutItem")[0] == "BadRequestException"
    assert fails(apigw.put_integration, **kw, type="AWS", integrationHttpMethod="POST",
                 uri="arn:aws:apigateway:us-east-1:dynamodb:PutItem")[:2] == (
        "BadRequestException", "AWS ARN for integration must contain path or action")
    assert fails(apigw.put_integration, **kw, type="MOCK", timeoutInMillis=30000)[:2] == (
        "BadRequestException", "Timeout should be between 50 ms and 29000 ms")
    assert fails(apigw.put_integration, **kw, type="HTTP", integrationHttpMethod="GET", uri="https://example.com",
                 requestParameters={"integration.request.header.q": "method.request.querystring.q"})[:2] == (
        "BadRequestException", "Invalid mapping expression specified: Validation Result: warnings : [], errors : "
                               "[Invalid mapping expression parameter specified: method.request.querystring.q]")
    out = apigw.put_integration(**kw, type="HTTP", integrationHttpMethod="GET", uri="https://example.com/{id}",
                                requestParameters={"integration.request.path.id": "method.request.path.id"},
                                requestTemplates={"application/json": "{}"}, timeoutInMillis=5000,
                                cacheKeyParameters=["method.request.path.id"], passthroughBehavior="NEVER")
    assert out["timeoutInMillis"] == 5000 and out["passthroughBehavior"] == "NEVER"
    # UpdateIntegration: the paths Terraform sends.
    out = apigw.update_integration(**kw, patchOperations=[
        {"op": "add", "path": "/requestTemplates/application~1xml", "value": "<a/>"},
        {"op": "remove", "path": "/requestTemplates/application~1json"},
        {"op": "replace", "path": "/uri", "value": "https://example.org/{id}"},
        {"op": "replace", "path": "/timeoutInMillis", "value": "1000"},
        {"op": "replace", "path": "/passthroughBehavior", "value": "WHEN_NO_TEMPLATES"},
        {"op": "replace", "path": "/contentHandling", "value": "CONVERT_TO_TEXT"},
        {"op": "remove", "path": "/cacheKeyParameters/method.request.path.id"},
        {"op": "add", "path": "/requestParameters/integration.request.header.X-Static", "value": "'v'"},
    ])
    assert out["requestTemplates"] == {"application/xml": "<a/>"} and out["uri"] == "https://example.org/{id}"
    assert (out["timeoutInMillis"], out["passthroughBehavior"]) == (1000, "WHEN_NO_TEMPLATES")
    assert out["contentHandling"] == "CONVERT_TO_TEXT" and out["cacheKeyParameters"] == []
    assert out["requestParameters"]["integration.request.header.X-Static"] == "'v'"
    assert fails(apigw.update_integration, **kw, patchOperations=[
        {"op": "replace", "path": "/timeoutInMillis", "value": "10"}])[0] == "BadRequestException"
    # Integration responses need the method response of their status code.
    # https://docs.aws.amazon.com/apigateway/latest/api/API_PutIntegrationResponse.html
    assert fails(apigw.put_integration_response, **kw, statusCode="200") == (
        "NotFoundException", "Invalid Response status code specified", 404)
    apigw.put_method_response(**kw, statusCode="200", responseParameters={"method.response.header.X-A": False})
    out = apigw.put_integration_response(**kw, statusCode="200", selectionPattern="",
                                         responseParameters={"method.response.header.X-A": "'a'"},
                                         responseTemplates={"application/json": "$input.json('$')"})
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 201 and out["statusCode"] == "200"
    assert fails(apigw.put_integration_response, **kw, statusCode="200",
                 responseParameters={"method.response.header.X-B": "'b'"})[0] == "BadRequestException"
    out = apigw.update_integration_response(**kw, statusCode="200", patchOperations=[
        {"op": "replace", "path": "/selectionPattern", "value": "2\\d{2}"},
        {"op": "add", "path": "/responseTemplates/application~1xml", "value": "<x/>"},
        {"op": "remove", "path": "/responseParameters/method.response.header.X-A"}])
    assert out["selectionPattern"] == "2\\d{2}" and set(out["responseTemplates"]) == {"application/json",
                                                                                       "application/xml"}
    assert apigw.get_integration_response(**kw, statusCode="200")["selectionPattern"] == "2\\d{2}"
    assert apigw.get_integration(**kw)["integrationResponses"]["200"]["statusCode"] == "200"
    assert fails(apigw.get_integration_response, **kw, statusCode="500")[0] == "NotFoundException"
    apigw.delete_integration_response(**kw, statusCode="200")
    assert fails(apigw.get_integration_response, **kw, statusCode="200")[0] == "NotFoundException"
    apigw.delete_integration(**kw)
    assert fails(apigw.get_integration, **kw)[0] == "NotFoundException"
    assert fails(apigw.put_integration_response, **kw, statusCode="200")[1] == "No integration defined for method"


# -- tags, account, TestInvokeMethod ------------------------------------------------------------------


def test_tags(apigw) -> None:  # type: ignore[no-untyped-def]
    # https://docs.aws.amazon.com/apigateway/latest/api/API_TagResource.html (ARN forms:
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/arn-format-reference.html)
    api_id, root = new_api(apigw, tags={"team": "a"})
    arn = f"arn:aws:apigateway:us-east-1::/restapis/{api_id}"
    apigw.tag_resource(resourceArn=arn, tags={"env": "dev"})
    assert apigw.get_tags(resourceArn=arn)["tags"] == {"team": "a", "env": "dev"}
    apigw.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert apigw.get_rest_api(restApiId=api_id)["tags"] == {"env": "dev"}
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK")
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    stage_arn = f"{arn}/stages/dev"
    apigw.tag_resource(resourceArn=stage_arn, tags={"s": "1"})
    assert apigw.get_tags(resourceArn=stage_arn)["tags"] == {"s": "1"}
    assert apigw.get_stage(restApiId=api_id, stageName="dev")["tags"] == {"s": "1"}
    apigw.untag_resource(resourceArn=stage_arn, tagKeys=["s"])
    assert apigw.get_tags(resourceArn=stage_arn)["tags"] == {}
    assert fails(apigw.get_tags, resourceArn=f"{arn}/stages/nope")[0] == "NotFoundException"
    assert fails(apigw.get_tags, resourceArn="arn:aws:apigateway:us-east-1::/restapis/nope")[0] == (
        "NotFoundException")
    assert fails(apigw.tag_resource, resourceArn="not-an-arn", tags={"a": "b"})[0] == "BadRequestException"


def test_account(endpoint: str) -> None:
    # https://docs.aws.amazon.com/apigateway/latest/api/API_GetAccount.html
    client = boto3.client("apigateway", endpoint_url=endpoint, region_name="ap-south-1", config=BOTO_CONFIG)
    out = client.get_account()
    assert out["throttleSettings"] == {"burstLimit": 5000, "rateLimit": 10000.0} and "cloudwatchRoleArn" not in out
    role = "arn:aws:iam::000000000000:role/apigw-logs"
    out = client.update_account(patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": role}])
    assert out["cloudwatchRoleArn"] == role and client.get_account()["cloudwatchRoleArn"] == role
    assert fails(client.update_account, patchOperations=[
        {"op": "replace", "path": "/throttleSettings/burstLimit", "value": "1"}])[0] == "BadRequestException"
    client.update_account(patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": ""}])
    assert "cloudwatchRoleArn" not in client.get_account()


def test_test_invoke_needs_the_api(apigw) -> None:  # type: ignore[no-untyped-def]
    assert fails(apigw.test_invoke_method, restApiId="nope", resourceId="r", httpMethod="GET")[0] == (
        "NotFoundException")


# -- input validation ---------------------------------------------------------------------------------


def test_bad_input_is_bad_request(endpoint: str) -> None:
    """Input the model rejects is 400 BadRequestException, never a 500."""
    loose = boto3.client("apigateway", endpoint_url=endpoint, region_name="us-east-1",
                         config=BOTO_CONFIG.merge(Config(parameter_validation=False)))
    code, message, status = fails(loose.create_rest_api)  # no name
    assert (code, status) == ("BadRequestException", 400) and "name" in message
    api_id = loose.create_rest_api(name=unique("v"))["id"]
    assert fails(loose.update_rest_api, restApiId=api_id, patchOperations=[{"op": "bogus", "path": "/name"}])[:1] == (
        "BadRequestException",)
    request = urllib.request.Request(f"{endpoint}/restapis", data=b'{"name": ["not", "a", "string"]}',
                                     method="POST", headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(request)
    assert exc.value.code == 400 and exc.value.headers["x-amzn-ErrorType"].startswith("BadRequestException")
    request = urllib.request.Request(f"{endpoint}/restapis", data=b"{not json", method="POST",
                                     headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(request)
    assert exc.value.code == 400


def test_unknown_patch_path(apigw) -> None:  # type: ignore[no-untyped-def]
    # Text as AWS writes it (two spaces after "path"): boto/boto3#2504, localstack/localstack#9102.
    api_id, root = new_api(apigw)
    code, message, status = fails(apigw.update_resource, restApiId=api_id, resourceId=root,
                                  patchOperations=[{"op": "replace", "path": "/foo", "value": "x"}])
    assert (code, status) == ("BadRequestException", 400)
    assert message == "Invalid patch path  '/foo' specified for op 'replace'. Must be one of: [/pathPart, /parentId]"
    assert fails(apigw.update_resource, restApiId=api_id, resourceId=root,
                 patchOperations=[{"op": "add", "path": "/pathPart", "value": "x"}])[1] == (
        "Invalid patch path  '/pathPart' specified for op 'add'. Please choose supported operations")


# -- restarts -----------------------------------------------------------------------------------------


def test_apis_survive_restart(tmp_path) -> None:  # type: ignore[no-untyped-def]
    srv = start(str(tmp_path))
    try:
        c = boto3.client("apigateway", endpoint_url=srv.url, region_name="us-east-1", config=BOTO_CONFIG)
        api = c.create_rest_api(name="kept", tags={"_custom_id_": "keptapi"})
        rid = c.create_resource(restApiId="keptapi", parentId=api["rootResourceId"], pathPart="a")["id"]
        c.put_method(restApiId="keptapi", resourceId=rid, httpMethod="GET", authorizationType="NONE")
        c.put_integration(restApiId="keptapi", resourceId=rid, httpMethod="GET", type="HTTP",
                          integrationHttpMethod="GET", uri="https://example.com/v1")
        dep = c.create_deployment(restApiId="keptapi", stageName="prod", variables={"v": "1"})["id"]
        cloudwatch_role(srv.url)
        c.update_stage(restApiId="keptapi", stageName="prod", patchOperations=[
            {"op": "replace", "path": "/*/*/logging/loglevel", "value": "ERROR"}])
        # The draft changes after the deployment: the deployment keeps what it froze.
        c.update_integration(restApiId="keptapi", resourceId=rid, httpMethod="GET",
                             patchOperations=[{"op": "replace", "path": "/uri", "value": "https://example.com/v2"}])
        c.put_method(restApiId="keptapi", resourceId=rid, httpMethod="POST", authorizationType="NONE")
        c.create_model(restApiId="keptapi", name="Pet", contentType="application/json", schema='{"type":"object"}')
        c.update_account(patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": "arn:r"}])
    finally:
        srv.stop()
    srv = start(str(tmp_path))
    try:
        c = boto3.client("apigateway", endpoint_url=srv.url, region_name="us-east-1", config=BOTO_CONFIG)
        assert c.get_rest_api(restApiId="keptapi")["name"] == "kept"
        assert c.get_integration(restApiId="keptapi", resourceId=rid, httpMethod="GET")["uri"] == (
            "https://example.com/v2")
        stage = c.get_stage(restApiId="keptapi", stageName="prod")
        assert stage["deploymentId"] == dep and stage["variables"] == {"v": "1"}
        assert stage["methodSettings"]["*/*"]["loggingLevel"] == "ERROR"
        summary = c.get_deployment(restApiId="keptapi", deploymentId=dep, embed=["apisummary"])["apiSummary"]
        assert summary == {"/a": {"GET": {"authorizationType": "NONE", "apiKeyRequired": False}}}
        assert c.get_model(restApiId="keptapi", modelName="Pet")["schema"] == '{"type":"object"}'
        assert c.get_account()["cloudwatchRoleArn"] == "arn:r"
    finally:
        srv.stop()
