"""The fast path (plain references, no directives) renders exactly what the Velocity engine renders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cloudlet.services.apigateway.execute.mapping import MappingError, MappingInput, TemplateEngine
from cloudlet.services.apigateway.execute.mapping.fastpath import compile_fast

GOLDEN = Path(__file__).parent / "golden" / "mapping"
BODY = json.dumps({"b": True, "f": 1.5, "i": 3, "n": None, "big": 1e20, "s": "x'y\"z", "u": "é",
                   "m": {"a": [1, 2.0, {"c": False}]}, "l": [], "Item": {"name": {"S": "Bob"}}})
CONTEXT = {"requestId": "r-1", "stage": "prod", "identity": {"sourceIp": "1.2.3.4", "user": None},
           "authorizer": {"claims": {"sub": "u1"}}, "requestTimeEpoch": 17, "x": 1.5, "t": True}
PARAMS = {"path": {"name": "Bob"}, "querystring": {"q": "1", "name": "shadowed"}, "header": {"X-Trace": "abc"}}

CRAFTED = [
    '{"TableName": "t", "Key": {"name": {"S": "$input.params(\'name\')"}}}',
    '{"name": "$input.path(\'$\')", "movie": "$input.path(\'$.Item.name.S\')"}',
    "$input.json('$')|$input.json('$.m')|$input.json('$.missing')|$input.json(\"$.s\")",
    "[$input.path('$.b')][$input.path('$.f')][$input.path('$.n')][$input.path('$.big')][$input.path('$.l')]",
    "$input.params('q') $input.params('x-trace') $input.params('nope') $input.body",
    "$context.requestId $context.identity.sourceIp [$context.identity.user] $context.authorizer.claims.sub",
    "$context.identity $context.x $context.t $context.requestTimeEpoch [$context.missing.deeper]",
    "$stageVariables.table [$stageVariables.none] $context.stage.",
    "costs $5 and $ more",  # a `$` that is not a reference: Velocity path
    "$context.requestId.length()", "$input.path('$.m').a", "#set($x = 1)$x", "\\$context.stage",
]


def _golden() -> list[Any]:
    out = []
    for path in sorted(GOLDEN.glob("*.json")):
        for case in json.loads(path.read_text())["cases"]:
            if "expected_error" not in case:
                out.append(pytest.param(case, id=f"{path.stem}:{case['name']}"))
    return out


def _both(template: str, data: MappingInput) -> tuple[str, str]:
    fast = TemplateEngine()
    slow = TemplateEngine()
    velocity = slow._compiled(template, velocity=True)
    slow._cache[template] = velocity  # force the Velocity engine for this text
    return fast.render(template, data).body, slow.render(template, data).body


@pytest.mark.parametrize("template", CRAFTED)
def test_crafted_templates_render_the_same(template: str) -> None:
    data = MappingInput(BODY, PARAMS, CONTEXT, {"table": "movies"})
    fast, slow = _both(template, data)
    assert fast == slow


@pytest.mark.parametrize("case", _golden())
def test_golden_cases_render_the_same(case: dict[str, Any]) -> None:
    params = {"path": {}, "querystring": {}, "header": {}}
    params.update(case.get("params") or {})
    data = MappingInput(case.get("body", ""), params, case.get("context") or {}, case.get("stage_variables") or {})
    try:
        fast, slow = _both(case["template"], data)
    except MappingError:
        return
    assert fast == slow


def test_what_takes_the_fast_path() -> None:
    assert compile_fast(CRAFTED[0]) is not None and compile_fast(CRAFTED[5]) is not None
    for t in ("#set($x = 1)$x", "\\$context.stage", "$context.requestId.length()", "$input.path('$.m').a",
              "costs $5", "$util.escapeJavaScript('x')", "$context.responseOverride.status", "${context.stage}"):
        assert compile_fast(t) is None, t
