"""AWS integrations to services other than Lambda, called in-process through cloudlet's own router.

`arn:aws:apigateway:{region}:{service}:action/{Action}` calls an action (JSON protocol services such
as DynamoDB get `X-Amz-Target`, query protocol services a form `Action=...`);
`arn:aws:apigateway:{region}:{service}:path/{path}` calls a REST path with the integration's httpMethod.
The call carries the integration's credentials role; the service's answer (status, headers, body)
is the endpoint response, which integration responses then select on by status code.
https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html (uri)
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from urllib.parse import quote, urlencode

from cloudlet.protocol.context import Context
from cloudlet.protocol.json_rpc import JsonService
from cloudlet.protocol.models import service_model
from cloudlet.server.http import Request, Response
from cloudlet.services.apigateway.execute.integrations.base import (
    EndpointRequest,
    EndpointResponse,
    IntegrationFailure,
)
from cloudlet.services.iam.engine.state import IamState

Dispatch = Callable[[Request], Awaitable[Response]]
_URI = re.compile(r"^arn:aws:apigateway:([^:]*):([^:]+):(action|path)/(.*)$")


class AwsServiceIntegration:
    def __init__(self, iam: IamState, json_services: dict[str, JsonService] | None = None,
                 dispatch: Dispatch | None = None) -> None:
        self.iam = iam
        # JSON-protocol services by target prefix, called directly: the common case (DynamoDB) skips
        # building and routing an HTTP request.
        self.json_services = json_services or {}
        self.dispatch = dispatch  # set once the router exists (it routes to this plane too)
        # uri -> (region, service, "action"|"path", rest, JSON service to call directly or None, action)
        self._targets: dict[str, tuple[str, str, str, str, JsonService | None, str]] = {}

    async def call(self, req: EndpointRequest, account: str, region: str, request_id: str) -> EndpointResponse:
        target = self._target(req)
        uri_region, service, kind, rest, direct, action = target
        region = uri_region or region
        self._check_role(req)
        if direct is not None:
            response = await direct.handle(action, req.body or b"{}", Context(region, account, request_id))
            return endpoint_response(response)
        return await self._routed(req, region, service, kind, rest)

    def direct_call(self, req: EndpointRequest, account: str, region: str, request_id: str
                    ) -> Awaitable[Response] | None:
        """The in-process call of a JSON-protocol action, for the caller to await (one coroutine less on
        the hot path of a direct DynamoDB integration); None when the uri needs `call`."""
        target = self._target(req)
        uri_region, _, _, _, direct, action = target
        if direct is None:
            return None
        self._check_role(req)
        return direct.handle(action, req.body or b"{}", Context(uri_region or region, account, request_id))

    def _check_role(self, req: EndpointRequest) -> None:
        caller_credentials = (req.credentials or "").startswith("arn:aws:iam::*:user/*")
        if req.credentials and not caller_credentials and self.iam.role_by_arn(req.credentials) is None:
            raise IntegrationFailure("Execution failed due to configuration error: API Gateway does not have "
                                     f"permission to assume the provided role {req.credentials}")

    def _target(self, req: EndpointRequest) -> tuple[str, str, str, str, JsonService | None, str]:
        target = self._targets.get(req.uri)
        if target is None:
            m = _URI.match(req.uri)
            if m is None:
                raise IntegrationFailure(
                    f"Execution failed due to configuration error: Invalid AWS service uri {req.uri}")
            uri_region, service, kind, rest = m.groups()
            service = service.rsplit(".", 1)[-1]  # `{subdomain}.{service}`
            direct = self._json_service(service) if kind == "action" else None
            target = self._targets[req.uri] = (uri_region, service, kind, rest, direct, rest.partition("&")[0])
        return target

    async def _routed(self, req: EndpointRequest, region: str, service: str, kind: str, rest: str
                      ) -> EndpointResponse:
        """Any other service: a request built as an SDK would send it, through cloudlet's router."""
        headers = {k.lower(): v for k, v in req.headers.items()}
        headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential=APIGATEWAYROLE/20260101/{region}/{service}/"
                                    "aws4_request, SignedHeaders=host, Signature=0")
        query = urlencode([(k, v) for k, vs in req.query.items() for v in vs]).encode()
        if kind == "action":
            action, _, extra = rest.partition("&")
            request = self._action_request(service, action, extra, headers, query, req.body)
        else:
            path = "/" + rest.lstrip("/")
            request = Request(req.method, quote(path, safe="/:@!$&'()*+,;=-._~"), query, headers, req.body)
        if request is None or self.dispatch is None:
            raise IntegrationFailure(f"Execution failed due to configuration error: cloudlet cannot call {req.uri}")
        return endpoint_response(await self.dispatch(request))

    def _json_service(self, service: str) -> JsonService | None:
        try:
            meta = service_model(service).metadata
        except (FileNotFoundError, OSError):
            return None
        return self.json_services.get(meta.get("targetPrefix", "")) if meta.get("protocol") == "json" else None

    @staticmethod
    def _action_request(service: str, action: str, extra: str, headers: dict[str, str], query: bytes,
                        body: bytes) -> Request | None:
        try:
            model = service_model(service)
        except (FileNotFoundError, OSError):
            return None
        meta = model.metadata
        if meta.get("protocol") == "json":
            headers["x-amz-target"] = f"{meta['targetPrefix']}.{action}"
            headers["content-type"] = f"application/x-amz-json-{meta.get('jsonVersion', '1.0')}"
            return Request("POST", "/", query, headers, body or b"{}")
        if meta.get("protocol") == "query":
            form = f"Action={action}&Version={meta['apiVersion']}"
            if extra:
                form += "&" + extra
            if body:
                form += "&" + body.decode("utf-8", "replace")
            if query:
                form += "&" + query.decode()
            headers["content-type"] = "application/x-www-form-urlencoded"
            return Request("POST", "/", b"", headers, form.encode())
        return None


def endpoint_response(response: Response) -> EndpointResponse:
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers]
    return EndpointResponse(response.status, headers, response.body)
