"""How AWS's Java front end spells values and types inside its error messages.

Constraint errors echo the offending value the way Java's `toString` prints the deserialized
object: `Value '[a, b]' at 'attributesToGet'`, `Value '{t=[WriteRequest(putRequest=...)]}'`.
Serialization errors name Java types: `Unrecognized collection type class java.lang.String`.
"""

from __future__ import annotations

import math
import time
import zlib
from decimal import Decimal
from typing import Any

from cloudlet.protocol.models import Shape

# Java class of each botocore scalar type, as the Coral JSON reader names it.
JAVA_CLASS: dict[str, str] = {
    "string": "java.lang.String",
    "boolean": "java.lang.Boolean",
    "integer": "java.lang.Integer",
    "long": "java.lang.Long",
    "short": "java.lang.Short",
    "byte": "java.lang.Byte",
    "float": "java.lang.Float",
    "double": "java.lang.Double",
    "bigdecimal": "java.math.BigDecimal",
    "biginteger": "java.math.BigInteger",
    "timestamp": "java.util.Date",
    "blob": "java.nio.ByteBuffer",
}
# Simple name used in "<TOKEN> cannot be converted to <Name>".
JAVA_SIMPLE: dict[str, str] = {k: v.rsplit(".", 1)[1] for k, v in JAVA_CLASS.items()}
JAVA_SIMPLE["timestamp"] = "Date"


def lower_first(name: str) -> str:
    """Coral's member path segment: the member name with its first letter lower-cased
    (`SSESpecification` -> `sSESpecification`, as DynamoDB prints it)."""
    return name[:1].lower() + name[1:]


def java_type(shape: Shape, package: str) -> str:
    """`java.lang.reflect.Type.toString()` of the Java type a shape deserializes to."""
    kind = shape.type_name
    if kind == "structure":
        return f"class {package}.{shape.name}"
    if kind == "list":
        return f"java.util.List<{_type_arg(shape.member, package)}>"  # type: ignore[attr-defined]
    if kind == "map":
        return f"java.util.Map<java.lang.String, {_type_arg(shape.value, package)}>"  # type: ignore[attr-defined]
    return f"class {JAVA_CLASS.get(kind, 'java.lang.Object')}"


def _type_arg(shape: Shape, package: str) -> str:
    rendered = java_type(shape, package)
    return rendered[6:] if rendered.startswith("class ") else rendered


def java_double(x: float) -> str:
    """`Double.toString(x)`: `1.0`, `0.5`, `1.0E7`, `1.0E-5`, `NaN`, `Infinity`."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "-0.0" if math.copysign(1.0, x) < 0 else "0.0"
    if 1e-3 <= abs(x) < 1e7:
        text = repr(x)
        if "e" in text or "E" in text:
            text = format(Decimal(text), "f")
        return text if "." in text else text + ".0"
    sign, digits, exponent = Decimal(repr(x)).normalize().as_tuple()
    assert isinstance(exponent, int)
    ds = "".join(map(str, digits))
    power = exponent + len(ds) - 1
    mantissa = ds[0] + "." + (ds[1:] or "0")
    return ("-" if sign else "") + f"{mantissa}E{power}"


def java_number(value: Any, kind: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if kind in ("double", "float") or isinstance(value, float):
        return java_double(float(value))
    return str(value)


def _java_date(seconds: float) -> str:
    """`java.util.Date.toString()` in UTC: `Thu Jan 01 00:00:00 UTC 1970`."""
    try:
        return time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(seconds))
    except (OverflowError, OSError, ValueError):
        return str(seconds)


def blob_length(value: Any) -> int:
    """Decoded length of a (validated) base64 string, or of raw bytes."""
    if isinstance(value, bytes | bytearray):
        return len(value)
    n = len(value)
    return n // 4 * 3 - (value.endswith("==") + value.endswith("=")) if n else 0


def render(value: Any, shape: Shape, package: str, opaque: frozenset[str]) -> str:
    """A deserialized value as Java prints it (`String.valueOf`), for `Value '...' at`."""
    if value is None:
        return "null"
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return str(value)
        if shape.name in opaque or not shape.members:  # type: ignore[attr-defined]
            # Classes without a generated toString print their identity, e.g.
            # com.amazonaws.dynamodb.v20120810.AttributeValue@483470e1.
            return f"{package}.{shape.name}@{zlib.crc32(repr(value).encode()):x}"
        fields = ", ".join(
            f"{lower_first(name)}={render(value.get(name), member, package, opaque)}"
            for name, member in shape.members.items()  # type: ignore[attr-defined]
        )
        return f"{shape.name}({fields})"
    if kind == "list":
        if not isinstance(value, list):
            return str(value)
        member = shape.member  # type: ignore[attr-defined]
        return "[" + ", ".join(render(v, member, package, opaque) for v in value) + "]"
    if kind == "map":
        if not isinstance(value, dict):
            return str(value)
        vshape = shape.value  # type: ignore[attr-defined]
        return "{" + ", ".join(f"{k}={render(v, vshape, package, opaque)}" for k, v in value.items()) + "}"
    if kind == "blob":
        n = blob_length(value) if isinstance(value, str | bytes | bytearray) else 0
        return f"java.nio.HeapByteBuffer[pos=0 lim={n} cap={n}]"
    if kind == "timestamp" and isinstance(value, int | float) and not isinstance(value, bool):
        return _java_date(value)
    if isinstance(value, bool | int | float):
        return java_number(value, kind)
    return str(value)
