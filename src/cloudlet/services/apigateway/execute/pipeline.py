"""The execute-api chain for one request, step by step:

route → [resource policy → authorizer → API key / usage plan / throttle: a later issue] →
request validation → [cache lookup: later] → integration request → integration →
integration response (or the proxy result) → method response; any step may end the request with
a gateway response. The plane (plane.py) writes the execution and access logs afterwards.
https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-method-settings.html
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import time
from typing import Any

from cloudlet.server import eager
from cloudlet.server.http import Response
from cloudlet.services.apigateway.execute import proxy, transform
from cloudlet.services.apigateway.execute.gateway import gateway_response
from cloudlet.services.apigateway.execute.integrations.aws_service import AwsServiceIntegration, endpoint_response
from cloudlet.services.apigateway.execute.integrations.base import (
    EndpointRequest,
    EndpointResponse,
    IntegrationFailure,
)
from cloudlet.services.apigateway.execute.integrations.http import call_http
from cloudlet.services.apigateway.execute.integrations.lambda_ import LambdaIntegration, is_lambda_uri
from cloudlet.services.apigateway.execute.integrations.mock import call_mock
from cloudlet.services.apigateway.execute.invocation import Failure, Invocation
from cloudlet.services.apigateway.execute.mapping import MappingError, TemplateEngine
from cloudlet.services.apigateway.execute.routing import Routes
from cloudlet.services.apigateway.execute.validation import Models, ValidationFailed, validate

Doc = dict[str, Any]
MAX_PAYLOAD = 10 * 1024 * 1024  # API Gateway's request and response payload limit
DEFAULT_TIMEOUT_MS = 29_000


class Compiled:
    """A deployment's routes and models, built once per deployment (kept on `Deployed.compiled`)."""

    def __init__(self, inv: Invocation) -> None:
        d = inv.deployed
        self.routes = Routes(d.definition.resources)
        self.models = Models(d.api_id, d.definition)


class _Stop(Exception):
    def __init__(self, failure: Failure) -> None:
        self.failure = failure


