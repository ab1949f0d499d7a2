"""Checks that need the request's values: operand counts and types, distinct operands,
BETWEEN bounds, document-path overlaps. They run on bound trees, after every name and value
of the expression was found, in DynamoDB's order (children before their parent, left to right).

Error texts: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html
(the texts themselves are DynamoDB's, as returned by the service).
"""

from __future__ import annotations

from collections.abc import Sequence

from cloudlet.protocol.errors import AwsError
from cloudlet.services.dynamodb.engine import errors, values
from cloudlet.services.dynamodb.expressions.nodes import (
    Action,
    Arith,
    Between,
    Call,
    Compare,
    Const,
    Elem,
    In,
    Node,
    Path,
    children,
    format_path,
)

ATTRIBUTE_TYPES = ("N", "BS", "L", "B", "NULL", "M", "S", "SS", "NS", "BOOL")
# What DynamoDB prints as the "type" of a document path where a literal is required.
_PATH_TYPES = "{S,SS,N,NS,B,BS,BOOL,NULL,L,M,HD,DOUBLE,FLOAT,HDS,FS,DOUBLESET,DICT,DECIMAL,INT,DECIMALSET,INTSET}"
_ARITY = {
    "attribute_exists": 1,
    "attribute_not_exists": 1,
    "attribute_type": 2,
    "begins_with": 2,
    "contains": 2,
    "size": 1,
    "if_not_exists": 2,
    "list_append": 2,
}
_NEEDS_PATH = frozenset(("attribute_exists", "attribute_not_exists", "attribute_type", "if_not_exists"))
_DISTINCT = frozenset(("attribute_type", "begins_with", "contains"))
# ADD/DELETE operand type names as DynamoDB prints them.
TYPE_WORDS = {
    "S": "STRING",
    "N": "NUMBER",
    "B": "BINARY",
    "BOOL": "BOOLEAN",
    "NULL": "NULL",
    "M": "MAP",
    "L": "LIST",
    "SS": "STRING_SET",
    "NS": "NUMBER_SET",
    "BS": "BINARY_SET",
}
MAX_IN_OPERANDS = 100


def invalid(kind: str, message: str) -> AwsError:
    return errors.validation(f"Invalid {kind}: {message}")


def type_of(av: dict[str, object]) -> str:
    return next(iter(av))


def static_type(node: Node) -> str | None:
    """The type an operand is known to have before any item is read (None: depends on the item)."""
    if isinstance(node, Const):
        return type_of(node.value)
    if isinstance(node, Arith):
        return "N"
    if isinstance(node, Call):
        return {"size": "N", "list_append": "L"}.get(node.name)
    return None


def _operand_type_error(kind: str, name: str, type_name: str) -> AwsError:
    return invalid(
        kind,
        f"Incorrect operand type for operator or function; operator or function: {name}, operand type: {type_name}",
    )


def _distinct(kind: str, op: str, first: Node, rest: Sequence[Node]) -> None:
    if not isinstance(first, Path):
        return
    for other in rest:
        if isinstance(other, Path) and other.elems == first.elems:
            raise invalid(
                kind,
                "The first operand must be distinct from the remaining operands for this "
                f"operator or function; operator: {op}, first operand: {format_path(first.elems)}",
            )


def describe(av: dict[str, object]) -> str:
    """An attribute value as DynamoDB's messages print it: `AttributeValue: {S:a}`."""
    t = type_of(av)
    return f"AttributeValue: {{{t}:{av[t]}}}"


def _between_bounds(kind: str, low: Node, high: Node) -> None:
    if not (isinstance(low, Const) and isinstance(high, Const)):
        return
    lt, ht = type_of(low.value), type_of(high.value)
    bounds = f"lower bound operand: {describe(low.value)}, upper bound operand: {describe(high.value)}"
    if lt != ht:
        raise invalid(
            kind,
            f"The BETWEEN operator requires same data type for lower and upper bounds; {bounds}",
        )
    if lt in ("S", "N", "B") and values.sort_value(low.value) > values.sort_value(high.value):
        raise invalid(
            kind,
            f"The BETWEEN operator requires upper bound to be greater than or equal to lower bound; {bounds}",
        )


