"""Building REST APIs through the control plane and calling them over plain HTTP, for the e2e tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from http.client import HTTPConnection
from typing import Any
from urllib.parse import urlsplit

import boto3

from conftest import BOTO_CONFIG, LAMBDA_TRUST, unique, zipped

REGION = "us-east-1"
APIGW_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def client(endpoint: str, name: str) -> Any:
    return boto3.client(name, endpoint_url=endpoint, region_name=REGION, config=BOTO_CONFIG)


@dataclass
class Reply:
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes
    raw_headers: list[tuple[str, str]]

    def json(self) -> Any:
        return json.loads(self.body)


def http(endpoint: str, method: str, path: str, body: bytes | str | None = None,
         headers: dict[str, str] | None = None, host: str | None = None) -> Reply:
    u = urlsplit(endpoint)
    conn = HTTPConnection(u.hostname, u.port, timeout=30)
    try:
        hdrs = dict(headers or {})
        if host:
            hdrs["Host"] = host
        conn.request(method, path, body.encode() if isinstance(body, str) else body, hdrs)
        r = conn.getresponse()
        return Reply(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read(), r.getheaders())
    finally:
        conn.close()


class Api:
    """One REST API under construction: resources by path, methods, integrations, a deployment."""

    def __init__(self, endpoint: str, name: str | None = None, **kw: Any) -> None:
        self.endpoint = endpoint
        self.apigw = client(endpoint, "apigateway")
        api = self.apigw.create_rest_api(name=name or unique("api"), **kw)
        self.id: str = api["id"]
        self.resources: dict[str, str] = {"/": api["rootResourceId"]}

    def resource(self, path: str) -> str:
        if path in self.resources:
            return self.resources[path]
        parent, _, part = path.rpartition("/")
        pid = self.resource(parent or "/")
        rid: str = self.apigw.create_resource(restApiId=self.id, parentId=pid, pathPart=part)["id"]
        self.resources[path] = rid
        return rid

    def method(self, path: str, verb: str, integration: dict[str, Any], *, method: dict[str, Any] | None = None,
               responses: dict[str, dict[str, Any]] | None = None,
               method_responses: dict[str, dict[str, Any]] | None = None) -> str:
        rid = self.resource(path)
        self.apigw.put_method(restApiId=self.id, resourceId=rid, httpMethod=verb,
                              authorizationType="NONE", **(method or {}))
        self.apigw.put_integration(restApiId=self.id, resourceId=rid, httpMethod=verb, **integration)
        for code, mr in (method_responses or {}).items():
            self.apigw.put_method_response(restApiId=self.id, resourceId=rid, httpMethod=verb, statusCode=code, **mr)
        for code, ir in (responses or {}).items():
            if code not in (method_responses or {}):
                self.apigw.put_method_response(restApiId=self.id, resourceId=rid, httpMethod=verb, statusCode=code)
            self.apigw.put_integration_response(restApiId=self.id, resourceId=rid, httpMethod=verb,
                                                statusCode=code, **ir)
        return rid

    def deploy(self, stage: str = "test", **kw: Any) -> str:
        dep: str = self.apigw.create_deployment(restApiId=self.id, stageName=stage, **kw)["id"]
        return dep

    def call(self, stage: str, method: str, path: str, body: bytes | str | None = None,
             headers: dict[str, str] | None = None) -> Reply:
        return http(self.endpoint, method, f"/restapis/{self.id}/{stage}/_user_request_{path}", body, headers)

    def call_host(self, stage: str, method: str, path: str, body: bytes | str | None = None,
                  headers: dict[str, str] | None = None) -> Reply:
        port = urlsplit(self.endpoint).port
        return http(self.endpoint, method, f"/{stage}{path}", body, headers,
                    host=f"{self.id}.execute-api.localhost.localstack.cloud:{port}")


def lambda_uri(fn_arn: str) -> str:
    return f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{fn_arn}/invocations"


def make_function(endpoint: str, role: str, code: str, handler: str = "app.handler", timeout: int = 10) -> str:
    lam = client(endpoint, "lambda")
    name = unique("fn")
    arn: str = lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler=handler,
                                   Code={"ZipFile": zipped({"app.py": code.encode()})}, Timeout=timeout)["FunctionArn"]
    return arn


def apigw_role(endpoint: str) -> str:
    iam = client(endpoint, "iam")
    arn: str = iam.create_role(RoleName=unique("apigw"), AssumeRolePolicyDocument=APIGW_TRUST)["Role"]["Arn"]
    return arn


def cloudwatch_role(endpoint: str) -> str:
    """Set the account's CloudWatch role (AWS refuses stage logging without one); idempotent."""
    apigw = client(endpoint, "apigateway")
    current = apigw.get_account().get("cloudwatchRoleArn")
    if current:
        return str(current)
    arn = apigw_role(endpoint)
    client(endpoint, "iam").attach_role_policy(
        RoleName=arn.rsplit("/", 1)[1],
        PolicyArn="arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs")
    apigw.update_account(patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": arn}])
    return arn


__all__ = ["LAMBDA_TRUST", "Api", "Reply", "apigw_role", "client", "cloudwatch_role", "http", "lambda_uri",
           "make_function"]
