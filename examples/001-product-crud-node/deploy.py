"""Seed 001, "RESTful Microservices with AWS Lambda, API Gateway and DynamoDB": a product CRUD API in Node.js.

Table `product` (partition key `id`), the Lambda function productFunction (index.js, the tutorial's code using the
AWS SDK for JavaScript v2, bundled in the zip), and the REST API productApi with Lambda proxy integrations:

    POST|PUT /product        put the JSON body     -> "Added/Updated product <id>"
    GET      /product        scan                  -> {"Items": [...], "Count": n, "ScannedCount": n}
    GET      /product/{id}   get                   -> {"Item": {...}}   ({} when there is none)
    DELETE   /product/{id}   delete                -> "Deleted product <id>"

Install the SDK once (`npm ci --prefix examples/001-product-crud-node`), then with cloudlet running:

    python examples/001-product-crud-node/deploy.py [--endpoint http://localhost:4566] [--suffix -2]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import boto3
from botocore.exceptions import ClientError

HERE = Path(__file__).resolve().parent
TABLE = "product"  # the name index.js uses
STAGE = "prod"
LAMBDA_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
# (method, resource) pairs, all on the one function, each with "Use Lambda Proxy integration" checked.
METHODS = [("POST", "/product"), ("PUT", "/product"), ("GET", "/product"),
           ("GET", "/product/{id}"), ("DELETE", "/product/{id}")]


def invoke_urls(endpoint: str, api_id: str, stage: str) -> tuple[str, str]:
    """The two URL forms of a stage: path-based on the endpoint, and host-based (`{apiId}.execute-api...`)."""
    parts = urlsplit(endpoint)
    port = f":{parts.port}" if parts.port else ""
    return (f"{endpoint.rstrip('/')}/restapis/{api_id}/{stage}/_user_request_",
            f"{parts.scheme}://{api_id}.execute-api.localhost.localstack.cloud{port}/{stage}")


def package(table: str, node_modules: Path) -> bytes:
    """The deployment package: index.js and node_modules/ (aws-sdk v2 and its dependencies) at the zip's root.

    index.js names its table; only a --suffix deployment gets it rewritten to the suffixed table.
    """
    code = (HERE / "index.js").read_text().replace(f'TableName: "{TABLE}"', f'TableName: "{table}"')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("index.js", code)
        for folder, _, files in os.walk(node_modules):
            for name in files:
                path = Path(folder, name)
                z.write(path, Path("node_modules", path.relative_to(node_modules)).as_posix())
    return buf.getvalue()


def deploy(endpoint: str, region: str = "us-east-1", suffix: str = "",  # type: ignore[type-arg]
           node_modules: str | Path | None = None) -> dict:
    modules = Path(node_modules) if node_modules else HERE / "node_modules"
    if not (modules / "aws-sdk").is_dir():
        raise SystemExit(f"no aws-sdk in {modules}: run `npm ci --prefix {HERE}` first")
    kw = {"endpoint_url": endpoint, "region_name": region, "aws_access_key_id": "test",
          "aws_secret_access_key": "test"}
    ddb, iam, lam, apigw = (boto3.client(s, **kw) for s in ("dynamodb", "iam", "lambda", "apigateway"))
    table = TABLE + suffix

    # 1. The DynamoDB table: name product, partition key id.
    ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    ddb.get_waiter("table_exists").wait(TableName=table)

    # 2. The function, with a role from the "Simple microservice permissions" policy template.
    role = f"productFunction-role{suffix}"
    role_arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))["Role"]["Arn"]
    account = role_arn.split(":")[4]
    iam.attach_role_policy(RoleName=role,
                           PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
    iam.put_role_policy(RoleName=role, PolicyName="simple-microservice-permissions", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Resource": f"arn:aws:dynamodb:{region}:{account}:table/*",
            "Action": ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Scan",
                       "dynamodb:UpdateItem"]}]}))
    function = f"productFunction{suffix}"
    function_arn = lam.create_function(
        FunctionName=function, Runtime="nodejs20.x", Role=role_arn, Handler="index.handler",
        Timeout=10,  # the console's 3 s is tight for a cold start that loads aws-sdk v2
        Code={"ZipFile": package(table, modules)})["FunctionArn"]
    lam.get_waiter("function_active_v2").wait(FunctionName=function)

    # 3. The REST API productApi: /product and /product/{id}, every method a Lambda proxy integration.
    custom_id = "productapi" + re.sub(r"[^a-z0-9]", "", suffix.lower())
    api_id = apigw.create_rest_api(name=f"productApi{suffix}", endpointConfiguration={"types": ["REGIONAL"]},
                                   tags={"_custom_id_": custom_id})["id"]
    root = next(r["id"] for r in apigw.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    product = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="product")["id"]
    resources = {"/product": product,
                 "/product/{id}": apigw.create_resource(restApiId=api_id, parentId=product, pathPart="{id}")["id"]}
    uri = f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"
    for method, path in METHODS:
        ids = {"restApiId": api_id, "resourceId": resources[path], "httpMethod": method}
        apigw.put_method(**ids, authorizationType="NONE")
        apigw.put_integration(**ids, type="AWS_PROXY", integrationHttpMethod="POST", uri=uri)
        apigw.put_method_response(**ids, statusCode="200", responseModels={"application/json": "Empty"})
        # "Add Permission to Lambda Function": what the console does when you click OK.
        statement = f"apigateway-{method}{re.sub('[^a-z]+', '-', path)}".rstrip("-")  # apigateway-GET-product-id
        lam.add_permission(FunctionName=function, StatementId=statement, Action="lambda:InvokeFunction",
                           Principal="apigateway.amazonaws.com",
                           SourceArn=f"arn:aws:execute-api:{region}:{account}:{api_id}/*/{method}"
                                     f"{path.replace('{id}', '*')}")

    # 4. Deploy API.
    apigw.create_deployment(restApiId=api_id, stageName=STAGE)
    url, host_url = invoke_urls(endpoint, api_id, STAGE)
    return {"api_id": api_id, "stage": STAGE, "table": table, "function": function, "url": url,
            "host_url": host_url, "resources": resources}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", default="http://localhost:4566")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--suffix", default="", help="appended to every name, to deploy a second copy")
    parser.add_argument("--node-modules", help="a node_modules folder with aws-sdk v2 (default: the example's own)")
    args = parser.parse_args()
    try:
        out = deploy(args.endpoint, args.region, args.suffix, args.node_modules)
    except ClientError as e:
        exists = e.response["Error"]["Code"] in ("ResourceInUseException", "EntityAlreadyExists", "ConflictException")
        sys.exit(f"deploy failed: {e}" + (f"\n(already deployed? pass --suffix, or reset: curl -X POST "
                                          f"{args.endpoint}/_cloudlet/reset)" if exists else ""))
    url, host = out["url"], out["host_url"]
    body = '{"id": "1", "title": "IPhone", "description": "This is an IPhone", "price": 900}'
    print(f"API {out['api_id']}, stage {out['stage']}, function {out['function']}, table {out['table']}\n"
          f"  {url}\n  {host}\n\nTry:")
    print(f"  curl -X POST {url}/product -H 'Content-Type: application/json' -d '{body}'")
    print(f"  curl {host}/product/1")
    print(f"  curl {url}/product")
    print(f"  curl -X DELETE {host}/product/1")


if __name__ == "__main__":
    main()
