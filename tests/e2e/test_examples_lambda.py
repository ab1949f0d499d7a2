"""The seed tutorials with Lambda functions behind API Gateway: 001 (Node.js), 002 (Python, logs), 003 (stages).

Helpers and conventions: test_examples.py.
https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-custom-integrations.html
"""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from test_examples import JSON, MISSING_TOKEN, aws, call, example, log_messages, new_suffix

# --- 001: product CRUD, Node.js with aws-sdk v2, Lambda proxy ---------------------------------------------------

IPHONE = {"id": "1", "title": "IPhone", "description": "This is an IPhone", "price": 900}


@pytest.fixture(scope="module")
def products(endpoint: str) -> dict[str, Any]:
    sdk_v2 = Path(sys.prefix, "test-node-v2", "node_modules")  # installed by `make test`, as in the Makefile
    assert (sdk_v2 / "aws-sdk").is_dir(), "run the suite with `make test` (installs aws-sdk v2)"
    return example("001-product-crud-node").deploy(  # type: ignore[no-any-return]
        endpoint, suffix=new_suffix(), node_modules=sdk_v2)


def test_001_console_test_then_browser(products: dict[str, Any], endpoint: str, ddb) -> None:  # type: ignore[no-untyped-def]
    # "Click Test to test POST the API ... Paste the test data to Request Body", then GET by id in the browser.
    out = aws(endpoint, "apigateway").test_invoke_method(
        restApiId=products["api_id"], resourceId=products["resources"]["/product"], httpMethod="POST",
        pathWithQueryString="/product", body=json.dumps(IPHONE))
    assert (out["status"], out["body"]) == (200, '"Added/Updated product 1"'), out.get("log")
    assert ddb.get_item(TableName=products["table"], Key={"id": {"S": "1"}})["Item"] == {
        "id": {"S": "1"}, "title": {"S": "IPhone"}, "description": {"S": "This is an IPhone"}, "price": {"N": "900"}}
    r = call("GET", f"{products['host_url']}/product/1")
    assert (r.status, r.json()) == (200, {"Item": IPHONE}), r.body
    assert r.headers["Content-Type"] == "application/json"


def test_001_crud_over_http(products: dict[str, Any], ddb) -> None:  # type: ignore[no-untyped-def]
    key = f"p-{uuid.uuid4().hex[:6]}"
    lamp = {"id": key, "title": "Lamp", "description": "A desk lamp", "price": 25}
    r = call("POST", f"{products['url']}/product", lamp, JSON)
    assert (r.status, r.body) == (200, f'"Added/Updated product {key}"'.encode())
    assert r.headers["Content-Type"] == "application/json"
    r = call("PUT", f"{products['host_url']}/product", {**lamp, "price": 19.5}, JSON)
    assert (r.status, r.body) == (200, f'"Added/Updated product {key}"'.encode())
    assert ddb.get_item(TableName=products["table"], Key={"id": {"S": key}})["Item"]["price"] == {"N": "19.5"}
    r = call("GET", f"{products['url']}/product")
    scan = r.json()
    assert r.status == 200 and {**lamp, "price": 19.5} in scan["Items"]
    assert scan["Count"] == scan["ScannedCount"] == len(scan["Items"])
    r = call("DELETE", f"{products['host_url']}/product/{key}")
    assert (r.status, r.body) == (200, f'"Deleted product {key}"'.encode())
    assert "Item" not in ddb.get_item(TableName=products["table"], Key={"id": {"S": key}})
    r = call("GET", f"{products['url']}/product/{key}")
    assert (r.status, r.body) == (200, b"{}")  # DocumentClient.get finds nothing: {}


def test_001_errors(products: dict[str, Any]) -> None:
    r = call("POST", f"{products['url']}/product", b"not json", JSON)
    assert r.status == 400 and isinstance(r.json(), str)  # the function's catch: JSON.parse's message
    r = call("PATCH", f"{products['url']}/product", IPHONE, JSON)  # no PATCH method on /product
    assert (r.status, r.json()) == (403, MISSING_TOKEN)


