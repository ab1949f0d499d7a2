"""AWS's regex subset for filter patterns (`%...%`), translated to Python's `re`.

https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/regex-expressions.html
"""

from __future__ import annotations

import re
import string
from typing import Final

from cloudlet.services.logs.engine.filter_common import first_bad_run, invalid, invalid_chars

# What a `%...%` regex may hold (the page lists the space too, in `%^shutting down%`).
_REGEX_CHARS: Final = frozenset(string.ascii_letters + string.digits + ":_#=@/;,-" + "^$?[]{}|\\*+." + " ")
_CLASS_ESCAPES: Final = frozenset("dDsSwW")
_QUANTIFIER = re.compile(r"\{ *([0-9]*) *(?:(,) *([0-9]*) *)?\}")


def compile_regex(body: str) -> re.Pattern[str]:
    """AWS's regex subset (no groups, ASCII only) as a Python regex; matching is `search`."""
    if not body:
        invalid()
    bad = first_bad_run(body, _REGEX_CHARS)
    if bad is not None:
        invalid_chars(bad)
    out: list[str] = []
    i, n, in_class = 0, len(body), False
    while i < n:
        ch = body[i]
        if ch == "\\":
            i += 1
            if i >= n:
                invalid()
            esc = body[i]
            if esc in _CLASS_ESCAPES:
                out.append("\\" + esc)
            elif esc == "x":
                hexa = body[i + 1 : i + 3]
                if len(hexa) != 2 or any(c not in string.hexdigits for c in hexa):
                    invalid()
                out.append("\\x" + hexa)
                i += 2
            elif esc.isalnum():
                invalid()
            else:
                out.append(re.escape(esc))
        elif in_class:
            if ch == "]" and not _class_start(out):
                in_class = False
                out.append("]")
            elif ch == "^" and out[-1] == "[":
                out.append("^")
            elif ch == "-" and not out[-1].endswith("-"):
                out.append("-")
            else:
                out.append(re.escape(ch))
        elif ch == "[":
            in_class = True
            out.append("[")
        elif ch == "{":
            quant = _QUANTIFIER.match(body, i)
            if quant is None or (not quant.group(1) and not quant.group(3)):
                out.append("\\{")
            else:
                lo, comma, hi = quant.groups()
                out.append("{" + lo + (comma or "") + (hi or "") + "}")
                i = quant.end() - 1
        elif ch == "$":
            out.append(r"\Z")
        elif ch in "]}":
            out.append("\\" + ch)
        else:
            out.append(ch)  # letters, digits, ^ . * + ? | and the symbols
        i += 1
    if in_class:
        invalid()
    try:
        return re.compile("".join(out), re.ASCII)
    except (re.error, OverflowError, RecursionError):
        invalid()


def _class_start(out: list[str]) -> bool:
    """True right after `[` or `[^`, where a `]` is a member rather than the end of the class."""
    return out[-1] == "[" or (out[-1] == "^" and out[-2] == "[")
