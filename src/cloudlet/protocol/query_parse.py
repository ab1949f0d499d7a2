"""AWS query protocol requests: a form-encoded body (or query string) into a parameters dict.

`Action=CreateRole&Version=2010-05-08&RoleName=r&Tags.member.1.Key=a&Tags.member.1.Value=b`
becomes `{"RoleName": "r", "Tags": [{"Key": "a", "Value": "b"}]}`, the dict a JSON-protocol
request for the same input shape would decode to, driven by the botocore input shape
(https://smithy.io/2.0/aws/protocols/aws-query-protocol.html):

- structure members `A.B` (a member's `locationName` replaces its name);
- lists `Name.member.N` (`member` replaced by the list member's `locationName`), or, flattened,
  `Name.N` (with `Name` replaced by the list member's `locationName` if it has one); a bare
  `Name=` is an empty list;
- maps `Name.entry.N.key` / `Name.entry.N.value` (`key` / `value` replaced by the key and value
  `locationName`s), or, flattened, `Name.N.key` / `Name.N.value`;
- scalars converted to the shape's type: integer/long (Java `parseInt`/`parseLong` syntax and
  range), float/double, boolean (`true`/`false`, any case), timestamp (ISO 8601 or epoch
  seconds; epoch seconds in the dict, as a JSON request carries them), blob (base64, decoded to
  bytes).

As AWS does, the first of repeated parameters wins, parameters the shape does not know are
ignored, list elements are taken in index order, and a scalar that does not convert is a
`MalformedInput` error (AWS's reader words it only for an empty number).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_to_bytes

from cloudlet.protocol.errors import AwsError
from cloudlet.protocol.models import ServiceModel, Shape

# A parsed form as a tree: each dotted key component is a level; a leaf is the (first) value.
Node = dict[Any, Any]  # str keys, and None for a value that also has sub-names
Convert = Callable[[Any], Any]

MALFORMED = "MalformedInput"
EMPTY_NUMBER = "missing value for decimal type"  # AWS STS, AssumeRole with DurationSeconds=""

_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_RANGES = {
    "byte": (-(2**7), 2**7 - 1),
    "short": (-(2**15), 2**15 - 1),
    "integer": (-(2**31), 2**31 - 1),
    "long": (-(2**63), 2**63 - 1),
}


def malformed(message: str = "") -> AwsError:
    return AwsError(MALFORMED, message)


def decode_form(data: bytes, pairs: list[tuple[str, str]]) -> None:
    """Append the `name=value` pairs of an application/x-www-form-urlencoded string to `pairs`
    (`+` is a space, `%XX` an escaped byte, text UTF-8; a name without `=` has value "")."""
    for piece in data.split(b"&"):
        if not piece:
            continue
        name, _, value = piece.partition(b"=")
        pairs.append((_unescape(name), _unescape(value)))


def _unescape(raw: bytes) -> str:
    if b"%" in raw or b"+" in raw:
        raw = unquote_to_bytes(raw.replace(b"+", b" "))
    return raw.decode("utf-8", "replace")


def build_tree(pairs: list[tuple[str, str]]) -> Node:
    """Nest dotted names: `Tags.member.1.Key=a` -> {"Tags": {"member": {"1": {"Key": "a"}}}}.
    The first value of a repeated name wins. A name with both a value and sub-names
    (`RoleName=a&RoleName.x=b`) becomes a level keeping its value under the key None."""
    root: Node = {}
    for name, value in pairs:
        if "." not in name:
            _put(root, name, value)
            continue
        *path, last = name.split(".")
        node = root
        for part in path:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {} if child is None else {None: child}
            node = child
        _put(node, last, value)
    return root


def _put(node: Node, name: str, value: str) -> None:
    found = node.get(name)
    if found is None:
        node[name] = value
    elif isinstance(found, dict) and None not in found:
        found[None] = value


def _indexed(node: Any) -> list[Any]:
    """The values of a `{"1": ..., "2": ...}` level in index order (other names ignored)."""
    if not isinstance(node, dict):
        return []
    keyed = [(int(k), v) for k, v in node.items() if k is not None and k.isascii() and k.isdigit()]
    keyed.sort(key=lambda kv: kv[0])
    return [v for _, v in keyed]


class FormReader:
    """Reads query-protocol parameter trees against a service model's input shapes."""

    def __init__(self, model: ServiceModel) -> None:
        self._model = model
        self._converters: dict[tuple[str, bool], Convert] = {}
        self._inputs: dict[str, Convert | None] = {}

    def read(self, operation: str, tree: Node) -> dict[str, Any]:
        """The parameters of `operation` in `tree` (from `build_tree`). Raises only AwsError."""
        convert = self._inputs.get(operation, _UNSET)
        if convert is _UNSET:
            shape = self._model.operation_model(operation).input_shape
            convert = self._inputs[operation] = None if shape is None else self.converter(shape)
        if convert is None:
            return {}
        try:
            return convert(tree)  # type: ignore[no-any-return]
        except RecursionError:  # a recursive shape nested absurdly deep
            raise malformed() from None

    def converter(self, shape: Shape) -> Convert:
        """A function from a tree node (a str leaf or a dict level) to the shape's value; it
        returns None for a node of the wrong kind (a member then counts as absent)."""
        key = (shape.name, bool(shape.serialization.get("flattened")))
        found = self._converters.get(key)
        if found is not None:
            return found
        # Recursive shapes reach this key again while it compiles: hand them a forwarder.
        late: list[Convert] = []
        self._converters[key] = lambda node: late[0](node)
        built = self._build(shape)
        late.append(built)
        self._converters[key] = built
        return built

    def _build(self, shape: Shape) -> Convert:
        kind = shape.type_name
        if kind == "structure":
            return self._structure(shape)
        if kind == "list":
            return self._list(shape)
        if kind == "map":
            return self._map(shape)
        return _scalar(shape)

    def _structure(self, shape: Shape) -> Convert:
        members = [(name, wire_name(name, m), self.converter(m)) for name, m in shape.members.items()]

        def structure(node: Any) -> dict[str, Any] | None:
            if not isinstance(node, dict):
                return None
            out: dict[str, Any] = {}
            for name, wire, convert in members:
                raw = node.get(wire)
                if raw is not None:
                    value = convert(raw)
                    if value is not None:
                        out[name] = value
            return out

        return structure

    def _list(self, shape: Shape) -> Convert:
        element = self.converter(shape.member)
        flattened = bool(shape.serialization.get("flattened"))
        member_name = shape.member.serialization.get("locationName", "member")

        def list_(node: Any) -> list[Any] | None:
            if isinstance(node, str):
                return []  # `Name=`: the query protocol's empty list
            items = _indexed(node if flattened else node.get(member_name))
            return [v for v in map(element, items) if v is not None]

        return list_

    def _map(self, shape: Shape) -> Convert:
        key_of = self.converter(shape.key)
        value_of = self.converter(shape.value)
        flattened = bool(shape.serialization.get("flattened"))
        key_name = shape.key.serialization.get("locationName", "key")
        value_name = shape.value.serialization.get("locationName", "value")

        def map_(node: Any) -> dict[Any, Any] | None:
            if isinstance(node, str):
                return {}
            out: dict[Any, Any] = {}
            for entry in _indexed(node if flattened else node.get("entry")):
                if not isinstance(entry, dict):
                    continue
                raw_key, raw_value = entry.get(key_name), entry.get(value_name)
                if raw_key is None or raw_value is None:
                    continue
                k, v = key_of(raw_key), value_of(raw_value)
                if k is not None and v is not None:
                    out[k] = v
            return out

        return map_


