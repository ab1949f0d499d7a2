"""The server edge: health, reset, request ids, checksums, durability, and bad input.

DynamoDB wire protocol (x-amz-crc32, __type errors):
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.LowLevelAPI.html
"""

from __future__ import annotations

import http.client
import json
import signal
import urllib.error
import urllib.request
import zlib

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_dynamodb_tables import create

from conftest import BOTO_CONFIG, unique
from server import Server, start

AUTH = ("AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=00")


def raw(endpoint: str, target: str | None, body: bytes, method: str = "POST") -> tuple[int, dict, bytes]:  # type: ignore[type-arg]
    host = endpoint.split("//")[1]
    conn = http.client.HTTPConnection(host, timeout=10)
    headers = {"Content-Type": "application/x-amz-json-1.0", "Authorization": AUTH}
    if target:
        headers["X-Amz-Target"] = target
    conn.request(method, "/", body=body, headers=headers)
    r = conn.getresponse()
    out = r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    conn.close()
    return out


def test_health(endpoint: str) -> None:
    for path in ("/_cloudlet/health", "/_localstack/health"):
        with urllib.request.urlopen(endpoint + path) as r:
            doc = json.loads(r.read())
        assert doc["services"]["dynamodb"] == "running"


def test_request_id_and_crc32(endpoint: str) -> None:
    status, headers, body = raw(endpoint, "DynamoDB_20120810.ListTables", b"{}")
    assert status == 200
    assert len(headers["x-amzn-requestid"]) == 52
    assert int(headers["x-amz-crc32"]) == zlib.crc32(body)
    assert headers["content-type"] == "application/x-amz-json-1.0"


def test_malformed_json_and_unknown_operation(endpoint: str) -> None:
    status, _headers, body = raw(endpoint, "DynamoDB_20120810.GetItem", b"{not json")
    assert status == 400
    assert json.loads(body)["__type"] == "com.amazon.coral.service#SerializationException"
    status, _, body = raw(endpoint, "DynamoDB_20120810.NoSuchOp", b"{}")
    assert status == 400
    assert json.loads(body)["__type"] == "com.amazon.coral.service#UnknownOperationException"


OPS = ["CreateTable", "DescribeTable", "DeleteTable", "UpdateTable", "ListTables", "GetItem",
       "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem",
       "TagResource", "UntagResource", "ListTagsOfResource"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=6), kids, max_size=4),
    max_leaves=20,
)
# Bodies shaped like real requests, with members of the wrong type and odd values.
members = st.sampled_from([
    "TableName", "Key", "Item", "KeyConditionExpression", "FilterExpression", "UpdateExpression",
    "ExpressionAttributeValues", "ExpressionAttributeNames", "Limit", "ExclusiveStartKey",
    "RequestItems", "KeySchema", "AttributeDefinitions", "ProvisionedThroughput", "Select",
    "ProjectionExpression", "ConditionExpression", "ReturnValues", "Segment", "TotalSegments",
])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(op=st.sampled_from(OPS), body=st.dictionaries(members, json_values, max_size=5))
def test_random_requests_never_500(endpoint: str, op: str, body: dict) -> None:  # type: ignore[type-arg]
    status, _, out = raw(endpoint, f"DynamoDB_20120810.{op}", json.dumps(body).encode())
    assert status < 500, out
    if status >= 400:
        assert "__type" in json.loads(out)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=64))
def test_random_bytes_never_500(endpoint: str, body: bytes) -> None:
    status, _, _ = raw(endpoint, "DynamoDB_20120810.PutItem", body)
    assert status < 500


def test_kill_dash_nine_loses_no_acknowledged_write(tmp_path) -> None:  # type: ignore[no-untyped-def]
    srv: Server = start(str(tmp_path))
    try:
        ddb = boto3.client("dynamodb", endpoint_url=srv.url, region_name="us-east-1", config=BOTO_CONFIG)
        name = unique("durable")
        create(ddb, name)
        for i in range(50):
            ddb.put_item(TableName=name, Item={"pk": {"S": f"k{i}"}, "v": {"N": str(i)}})
        ddb.update_item(TableName=name, Key={"pk": {"S": "k1"}}, UpdateExpression="ADD v :d",
                        ExpressionAttributeValues={":d": {"N": "100"}})
    finally:
        srv.stop(signal.SIGKILL)  # no clean shutdown, no checkpoint
    srv = start(str(tmp_path))
    try:
        ddb = boto3.client("dynamodb", endpoint_url=srv.url, region_name="us-east-1", config=BOTO_CONFIG)
        assert name in ddb.list_tables()["TableNames"]
        assert ddb.scan(TableName=name, Select="COUNT")["Count"] == 50
        assert ddb.get_item(TableName=name, Key={"pk": {"S": "k1"}})["Item"]["v"] == {"N": "101"}
    finally:
        assert srv.stop() == 0  # Ctrl-C stops cleanly


def test_reset_drops_everything(tmp_path) -> None:  # type: ignore[no-untyped-def]
    srv = start(str(tmp_path), store="memory")
    try:
        ddb = boto3.client("dynamodb", endpoint_url=srv.url, region_name="us-east-1", config=BOTO_CONFIG)
        create(ddb, "to-reset")
        req = urllib.request.Request(srv.url + "/_cloudlet/reset", method="POST")
        with urllib.request.urlopen(req) as r:
            assert r.status == 200
        assert ddb.list_tables()["TableNames"] == []
    finally:
        srv.stop()


