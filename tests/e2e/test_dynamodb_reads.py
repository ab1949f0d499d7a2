"""Query, Scan, BatchGetItem, BatchWriteItem through boto3 against a real server.

https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.html
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Scan.html
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from test_dynamodb_tables import create, error

from conftest import unique


@pytest.fixture(scope="module")
def qtable(ddb) -> str:  # type: ignore[no-untyped-def]
    """Partitions p0..p2 with numeric sort keys -5..14, plus a string-keyed table."""
    name = unique("q")
    create(ddb, name, range_key=True)
    reqs = []
    for p in range(3):
        for s in range(-5, 15):
            reqs.append({"PutRequest": {"Item": {"pk": {"S": f"p{p}"}, "sk": {"N": str(s)},
                                                 "even": {"BOOL": s % 2 == 0}}}})
    for i in range(0, len(reqs), 25):
        ddb.batch_write_item(RequestItems={name: reqs[i : i + 25]})
    return name


def sks(items: list[dict]) -> list[int]:  # type: ignore[type-arg]
    return [int(i["sk"]["N"]) for i in items]


def test_query_numeric_order_and_conditions(ddb, qtable: str) -> None:
    q = lambda cond, **kw: ddb.query(  # noqa: E731
        TableName=qtable, KeyConditionExpression=cond,
        ExpressionAttributeValues={":p": {"S": "p1"}, **kw.pop("vals", {})}, **kw)["Items"]
    assert sks(q("pk = :p")) == list(range(-5, 15))  # numbers by value, negatives first
    assert sks(q("pk = :p AND sk < :v", vals={":v": {"N": "-3"}})) == [-5, -4]
    assert sks(q("pk = :p AND sk <= :v", vals={":v": {"N": "-3"}})) == [-5, -4, -3]
    assert sks(q("pk = :p AND sk > :v", vals={":v": {"N": "12"}})) == [13, 14]
    assert sks(q("pk = :p AND sk >= :v", vals={":v": {"N": "12"}})) == [12, 13, 14]
    assert sks(q("pk = :p AND sk = :v", vals={":v": {"N": "0"}})) == [0]
    assert sks(q("pk = :p AND sk BETWEEN :a AND :b", vals={":a": {"N": "-1"}, ":b": {"N": "2"}})) == [-1, 0, 1, 2]
    assert sks(q("pk = :p", ScanIndexForward=False))[:3] == [14, 13, 12]


def test_query_limit_paging_and_filter(ddb, qtable: str) -> None:
    out = ddb.query(TableName=qtable, KeyConditionExpression="pk = :p",
                    ExpressionAttributeValues={":p": {"S": "p0"}}, Limit=10)
    assert out["Count"] == 10 and sks(out["Items"]) == list(range(-5, 5))
    assert out["LastEvaluatedKey"] == {"pk": {"S": "p0"}, "sk": {"N": "4"}}
    out2 = ddb.query(TableName=qtable, KeyConditionExpression="pk = :p",
                     ExpressionAttributeValues={":p": {"S": "p0"}}, Limit=10,
                     ExclusiveStartKey=out["LastEvaluatedKey"])
    assert sks(out2["Items"]) == list(range(5, 15))
    # Limit counts items read before the filter: Count < ScannedCount.
    out = ddb.query(TableName=qtable, KeyConditionExpression="pk = :p", FilterExpression="even = :t",
                    ExpressionAttributeValues={":p": {"S": "p0"}, ":t": {"BOOL": True}}, Limit=6)
    assert out["ScannedCount"] == 6 and out["Count"] == 3
    pages = ddb.get_paginator("query").paginate(
        TableName=qtable, KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p2"}}, PaginationConfig={"PageSize": 7})
    assert [s for p in pages for s in sks(p["Items"])] == list(range(-5, 15))


def test_query_count_and_projection(ddb, qtable: str) -> None:
    out = ddb.query(TableName=qtable, KeyConditionExpression="pk = :p", Select="COUNT",
                    ExpressionAttributeValues={":p": {"S": "p0"}})
    assert out["Count"] == 20 and "Items" not in out
    out = ddb.query(TableName=qtable, KeyConditionExpression="pk = :p", ProjectionExpression="sk",
                    ExpressionAttributeValues={":p": {"S": "p0"}}, Limit=1)
    assert out["Items"] == [{"sk": {"N": "-5"}}]


def test_query_legacy_key_conditions(ddb, qtable: str) -> None:
    out = ddb.query(TableName=qtable, KeyConditions={
        "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p1"}]},
        "sk": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}, {"N": "3"}]},
    })
    assert sks(out["Items"]) == [1, 2, 3]


def test_query_errors(ddb, qtable: str) -> None:
    with pytest.raises(ClientError) as exc:
        ddb.query(TableName=qtable, KeyConditionExpression="sk = :v",
                  ExpressionAttributeValues={":v": {"N": "1"}})
    assert error(exc)[1] == "Query condition missed key schema element: pk"
    with pytest.raises(ClientError) as exc:
        ddb.query(TableName=qtable, KeyConditionExpression="pk = :v",
                  ExpressionAttributeValues={":v": {"N": "1"}})
    assert error(exc)[1] == (
        "One or more parameter values were invalid: Condition parameter type does not match schema type"
    )
    with pytest.raises(ClientError) as exc:
        ddb.query(TableName=qtable, KeyConditionExpression="pk = :p",
                  ExpressionAttributeValues={":p": {"S": "p1"}, ":unused": {"S": "x"}})
    assert error(exc)[1] == "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}"


def test_begins_with_on_string_sort_key(ddb) -> None:
    name = unique("bw")
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "S"}],
    )
    for sk in ["a", "ab", "abc", "abd", "b", "Z", "é", "~"]:
        ddb.put_item(TableName=name, Item={"pk": {"S": "x"}, "sk": {"S": sk}})
    out = ddb.query(TableName=name, KeyConditionExpression="pk = :p AND begins_with(sk, :b)",
                    ExpressionAttributeValues={":p": {"S": "x"}, ":b": {"S": "ab"}})
    assert [i["sk"]["S"] for i in out["Items"]] == ["ab", "abc", "abd"]
    out = ddb.query(TableName=name, KeyConditionExpression="pk = :p",
                    ExpressionAttributeValues={":p": {"S": "x"}})
    # UTF-8 byte order: 'Z' < 'a' < '~' < 'é'
    assert [i["sk"]["S"] for i in out["Items"]] == ["Z", "a", "ab", "abc", "abd", "b", "~", "é"]


def test_scan_paging_segments_and_filter(ddb, qtable: str) -> None:
    everything = []
    start = None
    while True:
        kw = {"ExclusiveStartKey": start} if start else {}
        out = ddb.scan(TableName=qtable, Limit=7, **kw)
        everything += out["Items"]
        start = out.get("LastEvaluatedKey")
        if not start:
            break
    assert len(everything) == 60
    keys = {(i["pk"]["S"], i["sk"]["N"]) for i in everything}
    assert len(keys) == 60
    segs = [ddb.scan(TableName=qtable, Segment=s, TotalSegments=4)["Items"] for s in range(4)]
    assert sum(len(s) for s in segs) == 60
    assert {(i["pk"]["S"], i["sk"]["N"]) for s in segs for i in s} == keys
    out = ddb.scan(TableName=qtable, FilterExpression="even = :f AND sk > :z",
                   ExpressionAttributeValues={":f": {"BOOL": False}, ":z": {"N": "10"}})
    assert sorted(sks(out["Items"])) == [11, 11, 11, 13, 13, 13]
    out = ddb.scan(TableName=qtable,
                   ScanFilter={"sk": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "12"}]}})
    assert out["Count"] == 6
    with pytest.raises(ClientError) as exc:
        ddb.scan(TableName=qtable, Segment=4, TotalSegments=4)
    assert "must be less than parameter TotalSegments" in error(exc)[1]


def test_scan_one_megabyte_pages(ddb) -> None:
    name = unique("mb")
    create(ddb, name)
    blob = "x" * 100_000
    for i in range(0, 25, 5):
        ddb.batch_write_item(RequestItems={name: [
            {"PutRequest": {"Item": {"pk": {"S": f"k{j}"}, "d": {"S": blob}}}} for j in range(i, i + 5)]})
    out = ddb.scan(TableName=name)
    assert 10 <= out["Count"] < 25 and "LastEvaluatedKey" in out
    rest = ddb.scan(TableName=name, ExclusiveStartKey=out["LastEvaluatedKey"])
    total = out["Count"] + rest["Count"]
    while "LastEvaluatedKey" in rest:
        rest = ddb.scan(TableName=name, ExclusiveStartKey=rest["LastEvaluatedKey"])
        total += rest["Count"]
    assert total == 25


def test_batch_get_and_write(ddb) -> None:
    name = unique("batch")
    create(ddb, name)
    ddb.batch_write_item(RequestItems={name: [
        {"PutRequest": {"Item": {"pk": {"S": f"k{i}"}, "v": {"N": str(i)}}}} for i in range(25)]})
    out = ddb.batch_get_item(RequestItems={name: {
        "Keys": [{"pk": {"S": f"k{i}"}} for i in range(0, 30, 3)], "ProjectionExpression": "v"}})
    assert sorted(int(i["v"]["N"]) for i in out["Responses"][name]) == list(range(0, 25, 3))
    assert out["UnprocessedKeys"] == {}
    out = ddb.batch_write_item(RequestItems={name: [
        {"DeleteRequest": {"Key": {"pk": {"S": "k0"}}}}, {"PutRequest": {"Item": {"pk": {"S": "new"}}}}]})
    assert out["UnprocessedItems"] == {}
    assert "Item" not in ddb.get_item(TableName=name, Key={"pk": {"S": "k0"}})
    with pytest.raises(ClientError) as exc:
        ddb.batch_write_item(RequestItems={name: [
            {"PutRequest": {"Item": {"pk": {"S": "d"}}}}, {"DeleteRequest": {"Key": {"pk": {"S": "d"}}}}]})
    assert error(exc) == ("ValidationException", "Provided list of item keys contains duplicates")
    with pytest.raises(ClientError) as exc:
        ddb.batch_get_item(RequestItems={name: {"Keys": [{"pk": {"S": "a"}}, {"pk": {"S": "a"}}]}})
    assert error(exc)[1] == "Provided list of item keys contains duplicates"
    with pytest.raises(ClientError) as exc:
        ddb.batch_get_item(RequestItems={name: {"Keys": [{"pk": {"S": f"x{i}"}} for i in range(101)]}})
    assert error(exc)[0] == "ValidationException"
    with pytest.raises(ClientError) as exc:
        ddb.batch_write_item(RequestItems={name: [
            {"PutRequest": {"Item": {"pk": {"S": f"z{i}"}}}} for i in range(26)]})
    assert error(exc)[0] == "ValidationException"
