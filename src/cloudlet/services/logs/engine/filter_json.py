"""JSON filter patterns: `{ $.eventType = "UpdateTrail" && ($.latency > 500 || $.error IS TRUE) }`.

A message that is not a JSON object never matches. A condition on a selector that points at an
object or an array is false, whatever its operator; a wildcard (`$.*`, `$.a[*]`) matches if any
element it selects does.
https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html#matching-terms-json-log-events
"""

from __future__ import annotations

import json
import string
from collections.abc import Callable, Iterator
from typing import Any, Final

import orjson

from cloudlet.services.logs.engine.filter_common import Pred, Value, invalid, invalid_chars, number_test, text_test
from cloudlet.services.logs.engine.filter_syntax import Tokens, lex, parse_or, value_of

Step = str | int | None  # a property, an array index, or the wildcard
_MISSING: Final = object()
_NAME_CHARS: Final = frozenset(string.ascii_letters + string.digits + "_-")
_MAX_REGEXES: Final = 2  # "a limit of 2 regex for each filter pattern" (JSON and space-delimited)
_MAX_WILDCARD_SELECTORS: Final = 3  # "up to three wildcard selectors in a filter pattern"


def compile_json(text: str) -> Callable[[str], bool]:
    """The matcher of a whole `{ ... }` pattern."""
    tokens = lex(text[1:-1], commas=False, selector=_lex_selector)
    if sum(1 for kind, _, _ in tokens if kind == "re") > _MAX_REGEXES:
        invalid()
    if sum(1 for kind, steps, _ in tokens if kind == "sel" and None in steps) > _MAX_WILDCARD_SELECTORS:
        invalid()
    toks = Tokens(tokens)
    pred = parse_or(toks, _condition)
    if toks.peek() is not None:
        invalid()

    def match(message: str) -> bool:
        if message[:1] != "{" and message.lstrip()[:1] != "{":
            return False
        doc = _load(message)
        return type(doc) is dict and pred(doc)

    return match


def _load(message: str) -> Any:
    try:
        return orjson.loads(message)
    except orjson.JSONDecodeError:  # orjson refuses some valid JSON (integers past 64 bits, lone surrogates)
        try:
            return json.loads(message, parse_constant=_no_constant)
        except (ValueError, RecursionError):
            return None


def _no_constant(name: str) -> Any:
    raise ValueError(name)  # NaN and Infinity are not JSON


# ---------------------------------------------------------------- selectors
def _lex_selector(text: str, start: int) -> tuple[tuple[Step, ...], int]:
    """`$.a.b`, `$.a[0][1]`, `$.*`, `$.a[*].b`, `$.['key.with.dots']`; returns the steps and the end."""
    steps: list[Step] = []
    i, n = start + 1, len(text)
    while i < n and text[i] in ".[":
        if text[i] == ".":
            i += 1
            if text[i : i + 1] == "*":
                steps.append(None)
                i += 1
            elif text[i : i + 1] != "[":
                end = i
                while end < n and text[end] in _NAME_CHARS:
                    end += 1
                if end == i:
                    invalid_chars(text[start : i + 1])
                steps.append(text[i:end])
                i = end
            continue
        close = text.find("]", i)
        inner = text[i + 1 : close] if close > 0 else ""
        if inner == "*":
            steps.append(None)
        elif inner and len(inner) <= 18 and all(c in string.digits for c in inner):
            steps.append(int(inner))
        elif len(inner) >= 2 and inner[0] == inner[-1] == "'":
            steps.append(inner[1:-1])
        else:
            invalid_chars(text[start : i + 1])
        i = close + 1
    if not steps or steps.count(None) > 1:  # "up to one wildcard selector in a property selector"
        invalid_chars(text[start : i + 1])
    return tuple(steps), i


def _walk(node: Any, steps: tuple[Step, ...]) -> Any:
    for step in steps:
        if type(step) is str:
            if type(node) is not dict:
                return _MISSING
            node = node.get(step, _MISSING)
            if node is _MISSING:
                return _MISSING
        else:
            if type(node) is not list or step >= len(node):  # type: ignore[operator]
                return _MISSING
            node = node[step]  # type: ignore[index]
    return node


def _getter(steps: tuple[Step, ...]) -> Callable[[dict[str, Any]], Any]:
    if len(steps) == 1 and type(steps[0]) is str:
        key = steps[0]
        return lambda doc: doc.get(key, _MISSING)
    return lambda doc: _walk(doc, steps)


def _selector_values(steps: tuple[Step, ...]) -> Callable[[dict[str, Any]], Iterator[Any]]:
    """Every value a wildcard selector points at."""
    at = steps.index(None)
    head, tail = steps[:at], steps[at + 1 :]

    def values(doc: dict[str, Any]) -> Iterator[Any]:
        node = _walk(doc, head)
        children = node.values() if type(node) is dict else node if type(node) is list else ()
        for child in children:
            found = _walk(child, tail)
            if found is not _MISSING:
                yield found

    return values


# --------------------------------------------------------------- conditions
_IS: Final[dict[str, Pred[Any]]] = {
    "TRUE": lambda v: v is True,
    "FALSE": lambda v: v is False,
    "NULL": lambda v: v is None,
}


def _condition(toks: Tokens) -> Pred[dict[str, Any]]:
    """`SELECTOR op VALUE`, `SELECTOR IS TRUE|FALSE|NULL` or `SELECTOR NOT EXISTS`."""
    steps: tuple[Step, ...] = toks.take("sel")[1]
    kind = toks.peek()
    if kind == "op":
        op = toks.take()[1]
        test = _value_test(op, value_of(toks.take()))
    elif kind == "word":
        word = toks.take()[1].upper()
        what = toks.take("word")[1].upper()
        if word == "NOT" and what == "EXISTS":
            return _not_exists(steps)
        if word != "IS" or what not in _IS:  # `IS NOT` and `EXISTS` "currently aren't supported"
            invalid()
        test = _IS[what]
    else:
        invalid()
    if None in steps:
        values = _selector_values(steps)
        return lambda doc: any(test(v) for v in values(doc))
    get = _getter(steps)
    return lambda doc: (v := get(doc)) is not _MISSING and test(v)


def _not_exists(steps: tuple[Step, ...]) -> Pred[dict[str, Any]]:
    if None in steps:
        values = _selector_values(steps)
        return lambda doc: next(values(doc), _MISSING) is _MISSING
    get = _getter(steps)
    return lambda doc: get(doc) is _MISSING


def _value_test(op: str, value: Value) -> Pred[Any]:
    """Strings are compared as text, numbers as numbers (or as text against a string or a regex),
    booleans as `true`/`false`; null, objects and arrays match no comparison."""
    on_text = text_test(op, value)
    on_number = number_test(op, value)

    def test(v: Any) -> bool:
        kind = type(v)
        if kind is str:
            return on_text(v)
        if kind is int or kind is float:
            return on_number(v)
        if kind is bool:
            return on_text("true" if v else "false")
        return False

    return test
