"""Condition evaluation: a bound condition tree compiled into nested closures.

Semantics (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html):
a missing operand makes every comparison false (so `<>` is true); values of different types
are unequal and unordered; `<`, `<=`, `>`, `>=`, BETWEEN order only S, N and B. `size` of a
string counts UTF-16 code units (DynamoDB returns 3 for "é𝄞").
"""

from __future__ import annotations

import base64
import operator
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from cloudlet.services.dynamodb.engine import values
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
    walk,
)
from cloudlet.services.dynamodb.expressions.paths import AV, Getter, Item, getter

Pred = Callable[[Item], bool]
_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}
_ORDERED = frozenset(("S", "N", "B"))
_EMPTY: Item = {}


class Condition:
    """A compiled ConditionExpression / FilterExpression (or legacy Expected / filters)."""

    __slots__ = ("_pred", "_root")

    def __init__(self, pred: Pred, root: Node | None = None) -> None:
        self._pred = pred
        self._root = root

    def evaluate(self, item: Item | None) -> bool:
        """Whether `item` (None: no item) satisfies the condition."""
        return self._pred(item if item is not None else _EMPTY)

    @property
    def top_names(self) -> set[str]:
        """The top-level attributes the condition reads (e.g. to refuse key attributes in a
        Query's filter)."""
        if self._root is None:
            return set()
        return {str(n.elems[0]) for n in walk(self._root) if isinstance(n, Path)}


# ---------------------------------------------------------------- value helpers
def _key(av: AV) -> tuple[str, Any] | None:
    """(type, comparable value) of an orderable value, else None."""
    t, v = next(iter(av.items()))
    if t == "S":
        return t, v
    if t == "N":
        return t, Decimal(v)
    if t == "B":
        return t, base64.b64decode(v)
    return None


def size_of(av: AV | None) -> int | None:
    if av is None:
        return None
    t, v = next(iter(av.items()))
    if t == "S":
        return len(v.encode("utf-16-le", "surrogatepass")) // 2
    if t == "B":
        return len(base64.b64decode(v))
    if t in ("SS", "NS", "BS", "L", "M"):
        return len(v)
    return None


def begins_with(a: AV | None, b: AV | None) -> bool:
    if a is None or b is None:
        return False
    (ta, va), (tb, vb) = next(iter(a.items())), next(iter(b.items()))
    if ta != tb:
        return False
    if ta == "S":
        return bool(va.startswith(vb))
    if ta == "B":
        return base64.b64decode(va).startswith(base64.b64decode(vb))
    return False


def contains(a: AV | None, b: AV | None) -> bool:
    """Substring (S), byte subsequence (B), set membership, or list element equality."""
    if a is None or b is None:
        return False
    (ta, va), (tb, vb) = next(iter(a.items())), next(iter(b.items()))
    if ta == "S":
        return tb == "S" and vb in va
    if ta == "B":
        return tb == "B" and base64.b64decode(vb) in base64.b64decode(va)
    if ta == "SS":
        return tb == "S" and vb in va
    if ta == "NS":
        return tb == "N" and Decimal(vb) in {Decimal(x) for x in va}
    if ta == "BS":
        return tb == "B" and base64.b64decode(vb) in {base64.b64decode(x) for x in va}
    if ta == "L":
        return any(values.values_equal(x, b) for x in va)
    return False


def ordered(a: AV | None, b: AV | None, cmp: Callable[[Any, Any], bool]) -> bool:
    if a is None or b is None:
        return False
    ka, kb = _key(a), _key(b)
    return ka is not None and kb is not None and ka[0] == kb[0] and cmp(ka[1], kb[1])


def equal(a: AV | None, b: AV | None) -> bool:
    return a is not None and b is not None and values.values_equal(a, b)


# ---------------------------------------------------------------- operands
def operand(node: Node) -> Getter:
    if isinstance(node, Path):
        return getter(node.elems)
    if isinstance(node, Const):
        v = node.value
        return lambda item: v
    assert isinstance(node, Call) and node.name == "size"
    inner = operand(node.args[0])

    def size(item: Item) -> AV | None:
        n = size_of(inner(item))
        return None if n is None else {"N": str(n)}

    return size


