"""AWS query protocol responses: an operation's output dict as XML, and `<ErrorResponse>`s.

    <GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
      <GetRoleResult>
        <Role>
          <Path>/</Path>
          ...
          <Tags>
            <member>
              <Key>a</Key>
              <Value>b</Value>
            </member>
          </Tags>
        </Role>
      </GetRoleResult>
      <ResponseMetadata>
        <RequestId>...</RequestId>
      </ResponseMetadata>
    </GetRoleResponse>

Indented two spaces per level, no XML declaration, as IAM and STS answer. Structures list their
members in model order (a member's `locationName` names its element); lists wrap their elements
in `<member>` (or the list member's `locationName`), flattened lists repeat the element in place;
maps are `<entry><key/><value/></entry>` (with the key/value `locationName`s; flattened: the map's
element repeated, one per entry). Scalars: booleans `true`/`false`; timestamps ISO 8601 with
milliseconds and `Z` (from a datetime, epoch seconds, or a string passed through); blobs base64
(bytes encoded, a string passed through as already encoded). Members that are None or unknown to
the shape are left out; empty lists, maps and structures are `<Name/>`.
"""

from __future__ import annotations

import base64
import math
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from cloudlet.protocol.errors import AwsError
from cloudlet.protocol.models import ServiceModel, Shape
from cloudlet.protocol.query_parse import wire_name

# Writes `value` as the element `name` at indentation `indent` onto `out`.
Write = Callable[[str, Any, list[str], str], None]

STEP = "  "


