"""Which resource and method of a deployed API a request path selects.

AWS matches path segments with static parts first, then a `{param}` part, then a greedy
`{proxy+}` part (which takes one or more remaining segments), backtracking when a more specific
branch leads nowhere; a method is the exact HTTP verb, else ANY.
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-settings-method-request.html
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

Doc = dict[str, Any]


@dataclass
class _Node:
    static: dict[str, _Node] = field(default_factory=dict)
    param: tuple[str, _Node] | None = None  # ("id", node) for `{id}`
    greedy: tuple[str, Doc] | None = None  # ("proxy", resource) for `{proxy+}`
    resource: Doc | None = None


@dataclass(frozen=True, slots=True)
class Route:
    resource: Doc
    method: Doc  # the Method wire shape (with methodIntegration)
    path_params: dict[str, str]


class Routes:
    """A deployed definition's resources as a tree of path segments."""

    def __init__(self, resources: dict[str, Doc]) -> None:
        self._root = _Node()
        for res in resources.values():
            self._add(res)

    def _add(self, res: Doc) -> None:
        node = self._root
        parts = [p for p in res["path"].split("/") if p]
        for i, part in enumerate(parts):
            if part.startswith("{") and part.endswith("+}") and i == len(parts) - 1:
                node.greedy = (part[1:-2], res)
                return
            if part.startswith("{") and part.endswith("}"):
                if node.param is None:
                    node.param = (part[1:-1], _Node())
                node = node.param[1]
            else:
                node = node.static.setdefault(part, _Node())
        node.resource = res

    def match(self, path: str, http_method: str) -> Route | None:
        """The route for a request path ("/a/b", already without the stage), or None (AWS: 403)."""
        parts = [p for p in path.split("/") if p]
        found = self._find(self._root, parts, 0, ())
        if found is None:
            return None
        res, bound = found
        params = {name: unquote(v) if "%" in v else v for name, v in bound}
        methods = res.get("resourceMethods") or {}
        method = methods.get(http_method) or methods.get("ANY")
        if method is None:
            return None
        return Route(res, method, params)

    def _find(self, node: _Node, parts: list[str], i: int, bound: tuple[tuple[str, str], ...]
              ) -> tuple[Doc, tuple[tuple[str, str], ...]] | None:
        """(resource, ((param, raw value), ...)) for parts[i:] under `node`."""
        if i == len(parts):
            if node.resource is not None:
                return node.resource, bound
            return None
        part = parts[i]
        child = node.static.get(part)
        if child is not None:
            found = self._find(child, parts, i + 1, bound)
            if found is not None:
                return found
        if node.param is not None:
            name, child = node.param
            found = self._find(child, parts, i + 1, (*bound, (name, part)))
            if found is not None:
                return found
        if node.greedy is not None:
            name, res = node.greedy
            return res, (*bound, (name, "/".join(parts[i:])))
        return None

    def resource_for(self, path: str) -> Doc | None:
        found = self._find(self._root, [p for p in path.split("/") if p], 0, ())
        return found[0] if found else None
