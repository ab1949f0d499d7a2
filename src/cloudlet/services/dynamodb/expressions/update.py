"""Applying an update (UpdateExpression or legacy AttributeUpdates) to an item.

All SET values are computed from the item as it was before the update (`SET a = :v, b = a`
copies the old `a`), then the actions are applied to a copy: only the containers on the
updated paths are copied, the rest of the new item shares values with the old one. List
indexes refer to the list as it was: `REMOVE a[1] SET a[3] = :v` on [2,3,4,5,6,7] gives
[2,4,:v,6,7]; SET/ADD past the end append, in index order; REMOVE past the end does nothing.
Any error is raised before the caller sees a result, so no half-applied item escapes.
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from cloudlet.services.dynamodb.engine import errors, values
from cloudlet.services.dynamodb.expressions.nodes import Arith, Call, Const, Elem, Node, Path
from cloudlet.services.dynamodb.expressions.paths import AV, Item, Projection, getter

ValueFn = Callable[[Item], AV]

MISSING_ATTRIBUTE = "The provided expression refers to an attribute that does not exist in the item"
BAD_OPERAND = "An operand in the update expression has an incorrect data type"
BAD_PATH = "The document path provided in the update expression is invalid for update"
LEGACY_MISMATCH = "Type mismatch for attribute to update"
_SET_KEYS: dict[str, Callable[[str], Any]] = {
    "SS": str,
    "NS": Decimal,
    "BS": base64.b64decode,
}


class Op(NamedTuple):
    kind: str  # SET, REMOVE, ADD, DELETE
    elems: tuple[Elem, ...]
    value: ValueFn | None  # SET
    operand: AV | None  # ADD / DELETE (None for a legacy DELETE of the whole attribute)


# ---------------------------------------------------------------- values
def copy_value(av: AV) -> AV:
    t, v = next(iter(av.items()))
    if t == "M":
        return {"M": {k: copy_value(x) for k, x in v.items()}}
    if t == "L":
        return {"L": [copy_value(x) for x in v]}
    if t in _SET_KEYS:
        return {t: list(v)}
    return {t: v}


_SMALL_INT = re.compile(r"-?[0-9]{1,30}")


def _number(d: Decimal) -> AV:
    return {"N": values.number_text(values.check_number(d))}


def add_numbers(x: str, y: str, subtract: bool = False) -> AV:
    """x + y (or x - y) of two wire numbers, exactly, with DynamoDB's range checks."""
    if _SMALL_INT.fullmatch(x) and _SMALL_INT.fullmatch(y):  # exact, cannot overflow
        return {"N": str(int(x) - int(y) if subtract else int(x) + int(y))}
    a, b = Decimal(x), Decimal(y)
    ctx = values.ARITH
    return _number(ctx.subtract(a, b) if subtract else ctx.add(a, b))


def _arith(op: str, left: ValueFn, right: ValueFn) -> ValueFn:
    subtract = op == "-"

    def compute(item: Item) -> AV:
        x, y = left(item).get("N"), right(item).get("N")
        if x is None or y is None:
            raise errors.validation(BAD_OPERAND)
        return add_numbers(x, y, subtract)

    return compute


def compile_value(node: Node) -> ValueFn:
    """The computation of one SET value (or operand of it) from the old item."""
    if isinstance(node, Const):
        v = node.value
        return lambda item: v
    if isinstance(node, Path):
        g = getter(node.elems)

        def read(item: Item) -> AV:
            av = g(item)
            if av is None:
                raise errors.validation(MISSING_ATTRIBUTE)
            return av

        return read
    if isinstance(node, Arith):
        return _arith(node.op, compile_value(node.left), compile_value(node.right))
    assert isinstance(node, Call)
    if node.name == "if_not_exists":
        assert isinstance(node.args[0], Path)
        g, fallback = getter(node.args[0].elems), compile_value(node.args[1])

        def if_not_exists(item: Item) -> AV:
            av = g(item)
            return av if av is not None else fallback(item)

        return if_not_exists
    first, second = compile_value(node.args[0]), compile_value(node.args[1])

    def list_append(item: Item) -> AV:
        a, b = first(item).get("L"), second(item).get("L")
        if a is None or b is None:
            raise errors.validation(BAD_OPERAND)
        return {"L": a + b}

    return list_append


def _add(existing: AV | None, v: AV, legacy: bool) -> AV:
    if existing is None:
        return copy_value(v)
    t = next(iter(v))
    if t != next(iter(existing)):
        raise errors.validation(LEGACY_MISMATCH if legacy else BAD_OPERAND)
    if t == "N":
        return add_numbers(existing["N"], v["N"])
    if t == "L":  # legacy ADD only
        return {"L": existing["L"] + [copy_value(x) for x in v["L"]]}
    key = _SET_KEYS[t]
    out = list(existing[t])
    seen = {key(x) for x in out}
    for x in v[t]:
        k = key(x)
        if k not in seen:
            seen.add(k)
            out.append(x)
    return {t: out}