def test_001_permissions_and_function_logs(products: dict[str, Any], endpoint: str) -> None:
    policy = json.loads(aws(endpoint, "lambda").get_policy(FunctionName=products["function"])["Policy"])
    assert len(policy["Statement"]) == 5
    assert {s["Principal"]["Service"] for s in policy["Statement"]} == {"apigateway.amazonaws.com"}
    assert call("GET", f"{products['url']}/product").status == 200
    group = f"/aws/lambda/{products['function']}"
    messages = log_messages(aws(endpoint, "logs"), group, lambda ms: any(m.startswith("REPORT") for m in ms))
    assert any(m.startswith("START RequestId:") for m in messages), messages
    assert any(m.startswith("REPORT RequestId:") for m in messages), messages


# --- 002: the Music API, Python, full execution logs and JSON access logs --------------------------------------

TABLE_PATH = "/DemoResourceMusic/DemoResourceMusicTable"
ITEM_PATH = "/DemoResourceMusic/DemoResourceMusicItem"
NON_PROXY_PATH = "/DemoResourceMusic/DemoResourceMusicTableNonProxy"
SONG = {"artist": "No One You Know", "songtitle": "Call Me Today"}


@pytest.fixture(scope="module")
def music(endpoint: str) -> dict[str, Any]:
    return example("002-music-api-python").deploy(endpoint, suffix=new_suffix())  # type: ignore[no-any-return]


def music_table() -> str:
    return f"Music-{uuid.uuid4().hex[:8]}"


def test_002_table_from_console_test_and_curl(music: dict[str, Any], endpoint: str, ddb) -> None:  # type: ignore[no-untyped-def]
    table = music_table()
    # "Go to Test tab, enter table:Music in the Headers box, and click Test" (before any deployment is needed).
    out = aws(endpoint, "apigateway").test_invoke_method(
        restApiId=music["api_id"], resourceId=music["resources"][TABLE_PATH], httpMethod="PUT",
        pathWithQueryString=TABLE_PATH, headers={"table": table})
    assert (out["status"], out["body"]) == (200, '"Table created"'), out.get("log")
    keys = ddb.describe_table(TableName=table)["Table"]["KeySchema"]
    assert keys == [{"AttributeName": "Artist", "KeyType": "HASH"}, {"AttributeName": "SongTitle", "KeyType": "RANGE"}]
    # curl -X PUT .../Test/DemoResourceMusic/DemoResourceMusicTable -H 'content-type: application/json' -H 'table:..'
    r = call("PUT", music["url"] + TABLE_PATH, headers={"content-type": "application/json", "table": table})
    assert r.status == 500  # the table exists: the function's ClientError branch
    assert r.json().startswith("An error occurred (ResourceInUseException) when calling the CreateTable operation")
    r = call("DELETE", music["host_url"] + TABLE_PATH, headers={"content-type": "application/json", "table": table})
    assert (r.status, r.body) == (200, b'"Table deleted"')
    assert r.headers["Content-Type"] == "application/json"  # the proxy default when the function sets none
    r = call("PUT", music["url"] + TABLE_PATH)  # no table header: KeyError, the function's 400
    assert (r.status, r.json()) == (400, "KeyError exception happened while using key 'table' to get the table name.")


def test_002_items_with_the_tutorials_curls(music: dict[str, Any], ddb) -> None:  # type: ignore[no-untyped-def]
    table = music_table()
    assert call("PUT", music["url"] + TABLE_PATH, headers={"table": table}).body == b'"Table created"'
    song = {"content-type": "application/json", "table": table, **SONG}
    r = call("PUT", music["host_url"] + ITEM_PATH, headers={**song, "albumtitle": "Somewhat Famous"})
    assert (r.status, r.body) == (200, b'"Item added"')
    # curl -H 'albumtitle: Louder Than Ever': the space after the colon is not part of the value.
    r = call("POST", music["url"] + ITEM_PATH, headers={**song, "albumtitle": " Louder Than Ever"})
    assert (r.status, r.body) == (200, b'"Item updated"')
    expected = {"Artist": {"S": "No One You Know"}, "SongTitle": {"S": "Call Me Today"},
                "AlbumTitle": {"S": "Louder Than Ever"}}
    assert ddb.get_item(TableName=table, Key={k: expected[k] for k in ("Artist", "SongTitle")})["Item"] == expected
    r = call("GET", music["host_url"] + ITEM_PATH, headers=song)
    assert (r.status, r.json()) == (200, expected)
    r = call("DELETE", music["url"] + ITEM_PATH, headers=song)
    assert (r.status, r.body) == (200, b'"Item deleted"')
    assert call("GET", music["url"] + ITEM_PATH, headers=song).body == b'"Item not found"'
    assert call("DELETE", music["url"] + TABLE_PATH, headers={"table": table}).body == b'"Table deleted"'


