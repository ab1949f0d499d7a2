"""CloudWatch Logs filter patterns (FilterLogEvents, metric filters, subscription filters).

`compile_pattern(text)` parses a pattern once (cached by its text) into a matcher of messages:

- empty (or blank): every event;
- unstructured terms: `ERROR`, `ERROR Exception` (all), `?ERROR ?WARN` (any), `"quoted phrase"`,
  `-term` / `-"phrase"` (none); case-sensitive substrings. Bare terms hold letters, digits and `_`
  only; anything else goes in double quotes;
- `%regex%` on its own: AWS's regex subset, searched anywhere in the message;
- `{ ... }`: JSON conditions (filter_json); `[ ... ]`: space-delimited fields (filter_delimited).

https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
"""

from __future__ import annotations

import functools
import string
from collections.abc import Callable
from typing import Final

from cloudlet.services.logs.engine.filter_common import WHITESPACE, first_bad_run, invalid, invalid_chars
from cloudlet.services.logs.engine.filter_delimited import compile_delimited
from cloudlet.services.logs.engine.filter_json import compile_json
from cloudlet.services.logs.engine.filter_regex import compile_regex
from cloudlet.services.logs.engine.filter_syntax import read_quoted

Matcher = Callable[[str], bool]

__all__ = ["Matcher", "compile_pattern"]

_TERM_CHARS: Final = frozenset(string.ascii_letters + string.digits + "_")


@functools.lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> Matcher:
    """The matcher of `pattern`; AwsError(InvalidParameterException) if AWS would refuse it."""
    text = pattern.strip()
    if not text:
        return _match_all
    first = text[0]
    if first == "{":
        if not text.endswith("}"):
            invalid("If a filter pattern starts with '{' it must end with '}'")
        return compile_json(text)
    if first == "[":
        if not text.endswith("]"):
            invalid("If a filter pattern starts with '[' it must end with ']'")
        return compile_delimited(text)
    if first == "%":
        if len(text) < 2 or not text.endswith("%"):
            invalid()
        search = compile_regex(text[1:-1]).search
        return lambda message: search(message) is not None
    return _compile_terms(text)


def _match_all(message: str) -> bool:
    return True


def _compile_terms(text: str) -> Matcher:
    """Terms to include, to exclude (`-`) and optional ones (`?`). The optional ones count only in
    a pattern made of nothing else: "If you combine "?" with other filter patterns, all question
    mark terms will be ignored." A quoted phrase is trimmed, so `" "` matches every event."""
    include: list[str] = []
    exclude: list[str] = []
    optional: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in WHITESPACE:
            i += 1
            continue
        into = include
        if ch in "?-":
            into = optional if ch == "?" else exclude
            i += 1
            while i < n and text[i] in WHITESPACE:
                i += 1
            if i == n:
                invalid_chars(ch)
        if text[i] == '"':
            term, i = read_quoted(text, i)
            if not term:
                invalid_chars('""')
            if i < n and text[i] not in WHITESPACE:
                invalid()
            into.append(term.strip())
            continue
        end = i
        while end < n and text[end] not in WHITESPACE:
            end += 1
        bad = first_bad_run(text[i:end], _TERM_CHARS)
        if bad is not None:
            invalid_chars(bad)
        into.append(text[i:end])
        i = end
    if include or exclude:
        return _all_and_none(tuple(include), tuple(exclude))
    return _any(tuple(optional))


def _all_and_none(include: tuple[str, ...], exclude: tuple[str, ...]) -> Matcher:
    if not exclude and len(include) == 1:
        term = include[0]
        return lambda message: term in message

    if not exclude:
        return lambda message: all(map(message.__contains__, include))
    return lambda message: all(map(message.__contains__, include)) and not any(map(message.__contains__, exclude))


def _any(optional: tuple[str, ...]) -> Matcher:
    if len(optional) == 1:
        term = optional[0]
        return lambda message: term in message

    return lambda message: any(map(message.__contains__, optional))
