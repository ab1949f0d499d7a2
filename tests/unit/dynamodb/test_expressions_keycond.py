"""KeyConditionExpression.

https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.KeyConditionExpressions.html
Error texts as recorded against DynamoDB in dynalite's query.js.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cloudlet.protocol.errors import AwsError
from cloudlet.services.dynamodb.expressions import Expressions, KeyCondition

AV = dict[str, Any]
INVALID = "Invalid condition in KeyConditionExpression: "
VALUES: dict[str, AV] = {":a": {"S": "1"}, ":b": {"S": "2"}, ":n": {"N": "3"}}


def err(fn: Callable[[], Any]) -> str:
    with pytest.raises(AwsError) as info:
        fn()
    assert info.value.code == "ValidationException"
    return info.value.message


def kc(
    text: str, hash_name: str = "h", range_name: str | None = "r", names: dict[str, str] | None = None
) -> KeyCondition:
    used = {k: v for k, v in VALUES.items() if k in text}
    return Expressions(names, used or None).key_condition(text, hash_name, range_name)


def kc_err(text: str, hash_name: str = "a", range_name: str | None = "b") -> str:
    return err(lambda: kc(text, hash_name, range_name))


@pytest.mark.parametrize(
    ("text", "op", "vals"),
    [
        ("h = :a", None, ()),
        ("h = :a AND r = :b", "EQ", ({"S": "2"},)),
        ("h = :a AND r < :b", "LT", ({"S": "2"},)),
        ("h = :a AND r <= :b", "LE", ({"S": "2"},)),
        ("h = :a AND r > :b", "GT", ({"S": "2"},)),
        ("h = :a AND r >= :b", "GE", ({"S": "2"},)),
        ("r >= :b AND h = :a", "GE", ({"S": "2"},)),
        (":b > r AND :a = h", "LT", ({"S": "2"},)),  # constants first are flipped
        ("h = :a AND r BETWEEN :a AND :b", "BETWEEN", ({"S": "1"}, {"S": "2"})),
        ("h = :a AND begins_with(r, :b)", "BEGINS_WITH", ({"S": "2"},)),
        ("(h = :a) AND (r > :b)", "GT", ({"S": "2"},)),
    ],
)
def test_key_conditions(text: str, op: str | None, vals: tuple[AV, ...]) -> None:
    cond = kc(text)
    assert cond.hash_value == {"S": "1"}
    assert cond.range_op == op
    assert cond.range_values == vals
    assert cond.range_name == ("r" if op else None)


def test_placeholders() -> None:
    cond = kc("#h = :a AND #r = :b", names={"#h": "h", "#r": "r"})
    assert cond.hash_name == "h" and cond.range_op == "EQ"


@pytest.mark.parametrize(
    ("text", "op"),
    [
        ("a > b and size(b) > c or a > c", "OR"),
        ("a in (b, size(c), d)", "IN"),
        ("attribute_exists(a)", "attribute_exists"),
        ("attribute_not_exists(a)", "attribute_not_exists"),
        ("contains(a.d, b)", "contains"),
        ("not a > b", "NOT"),
        ("a <> b", "<>"),
    ],
)
def test_invalid_operators(text: str, op: str) -> None:
    assert kc_err(text) == f"Invalid operator used in KeyConditionExpression: {op}"


def test_attribute_type_is_checked_before_it_is_refused() -> None:
    ex = Expressions(None, {":a": {"N": "1"}})
    assert err(lambda: ex.key_condition("attribute_type(a, :a)", "a", None)) == (
        "Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
        "operator or function: attribute_type, operand type: N"
    )
    ex = Expressions(None, {":a": {"S": "S"}})
    assert err(lambda: ex.key_condition("attribute_type(a, :a)", "a", None)) == (
        "Invalid operator used in KeyConditionExpression: attribute_type"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            ":a between size(b) and size(a) and b > :b",
            INVALID + "BETWEEN operator must have the key attribute as its first operand",
        ),
        (
            "begins_with(:a, b) and a > :b",
            INVALID + "begins_with operator must have the key attribute as its first operand",
        ),
        ("size(b) > a AND a.b > b AND b > c", "KeyConditionExpressions cannot contain nested operations"),
        ("a > size(b.d)", "KeyConditionExpressions cannot contain nested operations"),
        ("a between size(b) and size(a)", "KeyConditionExpressions cannot contain nested operations"),
        ("b > a.b", INVALID + "Multiple attribute names used in one condition"),
        ("b between c[1] and d", INVALID + "Multiple attribute names used in one condition"),
        ("a between b and size(a)", INVALID + "Multiple attribute names used in one condition"),
        ("begins_with(a, b)", INVALID + "Multiple attribute names used in one condition"),
        (":a > size(b)", "KeyConditionExpressions cannot contain nested operations"),
        ("size(a) > size(b)", "KeyConditionExpressions cannot contain nested operations"),
        ("size(a) > :a", "KeyConditionExpressions cannot contain nested operations"),
        ("begins_with(:a, :b)", INVALID + "begins_with operator must have the key attribute as its first operand"),
        (":a BETWEEN :a AND :b", INVALID + "BETWEEN operator must have the key attribute as its first operand"),
        ("b.d > a AND c.d > e.f", "KeyConditionExpressions cannot have conditions on nested attributes"),
        ("a.d > c", "KeyConditionExpressions cannot have conditions on nested attributes"),
        ("b[0] > a", "KeyConditionExpressions cannot have conditions on nested attributes"),
        (":b > :a AND a < :b", INVALID + "No key attribute specified"),
        (":a > b AND :a < :b", INVALID + "No key attribute specified"),
        ("b > :a AND b < :a and c = :a and d = :a", "KeyConditionExpressions must only contain one condition per key"),
        (
            "(a > :a and b > :a) and (b > :a and c > :a)",
            "KeyConditionExpressions must only contain one condition per key",
        ),
        (":a = a and b = :a and :a = c", "Conditions can be of length 1 or 2 only"),
        (
            "(a > :a and b > :a) and (c > :a and d > :a) and (e > :a and f > :a)",
            "Conditions can be of length 1 or 2 only",
        ),
    ],
)
def test_structure_errors(text: str, message: str) -> None:
    assert kc_err(text) == message


def test_between_bounds() -> None:
    ex = Expressions(None, {":a": {"S": "a"}, ":b": {"N": "1"}})
    assert err(lambda: ex.key_condition("a between :b and :a", "a", None)) == (
        "Invalid KeyConditionExpression: The BETWEEN operator requires same data type for lower "
        "and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: "
        "AttributeValue: {S:a}"
    )
    ex = Expressions(None, {":a": {"S": "a"}, ":b": {"S": "b"}})
    assert err(lambda: ex.key_condition("a between :b and :a", "a", None)) == (
        "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater "
        "than or equal to lower bound; lower bound operand: AttributeValue: {S:b}, upper bound "
        "operand: AttributeValue: {S:a}"
    )


def test_schema_errors() -> None:
    assert kc_err("z = :a", "h", "r") == "Query condition missed key schema element: h"
    assert kc_err("r = :a", "h", "r") == "Query condition missed key schema element: h"
    assert kc_err("h = :a AND z > :b", "h", "r") == "Query condition missed key schema element: r"
    assert kc_err("h = :a AND z > :b", "h", None) == "Query key condition not supported"
    assert kc_err("h > :a", "h", None) == "Query key condition not supported"
    assert kc_err("begins_with(h, :a)", "h", "r") == "Query key condition not supported"
    assert kc_err("h BETWEEN :a AND :b", "h", None) == "Query key condition not supported"


def test_generic_errors_come_first() -> None:
    assert kc_err("a =") == 'Invalid KeyConditionExpression: Syntax error; token: "<EOF>", near: "="'
    assert kc_err("a = a") == (
        "Invalid KeyConditionExpression: The first operand must be distinct from the remaining "
        "operands for this operator or function; operator: =, first operand: [a]"
    )
    assert err(lambda: Expressions(None, None).key_condition("a = :z", "a", None)) == (
        "Invalid KeyConditionExpression: An expression attribute value used in expression is not "
        "defined; attribute value: :z"
    )
    assert err(lambda: Expressions(None, None).key_condition("", "a", None)) == (
        "Invalid KeyConditionExpression: The expression can not be empty;"
    )
