"""Everything that depends on an expression's text alone: parsing and the text-only checks.

The result (tree or error message) is cached by (kind, text), so a request pays only for
binding its names and values. DynamoDB reports text-level problems in this order: empty,
size, syntax (and redundant parentheses, found while parsing), function names, function use,
reserved words, operator count, repeated update sections.
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-expression-parameters
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import lru_cache

from cloudlet.services.dynamodb.engine import errors
from cloudlet.services.dynamodb.expressions.nodes import (
    BOOLEAN_FUNCTIONS,
    CONDITION_FUNCTIONS,
    UPDATE_FUNCTIONS,
    Action,
    And,
    Arith,
    Between,
    Call,
    Compare,
    In,
    Node,
    Not,
    Or,
    Path,
    children,
    walk,
)
from cloudlet.services.dynamodb.expressions.parser import (
    CONDITION_KEYWORDS,
    UPDATE_KEYWORDS,
    ParseError,
    Parser,
)
from cloudlet.services.dynamodb.expressions.reserved import is_reserved

PROJECTION = "ProjectionExpression"
UPDATE = "UpdateExpression"
KEY_CONDITION = "KeyConditionExpression"
CONDITION_KINDS = frozenset(("ConditionExpression", "FilterExpression", KEY_CONDITION))
MAX_EXPRESSION_BYTES = 4096
MAX_OPERATORS = 300
_OPERATORS = (Compare, Between, In, And, Or, Not, Call, Arith)

# The parser recurses once per nesting level (about 4 frames per parenthesis); the 4 KB limit
# bounds that to ~16k frames. Python 3.11 runs Python-to-Python calls without using the C
# stack, so a higher limit is safe; it is only ever raised, never lowered.
_RECURSION = 25_000
if sys.getrecursionlimit() < _RECURSION:
    sys.setrecursionlimit(_RECURSION)


@dataclass(frozen=True, slots=True)
class Parsed:
    kind: str
    condition: Node | None = None
    paths: tuple[Path, ...] = ()
    actions: tuple[Action, ...] = ()


def parse(kind: str, text: str) -> Parsed:
    """The checked tree of `text`; raises DynamoDB's ValidationException if it is invalid."""
    result = _analyze(kind, text)
    if isinstance(result, str):
        raise errors.validation(result)
    return result


@lru_cache(maxsize=4096)
def _analyze(kind: str, text: str) -> Parsed | str:
    try:
        return _build(kind, text)
    except ParseError as e:
        return f"Invalid {kind}: {e.message}"


def _build(kind: str, text: str) -> Parsed:
    if not text.strip():
        raise ParseError("The expression can not be empty;")
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_EXPRESSION_BYTES:
        raise ParseError(f"Expression size has exceeded the maximum allowed size; expression size: {size}")
    if kind == PROJECTION:
        paths = Parser(text, frozenset()).projection()
        _check_reserved(list(paths))
        return Parsed(kind, paths=paths)
    if kind == UPDATE:
        parser = Parser(text, UPDATE_KEYWORDS)
        actions = parser.update()
        nodes: list[Node] = []
        for action in actions:
            nodes.append(action.path)
            if action.value is not None:
                nodes.extend(walk(action.value))
        _check_function_names(nodes, UPDATE_FUNCTIONS, "an update")
        _check_update_function_use(nodes)
        _check_reserved(nodes)
        _check_operator_count(nodes)
        _check_sections(parser.sections)
        return Parsed(kind, actions=actions)
    root = Parser(text, CONDITION_KEYWORDS).condition()
    nodes = walk(root)
    _check_function_names(nodes, CONDITION_FUNCTIONS, "a condition")
    _check_condition_function_use(root, True)
    _check_reserved(nodes)
    _check_operator_count(nodes)
    return Parsed(kind, condition=root)


def _check_function_names(nodes: list[Node], allowed: frozenset[str], where: str) -> None:
    for node in nodes:
        if isinstance(node, Call) and node.name not in allowed:
            if node.name in CONDITION_FUNCTIONS or node.name in UPDATE_FUNCTIONS:
                raise ParseError(f"The function is not allowed in {where} expression; function: {node.name}")
            raise ParseError(f"Invalid function name; function: {node.name}")


def _misuse(name: str) -> ParseError:
    return ParseError(f"The function is not allowed to be used this way in an expression; function: {name}")


def _check_condition_function_use(node: Node, boolean: bool) -> None:
    """Boolean functions only as conditions; `size` only as an operand."""
    if isinstance(node, Call):
        if (node.name in BOOLEAN_FUNCTIONS) != boolean:
            raise _misuse(node.name)
        for arg in node.args:
            _check_condition_function_use(arg, False)
        return
    as_condition = isinstance(node, And | Or | Not)
    for child in children(node):
        _check_condition_function_use(child, as_condition)


def _check_update_function_use(nodes: list[Node]) -> None:
    # DynamoDB accepts list_append(if_not_exists(a, :v), :w) but not list_append nested in a
    # function call.
    for node in nodes:
        if isinstance(node, Call):
            for arg in node.args:
                if isinstance(arg, Call) and arg.name == "list_append":
                    raise _misuse("list_append")


def _check_reserved(nodes: list[Node]) -> None:
    for node in nodes:
        if isinstance(node, Path):
            for e in node.elems:
                if isinstance(e, str) and e[0] != "#" and is_reserved(e):
                    raise ParseError(f"Attribute name is a reserved keyword; reserved keyword: {e}")


def _check_operator_count(nodes: list[Node]) -> None:
    count = sum(1 for n in nodes if isinstance(n, _OPERATORS))
    if count > MAX_OPERATORS:
        raise ParseError(f"The expression contains too many operators; operator count: {count}")


def _check_sections(sections: list[str]) -> None:
    seen: set[str] = set()
    for clause in sections:
        if clause in seen:
            raise ParseError(f'The "{clause}" section can only be used once in an update expression;')
        seen.add(clause)
