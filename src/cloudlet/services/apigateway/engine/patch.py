"""`patchOperations` (JSON Patch, RFC 6902, as API Gateway's Update* operations take it) over a
wire-shape dict, with a table of the paths each resource lets a client change.

    table = PatchTable(Field("/name"), Field("/apiKeyRequired", to_bool), Entry("/requestModels/{contentType}"))
    method = table.apply(method, p.get("patchOperations") or [])   # a changed copy; the input is untouched

Paths are JSON Pointers: `/requestTemplates/application~1json` names the key "application/json" (`~1`
stands for "/", `~0` for "~"). Values are always strings on the wire and are converted per path.
A path that no rule of the table accepts for the operation answers AWS's text, listing the paths
that take that operation: "Invalid patch path  '/foo' specified for op 'replace'. Must be one of:
[/name, /description]" (two spaces, as AWS writes it), or "... Please choose supported operations"
when the resource takes that operation on no path (boto/boto3#2504).
https://docs.aws.amazon.com/apigateway/latest/api/patch-operations.html
https://docs.aws.amazon.com/apigateway/latest/api/API_PatchOperation.html
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

from cloudlet.services.apigateway.engine.errors import bad_request

Doc = dict[str, Any]
OPS = ("add", "remove", "replace", "move", "copy", "test")
Convert = Callable[[str, str], Any]  # (value, path) -> the stored value
ALL = frozenset(("add", "replace", "remove"))
REPLACE = frozenset(("replace",))


def unescape(segment: str) -> str:
    """A JSON Pointer reference token's text (RFC 6901: `~1` first, then `~0`)."""
    return segment.replace("~1", "/").replace("~0", "~")


def escape(text: str) -> str:
    return text.replace("~", "~0").replace("/", "~1")


# -- value conversions ------------------------------------------------------------------------


def to_str(value: str, path: str) -> str:
    return value


def to_bool(value: str, path: str) -> bool:
    word = value.strip().lower()
    if word in ("true", "false"):
        return word == "true"
    raise bad_request(f"Invalid boolean value '{value}' for patch path {path}")  # (unconfirmed)


