"""Phase 1 of request validation: JSON types, as AWS's Coral JSON reader rejects them.

Coral reads the body as a token stream into Java objects and stops at the first member whose token
does not fit, answering `SerializationException` with the reader's own (Java-flavoured) text. The
texts below were captured from DynamoDB by dynalite's live-AWS test suite (architect/dynalite,
test/helpers.js `assertType`) and by Floci's DynamoDB probes (hectorvent/floci,
DynamoDbRequestShapesTest.java); see tests/unit/protocol/test_validate.py for each one.

The walk follows the body's own member order (the first bad member *in the body* wins), treats a
JSON null as absent, and ignores members the model does not know. AWS's reader also accepts a few
spellings leniently; those values are rewritten in place so later code sees the model's type:
`"true"`/`"false"` (any case) for a boolean, a fractional or exponent number for an integer/long
(truncated toward zero, as Java's `TruncatingBigNumber.intValue()` does).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from cloudlet.protocol.errors import AwsError
from cloudlet.protocol.models import Shape
from cloudlet.protocol.validate_render import JAVA_CLASS, JAVA_SIMPLE, java_type

# A checker takes a non-null value; it returns None, or a 1-tuple holding the value to store back.
TypeCheck = Callable[[Any], "tuple[Any] | None"]

OBJECT_NOT_EXPECTED = "Start of structure or map found where not expected"
UNEXPECTED_FIELD = "Unexpected field type"
UNEXPECTED_VALUE = "Unexpected value type in payload"
UNEXPECTED_TOKEN = "Unexpected token received from parser"
NOT_BASE64 = "only base-64-encoded strings are convertible to bytes"
# A scalar where a generic collection sits inside another collection: Java reflection fails
# casting the element's ParameterizedType to Class (dynalite: ParameterizedList/ParameterizedMap).
PARAMETERIZED_CAST = (
    "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast to class "
    "java.lang.Class (sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl and "
    "java.lang.Class are in module java.base of loader 'bootstrap')"
)
NESTING_TOO_DEEP = "Document nesting depth exceeds the maximum allowed"

_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_B64_VALUES = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
_NUMERIC = ("integer", "long", "short", "byte", "biginteger")
_FLOATING = ("double", "float", "bigdecimal")


def serialization(message: str) -> AwsError:
    return AwsError("SerializationException", message)


def _token(value: Any) -> str:
    """The Coral tokenizer's name for a JSON scalar."""
    if value is True:
        return "TRUE_VALUE"
    if value is False:
        return "FALSE_VALUE"
    if isinstance(value, int):
        return "NUMBER_VALUE"
    if isinstance(value, float):
        return "DECIMAL_VALUE"
    return "STRING_VALUE"


def _scalar_error(value: Any, kind: str) -> AwsError:
    if isinstance(value, dict):
        return serialization(OBJECT_NOT_EXPECTED)
    if isinstance(value, list | tuple):
        return serialization("Unrecognized collection type class " + JAVA_CLASS.get(kind, "java.lang.Object"))
    return serialization(f"{_token(value)} cannot be converted to {JAVA_SIMPLE.get(kind, kind)}")


def base64_error(text: str) -> str | None:
    """Why the Coral base64 decoder rejects `text`, or None if it decodes. The decoder checks the
    length, then the last data character (its unused low bits must be zero), then the rest."""
    n = len(text)
    if n % 4:
        return f"Base64 encoded length is expected a multiple of 4 bytes but found: {n}"
    if n == 0:
        return None
    pad = 2 if text.endswith("==") else 1 if text.endswith("=") else 0
    last = text[n - 1 - pad]
    value = _B64_VALUES.get(last)
    if value is None and last != "=":
        return f"Invalid Base64 character: '{last}'"
    if value is None or value & ((1 << (2 * pad)) - 1):
        return "Invalid last non-pad Base64 character dectected"
    if _BASE64.fullmatch(text) is None:
        bad = next(c for c in text[: n - pad] if c not in _B64_VALUES)
        return f"Invalid Base64 character: '{bad}'"
    return None


