"""Seed 003, "AWS Serverless Architecture: API Gateway, Lambda, and DynamoDB": scan and put, on three stages.

    GET  /students   Lambda proxy integration -> ScanStudents: scans the stage's table, returns the records
    POST /students   Lambda (non-proxy) integration, default passthrough -> PutStudent: the JSON request body is
                     the event, and the function puts it in the stage's table

The API is deployed to the stages dev, test and prod, each with its own table (students-dev, ...). The stage
variables carry the difference: `table` (read by ScanStudents from event["stageVariables"]) and `alias` (the
POST integration calls PutStudent:${stageVariables.alias}; each alias is a version published with that stage's
TABLE_NAME). The functions' logs are in /aws/lambda/ScanStudents and /aws/lambda/PutStudent.

    python examples/003-scan-put-stages/deploy.py [--endpoint http://localhost:4566] [--suffix -2]
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
STAGES = ["dev", "test", "prod"]
LAMBDA_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def invoke_urls(endpoint: str, api_id: str, stage: str) -> tuple[str, str]:
    """The two URL forms of a stage: path-based on the endpoint, and host-based (`{apiId}.execute-api...`)."""
    parts = urlsplit(endpoint)
    port = f":{parts.port}" if parts.port else ""
    return (f"{endpoint.rstrip('/')}/restapis/{api_id}/{stage}/_user_request_",
            f"{parts.scheme}://{api_id}.execute-api.localhost.localstack.cloud{port}/{stage}")


def package(source: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(source, (HERE / source).read_text())
    return buf.getvalue()


def deploy(endpoint: str, region: str = "us-east-1", suffix: str = "") -> dict:  # type: ignore[type-arg]
    kw = {"endpoint_url": endpoint, "region_name": region, "aws_access_key_id": "test",
          "aws_secret_access_key": "test"}
    ddb, iam, lam, apigw = (boto3.client(s, **kw) for s in ("dynamodb", "iam", "lambda", "apigateway"))
    tables = {stage: f"students-{stage}{suffix}" for stage in STAGES}

    # 1. One table per stage, partition key id.
    for table in tables.values():
        ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    for table in tables.values():
        ddb.get_waiter("table_exists").wait(TableName=table)

    # 2. The execution role: DynamoDB access, and CloudWatch Logs for the functions' logs.
    role = f"students-functions{suffix}"
    role_arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))["Role"]["Arn"]
    account = role_arn.split(":")[4]
    for policy in ("AmazonDynamoDBFullAccess", "service-role/AWSLambdaBasicExecutionRole"):
        iam.attach_role_policy(RoleName=role, PolicyArn=f"arn:aws:iam::aws:policy/{policy}")

    # 3. ScanStudents, and PutStudent with one published version + alias per stage.
    scan, put = f"ScanStudents{suffix}", f"PutStudent{suffix}"
    scan_arn = lam.create_function(FunctionName=scan, Runtime="python3.12", Role=role_arn, Timeout=10,
                                   Handler="scan_function.lambda_handler",
                                   Code={"ZipFile": package("scan_function.py")})["FunctionArn"]
    put_arn = lam.create_function(FunctionName=put, Runtime="python3.12", Role=role_arn, Timeout=10,
                                  Handler="put_function.lambda_handler", Code={"ZipFile": package("put_function.py")},
                                  Environment={"Variables": {"TABLE_NAME": tables["dev"]}})["FunctionArn"]
    lam.get_waiter("function_active_v2").wait(FunctionName=scan)
    lam.get_waiter("function_active_v2").wait(FunctionName=put)
    for stage in STAGES:
        if stage != "dev":
            lam.update_function_configuration(FunctionName=put,
                                              Environment={"Variables": {"TABLE_NAME": tables[stage]}})
            lam.get_waiter("function_updated_v2").wait(FunctionName=put)
        version = lam.publish_version(FunctionName=put, Description=f"writes to {tables[stage]}")["Version"]
        lam.create_alias(FunctionName=put, Name=stage, FunctionVersion=version)

    # 4. The API: /students with GET (proxy) and POST (non-proxy, the body passed through as the event).
    custom_id = "studentsapi" + re.sub(r"[^a-z0-9]", "", suffix.lower())
    api_id = apigw.create_rest_api(name=f"StudentsAPI{suffix}", endpointConfiguration={"types": ["REGIONAL"]},
                                   tags={"_custom_id_": custom_id})["id"]
    root = next(r["id"] for r in apigw.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    students = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="students")["id"]
    lambda_uri = f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{{}}/invocations"

    get = {"restApiId": api_id, "resourceId": students, "httpMethod": "GET"}
    apigw.put_method(**get, authorizationType="NONE")
    apigw.put_integration(**get, type="AWS_PROXY", integrationHttpMethod="POST", uri=lambda_uri.format(scan_arn))
    lam.add_permission(FunctionName=scan, StatementId="apigateway-get", Action="lambda:InvokeFunction",
                       Principal="apigateway.amazonaws.com",
                       SourceArn=f"arn:aws:execute-api:{region}:{account}:{api_id}/*/GET/students")

    post = {"restApiId": api_id, "resourceId": students, "httpMethod": "POST"}
    apigw.put_method(**post, authorizationType="NONE")
    # No request template: with the default passthrough behaviour (WHEN_NO_MATCH) the body goes through as is.
    apigw.put_integration(**post, type="AWS", integrationHttpMethod="POST",
                          uri=lambda_uri.format(put_arn + ":${stageVariables.alias}"))
    for code in ("200", "400"):
        apigw.put_method_response(**post, statusCode=code, responseModels={"application/json": "Empty"})
    apigw.put_integration_response(**post, statusCode="200", responseTemplates={})  # the result, passed through
    # A Lambda error is selected by its errorMessage:
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/handle-errors-in-lambda-integration.html
    error_template = '{"message": $input.json(\'$.errorMessage\')}'
    apigw.put_integration_response(**post, statusCode="400", selectionPattern="Bad Request:.*",
                                   responseTemplates={"application/json": error_template})
    for stage in STAGES:
        lam.add_permission(FunctionName=put, Qualifier=stage, StatementId=f"apigateway-post-{stage}",
                           Action="lambda:InvokeFunction", Principal="apigateway.amazonaws.com",
                           SourceArn=f"arn:aws:execute-api:{region}:{account}:{api_id}/{stage}/POST/students")

    # 5. One deployment, three stages, each with its own stage variables.
    deployment = apigw.create_deployment(restApiId=api_id, stageName="dev",
                                         variables={"table": tables["dev"], "alias": "dev"})["id"]
    for stage in STAGES[1:]:
        apigw.create_stage(restApiId=api_id, stageName=stage, deploymentId=deployment,
                           variables={"table": tables[stage], "alias": stage})

    stages = {}
    for stage in STAGES:
        url, host_url = invoke_urls(endpoint, api_id, stage)
        stages[stage] = {"url": url, "host_url": host_url, "table": tables[stage]}
    return {"api_id": api_id, "stages": stages, "functions": {"scan": scan, "put": put}, "resource": students}


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
    print(f"API {out['api_id']}, functions {out['functions']['scan']} and {out['functions']['put']}")
    for stage, info in out["stages"].items():
        print(f"  {stage:5} {info['url']}\n        {info['host_url']}   (table {info['table']})")
    dev, prod = out["stages"]["dev"], out["stages"]["prod"]
    print("\nTry:")
    print(f"  curl -X POST {dev['url']}/students -H 'Content-Type: application/json' "
          "-d '{\"id\": \"1\", \"name\": \"Asha\", \"course\": \"Serverless\"}'")
    print(f"  curl {dev['host_url']}/students")
    print(f"  curl {prod['url']}/students   # [] : prod has its own table")
    print(f"  .venv/bin/cloudlet logs tail --endpoint {args.endpoint} /aws/lambda/{out['functions']['put']}")


if __name__ == "__main__":
    main()
