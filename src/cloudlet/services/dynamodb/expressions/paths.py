"""Document paths over wire-form items: reading one path, and projecting several.

A projection keeps each requested path inside its parents: `a.b[2].y` of
`{"a": {"M": {"b": {"L": [x, y, {"M": {"y": v, "z": w}}]}}}}` is `{"a": {"M": {"b": {"L":
[{"M": {"y": v}}]}}}}`. Elements picked from one list are kept in index order, without gaps;
paths that do not exist in the item (or go through the wrong type) contribute nothing.
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ProjectionExpressions.html
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from cloudlet.services.dynamodb.expressions.nodes import Elem

AV = dict[str, Any]
Item = dict[str, AV]
Getter = Callable[[Item], AV | None]


def get_path(item: Item, elems: Sequence[Elem]) -> AV | None:
    """The value at `elems` in `item`, or None if any step is missing or of the wrong type."""
    cur: AV | None = item.get(str(elems[0]))
    for e in elems[1:]:
        if cur is None:
            return None
        if isinstance(e, int):
            lst = cur.get("L")
            if lst is None or e >= len(lst):
                return None
            cur = lst[e]
        else:
            m = cur.get("M")
            if m is None:
                return None
            cur = m.get(e)
    return cur


def getter(elems: tuple[Elem, ...]) -> Getter:
    """A compiled reader of one path."""
    if len(elems) == 1:
        name = str(elems[0])
        return lambda item: item.get(name)
    if len(elems) == 2 and isinstance(elems[1], str):
        top, key = str(elems[0]), str(elems[1])

        def get2(item: Item) -> AV | None:
            av = item.get(top)
            if av is None:
                return None
            m = av.get("M")
            return m.get(key) if m is not None else None

        return get2
    return lambda item: get_path(item, elems)


# A projection tree: element -> subtree, where an empty dict marks a requested (leaf) path.
Tree = dict[Any, Any]


def build_tree(paths: Sequence[tuple[Elem, ...]]) -> Tree:
    root: Tree = {}
    for elems in paths:
        node = root
        for e in elems:
            node = node.setdefault(e, {})
    return root


def _project(av: AV, tree: Tree) -> AV | None:
    first = next(iter(tree))
    if isinstance(first, int):
        lst = av.get("L")
        if lst is None:
            return None
        picked: list[AV] = []
        for i in sorted(tree):
            if i < len(lst):
                sub = tree[i]
                got = lst[i] if not sub else _project(lst[i], sub)
                if got is not None:
                    picked.append(got)
        return {"L": picked} if picked else None
    m = av.get("M")
    if m is None:
        return None
    out: dict[str, AV] = {}
    for key, sub in tree.items():
        val = m.get(key)
        if val is not None:
            got = val if not sub else _project(val, sub)
            if got is not None:
                out[key] = got
    return {"M": out} if out else None


def project(item: Item, tree: Tree) -> Item:
    out: Item = {}
    for name, sub in tree.items():
        av = item.get(name)
        if av is None:
            continue
        got = av if not sub else _project(av, sub)
        if got is not None:
            out[name] = got
    return out


class Projection:
    """Attributes to return (ProjectionExpression or AttributesToGet)."""

    __slots__ = ("_names", "_tree", "paths", "top_names")

    def __init__(self, paths: Sequence[tuple[Elem, ...]]) -> None:
        self.paths: tuple[tuple[Elem, ...], ...] = tuple(paths)
        self._tree = build_tree(self.paths)
        self.top_names: set[str] = {str(p[0]) for p in self.paths}
        # Only top-level names: a plain key filter.
        self._names: tuple[str, ...] | None = (
            tuple(str(p[0]) for p in self.paths) if all(len(p) == 1 for p in self.paths) else None
        )

    def apply(self, item: Item) -> Item:
        """A new item holding only the projected paths (sub-values are shared, not copied)."""
        names = self._names
        if names is not None:
            return {n: item[n] for n in names if n in item}
        return project(item, self._tree)
