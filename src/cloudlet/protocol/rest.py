"""Identify the operation of a REST-protocol request (rest-json, rest-xml) from the model's
URI templates: `GET /2015-03-31/functions/{FunctionName}` is Lambda's GetFunction.

A template's literal query part (`?List=ALL`, `?find=LayerVersion`) must be present too. When
several templates match, the most specific wins: more literal characters, then more required
query members, then fewer greedy labels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

from cloudlet.protocol.models import ServiceModel

_LABEL = re.compile(r"\{([^}]+?)(\+?)\}")


@dataclass(frozen=True, slots=True)
class _Route:
    operation: str
    method: str
    pattern: re.Pattern[str]
    labels: tuple[str, ...]
    query: tuple[tuple[str, str | None], ...]  # required literal query members
    rank: tuple[int, int, int]  # (literal characters, query members, -greedy labels): larger wins


def _compile(operation: str, method: str, uri: str) -> _Route:
    path, _, query = uri.partition("?")
    regex, labels, literal, greedy, pos = [], [], 0, 0, 0
    for m in _LABEL.finditer(path):
        text = path[pos : m.start()]
        regex.append(re.escape(text))
        literal += len(text)
        labels.append(m.group(1))
        if m.group(2):
            greedy += 1
            regex.append("(.+)")
        else:
            regex.append("([^/]+)")
        pos = m.end()
    regex.append(re.escape(path[pos:]))
    literal += len(path) - pos
    required = tuple(
        (k, v if "=" in part else None)
        for part in query.split("&") if part
        for k, _, v in [part.partition("=")]
    )
    # A trailing slash is optional, as clients differ on it.
    pattern = re.compile("".join(regex).rstrip("/") + "/?")
    return _Route(operation, method, pattern, tuple(labels), required, (literal, len(required), -greedy))


MAX_SEEN = 1024
_UNSEEN = object()


class RestOperations:
    """The operations of one REST-protocol service, matched by method and path."""

    def __init__(self, model: ServiceModel) -> None:
        routes: dict[str, list[_Route]] = {}
        for name, op in model.operations.items():
            http = op.get("http") or {}
            if "requestUri" in http:
                r = _compile(name, http.get("method", "POST"), http["requestUri"])
                routes.setdefault(r.method, []).append(r)
        self._routes = {m: sorted(rs, key=lambda r: r.rank, reverse=True) for m, rs in routes.items()}
        # Answers for requests seen lately (a function invoked again and again): trying the
        # templates one by one costs more than the rest of the routing.
        self._seen: dict[tuple[str, str, bytes], tuple[str, dict[str, str]] | None] = {}

    def match(self, method: str, path: str, query: bytes = b"") -> tuple[str, dict[str, str]] | None:
        """(operation, URI label values) of the most specific template, or None."""
        key = (method, path, query)
        found = self._seen.get(key, _UNSEEN)
        if found is _UNSEEN:
            found = self._match(method, path, query)
            if len(self._seen) >= MAX_SEEN:
                self._seen.clear()
            self._seen[key] = found
        return None if found is None else (found[0], dict(found[1]))  # type: ignore[index]

    def _match(self, method: str, path: str, query: bytes) -> tuple[str, dict[str, str]] | None:
        params: dict[str, str] | None = None
        for r in self._routes.get(method, ()):
            m = r.pattern.fullmatch(path)
            if m is None:
                continue
            if r.query:
                if params is None:
                    params = dict(parse_qsl(query.decode("latin-1"), keep_blank_values=True))
                if not all(k in params and (v is None or params[k] == v) for k, v in r.query):
                    continue
            return r.operation, dict(zip(r.labels, m.groups(), strict=True))
        return None
