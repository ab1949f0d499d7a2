"""Invoking Python functions in real processes, and their logs in CloudWatch Logs.

https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
https://docs.aws.amazon.com/lambda/latest/dg/python-handler.html
https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html
"""

from __future__ import annotations

import base64
import contextlib
import json
import time

import boto3
import pytest
from botocore.exceptions import ClientError

from conftest import BOTO_CONFIG, unique, zipped

CODE = b'''
import json, os, time
import boto3

COUNT = 0

def handler(event, context):
    global COUNT
    COUNT += 1
    print("got", json.dumps(event))
    return {"count": COUNT, "fn": context.function_name, "arn": context.invoked_function_arn,
            "left": context.get_remaining_time_in_millis() > 0, "mem": context.memory_limit_in_mb,
            "endpoint": os.environ.get("AWS_ENDPOINT_URL"), "table": os.environ.get("TABLE")}

def fails(event, context):
    raise ValueError("bad input")

def slow(event, context):
    time.sleep(5)

def scan(event, context):
    # Seed 003's handler: a DynamoDB scan through boto3, reaching cloudlet via AWS_ENDPOINT_URL.
    table = boto3.resource("dynamodb").Table(os.environ["TABLE"])
    return {"statusCode": 200, "body": json.dumps(table.scan()["Items"])}
'''


@pytest.fixture(scope="module")
def lam(endpoint: str):  # type: ignore[no-untyped-def]
    return boto3.client("lambda", endpoint_url=endpoint, region_name="us-east-1", config=BOTO_CONFIG)


@pytest.fixture(scope="module")
def logs(endpoint: str):  # type: ignore[no-untyped-def]
    return boto3.client("logs", endpoint_url=endpoint, region_name="us-east-1", config=BOTO_CONFIG)


def make(lam, role: str, handler: str, **kw) -> str:  # type: ignore[no-untyped-def]
    name = unique(handler)
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler=f"app.{handler}",
                        Code={"ZipFile": zipped({"app.py": CODE})}, **kw)
    return name


def call(lam, name: str, event: object = None, **kw) -> tuple[dict, object]:  # type: ignore[no-untyped-def,type-arg]
    out = lam.invoke(FunctionName=name, Payload=json.dumps(event or {}).encode(), **kw)
    return out, json.loads(out["Payload"].read() or b"null")


def test_invoke_warm_context_env_and_logs(lam, logs, role: str) -> None:  # type: ignore[no-untyped-def]
    name = make(lam, role, "handler", Environment={"Variables": {"TABLE": "Music"}}, MemorySize=256)
    out, body = call(lam, name, {"a": 1}, LogType="Tail")
    assert out["StatusCode"] == 200 and "FunctionError" not in out and out["ExecutedVersion"] == "$LATEST"
    assert body["count"] == 1 and body["fn"] == name and body["left"] and body["mem"] == "256"
    assert body["arn"] == f"arn:aws:lambda:us-east-1:000000000000:function:{name}"
    assert body["endpoint"].startswith("http://127.0.0.1:") and body["table"] == "Music"
    tail = base64.b64decode(out["LogResult"]).decode()
    assert "START RequestId:" in tail and 'got {"a": 1}' in tail and "Init Duration:" in tail
    _, body = call(lam, name)
    assert body["count"] == 2  # the same warm environment
    group = f"/aws/lambda/{name}"
    streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert len(streams) == 1 and "/[$LATEST]" in streams[0]["logStreamName"]
    msgs = [e["message"] for e in logs.get_log_events(logGroupName=group, logStreamName=streams[0]["logStreamName"],
                                                      startFromHead=True)["events"]]
    assert msgs[0].startswith("START RequestId:") and msgs[1].startswith("got ")
    assert msgs[2].startswith("END RequestId:") and msgs[3].startswith("REPORT RequestId:")
    assert "Billed Duration:" in msgs[3] and "Memory Size: 256 MB" in msgs[3]
    reports = logs.filter_log_events(logGroupName=group, filterPattern="REPORT")["events"]
    assert len(reports) == 2 and "Init Duration" not in reports[1]["message"]
    # New configuration: a fresh environment (the counter starts again).
    lam.update_function_configuration(FunctionName=name, Environment={"Variables": {"TABLE": "Other"}})
    _, body = call(lam, name)
    assert body["count"] == 1 and body["table"] == "Other"


