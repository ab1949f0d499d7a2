"""Expressions and the legacy parameters through boto3 against a real server.

Expression syntax and errors:
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ReservedWords.html
Legacy parameters:
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LegacyConditionalParameters.html
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from test_dynamodb_tables import create, error

from conftest import unique


@pytest.fixture(scope="module")
def table(ddb) -> str:  # type: ignore[no-untyped-def]
    name = unique("expr")
    create(ddb, name, range_key=True)
    return name


def key(i: int) -> dict:  # type: ignore[type-arg]
    return {"pk": {"S": "p"}, "sk": {"N": str(i)}}


def fails(ddb, **kw) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    op = kw.pop("op")
    with pytest.raises(ClientError) as exc:
        getattr(ddb, op)(**kw)
    return error(exc)


def test_expression_errors(ddb, table: str) -> None:
    assert fails(ddb, op="update_item", TableName=table, Key=key(1), UpdateExpression="SET status = :v",
                 ExpressionAttributeValues={":v": {"S": "x"}}) == (
        "ValidationException",
        "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status",
    )
    assert fails(ddb, op="update_item", TableName=table, Key=key(1), UpdateExpression="SET a = :missing",
                 ExpressionAttributeValues={":v": {"S": "x"}})[1] == (
        "Invalid UpdateExpression: An expression attribute value used in expression is not defined; "
        "attribute value: :missing"
    )
    assert fails(ddb, op="get_item", TableName=table, Key=key(1), ProjectionExpression="#nope")[1] == (
        "Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; "
        "attribute name: #nope"
    )
    assert fails(ddb, op="update_item", TableName=table, Key=key(1), UpdateExpression="SET a = :v, a.b = :v",
                 ExpressionAttributeValues={":v": {"S": "x"}})[1] == (
        "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of "
        "these paths; path one: [a], path two: [a, b]"
    )
    code, msg = fails(ddb, op="put_item", TableName=table, Item=key(1), ConditionExpression="a =")
    assert code == "ValidationException"
    assert msg.startswith('Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "="')
    assert fails(ddb, op="put_item", TableName=table, Item=key(1), ConditionExpression="a = :v",
                 ExpressionAttributeValues={":v": {"S": "x"}, ":w": {"S": "y"}})[1] == (
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}"
    )
    assert fails(ddb, op="get_item", TableName=table, Key=key(1), ProjectionExpression="a",
                 AttributesToGet=["a"])[1] == (
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}"
    )


def test_update_functions_and_sets(ddb, table: str) -> None:
    ddb.put_item(TableName=table, Item={**key(2), "l": {"L": [{"N": "1"}]}, "s": {"SS": ["a", "b"]},
                                        "m": {"M": {"x": {"N": "1"}}}})
    out = ddb.update_item(
        TableName=table, Key=key(2),
        UpdateExpression="SET l = list_append(l, :more), m.y = if_not_exists(m.y, :zero), n = :ten - m.x "
                         "DELETE s :a ADD t :c",
        ExpressionAttributeValues={":more": {"L": [{"N": "2"}, {"N": "3"}]}, ":zero": {"N": "0"},
                                   ":ten": {"N": "10"}, ":a": {"SS": ["a"]}, ":c": {"SS": ["c"]}},
        ReturnValues="ALL_NEW",
    )["Attributes"]
    assert out["l"] == {"L": [{"N": "1"}, {"N": "2"}, {"N": "3"}]}
    out = ddb.update_item(TableName=table, Key=key(2), UpdateExpression="REMOVE l[0], l[2]",
                          ReturnValues="ALL_NEW")["Attributes"]
    assert out["l"] == {"L": [{"N": "2"}]}
    assert out["m"] == {"M": {"x": {"N": "1"}, "y": {"N": "0"}}}
    assert out["n"] == {"N": "9"}
    assert out["s"] == {"SS": ["b"]} and out["t"] == {"SS": ["c"]}
    # UPDATED_NEW returns only the updated (nested) paths.
    out = ddb.update_item(TableName=table, Key=key(2), UpdateExpression="SET m.x = :v",
                          ExpressionAttributeValues={":v": {"N": "5"}}, ReturnValues="UPDATED_NEW")
    assert out["Attributes"] == {"m": {"M": {"x": {"N": "5"}}}}
    code, msg = fails(ddb, op="update_item", TableName=table, Key=key(2), UpdateExpression="ADD m :one",
                      ExpressionAttributeValues={":one": {"N": "1"}})
    assert code == "ValidationException"
    assert msg == "An operand in the update expression has an incorrect data type"


def test_condition_functions(ddb, table: str) -> None:
    ddb.put_item(TableName=table, Item={**key(3), "name": {"S": "hello world"}, "tags": {"SS": ["x"]},
                                        "n": {"N": "5"}})
    ok = [
        "begins_with(#name, :he)", "contains(#name, :wor)", "contains(tags, :x)", "size(#name) = :eleven",
        "attribute_type(n, :N)", "n BETWEEN :one AND :ten", "n IN (:one, :five)", "NOT attribute_exists(zz)",
        "(n > :one AND n < :ten) OR attribute_not_exists(n)",
    ]
    vals = {":he": {"S": "he"}, ":wor": {"S": "wor"}, ":x": {"S": "x"}, ":eleven": {"N": "11"},
            ":N": {"S": "N"}, ":one": {"N": "1"}, ":ten": {"N": "10"}, ":five": {"N": "5"}}
    for cond in ok:
        used = {k: v for k, v in vals.items() if k in cond}
        kw = {"ExpressionAttributeValues": used} if used else {}
        if "#name" in cond:
            kw["ExpressionAttributeNames"] = {"#name": "name"}
        ddb.update_item(TableName=table, Key=key(3), UpdateExpression="SET seen = :t",
                        ConditionExpression=cond, **{**kw, "ExpressionAttributeValues": {**used, ":t": {"BOOL": True}}})


def test_legacy_expected_and_attribute_updates(ddb, table: str) -> None:
    ddb.put_item(TableName=table, Item={**key(4), "v": {"N": "1"}})
    ddb.update_item(
        TableName=table, Key=key(4),
        AttributeUpdates={"v": {"Action": "ADD", "Value": {"N": "2"}}, "w": {"Action": "PUT", "Value": {"S": "x"}}},
        Expected={"v": {"Value": {"N": "1"}}},
    )
    item = ddb.get_item(TableName=table, Key=key(4))["Item"]
    assert item["v"] == {"N": "3"} and item["w"] == {"S": "x"}
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item=key(4), Expected={"v": {"Exists": False}})
    assert error(exc)[0] == "ConditionalCheckFailedException"
    ddb.put_item(TableName=table, Item={**key(4), "z": {"S": "new"}},
                 Expected={"v": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "100"}]},
                           "w": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "x"}]}},
                 ConditionalOperator="OR")
    ddb.update_item(TableName=table, Key=key(4), AttributeUpdates={"z": {"Action": "DELETE"}})
    assert "z" not in ddb.get_item(TableName=table, Key=key(4))["Item"]


def test_legacy_query_filter(ddb, table: str) -> None:
    for i in range(10, 16):
        ddb.put_item(TableName=table, Item={"pk": {"S": "lq"}, "sk": {"N": str(i)}, "odd": {"BOOL": i % 2 == 1}})
    out = ddb.query(
        TableName=table,
        KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "lq"}]}},
        QueryFilter={"odd": {"ComparisonOperator": "EQ", "AttributeValueList": [{"BOOL": True}]}},
        AttributesToGet=["sk"],
    )
    assert [i["sk"]["N"] for i in out["Items"]] == ["11", "13", "15"]
    assert out["ScannedCount"] == 6
    with pytest.raises(ClientError) as exc:
        ddb.query(TableName=table, KeyConditionExpression="pk = :p", FilterExpression="sk > :n",
                  ExpressionAttributeValues={":p": {"S": "lq"}, ":n": {"N": "1"}})
    assert error(exc)[1] == (
        "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk"
    )


def test_wrong_member_type_is_a_serialization_error(endpoint: str) -> None:
    import json

    from test_server import raw

    status, _, body = raw(endpoint, "DynamoDB_20120810.GetItem",
                          json.dumps({"TableName": "t-t-t", "Key": {"pk": {"S": "x"}}, "ConsistentRead": []}).encode())
    assert status == 400
    assert json.loads(body)["__type"] == "com.amazon.coral.service#SerializationException"