def _check_call(kind: str, node: Call) -> None:
    name, args = node.name, node.args
    if len(args) != _ARITY[name]:
        raise invalid(
            kind,
            "Incorrect number of operands for operator or function; "
            f"operator or function: {name}, number of operands: {len(args)}",
        )
    if name in _NEEDS_PATH and not isinstance(args[0], Path):
        raise invalid(kind, f"Operator or function requires a document path; operator or function: {name}")
    if name in _DISTINCT:
        _distinct(kind, name, args[0], args[1:])
    if name == "begins_with":
        for arg in args:
            t = static_type(arg)
            if t is not None and t not in ("S", "B"):
                raise _operand_type_error(kind, name, t)
    elif name == "attribute_type":
        wanted = args[1]
        t = static_type(wanted)
        if t != "S":
            raise _operand_type_error(kind, name, t or _PATH_TYPES)
        assert isinstance(wanted, Const)
        type_name = wanted.value["S"]
        if type_name not in ATTRIBUTE_TYPES:
            raise invalid(
                kind,
                f"Invalid attribute type name found; type: {type_name}, valid types: {{{','.join(ATTRIBUTE_TYPES)}}}",
            )
    elif name == "size":
        t = static_type(args[0])
        if t in ("N", "BOOL", "NULL"):
            raise _operand_type_error(kind, name, t)
    elif name == "list_append":
        for arg in args:
            t = static_type(arg)
            if t is not None and t != "L":
                raise _operand_type_error(kind, name, t)


def check_condition(kind: str, node: Node) -> None:
    """Operand checks of a bound condition tree (post-order, left to right)."""
    t = type(node)
    if t is Path or t is Const:
        return
    for child in node.kids():
        check_condition(kind, child)
    if isinstance(node, Call):
        _check_call(kind, node)
    elif isinstance(node, Compare):
        _distinct(kind, node.op, node.left, (node.right,))
    elif isinstance(node, Between):
        _distinct(kind, "BETWEEN", node.subject, (node.low, node.high))
        _between_bounds(kind, node.low, node.high)
    elif isinstance(node, In):
        if len(node.items) > MAX_IN_OPERANDS:
            raise invalid(
                kind,
                f"The IN operator is provided with too many operands; number of operands: {len(node.items)}",
            )
        _distinct(kind, "IN", node.subject, node.items)


def _check_value(kind: str, node: Node) -> None:
    for child in children(node):
        _check_value(kind, child)
    if isinstance(node, Call):
        _check_call(kind, node)
    elif isinstance(node, Arith):
        for side in (node.left, node.right):
            t = static_type(side)
            if t is not None and t != "N":
                raise _operand_type_error(kind, node.op, t)


def check_paths(kind: str, paths: Sequence[tuple[Elem, ...]]) -> None:
    """Reject two paths where one contains the other (overlap), then two paths that use one
    element both as a map and as a list (conflict)."""
    for j, later in enumerate(paths):
        for earlier in paths[:j]:
            n = min(len(earlier), len(later))
            if earlier[:n] == later[:n]:
                raise invalid(
                    kind,
                    "Two document paths overlap with each other; must remove or rewrite one of "
                    f"these paths; path one: {format_path(earlier)}, path two: {format_path(later)}",
                )
    for j, later in enumerate(paths):
        for earlier in paths[:j]:
            for a, b in zip(earlier, later, strict=False):
                if a != b:
                    if isinstance(a, int) != isinstance(b, int):
                        raise invalid(
                            kind,
                            "Two document paths conflict with each other; must remove or rewrite "
                            f"one of these paths; path one: {format_path(earlier)}, "
                            f"path two: {format_path(later)}",
                        )
                    break


def check_update(kind: str, actions: Sequence[Action]) -> None:
    """Path overlaps, ADD/DELETE operand types, then function and arithmetic operands."""
    check_paths(kind, [a.path.elems for a in actions])
    for action in actions:
        if action.clause in ("ADD", "DELETE"):
            assert isinstance(action.value, Const)
            t = type_of(action.value.value)
            if t not in values.SET_TYPES and (action.clause == "DELETE" or t != "N"):
                raise invalid(
                    kind,
                    "Incorrect operand type for operator or function; "
                    f"operator: {action.clause}, operand type: {TYPE_WORDS[t]}",
                )
    for action in actions:
        if action.clause == "SET":
            assert action.value is not None
            _check_value(kind, action.value)
