"""Legacy parameters: Expected, QueryFilter/ScanFilter, KeyConditions, AttributeUpdates,
AttributesToGet.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Condition.html
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExpectedAttributeValue.html
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_AttributeValueUpdate.html
Error texts as recorded against DynamoDB in dynalite's tests.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from cloudlet.protocol.errors import AwsError
from cloudlet.services.dynamodb.expressions import legacy

AV = dict[str, Any]
OPS = [
    "EQ",
    "NE",
    "LE",
    "LT",
    "GE",
    "GT",
    "NOT_NULL",
    "NULL",
    "CONTAINS",
    "NOT_CONTAINS",
    "BEGINS_WITH",
    "IN",
    "BETWEEN",
]


def err(fn: Callable[[], Any]) -> str:
    with pytest.raises(AwsError) as info:
        fn()
    assert info.value.code == "ValidationException"
    return info.value.message


def cond(op: str, *args: AV) -> dict[str, Any]:
    return {"ComparisonOperator": op, "AttributeValueList": list(args)}


def scan(item: dict[str, AV] | None, conds: dict[str, Any], operator: str | None = None) -> bool:
    return legacy.conditions(conds, operator, "ScanFilter").evaluate(item)


ITEM: dict[str, AV] = {
    "s": {"S": "hello"},
    "n": {"N": "5"},
    "b": {"B": "aGk="},
    "ss": {"SS": ["a", "b"]},
    "l": {"L": [{"N": "1"}]},
    "z": {"NULL": True},
}


# ---------------------------------------------------------------- filter conditions
@pytest.mark.parametrize(
    ("attr", "c", "expected"),
    [
        ("s", cond("EQ", {"S": "hello"}), True),
        ("s", cond("EQ", {"S": "x"}), False),
        ("n", cond("EQ", {"S": "5"}), False),
        ("ss", cond("EQ", {"SS": ["b", "a"]}), True),
        ("s", cond("NE", {"S": "x"}), True),
        ("s", cond("NE", {"S": "hello"}), False),
        ("gone", cond("NE", {"S": "x"}), True),
        ("n", cond("LE", {"N": "5"}), True),
        ("n", cond("LT", {"N": "5"}), False),
        ("n", cond("GE", {"N": "5"}), True),
        ("n", cond("GT", {"N": "4.9"}), True),
        ("n", cond("GT", {"S": "4"}), False),
        ("s", cond("NOT_NULL"), True),
        ("z", cond("NOT_NULL"), True),  # a NULL-typed attribute exists
        ("gone", cond("NOT_NULL"), False),
        ("gone", cond("NULL"), True),
        ("z", cond("NULL"), False),
        ("s", cond("CONTAINS", {"S": "ell"}), True),
        ("ss", cond("CONTAINS", {"S": "a"}), True),
        ("l", cond("CONTAINS", {"N": "1"}), True),
        ("s", cond("NOT_CONTAINS", {"S": "xyz"}), True),
        ("ss", cond("NOT_CONTAINS", {"S": "a"}), False),
        ("s", cond("BEGINS_WITH", {"S": "he"}), True),
        ("b", cond("BEGINS_WITH", {"B": "aA=="}), True),
        ("s", cond("IN", {"S": "x"}, {"S": "hello"}), True),
        ("n", cond("IN", {"N": "1"}, {"N": "2"}), False),
        ("n", cond("BETWEEN", {"N": "1"}, {"N": "5"}), True),
        ("s", cond("BETWEEN", {"S": "a"}, {"S": "b"}), False),
    ],
)
def test_filter_operators(attr: str, c: dict[str, Any], expected: bool) -> None:
    assert scan(ITEM, {attr: c}) is expected


def test_conditional_operator() -> None:
    conds = {"s": cond("EQ", {"S": "hello"}), "n": cond("EQ", {"N": "6"})}
    assert not scan(ITEM, conds)
    assert not scan(ITEM, conds, "AND")
    assert scan(ITEM, conds, "OR")
    assert scan(ITEM, {})


@pytest.mark.parametrize("op", OPS)
def test_argument_counts(op: str) -> None:
    good = {"NULL": 0, "NOT_NULL": 0, "BETWEEN": 2}.get(op, 1)
    for n in (0, 1, 2, 3):
        args = [{"S": chr(97 + i)} for i in range(n)]
        valid = n == good or (op == "IN" and n >= 1)
        if valid:
            legacy.conditions({"a": cond(op, *args)}, None, "ScanFilter")
        else:
            assert err(lambda args=args: legacy.conditions({"a": cond(op, *args)}, None, "ScanFilter")) == (
                "One or more parameter values were invalid: "
                f"Invalid number of argument(s) for the {op} ComparisonOperator"
            )


def test_missing_attribute_value_list_is_no_arguments() -> None:
    assert err(lambda: legacy.conditions({"a": {"ComparisonOperator": "EQ"}}, None, "ScanFilter")) == (
        "One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator"
    )


@pytest.mark.parametrize(
    ("op", "value"),
    [
        (op, v)
        for op in ("LT", "LE", "GT", "GE", "IN")
        for v in ({"BOOL": True}, {"NULL": True}, {"SS": ["a"]}, {"NS": ["1"]}, {"BS": ["abcd"]}, {"M": {}}, {"L": []})
    ]
    + [
        (op, v)
        for op in ("CONTAINS", "NOT_CONTAINS")
        for v in ({"SS": ["a"]}, {"NS": ["1"]}, {"BS": ["abcd"]}, {"M": {}}, {"L": []})
    ]
    + [("BEGINS_WITH", v) for v in ({"N": "1"}, {"BOOL": True}, {"SS": ["a"]}, {"M": {}}, {"L": []})],
)
def test_operand_types(op: str, value: AV) -> None:
    t = next(iter(value))
    assert err(lambda: legacy.conditions({"a": cond(op, value)}, None, "ScanFilter")) == (
        f"One or more parameter values were invalid: ComparisonOperator {op} is not valid for {t} AttributeValue type"
    )


@pytest.mark.parametrize("value", [{"BOOL": True}, {"NULL": True}, {"SS": ["a"]}, {"M": {}}, {"L": []}])
def test_between_operand_types(value: AV) -> None:
    t = next(iter(value))
    assert err(lambda: legacy.conditions({"a": cond("BETWEEN", value, value)}, None, "ScanFilter")) == (
        "One or more parameter values were invalid: "
        f"ComparisonOperator BETWEEN is not valid for {t} AttributeValue type"
    )


def test_list_values() -> None:
    assert err(lambda: legacy.conditions({"a": cond("IN", {"S": "b"}, {"N": "1"})}, None, "ScanFilter")) == (
        "One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type"
    )
    assert err(lambda: legacy.conditions({"a": cond("BETWEEN", {"S": "b"}, {"S": "a"})}, None, "ScanFilter")) == (
        "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"
    )
    # Values are validated first, in order.
    assert err(lambda: legacy.conditions({"a": cond("EQ", {"N": "1"}, {"SS": []}, {})}, None, "QueryFilter")) == (
        "One or more parameter values were invalid: An string set  may not be empty"
    )


# ---------------------------------------------------------------- Expected
def test_expected() -> None:
    item = {"a": {"S": "x"}, "active": {"BOOL": False}}
    assert legacy.expected({"a": {"Value": {"S": "x"}}}, None).evaluate(item)
    assert legacy.expected({"a": {"Value": {"S": "x"}, "Exists": True}}, None).evaluate(item)
    assert not legacy.expected({"a": {"Value": {"S": "y"}}}, None).evaluate(item)
    assert legacy.expected({"b": {"Exists": False}}, None).evaluate(item)
    assert not legacy.expected({"a": {"Exists": False}}, None).evaluate(item)
    assert legacy.expected({"active": {"Value": {"BOOL": False}, "Exists": True}}, None).evaluate(item)
    assert legacy.expected({"a": {"ComparisonOperator": "NOT_NULL"}}, None).evaluate(item)
    assert legacy.expected({"a": {"ComparisonOperator": "BEGINS_WITH", "Value": {"S": "x"}}}, None).evaluate(item)
    two = {"a": {"Value": {"S": "nope"}}, "b": {"Exists": False}}
    assert not legacy.expected(two, None).evaluate(item)
    assert legacy.expected(two, "OR").evaluate(item)
    assert not legacy.expected({"a": {"Value": {"S": "x"}}}, None).evaluate(None)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({}, "Value must be provided when Exists is null for Attribute: a"),
        ({"Exists": True}, "Value must be provided when Exists is true for Attribute: a"),
        ({"Exists": False, "Value": {"S": "a"}}, "Value cannot be used when Exists is false for Attribute: a"),
        (
            {"ComparisonOperator": "LT"},
            "Value or AttributeValueList must be used with ComparisonOperator: LT for Attribute: a",
        ),
        (
            {"Exists": True, "ComparisonOperator": "LT"},
            "Exists and ComparisonOperator cannot be used together for Attribute: a",
        ),
        ({"AttributeValueList": []}, "AttributeValueList can only be used with a ComparisonOperator for Attribute: a"),
        (
            {"Exists": True, "AttributeValueList": []},
            "AttributeValueList can only be used with a ComparisonOperator for Attribute: a",
        ),
        (
            {"Value": {"S": "a"}, "AttributeValueList": []},
            "Value and AttributeValueList cannot be used together for Attribute: a",
        ),
        (
            {"Value": {"S": "a"}, "ComparisonOperator": "BETWEEN"},
            "Invalid number of argument(s) for the BETWEEN ComparisonOperator",
        ),
        (
            {"Value": {"S": "a"}, "ComparisonOperator": "NULL"},
            "Invalid number of argument(s) for the NULL ComparisonOperator",
        ),
        (
            {"ComparisonOperator": "IN", "AttributeValueList": [{"S": "b"}, {"N": "1"}]},
            "AttributeValues inside AttributeValueList must be of same type",
        ),
    ],
)
def test_expected_errors(spec: dict[str, Any], message: str) -> None:
    # dynalite putItem.js / deleteItem.js, recorded against DynamoDB.
    assert err(lambda: legacy.expected({"a": spec}, None)) == f"One or more parameter values were invalid: {message}"


def test_expected_between_order() -> None:
    spec = {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"S": "b"}, {"S": "a"}]}
    assert err(lambda: legacy.expected({"a": spec}, None)) == (
        "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"
    )


# ---------------------------------------------------------------- KeyConditions
def test_key_conditions() -> None:
    kc = legacy.key_conditions({"h": cond("EQ", {"S": "x"})}, "h", "r")
    assert kc.hash_value == {"S": "x"} and kc.range_op is None
    for op, args in [("EQ", 1), ("LE", 1), ("LT", 1), ("GE", 1), ("GT", 1), ("BEGINS_WITH", 1), ("BETWEEN", 2)]:
        vals = [{"S": c} for c in "ab"[:args]]
        kc = legacy.key_conditions({"h": cond("EQ", {"S": "x"}), "r": cond(op, *vals)}, "h", "r")
        assert kc.range_op == op and kc.range_values == tuple(vals) and kc.range_name == "r"


@pytest.mark.parametrize(
    ("conds", "hash_name", "range_name", "message"),
    [
        ({}, "a", None, "Conditions can be of length 1 or 2 only"),
        (
            {"a": cond("NULL"), "b": cond("NULL"), "c": cond("NULL")},
            "a",
            "b",
            "Conditions can be of length 1 or 2 only",
        ),
        (
            {"a": cond("EQ"), "b": cond("NULL"), "c": cond("NULL")},
            "a",
            "b",
            "One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator",
        ),
        ({"a": cond("NULL")}, "a", None, "Attempted conditional constraint is not an indexable operation"),
        (
            {"a": cond("CONTAINS", {"S": "a"}), "b": cond("NULL")},
            "a",
            "b",
            "Attempted conditional constraint is not an indexable operation",
        ),
        ({"a": cond("IN", {"S": "a"})}, "a", None, "Attempted conditional constraint is not an indexable operation"),
        ({"a": cond("LE", {"S": "a"})}, "a", None, "Query key condition not supported"),
        ({"a": cond("BETWEEN", {"S": "a"}, {"S": "b"})}, "a", None, "Query key condition not supported"),
        ({"a": cond("EQ", {"S": "a"}), "b": cond("EQ", {"S": "b"})}, "a", None, "Query key condition not supported"),
        ({"c": cond("NULL")}, "a", "b", "Query condition missed key schema element a"),
        ({"a": cond("EQ", {"S": "a"}), "c": cond("NULL")}, "a", "b", "Query condition missed key schema element b"),
        (
            {"a": cond("EQ", {"S": "a"}), "c": cond("NULL")},
            "a",
            "c",
            "Attempted conditional constraint is not an indexable operation",
        ),
    ],
)
def test_key_condition_errors(conds: dict[str, Any], hash_name: str, range_name: str | None, message: str) -> None:
    # dynalite query.js, recorded against DynamoDB.
    assert err(lambda: legacy.key_conditions(conds, hash_name, range_name)) == message


# ---------------------------------------------------------------- AttributeUpdates
def apply(item: dict[str, AV], updates: dict[str, Any]) -> dict[str, AV]:
    before = copy.deepcopy(item)
    out = legacy.attribute_updates(updates).apply(item)
    assert item == before
    return out


def test_attribute_updates() -> None:
    item = {"k": {"S": "key"}, "b": {"NS": ["1", "2", "3"]}, "c": {"S": "a"}, "n": {"N": "1"}, "l": {"L": [{"S": "a"}]}}
    out = apply(item, {"c": {"Value": {"S": "b"}}, "d": {"Action": "PUT", "Value": {"N": "5"}}})
    assert out["c"] == {"S": "b"} and out["d"] == {"N": "5"}
    assert "c" not in apply(item, {"c": {"Action": "DELETE"}})
    assert apply(item, {"b": {"Action": "DELETE", "Value": {"NS": ["1", "4"]}}})["b"] == {"NS": ["2", "3"]}
    assert "b" not in apply(item, {"b": {"Action": "DELETE", "Value": {"NS": ["1", "2", "3"]}}})
    assert apply(item, {"n": {"Action": "ADD", "Value": {"N": "3"}}})["n"] == {"N": "4"}
    assert apply(item, {"l": {"Action": "ADD", "Value": {"L": [{"N": "2"}]}}})["l"] == {"L": [{"S": "a"}, {"N": "2"}]}
    out = apply(
        {},
        {
            "b": {"Action": "DELETE"},
            "c": {"Action": "DELETE", "Value": {"SS": ["a", "b"]}},
            "d": {"Action": "ADD", "Value": {"N": "5"}},
            "e": {"Action": "ADD", "Value": {"SS": ["a", "b"]}},
            "f": {"Action": "ADD", "Value": {"L": [{"S": "a"}, {"N": "1"}]}},
        },
    )
    assert out == {"d": {"N": "5"}, "e": {"SS": ["a", "b"]}, "f": {"L": [{"S": "a"}, {"N": "1"}]}}
    upd = legacy.attribute_updates({"a": {"Value": {"S": "x"}}, "b": {"Action": "DELETE"}})
    assert upd.changed_top_names == {"a", "b"}


@pytest.mark.parametrize(
    "updates",
    [
        {"b": {"Action": "DELETE", "Value": {"NS": ["1"]}}},
        {"b": {"Action": "DELETE", "Value": {"BS": ["YQ=="]}}},
        {"c": {"Action": "DELETE", "Value": {"NS": ["1"]}}},
        {"b": {"Action": "ADD", "Value": {"NS": ["1"]}}},
        {"d": {"Action": "ADD", "Value": {"N": "1"}}},
    ],
)
def test_attribute_update_type_mismatch(updates: dict[str, Any]) -> None:
    item = {"b": {"SS": ["1"]}, "c": {"N": "1"}, "d": {"NS": ["1"]}}
    assert err(lambda: legacy.attribute_updates(updates).apply(item)) == "Type mismatch for attribute to update"


def test_attribute_update_errors() -> None:
    assert err(lambda: legacy.attribute_updates({"a": {"x": "whatever"}})) == (
        "One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified"
    )
    for value in ({"S": "1"}, {"N": "1"}, {"B": "Yg=="}, {"NULL": True}, {"BOOL": True}, {"M": {}}, {"L": []}):
        t = next(iter(value))
        assert err(lambda v=value: legacy.attribute_updates({"a": {"Action": "DELETE", "Value": v}})) == (
            f"One or more parameter values were invalid: DELETE action with value is not supported for the type {t}"
        )
    for value in ({"S": "1"}, {"B": "Yg=="}, {"NULL": True}, {"BOOL": True}, {"M": {}}):
        t = next(iter(value))
        assert err(lambda v=value: legacy.attribute_updates({"a": {"Action": "ADD", "Value": v}})) == (
            f"One or more parameter values were invalid: ADD action is not supported for the type {t}"
        )


# ---------------------------------------------------------------- AttributesToGet
def test_attributes_to_get() -> None:
    proj = legacy.attributes_to_get(["b", "d", "a.b"])
    item = {"a": {"M": {"b": {"S": "x"}}}, "a.b": {"S": "flat"}, "b": {"S": "b1"}, "c": {"S": "c1"}}
    assert proj.apply(item) == {"b": {"S": "b1"}, "a.b": {"S": "flat"}}
    assert proj.top_names == {"b", "d", "a.b"}
    assert err(lambda: legacy.attributes_to_get(["a", "a"])) == (
        "One or more parameter values were invalid: Duplicate value in attribute name: a"
    )
