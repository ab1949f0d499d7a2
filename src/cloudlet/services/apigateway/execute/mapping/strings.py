"""Java String methods for strings in templates (`$s.toLowerCase()`, `$s.indexOf('x')`, ...).

airspeed looks up methods it does not find on a Python object in its `__additional_methods__`
registry (its extension point for Java-only names). We add the String methods Velocity users call and
replace two of airspeed's own entries that differ from Java: `indexOf` (-1 when absent, not an
exception) and `replaceAll` (Java's `$1` group references). Names Python's `str` already has
(`replace`, `split`, ...) are found on `str` first and keep Python's behaviour.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from airspeed import operators

from cloudlet.services.apigateway.execute.mapping.render import java_str

_GROUP_REF = re.compile(r"\$(?:(\d+)|\{(\w+)\})")


@lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@lru_cache(maxsize=256)
def _replacement(repl: str) -> Callable[[re.Match[str]], str]:
    """Java's Matcher replacement syntax: `$1` / `${name}` insert a group, `\\x` is a literal x."""
    parts: list[tuple[bool, Any]] = []  # (is_group, literal text or group number/name)
    buf: list[str] = []
    i = 0
    while i < len(repl):
        c = repl[i]
        if c == "\\" and i + 1 < len(repl):
            buf.append(repl[i + 1])
            i += 2
            continue
        m = _GROUP_REF.match(repl, i) if c == "$" else None
        if m:
            if buf:
                parts.append((False, "".join(buf)))
                buf = []
            parts.append((True, int(m.group(1)) if m.group(1) is not None else m.group(2)))
            i = m.end()
            continue
        buf.append(c)
        i += 1
    if buf:
        parts.append((False, "".join(buf)))

    def expand(m: re.Match[str]) -> str:
        return "".join((m.group(p) or "") if is_group else p for is_group, p in parts)

    return expand


def _index_of(s: str, sub: Any, start: int = 0) -> int:
    return s.find(java_str(sub), start)


def _last_index_of(s: str, sub: Any, *start: int) -> int:
    sub = java_str(sub)
    return s.rfind(sub, 0, start[0] + len(sub)) if start else s.rfind(sub)


def _replace_all(s: str, pattern: str, repl: str) -> str:
    return _regex(pattern).sub(_replacement(java_str(repl)), s)


def _replace_first(s: str, pattern: str, repl: str) -> str:
    return _regex(pattern).sub(_replacement(java_str(repl)), s, count=1)


def _equals_ignore_case(s: str, other: Any) -> bool:
    return isinstance(other, str) and s.casefold() == other.casefold()


STRING_METHODS: dict[str, Callable[..., Any]] = {
    "length": len,
    "isEmpty": lambda s: not s,
    "toLowerCase": str.lower,
    "toUpperCase": str.upper,
    "trim": lambda s: s.strip("".join(chr(c) for c in range(33))),  # Java trims chars <= U+0020
    "equals": lambda s, other: isinstance(other, str) and s == other,
    "equalsIgnoreCase": _equals_ignore_case,
    "startsWith": lambda s, prefix, offset=0: s.startswith(java_str(prefix), offset),
    "endsWith": lambda s, suffix: s.endswith(java_str(suffix)),
    "contains": lambda s, sub: java_str(sub) in s,
    "indexOf": _index_of,
    "lastIndexOf": _last_index_of,
    "charAt": lambda s, i: s[i],
    "substring": lambda s, start, end=None: s[start:end],
    "concat": lambda s, other: s + java_str(other),
    "matches": lambda s, pattern: _regex(pattern).fullmatch(s) is not None,
    "replaceAll": _replace_all,
    "replaceFirst": _replace_first,
    "toString": lambda s: s,
}


def install() -> None:
    """Register the String methods with airspeed (idempotent)."""
    operators.__additional_methods__.setdefault(str, {}).update(STRING_METHODS)