def to_int(value: str, path: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise bad_request(f"Invalid integer value '{value}' for patch path {path}") from None  # (unconfirmed)


def to_float(value: str, path: str) -> float:
    try:
        return float(value.strip())
    except ValueError:
        raise bad_request(f"Invalid number value '{value}' for patch path {path}") from None  # (unconfirmed)


def one_of(*choices: str) -> Convert:
    def convert(value: str, path: str) -> str:
        if value not in choices:
            raise bad_request(f"Invalid value '{value}' for patch path {path}: must be one of "  # (unconfirmed)
                              f"[{', '.join(choices)}]")
        return value

    return convert


# -- rules ------------------------------------------------------------------------------------


class Rule:
    """One changeable path (display form with `{name}` wildcards, e.g. `/requestTemplates/{contentType}`)
    and the operations it takes."""

    def __init__(self, path: str, ops: Iterable[str] = REPLACE) -> None:
        self.path = path
        self.ops = frozenset(ops)
        parts = path[1:].split("/")
        self.literal = tuple(None if p.startswith("{") else p for p in parts)

    def match(self, segments: list[str]) -> tuple[str, ...] | None:
        """The wildcard values (unescaped) if the path's raw segments fit this rule."""
        if len(segments) != len(self.literal):
            return None
        captured = []
        for want, got in zip(self.literal, segments, strict=True):
            if want is None:
                captured.append(unescape(got))
            elif want != got:
                return None
        return tuple(captured)

    def apply(self, doc: Doc, captured: tuple[str, ...], op: str, value: str | None, path: str) -> None:
        """Each kind of rule below (Field, Entry, Item, Values, Index, Custom) makes its own change."""
        raise NotImplementedError

    def keys(self) -> list[str]:
        return [p for p in self.literal if p is not None]


def _container(doc: Doc, keys: list[str], create: bool) -> Doc | None:
    for k in keys:
        nxt = doc.get(k)
        if not isinstance(nxt, dict):
            if not create:
                return None
            nxt = doc[k] = {}
        doc = nxt
    return doc


class Field(Rule):
    """A scalar member, possibly nested (`/accessLogSettings/format`). Remove, a null value, or "" for
    a member that is not a string, unsets it."""

    def __init__(self, path: str, convert: Convert = to_str, ops: Iterable[str] = REPLACE) -> None:
        super().__init__(path, ops)
        self.convert = convert

    def apply(self, doc: Doc, captured: tuple[str, ...], op: str, value: str | None, path: str) -> None:
        *outer, last = self.keys()
        if op == "remove" or value is None or (value == "" and self.convert is not to_str):
            holder = _container(doc, outer, create=False)
            if holder is not None:
                holder.pop(last, None)
            return
        holder = _container(doc, outer, create=True)
        assert holder is not None
        holder[last] = self.convert(value, path)


class Entry(Rule):
    """An entry of a string-keyed map, the last path segment naming the key
    (`/requestParameters/method.request.header.X`)."""

    def __init__(self, path: str, convert: Convert = to_str, ops: Iterable[str] = ALL) -> None:
        super().__init__(path, ops)
        self.convert = convert

    def apply(self, doc: Doc, captured: tuple[str, ...], op: str, value: str | None, path: str) -> None:
        key = captured[-1]
        if op == "remove":
            *outer, last = self.keys()
            parent = _container(doc, outer, create=False)
            holder = parent.get(last) if parent is not None else None
            if parent is not None and isinstance(holder, dict):
                holder.pop(key, None)
                if not holder:  # the last entry gone: the member goes too
                    del parent[last]
            return
        holder = _container(doc, self.keys(), create=True)
        assert holder is not None
        holder[key] = self.convert("" if value is None else value, path)


class Item(Rule):
    """A member of a list of strings named by the last path segment (`/binaryMediaTypes/image~1png`):
    add appends it once, remove takes it out."""

    def __init__(self, path: str, ops: Iterable[str] = ("add", "remove")) -> None:
        super().__init__(path, ops)

    def apply(self, doc: Doc, captured: tuple[str, ...], op: str, value: str | None, path: str) -> None:
        *outer, last = self.keys()
        _list_op(doc, outer, last, op, captured[-1])


class Values(Rule):
    """A list of strings changed by value (`/authorizationScopes` with value "email")."""

    def __init__(self, path: str, ops: Iterable[str] = ("add", "remove")) -> None:
        super().__init__(path, ops)

    def apply(self, doc: Doc, captured: tuple[str, ...], op: str, value: str | None, path: str) -> None:
        *outer, last = self.keys()
        if value is None:
            raise bad_request(f"Invalid null value for patch path {path}")  # (unconfirmed)
        if op == "replace":
            holder = _container(doc, outer, create=True)
            assert holder is not None
            holder[last] = [value]
            return
        _list_op(doc, outer, last, op, value)


def _list_op(doc: Doc, outer: list[str], last: str, op: str, item: str) -> None:
    holder = _container(doc, outer, create=op != "remove")
    if holder is None:
        return
    items = holder.get(last)
    if not isinstance(items, list):
        items = holder[last] = []
    if op == "remove":
        if item in items:
            items.remove(item)
        if not items:
            holder.pop(last, None)
    elif item not in items:
        items.append(item)


class Index(Rule):
    """An element of a list by position (`/endpointConfiguration/types/0`)."""

    def __init__(self, path: str, convert: Convert = to_str, ops: Iterable[str] = REPLACE) -> None:
        super().__init__(path, ops)
        self.convert = convert

    def apply(self, doc: Doc, captured: tuple[str, ...], op: str, value: str | None, path: str) -> None:
        *outer, last = self.keys()
        holder = _container(doc, outer, create=True)
        assert holder is not None
        items = holder.setdefault(last, [])
        try:
            i = int(captured[-1])
        except ValueError:
            raise bad_request(f"Invalid patch path {path}") from None  # (unconfirmed)
        if not 0 <= i <= len(items) or (value is None and op != "remove"):
            raise bad_request(f"Invalid patch path {path}")  # (unconfirmed)
        if op == "remove":
            if i < len(items):
                items.pop(i)
        elif i == len(items):
            items.append(self.convert(value or "", path))
        else:
            items[i] = self.convert(value or "", path)


class Custom(Rule):
    """A path whose change takes a function: fn(doc, captured, op, value, path)."""

    def __init__(self, path: str, fn: Callable[[Doc, tuple[str, ...], str, str | None, str], None],
                 ops: Iterable[str] = REPLACE) -> None:
        super().__init__(path, ops)
        self.fn = fn

    def apply(self, doc: Doc, captured: tuple[str, ...], op: str, value: str | None, path: str) -> None:
        self.fn(doc, captured, op, value, path)


# -- the table --------------------------------------------------------------------------------


def read_pointer(doc: Doc, pointer: str) -> Any:
    """The value a JSON Pointer names in doc (for `copy`/`move`'s `from`), or None."""
    node: Any = doc
    for raw in pointer[1:].split("/") if pointer.startswith("/") else []:
        key = unescape(raw)
        if isinstance(node, dict):
            node = node.get(key)
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return None
    return node


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class PatchTable:
    def __init__(self, *rules: Rule) -> None:
        self.rules = rules

    def apply(self, doc: Doc, operations: list[Doc]) -> Doc:
        """A deep copy of doc with the operations applied in order; raises BadRequestException (and
        leaves doc as it was) if any of them is invalid."""
        out = copy.deepcopy(doc)
        for operation in operations:
            self.apply_one(out, operation)
        return out

    def apply_one(self, doc: Doc, operation: Doc) -> None:
        if not isinstance(operation, dict):
            raise bad_request("Invalid patch operation specified: null")  # (unconfirmed)
        op = operation.get("op")
        path = operation.get("path")
        if op not in OPS:  # (unconfirmed text; the model's enum check answers first over the wire)
            raise bad_request("Invalid patch operation specified. Must be " + "|".join(f"'{o}'" for o in OPS))
        value = operation.get("value")
        shown = path if isinstance(path, str) else "null"
        segments = path[1:].split("/") if isinstance(path, str) and path.startswith("/") else None
        if segments is not None:
            for rule in self.rules:
                if op not in rule.ops:
                    continue
                captured = rule.match(segments)
                if captured is None:
                    continue
                if op == "copy":  # e.g. promoting a canary: copy /canarySettings/deploymentId to /deploymentId
                    source = operation.get("from")
                    if not isinstance(source, str):
                        raise bad_request("Invalid from path for op 'copy': null")  # (unconfirmed)
                    op, value = "replace", _text(read_pointer(doc, source))
                rule.apply(doc, captured, op, value, shown)
                return
        allowed = [r.path for r in self.rules if op in r.ops]
        start = f"Invalid patch path  '{shown}' specified for op '{op}'."
        if not allowed:
            raise bad_request(f"{start} Please choose supported operations")
        raise bad_request(f"{start} Must be one of: [{', '.join(allowed)}]")