def test_errors_timeouts_dry_run_and_event(lam, logs, role: str) -> None:  # type: ignore[no-untyped-def]
    name = make(lam, role, "fails")
    out, body = call(lam, name)
    assert out["StatusCode"] == 200 and out["FunctionError"] == "Unhandled"
    assert body["errorType"] == "ValueError" and body["errorMessage"] == "bad input"
    assert isinstance(body["stackTrace"], list)
    slow = make(lam, role, "slow", Timeout=1)
    out, body = call(lam, slow)
    assert out["FunctionError"] == "Unhandled" and body["errorMessage"].endswith("Task timed out after 1.00 seconds")
    ok = make(lam, role, "handler")
    assert lam.invoke(FunctionName=ok, InvocationType="DryRun")["StatusCode"] == 204
    assert lam.invoke(FunctionName=ok, InvocationType="Event", Payload=b'{"async": true}')["StatusCode"] == 202
    deadline = time.time() + 10
    while time.time() < deadline:
        found = logs.filter_log_events(logGroupName=f"/aws/lambda/{ok}", filterPattern='"async"')["events"] \
            if ok in str(logs.describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{ok}")) else []
        if found:
            break
        time.sleep(0.2)
    assert found, "the Event invoke ran in the background and logged"
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName=ok, Payload=b"{not json")
    assert exc.value.response["Error"]["Code"] == "InvalidRequestContentException"


def test_reserved_concurrency_zero_throttles(lam, role: str) -> None:  # type: ignore[no-untyped-def]
    name = make(lam, role, "handler")
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    with pytest.raises(ClientError) as exc:
        call(lam, name)
    assert exc.value.response["Error"]["Code"] == "TooManyRequestsException"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429


def test_function_reads_dynamodb_through_cloudlet(lam, ddb, role: str) -> None:  # type: ignore[no-untyped-def]
    table = unique("Music")
    ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "Artist", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "Artist", "AttributeType": "S"}])
    ddb.put_item(TableName=table, Item={"Artist": {"S": "No One You Know"}, "Song": {"S": "Call Me Today"}})
    name = make(lam, role, "scan", Environment={"Variables": {"TABLE": table}}, Timeout=30)
    out, body = call(lam, name)
    assert "FunctionError" not in out, body
    assert json.loads(body["body"]) == [{"Artist": "No One You Know", "Song": "Call Me Today"}]


def test_hot_reload_picks_up_edits(lam, role: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os

    app = tmp_path / "app.py"
    app.write_text("def handler(event, context):\n    return 'one'\n")
    name = unique("hot")
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
                        Code={"S3Bucket": "hot-reload", "S3Key": str(tmp_path)})
    assert call(lam, name)[1] == "one"
    app.write_text("def handler(event, context):\n    return 'two'\n")
    os.utime(app, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))  # a visibly newer file
    assert call(lam, name)[1] == "two"


@contextlib.contextmanager
def own_server(tmp_path, env: dict[str, str]):  # type: ignore[no-untyped-def]
    """A server of its own with these CLOUDLET_* settings: (lambda client, logs client, role ARN)."""
    from conftest import LAMBDA_TRUST
    from server import start

    srv = start(str(tmp_path), env=env)
    try:
        iam = boto3.client("iam", endpoint_url=srv.url, region_name="us-east-1", config=BOTO_CONFIG)
        role_arn = iam.create_role(RoleName="r", AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]
        lam = boto3.client("lambda", endpoint_url=srv.url, region_name="us-east-1", config=BOTO_CONFIG)
        logs = boto3.client("logs", endpoint_url=srv.url, region_name="us-east-1", config=BOTO_CONFIG)
        yield lam, logs, role_arn
    finally:
        srv.stop()