def escape(text: str) -> str:
    """XML character data; a carriage return is kept as a reference (parsers normalize a raw one)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#xD;")
    if _NOT_XML.search(text):
        # Characters XML 1.0 cannot carry, raw or as references (e.g. a control character echoed
        # from a bad parameter in an error message): U+FFFD, so the document stays well-formed.
        text = _NOT_XML.sub("\ufffd", text)
    return text


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def iso8601(value: Any) -> str:
    """`2026-01-02T03:04:05.678Z` from a datetime (naive means UTC) or epoch seconds; a string
    is passed through."""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.strftime("%Y-%m-%dT%H:%M:%S") + f".{value.microsecond // 1000:03d}Z"
    seconds, millis = divmod(round(float(value) * 1000), 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


def _text_boolean(value: Any) -> str:
    if isinstance(value, str):
        return value.lower()
    return "true" if value else "false"


def _text_integer(value: Any) -> str:
    return str(int(value)) if not isinstance(value, str) else value


def _text_float(value: Any) -> str:
    if isinstance(value, str):
        return value
    number = float(value)
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    return repr(number)


def _text_blob(value: Any) -> str:
    if isinstance(value, str):
        return value
    return base64.b64encode(bytes(value)).decode("ascii")


def _text_string(value: Any) -> str:
    return escape(value if isinstance(value, str) else str(value))


_TEXT: dict[str, Callable[[Any], str]] = {
    "boolean": _text_boolean,
    "integer": _text_integer,
    "long": _text_integer,
    "short": _text_integer,
    "byte": _text_integer,
    "float": _text_float,
    "double": _text_float,
    "timestamp": iso8601,
    "blob": _text_blob,
}


class XmlWriter:
    """Renders query-protocol responses for one service model (writers compiled per shape)."""

    def __init__(self, model: ServiceModel, xmlns: str) -> None:
        self._model = model
        self.xmlns = xmlns
        self._writers: dict[tuple[str, bool], Write] = {}
        self._outputs: dict[str, tuple[Shape | None, str | None]] = {}

    # -- documents -------------------------------------------------------------------------------

    def response(self, operation: str, result: dict[str, Any] | None, request_id: str) -> bytes:
        shape, wrapper = self._output(operation)
        out = [f'<{operation}Response xmlns="{self.xmlns}">\n']
        if shape is not None:
            write = self.writer(shape)
            if wrapper is not None:
                write(wrapper, result or {}, out, STEP)
            elif result:  # no wrapper: the members sit in the response element itself
                inner: list[str] = []
                write("_", result, inner, "")
                out.extend(inner[1:-1])  # without the stand-in element's own tags
        out.append(f"{STEP}<ResponseMetadata>\n{STEP}{STEP}<RequestId>{escape(request_id)}</RequestId>\n"
                   f"{STEP}</ResponseMetadata>\n</{operation}Response>\n")
        return "".join(out).encode()

    def error(self, e: AwsError, request_id: str, xmlns: str | None = None) -> bytes:
        fault = "Sender" if e.sender_fault else "Receiver"
        out = [
            f'<ErrorResponse xmlns="{xmlns or self.xmlns}">\n{STEP}<Error>\n',
            f"{STEP}{STEP}<Type>{fault}</Type>\n{STEP}{STEP}<Code>{escape(e.code)}</Code>\n",
        ]
        if e.message:
            out.append(f"{STEP}{STEP}<Message>{escape(e.message)}</Message>\n")
        for name, value in (e.extra or {}).items():
            if value is not None and not isinstance(value, dict | list):
                out.append(f"{STEP}{STEP}<{name}>{_text_string(value)}</{name}>\n")
        out.append(f"{STEP}</Error>\n{STEP}<RequestId>{escape(request_id)}</RequestId>\n</ErrorResponse>\n")
        return "".join(out).encode()

    def _output(self, operation: str) -> tuple[Shape | None, str | None]:
        found = self._outputs.get(operation)
        if found is None:
            ref = self._model.operations[operation].get("output")
            shape = self._model.resolve(ref) if ref else None
            found = self._outputs[operation] = (shape, ref.get("resultWrapper") if ref else None)
        return found

    # -- compilation -----------------------------------------------------------------------------

    def writer(self, shape: Shape) -> Write:
        key = (shape.name, bool(shape.serialization.get("flattened")))
        found = self._writers.get(key)
        if found is not None:
            return found
        late: list[Write] = []  # recursive shapes get a forwarder while this one compiles
        self._writers[key] = lambda name, value, out, indent: late[0](name, value, out, indent)
        built = self._build(shape)
        late.append(built)
        self._writers[key] = built
        return built

    def _build(self, shape: Shape) -> Write:
        kind = shape.type_name
        if kind == "structure":
            return self._structure(shape)
        if kind == "list":
            return self._list(shape)
        if kind == "map":
            return self._map(shape)
        text = _TEXT.get(kind, _text_string)

        def scalar(name: str, value: Any, out: list[str], indent: str) -> None:
            out.append(f"{indent}<{name}>{text(value)}</{name}>\n")

        return scalar

    def _structure(self, shape: Shape) -> Write:
        members = [(name, wire_name(name, m), self.writer(m)) for name, m in shape.members.items()]

        def structure(name: str, value: Any, out: list[str], indent: str) -> None:
            mark = len(out)
            out.append(f"{indent}<{name}>\n")
            inner = indent + STEP
            for member, element, write in members:
                v = value.get(member)
                if v is not None:
                    write(element, v, out, inner)
            if len(out) == mark + 1:
                out[mark] = f"{indent}<{name}/>\n"
            else:
                out.append(f"{indent}</{name}>\n")

        return structure

    def _list(self, shape: Shape) -> Write:
        element = self.writer(shape.member)
        if shape.serialization.get("flattened"):

            def flattened(name: str, value: Any, out: list[str], indent: str) -> None:
                for item in value:
                    if item is not None:
                        element(name, item, out, indent)

            return flattened
        member_name = str(shape.member.serialization.get("locationName", "member"))

        def wrapped(name: str, value: Any, out: list[str], indent: str) -> None:
            if not value:
                out.append(f"{indent}<{name}/>\n")
                return
            out.append(f"{indent}<{name}>\n")
            inner = indent + STEP
            for item in value:
                if item is not None:
                    element(member_name, item, out, inner)
            out.append(f"{indent}</{name}>\n")

        return wrapped

    def _map(self, shape: Shape) -> Write:
        key_write, value_write = self.writer(shape.key), self.writer(shape.value)
        key_name = str(shape.key.serialization.get("locationName", "key"))
        value_name = str(shape.value.serialization.get("locationName", "value"))
        flattened = bool(shape.serialization.get("flattened"))

        def map_(name: str, value: Any, out: list[str], indent: str) -> None:
            if flattened:
                entry_name, entry_indent = name, indent
            else:
                if not value:
                    out.append(f"{indent}<{name}/>\n")
                    return
                out.append(f"{indent}<{name}>\n")
                entry_name, entry_indent = "entry", indent + STEP
            inner = entry_indent + STEP
            for k, v in value.items():
                if v is None:
                    continue
                out.append(f"{entry_indent}<{entry_name}>\n")
                key_write(key_name, k, out, inner)
                value_write(value_name, v, out, inner)
                out.append(f"{entry_indent}</{entry_name}>\n")
            if not flattened:
                out.append(f"{indent}</{name}>\n")

        return map_
