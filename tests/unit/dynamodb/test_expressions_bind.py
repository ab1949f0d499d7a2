"""ExpressionAttributeNames/Values: validation, use, and the request-level rules.

https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeNames.html
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeValues.html
Texts as recorded against DynamoDB in dynalite's tests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cloudlet.protocol.errors import AwsError
from cloudlet.services.dynamodb.expressions import Expressions, legacy


def err(fn: Callable[[], Any], code: str = "ValidationException") -> str:
    with pytest.raises(AwsError) as info:
        fn()
    assert info.value.code == code
    return info.value.message


def test_empty_maps() -> None:
    assert err(lambda: Expressions({}, None)) == "ExpressionAttributeNames must not be empty"
    assert err(lambda: Expressions(None, {})) == "ExpressionAttributeValues must not be empty"
    assert err(lambda: Expressions({}, {})) == "ExpressionAttributeNames must not be empty"


@pytest.mark.parametrize("key", ["a", "#", "#a-b", "# a", ":a", "#a.b", "#ü"])
def test_invalid_name_keys(key: str) -> None:
    assert err(lambda: Expressions({key: "x"}, None)) == (
        f'ExpressionAttributeNames contains invalid key: Syntax error; key: "{key}"'
    )


@pytest.mark.parametrize("key", ["a", ":", ":a-b", "#a", "::a"])
def test_invalid_value_keys(key: str) -> None:
    assert err(lambda: Expressions(None, {key: {"S": "x"}})) == (
        f'ExpressionAttributeValues contains invalid key: Syntax error; key: "{key}"'
    )


def test_keys_are_checked_before_values() -> None:
    assert err(lambda: Expressions(None, {":b": {"a": ""}, "b": {"S": "a"}})) == (
        'ExpressionAttributeValues contains invalid key: Syntax error; key: "b"'
    )


def test_valid_keys() -> None:
    ex = Expressions({"#1a": "x", "#_": "y", "#A_b9": "z"}, {":1": {"S": "a"}, ":_x": {"N": "1"}})
    assert ex.names["#_"] == "y"


def test_empty_name_value() -> None:
    assert err(lambda: Expressions({"#a": ""}, None)) == (
        "ExpressionAttributeNames contains invalid value: Empty attribute name for key #a"
    )


@pytest.mark.parametrize(
    ("value", "inner"),
    [
        ({}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
        (
            {"S": "a", "N": "1"},
            "Supplied AttributeValue has more than one datatypes set, "
            "must contain exactly one of the supported datatypes",
        ),
        ({"SS": []}, "One or more parameter values were invalid: An string set  may not be empty"),
        (
            {"NULL": False},
            "One or more parameter values were invalid: Null attribute value types must have the value of true",
        ),
        ({"N": "1e126"}, "Number overflow. Attempting to store a number with magnitude larger than supported range"),
        (
            {"N": "123456789012345678901234567890123456789"},
            "Attempting to store more than 38 significant digits in a Number",
        ),
        ({"M": {"a": {}}}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
    ],
)
def test_invalid_values_are_wrapped(value: dict[str, Any], inner: str) -> None:
    assert err(lambda: Expressions(None, {":b": value})) == (
        f"ExpressionAttributeValues contains invalid value: {inner} for key :b"
    )


def test_values_are_canonicalised() -> None:
    ex = Expressions(None, {":n": {"N": "01.50"}, ":i": {"N": "-7"}})
    assert ex.values[":n"] == {"N": "1.5"}
    assert ex.values[":i"] == {"N": "-7"}


def test_serialization_errors_are_not_wrapped() -> None:
    err(lambda: Expressions(None, {":b": {"S": 1}}), code="SerializationException")


def test_unused() -> None:
    ex = Expressions({"#a": "a", "#b": "b"}, {":a": {"S": "a"}, ":b": {"S": "b"}, ":c": {"S": "c"}})
    ex.condition("#a = :a")
    assert err(ex.check_unused) == "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}"
    ex.update("SET #b = :b")
    assert err(ex.check_unused) == "Value provided in ExpressionAttributeValues unused in expressions: keys: {:c}"
    ex.projection("#a")
    ex2 = Expressions(None, {":a": {"S": "a"}, ":b": {"S": "b"}, ":c": {"S": "c"}})
    ex2.update("remove a")
    ex2.condition("a = :b")
    assert err(ex2.check_unused) == (
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:a, :c}"
    )


def test_names_used_across_expressions() -> None:
    ex = Expressions({"#a": "a", "#b": "b"}, {":v": {"N": "1"}})
    ex.condition("#a = :v", "FilterExpression")
    ex.projection("#b")
    ex.check_unused()


# ---------------------------------------------------------------- request-level rules
def test_check_expression_params() -> None:
    legacy.check_expression_params({"ConditionExpression": "a = :v", "ExpressionAttributeValues": {}})
    legacy.check_expression_params({"ProjectionExpression": "#a", "ExpressionAttributeNames": {}})
    assert err(lambda: legacy.check_expression_params({"Key": {}, "ExpressionAttributeNames": {}})) == (
        "ExpressionAttributeNames can only be specified when using expressions"
    )
    # Names are reported before values (dynalite updateItem.js).
    request = {"Key": {}, "Expected": {}, "ExpressionAttributeNames": {}, "ExpressionAttributeValues": {}}
    assert err(lambda: legacy.check_expression_params(request)) == (
        "ExpressionAttributeNames can only be specified when using expressions"
    )


@pytest.mark.parametrize(
    ("request_", "operation", "suffix"),
    [
        ({"Key": {}, "AttributeUpdates": {}}, None, ": UpdateExpression and ConditionExpression are null"),
        ({"Key": {}, "Expected": {}}, "UpdateItem", ": UpdateExpression and ConditionExpression are null"),
        ({"Key": {}, "Expected": {}}, "DeleteItem", ": ConditionExpression is null"),
        ({"Item": {}}, None, ": ConditionExpression is null"),
        ({"TableName": "t", "ScanFilter": {}}, None, ": FilterExpression is null"),
        ({"TableName": "t", "ProjectionExpression": "a"}, "Scan", ": FilterExpression is null"),
        ({"TableName": "t", "KeyConditions": {}}, None, ": FilterExpression and KeyConditionExpression are null"),
        ({"Key": {}}, None, ""),
    ],
)
def test_values_without_expressions(request_: dict[str, Any], operation: str | None, suffix: str) -> None:
    # dynalite putItem.js / scan.js / query.js / updateItem.js, recorded against DynamoDB.
    request = {**request_, "ExpressionAttributeValues": {}}
    assert err(lambda: legacy.check_expression_params(request, operation)) == (
        "ExpressionAttributeValues can only be specified when using expressions" + suffix
    )


@pytest.mark.parametrize(
    ("request_", "legacy_params", "expression_params"),
    [
        (
            {"Expected": {}, "AttributeUpdates": {}, "ConditionExpression": "", "UpdateExpression": ""},
            "AttributeUpdates, Expected",
            "UpdateExpression, ConditionExpression",
        ),
        (
            {
                "ScanFilter": {},
                "AttributesToGet": [],
                "ConditionalOperator": "OR",
                "FilterExpression": "",
                "ProjectionExpression": "",
            },
            "AttributesToGet, ScanFilter, ConditionalOperator",
            "ProjectionExpression, FilterExpression",
        ),
        (
            {
                "QueryFilter": {},
                "AttributesToGet": [],
                "ConditionalOperator": "OR",
                "KeyConditions": {},
                "ProjectionExpression": "",
                "FilterExpression": "",
                "KeyConditionExpression": "",
            },
            "AttributesToGet, QueryFilter, ConditionalOperator, KeyConditions",
            "ProjectionExpression, FilterExpression, KeyConditionExpression",
        ),
        ({"AttributesToGet": ["a"], "ProjectionExpression": "a"}, "AttributesToGet", "ProjectionExpression"),
        ({"Expected": {}, "ConditionExpression": "a = :v"}, "Expected", "ConditionExpression"),
    ],
)
def test_check_mixing(request_: dict[str, Any], legacy_params: str, expression_params: str) -> None:
    assert err(lambda: legacy.check_mixing(request_)) == (
        "Can not use both expression and non-expression parameters in the same request: "
        f"Non-expression parameters: {{{legacy_params}}} Expression parameters: {{{expression_params}}}"
    )


def test_no_mixing() -> None:
    legacy.check_mixing({"Expected": {}, "AttributeUpdates": {}})
    legacy.check_mixing({"ConditionExpression": "a = :v", "UpdateExpression": "SET a = :v"})
