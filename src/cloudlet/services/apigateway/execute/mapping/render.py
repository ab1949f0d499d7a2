"""How values print inside a template: Java's `toString()`, which is what API Gateway's Velocity uses.

A JSON object from `$input.path('$')` written into the output reads `{Item={name={S=Bob}}}` (a Java
Map), a list `[a, b]`, booleans `true`/`false`, doubles as `Double.toString` does (`1.0E7`).
"""

from __future__ import annotations

import math
from typing import Any


def java_double(x: float) -> str:
    """Double.toString: plain decimals for 1e-3 <= |x| < 1e7, else `d.dddE±n`; always a fractional digit."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    sign = "-" if math.copysign(1.0, x) < 0 else ""
    a = abs(x)
    if a == 0.0:
        return sign + "0.0"
    if 1e-3 <= a < 1e7:
        return sign + repr(a)  # Python's repr has no exponent in this range and keeps ".0"
    # Shortest round-trip digits from repr, re-laid out in Java's scientific form.
    mant, _, exp = repr(a).partition("e")
    point = mant.index(".") if "." in mant else len(mant)
    digits = mant.replace(".", "")
    stripped = digits.lstrip("0")
    exp10 = (int(exp) if exp else 0) + point - 1 - (len(digits) - len(stripped))
    stripped = stripped.rstrip("0") or "0"
    return f"{sign}{stripped[0]}.{stripped[1:] or '0'}E{exp10}"


def java_str(v: Any) -> str:
    """`String.valueOf(v)` for the values templates handle."""
    if v is None:
        return "null"
    t = type(v)
    if t is str:
        return v
    if t is bool:
        return "true" if v else "false"
    if t is int:
        return str(v)
    if isinstance(v, str):
        return str.__str__(v)
    if isinstance(v, float):
        return java_double(v)
    if isinstance(v, dict):
        return "{" + ", ".join(f"{java_str(k)}={java_str(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list | tuple | range):
        return "[" + ", ".join(java_str(x) for x in v) + "]"
    return str(v)
