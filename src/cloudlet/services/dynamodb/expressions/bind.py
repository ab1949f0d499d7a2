"""A request's ExpressionAttributeNames/Values, and the compilation of its expressions.

`Expressions` checks the two maps up front, then compiles each expression: the cached parse,
then the request-specific steps in DynamoDB's order: substitute names and values (left to
right; the first undefined one is reported), then the semantic checks, then compile.
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeNames.html
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeValues.html
"""

from __future__ import annotations

import re
from typing import Any

from cloudlet.protocol.errors import AwsError
from cloudlet.services.dynamodb.engine import errors
from cloudlet.services.dynamodb.engine import values as wire
from cloudlet.services.dynamodb.expressions import keycond, semantics, static
from cloudlet.services.dynamodb.expressions.evaluate import Condition, compile_condition
from cloudlet.services.dynamodb.expressions.keycond import KeyCondition
from cloudlet.services.dynamodb.expressions.nodes import (
    Action,
    Const,
    Elem,
    Node,
    Path,
    ValueRef,
)
from cloudlet.services.dynamodb.expressions.paths import Projection
from cloudlet.services.dynamodb.expressions.update import Op, Update, compile_value

_NAME_KEY = re.compile(r"#[A-Za-z0-9_]+")
_VALUE_KEY = re.compile(r":[A-Za-z0-9_]+")
# Numbers already in canonical form (no need to parse and re-render them).
_CANONICAL_INT = re.compile(r"-?[1-9][0-9]{0,37}|0")


class Expressions:
    """The names and values of one request, and the expressions compiled against them."""

    __slots__ = ("_used_names", "_used_values", "names", "values")

    def __init__(self, names: dict[str, Any] | None, values: dict[str, Any] | None) -> None:
        self.names: dict[str, str] = _check_names(names) if names is not None else {}
        self.values: dict[str, dict[str, Any]] = check_values(values) if values is not None else {}
        self._used_names: set[str] = set()
        self._used_values: set[str] = set()

    # ------------------------------------------------------------ compile
    def condition(self, text: str, kind: str = "ConditionExpression") -> Condition:
        """ConditionExpression or FilterExpression (`kind` names it in error messages)."""
        root = self._condition_tree(text, kind)
        return Condition(compile_condition(root), root)

    def projection(self, text: str) -> Projection:
        kind = static.PROJECTION
        parsed = static.parse(kind, text)
        paths = [self._path(kind, p).elems for p in parsed.paths]
        semantics.check_paths(kind, paths)
        return Projection(paths)

    def update(self, text: str) -> Update:
        kind = static.UPDATE
        parsed = static.parse(kind, text)
        actions = [
            Action(a.clause, self._path(kind, a.path), self._bind(kind, a.value) if a.value is not None else None)
            for a in parsed.actions
        ]
        semantics.check_update(kind, actions)
        ops = []
        for a in actions:
            if a.clause == "SET":
                assert a.value is not None
                ops.append(Op("SET", a.path.elems, compile_value(a.value), None))
            else:
                operand = a.value.value if isinstance(a.value, Const) else None
                ops.append(Op(a.clause, a.path.elems, None, operand))
        return Update(ops)

    def key_condition(self, text: str, hash_name: str, range_name: str | None) -> KeyCondition:
        root = self._condition_tree(text, static.KEY_CONDITION)
        return keycond.extract(root, hash_name, range_name)

    def check_unused(self) -> None:
        """Call once every expression of the request is compiled."""
        unused = [k for k in self.names if k not in self._used_names]
        if unused:
            raise errors.validation(
                f"Value provided in ExpressionAttributeNames unused in expressions: keys: {{{', '.join(unused)}}}"
            )
        unused = [k for k in self.values if k not in self._used_values]
        if unused:
            raise errors.validation(
                f"Value provided in ExpressionAttributeValues unused in expressions: keys: {{{', '.join(unused)}}}"
            )

    # ------------------------------------------------------------ binding
    def _condition_tree(self, text: str, kind: str) -> Node:
        parsed = static.parse(kind, text)
        assert parsed.condition is not None
        root = self._bind(kind, parsed.condition)
        semantics.check_condition(kind, root)
        return root

    def _path(self, kind: str, path: Path) -> Path:
        elems: list[Elem] = []
        for e in path.elems:
            if isinstance(e, str) and e[0] == "#":
                name = self.names.get(e)
                if name is None:
                    raise semantics.invalid(
                        kind,
                        f"An expression attribute name used in the document path is not defined; attribute name: {e}",
                    )
                self._used_names.add(e)
                elems.append(name)
            else:
                elems.append(e)
        return Path(tuple(elems))

    def _bind(self, kind: str, node: Node) -> Node:
        """`node` with names and values substituted, reporting the first undefined one."""
        if isinstance(node, Path):
            return self._path(kind, node)
        if isinstance(node, ValueRef):
            name = node.name
            av = self.values.get(name)
            if av is None:
                raise semantics.invalid(
                    kind,
                    f"An expression attribute value used in expression is not defined; attribute value: {name}",
                )
            self._used_values.add(name)
            return Const(av)
        return node.map(lambda child: self._bind(kind, child))


def _check_names(names: dict[str, Any]) -> dict[str, str]:
    if not names:
        raise errors.validation("ExpressionAttributeNames must not be empty")
    for key in names:
        if not _NAME_KEY.fullmatch(key):
            raise errors.validation(f'ExpressionAttributeNames contains invalid key: Syntax error; key: "{key}"')
    for key, name in names.items():
        if not isinstance(name, str):
            raise errors.serialization("STRING_VALUE can not be converted to String")
        if not name:
            raise errors.validation(
                f"ExpressionAttributeNames contains invalid value: Empty attribute name for key {key}"
            )
    return names


def check_values(vals: dict[str, Any]) -> dict[str, dict[str, Any]]:
    if not vals:
        raise errors.validation("ExpressionAttributeValues must not be empty")
    for key in vals:
        if not _VALUE_KEY.fullmatch(key):
            raise errors.validation(f'ExpressionAttributeValues contains invalid key: Syntax error; key: "{key}"')
    for key, av in vals.items():
        if _plainly_valid(av):
            continue
        try:
            wire.validate_value(av)
        except AwsError as e:
            if e.code != "ValidationException":
                raise
            raise errors.validation(
                f"ExpressionAttributeValues contains invalid value: {e.message} for key {key}"
            ) from None
    return vals


def _plainly_valid(av: Any) -> bool:
    """A quick yes for the commonest values (string, canonical integer, boolean)."""
    if type(av) is dict and len(av) == 1:
        for t, v in av.items():
            if t == "S":
                return type(v) is str
            if t == "N":
                return type(v) is str and _CANONICAL_INT.fullmatch(v) is not None
            if t == "BOOL":
                return type(v) is bool
    return False
