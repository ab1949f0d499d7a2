"""The mapping-template interface the execute-api pipeline uses: what goes in, what comes out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class MappingInput:
    body: str  # the raw request (or integration response) body as text
    params: dict[str, dict[str, str]]  # {"path": {...}, "querystring": {...}, "header": {...}}, header names as sent
    context: dict[str, Any]  # $context: nested plain dicts/str/int built by the pipeline
    stage_variables: dict[str, str]
    multi_params: dict[str, dict[str, list[str]]] | None = None  # multi-value querystring/header, if available


@dataclass(slots=True)
class Rendered:
    body: str
    # {"header": {...}, "querystring": {...}, "path": {...}} set via $context.requestOverride
    request_override: dict[str, dict[str, str]] = field(default_factory=dict)
    # {"status": int | None, "header": {...}} set via $context.responseOverride
    response_override: dict[str, Any] = field(default_factory=dict)


class MappingError(Exception):
    """A template that cannot be parsed or evaluated; str(e) is the reason (the pipeline answers 500)."""