def test_002_without_proxy_the_body_is_the_event(music: dict[str, Any], ddb) -> None:  # type: ignore[no-untyped-def]
    table = music_table()
    r = call("PUT", music["url"] + NON_PROXY_PATH, {"headers": {"table": table}}, JSON)
    # The tutorial's "Without Lambda proxy integration" response: the function's whole return value, as the
    # Python runtime serializes it (json.dumps), with Content-Type application/json.
    assert (r.status, r.body) == (200, b'{"statusCode": 200, "body": "\\"Table created\\""}')
    assert r.headers["Content-Type"] == "application/json"
    assert ddb.describe_table(TableName=table)["Table"]["TableName"] == table


def test_002_execution_and_access_logs(music: dict[str, Any], endpoint: str) -> None:
    apigw, logs = aws(endpoint, "apigateway"), aws(endpoint, "logs")
    stage = apigw.get_stage(restApiId=music["api_id"], stageName="Test")
    assert stage["methodSettings"]["*/*"]["loggingLevel"] == "INFO"
    assert stage["methodSettings"]["*/*"]["dataTraceEnabled"] is True
    assert stage["accessLogSettings"]["destinationArn"].endswith(f":log-group:{music['access_log_group']}")
    assert apigw.get_account()["cloudwatchRoleArn"].split("/")[-1].startswith("TestRoleApiGateway")

    table = music_table()
    created = call("PUT", music["url"] + TABLE_PATH, headers={"table": table})
    deleted = call("DELETE", music["host_url"] + TABLE_PATH, headers={"table": table})
    assert (created.status, deleted.status) == (200, 200)
    ids = {created.request_id: ("PUT", created), deleted.request_id: ("DELETE", deleted)}

    # Execution logs: https://docs.aws.amazon.com/apigateway/latest/developerguide/view-cloudwatch-log-events-in-cloudwatch-console.html
    def complete(ms: list[str]) -> bool:
        return all(any(rid in m and "Method completed with status: 200" in m for m in ms) for rid in ids)

    lines = log_messages(logs, music["execution_log_group"], complete)
    for rid in ids:
        mine = [m for m in lines if rid in m]  # one stream: in the order they were written
        # In the order the request ran, even for lines written in the same millisecond (the sequence of
        # https://repost.aws/knowledge-center/api-gateway-logs).
        sequence = [f"Starting execution for request: {rid}", "HTTP Method: ", "Method request path: ",
                    "Method completed with status: 200"]
        at = [next((i for i, m in enumerate(mine) if s in m), -1) for s in sequence]
        assert -1 not in at and at == sorted(at), mine
        # Full request and response logs (dataTrace): the bodies before and after the integration.
        assert any("Endpoint response body before transformations:" in m and "Table " in m for m in mine), mine

    # Access logs: one JSON line per request, in the console's JSON format.
    def parsed(ms: list[str]) -> list[dict[str, str]]:
        return [json.loads(m) for m in ms]

    entries = parsed(log_messages(logs, music["access_log_group"],
                                  lambda ms: ids.keys() <= {e["requestId"] for e in parsed(ms)}))
    for rid, (method, reply) in ids.items():
        mine = [e for e in entries if e["requestId"] == rid]
        assert len(mine) == 1, entries
        assert mine[0]["httpMethod"] == method and mine[0]["resourcePath"] == TABLE_PATH
        assert mine[0]["status"] == "200" and mine[0]["protocol"] == "HTTP/1.1"
        assert mine[0]["ip"] == "127.0.0.1" and mine[0]["responseLength"] == str(len(reply.body))

    lambda_lines = log_messages(logs, f"/aws/lambda/{music['functions']['DemoCreateTable']}",
                                lambda ms: any(m.startswith("REPORT") for m in ms))
    assert any(m.startswith("START RequestId:") for m in lambda_lines), lambda_lines


