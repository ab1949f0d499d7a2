"""Parameter mapping: `integration.request.*` from `method.request.*`, and `method.response.header.*`
from `integration.response.*`, static `'values'`, `context.*` and `stageVariables.*`.

https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-parameter-mapping-sources.html
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import orjson

Doc = dict[str, Any]


@lru_cache(maxsize=256)
def _compiled(path: str) -> Any:
    from jsonpath_ng import parse as jsonpath_parse  # ~20 ms to import: on first use, not at start-up

    return jsonpath_parse(path)


def body_path(body: bytes, path: str) -> str | None:
    """`...body.a.b`: the JSONPath `$.a.b` of a JSON body, as text (objects as JSON)."""
    try:
        doc = orjson.loads(body) if body else None
        found = [m.value for m in _compiled("$." + path).find(doc)]
    except Exception:  # a bad path or body maps to nothing
        return None
    if not found:
        return None
    v = found[0]
    return v if isinstance(v, str) else orjson.dumps(v).decode()


def _context_value(context: Doc, dotted: str) -> str | None:
    cur: Any = context
    for part in dotted.split("."):
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
    if cur is None:
        return None
    return cur if isinstance(cur, str) else str(cur)


def _lookup(d: dict[str, Any], name: str, case_insensitive: bool) -> Any:
    if name in d:
        return d[name]
    if case_insensitive:
        low = name.lower()
        for k, v in d.items():
            if k.lower() == low:
                return v
    return None


def source_value(expr: str, sources: dict[str, Any], context: Doc, stage_variables: dict[str, str],
                 prefix: str) -> str | list[str] | None:
    """The value of one mapping expression. `prefix` is "method.request" or "integration.response";
    `sources` holds "path", "querystring", "multivaluequerystring", "header", "multivalueheader", "body"."""
    if len(expr) >= 2 and expr[0] == "'" and expr[-1] == "'":
        return expr[1:-1]
    if expr.startswith("context."):
        return _context_value(context, expr[8:])
    if expr.startswith("stageVariables."):
        return stage_variables.get(expr[15:])
    if not expr.startswith(prefix + "."):
        return None
    rest = expr[len(prefix) + 1:]
    if rest == "body":
        body: bytes = sources.get("body", b"")
        return body.decode("utf-8", "replace")
    if rest.startswith("body."):
        return body_path(sources.get("body", b""), rest[5:])
    kind, _, name = rest.partition(".")
    d = sources.get(kind)
    if d is None or not name:
        return None
    return _lookup(d, name, kind in ("header", "multivalueheader"))


def map_parameters(mapping: dict[str, str] | None, target_prefix: str, sources: dict[str, Any], context: Doc,
                   stage_variables: dict[str, str], source_prefix: str) -> dict[str, dict[str, Any]]:
    """{"header": {...}, "querystring": {...}, "path": {...}} for targets like `integration.request.header.X`.
    Multi-value targets ("multivaluequerystring", "multivalueheader") hold lists."""
    out: dict[str, dict[str, Any]] = {}
    for target, expr in (mapping or {}).items():
        if not target.startswith(target_prefix + "."):
            continue
        kind, _, name = target[len(target_prefix) + 1:].partition(".")
        value = source_value(expr, sources, context, stage_variables, source_prefix)
        if value is None:
            continue
        if kind.startswith("multivalue"):
            out.setdefault(kind, {})[name] = value if isinstance(value, list) else [value]
        else:
            out.setdefault(kind, {})[name] = value[-1] if isinstance(value, list) else value
    return out
