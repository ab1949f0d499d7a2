"""The lexer and the boolean-expression parser of `{ ... }` and `[ ... ]` filter patterns.

https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
"""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Any, Final

from cloudlet.services.logs.engine.filter_common import (
    WHITESPACE,
    Pred,
    T,
    Value,
    first_bad_run,
    invalid,
    invalid_chars,
    parse_number,
)
from cloudlet.services.logs.engine.filter_regex import compile_regex

# ------------------------------------------------------------------- lexer
# Token kinds: "(" ")" "&&" "||" "," "op" "str" "re" "word" "sel"
Token = tuple[str, Any, int]
_OPERATORS: Final = ("!=", "<=", ">=", "=", "<", ">")
_WORD_STOP: Final = frozenset(WHITESPACE | set('(),=!<>&|"%'))
# Unquoted values: alphanumerics, `_`, and what numbers and wildcards need (`123.123.*`, `+1000`, `1e-3`).
WORD_CHARS: Final = frozenset(string.ascii_letters + string.digits + "_.*+-")


def lex(body: str, *, commas: bool, selector: Callable[[str, int], tuple[Any, int]] | None) -> list[Token]:
    """The tokens of the inside of a `{...}` or `[...]` pattern."""
    tokens: list[Token] = []
    i, n = 0, len(body)
    while i < n:
        ch = body[i]
        if ch in WHITESPACE:
            i += 1
        elif ch in "()":
            tokens.append((ch, ch, i))
            i += 1
        elif ch in "&|":
            if body[i + 1 : i + 2] != ch:
                invalid_chars(ch)
            tokens.append((ch * 2, ch * 2, i))
            i += 2
        elif ch == "," and commas:
            tokens.append((",", ",", i))
            i += 1
        elif ch in "=!<>":
            op = next((o for o in _OPERATORS if body.startswith(o, i)), None)
            if op is None:
                invalid_chars(ch)
            tokens.append(("op", op, i))
            i += len(op)
        elif ch == '"':
            text, i = read_quoted(body, i)
            tokens.append(("str", text, i))
        elif ch == "%":
            end = body.find("%", i + 1)
            if end < 0:
                invalid()
            tokens.append(("re", compile_regex(body[i + 1 : end]), i))
            i = end + 1
        elif ch == "$" and selector is not None:
            sel, end = selector(body, i)
            tokens.append(("sel", sel, i))
            i = end
        else:
            end = i
            while end < n and body[end] not in _WORD_STOP:
                end += 1
            if end == i:  # a stop character that starts no token here (a comma in JSON)
                invalid_chars(ch)
            word = body[i:end]
            if word != "...":
                bad = first_bad_run(word, WORD_CHARS)
                if bad is not None:
                    invalid_chars(bad)
            tokens.append(("word", word, i))
            i = end
    return tokens


def read_quoted(text: str, start: int) -> tuple[str, int]:
    """The string in double quotes at `start` (`\\"` and `\\\\` are escapes), and the index after it."""
    out: list[str] = []
    i, n = start + 1, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            return "".join(out), i + 1
        if ch == "\\" and i + 1 < n and text[i + 1] in '"\\':
            i += 1
            ch = text[i]
        out.append(ch)
        i += 1
    invalid()


def value_of(token: Token) -> Value:
    kind, val, _ = token
    if kind == "str":
        return Value(val, None, None)
    if kind == "re":
        return Value("", None, val)
    if kind == "word" and val != "...":
        return Value(val, parse_number(val), None)
    invalid()


# ------------------------------------------------------------------ parser
class Tokens:
    """A cursor over a token list."""

    __slots__ = ("items", "pos")

    def __init__(self, items: list[Token]) -> None:
        self.items = items
        self.pos = 0

    def peek(self) -> str | None:
        return self.items[self.pos][0] if self.pos < len(self.items) else None

    def take(self, kind: str | None = None) -> Token:
        if self.pos >= len(self.items) or (kind is not None and self.items[self.pos][0] != kind):
            invalid()
        tok = self.items[self.pos]
        self.pos += 1
        return tok


def parse_or(toks: Tokens, condition: Callable[[Tokens], Pred[T]]) -> Pred[T]:
    """`a || b && (c)`: && binds tighter than ||, parentheses group."""
    alts = [_parse_and(toks, condition)]
    while toks.peek() == "||":
        toks.take()
        alts.append(_parse_and(toks, condition))
    return any_of(alts)


def _parse_and(toks: Tokens, condition: Callable[[Tokens], Pred[T]]) -> Pred[T]:
    parts = [_parse_primary(toks, condition)]
    while toks.peek() == "&&":
        toks.take()
        parts.append(_parse_primary(toks, condition))
    return all_of(parts)


def _parse_primary(toks: Tokens, condition: Callable[[Tokens], Pred[T]]) -> Pred[T]:
    if toks.peek() == "(":
        toks.take()
        inner = parse_or(toks, condition)
        toks.take(")")
        return inner
    return condition(toks)


def all_of(preds: list[Pred[T]]) -> Pred[T]:
    if len(preds) == 1:
        return preds[0]
    if len(preds) == 2:
        a, b = preds
        return lambda x: a(x) and b(x)
    items = tuple(preds)
    return lambda x: all(p(x) for p in items)


def any_of(preds: list[Pred[T]]) -> Pred[T]:
    if len(preds) == 1:
        return preds[0]
    if len(preds) == 2:
        a, b = preds
        return lambda x: a(x) or b(x)
    items = tuple(preds)
    return lambda x: any(p(x) for p in items)
