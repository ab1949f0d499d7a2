"""The seed tutorials in examples/, deployed by their own deploy.py and called over plain HTTP like curl does.

This module: the helpers, and the two APIs with no code at all (000: CRUD on DynamoDB; 004: favorite movies).
test_examples_lambda.py has the three with Lambda functions (001, 002, 003).

Each module deploys its examples once, with a unique suffix on every name, so the examples can run side by side
on one server (and again on another xdist worker); each test only relies on the deployment's initial data and on
keys of its own.

https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-call-api.html (the invoke URL forms)
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html ($input)
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.exceptions import ClientError

from conftest import BOTO_CONFIG

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
JSON = {"Content-Type": "application/json"}
# For a method or resource an API does not have, REST APIs answer the MISSING_AUTHENTICATION_TOKEN gateway
# response: https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
MISSING_TOKEN = {"message": "Missing Authentication Token"}


def example(slug: str) -> ModuleType:
    """examples/<slug>/deploy.py, imported."""
    spec = importlib.util.spec_from_file_location(f"example_{slug[:3]}", EXAMPLES / slug / "deploy.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def new_suffix() -> str:
    return "-" + uuid.uuid4().hex[:8]


def aws(endpoint: str, service: str):  # type: ignore[no-untyped-def]
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", config=BOTO_CONFIG)


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def request_id(self) -> str:
        return str(self.headers["x-amzn-RequestId"])


def call(method: str, url: str, body: object = None, headers: dict[str, str] | None = None) -> Reply:
    """One HTTP request, as curl would send it. A host-based URL (`{apiId}.execute-api.localhost.localstack.cloud`)
    goes to 127.0.0.1 on its port with that Host header: no DNS needed."""
    parts = urlsplit(url)
    headers = dict(headers or {})
    host = parts.hostname or ""
    if host.endswith(".localstack.cloud"):
        headers["Host"] = parts.netloc
        host = "127.0.0.1"
    data = json.dumps(body).encode() if isinstance(body, dict | list) else body
    conn = http.client.HTTPConnection(host, parts.port, timeout=60)
    try:
        conn.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), body=data, headers=headers)
        resp = conn.getresponse()
        return Reply(resp.status, resp.headers, resp.read())
    finally:
        conn.close()


def log_messages(logs, group: str, until: Callable[[list[str]], bool], timeout: float = 15) -> list[str]:  # type: ignore[no-untyped-def]
    """The messages of a log group, polled until `until` holds of them (or the time is up)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            pages = logs.get_paginator("filter_log_events").paginate(logGroupName=group)
            messages = [e["message"] for page in pages for e in page["events"]]
        except ClientError as e:
            if e.response["Error"]["Code"] != "ResourceNotFoundException":
                raise
            messages = []
        if until(messages) or time.monotonic() > deadline:
            return messages
        time.sleep(0.2)


# --- 000: a RESTful microservice straight to DynamoDB ------------------------------------------------------------

LOADED = [{"id": "1", "name": "Notebook", "price": 3.5}, {"id": "2", "name": "Pencil", "price": 0.8},
          {"id": "3", "name": "Backpack", "price": 24}]


@pytest.fixture(scope="module")
def crud(endpoint: str) -> dict[str, Any]:
    return example("000-dynamodb-crud").deploy(endpoint, suffix=new_suffix())  # type: ignore[no-any-return]


def test_000_list_renders_the_scan_with_foreach(crud: dict[str, Any]) -> None:
    r = call("GET", f"{crud['url']}/items")
    assert r.status == 200, r.body
    assert r.headers["Content-Type"] == "application/json"
    items = [i for i in r.json()["items"] if i["id"] in {"1", "2", "3"}]  # other tests add their own
    assert sorted(items, key=lambda i: i["id"]) == LOADED


def test_000_create_then_get_both_url_forms(crud: dict[str, Any], ddb) -> None:  # type: ignore[no-untyped-def]
    r = call("POST", f"{crud['url']}/items", {"name": "Eraser", "price": 1.2}, JSON)
    assert r.status == 201, r.body
    # The template uses $context.requestId as the new id: the same id the x-amzn-RequestId header carries.
    new_id = r.request_id
    assert r.json() == {"id": new_id}
    stored = ddb.get_item(TableName=crud["table"], Key={"id": {"S": new_id}})["Item"]
    assert stored == {"id": {"S": new_id}, "name": {"S": "Eraser"}, "price": {"N": "1.2"}}
    r = call("GET", f"{crud['host_url']}/items/{new_id}")
    assert (r.status, r.json()) == (200, {"id": new_id, "name": "Eraser", "price": 1.2})
    assert r.headers["Content-Type"] == "application/json"


