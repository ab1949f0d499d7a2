"""The expression syntax tree, shared by all five expression kinds.

A parsed tree is cached and shared between requests, so nodes are immutable. Binding a tree to a
request's ExpressionAttributeNames/Values produces a second tree of the same node classes in
which every `Path` element is a real name (str) or list index (int) and every `ValueRef` has
become a `Const` holding the attribute value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# A path element: an attribute/map-key name, a `#placeholder` (unbound trees only) or an index.
Elem = str | int


@dataclass(frozen=True, slots=True, eq=False)
class Path:
    elems: tuple[Elem, ...]


@dataclass(frozen=True, slots=True, eq=False)
class ValueRef:
    name: str


@dataclass(frozen=True, slots=True, eq=False)
class Const:
    value: dict[str, Any]


@dataclass(frozen=True, slots=True, eq=False)
class Call:
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True, eq=False)
class Arith:
    op: str  # "+" or "-"
    left: Node
    right: Node


@dataclass(frozen=True, slots=True, eq=False)
class Compare:
    op: str  # = <> < <= > >=
    left: Node
    right: Node


@dataclass(frozen=True, slots=True, eq=False)
class Between:
    subject: Node
    low: Node
    high: Node


@dataclass(frozen=True, slots=True, eq=False)
class In:
    subject: Node
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True, eq=False)
class And:
    left: Node
    right: Node


@dataclass(frozen=True, slots=True, eq=False)
class Or:
    left: Node
    right: Node


@dataclass(frozen=True, slots=True, eq=False)
class Not:
    operand: Node


@dataclass(frozen=True, slots=True, eq=False)
class Action:
    """One update action: `clause` is SET, REMOVE, ADD or DELETE; REMOVE has no value."""

    clause: str
    path: Path
    value: Node | None


Node = Path | ValueRef | Const | Call | Arith | Compare | Between | In | And | Or | Not

OPERANDS = (Path, ValueRef, Const, Call, Arith)
BOOLEAN_FUNCTIONS = frozenset(
    ("attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains")
)
CONDITION_FUNCTIONS = BOOLEAN_FUNCTIONS | {"size"}
UPDATE_FUNCTIONS = frozenset(("if_not_exists", "list_append"))


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-nodes of `node`, in source order."""
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Compare | Arith | And | Or):
        return (node.left, node.right)
    if isinstance(node, Between):
        return (node.subject, node.low, node.high)
    if isinstance(node, In):
        return (node.subject, *node.items)
    if isinstance(node, Not):
        return (node.operand,)
    return ()


def walk(node: Node) -> list[Node]:
    """All nodes of the tree in source (pre-)order."""
    out: list[Node] = []
    stack = [node]
    while stack:
        n = stack.pop()
        out.append(n)
        stack.extend(reversed(children(n)))
    return out


def format_path(elems: tuple[Elem, ...]) -> str:
    """A path as DynamoDB prints it in messages: `[a, b, [1]]`."""
    return "[" + ", ".join(f"[{e}]" if isinstance(e, int) else e for e in elems) + "]"