@pytest.mark.parametrize("store", ["sqlite", "memory"])
def test_both_stores_serve(tmp_path, store: str) -> None:  # type: ignore[no-untyped-def]
    srv = start(str(tmp_path), store=store)
    try:
        ddb = boto3.client("dynamodb", endpoint_url=srv.url, region_name="us-east-1", config=BOTO_CONFIG)
        create(ddb, "t1x")
        ddb.put_item(TableName="t1x", Item={"pk": {"S": "a"}})
        assert ddb.get_item(TableName="t1x", Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}}
    finally:
        srv.stop()


# Requests that pass the model validator and reach the engine: a real table, random attribute
# values, expressions built from real grammar pieces.
attr_values = st.recursive(
    st.one_of(
        st.fixed_dictionaries({"S": st.text(max_size=5)}),
        st.fixed_dictionaries({"N": st.sampled_from(["1", "-2.5", "1e3", "x", "", "1" * 40, "1E+200"])}),
        st.fixed_dictionaries({"B": st.sampled_from(["AA==", "", "***"])}),
        st.fixed_dictionaries({"SS": st.lists(st.text(max_size=3), max_size=3)}),
        st.fixed_dictionaries({"NS": st.lists(st.sampled_from(["1", "2", "x"]), max_size=3)}),
        st.fixed_dictionaries({"BOOL": st.booleans()}),
        st.fixed_dictionaries({"NULL": st.booleans()}),
        st.dictionaries(st.sampled_from(["S", "N", "Q"]), st.text(max_size=2), max_size=2),
    ),
    lambda kids: st.fixed_dictionaries({"L": st.lists(kids, max_size=3)})
    | st.fixed_dictionaries({"M": st.dictionaries(st.text(max_size=3), kids, max_size=3)}),
    max_leaves=8,
)
names = st.sampled_from(["pk", "sk", "a", "b", "#n", "#m", ":v", ":w", "a.b", "a[0]", "size(a)"])
pieces = st.sampled_from([" = ", " < ", " AND ", " OR ", "NOT ", "(", ")", ", ", " BETWEEN ", " IN ",
                          "begins_with(", "contains(", "attribute_exists(", "SET ", "REMOVE ", "ADD ",
                          "DELETE ", " + ", "if_not_exists(", "list_append("])
expressions = st.lists(st.one_of(names, pieces), max_size=8).map("".join)
engine_members = st.fixed_dictionaries(
    {},
    optional={
        "Key": st.dictionaries(st.sampled_from(["pk", "sk", "x"]), attr_values, max_size=3),
        "Item": st.dictionaries(st.sampled_from(["pk", "sk", "a", "b"]), attr_values, max_size=4),
        "ConditionExpression": expressions,
        "UpdateExpression": expressions,
        "FilterExpression": expressions,
        "ProjectionExpression": expressions,
        "KeyConditionExpression": expressions,
        "ExpressionAttributeNames": st.dictionaries(
            st.sampled_from(["#n", "#m", "n"]), st.text(max_size=3), max_size=2
        ),
        "ExpressionAttributeValues": st.dictionaries(st.sampled_from([":v", ":w", "v"]), attr_values, max_size=2),
        "ExclusiveStartKey": st.dictionaries(st.sampled_from(["pk", "sk"]), attr_values, max_size=2),
        "ReturnValues": st.sampled_from(["ALL_OLD", "ALL_NEW", "UPDATED_OLD", "NONE"]),
        "Limit": st.integers(min_value=1, max_value=3),
    },
)


@pytest.fixture(scope="module")
def fuzz_table(ddb) -> str:  # type: ignore[no-untyped-def]
    name = unique("fuzz")
    create(ddb, name, range_key=True)
    for i in range(5):
        ddb.put_item(TableName=name, Item={"pk": {"S": "p"}, "sk": {"N": str(i)}, "a": {"L": [{"N": "1"}]}})
    return name


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(op=st.sampled_from(["GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan"]), body=engine_members)
def test_engine_level_random_requests_never_500(endpoint: str, fuzz_table: str, op: str, body: dict) -> None:  # type: ignore[type-arg]
    body["TableName"] = fuzz_table
    status, _, out = raw(endpoint, f"DynamoDB_20120810.{op}", json.dumps(body).encode())
    assert status < 500, out


def test_services_loaded_after_start_up_are_waited_for(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """DynamoDB answers as soon as the server listens; Lambda, API Gateway (and IAM/STS) requests sent
    while those are still loading wait for them and are answered normally (app.py's two-step start)."""
    srv = start(str(tmp_path))
    try:
        kw = {"endpoint_url": srv.url, "region_name": "us-east-1", "config": BOTO_CONFIG}
        lam, apigw = boto3.client("lambda", **kw), boto3.client("apigateway", **kw)
        sts, ddb = boto3.client("sts", **kw), boto3.client("dynamodb", **kw)
        assert lam.list_functions()["Functions"] == []
        assert apigw.get_rest_apis()["items"] == []
        assert sts.get_caller_identity()["Account"] == "000000000000"
        assert ddb.list_tables()["TableNames"] == []
        # an execute-api URL of an unknown API: API Gateway's own answer, not "no service"
        req = urllib.request.Request(srv.url + "/restapis/nope/test/_user_request_/x")
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(req, timeout=10)
        assert e.value.code in (403, 404)
    finally:
        srv.stop()