def test_000_missing_item_is_404_through_response_override(crud: dict[str, Any]) -> None:
    # $context.responseOverride.status in the GetItem response template:
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-override-request-response-parameters.html
    r = call("GET", f"{crud['host_url']}/items/no-such-item")
    assert (r.status, r.json()) == (404, {"message": "Item not found"})


def test_000_update_and_delete(crud: dict[str, Any], ddb) -> None:  # type: ignore[no-untyped-def]
    key = f"u-{uuid.uuid4().hex[:6]}"
    ddb.put_item(TableName=crud["table"], Item={"id": {"S": key}, "name": {"S": "Pen"}, "price": {"N": "1"}})
    r = call("PUT", f"{crud['host_url']}/items/{key}", {"name": "Fountain pen", "price": 12.5}, JSON)
    assert (r.status, r.json()) == (200, {"id": key, "name": "Fountain pen", "price": 12.5}), r.body
    assert ddb.get_item(TableName=crud["table"], Key={"id": {"S": key}})["Item"]["price"] == {"N": "12.5"}
    r = call("DELETE", f"{crud['url']}/items/{key}")
    assert (r.status, r.json()) == (200, {"deleted": {"id": key, "name": "Fountain pen", "price": 12.5}})
    assert "Item" not in ddb.get_item(TableName=crud["table"], Key={"id": {"S": key}})
    r = call("DELETE", f"{crud['url']}/items/{key}")
    assert (r.status, r.json()) == (404, {"message": "Item not found"})


def test_000_dynamodb_error_maps_to_400(crud: dict[str, Any], ddb) -> None:  # type: ignore[no-untyped-def]
    # No price: the template sends {"N": ""}; DynamoDB answers 400, selected by the "4\d{2}" integration response.
    with pytest.raises(ClientError) as direct:
        ddb.put_item(TableName=crud["table"], Item={"id": {"S": "x"}, "name": {"S": "Eraser"}, "price": {"N": ""}})
    r = call("POST", f"{crud['url']}/items", {"name": "Eraser"}, JSON)
    assert (r.status, r.json()) == (400, {"message": direct.value.response["Error"]["Message"]})


def test_000_only_json_reaches_dynamodb(crud: dict[str, Any]) -> None:
    # passthroughBehavior NEVER and no text/plain template: 415, the UNSUPPORTED_MEDIA_TYPE gateway response.
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html
    r = call("POST", f"{crud['url']}/items", b"name=Eraser", {"Content-Type": "text/plain"})
    assert (r.status, r.json()) == (415, {"message": "Unsupported Media Type"})
    r = call("GET", f"{crud['url']}/nothing-here")
    assert (r.status, r.json()) == (403, MISSING_TOKEN)


# --- 004: favorite movies, GetItem / PutItem with the tutorial's templates --------------------------------------

@pytest.fixture(scope="module")
def movies(endpoint: str) -> dict[str, Any]:
    return example("004-favorite-movies").deploy(endpoint, suffix=new_suffix())  # type: ignore[no-any-return]


def test_004_get_in_the_browser(movies: dict[str, Any]) -> None:
    # A browser asks for text/html first; the only template (application/json) still applies.
    r = call("GET", f"{movies['host_url']}/movies/Sander", headers={"Accept": BROWSER_ACCEPT})
    assert (r.status, r.json()) == (200, {"name": "Sander", "favorite_movie": "Inception"}), r.body
    r = call("GET", f"{movies['url']}/movies/Sander")
    assert (r.status, r.json()) == (200, {"name": "Sander", "favorite_movie": "Inception"})
    assert r.headers["Content-Type"] == "application/json"


def test_004_put_creates_then_overwrites(movies: dict[str, Any], ddb) -> None:  # type: ignore[no-untyped-def]
    name = f"Alice-{uuid.uuid4().hex[:6]}"
    r = call("PUT", f"{movies['url']}/movies/{name}", {"favorite_movie": "Interstellar"}, JSON)
    # "a 200 OK without any data": PutItem's own answer, {}, passed through (no response template).
    assert (r.status, r.body) == (200, b"{}")
    assert ddb.get_item(TableName=movies["table"], Key={"name": {"S": name}})["Item"] == {
        "name": {"S": name}, "favorite_movie": {"S": "Interstellar"}}
    r = call("PUT", f"{movies['host_url']}/movies/{name}", {"favorite_movie": "Arrival"}, JSON)
    assert (r.status, r.body) == (200, b"{}")
    r = call("GET", f"{movies['host_url']}/movies/{name}")
    assert (r.status, r.json()) == (200, {"name": name, "favorite_movie": "Arrival"})