# --- 003: scan (proxy) and put (non-proxy), three stages -------------------------------------------------------

@pytest.fixture(scope="module")
def students(endpoint: str) -> dict[str, Any]:
    return example("003-scan-put-stages").deploy(endpoint, suffix=new_suffix())  # type: ignore[no-any-return]


def test_003_each_stage_has_its_table(students: dict[str, Any], endpoint: str, ddb) -> None:  # type: ignore[no-untyped-def]
    dev, prod = students["stages"]["dev"], students["stages"]["prod"]
    stages = aws(endpoint, "apigateway").get_stages(restApiId=students["api_id"])["item"]
    assert {s["stageName"]: s["variables"]["alias"] for s in stages} == {"dev": "dev", "test": "test", "prod": "prod"}

    asha = {"id": "1", "name": "Asha", "course": "Serverless"}
    r = call("POST", f"{dev['url']}/students", asha, JSON)  # Postman: POST, JSON body
    # Non-proxy: the function's return value is the body, serialized by the Python runtime.
    assert (r.status, r.body) == (200, f'{{"message": "Student 1 saved", "table": "{dev["table"]}"}}'.encode())
    assert r.headers["Content-Type"] == "application/json"
    stored = ddb.get_item(TableName=dev["table"], Key={"id": {"S": "1"}})["Item"]
    assert stored == {k: {"S": v} for k, v in asha.items()}
    assert "Item" not in ddb.get_item(TableName=prod["table"], Key={"id": {"S": "1"}})

    r = call("GET", f"{dev['host_url']}/students")
    assert (r.status, r.json()) == (200, [asha]), r.body
    r = call("GET", f"{prod['url']}/students")
    assert (r.status, r.body) == (200, b"[]")
    ravi = {"id": "2", "name": "Ravi", "course": "DynamoDB", "year": 2}
    assert call("POST", f"{prod['host_url']}/students", ravi, JSON).status == 200
    assert call("GET", f"{prod['url']}/students").json() == [ravi]


def test_003_lambda_error_selected_to_400(students: dict[str, Any]) -> None:
    r = call("POST", f"{students['stages']['dev']['url']}/students", {"name": "No Id"}, JSON)
    assert (r.status, r.json()) == (400, {"message": "Bad Request: 'id' is required"})


def test_003_lambda_logs_in_cloudwatch(students: dict[str, Any], endpoint: str) -> None:
    test = students["stages"]["test"]
    key = f"log-{uuid.uuid4().hex[:6]}"
    assert call("POST", f"{test['url']}/students", {"id": key, "name": "Mei"}, JSON).status == 200
    logs = aws(endpoint, "logs")
    group = f"/aws/lambda/{students['functions']['put']}"
    lines = log_messages(logs, group, lambda ms: any(key in m for m in ms))
    assert any(m.startswith("Received event: ") and f'"id": "{key}"' in m for m in lines), lines
    # The alias "test" is version 2: its log streams are named .../[2]... (not [$LATEST]).
    streams = [s["logStreamName"] for s in logs.describe_log_streams(logGroupName=group)["logStreams"]]
    assert any("[2]" in s for s in streams), streams
    assert call("GET", f"{test['host_url']}/students").status == 200
    scan_group = f"/aws/lambda/{students['functions']['scan']}"
    lines = log_messages(logs, scan_group, lambda ms: any(m.startswith("scanned ") for m in ms))
    assert any(m.startswith(f"scanned 1 records from {test['table']}") for m in lines), lines


def test_003_put_function_versions_keep_their_tables(students: dict[str, Any], endpoint: str) -> None:
    lam = aws(endpoint, "lambda")
    for stage in ("dev", "test", "prod"):
        conf = lam.get_function_configuration(FunctionName=students["functions"]["put"], Qualifier=stage)
        assert conf["Environment"]["Variables"]["TABLE_NAME"] == students["stages"][stage]["table"]
