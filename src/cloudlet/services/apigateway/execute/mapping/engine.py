"""TemplateEngine: renders API Gateway mapping templates (VTL) for the execute-api pipeline.

Compiled templates are kept in an LRU keyed by the template text (templates that fail to parse too,
so a broken template is not re-parsed on every request).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from cloudlet.services.apigateway.execute.mapping.fastpath import Fallback, FastTemplate, compile_fast, render_fast
from cloudlet.services.apigateway.execute.mapping.inputs import Input
from cloudlet.services.apigateway.execute.mapping.model import MappingError, MappingInput, Rendered
from cloudlet.services.apigateway.execute.mapping.overrides import build_context
from cloudlet.services.apigateway.execute.mapping.util import UTIL
from cloudlet.services.apigateway.execute.mapping.values import JMap


def _compile(template: str) -> Any:
    # airspeed (~20 ms to import) is loaded with the first template that needs it, not at start-up:
    # most templates take the fast path, and start-up time is a goal.
    from cloudlet.services.apigateway.execute.mapping import strings
    from cloudlet.services.apigateway.execute.mapping.compiler import compile_template

    strings.install()
    return compile_template(template)


def _line_of(element: Any) -> int:
    return element.full_text().count("\n", 0, element.start) + 1


def _execution_reason(e: Any) -> str:
    """One line: what failed, in which expression, on which line."""
    cause = e.__cause__
    what = f"{cause}" if isinstance(cause, ValueError) else f"{type(cause).__name__}: {cause}"
    snippet = " ".join(e.element.my_text().split())
    if len(snippet) > 80:
        snippet = snippet[:77] + "..."
    return f"{what} (line {_line_of(e.element)}: {snippet})"


# What a template without overrides sets (shared: callers only read them).
_NO_REQUEST_OVERRIDE: dict[str, dict[str, str]] = {"header": {}, "querystring": {}, "path": {}}
_NO_RESPONSE_OVERRIDE: dict[str, Any] = {"status": None, "header": {}}


class TemplateEngine:
    def __init__(self, cache_size: int = 512) -> None:
        self._cache_size = cache_size
        # Used from the event loop only (no lock: it cost more than the fast path's whole render).
        self._cache: OrderedDict[str, Any] = OrderedDict()

    def _compiled(self, template: str, velocity: bool = False) -> Any:
        """The cached compiled form: a fast-path part list (fastpath.py) or an airspeed template
        (always the latter with `velocity`)."""
        key = "\x00" + template if velocity else template
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
        else:
            hit = None if velocity else compile_fast(template)
            if hit is None:
                try:
                    hit = _compile(template)
                except MappingError as e:
                    hit = e
            if self._cache_size > 0:
                self._cache[key] = hit
                if len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        if isinstance(hit, MappingError):
            raise MappingError(str(hit))
        return hit

    def reads_context(self, template: str) -> bool:
        """Whether rendering `template` may read `$context` (False lets the caller skip building it)."""
        try:
            compiled = self._compiled(template)
        except MappingError:
            return True
        return type(compiled) is not FastTemplate or compiled.reads_context

    def render(self, template: str, data: MappingInput) -> Rendered:
        compiled = self._compiled(template)
        if type(compiled) is FastTemplate:
            try:
                return Rendered(render_fast(compiled, data), _NO_REQUEST_OVERRIDE, _NO_RESPONSE_OVERRIDE)
            except Fallback:
                compiled = self._compiled(template, velocity=True)
            except ValueError as e:  # e.g. an invalid JSONPath
                raise MappingError(str(e)) from e
        context, overrides = build_context(data.context)
        namespace = {
            "input": Input(data.body or "", data.params or {}),
            "context": context,
            "stageVariables": JMap(data.stage_variables or {}),
            "util": UTIL,
        }
        from airspeed import operators as ops  # loaded by _compile already

        try:
            body = compiled.merge(namespace)
            return Rendered(body, overrides.request_override(), overrides.response_override())
        except ops.TemplateExecutionError as e:
            raise MappingError(_execution_reason(e)) from e
        except ops.TemplateError as e:  # e.g. #include / #parse: there are no other templates to load
            raise MappingError(str(e)) from e
        except RecursionError:
            raise MappingError("Template evaluation nested too deeply") from None
        except ValueError as e:  # an invalid override, found when the result is collected
            raise MappingError(str(e)) from e
