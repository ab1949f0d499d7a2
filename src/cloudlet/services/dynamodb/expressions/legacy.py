"""The legacy (pre-expression) parameters, turned into the same compiled objects.

Expected, QueryFilter/ScanFilter, KeyConditions, AttributeUpdates and AttributesToGet:
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LegacyConditionalParameters.html
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Condition.html
Error texts are DynamoDB's (`One or more parameter values were invalid: ...`).
"""

from __future__ import annotations

from typing import Any

from cloudlet.services.dynamodb.engine import errors, values
from cloudlet.services.dynamodb.expressions import keycond
from cloudlet.services.dynamodb.expressions.evaluate import Condition, compile_condition
from cloudlet.services.dynamodb.expressions.keycond import KeyCondition
from cloudlet.services.dynamodb.expressions.nodes import (
    And,
    Between,
    Call,
    Compare,
    Const,
    In,
    Node,
    Not,
    Or,
    Path,
)
from cloudlet.services.dynamodb.expressions.paths import Projection
from cloudlet.services.dynamodb.expressions.update import Op, Update

AV = dict[str, Any]

_NON_EXPRESSION = (
    "AttributesToGet", "QueryFilter", "ScanFilter", "AttributeUpdates", "Expected",
    "ConditionalOperator", "KeyConditions",
)  # fmt: skip
_EXPRESSION = (
    "ProjectionExpression", "UpdateExpression", "FilterExpression", "ConditionExpression",
    "KeyConditionExpression",
)  # fmt: skip
# Expressions that can use ExpressionAttributeValues, per operation, as DynamoDB lists them.
_VALUE_EXPRESSIONS = {
    "Query": ("FilterExpression", "KeyConditionExpression"),
    "Scan": ("FilterExpression",),
    "UpdateItem": ("UpdateExpression", "ConditionExpression"),
    "PutItem": ("ConditionExpression",),
    "DeleteItem": ("ConditionExpression",),
}
_COMPARE = {"EQ": "=", "NE": "<>", "LT": "<", "LE": "<=", "GT": ">", "GE": ">="}
_ARGS = {"NULL": (0, 0), "NOT_NULL": (0, 0), "BETWEEN": (2, 2), "IN": (1, None)}
_SCALARS = frozenset(("S", "N", "B"))
_TYPES: dict[str, frozenset[str]] = {
    **{op: _SCALARS for op in ("LT", "LE", "GT", "GE", "IN", "BETWEEN")},
    "BEGINS_WITH": frozenset(("S", "B")),
    "CONTAINS": frozenset(("S", "N", "B", "BOOL", "NULL")),
    "NOT_CONTAINS": frozenset(("S", "N", "B", "BOOL", "NULL")),
}
_INDEXABLE = frozenset(("EQ", "LE", "LT", "GE", "GT", "BEGINS_WITH", "BETWEEN"))


def _invalid(detail: str) -> errors.AwsError:
    return errors.invalid_params(detail)


# ---------------------------------------------------------------- request-level rules
def check_mixing(request: dict[str, Any]) -> None:
    """Expression and non-expression parameters cannot be combined."""
    legacy = [p for p in _NON_EXPRESSION if request.get(p) is not None]
    modern = [p for p in _EXPRESSION if request.get(p) is not None]
    if legacy and modern:
        raise errors.validation(
            "Can not use both expression and non-expression parameters in the same request: "
            f"Non-expression parameters: {{{', '.join(legacy)}}} "
            f"Expression parameters: {{{', '.join(modern)}}}"
        )


def _operation(request: dict[str, Any]) -> str | None:
    if any(k in request for k in ("KeyConditions", "QueryFilter", "KeyConditionExpression")):
        return "Query"
    if "Item" in request:
        return "PutItem"
    if "AttributeUpdates" in request or "UpdateExpression" in request:
        return "UpdateItem"
    return None if "Key" in request else "Scan"


def check_expression_params(request: dict[str, Any], operation: str | None = None) -> None:
    """ExpressionAttributeNames/Values need an expression that can use them.

    The values message names the operation's expressions (`...: FilterExpression is null`);
    pass `operation` (e.g. "DeleteItem") where the request alone does not tell.
    """
    if request.get("ExpressionAttributeNames") is not None and not any(request.get(p) is not None for p in _EXPRESSION):
        raise errors.validation("ExpressionAttributeNames can only be specified when using expressions")
    if request.get("ExpressionAttributeValues") is not None and not any(
        request.get(p) is not None for p in _EXPRESSION[1:]
    ):
        message = "ExpressionAttributeValues can only be specified when using expressions"
        names = _VALUE_EXPRESSIONS.get(operation or _operation(request) or "")
        if names:
            message += f": {' and '.join(names)} {'is' if len(names) == 1 else 'are'} null"
        raise errors.validation(message)


# ---------------------------------------------------------------- conditions
def _check_args(op: str, args: list[AV]) -> None:
    lo, hi = _ARGS.get(op, (1, 1))
    if len(args) < lo or (hi is not None and len(args) > hi):
        raise _invalid(f"Invalid number of argument(s) for the {op} ComparisonOperator")
    allowed = _TYPES.get(op)
    if allowed is not None:
        for av in args:
            t = next(iter(av))
            if t not in allowed:
                raise _invalid(f"ComparisonOperator {op} is not valid for {t} AttributeValue type")
    if op in ("IN", "BETWEEN") and len({next(iter(av)) for av in args}) > 1:
        raise _invalid("AttributeValues inside AttributeValueList must be of same type")
    if op == "BETWEEN" and values.sort_value(args[0]) > values.sort_value(args[1]):
        raise errors.validation(
            "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"
        )