def test_004_unknown_name_renders_empty_strings(movies: dict[str, Any]) -> None:
    # GetItem answers {} and $input.path of a missing path renders as an empty string: the tutorial's template
    # has no "not found" branch, so AWS answers 200 with empty values.
    r = call("GET", f"{movies['url']}/movies/Nobody")
    assert (r.status, r.json()) == (200, {"name": "", "favorite_movie": ""})


def test_004_list_of_movies_as_a_string_set(movies: dict[str, Any], ddb) -> None:  # type: ignore[no-untyped-def]
    name = f"Bob-{uuid.uuid4().hex[:6]}"
    titles = ["Interstellar", "Schindler's List", 'The "Dude"']  # quotes: escapeJavaScript + the documented fix
    r = call("PUT", f"{movies['host_url']}/movies/{name}/list", {"favorite_movies": titles}, JSON)
    assert (r.status, r.body) == (200, b"{}")
    item = ddb.get_item(TableName=movies["table"], Key={"name": {"S": name}})["Item"]
    assert sorted(item["favorite_movies"]["SS"]) == sorted(titles)
    r = call("GET", f"{movies['url']}/movies/{name}/list")
    assert r.status == 200, r.body
    body = r.json()
    assert body["name"] == name and sorted(body["favorite_movies"]) == sorted(titles)


def test_004_console_test_button(movies: dict[str, Any], endpoint: str, ddb) -> None:  # type: ignore[no-untyped-def]
    apigw = aws(endpoint, "apigateway")
    resource = movies["resources"]["/movies/{name}"]
    out = apigw.test_invoke_method(restApiId=movies["api_id"], resourceId=resource, httpMethod="GET",
                                   pathWithQueryString="/movies/Sander")
    assert out["status"] == 200 and json.loads(out["body"]) == {"name": "Sander", "favorite_movie": "Inception"}
    assert "Method completed with status: 200" in out["log"]
    out = apigw.test_invoke_method(restApiId=movies["api_id"], resourceId=resource, httpMethod="PUT",
                                   pathWithQueryString="/movies/Tester", body='{"favorite_movie": "Interstellar"}')
    assert (out["status"], out["body"]) == (200, "{}")
    item = ddb.get_item(TableName=movies["table"], Key={"name": {"S": "Tester"}})["Item"]
    assert item["favorite_movie"] == {"S": "Interstellar"}


def _enable_execution_logs(endpoint: str, api_id: str, stage: str) -> None:
    from apigw_helpers import cloudwatch_role

    cloudwatch_role(endpoint)  # API Gateway writes execution logs only with the account's CloudWatch role
    aws(endpoint, "apigateway").update_stage(restApiId=api_id, stageName=stage, patchOperations=[
        {"op": "replace", "path": "/*/*/logging/loglevel", "value": "INFO"},
        {"op": "replace", "path": "/*/*/logging/dataTrace", "value": "true"}])


def test_000_requests_show_in_the_execution_log(crud: dict[str, Any], endpoint: str) -> None:
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
    _enable_execution_logs(endpoint, crud["api_id"], crud["stage"])
    r = call("GET", f"{crud['url']}/items/1")
    assert r.status == 200
    group = f"API-Gateway-Execution-Logs_{crud['api_id']}/{crud['stage']}"
    rid = r.request_id
    lines = log_messages(aws(endpoint, "logs"), group,
                        lambda ms: any(f"({rid}) Method completed with status: 200" in m for m in ms))
    mine = [m for m in lines if m.startswith(f"({rid})")]
    assert any("Endpoint request body after transformations:" in m and crud["table"] in m for m in mine)
    assert any("Endpoint response body before transformations:" in m and '"Item"' in m for m in mine)


def test_004_requests_show_in_the_execution_log(movies: dict[str, Any], endpoint: str) -> None:
    _enable_execution_logs(endpoint, movies["api_id"], movies["stage"])
    r = call("GET", f"{movies['url']}/movies/Sander")
    assert r.status == 200
    group = f"API-Gateway-Execution-Logs_{movies['api_id']}/{movies['stage']}"
    rid = r.request_id
    lines = log_messages(aws(endpoint, "logs"), group,
                        lambda ms: any(f"({rid}) Successfully completed execution" in m for m in ms))
    assert any(m.startswith(f"({rid}) Starting execution for request: {rid}") for m in lines)