class Pipeline:
    def __init__(self, engine: TemplateEngine, lambdas: LambdaIntegration, aws: AwsServiceIntegration) -> None:
        self.engine = engine
        self.lambdas = lambdas
        self.aws = aws

    async def run(self, inv: Invocation) -> Response:
        try:
            deployed = inv.deployed
            compiled: Compiled = deployed.compiled or Compiled(inv)
            deployed.compiled = compiled
            # -- route
            inv.route = compiled.routes.match(inv.path, inv.request.method)
            if inv.route is None:
                raise _Stop(Failure("MISSING_AUTHENTICATION_TOKEN", "Missing Authentication Token"))
            return await self._run(inv, compiled)
        except _Stop as stop:
            inv.failure = stop.failure
            return self._fail(inv, stop.failure)

    def _fail(self, inv: Invocation, failure: Failure) -> Response:
        response = gateway_response(inv, failure, self.engine)
        if inv.log is not None:
            inv.log.completed(response.status, False)
        return response

    def _log_error(self, inv: Invocation, line: str) -> None:
        if inv.log is not None:
            inv.log.error(line)

    async def _run(self, inv: Invocation, compiled: Compiled) -> Response:
        deployed = inv.deployed
        assert inv.route is not None
        if len(inv.body) > MAX_PAYLOAD:
            raise _Stop(Failure("REQUEST_TOO_LARGE", "Request Too Long"))
        method = inv.route.method
        log = inv.log = inv.log_factory(inv) if inv.log_factory is not None else None
        if log is not None:
            log.start(extended_request_id=inv.extended_id, http_method=inv.request.method,
                      resource_path=inv.route.resource["path"], api_id=deployed.api_id, stage=inv.stage,
                      api_key=None, method_requires_key=bool(method.get("apiKeyRequired")), request_path=inv.path)
            log.method_request(path=inv.route.path_params, query=inv.query, headers=inv.headers,
                               body=inv.body.decode("utf-8", "replace"))
        # -- access control (resource policy, authorizers, API keys, throttling): a later issue
        # -- request validation
        try:
            if method.get("requestValidatorId"):
                validate(method, deployed.definition.request_validators, compiled.models,
                         headers=inv.request.headers, query=inv.query, path=inv.route.path_params, body=inv.body,
                         content_type=transform.media_type(inv.header("content-type")))
        except ValidationFailed as e:
            self._log_error(inv, e.log_line)
            raise _Stop(Failure(e.response_type, e.message)) from None
        integration: Doc | None = method.get("methodIntegration")
        if not integration:
            self._log_error(inv, "Execution failed due to configuration error: No integration defined for method")
            raise _Stop(Failure("API_CONFIGURATION_ERROR", "Internal server error", 500))
        if integration.get("type") == "AWS_PROXY":
            return await self._lambda_proxy(inv, integration)
        return await self._mapped(inv, method, integration)

    # -- integrations
    async def _call(self, inv: Invocation, integration: Doc, req: EndpointRequest) -> EndpointResponse:
        timeout_s = (integration.get("timeoutInMillis") or DEFAULT_TIMEOUT_MS) / 1000
        itype = integration["type"]
        d = inv.deployed
        log = inv.log
        if log is not None:
            log.endpoint_request(uri=req.uri, headers=req.headers, body=req.body.decode("utf-8", "replace"))
        t0 = time.perf_counter()
        try:
            if itype == "MOCK":
                resp = call_mock(req)
            elif itype in ("HTTP", "HTTP_PROXY"):
                resp = await call_http(req, timeout_s)
            elif is_lambda_uri(req.uri):
                # Requests are served without a Task (server/eager.py), so no asyncio.timeout or wait_for:
                # the call starts at once, and the wait for its future gives up after the timeout.
                # The function runs to its end either way, as on AWS.
                loop = asyncio.get_running_loop()
                call = eager.start(self.lambdas.call(req, d.account, d.region), loop)
                if not await eager.first_done(loop, (call,), timeout_s):
                    raise TimeoutError
                resp = call.result()
            else:
                # In-process services answer without waiting on anything outside cloudlet: no timer
                # (it cost 7% of a direct DynamoDB request), the time is checked after the call.
                direct = self.aws.direct_call(req, d.account, d.region, inv.request_id)
                resp = endpoint_response(await direct) if direct is not None else \
                    await self.aws.call(req, d.account, d.region, inv.request_id)
        except TimeoutError:
            inv.integration_error = "Execution failed due to a timeout error"
            self._log_error(inv, inv.integration_error)
            raise _Stop(Failure("INTEGRATION_TIMEOUT", "Endpoint request timed out", 504)) from None
        except IntegrationFailure as e:
            inv.integration_error = e.log_line
            self._log_error(inv, e.log_line)
            message = "Endpoint request timed out" if e.response_type == "INTEGRATION_TIMEOUT" else \
                "Internal server error"
            raise _Stop(Failure(e.response_type, message, e.status)) from None
        elapsed = time.perf_counter() - t0
        if elapsed > timeout_s:  # an in-process service call that ran past the timeout (it has no timer)
            inv.integration_error = "Execution failed due to a timeout error"
            self._log_error(inv, inv.integration_error)
            raise _Stop(Failure("INTEGRATION_TIMEOUT", "Endpoint request timed out", 504))
        inv.integration_latency_ms = int(elapsed * 1000)
        inv.integration_status = resp.status
        if log is not None:
            log.endpoint_response(status=resp.status, latency_ms=inv.integration_latency_ms,
                                      headers=dict(resp.headers), body=resp.body.decode("utf-8", "replace"))
        return resp

    async def _lambda_proxy(self, inv: Invocation, integration: Doc) -> Response:
        binary_types = inv.deployed.definition.api.get("binaryMediaTypes") or []
        binary = transform.matches_binary(transform.media_type(inv.header("content-type")), binary_types)
        uri = transform.fill_stage_variables(integration.get("uri") or "", inv.stage_variables)
        d = inv.deployed
        headers = {  # what API Gateway signs and sends to Lambda (shown in the execution log)
            "X-Amz-Date": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(inv.started)), "Authorization": "****",
            "X-Amz-Source-Arn": f"arn:aws:execute-api:{d.region}:{d.account}:{d.api_id}/{inv.stage}/"
                                f"{inv.request.method}{inv.route.resource['path'] if inv.route else ''}",
            "User-Agent": f"AmazonAPIGateway_{d.api_id}", "Content-Type": "application/json"}
        req = EndpointRequest(uri, "POST", headers, {}, proxy.proxy_event(inv, binary), integration.get("credentials"))
        resp = await self._call(inv, integration, req)
        if resp.function_error:
            self._log_error(inv, f"Lambda execution failed with status 200 due to customer function error: "
                                 f"{resp.error_message}. Lambda request id: {inv.request_id}")
            raise _Stop(Failure("DEFAULT_5XX", "Internal server error", 502))
        try:
            result = proxy.parse_result(resp.body)
        except proxy.MalformedResult:
            self._log_error(inv, "Execution failed due to configuration error: Malformed Lambda proxy response")
            raise _Stop(Failure("DEFAULT_5XX", "Internal server error", 502)) from None
        body = result.body
        if result.is_base64 and transform.accept_is_binary(inv.header("accept"), binary_types):
            try:
                body = base64.b64decode(body)
            except (binascii.Error, ValueError):
                self._log_error(inv, "Execution failed due to configuration error: "
                                     "Unable to base64 decode the body.")
                raise _Stop(Failure("DEFAULT_5XX", "Internal server error", 502)) from None
        headers = [(k.encode("latin-1"), v.encode("latin-1", "replace")) for k, v in result.headers]
        if not any(k.lower() == "content-type" for k, _ in result.headers):
            headers.append((b"content-type", b"application/json"))
        return self._done(inv, Response(result.status, body, headers))

    async def _mapped(self, inv: Invocation, method: Doc, integration: Doc) -> Response:
        try:
            req, _ = transform.integration_request(inv, integration, self.engine)
        except transform.UnsupportedMediaType:
            self._log_error(inv, "Request payload media type is not supported: "
                                 f"{transform.media_type(inv.header('content-type'))}")
            raise _Stop(Failure("UNSUPPORTED_MEDIA_TYPE", "Unsupported Media Type", 415)) from None
        except MappingError as e:
            self._log_error(inv, f"Execution failed due to configuration error: Unable to transform request: {e}")
            raise _Stop(Failure("API_CONFIGURATION_ERROR", "Internal server error", 500)) from None
        resp = await self._call(inv, integration, req)
        if integration.get("type") == "HTTP_PROXY":
            headers = [(k.encode("latin-1"), v.encode("latin-1", "replace")) for k, v in resp.headers
                       if k.lower() not in ("content-length", "date", "server")]
            return self._done(inv, Response(resp.status, resp.body, headers))
        ir = transform.select_response(integration, resp)
        if ir is None:
            self._log_error(inv, "Execution failed due to configuration error: No match for output mapping and no "
                                 f"default output mapping configured. Endpoint Response Status Code: {resp.status}")
            raise _Stop(Failure("API_CONFIGURATION_ERROR", "Internal server error", 500))
        status = int(ir.get("statusCode") or 200)
        headers_out = transform.response_headers(ir, resp, inv)
        chosen = transform.response_template(ir.get("responseTemplates") or {}, inv.header("accept"))
        body = resp.body
        content_type = "application/json"
        if chosen is not None:
            content_type, template = chosen
            try:
                text = body.decode("utf-8", "replace")
                rendered = self.engine.render(template, transform.mapping_input(inv, text, self.engine, template))
            except MappingError as e:
                self._log_error(inv, f"Execution failed due to configuration error: Unable to transform response: {e}")
                raise _Stop(Failure("API_CONFIGURATION_ERROR", "Internal server error", 500)) from None
            body = rendered.body.encode()
            override = rendered.response_override
            if override["status"]:
                status = int(override["status"])
            if override["header"]:
                headers_out.update(override["header"])
        if not headers_out:
            return self._done(inv, Response(status, body, [(b"content-type", content_type.encode())]))
        headers: list[tuple[bytes, bytes]] = []
        if not any(k.lower() == "content-type" for k in headers_out):
            headers.append((b"content-type", content_type.encode()))
        headers.extend((k.encode("latin-1"), str(v).encode("latin-1", "replace")) for k, v in headers_out.items())
        return self._done(inv, Response(status, body, headers))

    def _done(self, inv: Invocation, response: Response) -> Response:
        if inv.log is not None:
            inv.log.method_response(body=response.body.decode("utf-8", "replace"),
                                    headers={k.decode("latin-1"): v.decode("latin-1") for k, v in response.headers},
                                    status=response.status)
            inv.log.completed(response.status, True)
        return response
