"""Seed 002, "AWS - Build REST APIs on API Gateway and Lambda and DynamoDB": the Music API, in Python 3.12.

Three functions (functions/, the tutorial's code) behind the REST API DemoRESTAPI, stage Test:

    PUT|DELETE              /DemoResourceMusic/DemoResourceMusicTable   DemoCreateTable / DemoDeleteTable
    PUT|POST|GET|DELETE     /DemoResourceMusic/DemoResourceMusicItem    DemoHandleItem

all Lambda proxy integrations that read their parameters from request headers (`-H 'table:Music'`), plus the
variant the tutorial compares them with, proxy integration off:

    PUT                     /DemoResourceMusic/DemoResourceMusicTableNonProxy   DemoCreateTable, type AWS

where the request body is the event (`{"headers": {"table": "Music"}}`) and the function's whole return value is
the response body. The stage writes full request/response execution logs to
API-Gateway-Execution-Logs_{apiId}/Test and one JSON access-log line per request to the log group DemoRESTAPI.

    python examples/002-music-api-python/deploy.py [--endpoint http://localhost:4566] [--suffix -2]
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import boto3
from botocore.exceptions import ClientError

HERE = Path(__file__).resolve().parent
STAGE = "Test"
FUNCTIONS = ["DemoCreateTable", "DemoDeleteTable", "DemoHandleItem"]
TABLE_PATH = "/DemoResourceMusic/DemoResourceMusicTable"
ITEM_PATH = "/DemoResourceMusic/DemoResourceMusicItem"
NON_PROXY_PATH = "/DemoResourceMusic/DemoResourceMusicTableNonProxy"
# (method, resource, function, proxy?)
METHODS = [
    ("PUT", TABLE_PATH, "DemoCreateTable", True),
    ("DELETE", TABLE_PATH, "DemoDeleteTable", True),
    *((m, ITEM_PATH, "DemoHandleItem", True) for m in ("PUT", "POST", "GET", "DELETE")),
    ("PUT", NON_PROXY_PATH, "DemoCreateTable", False),
]
# The console's JSON example for access logs ("Learn more" in Logs and tracing), on one line:
# https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-access-logging.html
ACCESS_LOG_FORMAT = (
    '{ "requestId":"$context.requestId", "extendedRequestId":"$context.extendedRequestId", '
    '"ip": "$context.identity.sourceIp", "caller":"$context.identity.caller", "user":"$context.identity.user", '
    '"requestTime":"$context.requestTime", "httpMethod":"$context.httpMethod", '
    '"resourcePath":"$context.resourcePath", "status":"$context.status", "protocol":"$context.protocol", '
    '"responseLength":"$context.responseLength" }')


def trust(service: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": f"{service}.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def invoke_urls(endpoint: str, api_id: str, stage: str) -> tuple[str, str]:
    """The two URL forms of a stage: path-based on the endpoint, and host-based (`{apiId}.execute-api...`)."""
    parts = urlsplit(endpoint)
    port = f":{parts.port}" if parts.port else ""
    return (f"{endpoint.rstrip('/')}/restapis/{api_id}/{stage}/_user_request_",
            f"{parts.scheme}://{api_id}.execute-api.localhost.localstack.cloud{port}/{stage}")


def package(function: str) -> bytes:
    """The console's layout: the code in lambda_function.py, handler lambda_function.lambda_handler."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("lambda_function.py", (HERE / "functions" / f"{function}.py").read_text())
    return buf.getvalue()


