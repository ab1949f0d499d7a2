"""Single-item operations through boto3 against a real server.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteItem.html
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from botocore.exceptions import ClientError
from test_dynamodb_tables import create, error

from conftest import unique


@pytest.fixture(scope="module")
def table(ddb) -> str:  # type: ignore[no-untyped-def]
    name = unique("items")
    create(ddb, name)
    return name


@pytest.fixture(scope="module")
def table2(ddb) -> str:  # type: ignore[no-untyped-def]
    name = unique("items2")
    create(ddb, name, range_key=True)
    return name


def test_put_get_roundtrip_all_types(ddb, table: str) -> None:
    item = {
        "pk": {"S": "all-types"},
        "s": {"S": "héllo"},
        "empty": {"S": ""},
        "n": {"N": "123.4500"},
        "b": {"B": b"\x00\x01binary"},
        "ss": {"SS": ["a", "b"]},
        "ns": {"NS": ["1", "2.50"]},
        "bs": {"BS": [b"x", b"y"]},
        "m": {"M": {"inner": {"L": [{"N": "1"}, {"NULL": True}, {"BOOL": False}]}}},
        "l": {"L": []},
        "t": {"BOOL": True},
        "nul": {"NULL": True},
    }
    ddb.put_item(TableName=table, Item=item)
    got = ddb.get_item(TableName=table, Key={"pk": {"S": "all-types"}})["Item"]
    # Numbers come back in DynamoDB's canonical form (no redundant zeros).
    assert got["n"] == {"N": "123.45"}
    assert sorted(got["ns"]["NS"]) == ["1", "2.5"]
    assert got["b"] == {"B": b"\x00\x01binary"}
    assert got["m"] == item["m"]
    assert got["empty"] == {"S": ""}  # empty strings are allowed outside keys


def test_number_canonical_forms(ddb, table: str) -> None:
    cases = {"1e2": "100", "-0": "0", "0.000100": "0.0001", "00012": "12", "-1.50": "-1.5"}
    for i, (given, want) in enumerate(cases.items()):
        ddb.put_item(TableName=table, Item={"pk": {"S": f"num{i}"}, "v": {"N": given}})
        got = ddb.get_item(TableName=table, Key={"pk": {"S": f"num{i}"}})["Item"]["v"]
        assert got == {"N": want}, given


def test_number_limits(ddb, table: str) -> None:
    # 38 significant digits; magnitude 1E-130 .. 9.99..E+125
    # https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html#HowItWorks.DataTypes.Number
    ok = "1" * 38
    ddb.put_item(TableName=table, Item={"pk": {"S": "big"}, "v": {"N": ok}})
    for bad, text in [
        ("1" * 39, "Attempting to store more than 38 significant digits in a Number"),
        ("1E+126", "Number overflow. Attempting to store a number with magnitude larger than supported range"),
        ("1E-131", "Number underflow. Attempting to store a number with magnitude smaller than supported range"),
        ("abc", "A value provided cannot be converted into a number"),
    ]:
        with pytest.raises(ClientError) as exc:
            ddb.put_item(TableName=table, Item={"pk": {"S": "bad"}, "v": {"N": bad}})
        assert error(exc) == ("ValidationException", text)


def test_get_missing_item_and_missing_table(ddb, table: str) -> None:
    out = ddb.get_item(TableName=table, Key={"pk": {"S": "nope"}})
    assert "Item" not in out
    with pytest.raises(ClientError) as exc:
        ddb.get_item(TableName="no-such-table", Key={"pk": {"S": "x"}})
    assert error(exc) == ("ResourceNotFoundException", "Requested resource not found")


def test_key_errors(ddb, table: str, table2: str) -> None:
    with pytest.raises(ClientError) as exc:
        ddb.get_item(TableName=table, Key={"pk": {"N": "1"}})
    assert error(exc) == ("ValidationException", "The provided key element does not match the schema")
    with pytest.raises(ClientError) as exc:
        ddb.get_item(TableName=table2, Key={"pk": {"S": "1"}})
    assert error(exc)[1] == "The provided key element does not match the schema"
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={"other": {"S": "x"}})
    assert error(exc)[1] == "One or more parameter values were invalid: Missing the key pk in the item"
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={"pk": {"N": "1"}})
    assert error(exc)[1] == (
        "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N"
    )
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={"pk": {"S": ""}})
    assert error(exc)[1] == (
        "One or more parameter values are not valid. The AttributeValue for a key attribute "
        "cannot contain an empty string value. Key: pk"
    )


def test_size_limits(ddb, table: str, table2: str) -> None:
    # Partition key <= 2048 bytes, sort key <= 1024 bytes, item <= 400 KB.
    # https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
    ddb.put_item(TableName=table, Item={"pk": {"S": "k" * 2048}})
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={"pk": {"S": "k" * 2049}})
    assert "Size of hashkey has exceeded the maximum size limit of2048 bytes" in error(exc)[1]
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={"pk": {"S": "x"}, "big": {"S": "x" * (400 * 1024)}})
    assert error(exc) == ("ValidationException", "Item size has exceeded the maximum allowed size")
    ddb.put_item(TableName=table, Item={"pk": {"S": "x"}, "big": {"S": "x" * (400 * 1024 - 10)}})


def test_set_validation(ddb, table: str) -> None:
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={"pk": {"S": "s"}, "ss": {"SS": []}})
    assert error(exc) == (
        "ValidationException",
        "One or more parameter values were invalid: An string set  may not be empty",
    )
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={"pk": {"S": "s"}, "ss": {"SS": ["a", "a"]}})
    assert error(exc)[1] == (
        "One or more parameter values were invalid: Input collection [a, a] contains duplicates."
    )


def test_conditional_put_and_return_values(ddb, table: str) -> None:
    key = {"pk": {"S": unique("cond")}}
    ddb.put_item(TableName=table, Item={**key, "v": {"N": "1"}},
                 ConditionExpression="attribute_not_exists(pk)")
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={**key, "v": {"N": "2"}},
                     ConditionExpression="attribute_not_exists(pk)",
                     ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert error(exc) == ("ConditionalCheckFailedException", "The conditional request failed")
    assert exc.value.response["Item"] == {**key, "v": {"N": "1"}}
    out = ddb.put_item(TableName=table, Item={**key, "v": {"N": "3"}}, ReturnValues="ALL_OLD")
    assert out["Attributes"] == {**key, "v": {"N": "1"}}
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item=key, ReturnValues="ALL_NEW")
    assert error(exc) == ("ValidationException", "Return values set to invalid value")


def test_update_item(ddb, table: str) -> None:
    key = {"pk": {"S": unique("upd")}}
    out = ddb.update_item(
        TableName=table, Key=key,
        UpdateExpression="SET #n = :n, tags = :t ADD #c :one",
        ExpressionAttributeNames={"#n": "name", "#c": "count"},
        ExpressionAttributeValues={":n": {"S": "x"}, ":t": {"SS": ["a"]}, ":one": {"N": "1"}},
        ReturnValues="ALL_NEW",
    )
    assert out["Attributes"] == {**key, "name": {"S": "x"}, "tags": {"SS": ["a"]}, "count": {"N": "1"}}
    out = ddb.update_item(
        TableName=table, Key=key, UpdateExpression="ADD #c :one REMOVE tags",
        ExpressionAttributeNames={"#c": "count"}, ExpressionAttributeValues={":one": {"N": "5"}},
        ReturnValues="UPDATED_NEW",
    )
    assert out["Attributes"] == {"count": {"N": "6"}}
    with pytest.raises(ClientError) as exc:
        ddb.update_item(TableName=table, Key=key, UpdateExpression="SET pk = :v",
                        ExpressionAttributeValues={":v": {"S": "other"}})
    assert error(exc)[1] == (
        "One or more parameter values were invalid: Cannot update attribute pk. "
        "This attribute is part of the key"
    )
    with pytest.raises(ClientError) as exc:
        ddb.update_item(TableName=table, Key=key, UpdateExpression="SET a = :v",
                        ConditionExpression="#c > :big",
                        ExpressionAttributeNames={"#c": "count"},
                        ExpressionAttributeValues={":v": {"S": "x"}, ":big": {"N": "100"}})
    assert error(exc)[0] == "ConditionalCheckFailedException"
    got = ddb.get_item(TableName=table, Key=key)["Item"]
    assert "a" not in got  # a failed condition writes nothing


def test_update_creates_item_from_key(ddb, table: str) -> None:
    key = {"pk": {"S": unique("bare")}}
    ddb.update_item(TableName=table, Key=key)
    assert ddb.get_item(TableName=table, Key=key)["Item"] == key


def test_delete_item(ddb, table: str) -> None:
    key = {"pk": {"S": unique("del")}}
    ddb.put_item(TableName=table, Item={**key, "v": {"S": "x"}})
    with pytest.raises(ClientError) as exc:
        ddb.delete_item(TableName=table, Key=key, ConditionExpression="v = :y",
                        ExpressionAttributeValues={":y": {"S": "y"}})
    assert error(exc)[0] == "ConditionalCheckFailedException"
    out = ddb.delete_item(TableName=table, Key=key, ReturnValues="ALL_OLD")
    assert out["Attributes"] == {**key, "v": {"S": "x"}}
    assert "Item" not in ddb.get_item(TableName=table, Key=key)
    assert "Attributes" not in ddb.delete_item(TableName=table, Key=key, ReturnValues="ALL_OLD")


def test_consumed_capacity(ddb, table: str) -> None:
    # Writes: 1 WCU per 1 KB; reads: 1 RCU per 4 KB strongly consistent, half that eventually.
    # https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html
    key = {"pk": {"S": unique("cap")}}
    out = ddb.put_item(TableName=table, Item={**key, "d": {"S": "x" * 3000}},
                       ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 3.0}
    out = ddb.get_item(TableName=table, Key=key, ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"]["CapacityUnits"] == 0.5
    out = ddb.get_item(TableName=table, Key=key, ConsistentRead=True, ReturnConsumedCapacity="INDEXES")
    assert out["ConsumedCapacity"]["CapacityUnits"] == 1.0
    assert out["ConsumedCapacity"]["Table"] == {"CapacityUnits": 1.0}


def test_projection(ddb, table: str) -> None:
    key = {"pk": {"S": unique("proj")}}
    ddb.put_item(TableName=table, Item={**key, "a": {"S": "1"}, "b": {"M": {"c": {"N": "2"}, "d": {"N": "3"}}},
                                          "l": {"L": [{"S": "x"}, {"S": "y"}]}})
    got = ddb.get_item(TableName=table, Key=key, ProjectionExpression="a, b.c, l[1]")["Item"]
    assert got == {"a": {"S": "1"}, "b": {"M": {"c": {"N": "2"}}}, "l": {"L": [{"S": "y"}]}}
    got = ddb.get_item(TableName=table, Key=key, AttributesToGet=["a"])["Item"]
    assert got == {"a": {"S": "1"}}


def test_resource_api_with_python_types(ddb_resource) -> None:  # type: ignore[no-untyped-def]
    name = unique("res")
    t = ddb_resource.create_table(
        TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    t.wait_until_exists()
    t.put_item(Item={"id": "1", "price": Decimal("9.99"), "tags": {"a", "b"}, "nested": {"k": [1, 2]}})
    item = t.get_item(Key={"id": "1"})["Item"]
    assert item == {"id": "1", "price": Decimal("9.99"), "tags": {"a", "b"}, "nested": {"k": [1, 2]}}
    t.update_item(Key={"id": "1"}, UpdateExpression="SET price = price + :d",
                  ExpressionAttributeValues={":d": Decimal("0.01")})
    assert t.get_item(Key={"id": "1"})["Item"]["price"] == Decimal("10")
