"""Golden cases for API Gateway mapping templates, taken from AWS's documentation examples and the
tutorial (seed) templates cloudlet must run. Each case in golden/mapping/*.json names its `source`.

A case has `template` and optionally `body`, `params`, `context`, `stage_variables`, and expects one or
more of: `expected` (the exact output), `expected_json` (the output parsed as JSON, for pages that
show the result reformatted), `expected_request_override` / `expected_response_override`, or
`expected_error` (a fragment of the MappingError's reason).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cloudlet.services.apigateway.execute.mapping import MappingError, MappingInput, TemplateEngine

GOLDEN = Path(__file__).parent / "golden" / "mapping"


def _cases() -> list[Any]:
    out = []
    for path in sorted(GOLDEN.glob("*.json")):
        for case in json.loads(path.read_text())["cases"]:
            out.append(pytest.param(case, id=f"{path.stem}:{case['name']}"))
    return out


CASES = _cases()
ENGINE = TemplateEngine()


def test_golden_set_is_large_and_sourced() -> None:
    assert len(CASES) >= 40
    names = [p.values[0]["name"] for p in CASES]
    assert len(names) == len(set(names))
    for p in CASES:
        case = p.values[0]
        assert case.get("source"), case["name"]
        assert {"expected", "expected_json", "expected_error"} & case.keys(), case["name"]


@pytest.mark.parametrize("case", CASES)
def test_golden(case: dict[str, Any]) -> None:
    params = {"path": {}, "querystring": {}, "header": {}}
    params.update(case.get("params") or {})
    data = MappingInput(case.get("body", ""), params, case.get("context") or {}, case.get("stage_variables") or {})
    if "expected_error" in case:
        with pytest.raises(MappingError) as info:
            ENGINE.render(case["template"], data)
        assert case["expected_error"] in str(info.value)
        return
    rendered = ENGINE.render(case["template"], data)
    if "expected" in case:
        assert rendered.body == case["expected"]
    if "expected_json" in case:
        assert json.loads(rendered.body) == case["expected_json"]
    if "expected_request_override" in case:
        assert rendered.request_override == case["expected_request_override"]
    if "expected_response_override" in case:
        assert rendered.response_override == case["expected_response_override"]
