"""Tokens of DynamoDB's expression language.

Names are `[A-Za-z][A-Za-z0-9_]*`; `#name` and `:value` placeholders are `#`/`:` followed by
`[A-Za-z0-9_]+`; list indexes are digit runs. Any other character is a one-character token the
parser rejects with a syntax error (DynamoDB reports `Syntax error; token: "_", near: "SET _123"`
for `SET _123 = :v`). Keywords are names, recognised by the parser case-insensitively.

https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeNames.html
"""

from __future__ import annotations

from typing import NamedTuple

IDENT = "ident"
NAME = "name"  # #placeholder
VALUE = "value"  # :placeholder
NUMBER = "number"
PUNCT = "punct"
BAD = "bad"
EOF = "eof"

_WORD = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_DIGITS = frozenset("0123456789")
_SPACE = frozenset(" \t\n\r\f\v")
_TWO = frozenset(("<>", "<=", ">="))
_ONE = frozenset("=<>()[],.+-")


class Token(NamedTuple):
    kind: str
    text: str
    start: int
    end: int


def _run(text: str, i: int, chars: frozenset[str]) -> int:
    n = len(text)
    while i < n and text[i] in chars:
        i += 1
    return i


def tokenize(text: str) -> list[Token]:
    """All tokens of `text`, ending with an EOF token."""
    out: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in _SPACE:
            i += 1
            continue
        if ch in _LETTERS:
            j = _run(text, i + 1, _WORD)
            out.append(Token(IDENT, text[i:j], i, j))
        elif ch in _DIGITS:
            j = _run(text, i + 1, _DIGITS)
            out.append(Token(NUMBER, text[i:j], i, j))
        elif ch in "#:" and i + 1 < n and text[i + 1] in _WORD:
            j = _run(text, i + 1, _WORD)
            out.append(Token(NAME if ch == "#" else VALUE, text[i:j], i, j))
        elif text[i : i + 2] in _TWO:
            out.append(Token(PUNCT, text[i : i + 2], i, i + 2))
            j = i + 2
        elif ch in _ONE:
            j = i + 1
            out.append(Token(PUNCT, ch, i, j))
        else:
            j = i + 1
            out.append(Token(BAD, ch, i, j))
        i = j
    out.append(Token(EOF, "<EOF>", n, n))
    return out


def near(text: str, tokens: list[Token], index: int) -> str:
    """DynamoDB's `near` text for a syntax error at `tokens[index]`.

    It is the source from the start of the previous token to the end of the next one:
    `near: "SET _123"` for the bad `_` of `SET _123 = :v`, `near: "="` for `a =` then EOF.
    """
    start = tokens[index - 1].start if index > 0 else tokens[index].start
    last = tokens[index]
    if last.kind != EOF and index + 1 < len(tokens) and tokens[index + 1].kind != EOF:
        last = tokens[index + 1]
    end = last.end if last.kind != EOF else tokens[index - 1].end if index > 0 else 0
    return text[start:end]