def test_idle_environments_are_stopped(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with own_server(tmp_path, {"CLOUDLET_LAMBDA_IDLE_S": "1"}) as (lam, _, role_arn):
        name = make(lam, role_arn, "handler")
        assert call(lam, name)[1]["count"] == 1
        assert call(lam, name)[1]["count"] == 2  # warm
        time.sleep(3.5)  # idle for longer than 1 s: the reaper (every 1 s here) stops the environment
        assert call(lam, name)[1]["count"] == 1  # a fresh environment


def test_event_invokes_retry_twice(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # A failing asynchronous invoke runs three times in all: https://docs.aws.amazon.com/lambda/latest/dg/invocation-retries.html
    with own_server(tmp_path, {"CLOUDLET_LAMBDA_RETRY_S": "0.3"}) as (lam, logs, role_arn):
        name = make(lam, role_arn, "fails")
        assert lam.invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")["StatusCode"] == 202
        deadline, starts = time.time() + 15, []
        while time.time() < deadline and len(starts) < 3:
            time.sleep(0.3)
            try:
                starts = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}", filterPattern="START")["events"]
            except ClientError:
                pass
        time.sleep(1.5)  # no fourth attempt
        starts = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}", filterPattern="START")["events"]
        assert len(starts) == 3


NODE_CODE = b"""
exports.handler = async (event, context) => {
  console.log('method', event.httpMethod);
  switch (event.httpMethod) {
    case 'GET': return { statusCode: 200, body: JSON.stringify({ items: [], fn: context.functionName }) };
    case 'DELETE': throw new Error('not allowed');
    default: return { statusCode: 400, body: 'Unsupported method ' + event.httpMethod };
  }
};
"""


def test_node_function(lam, logs, role: str) -> None:  # type: ignore[no-untyped-def]
    name = unique("node")
    lam.create_function(FunctionName=name, Runtime="nodejs20.x", Role=role, Handler="index.handler",
                        Code={"ZipFile": zipped({"index.js": NODE_CODE})})
    out, body = call(lam, name, {"httpMethod": "GET"})
    assert "FunctionError" not in out and json.loads(body["body"]) == {"items": [], "fn": name}
    assert call(lam, name, {"httpMethod": "PATCH"})[1]["statusCode"] == 400
    out, body = call(lam, name, {"httpMethod": "DELETE"})
    assert out["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Error" and body["errorMessage"] == "not allowed"
    lines = [e["message"] for e in logs.filter_log_events(logGroupName=f"/aws/lambda/{name}",
                                                          filterPattern="INFO")["events"]]
    assert any(line.rstrip().endswith("\tINFO\tmethod GET") for line in lines)


NODE_SDK_CODE = b"""
const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient, PutCommand, GetCommand } = require('@aws-sdk/lib-dynamodb');
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));

exports.handler = async (event) => {
  await doc.send(new PutCommand({ TableName: process.env.TABLE, Item: { id: event.id, price: 12.5 } }));
  const got = await doc.send(new GetCommand({ TableName: process.env.TABLE, Key: { id: event.id } }));
  return { statusCode: 200, body: JSON.stringify(got.Item) };
};
"""


def test_node_function_uses_sdk_v3_against_cloudlet(lam, ddb, role: str) -> None:  # type: ignore[no-untyped-def]
    # The SDK v3 is part of AWS's Node.js runtimes; `make` installs it for cloudlet's.
    table = unique("products")
    ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    name = unique("node-sdk")
    lam.create_function(FunctionName=name, Runtime="nodejs20.x", Role=role, Handler="index.handler", Timeout=30,
                        Environment={"Variables": {"TABLE": table}},
                        Code={"ZipFile": zipped({"index.js": NODE_SDK_CODE})})
    out, body = call(lam, name, {"id": "p1"})
    assert "FunctionError" not in out, body
    assert json.loads(body["body"]) == {"id": "p1", "price": 12.5}
    assert ddb.get_item(TableName=table, Key={"id": {"S": "p1"}})["Item"]["price"] == {"N": "12.5"}


def test_delete_function_stops_its_environments(lam, role: str) -> None:  # type: ignore[no-untyped-def]
    import os
    import signal

    pid_code = b"import os\ndef handler(event, context):\n    return os.getpid()\n"
    name = unique("gone")
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
                        Code={"ZipFile": zipped({"app.py": pid_code})})
    pid = call(lam, name)[1]
    os.kill(pid, 0)  # running and warm
    lam.delete_function(FunctionName=name)
    deadline = time.time() + 5
    while time.time() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        os.kill(pid, signal.SIGKILL)
        raise AssertionError("the deleted function's environment is still running")