def _scalar(shape: Shape) -> TypeCheck:
    kind = shape.type_name
    if kind == "string":

        def check_string(v: Any) -> tuple[Any] | None:
            if isinstance(v, str):
                return None
            raise _scalar_error(v, kind)

        return check_string
    if kind == "boolean":

        def check_boolean(v: Any) -> tuple[Any] | None:
            if v is True or v is False:
                return None
            if isinstance(v, str):
                word = v.lower()
                if word == "true" or word == "false":
                    return (word == "true",)
                raise serialization(UNEXPECTED_TOKEN)
            raise _scalar_error(v, kind)

        return check_boolean
    if kind in _NUMERIC:

        def check_integral(v: Any) -> tuple[Any] | None:
            if isinstance(v, int) and not isinstance(v, bool):
                return None
            if isinstance(v, float):
                return (int(v),) if math.isfinite(v) else None
            raise _scalar_error(v, kind)

        return check_integral
    lenient_time = kind == "timestamp" and shape.serialization.get("timestampFormat") in (
        "iso8601",
        "rfc822",
    )
    if kind in _FLOATING or kind == "timestamp":

        def check_number(v: Any) -> tuple[Any] | None:
            if isinstance(v, int | float) and not isinstance(v, bool):
                return None
            if lenient_time and isinstance(v, str):
                return None
            raise _scalar_error(v, kind)

        return check_number
    if kind == "blob":

        def check_blob(v: Any) -> tuple[Any] | None:
            if isinstance(v, str):
                problem = base64_error(v)
                if problem is None:
                    return None
                raise serialization(problem)
            if isinstance(v, bytes | bytearray):
                return None
            if isinstance(v, dict | list | tuple):
                raise _scalar_error(v, kind)
            raise serialization(NOT_BASE64)

        return check_blob

    def check_any(v: Any) -> tuple[Any] | None:
        return None

    return check_any


class TypeCompiler:
    """Builds (and caches) one checker per (shape, position) for phase 1."""

    def __init__(self, package: str, opaque: frozenset[str]) -> None:
        self._package = package
        self._opaque = opaque
        self._cache: dict[tuple[str, bool], TypeCheck] = {}

    def checker(self, shape: Shape, element: bool) -> TypeCheck:
        """`element`: the value sits in a list or map (changes some texts), not in a field."""
        key = (shape.name, element)
        found = self._cache.get(key)
        if found is not None:
            return found
        cell: list[TypeCheck] = []

        def forward(v: Any) -> tuple[Any] | None:  # for recursive shapes, until built
            return cell[0](v)

        self._cache[key] = forward
        built = self._build(shape, element)
        cell.append(built)
        self._cache[key] = built
        return built

    def _build(self, shape: Shape, element: bool) -> TypeCheck:
        kind = shape.type_name
        if kind == "structure":
            return self._structure(shape, element)
        if kind == "list":
            return self._list(shape, element)
        if kind == "map":
            return self._map(shape, element)
        return _scalar(shape)

    def _structure(self, shape: Shape, element: bool) -> TypeCheck:
        misplaced = UNEXPECTED_VALUE if element else UNEXPECTED_FIELD
        as_list = "Unrecognized collection type " + java_type(shape, self._package)
        if shape.metadata.get("document"):
            return _scalar(shape)  # free-form JSON document: anything goes
        members: dict[str, TypeCheck] = {}
        if shape.name not in self._opaque:
            members = {n: self.checker(m, False) for n, m in shape.members.items()}  # type: ignore[attr-defined]
        get = members.get

        def check_structure(v: Any) -> tuple[Any] | None:
            if isinstance(v, dict):
                for name, x in v.items():
                    check = get(name)
                    if check is not None and x is not None:
                        fixed = check(x)
                        if fixed is not None:
                            v[name] = fixed[0]
                return None
            if isinstance(v, list | tuple):
                raise serialization(as_list)
            raise serialization(misplaced)

        return check_structure

    def _list(self, shape: Shape, element: bool) -> TypeCheck:
        misplaced = PARAMETERIZED_CAST if element else UNEXPECTED_FIELD
        item = self.checker(shape.member, True)  # type: ignore[attr-defined]

        def check_list(v: Any) -> tuple[Any] | None:
            if isinstance(v, list):
                for i, x in enumerate(v):
                    if x is not None:
                        fixed = item(x)
                        if fixed is not None:
                            v[i] = fixed[0]
                return None
            if isinstance(v, dict):
                raise serialization(OBJECT_NOT_EXPECTED)
            raise serialization(misplaced)

        return check_list

    def _map(self, shape: Shape, element: bool) -> TypeCheck:
        misplaced = PARAMETERIZED_CAST if element else UNEXPECTED_FIELD
        as_list = "Unrecognized collection type " + java_type(shape, self._package)
        item = self.checker(shape.value, True)  # type: ignore[attr-defined]

        def check_map(v: Any) -> tuple[Any] | None:
            if isinstance(v, dict):
                for k, x in v.items():
                    if x is not None:
                        fixed = item(x)
                        if fixed is not None:
                            v[k] = fixed[0]
                return None
            if isinstance(v, list | tuple):
                raise serialization(as_list)
            raise serialization(misplaced)

        return check_map