def deploy(endpoint: str, region: str = "us-east-1", suffix: str = "") -> dict:  # type: ignore[type-arg]
    kw = {"endpoint_url": endpoint, "region_name": region, "aws_access_key_id": "test",
          "aws_secret_access_key": "test"}
    iam, lam, apigw, logs = (boto3.client(s, **kw) for s in ("iam", "lambda", "apigateway", "logs"))

    # 1. TestRoleLambda (AmazonDynamoDBFullAccess; and the basic execution role, for the functions' own logs).
    lambda_role = f"TestRoleLambda{suffix}"
    lambda_role_arn = iam.create_role(RoleName=lambda_role, AssumeRolePolicyDocument=trust("lambda"))["Role"]["Arn"]
    account = lambda_role_arn.split(":")[4]
    for policy in ("AmazonDynamoDBFullAccess", "service-role/AWSLambdaBasicExecutionRole"):
        iam.attach_role_policy(RoleName=lambda_role, PolicyArn=f"arn:aws:iam::aws:policy/{policy}")

    # 2. The three functions: Python 3.12, the console's file and handler names.
    functions = {}
    for name in FUNCTIONS:
        functions[name] = lam.create_function(
            FunctionName=name + suffix, Runtime="python3.12", Role=lambda_role_arn,
            Handler="lambda_function.lambda_handler", Timeout=10, Code={"ZipFile": package(name)})["FunctionArn"]
    for name in FUNCTIONS:
        lam.get_waiter("function_active_v2").wait(FunctionName=name + suffix)

    # 3. DemoRESTAPI, Regional; resources DemoResourceMusic/{DemoResourceMusicTable, DemoResourceMusicItem, ...}.
    custom_id = "demorestapi" + re.sub(r"[^a-z0-9]", "", suffix.lower())
    api_id = apigw.create_rest_api(name=f"DemoRESTAPI{suffix}", endpointConfiguration={"types": ["REGIONAL"]},
                                   tags={"_custom_id_": custom_id})["id"]
    root = next(r["id"] for r in apigw.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    music = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="DemoResourceMusic")["id"]
    resources = {path: apigw.create_resource(restApiId=api_id, parentId=music, pathPart=path.rsplit("/", 1)[1])["id"]
                 for path in (TABLE_PATH, ITEM_PATH, NON_PROXY_PATH)}
    for method, path, name, proxy in METHODS:
        ids = {"restApiId": api_id, "resourceId": resources[path], "httpMethod": method}
        uri = f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{functions[name]}/invocations"
        apigw.put_method(**ids, authorizationType="NONE")
        # Lambda functions are always invoked with POST, whatever the method's own verb.
        apigw.put_integration(**ids, type="AWS_PROXY" if proxy else "AWS", integrationHttpMethod="POST", uri=uri)
        apigw.put_method_response(**ids, statusCode="200", responseModels={"application/json": "Empty"})
        if not proxy:
            # Proxy off: the default integration response, no template, so the function's result is the body.
            apigw.put_integration_response(**ids, statusCode="200", responseTemplates={})
        lam.add_permission(FunctionName=name + suffix, StatementId=f"apigateway-{method}-{resources[path]}",
                           Action="lambda:InvokeFunction", Principal="apigateway.amazonaws.com",
                           SourceArn=f"arn:aws:execute-api:{region}:{account}:{api_id}/*/{method}{path}")

    # 4. Deploy to the new stage Test.
    apigw.create_deployment(restApiId=api_id, stageName=STAGE)

    # 5. Logging. The account's CloudWatch role (TestRoleApiGateway, AmazonAPIGatewayPushToCloudWatchLogs) comes
    #    first: API Gateway refuses execution logging on a stage until the account has one.
    gateway_role = f"TestRoleApiGateway{suffix}"
    gateway_role_arn = iam.create_role(RoleName=gateway_role,
                                       AssumeRolePolicyDocument=trust("apigateway"))["Role"]["Arn"]
    iam.attach_role_policy(RoleName=gateway_role,
                           PolicyArn="arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs")
    apigw.update_account(patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": gateway_role_arn}])
    log_group = f"DemoRESTAPI{suffix}"
    logs.create_log_group(logGroupName=log_group)
    # The access-log destination is the log group's ARN without the trailing ":*" describe_log_groups shows.
    log_group_arn = f"arn:aws:logs:{region}:{account}:log-group:{log_group}"
    apigw.update_stage(restApiId=api_id, stageName=STAGE, patchOperations=[
        {"op": "replace", "path": "/*/*/logging/loglevel", "value": "INFO"},  # "Full request and response logs"
        {"op": "replace", "path": "/*/*/logging/dataTrace", "value": "true"},
        {"op": "replace", "path": "/accessLogSettings/destinationArn", "value": log_group_arn},
        {"op": "replace", "path": "/accessLogSettings/format", "value": ACCESS_LOG_FORMAT},
    ])

    url, host_url = invoke_urls(endpoint, api_id, STAGE)
    return {"api_id": api_id, "stage": STAGE, "url": url, "host_url": host_url, "resources": resources,
            "functions": {name: name + suffix for name in FUNCTIONS}, "access_log_group": log_group,
            "execution_log_group": f"API-Gateway-Execution-Logs_{api_id}/{STAGE}"}


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
    song = "-H 'artist:No One You Know' -H 'songtitle:Call Me Today'"
    print(f"API {out['api_id']}, stage {out['stage']}\n  {url}\n  {host}\n"
          f"logs: {out['execution_log_group']}, {out['access_log_group']}\n\nTry:")
    print(f"  curl -X PUT {url}{TABLE_PATH} -H 'content-type: application/json' -H 'table:Music'")
    print(f"  curl -X PUT {host}{ITEM_PATH} -H 'table:Music' {song} -H 'albumtitle:Somewhat Famous'")
    print(f"  curl -X POST {url}{ITEM_PATH} -H 'table:Music' {song} -H 'albumtitle: Louder Than Ever'")
    print(f"  curl -X GET {host}{ITEM_PATH} -H 'table:Music' {song}")
    print(f"  curl -X DELETE {url}{ITEM_PATH} -H 'table:Music' {song}")
    print(f"  curl -X DELETE {url}{TABLE_PATH} -H 'table:Music'")
    print(f"  curl -X PUT {url}{NON_PROXY_PATH} -H 'content-type: application/json' "
          "-d '{\"headers\": {\"table\": \"Music2\"}}'")
    for group in (out["execution_log_group"], out["access_log_group"]):
        print(f"  .venv/bin/cloudlet logs tail --endpoint {args.endpoint} {group}")


if __name__ == "__main__":
    main()