# Seed 001's products handler (Node, aws-sdk v2 bundled with the function, switching on httpMethod).
SEED_001 = b"""
const AWS = require('aws-sdk');
const dynamo = new AWS.DynamoDB.DocumentClient();
exports.handler = async (event, context) => {
  let body;
  let statusCode = 200;
  const headers = { 'Content-Type': 'application/json' };
  try {
    switch (event.httpMethod) {
      case 'DELETE':
        await dynamo.delete({ TableName: process.env.TABLE, Key: { id: event.pathParameters.id } }).promise();
        body = `Deleted product ${event.pathParameters.id}`;
        break;
      case 'GET':
        if (event.pathParameters != null) {
          body = await dynamo.get({ TableName: process.env.TABLE, Key: { id: event.pathParameters.id } }).promise();
        } else {
          body = await dynamo.scan({ TableName: process.env.TABLE }).promise();
        }
        break;
      case 'PUT':
        const requestJSON = JSON.parse(event.body);
        await dynamo.put({ TableName: process.env.TABLE, Item: { id: requestJSON.id, price: requestJSON.price,
                                                               title: requestJSON.title } }).promise();
        body = `Added/Updated product ${requestJSON.id}`;
        break;
      default:
        throw new Error(`Unsupported route: "${event.httpMethod}"`);
    }
  } catch (err) {
    statusCode = 400;
    body = err.message;
  } finally {
    body = JSON.stringify(body);
  }
  return { statusCode, body, headers };
};
"""


def test_seed_001_handler_with_bundled_sdk_v2(lam, ddb, role: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os
    import sys

    sdk_v2 = os.path.join(sys.prefix, "test-node-v2", "node_modules")  # installed by `make test`
    assert os.path.isdir(os.path.join(sdk_v2, "aws-sdk")), "run the suite with `make test` (installs aws-sdk v2)"
    (tmp_path / "index.js").write_bytes(SEED_001)
    os.symlink(sdk_v2, tmp_path / "node_modules")  # as if bundled in the zip
    table = unique("product")
    ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    name = unique("products")
    lam.create_function(FunctionName=name, Runtime="nodejs20.x", Role=role, Handler="index.handler", Timeout=30,
                        Environment={"Variables": {"TABLE": table}},
                        Code={"S3Bucket": "hot-reload", "S3Key": str(tmp_path)})
    put = {"httpMethod": "PUT", "body": json.dumps({"id": "p1", "price": 10, "title": "Lamp"})}
    out, body = call(lam, name, put)
    assert "FunctionError" not in out, body
    assert body["statusCode"] == 200 and json.loads(body["body"]) == "Added/Updated product p1"
    assert ddb.get_item(TableName=table, Key={"id": {"S": "p1"}})["Item"]["title"] == {"S": "Lamp"}
    _, body = call(lam, name, {"httpMethod": "GET", "pathParameters": None})
    assert json.loads(body["body"])["Items"] == [{"id": "p1", "price": 10, "title": "Lamp"}]
    _, body = call(lam, name, {"httpMethod": "DELETE", "pathParameters": {"id": "p1"}})
    assert json.loads(body["body"]) == "Deleted product p1" and "Item" not in ddb.get_item(
        TableName=table, Key={"id": {"S": "p1"}})
    _, body = call(lam, name, {"httpMethod": "PATCH"})
    assert body["statusCode"] == 400 and json.loads(body["body"]) == 'Unsupported route: "PATCH"'
