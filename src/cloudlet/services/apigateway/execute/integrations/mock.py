"""MOCK: no backend; the integration response comes from the request template's `statusCode`.

https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-mock-integration.html
"""

from __future__ import annotations

import orjson

from cloudlet.services.apigateway.execute.integrations.base import EndpointRequest, EndpointResponse


def call_mock(req: EndpointRequest) -> EndpointResponse:
    # The mapped request body names the status (`{"statusCode": 200}`); without one AWS answers 200...
    status = 200
    try:
        doc = orjson.loads(req.body) if req.body.strip() else {}
        code = doc.get("statusCode") if isinstance(doc, dict) else None
        if isinstance(code, int) and not isinstance(code, bool):
            status = code
        elif isinstance(code, str) and code.isdigit():
            status = int(code)
    except orjson.JSONDecodeError:
        pass
    # ...and the integration response body is empty unless a response template writes one.
    return EndpointResponse(status, [], b"")
