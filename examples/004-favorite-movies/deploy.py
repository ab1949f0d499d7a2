"""Seed 004, "Creating a serverless API using AWS API Gateway and DynamoDB": favorite movies, no code at all.

API Gateway calls DynamoDB's GetItem / PutItem / UpdateItem itself (AWS service integrations), and mapping
templates (VTL, in templates/) turn the HTTP request into the DynamoDB request and the DynamoDB answer into plain
JSON. Run it against a running cloudlet:

    python examples/004-favorite-movies/deploy.py [--endpoint http://localhost:4566] [--suffix -2]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

import boto3
from botocore.exceptions import ClientError

HERE = Path(__file__).resolve().parent
TABLE = "favorite_movies"  # the name the tutorial's templates use
STAGE = "prod"
APIGATEWAY_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def template(name: str, table: str) -> str:
    """A mapping template from templates/, pointed at this deployment's table."""
    text = (HERE / "templates" / name).read_text()
    return text.replace(f'"TableName": "{TABLE}"', f'"TableName": "{table}"')


def invoke_urls(endpoint: str, api_id: str, stage: str) -> tuple[str, str]:
    """The two URL forms of a stage: path-based on the endpoint, and host-based (`{apiId}.execute-api...`)."""
    parts = urlsplit(endpoint)
    port = f":{parts.port}" if parts.port else ""
    return (f"{endpoint.rstrip('/')}/restapis/{api_id}/{stage}/_user_request_",
            f"{parts.scheme}://{api_id}.execute-api.localhost.localstack.cloud{port}/{stage}")


def dynamodb_method(apigw, api_id: str, resource_id: str, http_method: str, action: str,  # type: ignore[no-untyped-def]
                    role_arn: str, region: str, request: str, response: str | None) -> None:
    """A method whose integration is the DynamoDB action itself: the console's "AWS Service" integration type.

    All DynamoDB actions are POSTs under the hood, hence integrationHttpMethod POST whatever the method is.
    """
    apigw.put_method(restApiId=api_id, resourceId=resource_id, httpMethod=http_method, authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=resource_id, httpMethod=http_method, type="AWS",
                          integrationHttpMethod="POST", uri=f"arn:aws:apigateway:{region}:dynamodb:action/{action}",
                          credentials=role_arn, passthroughBehavior="WHEN_NO_TEMPLATES",
                          requestTemplates={"application/json": request})
    apigw.put_method_response(restApiId=api_id, resourceId=resource_id, httpMethod=http_method, statusCode="200",
                              responseModels={"application/json": "Empty"})
    # The default integration response (no selectionPattern); with no template DynamoDB's answer passes through.
    apigw.put_integration_response(restApiId=api_id, resourceId=resource_id, httpMethod=http_method,
                                   statusCode="200",
                                   responseTemplates={"application/json": response} if response else {})


def deploy(endpoint: str, region: str = "us-east-1", suffix: str = "") -> dict:  # type: ignore[type-arg]
    kw = {"endpoint_url": endpoint, "region_name": region, "aws_access_key_id": "test",
          "aws_secret_access_key": "test"}
    ddb, iam, apigw = (boto3.client(s, **kw) for s in ("dynamodb", "iam", "apigateway"))
    table = TABLE + suffix

    # 1. The table: partition key "name"; capacity reduced to 1, as the tutorial suggests. And one test item.
    ddb.create_table(TableName=table, KeySchema=[{"AttributeName": "name", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "name", "AttributeType": "S"}],
                     ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    ddb.get_waiter("table_exists").wait(TableName=table)
    ddb.put_item(TableName=table, Item={"name": {"S": "Sander"}, "favorite_movie": {"S": "Inception"}})

    # 2. The role API Gateway assumes to call DynamoDB (full access for the tutorial; least privilege in real life).
    role = f"favorite-movies-apigateway{suffix}"
    role_arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(APIGATEWAY_TRUST))["Role"]["Arn"]
    iam.attach_role_policy(RoleName=role, PolicyArn="arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess")

    # 3. The API: /movies/{name} (GET, PUT) and, from the tutorial's "Moving on", /movies/{name}/list (PUT, GET)
    #    storing a string set of movies, written and read with #foreach.
    api_id = apigw.create_rest_api(name=f"favorite movies{suffix}", endpointConfiguration={"types": ["REGIONAL"]},
                                   tags={"_custom_id_": "favmovies" + re.sub(r"[^a-z0-9]", "", suffix.lower())})["id"]
    root = next(r["id"] for r in apigw.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    movies = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="movies")["id"]
    by_name = apigw.create_resource(restApiId=api_id, parentId=movies, pathPart="{name}")["id"]
    movie_list = apigw.create_resource(restApiId=api_id, parentId=by_name, pathPart="list")["id"]
    get_request, get_response = template("get-request.vtl", table), template("get-response.vtl", table)
    put_request, list_put_request = template("put-request.vtl", table), template("list-put-request.vtl", table)
    dynamodb_method(apigw, api_id, by_name, "GET", "GetItem", role_arn, region, get_request, get_response)
    dynamodb_method(apigw, api_id, by_name, "PUT", "PutItem", role_arn, region, put_request, None)
    dynamodb_method(apigw, api_id, movie_list, "PUT", "UpdateItem", role_arn, region, list_put_request, None)
    dynamodb_method(apigw, api_id, movie_list, "GET", "GetItem", role_arn, region, get_request,
                    template("list-get-response.vtl", table))

    # 4. Deploy, to test it in the browser.
    apigw.create_deployment(restApiId=api_id, stageName=STAGE)
    url, host_url = invoke_urls(endpoint, api_id, STAGE)
    return {"api_id": api_id, "stage": STAGE, "table": table, "role_arn": role_arn, "url": url, "host_url": host_url,
            "resources": {"/movies/{name}": by_name, "/movies/{name}/list": movie_list}}


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
    print(f"  curl {url}/movies/Sander")
    print(f"  curl -X PUT {url}/movies/Alice -H 'Content-Type: application/json' "
          "-d '{\"favorite_movie\": \"Interstellar\"}'")
    print(f"  curl {host}/movies/Alice")
    print(f"  curl -X PUT {host}/movies/Alice/list -H 'Content-Type: application/json' "
          "-d '{\"favorite_movies\": [\"Interstellar\", \"Arrival\"]}'")
    print(f"  curl {host}/movies/Alice/list")


if __name__ == "__main__":
    main()