def _scalar_test(c: AV) -> Callable[[AV | None], bool] | None:
    """A fast `x = c` for a constant scalar `c`."""
    t, v = next(iter(c.items()))
    if t == "S":
        return lambda av: av is not None and av.get("S") == v
    if t == "N":
        d = Decimal(v)

        def num_eq(av: AV | None) -> bool:
            n = av.get("N") if av is not None else None
            return n is not None and (n == v or Decimal(n) == d)

        return num_eq
    if t == "BOOL":
        return lambda av: av is not None and av.get("BOOL") is v
    return None


def equality(left: Node, right: Node) -> Pred:
    if isinstance(left, Const) and not isinstance(right, Const):
        left, right = right, left
    if isinstance(right, Const):
        c = right.value
        if isinstance(left, Const):
            result = values.values_equal(left.value, c)
            return lambda item: result
        g = operand(left)
        test = _scalar_test(c)
        if test is not None:
            return lambda item: test(g(item))
        return lambda item: equal(g(item), c)
    ga, gb = operand(left), operand(right)
    return lambda item: equal(ga(item), gb(item))


def _order(op: str, left: Node, right: Node) -> Pred:
    if isinstance(left, Const) and not isinstance(right, Const):
        op, left, right = _FLIP[op], right, left
    cmp = _ORDER[op]
    ga = operand(left)
    if isinstance(right, Const) and not isinstance(left, Const):
        key = _key(right.value)
        if key is None:
            return lambda item: False
        t, k = key
        if t == "S":

            def str_cmp(item: Item) -> bool:
                av = ga(item)
                s = av.get("S") if av is not None else None
                return s is not None and cmp(s, k)

            return str_cmp
        if t == "N":

            def num_cmp(item: Item) -> bool:
                av = ga(item)
                n = av.get("N") if av is not None else None
                return n is not None and cmp(Decimal(n), k)

            return num_cmp
    gb = operand(right)
    return lambda item: ordered(ga(item), gb(item), cmp)


def _between(node: Between) -> Pred:
    g, glo, ghi = operand(node.subject), operand(node.low), operand(node.high)
    le = operator.le

    def between(item: Item) -> bool:
        x = g(item)
        return ordered(glo(item), x, le) and ordered(x, ghi(item), le)

    return between


def _in(node: In) -> Pred:
    consts = [i.value for i in node.items if isinstance(i, Const)]
    if len(consts) == len(node.items) and not isinstance(node.subject, Const):
        types = {next(iter(c)) for c in consts}
        if types == {"S"}:
            g, wanted = operand(node.subject), frozenset(c["S"] for c in consts)
            return lambda item: (av := g(item)) is not None and av.get("S") in wanted
    tests = [equality(node.subject, i) for i in node.items]
    return lambda item: any(t(item) for t in tests)


def _call(node: Call) -> Pred:
    name, args = node.name, node.args
    g = operand(args[0])
    if name == "attribute_exists":
        return lambda item: g(item) is not None
    if name == "attribute_not_exists":
        return lambda item: g(item) is None
    if name == "attribute_type":
        assert isinstance(args[1], Const)
        wanted = args[1].value["S"]
        return lambda item: (av := g(item)) is not None and wanted in av
    g2 = operand(args[1])
    if name == "begins_with":
        b = args[1]
        if isinstance(b, Const) and "S" in b.value:
            prefix = b.value["S"]

            def str_prefix(item: Item) -> bool:
                av = g(item)
                s = av.get("S") if av is not None else None
                return s is not None and s.startswith(prefix)

            return str_prefix
        return lambda item: begins_with(g(item), g2(item))
    assert name == "contains"
    return lambda item: contains(g(item), g2(item))


def compile_condition(node: Node) -> Pred:
    """The predicate of a bound, checked condition tree."""
    if isinstance(node, And):
        a, b = compile_condition(node.left), compile_condition(node.right)
        return lambda item: a(item) and b(item)
    if isinstance(node, Or):
        a, b = compile_condition(node.left), compile_condition(node.right)
        return lambda item: a(item) or b(item)
    if isinstance(node, Not):
        a = compile_condition(node.operand)
        return lambda item: not a(item)
    if isinstance(node, Compare):
        if node.op == "=":
            return equality(node.left, node.right)
        if node.op == "<>":
            eq = equality(node.left, node.right)
            return lambda item: not eq(item)
        return _order(node.op, node.left, node.right)
    if isinstance(node, Between):
        return _between(node)
    if isinstance(node, In):
        return _in(node)
    assert isinstance(node, Call)
    return _call(node)
