"""Integrations that invoke a Lambda function (AWS_PROXY, and AWS with a Lambda uri), in-process.

The uri is `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function arn}/invocations`.
https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html (uri)
"""

from __future__ import annotations

import asyncio
import re

import orjson

from cloudlet.protocol.errors import AwsError
from cloudlet.services.apigateway.execute.integrations.base import (
    EndpointRequest,
    EndpointResponse,
    IntegrationFailure,
)
from cloudlet.services.lambda_.engine.functions import Functions
from cloudlet.services.lambda_.engine.invoke import Invoker

_URI = re.compile(r"^arn:aws:apigateway:([^:]*):lambda:path/\d{4}-\d{2}-\d{2}/functions/(.+)/invocations/?$")


def function_arn(uri: str) -> str | None:
    m = _URI.match(uri)
    return m.group(2) if m else None


def is_lambda_uri(uri: str) -> bool:
    return ":lambda:path/" in uri and _URI.match(uri) is not None


class LambdaIntegration:
    def __init__(self, functions: Functions, invoker: Invoker) -> None:
        self.functions = functions
        self.invoker = invoker

    async def call(self, req: EndpointRequest, account: str, region: str) -> EndpointResponse:
        arn = function_arn(req.uri)
        if arn is None:
            raise IntegrationFailure(f"Execution failed due to configuration error: Invalid Lambda uri {req.uri}")
        parts = arn.split(":")
        qualifier = parts[7] if arn.startswith("arn:") and len(parts) > 7 else None
        try:
            fn = self.functions.get(account, region, arn if qualifier is None else ":".join(parts[:7]))
            params = {"Payload": req.body or b"{}", "Qualifier": qualifier}
            # The invoke runs to its end even when the gateway stops waiting (integration timeout).
            out = await asyncio.shield(self.invoker.invoke(fn, params))
        except AwsError as e:
            if e.code == "ResourceNotFoundException":
                # What AWS logs when the function is missing or API Gateway may not call it.
                raise IntegrationFailure(
                    "Execution failed due to configuration error: Invalid permissions on Lambda function") from None
            raise IntegrationFailure(f"Execution failed due to configuration error: {e.code}: {e.message}",
                                     status=500 if e.status >= 500 or e.status == 400 else 502) from None
        payload: bytes = out.get("Payload") or b""
        headers = [("Content-Type", "application/json"), ("X-Amz-Executed-Version", out.get("ExecutedVersion", ""))]
        if out.get("FunctionError"):
            headers.append(("X-Amz-Function-Error", out["FunctionError"]))
            return EndpointResponse(200, headers, payload, _error_message(payload), True)
        return EndpointResponse(200, headers, payload)


def _error_message(payload: bytes) -> str:
    try:
        doc = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return payload.decode("utf-8", "replace")
    msg = doc.get("errorMessage") if isinstance(doc, dict) else None
    return msg if isinstance(msg, str) else ""
