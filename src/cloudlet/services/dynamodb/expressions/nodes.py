"""The expression syntax tree, shared by all five expression kinds.

A parsed tree is cached and shared between requests: nodes are never modified once built
(not frozen only because frozen dataclasses are slow to build). Binding a tree to a
request's ExpressionAttributeNames/Values produces a second tree of the same node classes in
which every `Path` element is a real name (str) or list index (int) and every `ValueRef` has
become a `Const` holding the attribute value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Self

# A path element: an attribute/map-key name, a `#placeholder` (unbound trees only) or an index.
Elem = str | int


Mapper = Callable[["Node"], "Node"]


class _Leaf:
    __slots__ = ()

    def kids(self) -> tuple[Node, ...]:
        return ()

    def map(self, f: Mapper) -> Self:
        return self


@dataclass(slots=True, eq=False)
class Path(_Leaf):
    elems: tuple[Elem, ...]


@dataclass(slots=True, eq=False)
class ValueRef(_Leaf):
    name: str


@dataclass(slots=True, eq=False)
class Const(_Leaf):
    value: dict[str, Any]


@dataclass(slots=True, eq=False)
class Call:
    name: str
    args: tuple[Node, ...]

    def kids(self) -> tuple[Node, ...]:
        return self.args

    def map(self, f: Mapper) -> Node:
        return Call(self.name, tuple([f(a) for a in self.args]))


@dataclass(slots=True, eq=False)
class Arith:
    op: str  # "+" or "-"
    left: Node
    right: Node

    def kids(self) -> tuple[Node, ...]:
        return (self.left, self.right)

    def map(self, f: Mapper) -> Node:
        return Arith(self.op, f(self.left), f(self.right))


@dataclass(slots=True, eq=False)
class Compare:
    op: str  # = <> < <= > >=
    left: Node
    right: Node

    def kids(self) -> tuple[Node, ...]:
        return (self.left, self.right)

    def map(self, f: Mapper) -> Node:
        return Compare(self.op, f(self.left), f(self.right))


@dataclass(slots=True, eq=False)
class Between:
    subject: Node
    low: Node
    high: Node

    def kids(self) -> tuple[Node, ...]:
        return (self.subject, self.low, self.high)

    def map(self, f: Mapper) -> Node:
        return Between(f(self.subject), f(self.low), f(self.high))


@dataclass(slots=True, eq=False)
class In:
    subject: Node
    items: tuple[Node, ...]

    def kids(self) -> tuple[Node, ...]:
        return (self.subject, *self.items)

    def map(self, f: Mapper) -> Node:
        subject = f(self.subject)
        return In(subject, tuple([f(i) for i in self.items]))


@dataclass(slots=True, eq=False)
class And:
    left: Node
    right: Node

    def kids(self) -> tuple[Node, ...]:
        return (self.left, self.right)

    def map(self, f: Mapper) -> Node:
        left = f(self.left)
        return And(left, f(self.right))


@dataclass(slots=True, eq=False)
class Or:
    left: Node
    right: Node

    def kids(self) -> tuple[Node, ...]:
        return (self.left, self.right)

    def map(self, f: Mapper) -> Node:
        left = f(self.left)
        return Or(left, f(self.right))


@dataclass(slots=True, eq=False)
class Not:
    operand: Node

    def kids(self) -> tuple[Node, ...]:
        return (self.operand,)

    def map(self, f: Mapper) -> Node:
        return Not(f(self.operand))


@dataclass(slots=True, eq=False)
class Action:
    """One update action: `clause` is SET, REMOVE, ADD or DELETE; REMOVE has no value."""

    clause: str
    path: Path
    value: Node | None


Node = Path | ValueRef | Const | Call | Arith | Compare | Between | In | And | Or | Not

OPERANDS = (Path, ValueRef, Const, Call, Arith)
BOOLEAN_FUNCTIONS = frozenset(("attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains"))
CONDITION_FUNCTIONS = BOOLEAN_FUNCTIONS | {"size"}
UPDATE_FUNCTIONS = frozenset(("if_not_exists", "list_append"))


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-nodes of `node`, in source order."""
    return node.kids()


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