_UNSET: Any = object()


def wire_name(name: str, member: Shape) -> str:
    """The name a structure member goes by on the wire (and as an XML element)."""
    if member.type_name == "list" and member.serialization.get("flattened"):
        flat = member.member.serialization.get("locationName")
        if flat:
            return str(flat)
    return str(member.serialization.get("locationName", name))


def _scalar(shape: Shape) -> Convert:
    kind = shape.type_name
    if kind in _RANGES:
        low, high = _RANGES[kind]

        def integer(node: Any) -> int | None:
            if not isinstance(node, str):
                node = _value(node)
                if node is None:
                    return None
            if not _INTEGER.fullmatch(node):
                raise malformed(EMPTY_NUMBER if node == "" else "")
            value = int(node)
            if not low <= value <= high:
                raise malformed()
            return value

        return integer
    if kind in ("float", "double"):

        def decimal(node: Any) -> float | None:
            if not isinstance(node, str):
                node = _value(node)
                if node is None:
                    return None
            if not _DECIMAL.fullmatch(node):
                raise malformed(EMPTY_NUMBER if node == "" else "")
            return float(node)

        return decimal
    if kind == "boolean":

        def boolean(node: Any) -> bool | None:
            if not isinstance(node, str):
                node = _value(node)
                if node is None:
                    return None
            word = node.lower()
            if word == "true":
                return True
            if word == "false":
                return False
            raise malformed()

        return boolean
    if kind == "timestamp":
        return _timestamp
    if kind == "blob":
        return _blob
    return _string


def _value(node: Any) -> str | None:
    """The value given to a name that also has sub-names, if any."""
    return node.get(None) if isinstance(node, dict) else None


def _string(node: Any) -> str | None:
    return node if isinstance(node, str) else _value(node)


def _timestamp(node: Any) -> float | None:
    if not isinstance(node, str):
        node = _value(node)
        if node is None:
            return None
    if _DECIMAL.fullmatch(node):
        return float(node)
    try:
        when = datetime.fromisoformat(node)
    except ValueError:
        raise malformed() from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        return when.timestamp()
    except (OverflowError, ValueError, OSError):
        raise malformed() from None


def _blob(node: Any) -> bytes | None:
    if not isinstance(node, str):
        node = _value(node)
        if node is None:
            return None
    try:
        return base64.b64decode(node.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise malformed() from None
