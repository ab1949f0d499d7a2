"""Pieces shared by the filter-pattern compilers: errors, numbers, wildcards, and the tests of values.

The syntax is AWS's: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final, NoReturn, TypeVar

from cloudlet.protocol.errors import AwsError

T = TypeVar("T")
Pred = Callable[[T], bool]

INVALID_PATTERN: Final = "Invalid filter pattern"
WHITESPACE: Final = frozenset(" \t\r\n")


def invalid(message: str = INVALID_PATTERN) -> NoReturn:
    raise AwsError("InvalidParameterException", message)


def invalid_chars(term: str) -> NoReturn:
    """AWS's text for a character a term may not hold (e.g. `Invalid character(s) in term ':'`)."""
    invalid(f"Invalid character(s) in term '{term}'")


def first_bad_run(text: str, allowed: frozenset[str]) -> str | None:
    """The first run of characters of `text` outside `allowed` (None if there is none)."""
    for start, ch in enumerate(text):
        if ch not in allowed:
            end = start
            while end < len(text) and text[end] not in allowed:
                end += 1
            return text[start:end]
    return None


# ------------------------------------------------------------------ numbers
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def parse_number(text: str) -> float | None:
    """An integer or decimal with optional sign and exponent (what AWS calls a number), else None."""
    return float(text) if _NUMBER.fullmatch(text) is not None else None


# ---------------------------------------------------------------- wildcards
def glob(text: str) -> Pred[str]:
    """`*` at the start or end of a string value matches any text; elsewhere it is a literal `*`.

    ("Ev*ent will only match the actual string Ev*ent", earlier revision of FilterAndPatternSyntax.html.)
    """
    core, lead, trail = text, False, False
    if core.startswith("*"):
        core, lead = core[1:], True
    if core.endswith("*"):
        core, trail = core[:-1], True
    if lead and trail:
        return lambda s: core in s
    if lead:
        return lambda s: s.endswith(core)
    if trail:
        return lambda s: s.startswith(core)
    return lambda s: s == core


# ------------------------------------------------------------------ values
class Value:
    """The right-hand side of a condition: a number, a string (with `*` wildcards) or a regex."""

    __slots__ = ("number", "regex", "text")

    def __init__(self, text: str, number: float | None, regex: re.Pattern[str] | None) -> None:
        self.text = text
        self.number = number
        self.regex = regex


_COMPARE: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def text_test(op: str, value: Value) -> Pred[str]:
    """The test of one field's text (a space-delimited field, or a JSON string) against `op value`."""
    if value.regex is not None:
        search = value.regex.search
        if op == "=":
            return lambda s: search(s) is not None
        if op == "!=":
            return lambda s: search(s) is None
        invalid()
    if value.number is None:
        if op not in ("=", "!="):
            invalid()
        match = glob(value.text)
        return match if op == "=" else (lambda s: not match(s))
    number, compare = value.number, _COMPARE[op]
    if op == "!=":
        return lambda s: (n := parse_number(s)) is None or n != number
    return lambda s: (n := parse_number(s)) is not None and compare(n, number)


def number_test(op: str, value: Value) -> Pred[Any]:
    """The test of a JSON number against `op value` (as a number, or as its text for strings and regexes)."""
    if value.number is None:
        if value.regex is None and op not in ("=", "!="):
            invalid()
        as_text = text_test(op, value)
        return lambda x: as_text(number_text(x))
    number, compare = value.number, _COMPARE[op]
    return lambda x: compare(x, number)


def number_text(x: int | float) -> str:
    return str(x) if type(x) is int else repr(x)
