"""A fast path for the most common mapping templates: text with plain references only.

Most templates (every one of the tutorials' DynamoDB templates) are JSON text with `$input.params('x')`,
`$input.path('...')`, `$input.json('...')`, `$input.body`, `$context.a.b` and `$stageVariables.x` in it
and no directives. Interpreting those through airspeed costs ~10-20 us a render, most of a direct
DynamoDB integration's time (measured with py-spy, bench/apigateway_bench.py); splitting the text once
into literals and lookups renders them in ~1-2 us. The lookups are the same ones the Velocity path
uses (`Input`, `java_str`), so the output is identical (tests/unit/apigateway/test_mapping_fastpath.py
renders every golden case both ways). Anything else — a directive, an escape, a method call, a `$` that
is not one of these references — is not taken: the template goes to airspeed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from cloudlet.services.apigateway.execute.mapping.inputs import Input
from cloudlet.services.apigateway.execute.mapping.model import MappingInput
from cloudlet.services.apigateway.execute.mapping.render import java_str
from cloudlet.services.apigateway.execute.mapping.values import to_java

_REF = re.compile(
    r"""\$(?:input\.(?P<fn>params|path|json)\((?:'(?P<a1>[^'\\]*)'|"(?P<a2>[^"\\$]*)")\)"""
    r"""|input\.(?P<body>body)"""
    r"""|(?P<root>context|stageVariables)(?P<names>(?:\.[A-Za-z][A-Za-z0-9_]*)+))"""
)
_OVERRIDES = frozenset(("requestOverride", "responseOverride"))


class Fallback(Exception):
    """This render needs the full engine (e.g. a `$context` chain walks into a non-map value)."""


Part = str | Callable[[Input, MappingInput], str]


def _text(v: Any) -> str:
    return "" if v is None else java_str(v)


def _lookup(names: tuple[str, ...], root: str) -> Callable[[Input, MappingInput], str]:
    def get(_: Input, data: MappingInput) -> str:
        cur: Any = data.context if root == "context" else data.stage_variables
        for name in names:
            if cur is None:
                return ""
            if not isinstance(cur, dict):
                raise Fallback
            cur = cur.get(name)
        return _text(to_java(cur) if isinstance(cur, dict | list | float) else cur)

    get.reads_context = root == "context"  # type: ignore[attr-defined]
    return get


class FastTemplate(list[Part]):
    """The parts of a fast-path template, and whether any of them reads `$context`."""

    __slots__ = ("reads_context",)

    def __init__(self, parts: list[Part]) -> None:
        super().__init__(parts)
        self.reads_context = any(getattr(p, "reads_context", False) for p in parts)


def _input_ref(fn: str | None, arg: str) -> Callable[[Input, MappingInput], str]:
    if fn == "params":
        return lambda inp, _: _text(inp.params(arg))
    if fn == "path":
        return lambda inp, _: _text(inp.path(arg))
    if fn == "json":
        return lambda inp, _: inp.json(arg)
    return lambda inp, _: inp.body


def _continues(text: str, end: int) -> bool:
    nxt = text[end:end + 1]
    if nxt == ".":
        nxt = text[end + 1:end + 2]
        return nxt.isalnum() or nxt == "_"
    return nxt in ("(", "[") or nxt.isalnum() or nxt == "_"


def compile_fast(template: str) -> FastTemplate | None:
    """The template as literals and lookups, or None when it needs the Velocity engine."""
    if "#" in template or "\\" in template:
        return None
    parts: list[Part] = []
    pos = 0
    while True:
        i = template.find("$", pos)
        if i < 0:
            break
        m = _REF.match(template, i)
        if m is None:
            return None
        end = m.end()
        if _continues(template, end):
            return None  # a method call, index or longer name follows: Velocity semantics needed
        if m.group("root"):
            names = tuple(m.group("names")[1:].split("."))
            if names[0] in _OVERRIDES:
                return None
            ref: Part = _lookup(names, m.group("root"))
        else:
            arg = m.group("a1") if m.group("a1") is not None else (m.group("a2") or "")
            ref = _input_ref(m.group("fn"), arg)
        if i > pos:
            parts.append(template[pos:i])
        parts.append(ref)
        pos = end
    if pos < len(template):
        parts.append(template[pos:])
    return FastTemplate(parts)


def render_fast(parts: list[Part], data: MappingInput) -> str:
    inp = Input(data.body or "", data.params or {})
    return "".join([p if type(p) is str else p(inp, data) for p in parts])  # type: ignore[operator]
