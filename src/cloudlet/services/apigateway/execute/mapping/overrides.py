"""`$context` for a render, with `requestOverride` / `responseOverride` the template may set.

https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-override-request-response-parameters.html
"Overrides are final. An override may only be applied to each parameter once": setting one twice is
an error (API Gateway answers 5XX), so the override maps refuse a second assignment.
"""

from __future__ import annotations

from typing import Any

from cloudlet.services.apigateway.execute.mapping.render import java_str
from cloudlet.services.apigateway.execute.mapping.values import JMap, to_java


class OverrideError(ValueError):
    pass


class OverrideMap(JMap):
    """A map whose keys can each be assigned once (`#set($context.responseOverride.header.X = ...)`)."""

    __slots__ = ("_assigned", "_name")

    def __init__(self, name: str, **initial: Any) -> None:
        super().__init__(initial)
        self._name = name
        self._assigned: set[Any] = set()

    def __setitem__(self, key: Any, value: Any) -> None:
        if key in self._assigned:
            raise OverrideError(f"$context.{self._name}.{key} is overridden more than once; overrides are final")
        self._assigned.add(key)
        super().__setitem__(key, value)


class Overrides:
    __slots__ = ("request", "response")

    def __init__(self) -> None:
        self.request = JMap(
            header=OverrideMap("requestOverride.header"),
            querystring=OverrideMap("requestOverride.querystring"),
            path=OverrideMap("requestOverride.path"),
        )
        self.response = OverrideMap("responseOverride", header=OverrideMap("responseOverride.header"))

    def request_override(self) -> dict[str, dict[str, str]]:
        return {kind: _strings(self.request.get(kind)) for kind in ("header", "querystring", "path")}

    def response_override(self) -> dict[str, Any]:
        return {"status": _status(self.response.get("status")), "header": _strings(self.response.get("header"))}


def _strings(values: Any) -> dict[str, str]:
    if not isinstance(values, dict):
        return {}
    return {java_str(k): java_str(v) for k, v in values.items() if v is not None}


def _status(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        status = int(value if not isinstance(value, str) else value.strip())
    except (TypeError, ValueError):
        raise OverrideError(f"Invalid status code override: {java_str(value)!r}") from None
    if not 100 <= status <= 599:
        raise OverrideError(f"Invalid status code override: {status}")
    return status


class LazyContext(JMap):
    """`$context`: a shallow copy of the pipeline's dict whose nested maps (identity, authorizer, ...) become
    template values when first read, not on every render."""

    __slots__ = ()

    def __getitem__(self, key: Any) -> Any:
        v = dict.get(self, key)
        if type(v) in _NESTED:
            v = to_java(v)
            dict.__setitem__(self, key, v)
        return v


_NESTED = frozenset((dict, list, float))


def build_context(context: dict[str, Any] | None) -> tuple[JMap, Overrides]:
    """The `$context` map for one render: the pipeline's values (never mutated) plus fresh override maps."""
    ctx = LazyContext(context or {})
    overrides = Overrides()
    dict.__setitem__(ctx, "requestOverride", overrides.request)
    dict.__setitem__(ctx, "responseOverride", overrides.response)
    return ctx, overrides
