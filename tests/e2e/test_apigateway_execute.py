"""The execute-api plane end to end: deployed REST APIs called over HTTP, each integration type,
mapping, validation, gateway responses and failures as AWS answers them."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from apigw_helpers import Api, apigw_role, client, cloudwatch_role, http, lambda_uri, make_function

from conftest import unique

ECHO = """
import json
def handler(event, context):
    return {"statusCode": 200, "headers": {"X-Echo": "yes"}, "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
            "body": json.dumps(event)}

def plain(event, context):
    return {"got": event, "fn": context.function_name}

def fails(event, context):
    raise ValueError("Not found: " + str(event.get("id")))

def bad(event, context):
    return {"body": {"not": "a string"}}

def slow(event, context):
    import time
    time.sleep(2)
    return {"statusCode": 200, "body": "late"}

def binary(event, context):
    import base64
    return {"statusCode": 200, "headers": {"Content-Type": "image/png"}, "isBase64Encoded": True,
            "body": base64.b64encode(b"\\x89PNG\\x00\\x01").decode()}
"""


@pytest.fixture(scope="module")
def fns(endpoint: str, role: str) -> dict[str, str]:
    return {h: make_function(endpoint, role, ECHO, f"app.{h}") for h in
            ("handler", "plain", "fails", "bad", "slow", "binary")}


def endpoint_port(endpoint: str) -> int:
    return int(endpoint.rsplit(":", 1)[1])


def proxy(fn_arn: str) -> dict[str, str]:
    return {"type": "AWS_PROXY", "integrationHttpMethod": "POST", "uri": lambda_uri(fn_arn)}


@pytest.fixture(scope="module")
def proxy_api(endpoint: str, fns: dict[str, str]) -> Api:
    api = Api(endpoint)
    api.method("/items/{id}", "GET", proxy(fns["handler"]))
    api.method("/items", "ANY", proxy(fns["handler"]))
    api.method("/files/{path+}", "GET", proxy(fns["handler"]))
    api.method("/bad", "GET", proxy(fns["bad"]))
    api.method("/fails", "GET", proxy(fns["fails"]))
    api.method("/binary", "GET", proxy(fns["binary"]))
    api.method("/slow", "GET", {**proxy(fns["slow"]), "timeoutInMillis": 500})
    api.apigw.update_rest_api(restApiId=api.id, patchOperations=[
        {"op": "add", "path": "/binaryMediaTypes/image~1png"}])
    api.deploy("test", variables={"color": "blue"})
    return api


def test_proxy_event_as_aws_builds_it(proxy_api: Api) -> None:
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
    r = proxy_api.call("test", "GET", "/items/42?q=1&q=2&one=x", headers={"X-Thing": "a", "table": "Music"})
    assert r.status == 200, r.body
    assert r.headers["x-echo"] == "yes"
    assert r.headers["x-amzn-requestid"]
    event = r.json()
    assert event["resource"] == "/items/{id}" and event["path"] == "/items/42" and event["httpMethod"] == "GET"
    assert event["pathParameters"] == {"id": "42"}
    assert event["queryStringParameters"] == {"q": "2", "one": "x"}  # the last value of a repeated name
    assert event["multiValueQueryStringParameters"] == {"q": ["1", "2"], "one": ["x"]}
    assert event["headers"]["X-Thing"] == "a" and event["headers"]["table"] == "Music"  # names as sent
    assert event["multiValueHeaders"]["X-Thing"] == ["a"]
    assert event["stageVariables"] == {"color": "blue"}
    assert event["body"] is None and event["isBase64Encoded"] is False
    rc = event["requestContext"]
    assert rc["stage"] == "test" and rc["resourcePath"] == "/items/{id}" and rc["httpMethod"] == "GET"
    assert rc["path"] == "/test/items/42" and rc["apiId"] == proxy_api.id and rc["accountId"] == "000000000000"
    assert rc["requestId"] == r.headers["x-amzn-requestid"]
    assert rc["identity"]["sourceIp"] == "127.0.0.1" and isinstance(rc["requestTimeEpoch"], int)
    assert [v for k, v in r.raw_headers if k.lower() == "set-cookie"] == ["a=1", "b=2"]


def test_proxy_body_greedy_path_and_host_url(proxy_api: Api) -> None:
    r = proxy_api.call_host("test", "POST", "/items", body='{"a": 1}', headers={"Content-Type": "application/json"})
    assert r.status == 200
    event = r.json()
    assert event["body"] == '{"a": 1}' and event["resource"] == "/items" and event["httpMethod"] == "POST"
    assert event["requestContext"]["domainName"] == f"{proxy_api.id}.execute-api.localhost.localstack.cloud"
    r = proxy_api.call("test", "GET", "/files/a/b/c.txt")
    assert r.json()["pathParameters"] == {"path": "a/b/c.txt"}
    # the short host form
    port = endpoint_port(proxy_api.endpoint)
    r = http(proxy_api.endpoint, "GET", "/test/items/9", host=f"{proxy_api.id}.execute-api.localhost:{port}")
    assert r.status == 200 and r.json()["pathParameters"] == {"id": "9"}


def test_unknown_route_method_stage_and_api(proxy_api: Api, endpoint: str) -> None:
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
    for verb, path in (("GET", "/nope"), ("DELETE", "/items/1"), ("GET", "/")):
        r = proxy_api.call("test", verb, path)
        assert r.status == 403 and r.json() == {"message": "Missing Authentication Token"}
        assert r.headers["x-amzn-errortype"] == "MissingAuthenticationTokenException"
    assert proxy_api.call("nostage", "GET", "/items/1").status == 403
    assert http(endpoint, "GET", "/restapis/doesnotexist/test/_user_request_/x").status == 404


def test_malformed_proxy_result_and_function_error_are_502(proxy_api: Api) -> None:
    for path in ("/bad", "/fails"):
        r = proxy_api.call("test", "GET", path)
        assert r.status == 502 and r.json() == {"message": "Internal server error"}


def test_integration_timeout_is_504(proxy_api: Api, endpoint: str, fns: dict[str, str]) -> None:
    t0 = time.monotonic()
    r = proxy_api.call("test", "GET", "/slow")
    waited = time.monotonic() - t0
    assert r.status == 504 and r.json() == {"message": "Endpoint request timed out"}
    assert 0.5 <= waited < 1.8  # the gateway stops waiting at timeoutInMillis (500), not when the function ends (2 s)
    # ... while the function runs to its end, as on AWS: its END line reaches its log group.
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html (integration timeout)
    logs = client(endpoint, "logs")
    group = "/aws/lambda/" + fns["slow"].rsplit(":", 1)[1]
    deadline = time.monotonic() + 10
    ended = False
    while not ended and time.monotonic() < deadline:
        time.sleep(0.2)
        try:
            ended = bool(logs.filter_log_events(logGroupName=group, filterPattern='"END RequestId"')["events"])
        except logs.exceptions.ResourceNotFoundException:
            pass
    assert ended


def test_binary_proxy_response(proxy_api: Api) -> None:
    r = proxy_api.call("test", "GET", "/binary", headers={"Accept": "image/png"})
    assert r.status == 200 and r.body == b"\x89PNG\x00\x01" and r.headers["content-type"] == "image/png"
    # without an Accept the binary media types name, the body stays base64 text
    r = proxy_api.call("test", "GET", "/binary")
    assert base64.b64decode(r.body) == b"\x89PNG\x00\x01"


def test_stage_serves_its_deployment_not_the_draft(endpoint: str, fns: dict[str, str]) -> None:
    api = Api(endpoint)
    rid = api.method("/v", "GET", {"type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'}},
                     responses={"200": {"responseTemplates": {"application/json": '{"v": 1}'}}})
    api.deploy("prod")
    api.apigw.put_integration_response(restApiId=api.id, resourceId=rid, httpMethod="GET", statusCode="200",
                                       responseTemplates={"application/json": '{"v": 2}'})
    assert api.call("prod", "GET", "/v").json() == {"v": 1}
    api.deploy("prod")
    assert api.call("prod", "GET", "/v").json() == {"v": 2}


def test_lambda_non_proxy_with_templates_and_error_selection(endpoint: str, fns: dict[str, str]) -> None:
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/handle-errors-in-lambda-integration.html
    api = Api(endpoint)
    integ = {"type": "AWS", "integrationHttpMethod": "POST", "uri": lambda_uri(fns["plain"])}
    api.method("/plain", "POST", integ, responses={"200": {}})
    api.method("/mapped/{id}", "GET", {**integ, "requestTemplates": {
        "application/json": '{"id": "$input.params(\'id\')", "q": "$input.params(\'q\')", '
                            '"stage": "$context.stage", "color": "$stageVariables.color"}'}},
        responses={"200": {"responseTemplates": {"application/json": '{"id": "$input.path(\'$.got.id\')"}'},
                           "responseParameters": {"method.response.header.X-Fn": "integration.response.body.fn"}}},
        method_responses={"200": {"responseParameters": {"method.response.header.X-Fn": False}}})
    api.method("/fails/{id}", "GET", {"type": "AWS", "integrationHttpMethod": "POST", "uri": lambda_uri(fns["fails"]),
                                      "requestTemplates": {"application/json": '{"id": "$input.params(\'id\')"}'}},
               responses={"200": {}, "404": {"selectionPattern": "Not found: .*",
                                             "responseTemplates": {"application/json":
                                                                   '{"error": "$input.path(\'$.errorMessage\')"}'}}})
    api.deploy("dev", variables={"color": "red"})
    # passthrough: the request body is the event; the return value is the body
    r = api.call("dev", "POST", "/plain", body='{"k": "v"}', headers={"Content-Type": "application/json"})
    assert r.status == 200 and r.json()["got"] == {"k": "v"} and r.headers["content-type"] == "application/json"
    r = api.call("dev", "GET", "/mapped/7?q=hello")
    assert r.status == 200 and r.json() == {"id": "7"}
    assert r.headers["x-fn"].startswith("fn-")
    r = api.call("dev", "GET", "/fails/9")
    assert r.status == 404 and r.json() == {"error": "Not found: 9"}


@pytest.fixture(scope="module")
def backend() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            out = json.dumps({"method": self.command, "path": self.path, "body": body.decode(),
                              "headers": {k.lower(): v for k, v in self.headers.items()}}).encode()
            status = 418 if "teapot" in self.path else 200
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("X-Backend", "1")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        do_GET = do_POST = do_PUT = _answer

        def log_message(self, *args: object) -> None:
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


def test_http_proxy_and_http_integrations(endpoint: str, backend: str) -> None:
    api = Api(endpoint)
    api.method("/proxy/{proxy+}", "ANY", {
        "type": "HTTP_PROXY", "integrationHttpMethod": "ANY", "uri": backend + "/up/{proxy}",
        "requestParameters": {"integration.request.path.proxy": "method.request.path.proxy"}},
        method={"requestParameters": {"method.request.path.proxy": True}})
    api.method("/http/{id}", "GET", {
        "type": "HTTP", "integrationHttpMethod": "POST", "uri": backend + "/things/{id}",
        "requestParameters": {"integration.request.path.id": "method.request.path.id",
                              "integration.request.header.X-Static": "'fixed'",
                              "integration.request.querystring.from": "method.request.querystring.src"},
        "requestTemplates": {"application/json": '{"wanted": "$input.params(\'id\')"}'}},
        responses={"200": {"responseTemplates": {"application/json": '{"seen": $input.json(\'$.body\')}'}},
                   "400": {"selectionPattern": "4\\d{2}"}},
        method={"requestParameters": {"method.request.path.id": True, "method.request.querystring.src": False}})
    api.deploy("test")
    r = api.call("test", "PUT", "/proxy/a/b?x=1", body="raw", headers={"X-Mine": "m"})
    assert r.status == 200 and r.headers["x-backend"] == "1"
    got = r.json()
    assert got["method"] == "PUT" and got["path"] == "/up/a/b?x=1" and got["body"] == "raw"
    assert got["headers"]["x-mine"] == "m"
    r = api.call("test", "GET", "/proxy/teapot")
    assert r.status == 418
    r = api.call("test", "GET", "/http/5?src=web")
    assert r.status == 200, r.body
    assert json.loads(r.json()["seen"]) == {"wanted": "5"}


def test_dynamodb_integration_with_templates(endpoint: str, ddb) -> None:  # type: ignore[no-untyped-def]
    table = unique("movies")
    ddb.create_table(TableName=table, KeySchema=[{"AttributeName": "name", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "name", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    role = apigw_role(endpoint)
    api = Api(endpoint)
    base = {"type": "AWS", "integrationHttpMethod": "POST", "credentials": role}
    api.method("/movies/{name}", "PUT", {
        **base, "uri": "arn:aws:apigateway:us-east-1:dynamodb:action/PutItem",
        "requestTemplates": {"application/json": (
            '{"TableName": "TABLE", "Item": {"name": {"S": "$input.params(\'name\')"}, '
            '"favorite_movie": {"S": "$input.path(\'$.favorite_movie\')"}}}').replace("TABLE", table)}},
        responses={"200": {}, "400": {"selectionPattern": "400", "responseTemplates": {
            "application/json": '{"err": "$input.path(\'$.message\')"}'}}})
    api.method("/movies/{name}", "GET", {
        **base, "uri": "arn:aws:apigateway:us-east-1:dynamodb:action/GetItem",
        "requestTemplates": {"application/json": (
            '{"TableName": "TABLE", "Key": {"name": {"S": "$input.params(\'name\')"}}}').replace("TABLE", table)}},
        responses={"200": {"responseTemplates": {"application/json": (
            '{"name": "$input.path(\'$.Item.name.S\')", '
            '"favorite_movie": "$input.path(\'$.Item.favorite_movie.S\')"}')}}})
    api.deploy("test")
    r = api.call("test", "PUT", "/movies/Bob", body='{"favorite_movie": "Interstellar"}',
                 headers={"Content-Type": "application/json"})
    assert r.status == 200 and r.body == b"{}"
    assert ddb.get_item(TableName=table, Key={"name": {"S": "Bob"}})["Item"]["favorite_movie"] == {"S": "Interstellar"}
    r = api.call("test", "GET", "/movies/Bob")
    assert r.status == 200 and r.json() == {"name": "Bob", "favorite_movie": "Interstellar"}


def test_missing_role_and_missing_function_are_500(endpoint: str) -> None:
    api = Api(endpoint)
    api.method("/x", "GET", {"type": "AWS", "integrationHttpMethod": "POST",
                             "uri": "arn:aws:apigateway:us-east-1:dynamodb:action/ListTables",
                             "credentials": "arn:aws:iam::000000000000:role/nope"}, responses={"200": {}})
    api.method("/y", "GET", proxy("arn:aws:lambda:us-east-1:000000000000:function:missing"))
    api.deploy("test")
    for path in ("/x", "/y"):
        r = api.call("test", "GET", path)
        assert r.status == 500 and r.json() == {"message": "Internal server error"}


def test_mock_validation_passthrough_and_gateway_responses(endpoint: str) -> None:
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html
    api = Api(endpoint)
    apigw = api.apigw
    model = apigw.create_model(restApiId=api.id, name="Pet", contentType="application/json", schema=json.dumps({
        "$schema": "http://json-schema.org/draft-04/schema#", "type": "object", "required": ["name"],
        "properties": {"name": {"type": "string"}}}))
    validator = apigw.create_request_validator(restApiId=api.id, name="all", validateRequestBody=True,
                                               validateRequestParameters=True)
    api.method("/pets", "POST", {"type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 201}'},
                                 "passthroughBehavior": "NEVER"},
               method={"requestValidatorId": validator["id"], "requestModels": {"application/json": model["name"]},
                       "requestParameters": {"method.request.querystring.owner": True,
                                             "method.request.header.X-Trace": False}},
               responses={"201": {"selectionPattern": "201",
                                  "responseTemplates": {"application/json": '{"created": true}'}}})
    apigw.put_gateway_response(restApiId=api.id, responseType="BAD_REQUEST_BODY", statusCode="422",
                               responseTemplates={"application/json": '{"error": $context.error.messageString}'},
                               responseParameters={"gatewayresponse.header.X-Why": "'validation'"})
    apigw.put_gateway_response(restApiId=api.id, responseType="DEFAULT_4XX",
                               responseParameters={"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"})
    api.deploy("test")
    js = {"Content-Type": "application/json"}
    ok = api.call("test", "POST", "/pets?owner=me", body='{"name": "rex"}', headers=js)
    assert ok.status == 201 and ok.json() == {"created": True}
    r = api.call("test", "POST", "/pets", body='{"name": "rex"}', headers={"Content-Type": "application/json"})
    assert r.status == 400 and r.json() == {"message": "Missing required request parameters: [owner]"}
    assert r.headers["access-control-allow-origin"] == "*"
    r = api.call("test", "POST", "/pets?owner=me", body='{"nom": 1}', headers={"Content-Type": "application/json"})
    assert r.status == 422 and r.json() == {"error": "Invalid request body"} and r.headers["x-why"] == "validation"
    r = api.call("test", "POST", "/pets?owner=me", body="a=b", headers={"Content-Type": "text/plain"})
    assert r.status == 415 and r.json() == {"message": "Unsupported Media Type"}
    r = api.call("test", "GET", "/pets")
    assert r.status == 403 and r.headers["access-control-allow-origin"] == "*"


def test_payload_over_10_mb_is_413(proxy_api: Api) -> None:
    r = proxy_api.call("test", "POST", "/items", body=b"x" * (10 * 1024 * 1024 + 1))
    assert r.status == 413 and r.json() == {"message": "Request Too Long"}


def test_execution_and_access_logs(endpoint: str, fns: dict[str, str]) -> None:
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
    logs = client(endpoint, "logs")
    cloudwatch_role(endpoint)
    group = unique("access")
    logs.create_log_group(logGroupName=group)
    api = Api(endpoint)
    api.method("/items/{id}", "GET", proxy(fns["handler"]))
    api.deploy("test")
    api.apigw.update_stage(restApiId=api.id, stageName="test", patchOperations=[
        {"op": "replace", "path": "/*/*/logging/loglevel", "value": "INFO"},
        {"op": "replace", "path": "/*/*/logging/dataTrace", "value": "true"},
        {"op": "replace", "path": "/accessLogSettings/destinationArn",
         "value": f"arn:aws:logs:us-east-1:000000000000:log-group:{group}"},
        {"op": "replace", "path": "/accessLogSettings/format",
         "value": '{"requestId":"$context.requestId","status":"$context.status","path":"$context.resourcePath"}'},
    ])
    r = api.call("test", "GET", "/items/3")
    rid = r.headers["x-amzn-requestid"]
    exec_group = f"API-Gateway-Execution-Logs_{api.id}/test"
    messages = [e["message"] for e in logs.filter_log_events(logGroupName=exec_group)["events"]]
    text = "\n".join(messages)
    assert f"Starting execution for request: {rid}" in text
    assert "Method completed with status: 200" in text and "Endpoint response body before transformations" in text
    access = [json.loads(e["message"]) for e in logs.filter_log_events(logGroupName=group)["events"]]
    assert {"requestId": rid, "status": "200", "path": "/items/{id}"} in access


def test_test_invoke_method(endpoint: str, fns: dict[str, str]) -> None:
    # The console's Test button: https://docs.aws.amazon.com/apigateway/latest/api/API_TestInvokeMethod.html
    api = Api(endpoint)
    rid = api.method("/items/{id}", "GET", proxy(fns["handler"]))
    out = api.apigw.test_invoke_method(restApiId=api.id, resourceId=rid, httpMethod="GET",
                                       pathWithQueryString="/items/5?x=1", headers={"table": "Music"})
    assert out["status"] == 200
    event = json.loads(out["body"])
    assert event["pathParameters"] == {"id": "5"} and event["headers"] == {"table": "Music"}
    assert event["requestContext"]["stage"] == "test-invoke-stage"
    assert "Starting execution for request" in out["log"] and "Method completed with status: 200" in out["log"]


def test_cors_through_the_users_own_options_mock(endpoint: str, fns: dict[str, str]) -> None:
    # No blanket CORS: a preflight is answered by the OPTIONS method the user defines.
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/enable-cors-for-resource-using-swagger-importer-tool.html
    api = Api(endpoint)
    allow = {"method.response.header.Access-Control-Allow-Origin": "'https://example.com'",
             "method.response.header.Access-Control-Allow-Methods": "'GET,OPTIONS'",
             "method.response.header.Access-Control-Allow-Headers": "'Content-Type'"}
    api.method("/cors", "OPTIONS", {"type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'}},
               method_responses={"200": {"responseParameters": {k: False for k in allow}}},
               responses={"200": {"responseParameters": allow, "responseTemplates": {"application/json": ""}}})
    api.method("/cors", "GET", proxy(fns["handler"]))
    api.method("/nocors", "GET", proxy(fns["handler"]))
    api.deploy("test")
    r = api.call("test", "OPTIONS", "/cors", headers={"Origin": "https://example.com",
                                                     "Access-Control-Request-Method": "GET"})
    assert r.status == 200 and r.body == b""
    assert r.headers["access-control-allow-origin"] == "https://example.com"
    assert r.headers["access-control-allow-methods"] == "GET,OPTIONS"
    r = api.call("test", "OPTIONS", "/nocors", headers={"Origin": "https://example.com"})
    assert r.status == 403 and "access-control-allow-origin" not in r.headers


def test_failures_are_explained_in_the_execution_log(endpoint: str, fns: dict[str, str]) -> None:
    logs = client(endpoint, "logs")
    cloudwatch_role(endpoint)
    api = Api(endpoint)
    api.method("/bad", "GET", proxy(fns["bad"]))
    api.method("/tpl", "POST", {"type": "MOCK", "requestTemplates": {"application/json": "#if($x"}},
               responses={"200": {}})
    api.method("/nofn", "GET", proxy("arn:aws:lambda:us-east-1:000000000000:function:missing"))
    api.deploy("test")
    api.apigw.update_stage(restApiId=api.id, stageName="test", patchOperations=[
        {"op": "replace", "path": "/*/*/logging/loglevel", "value": "ERROR"}])
    assert api.call("test", "GET", "/bad").status == 502
    r = api.call("test", "POST", "/tpl", body="{}")
    assert r.status == 500 and r.json() == {"message": "Internal server error"}
    assert api.call("test", "GET", "/nofn").status == 500
    text = "\n".join(e["message"] for e in logs.filter_log_events(
        logGroupName=f"API-Gateway-Execution-Logs_{api.id}/test")["events"])
    assert "Execution failed due to configuration error: Malformed Lambda proxy response" in text
    assert "Unable to transform request" in text
    assert "Invalid permissions on Lambda function" in text
    assert "Method completed with status: 502" in text and "Starting execution" not in text  # ERROR level only


def test_non_proxy_function_error_without_a_matching_pattern_is_the_default_response(
        endpoint: str, fns: dict[str, str]) -> None:
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/handle-errors-in-lambda-integration.html
    api = Api(endpoint)
    api.method("/e", "POST", {"type": "AWS", "integrationHttpMethod": "POST", "uri": lambda_uri(fns["fails"])},
               responses={"200": {}})
    api.deploy("test")
    r = api.call("test", "POST", "/e", body='{"id": 3}')
    assert r.status == 200
    assert r.json()["errorMessage"] == "Not found: 3" and r.json()["errorType"] == "ValueError"


def test_stage_logging_needs_the_accounts_cloudwatch_role(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html (CloudWatch role first)
    from botocore.exceptions import ClientError

    from server import start

    srv = start(str(tmp_path))
    try:
        api = Api(srv.url)
        api.method("/m", "GET", {"type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'}},
                   responses={"200": {}})
        api.deploy("test")
        on = [{"op": "replace", "path": "/*/*/logging/loglevel", "value": "INFO"}]
        with pytest.raises(ClientError) as e:
            api.apigw.update_stage(restApiId=api.id, stageName="test", patchOperations=on)
        assert e.value.response["Error"]["Code"] == "BadRequestException"
        assert e.value.response["Error"]["Message"] == \
            "CloudWatch Logs role ARN must be set in account settings to enable logging"
        cloudwatch_role(srv.url)
        api.apigw.update_stage(restApiId=api.id, stageName="test", patchOperations=on)
    finally:
        srv.stop()


def test_aws_integrations_to_other_services(endpoint: str) -> None:
    # Any action of a JSON-protocol service (here CloudWatch Logs) and of a query-protocol one (STS).
    role = apigw_role(endpoint)
    group = unique("from-apigw")
    api = Api(endpoint)
    api.method("/groups", "POST", {
        "type": "AWS", "integrationHttpMethod": "POST", "credentials": role,
        "uri": "arn:aws:apigateway:us-east-1:logs:action/CreateLogGroup",
        "requestTemplates": {"application/json": '{"logGroupName": "$input.path(\'$.name\')"}'}},
        responses={"200": {}, "400": {"selectionPattern": "4\\d{2}", "responseTemplates": {
            "application/json": '{"type": "$input.path(\'$.__type\')"}'}}})
    api.method("/whoami", "GET", {"type": "AWS", "integrationHttpMethod": "POST", "credentials": role,
                                  "uri": "arn:aws:apigateway:us-east-1:sts:action/GetCallerIdentity"},
               responses={"200": {}})
    api.deploy("test")
    r = api.call("test", "POST", "/groups", body=json.dumps({"name": group}))
    assert r.status == 200
    found = client(endpoint, "logs").describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert [g["logGroupName"] for g in found] == [group]
    r = api.call("test", "POST", "/groups", body=json.dumps({"name": group}))
    assert r.status == 400 and r.json()["type"].endswith("ResourceAlreadyExistsException")
    r = api.call("test", "GET", "/whoami")
    assert r.status == 200 and b"<Account>000000000000</Account>" in r.body


def test_binary_payload_converted_to_text_for_a_non_proxy_integration(endpoint: str, fns: dict[str, str]) -> None:
    # contentHandling CONVERT_TO_TEXT: a binary request body reaches the template base64-encoded.
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings-workflow.html
    api = Api(endpoint, binaryMediaTypes=["application/octet-stream"])
    api.method("/upload", "POST", {
        "type": "AWS", "integrationHttpMethod": "POST", "uri": lambda_uri(fns["plain"]),
        "contentHandling": "CONVERT_TO_TEXT",
        "requestTemplates": {"application/octet-stream": '{"data": "$input.body"}'}},
        responses={"200": {"responseTemplates": {"application/json": '{"got": "$input.path(\'$.got.data\')"}'}}})
    api.deploy("test")
    raw = b"\x00\x01\xffbinary"
    r = api.call("test", "POST", "/upload", body=raw, headers={"Content-Type": "application/octet-stream"})
    assert r.status == 200, r.body
    assert base64.b64decode(r.json()["got"]) == raw
