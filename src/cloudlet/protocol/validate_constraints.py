"""Phase 2 of request validation: the model's constraints, as AWS's Coral validator reports them.

Every violation becomes `Value '<echo>' at '<path>' failed to satisfy constraint: <rule>`; the
caller joins them into `N validation error(s) detected: ...; ...`. What is checked, and how:

* structures: members in model order; a missing required member is `Value null ... Member must
  not be null`; members of an absent optional parent are not looked at.
* strings: pattern (whole value, Java syntax), then length bounds, then the enum set.
* numbers: value bounds. Blobs: length of the decoded bytes. Lists and maps: entry counts.
* members of a list or map: a scalar's own rules are reported once for the whole collection
  (`Member must satisfy constraint: [...]`, `Map keys must satisfy constraint: [...]`,
  `Map value must satisfy constraint: [...]`); inside structures the walk goes on with paths like
  `keySchema.1.member.attributeName` and `requestItems.<key>.member.keys`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cloudlet.protocol.models import Shape
from cloudlet.protocol.validate_regex import compile_java
from cloudlet.protocol.validate_render import blob_length, java_number, lower_first, render

# A checker takes a non-null value and the member path; it appends violation texts to `errors`.
Check = Callable[[Any, str, list[str]], None]
# Constraint overrides: {"ShapeName": {...}} or {"StructureName.Member": {...}} with any of
# "min", "max", "pattern", "enum" (None removes one) and, for members, "required".
Overrides = Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class Rules:
    """The own constraints of one scalar, list or map shape."""

    kind: str
    min: float | None
    max: float | None
    pattern: str | None
    enum: tuple[str, ...] | None

    def texts(self) -> list[str]:
        """Every rule, in the order AWS lists them inside `[...]` summaries."""
        rules = (self.hi_text(), self.lo_text(), self.pattern_text(), self.enum_text())
        return [text for text in rules if text]

    def _noun(self) -> str:
        return "value" if self.kind in _NUMBERS else "length"

    def hi_text(self) -> str:
        if self.max is None:
            return ""
        return f"Member must have {self._noun()} less than or equal to {self.bound(self.max)}"

    def lo_text(self) -> str:
        if self.min is None:
            return ""
        return f"Member must have {self._noun()} greater than or equal to {self.bound(self.min)}"

    def pattern_text(self) -> str:
        if self.pattern is None:
            return ""
        return f"Member must satisfy regular expression pattern: {self.pattern}"

    def enum_text(self) -> str:
        if self.enum is None:
            return ""
        return f"Member must satisfy enum value set: [{', '.join(self.enum)}]"

    def bound(self, value: float) -> str:
        if isinstance(value, float) and value.is_integer() and self.kind not in _FLOATING:
            value = int(value)
        return java_number(value, self.kind)


_NUMBERS = ("integer", "long", "short", "byte", "float", "double", "bigdecimal", "biginteger")
_FLOATING = ("float", "double", "bigdecimal")
_SIZED = ("string", "blob", "list", "map")


class ConstraintCompiler:
    """Builds (and caches) one checker per shape for phase 2."""

    def __init__(
        self,
        package: str,
        opaque: frozenset[str],
        overrides: Overrides,
        fmt: Callable[[str | None, str, str], str],
        summary_not_null: bool,
    ) -> None:
        self._package = package
        self._opaque = opaque
        self._overrides = overrides
        self._fmt = fmt  # (echoed value or None for null, path, rule) -> violation text
        self._not_null = summary_not_null
        self._cache: dict[str, Check | None] = {}
        self._inner_cache: dict[str, Check | None] = {}

    # -- rules -------------------------------------------------------------------------------

    def rules(self, shape: Shape, member_key: str | None = None) -> Rules:
        meta: dict[str, Any] = {k: shape.metadata.get(k) for k in ("min", "max", "pattern")}
        meta["enum"] = shape.metadata.get("enum")
        for key in (shape.name, member_key):
            if key is not None and key in self._overrides:
                meta.update({k: v for k, v in self._overrides[key].items() if k != "required"})
        kind = shape.type_name
        sized_or_number = kind in _SIZED or kind in _NUMBERS
        lo, hi = (meta["min"], meta["max"]) if sized_or_number else (None, None)
        if lo is not None and lo <= 0 and kind in _SIZED:
            lo = None  # a length is never negative: AWS's 0 minimum can't fail
        pattern = meta["pattern"] if kind == "string" else None
        enum = tuple(meta["enum"]) if meta["enum"] and kind == "string" else None
        return Rules(kind, lo, hi, pattern, enum)

    def echo(self, value: Any, shape: Shape) -> str:
        return render(value, shape, self._package, self._opaque)

    # -- checkers ----------------------------------------------------------------------------

    def checker(self, shape: Shape, member_key: str | None = None) -> Check | None:
        """The checker for a value of `shape` (None: nothing to check), including its own rules."""
        if member_key is not None and member_key in self._overrides:
            return self._build(shape, member_key)  # member-specific rules: not shared
        if shape.name in self._cache:
            found = self._cache[shape.name]
            return found
        cell: list[Check | None] = []

        def forward(v: Any, path: str, errors: list[str]) -> None:
            check = cell[0]
            if check is not None:
                check(v, path, errors)

        self._cache[shape.name] = forward
        built = self._build(shape, None)
        cell.append(built)
        self._cache[shape.name] = built
        return built

    def _build(self, shape: Shape, member_key: str | None) -> Check | None:
        if shape.name in self._opaque or shape.metadata.get("document"):
            return None
        kind = shape.type_name
        if kind == "structure":
            return self._structure(shape)
        own = self._own(shape, self.rules(shape, member_key))
        inner = self._inner(shape)
        if own is None or inner is None:
            return own or inner

        def both(v: Any, path: str, errors: list[str]) -> None:
            own(v, path, errors)
            inner(v, path, errors)

        return both

    def _own(self, shape: Shape, rules: Rules) -> Check | None:
        """Checks a value against its shape's own rules, reporting each failed rule."""
        lo, hi, kind, fmt = rules.min, rules.max, rules.kind, self._fmt
        regex = compile_java(rules.pattern) if rules.pattern is not None else None
        enum = frozenset(rules.enum) if rules.enum is not None else None
        if lo is None and hi is None and regex is None and enum is None:
            return None
        pattern_text, enum_text = rules.pattern_text(), rules.enum_text()
        lo_text, hi_text = rules.lo_text(), rules.hi_text()
        measure = _measure(kind)

        def check_own(v: Any, path: str, errors: list[str]) -> None:
            failed: list[str] = []
            if regex is not None and regex.fullmatch(v) is None:
                failed.append(pattern_text)
            if lo is not None or hi is not None:
                size = measure(v)
                if lo is not None and size < lo:
                    failed.append(lo_text)
                if hi is not None and size > hi:
                    failed.append(hi_text)
            if enum is not None and v not in enum:
                failed.append(enum_text)
            if failed:
                echoed = self.echo(v, shape)
                errors.extend(fmt(echoed, path, rule) for rule in failed)

        return check_own

    def _element_ok(self, shape: Shape) -> tuple[Callable[[Any], bool], str] | None:
        """For a collection's keys/members/values: (passes its own rules?, `[...]` summary)."""
        if shape.type_name == "structure" or shape.name in self._opaque:
            return None
        rules = self.rules(shape)
        texts = rules.texts()
        not_null = self._not_null
        if not_null:
            texts.append("Member must not be null")
        regex = compile_java(rules.pattern) if rules.pattern is not None else None
        enum = frozenset(rules.enum) if rules.enum is not None else None
        lo = rules.min if rules.min is not None else -math.inf
        hi = rules.max if rules.max is not None else math.inf
        sized = rules.min is not None or rules.max is not None
        if not sized and regex is None and enum is None and not not_null:
            return None
        measure = _measure(rules.kind)

        def ok(v: Any) -> bool:
            if v is None:
                return not not_null
            if sized and not lo <= measure(v) <= hi:
                return False
            if regex is not None and regex.fullmatch(v) is None:
                return False
            return enum is None or v in enum

        return ok, "[" + ", ".join(texts) + "]"

    def _inner(self, shape: Shape) -> Check | None:
        """Checks what a list or map holds: summaries of scalar rules, walks into the rest."""
        kind = shape.type_name
        if kind not in ("list", "map"):
            return None
        fmt, echo = self._fmt, self.echo
        element: Shape = shape.member if kind == "list" else shape.value  # type: ignore[attr-defined]
        summary = self._element_ok(element)
        deeper = self._deeper(element)
        keys = self._element_ok(shape.key) if kind == "map" else None  # type: ignore[attr-defined]
        if summary is None and deeper is None and keys is None:
            return None
        if kind == "list":
            rule = "Member must satisfy constraint: " + (summary[1] if summary else "")

            def check_list(v: Any, path: str, errors: list[str]) -> None:
                if summary is not None and not all(map(summary[0], v)):
                    errors.append(fmt(echo(v, shape), path, rule))
                if deeper is not None:
                    for i, x in enumerate(v, 1):
                        if x is not None:
                            deeper(x, f"{path}.{i}.member", errors)

            return check_list
        key_rule = "Map keys must satisfy constraint: " + (keys[1] if keys else "")
        value_rule = "Map value must satisfy constraint: " + (summary[1] if summary else "")

        def check_map(v: Any, path: str, errors: list[str]) -> None:
            if keys is not None and not all(map(keys[0], v)):
                errors.append(fmt(echo(v, shape), path, key_rule))
            if summary is not None and not all(map(summary[0], v.values())):
                errors.append(fmt(echo(v, shape), path, value_rule))
            if deeper is not None:
                for k, x in v.items():
                    if x is not None:
                        deeper(x, f"{path}.{k}.member", errors)

        return check_map

    def _deeper(self, element: Shape) -> Check | None:
        """The walk into a collection element: a structure's members, or a collection's content
        (the element's own rules are in the summary, so they are not reported again)."""
        if element.name in self._opaque:
            return None
        if element.type_name == "structure":
            return self.checker(element)
        name = element.name
        if name in self._inner_cache:
            return self._inner_cache[name]
        cell: list[Check | None] = []

        def forward(v: Any, path: str, errors: list[str]) -> None:
            check = cell[0]
            if check is not None:
                check(v, path, errors)

        self._inner_cache[name] = forward
        built = self._inner(element)
        cell.append(built)
        self._inner_cache[name] = built
        return built

    def _structure(self, shape: Shape) -> Check | None:
        required = set(shape.required_members)  # type: ignore[attr-defined]
        members: list[tuple[str, str, bool, Check | None]] = []
        for name, member in shape.members.items():  # type: ignore[attr-defined]
            key = f"{shape.name}.{name}"
            is_required = self._overrides.get(key, {}).get("required", name in required)
            check = self.checker(member, key)
            if is_required or check is not None:
                members.append((name, lower_first(name), bool(is_required), check))
        if not members:
            return None
        fmt = self._fmt
        table = tuple(members)

        def check_structure(v: Any, path: str, errors: list[str]) -> None:
            prefix = path + "." if path else ""
            for name, segment, is_required, check in table:
                x = v.get(name)
                if x is None:
                    if is_required:
                        errors.append(fmt(None, prefix + segment, "Member must not be null"))
                elif check is not None:
                    check(x, prefix + segment, errors)

        return check_structure


def _identity(v: Any) -> Any:
    return v


def _measure(kind: str) -> Callable[[Any], Any]:
    """What a min/max bounds: the number itself, a blob's decoded size, or a length."""
    if kind in _NUMBERS:
        return _identity
    return blob_length if kind == "blob" else len
