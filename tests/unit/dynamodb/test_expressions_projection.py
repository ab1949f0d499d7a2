"""Projection expressions.

https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ProjectionExpressions.html
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cloudlet.protocol.errors import AwsError
from cloudlet.services.dynamodb.expressions import Expressions

AV = dict[str, Any]

ITEM: dict[str, AV] = {
    "p": {"S": "key"},
    "a": {"M": {"b": {"L": [{"N": "2"}, {"N": "4"}, {"M": {"x": {"S": "hi"}, "y": {"S": "yo"}}}]}, "c": {"N": "5"}}},
    "b": {"S": "hello"},
    "a.b": {"S": "dotted"},
}


def err(fn: Callable[[], Any]) -> str:
    with pytest.raises(AwsError) as info:
        fn()
    return info.value.message


def project(text: str, names: dict[str, str] | None = None) -> dict[str, AV]:
    ex = Expressions(names, None)
    proj = ex.projection(text)
    ex.check_unused()
    return proj.apply(ITEM)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("b", {"b": {"S": "hello"}}),
        (" a  ,   b  ", {"a": ITEM["a"], "b": ITEM["b"]}),
        ("nonexistent", {}),
        ("a.b", {"a": {"M": {"b": ITEM["a"]["M"]["b"]}}}),
        ("a.b[0]", {"a": {"M": {"b": {"L": [{"N": "2"}]}}}}),
        ("a.b[2].y", {"a": {"M": {"b": {"L": [{"M": {"y": {"S": "yo"}}}]}}}}),
        # Elements of one list come back in index order, without gaps.
        ("a.b[2], a.b[0]", {"a": {"M": {"b": {"L": [{"N": "2"}, ITEM["a"]["M"]["b"]["L"][2]]}}}}),
        ("a.b[0],a.c", {"a": {"M": {"b": {"L": [{"N": "2"}]}, "c": {"N": "5"}}}}),
        ("a.c,b", {"a": {"M": {"c": {"N": "5"}}}, "b": {"S": "hello"}}),
        # Paths that are missing or go through the wrong type contribute nothing.
        ("a.b[3]", {}),
        ("a.x", {}),
        ("a.x.y", {}),
        ("a.b[3].x", {}),
        ("a.b.x", {}),
        ("a[0]", {}),
        ("a.b[0].x", {}),
        ("a.b[0][0]", {}),
        ("a.x, a.b[0], x, a.b[3].x", {"a": {"M": {"b": {"L": [{"N": "2"}]}}}}),
    ],
)
def test_projection(text: str, expected: dict[str, AV]) -> None:
    # Cases from ScyllaDB's test_projection_expression.py, which were verified against DynamoDB.
    assert project(text) == expected


def test_placeholders() -> None:
    assert project("#n1.#n2", {"#n1": "a", "#n2": "c"}) == {"a": {"M": {"c": {"N": "5"}}}}
    # A placeholder is one element even when its name has a dot.
    assert project("#n", {"#n": "a.b"}) == {"a.b": {"S": "dotted"}}


def test_top_names_and_paths() -> None:
    proj = Expressions(None, None).projection("a.b[1], b")
    assert proj.top_names == {"a", "b"}
    assert proj.paths == (("a", "b", 1), ("b",))


def test_apply_does_not_modify_the_item() -> None:
    before = repr(ITEM)
    project("a.b[2].y, b")
    assert repr(ITEM) == before


@pytest.mark.parametrize(
    ("text", "one", "two"),
    [
        ("a, a", "[a]", "[a]"),
        ("a.b, a.b", "[a, b]", "[a, b]"),
        ("a[1], a[1]", "[a, [1]]", "[a, [1]]"),
        ("a, a.b", "[a]", "[a, b]"),
        ("a.b, a", "[a, b]", "[a]"),
        ("a.b, a.b[2]", "[a, b]", "[a, b, [2]]"),
        ("a, a.b[2].c", "[a]", "[a, b, [2], c]"),
        ("a.b.d.e, a.b", "[a, b, d, e]", "[a, b]"),
    ],
)
def test_overlapping_paths(text: str, one: str, two: str) -> None:
    assert err(lambda: project(text)) == (
        "Invalid ProjectionExpression: Two document paths overlap with each other; must remove "
        f"or rewrite one of these paths; path one: {one}, path two: {two}"
    )


def test_conflicting_paths() -> None:
    assert err(lambda: project("a.b, a[1]")) == (
        "Invalid ProjectionExpression: Two document paths conflict with each other; must remove "
        "or rewrite one of these paths; path one: [a, b], path two: [a, [1]]"
    )


@pytest.mark.parametrize("text", ["a, b", "a.b, a.c", "a.b.d, a.b.e", "a[1], a[2]", "a.b, a.c[2]"])
def test_siblings_do_not_overlap(text: str) -> None:
    Expressions(None, None).projection(text)


def test_errors() -> None:
    assert err(lambda: project("#name", {"#wrong": "a"})) == (
        "Invalid ProjectionExpression: An expression attribute name used in the document path is "
        "not defined; attribute name: #name"
    )
    assert err(lambda: project("#name", {"#name": "a", "#unused": "b"})) == (
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}"
    )
    assert err(lambda: project("")) == "Invalid ProjectionExpression: The expression can not be empty;"
    assert err(lambda: project("a, name")) == (
        "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: name"
    )
