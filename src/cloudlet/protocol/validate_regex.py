"""Java regular expressions (as written in AWS models) compiled for Python's `re`.

AWS's Coral validator tests `pattern` with Java's `String.matches`: the whole value must match, and
`\\w`, `\\d`, `\\s`, `\\b` are ASCII-only. Python lacks Java's `\\p{...}` classes and reads a few
constructs differently, so patterns are rewritten first. A pattern this module cannot translate
gives `None`, and the caller skips that check rather than guessing.
"""

from __future__ import annotations

import re
import sys
import unicodedata
import warnings
from functools import cache

# POSIX classes (ASCII in Java unless UNICODE_CHARACTER_CLASS is set) as class bodies.
_POSIX: dict[str, str] = {
    "Lower": "a-z",
    "Upper": "A-Z",
    "ASCII": "\\x00-\\x7f",
    "Alpha": "a-zA-Z",
    "Digit": "0-9",
    "Alnum": "a-zA-Z0-9",
    "Punct": re.escape("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
    "Graph": "\\x21-\\x7e",
    "Print": "\\x20-\\x7e",
    "Blank": " \\t",
    "Cntrl": "\\x00-\\x1f\\x7f",
    "XDigit": "0-9a-fA-F",
    "Space": " \\t\\n\\x0b\\f\\r",
}
_SINGLE_LETTER = {"L", "M", "N", "P", "S", "Z", "C"}
# Java escapes Python lacks or reads differently, outside and inside a class.
_ESCAPES: dict[str, str] = {
    "h": " \\t\\xa0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000",
    "v": "\\n\\x0b\\f\\r\\x85\\u2028\\u2029",
}


@cache
def _ranges_by_category() -> dict[str, list[tuple[int, int]]]:
    """Every Unicode general category (two letters) as sorted code-point ranges; one pass."""
    ranges: dict[str, list[tuple[int, int]]] = {}
    category = unicodedata.category
    start, current = 0, category(chr(0))
    for cp in range(1, sys.maxunicode + 1):
        cat = category(chr(cp))
        if cat != current:
            ranges.setdefault(current, []).append((start, cp - 1))
            start, current = cp, cat
    ranges.setdefault(current, []).append((start, sys.maxunicode))
    return ranges


@cache
def _category_ranges(category: str) -> str:
    """A class body matching every code point whose Unicode category starts with `category`."""
    spans = sorted(span for cat, found in _ranges_by_category().items() if cat.startswith(category) for span in found)
    return "".join(_cp(a) if a == b else f"{_cp(a)}-{_cp(b)}" for a, b in spans)


def _cp(cp: int) -> str:
    return f"\\U{cp:08x}"


def _property_body(name: str) -> str | None:
    if name.startswith("Is"):
        name = name[2:]
    elif name.startswith("general_category=") or name.startswith("gc="):
        name = name.split("=", 1)[1]
    if name in _POSIX:
        return _POSIX[name]
    if name in _SINGLE_LETTER or (len(name) == 2 and name[0] in _SINGLE_LETTER):
        return _category_ranges(name)
    return None


def _surrogate_pair(pattern: str, i: int) -> tuple[str, int] | None:
    """`\\uD83D\\uDE00` (a UTF-16 pair, as Java writes astral characters) as one code point."""
    high, low = pattern[i + 2 : i + 6], pattern[i + 8 : i + 12]
    if pattern[i + 6 : i + 8] != "\\u" or len(low) != 4:
        return None
    try:
        h, lo = int(high, 16), int(low, 16)
    except ValueError:
        return None
    if 0xD800 <= h <= 0xDBFF and 0xDC00 <= lo <= 0xDFFF:
        return _cp(0x10000 + ((h - 0xD800) << 10) + (lo - 0xDC00)), i + 12
    return None


def translate(pattern: str) -> str | None:
    """The Python spelling of a Java pattern, or None if it uses something not handled."""
    out: list[str] = []
    in_class = False
    after_class_escape = False  # Java reads `-` after `\w` inside a class as a literal.
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            e = pattern[i + 1]
            if e in "pP":
                m = re.match(r"\{([A-Za-z_=]+)\}|([A-Za-z])", pattern[i + 2 :])
                body = _property_body(m.group(1) or m.group(2)) if m else None
                if body is None or (e == "P" and in_class):
                    return None
                neg = "^" if e == "P" else ""
                out.append(body if in_class else f"[{neg}{body}]")
                i += 2 + m.end()  # type: ignore[union-attr]
                after_class_escape = True
                continue
            if e == "u" and i + 6 <= n and (pair := _surrogate_pair(pattern, i)) is not None:
                out.append(pair[0])
                i = pair[1]
                after_class_escape = False
                continue
            if e == "Q":
                end = pattern.find("\\E", i + 2)
                literal = pattern[i + 2 :] if end < 0 else pattern[i + 2 : end]
                out.append(re.escape(literal))
                i = n if end < 0 else end + 2
                continue
            if e in _ESCAPES:
                out.append(_ESCAPES[e] if in_class else f"[{_ESCAPES[e]}]")
            elif e == "z":
                out.append("\\Z")
            elif e == "Z":
                out.append("(?=\\n?\\Z)")
            else:
                out.append(pattern[i : i + 2])
            after_class_escape = e in "wWdDsShv"
            i += 2
            continue
        if in_class:
            if c == "[" or (c == "&" and pattern.startswith("&&", i)):
                return None  # nested classes / intersections
            if c == "]" and not (out and out[-1] in ("[", "[^")):
                in_class = False
            elif (c == "-" and after_class_escape) or c in "|~&":
                out.append("\\" + c)  # literal in Java; Python warns or reads a range
                i += 1
                after_class_escape = False
                continue
            out.append(c)
        elif c == "[":
            in_class = True
            if pattern.startswith("[^", i):
                out.append("[^")
                i += 2
                continue
            out.append("[")
        elif c == "(" and pattern.startswith("(?<", i) and i + 3 < n and pattern[i + 3] not in "=!":
            out.append("(?P<")
            i += 3
            continue
        else:
            out.append(c)
        after_class_escape = False
        i += 1
    return "".join(out)


@cache
def compile_java(pattern: str) -> re.Pattern[str] | None:
    """A compiled equivalent of a Java pattern, used with `fullmatch`; None if untranslatable."""
    python = translate(pattern)
    if python is None:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return re.compile(python, re.ASCII)
    except (re.error, OverflowError, RecursionError):
        return None
