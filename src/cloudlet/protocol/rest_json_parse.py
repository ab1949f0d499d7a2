"""Reading rest-json requests into the parameters dict of the operation's input shape.

https://smithy.io/2.0/aws/protocols/aws-restjson1-protocol.html: each input member is bound by
its `location` trait to a URI label (`uri`), a query parameter (`querystring`; a map there takes
the parameters no other member names), a header (`header`; `jsonvalue` strings are base64 JSON)
or a header prefix (`headers`); the rest come from the JSON body. An input whose structure names
a `payload` member takes the whole body as that member: raw bytes for a blob (text for a string),
the JSON document for a structure.

Values are converted to the model's types as a JSON request would carry them: integers, floats,
booleans, timestamps as epoch seconds (float), blobs as bytes.

Lambda's front end reads bodies with Jackson: its syntax errors are Jackson's texts with the
source excerpt (`Unrecognized token 'abc': was expecting (JSON String, Number, ...)\n at [Source:
(byte[])"..."; line: 1, column: 4]`, `Invalid UTF-8 start byte 0x97`, as live Invoke errors show).
A member of the wrong type is reported with Jackson's databind texts (`Cannot deserialize value
of type `java.lang.Integer` from String "abc": ...`) and Jackson's default coercions apply (a
number for a string, a numeric string for a number): Jackson's behaviour, not confirmed against
Lambda. The body reader raises `BodyError`, the service turns it into its error code.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import orjson

from cloudlet.protocol.models import ServiceModel, Shape
from cloudlet.protocol.validate_render import JAVA_CLASS

Convert = Callable[[Any], Any]

INTEGRAL = {
    "integer": ("int", 2**31), "long": ("long", 2**63), "short": ("short", 2**15), "byte": ("byte", 2**7),
    "biginteger": ("BigInteger", 0),
}
FLOATING = ("float", "double", "bigdecimal")
INT_TEXT = re.compile(r"[+-]?[0-9]+")
NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_BASE64_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
_VALID_VALUE = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"


class BodyError(Exception):
    """The body is not JSON, or a member does not fit its type (Jackson's text)."""


class ParamError(Exception):
    """A URI label, query parameter or header does not convert to its member's type."""


# -- JSON bodies -------------------------------------------------------------------------------


def parse_json(body: bytes) -> Any:
    """The decoded document, or BodyError with Jackson's text for the syntax error."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as e:
        raise BodyError(jackson_syntax(body, e.msg, e.pos)) from None


def jackson_syntax(body: bytes, problem: str, pos: int) -> str:
    """Jackson's JsonParseException text for the error orjson found at character `pos`."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as u:
        bad = body[u.start]
        if 0x80 <= bad < 0xC0 or bad >= 0xF8 or u.start + 1 >= len(body):
            return _located(body, f"Invalid UTF-8 start byte 0x{bad:02x}", u.start + 1)
        return _located(body, f"Invalid UTF-8 middle byte 0x{body[u.start + 1]:02x}", u.start + 2)
    ch = text[pos] if 0 <= pos < len(text) else ""
    if not ch or "end of data" in problem:
        kind = "Object" if text.lstrip()[:1] == "{" else "Array"
        return _located(body, f"Unexpected end-of-input: expected close marker for {kind}", len(text))
    if "trailing comma" in problem:  # Jackson sees the closer where a name or value must follow
        rest = text[pos + 1 :].lstrip()
        closer = rest[:1] or ch
        expect = "was expecting double-quote to start field name" if closer == "}" else \
            f"expected a valid value {_VALID_VALUE}"
        return _located(body, f"Unexpected character ({_char(closer)}): {expect}", len(text) - len(rest) + 1)
    if ch.isalpha() and ("JSON value" in problem or "invalid literal" in problem or "after document" in problem):
        word = re.match(r"[\w$]+", text[pos:])
        token = word.group(0) if word else ch
        return _located(body, f"Unrecognized token '{token}': was expecting {_VALID_VALUE}", pos + len(token) + 1)
    expect = {
        "string key": "was expecting double-quote to start field name",
        "':'": "was expecting a colon to separate field name and value",
        "',' or '}'": "was expecting comma to separate Object entries",
        "',' or ']'": "was expecting comma to separate Array entries",
        "after document": "Expected space separating root-level values",
    }
    for key, words in expect.items():
        if key in problem:
            return _located(body, f"Unexpected character ({_char(ch)}): {words}", pos + 1)
    if "control character" in problem:
        words = f"Illegal unquoted character ((CTRL-CHAR, code {ord(ch)})): has to be escaped using " \
            "backslash to be included in string value"
        return _located(body, words, pos + 1)
    if "escape" in problem:
        return _located(body, f"Unrecognized character escape {_char(ch)}", pos + 1)
    if "digit after sign" in problem:
        words = "in numeric value: expected digit (0-9) to follow minus sign, for valid numeric value"
        return _located(body, f"Unexpected character ({_char(ch)}) {words}", pos + 1)
    if "leading zero" in problem:
        return _located(body, "Invalid numeric value: Leading zeroes not allowed", pos + 1)
    return _located(body, f"Unexpected character ({_char(ch)}): expected a valid value {_VALID_VALUE}", pos + 1)


def _char(ch: str) -> str:
    return f"'{ch}' (code {ord(ch)})" if ch >= " " else f"(CTRL-CHAR, code {ord(ch)})"


def _located(body: bytes, message: str, end: int) -> str:
    """`message` with Jackson's location: the source (500 characters at most), and the line and
    column where the parser stopped (`end`: 1-based offset of the character it stopped after)."""
    text = body.decode("utf-8", "replace")
    line = text.count("\n", 0, max(end - 1, 0)) + 1
    column = end - (text.rfind("\n", 0, max(end - 1, 0)) + 1)
    more = f"[truncated {len(body) - len(text[:500].encode())} bytes]" if len(text) > 500 else ""
    return f'{message}\n at [Source: (byte[])"{text[:500]}"{more}; line: {line}, column: {column}]'


def _java(shape: Shape, package: str) -> str:
    kind = shape.type_name
    if kind == "structure":
        return f"{package}.{shape.name}"
    if kind == "list":
        return f"java.util.List<{_java(shape.member, package)}>"
    if kind == "map":
        return f"java.util.Map<java.lang.String,{_java(shape.value, package)}>"
    return JAVA_CLASS.get(kind, "java.lang.Object")


def _token(value: Any) -> tuple[str, str]:
    if isinstance(value, dict):
        return "Object", "START_OBJECT"
    if isinstance(value, list):
        return "Array", "START_ARRAY"
    if isinstance(value, str):
        return "String", "VALUE_STRING"
    if value is True or value is False:
        return "Boolean", "VALUE_TRUE" if value else "VALUE_FALSE"
    if isinstance(value, int):
        return "Integer", "VALUE_NUMBER_INT"
    return "Floating-point", "VALUE_NUMBER_FLOAT"


def mismatch(value: Any, java: str, structure: bool = False) -> BodyError:
    kind, token = _token(value)
    if kind == "String" and structure:
        text = value if len(value) <= 100 else value[:100] + "..."
        return BodyError(f"Cannot construct instance of `{java}` (although at least one Creator exists): no "
                         f"String-argument constructor/factory method to deserialize from String value ('{text}')")
    if kind == "String":
        text = value if len(value) <= 100 else value[:100] + "..."
        return BodyError(f'Cannot deserialize value of type `{java}` from String "{text}": not a valid `{java}` value')
    return BodyError(f"Cannot deserialize value of type `{java}` from {kind} value (token `JsonToken.{token}`)")


class BodyReader:
    """Converters from decoded JSON to model values, one per (shape, timestamp format), cached."""

    def __init__(self, model: ServiceModel) -> None:
        prefix = model.metadata.get("endpointPrefix") or model.service_name
        self._package = f"com.amazonaws.services.{prefix}.model"
        self._cache: dict[tuple[str, str | None], Convert] = {}

    def converter(self, shape: Shape) -> Convert:
        key = (shape.name, shape.serialization.get("timestampFormat"))
        found = self._cache.get(key)
        if found is not None:
            return found
        cell: list[Convert] = []
        self._cache[key] = lambda v: cell[0](v)  # recursive shapes, until built
        built = self._build(shape)
        cell.append(built)
        self._cache[key] = built
        return built

    def structure(self, shape: Shape, members: dict[str, Shape]) -> Convert:
        """A structure's converter over some of its members (the body-bound ones)."""
        java = _java(shape, self._package)
        table = {m.serialization.get("locationName", n): (n, self.converter(m)) for n, m in members.items()}
        get = table.get

        def structure(v: Any) -> dict[str, Any]:
            if type(v) is not dict:
                raise mismatch(v, java, True)
            out: dict[str, Any] = {}
            for k, x in v.items():
                entry = get(k)
                if entry is not None and x is not None:
                    out[entry[0]] = entry[1](x)
            return out

        return structure

    def _build(self, shape: Shape) -> Convert:
        kind = shape.type_name
        java = _java(shape, self._package)
        if kind == "structure":
            if shape.metadata.get("document"):
                return _same
            return self.structure(shape, shape.members)
        if kind == "list":
            item = self.converter(shape.member)

            def as_list(v: Any) -> list[Any]:
                if type(v) is not list:
                    raise mismatch(v, java)
                return [None if x is None else item(x) for x in v]

            return as_list
        if kind == "map":
            value = self.converter(shape.value)

            def as_map(v: Any) -> dict[str, Any]:
                if type(v) is not dict:
                    raise mismatch(v, java)
                return {k: None if x is None else value(x) for k, x in v.items()}

            return as_map
        return _json_scalar(kind, java)


def _same(v: Any) -> Any:
    return v


def _json_scalar(kind: str, java: str) -> Convert:
    if kind == "string":

        def string(v: Any) -> str:
            if type(v) is str:
                return v
            if v is True or v is False:
                return "true" if v else "false"
            if isinstance(v, int | float):
                return str(v)  # Jackson's scalar coercion
            raise mismatch(v, java)

        return string
    if kind in INTEGRAL:
        name, bound = INTEGRAL[kind]

        def integral(v: Any) -> int:
            if type(v) is int:
                n = v
            elif type(v) is float and v == v and abs(v) != float("inf"):
                n = int(v)
            elif type(v) is str and len(v) < 100 and INT_TEXT.fullmatch(v.strip()):
                n = int(v.strip())
            else:
                raise mismatch(v, java)
            if bound and not -bound <= n < bound:
                raise BodyError(f"Numeric value ({v}) out of range of {name} ({-bound} - {bound - 1})")
            return n

        return integral
    if kind in FLOATING:

        def floating(v: Any) -> float:
            if type(v) is int or type(v) is float:
                return float(v)
            if type(v) is str and NUMBER_TEXT.fullmatch(v.strip()):
                return float(v)
            raise mismatch(v, java)

        return floating
    if kind == "boolean":

        def boolean(v: Any) -> bool:
            if v is True or v is False:
                return v
            if type(v) is str and v.lower() in ("true", "false"):
                return v.lower() == "true"
            raise mismatch(v, java)

        return boolean
    if kind == "blob":

        def blob(v: Any) -> bytes:
            if type(v) is not str:
                raise mismatch(v, java)
            problem = base64_problem(v)
            if problem:
                raise BodyError(f"Failed to decode VALUE_STRING as base64 (MIME-NO-LINEFEEDS): {problem}")
            return base64.b64decode(v)

        return blob
    if kind == "timestamp":

        def timestamp(v: Any) -> float:
            if type(v) is int or type(v) is float:
                return float(v)
            if type(v) is str:
                seconds = parse_timestamp(v)
                if seconds is not None:
                    return seconds
            raise mismatch(v, java)

        return timestamp
    return _same


def base64_problem(text: str) -> str | None:
    """Why Jackson's base64 decoder rejects `text`, or None."""
    data = text.encode("utf-8", "surrogatepass")
    for i, b in enumerate(data):
        if b not in _BASE64_ALPHABET:
            return f"Illegal character '{chr(b)}' (code 0x{b:x}) in base64 content" if b > 32 else \
                f"Illegal white space character (code 0x{b:x}) as character #{i + 1} of 4-char base64 unit: " \
                "can only used between units"
    if len(data) % 4:
        return "Unexpected end of base64-encoded String: base64 variant 'MIME-NO-LINEFEEDS' expects padding " \
            "(one or more '=' characters) at the end"
    try:
        base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return "Unexpected padding character ('=') as character #1 of 4-char base64 unit: padding only legal " \
            "as 3rd or 4th character"
    return None


def parse_timestamp(text: str) -> float | None:
    """Epoch seconds of an epoch-seconds number, an ISO 8601 or an RFC 7231 date; else None."""
    text = text.strip()
    if NUMBER_TEXT.fullmatch(text):
        return float(text)
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        return when.timestamp()
    except (OverflowError, OSError, ValueError):
        return None
