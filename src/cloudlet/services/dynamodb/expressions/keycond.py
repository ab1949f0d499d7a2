"""Key conditions of a Query: one equality on the partition key, at most one condition on the
sort key (= < <= > >= BETWEEN begins_with), joined by AND.

The structural errors (invalid operator, nested attributes, ...) are DynamoDB's own texts.
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.KeyConditionExpressions.html
"""

from __future__ import annotations

from typing import Any

from cloudlet.protocol.errors import AwsError
from cloudlet.services.dynamodb.engine import errors
from cloudlet.services.dynamodb.expressions.nodes import (
    And,
    Between,
    Call,
    Compare,
    Const,
    Node,
    Path,
)

_RANGE_OPS = {"=": "EQ", "<": "LT", "<=": "LE", ">": "GT", ">=": "GE"}
_FLIP = {"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


class KeyCondition:
    """What a Query reads: `hash_value`, and optionally a range condition on the sort key."""

    __slots__ = ("hash_name", "hash_value", "range_name", "range_op", "range_values")

    def __init__(
        self,
        hash_name: str,
        hash_value: dict[str, Any],
        range_name: str | None = None,
        range_op: str | None = None,
        range_values: tuple[dict[str, Any], ...] = (),
    ) -> None:
        self.hash_name = hash_name
        self.hash_value = hash_value
        self.range_name = range_name if range_op is not None else None
        self.range_op = range_op
        self.range_values = range_values


def not_supported() -> AwsError:
    return errors.validation("Query key condition not supported")


def _leaves(node: Node, out: list[Node]) -> None:
    if isinstance(node, And):
        _leaves(node.left, out)
        _leaves(node.right, out)
        return
    bad: str | None = None
    if isinstance(node, Compare):
        bad = "<>" if node.op == "<>" else None
    elif isinstance(node, Call):
        bad = None if node.name == "begins_with" else node.name
    elif not isinstance(node, Between):
        bad = type(node).__name__.upper()  # OR, NOT, IN
    if bad is not None:
        raise errors.validation(f"Invalid operator used in KeyConditionExpression: {bad}")
    out.append(node)


def _condition(node: Node) -> tuple[str, str, tuple[Node, ...]]:
    """(operator, key name, value operands) of one key condition, after the per-condition checks."""
    if isinstance(node, Compare):
        op, first, rest = node.op, node.left, (node.right,)
        if not isinstance(first, Path) and isinstance(node.right, Path):
            op, first, rest = _FLIP[op], node.right, (node.left,)
        if isinstance(first, Const):
            if any(isinstance(r, Call) for r in rest):
                raise errors.validation("KeyConditionExpressions cannot contain nested operations")
            raise errors.validation("Invalid condition in KeyConditionExpression: No key attribute specified")
    else:
        if isinstance(node, Between):
            op, first, rest = "BETWEEN", node.subject, (node.low, node.high)
        else:
            assert isinstance(node, Call)
            op, first, rest = "begins_with", node.args[0], node.args[1:]
        if not isinstance(first, Path):
            raise errors.validation(
                f"Invalid condition in KeyConditionExpression: {op} operator must have the key "
                "attribute as its first operand"
            )
    if isinstance(first, Call):
        raise errors.validation("KeyConditionExpressions cannot contain nested operations")
    assert isinstance(first, Path)
    if len(first.elems) > 1:
        raise errors.validation("KeyConditionExpressions cannot have conditions on nested attributes")
    for other in rest:
        if isinstance(other, Path):
            raise errors.validation(
                "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"
            )
        if isinstance(other, Call):
            raise errors.validation("KeyConditionExpressions cannot contain nested operations")
    return op, str(first.elems[0]), rest


def extract(root: Node, hash_name: str, range_name: str | None) -> KeyCondition:
    """The KeyCondition of a bound, checked KeyConditionExpression tree."""
    leaves: list[Node] = []
    _leaves(root, leaves)
    conds = [_condition(leaf) for leaf in leaves]
    names = [c[1] for c in conds]
    if len(set(names)) != len(names):
        raise errors.validation("KeyConditionExpressions must only contain one condition per key")
    if len(conds) > 2:
        raise errors.validation("Conditions can be of length 1 or 2 only")
    values = [(op, name, tuple(v.value for v in rest if isinstance(v, Const))) for op, name, rest in conds]
    return build(values, hash_name, range_name)


def build(
    conds: list[tuple[str, str, tuple[dict[str, Any], ...]]],
    hash_name: str,
    range_name: str | None,
    missed_text: str = "Query condition missed key schema element: ",
) -> KeyCondition:
    """Match (operator, attribute, values) conditions to the key schema."""
    by_name = {name: (op, vals) for op, name, vals in conds}
    if hash_name not in by_name:
        raise errors.validation(missed_text + hash_name)
    others = [name for name in by_name if name != hash_name]
    if others:
        if range_name is None:
            raise not_supported()
        if others[0] != range_name:
            raise errors.validation(missed_text + range_name)
    hash_op, hash_values = by_name[hash_name]
    if hash_op not in ("=", "EQ"):
        raise not_supported()
    if not others:
        return KeyCondition(hash_name, hash_values[0])
    op, vals = by_name[others[0]]
    return KeyCondition(hash_name, hash_values[0], range_name, _RANGE_OPS.get(op, op.upper()), vals)