def _delete(existing: AV, v: AV, legacy: bool) -> AV | None:
    """`existing` minus the elements of `v`; None when nothing is left."""
    t = next(iter(v))
    if t != next(iter(existing)):
        raise errors.validation(LEGACY_MISMATCH if legacy else BAD_OPERAND)
    key = _SET_KEYS[t]
    drop = {key(x) for x in v[t]}
    out = [x for x in existing[t] if key(x) not in drop]
    return {t: out} if out else None


# ---------------------------------------------------------------- the update
# Action tree: element -> index of the op at that path, or a subtree.
Tree = dict[Any, Any]


def _only_removes(tree: Tree, ops: Sequence[Op]) -> bool:
    return all(ops[s].kind == "REMOVE" if isinstance(s, int) else _only_removes(s, ops) for s in tree.values())


class Update:
    """A compiled update. `apply` never modifies its argument."""

    __slots__ = ("_legacy", "_ops", "_tree", "changed_top_names", "paths")

    def __init__(self, ops: Sequence[Op], legacy: bool = False) -> None:
        self._ops = tuple(ops)
        self._legacy = legacy
        self.paths: tuple[tuple[Elem, ...], ...] = tuple(op.elems for op in self._ops)
        self.changed_top_names: set[str] = {str(p[0]) for p in self.paths}
        tree: Tree = {}
        for i, op in enumerate(self._ops):
            node = tree
            for e in op.elems[:-1]:
                node = node.setdefault(e, {})
            node[op.elems[-1]] = i
        self._tree = tree

    def with_ops(self, ops: Sequence[Op]) -> Update:
        """This update with other values: `ops` are this update's, same kinds and paths in the same
        order, with other SET values or ADD/DELETE operands (a template's binding, see plans.py)."""
        new = Update.__new__(Update)
        new._ops = tuple(ops)
        new._legacy = self._legacy
        new.paths = self.paths
        new.changed_top_names = self.changed_top_names
        new._tree = self._tree
        return new

    def apply(self, item: Item, existed: bool = True) -> Item:
        """The updated copy of `item`. `existed=False` says `item` stands for a missing item
        (holding only its key): DynamoDB then ignores REMOVE of nested paths."""
        computed: list[AV | None] = [copy_value(op.value(item)) if op.value is not None else None for op in self._ops]
        new = dict(item)
        self._apply_map(new, self._tree, computed, not existed)
        return new

    def updated_attributes(self, item: Item) -> Item:
        """The updated paths of `item` (for ReturnValues UPDATED_OLD / UPDATED_NEW)."""
        return Projection(self.paths).apply(item)

    def _leaf(self, i: int, existing: AV | None, computed: list[AV | None]) -> AV | None:
        """New value at a leaf path (None: the path ends up absent)."""
        op = self._ops[i]
        if op.kind == "SET":
            return computed[i]
        if op.kind == "REMOVE" or op.operand is None:
            return None
        if op.kind == "ADD":
            return _add(existing, op.operand, self._legacy)
        return _delete(existing, op.operand, self._legacy) if existing is not None else None

    def _apply_map(self, container: dict[str, AV], tree: Tree, computed: list[AV | None], lenient: bool) -> None:
        for key, sub in tree.items():
            cur = container.get(key)
            if isinstance(sub, int):
                new = self._leaf(sub, cur, computed)
                if new is not None:
                    container[key] = new
                elif cur is not None:
                    del container[key]
            elif cur is None:
                if not (lenient and _only_removes(sub, self._ops)):
                    raise errors.validation(BAD_PATH)
            else:
                container[key] = self._descend(cur, sub, computed)

    def _descend(self, cur: AV, tree: Tree, computed: list[AV | None]) -> AV:
        if isinstance(next(iter(tree)), int):
            lst = cur.get("L")
            if lst is None:
                raise errors.validation(BAD_PATH)
            return {"L": self._apply_list(lst, tree, computed)}
        m = cur.get("M")
        if m is None:
            raise errors.validation(BAD_PATH)
        new = dict(m)
        self._apply_map(new, tree, computed, False)
        return {"M": new}

    def _apply_list(self, lst: list[AV], tree: Tree, computed: list[AV | None]) -> list[AV]:
        out: list[AV] = []
        for i, av in enumerate(lst):
            sub = tree.get(i)
            if sub is None:
                out.append(av)
            elif isinstance(sub, int):
                new = self._leaf(sub, av, computed)
                if new is not None:
                    out.append(new)
            else:
                out.append(self._descend(av, sub, computed))
        n = len(lst)
        for i in sorted(k for k in tree if k >= n):
            sub = tree[i]
            if not isinstance(sub, int):
                raise errors.validation(BAD_PATH)
            new = self._leaf(sub, None, computed)
            if new is not None:
                out.append(new)
        return out