def _filter_condition(cond: dict[str, Any]) -> tuple[str, list[AV]]:
    op = cond.get("ComparisonOperator")
    args = list(cond.get("AttributeValueList") or [])
    for av in args:
        values.validate_value(av)
    _check_args(op or "", args)
    return op or "", args


def _expected_condition(name: str, cond: dict[str, Any]) -> tuple[str, list[AV]]:
    value = cond.get("Value")
    has_list = cond.get("AttributeValueList") is not None
    op = cond.get("ComparisonOperator")
    if value is not None and has_list:
        raise _invalid(f"Value and AttributeValueList cannot be used together for Attribute: {name}")
    if op is not None:
        if cond.get("Exists") is not None:
            raise _invalid(f"Exists and ComparisonOperator cannot be used together for Attribute: {name}")
        if value is None and not has_list and op not in ("NULL", "NOT_NULL"):
            raise _invalid(
                f"Value or AttributeValueList must be used with ComparisonOperator: {op} for Attribute: {name}"
            )
        args = list(cond["AttributeValueList"]) if has_list else [value] if value is not None else []
        for av in args:
            values.validate_value(av)
        _check_args(op, args)
        return op, args
    if has_list:
        raise _invalid(f"AttributeValueList can only be used with a ComparisonOperator for Attribute: {name}")
    exists = cond.get("Exists")
    if exists is None or exists is True:
        if value is None:
            word = "null" if exists is None else "true"
            raise _invalid(f"Value must be provided when Exists is {word} for Attribute: {name}")
        values.validate_value(value)
        return "EQ", [value]
    if value is not None:
        raise _invalid(f"Value cannot be used when Exists is false for Attribute: {name}")
    return "NULL", []


def _node(name: str, op: str, args: list[AV]) -> Node:
    path = Path((name,))
    consts = [Const(av) for av in args]
    if op in _COMPARE:
        return Compare(_COMPARE[op], path, consts[0])
    if op == "NULL":
        return Call("attribute_not_exists", (path,))
    if op == "NOT_NULL":
        return Call("attribute_exists", (path,))
    if op == "CONTAINS":
        return Call("contains", (path, consts[0]))
    if op == "NOT_CONTAINS":
        return And(Call("attribute_exists", (path,)), Not(Call("contains", (path, consts[0]))))
    if op == "BEGINS_WITH":
        return Call("begins_with", (path, consts[0]))
    if op == "IN":
        return In(path, tuple(consts))
    return Between(path, consts[0], consts[1])


def _combine(nodes: list[Node], conditional_operator: str | None) -> Condition:
    if not nodes:
        return Condition(lambda item: True)
    root = nodes[0]
    for node in nodes[1:]:
        root = Or(root, node) if conditional_operator == "OR" else And(root, node)
    return Condition(compile_condition(root), root)


def expected(expected: dict[str, Any], conditional_operator: str | None) -> Condition:
    """The `Expected` map of PutItem, UpdateItem and DeleteItem."""
    nodes = [_node(name, *_expected_condition(name, cond)) for name, cond in expected.items()]
    return _combine(nodes, conditional_operator)


def conditions(conds: dict[str, Any], conditional_operator: str | None, param: str) -> Condition:
    """A QueryFilter or ScanFilter map (`param` is its name)."""
    nodes = [_node(name, *_filter_condition(cond)) for name, cond in conds.items()]
    return _combine(nodes, conditional_operator)


def key_conditions(conds: dict[str, Any], hash_name: str, range_name: str | None) -> KeyCondition:
    """A Query's KeyConditions map."""
    parsed = [(op, name, tuple(args)) for name, c in conds.items() for op, args in [_filter_condition(c)]]
    if len(parsed) not in (1, 2):
        raise errors.validation("Conditions can be of length 1 or 2 only")
    names = [name for _, name, _ in parsed]
    if hash_name not in names:
        raise errors.validation(f"Query condition missed key schema element {hash_name}")
    others = [name for name in names if name != hash_name]
    if others and range_name is not None and others[0] != range_name:
        raise errors.validation(f"Query condition missed key schema element {range_name}")
    if any(op not in _INDEXABLE for op, _, _ in parsed):
        raise errors.validation("Attempted conditional constraint is not an indexable operation")
    return keycond.build(parsed, hash_name, range_name, "Query condition missed key schema element ")


# ---------------------------------------------------------------- updates and projections
def attribute_updates(updates: dict[str, Any]) -> Update:
    """UpdateItem's AttributeUpdates (PUT, ADD, DELETE of top-level attributes)."""
    ops: list[Op] = []
    for name, upd in updates.items():
        action = upd.get("Action") or "PUT"
        value = upd.get("Value")
        if value is None:
            if action != "DELETE":
                raise _invalid("Only DELETE action is allowed when no attribute value is specified")
            ops.append(Op("REMOVE", (name,), None, None))
            continue
        values.validate_value(value)
        t = next(iter(value))
        if action == "DELETE" and t not in values.SET_TYPES:
            raise _invalid(f"DELETE action with value is not supported for the type {t}")
        if action == "ADD" and t not in ("N", "L", *values.SET_TYPES):
            raise _invalid(f"ADD action is not supported for the type {t}")
        if action == "PUT":
            ops.append(Op("SET", (name,), lambda item, v=value: v, None))
        else:
            ops.append(Op(action, (name,), None, value))
    return Update(ops, legacy=True)


def attributes_to_get(names: list[str]) -> Projection:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise _invalid(f"Duplicate value in attribute name: {name}")
        seen.add(name)
    return Projection([(name,) for name in names])
