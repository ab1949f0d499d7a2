"""Seed 000, "Developing RESTful Microservices with API Gateway and DynamoDB": a CRUD service with no code.

A DynamoDB table loaded with the AWS SDK for Python (boto3), then a REST API whose methods call DynamoDB directly
(AWS service integrations with an IAM role as credentials), with VTL mapping templates (templates/) shaping each
request and response:

    GET    /items        Scan        -> {"items": [...]}            (#foreach over Items)
    POST   /items        PutItem     -> 201 {"id": "<new id>"}      (the id is the API request id)
    GET    /items/{id}   GetItem     -> the item, or 404 {"message": "Item not found"}
    PUT    /items/{id}   UpdateItem  -> the item as stored
    DELETE /items/{id}   DeleteItem  -> {"deleted": item}, or 404

DynamoDB errors (HTTP 4xx from DynamoDB) come back as 400 {"message": "<DynamoDB's message>"}.

    python examples/000-dynamodb-crud/deploy.py [--endpoint http://localhost:4566] [--suffix -2]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import boto3
from botocore.exceptions import ClientError

HERE = Path(__file__).resolve().parent
TABLE = "items"  # the name in templates/*.vtl
STAGE = "dev"
APIGATEWAY_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
# (method, resource, DynamoDB action, template name, status code of success)
METHODS = [
    ("GET", "/items", "Scan", "list", "200"),
    ("POST", "/items", "PutItem", "create", "201"),
    ("GET", "/items/{id}", "GetItem", "get", "200"),
    ("PUT", "/items/{id}", "UpdateItem", "update", "200"),
    ("DELETE", "/items/{id}", "DeleteItem", "delete", "200"),
]


def template(name: str, table: str) -> str:
    text = (HERE / "templates" / f"{name}.vtl").read_text()
    return text.replace(f'"TableName": "{TABLE}"', f'"TableName": "{table}"')


def invoke_urls(endpoint: str, api_id: str, stage: str) -> tuple[str, str]:
    """The two URL forms of a stage: path-based on the endpoint, and host-based (`{apiId}.execute-api...`)."""
    parts = urlsplit(endpoint)
    port = f":{parts.port}" if parts.port else ""
    return (f"{endpoint.rstrip('/')}/restapis/{api_id}/{stage}/_user_request_",
            f"{parts.scheme}://{api_id}.execute-api.localhost.localstack.cloud{port}/{stage}")


def load_items(endpoint: str, region: str, table: str) -> None:
    """Insert the sample data with the Python SDK, as the lab does (numbers as Decimal for boto3)."""
    items = json.loads((HERE / "items.json").read_text(), parse_float=Decimal)
    ddb = boto3.resource("dynamodb", endpoint_url=endpoint, region_name=region, aws_access_key_id="test",
                         aws_secret_access_key="test")
    with ddb.Table(table).batch_writer() as batch:
        for item in items:
            batch.put_item(Item=item)


def deploy(endpoint: str, region: str = "us-east-1", suffix: str = "") -> dict:  # type: ignore[type-arg]
    kw = {"endpoint_url": endpoint, "region_name": region, "aws_access_key_id": "test",
          "aws_secret_access_key": "test"}
    ddb, iam, apigw = (boto3.client(s, **kw) for s in ("dynamodb", "iam", "apigateway"))
    table = TABLE + suffix

    # 1. The table, and its data.
    table_arn = ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                                 KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                                 AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                                 )["TableDescription"]["TableArn"]
    ddb.get_waiter("table_exists").wait(TableName=table)
    load_items(endpoint, region, table)

    # 2. The role API Gateway assumes to call DynamoDB, allowed just these five actions on this one table.
    role = f"items-api-dynamodb{suffix}"
    role_arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(APIGATEWAY_TRUST))["Role"]["Arn"]
    iam.put_role_policy(RoleName=role, PolicyName="items-crud", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": table_arn, "Action": [
            f"dynamodb:{action}" for _, _, action, _, _ in METHODS]}]}))

    # 3. The API: resources, then one AWS integration per method.
    api_id = apigw.create_rest_api(name=f"ItemsAPI{suffix}", endpointConfiguration={"types": ["REGIONAL"]},
                                   tags={"_custom_id_": "itemsapi" + re.sub(r"[^a-z0-9]", "", suffix.lower())})["id"]
    root = next(r["id"] for r in apigw.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    items = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="items")["id"]
    resources = {"/items": items,
                 "/items/{id}": apigw.create_resource(restApiId=api_id, parentId=items, pathPart="{id}")["id"]}
    for method, path, action, name, status in METHODS:
        ids = {"restApiId": api_id, "resourceId": resources[path], "httpMethod": method}
        apigw.put_method(**ids, authorizationType="NONE")
        apigw.put_integration(**ids, type="AWS", integrationHttpMethod="POST",  # every DynamoDB action is a POST
                              uri=f"arn:aws:apigateway:{region}:dynamodb:action/{action}", credentials=role_arn,
                              passthroughBehavior="NEVER",  # only JSON (or no body) reaches DynamoDB
                              requestTemplates={"application/json": template(f"{name}-request", table)})
        for code in (status, "400", *(["404"] if name in ("get", "delete") else [])):
            apigw.put_method_response(**ids, statusCode=code, responseModels={"application/json": "Empty"})
        # Success is the default response (no selectionPattern). For AWS service integrations the pattern is
        # matched against DynamoDB's HTTP status code (PutIntegrationResponse, selectionPattern):
        # https://docs.aws.amazon.com/apigateway/latest/api/API_PutIntegrationResponse.html
        apigw.put_integration_response(**ids, statusCode=status,
                                       responseTemplates={"application/json": template(f"{name}-response", table)})
        apigw.put_integration_response(**ids, statusCode="400", selectionPattern=r"4\d{2}",
                                       responseTemplates={"application/json": template("error-response", table)})
        # 404 is not an integration response: the GET and DELETE templates set $context.responseOverride.status.

    # 4. Deploy.
    apigw.create_deployment(restApiId=api_id, stageName=STAGE, description="CRUD on DynamoDB, no code")
    url, host_url = invoke_urls(endpoint, api_id, STAGE)
    return {"api_id": api_id, "stage": STAGE, "table": table, "role_arn": role_arn, "url": url,
            "host_url": host_url, "resources": resources}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", default="http://localhost:4566")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--suffix", default="", help="appended to every name, to deploy a second copy")
    args = parser.parse_args()
    try:
        out = deploy(args.endpoint, args.region, args.suffix)
    except ClientError as e:
        exists = e.response["Error"]["Code"] in ("ResourceInUseException", "EntityAlreadyExists", "ConflictException")
        sys.exit(f"deploy failed: {e}" + (f"\n(already deployed? pass --suffix, or reset: curl -X POST "
                                          f"{args.endpoint}/_cloudlet/reset)" if exists else ""))
    url, host = out["url"], out["host_url"]
    print(f"API {out['api_id']}, stage {out['stage']}, table {out['table']}\n  {url}\n  {host}\n\nTry:")
    print(f"  curl {url}/items")
    print(f"  curl {host}/items/1")
    json_type = "-H 'Content-Type: application/json'"
    print(f"  curl -X POST {url}/items {json_type} -d '{{\"name\": \"Eraser\", \"price\": 1.2}}'")
    print(f"  curl -X PUT {host}/items/2 {json_type} -d '{{\"name\": \"Pen\", \"price\": 1.5}}'")
    print(f"  curl -X DELETE {url}/items/3")
    print(f"  curl -i {url}/items/404  # 404 {{\"message\": \"Item not found\"}}")


if __name__ == "__main__":
    main()
