"""JSONPath for `$input.path` / `$input.json`, compiled once per path text.

API Gateway uses Jayway JsonPath: a *definite* path (only names and indexes: `$.a.b`, `$['a']`,
`$.a[0]`) yields the element itself, an *indefinite* one (`[*]`, `..`, filters, unions, slices) a
list of matches, even of one. Definite paths, nearly all real templates use, are walked here
directly (jsonpath-ng builds a context object per step and costs several µs a lookup); the rest go
to jsonpath-ng's extended parser (filters such as `[?(@.price > 10)]`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

MISSING: Any = object()  # a definite path that leads nowhere (a JSON null is None)

# One step of a definite path: `.name`, `['name']`, `["name"]`, `[3]`, `[-1]`.
_STEP = re.compile(r"""\.([^.\[\]'"*@?()\s,:]+)|\[\s*(-?\d+)\s*\]|\[\s*'([^']*)'\s*\]|\[\s*"([^"]*)"\s*\]""")


class PathError(ValueError):
    """A JSONPath that does not parse."""


class CompiledPath:
    __slots__ = ("definite", "expr", "steps", "text")

    def __init__(self, text: str, steps: tuple[str | int, ...] | None, expr: Any) -> None:
        self.text = text
        self.steps = steps
        self.expr = expr
        self.definite = steps is not None

    def find(self, doc: Any) -> Any:
        """The element (or MISSING) for a definite path, the list of matches otherwise."""
        if self.steps is None:
            return [m.value for m in self.expr.find(doc)]
        cur = doc
        for step in self.steps:
            if type(step) is int:
                if not isinstance(cur, list) or not -len(cur) <= step < len(cur):
                    return MISSING
                cur = cur[step]
            else:
                if not isinstance(cur, dict) or step not in cur:
                    return MISSING
                cur = cur[step]
        return cur


@lru_cache(maxsize=2048)
def compile_path(text: str) -> CompiledPath:
    path = text.strip()
    if not path:
        raise PathError("Invalid JSONPath expression: path must not be empty")
    if not path.startswith("$"):
        # Jayway reads a path without a root as relative to it: `a.b` is `$.a.b`.
        path = "$" + path if path.startswith("[") else "$." + path
    steps: list[str | int] = []
    pos = 1
    while pos < len(path):
        m = _STEP.match(path, pos)
        if not m:
            break
        name, index, single, double = m.groups()
        steps.append(int(index) if index is not None else name if name is not None else single or double or "")
        pos = m.end()
    if pos == len(path):
        return CompiledPath(text, tuple(steps), None)
    try:
        from jsonpath_ng.ext import parse as ext_parse  # ~20 ms to import: on first use, not at start-up

        return CompiledPath(text, None, ext_parse(path))
    except Exception as e:  # jsonpath-ng raises assorted errors
        raise PathError(f"Invalid JSONPath expression '{text}': {e}") from None
