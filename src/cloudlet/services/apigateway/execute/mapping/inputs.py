"""`$input`: the payload and the method request parameters.

https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html#input-variable-reference

The body is parsed at most once per render, and only if a template asks for `path()` or `json()`.
An empty body reads as `{}` (API Gateway's `$input.json('$')` of a GET is `{}`); a body that is not
JSON is, at the root, the body text itself.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

from cloudlet.services.apigateway.execute.mapping.jsonpath import MISSING, compile_path
from cloudlet.services.apigateway.execute.mapping.values import HeaderMap, JMap, to_java

_NOT_PARSED: Any = object()
_NOT_JSON: Any = object()
_EXPOSED = frozenset(("body", "json", "path", "params"))


def _dumps(v: Any) -> str:
    try:
        return orjson.dumps(v).decode()
    except TypeError:  # ints past 64 bits, which orjson refuses
        return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


# 19 digits in a row (written as a lookahead: 3x faster to search than `\d{19}`)
_LONG_DIGITS = re.compile(r"[0-9](?=[0-9]{18})")


def parse_json(text: str) -> Any:
    """orjson for speed; the json module when the text may hold integers past 64 bits, which orjson would
    turn into floats (Jayway keeps them exact)."""
    if _LONG_DIGITS.search(text):
        return json.loads(text)
    return orjson.loads(text)


class Input:
    __slots__ = ("_all", "_doc", "_params", "body")

    def __init__(self, body: str, params: dict[str, dict[str, str]]) -> None:
        self.body = body
        self._params = params
        self._doc: Any = _NOT_PARSED
        self._all: JMap | None = None

    # airspeed tries `obj[name]` before attributes: answering here skips an exception per call and
    # exposes only $input's documented members.
    def __getitem__(self, name: str) -> Any:
        if name in _EXPOSED:
            return getattr(self, name)
        raise KeyError(name)

    def _document(self) -> Any:
        if self._doc is _NOT_PARSED:
            text = self.body
            if not text or text.isspace():
                self._doc = {}
            else:
                try:
                    self._doc = parse_json(text)
                except ValueError:
                    self._doc = _NOT_JSON
        return self._doc

    def _find(self, path: Any) -> Any:
        compiled = compile_path(path if isinstance(path, str) else str(path))
        doc = self._document()
        if doc is _NOT_JSON:
            return self.body if compiled.definite and not compiled.steps else MISSING
        return compiled.find(doc)

    def path(self, path: Any) -> Any:
        """The JSONPath result as a template value (Map, List, string, number); null when nothing matches."""
        found = self._find(path)
        return None if found is MISSING else to_java(found)

    def json(self, path: Any) -> str:
        """The JSONPath result serialized as JSON."""
        found = self._find(path)
        if found is MISSING:
            return '""'
        return _dumps(found)

    def params(self, name: Any = None) -> Any:
        """All parameters (`{path, querystring, header}`) or one by name: path, then query string, then header."""
        if name is None:
            if self._all is None:
                p = self._params
                self._all = JMap(
                    path=JMap(p.get("path") or {}),
                    querystring=JMap(p.get("querystring") or {}),
                    header=HeaderMap(p.get("header") or {}),
                )
            return self._all
        key = name if isinstance(name, str) else str(name)
        p = self._params
        for kind in ("path", "querystring"):
            values = p.get(kind)
            if values and key in values:
                return values[key]
        headers = p.get("header")
        if headers:
            if key in headers:
                return headers[key]
            low = key.lower()
            for k, v in headers.items():
                if k.lower() == low:
                    return v
        return ""
