"""`$util`: the six helper functions API Gateway documents, with the Java libraries' exact output.

https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html#util-template-reference
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any
from urllib.parse import quote_plus, unquote_plus

from cloudlet.services.apigateway.execute.mapping.inputs import parse_json
from cloudlet.services.apigateway.execute.mapping.render import java_str
from cloudlet.services.apigateway.execute.mapping.values import to_java

# StringEscapeUtils.escapeJavaScript: quotes, backslash and slash get a backslash, control characters
# their short escape or \u00XX, and everything past U+007F a \uXXXX per UTF-16 unit.
_NEEDS_ESCAPE = re.compile(r"""[^\x20-\x7f]|['"\\/]""")
_SHORT = {"'": "\\'", '"': '\\"', "\\": "\\\\", "/": "\\/",
          "\b": "\\b", "\n": "\\n", "\t": "\\t", "\f": "\\f", "\r": "\\r"}


def _escape_char(m: re.Match[str]) -> str:
    c = m.group()
    short = _SHORT.get(c)
    if short is not None:
        return short
    o = ord(c)
    if o > 0xFFFF:
        o -= 0x10000
        return f"\\u{0xD800 + (o >> 10):04X}\\u{0xDC00 + (o & 0x3FF):04X}"
    return f"\\u{o:04X}"


def escape_javascript(s: Any) -> str | None:
    if s is None:
        return None
    return _NEEDS_ESCAPE.sub(_escape_char, java_str(s))


def url_encode(s: Any) -> str | None:
    """URLEncoder.encode(s, "UTF-8"): letters, digits and `.-*_` stay, space is `+`, the rest %XX."""
    if s is None:
        return None
    return quote_plus(java_str(s), safe="*").replace("~", "%7E")


def url_decode(s: Any) -> str | None:
    if s is None:
        return None
    return unquote_plus(java_str(s), encoding="utf-8", errors="replace")


def base64_encode(s: Any) -> str | None:
    if s is None:
        return None
    return base64.b64encode(java_str(s).encode("utf-8")).decode("ascii")


def base64_decode(s: Any) -> str | None:
    if s is None:
        return None
    text = java_str(s).strip()
    text += "=" * (-len(text) % 4)  # Java's decoder does not require the padding
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"Illegal base64 character in '{java_str(s)[:64]}'") from None
    return raw.decode("utf-8", "replace")


def parse(s: Any) -> Any:
    if s is None:
        return None
    text = java_str(s)
    try:
        return to_java(parse_json(text))
    except ValueError as e:
        raise ValueError(f"$util.parseJson: invalid JSON: {e}") from None


_UTIL_FUNCTIONS = {
    "escapeJavaScript": escape_javascript,
    "parseJson": parse,
    "urlEncode": url_encode,
    "urlDecode": url_decode,
    "base64Encode": base64_encode,
    "base64Decode": base64_decode,
}


class Util:
    """The `$util` object: only the documented functions are reachable from a template."""

    __slots__ = ()

    def __getitem__(self, name: str) -> Any:
        fn = _UTIL_FUNCTIONS.get(name)
        if fn is None:
            raise KeyError(name)
        return fn


UTIL = Util()
