"""The state one execute-api request carries through the pipeline's steps.

Also builds `$context` (the variables mapping templates, access logs and the Lambda proxy event's
requestContext read), as AWS documents them:
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html#context-variable-reference
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl

from cloudlet import ids
from cloudlet.server.http import Request
from cloudlet.services.apigateway.engine.definition import Deployed
from cloudlet.services.apigateway.execute.logging import ExecutionLog
from cloudlet.services.apigateway.execute.routing import Route

Doc = dict[str, Any]
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def clf_time(epoch: float) -> str:
    """`21/Nov/2026:12:00:00 +0000`, the form of `$context.requestTime`."""
    return _clf_second(int(epoch))


@lru_cache(maxsize=4)  # requests of the same second share the text
def _clf_second(epoch: int) -> str:
    t = time.gmtime(epoch)
    return f"{t.tm_mday:02d}/{_MONTHS[t.tm_mon - 1]}/{t.tm_year}:{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000"


def request_id() -> str:
    """A UUID-shaped id like AWS's `$context.requestId`."""
    return ids.uuid_id()


def extended_request_id() -> str:
    """Like AWS's `x-amz-apigw-id` (e.g. `QBkk2FGJvHcFt3g=`): 10 bytes in base64."""
    return base64.b64encode(_PREFIX4 + ids.counter().to_bytes(6, "big")).decode()


_PREFIX4 = ids.prefix_bytes()[:4]


# `$context.identity` of an unsigned caller (no IAM, Cognito or API key identity).
_NO_IDENTITY: Doc = {
    "accountId": None, "apiKey": None, "apiKeyId": None, "caller": None, "cognitoAuthenticationProvider": None,
    "cognitoAuthenticationType": None, "cognitoIdentityId": None, "cognitoIdentityPoolId": None,
    "principalOrgId": None, "sourceIp": None, "user": None, "userAgent": None, "userArn": None, "accessKey": None,
}


@dataclass
class Failure:
    """Why the pipeline answers with a gateway response instead of the integration's."""

    response_type: str  # a gateway response type, e.g. MISSING_AUTHENTICATION_TOKEN
    message: str  # $context.error.message
    status: int | None = None  # overrides the type's default status (e.g. 502 for a bad proxy result)


@dataclass(slots=True)
class Invocation:
    request: Request
    deployed: Deployed
    stage: str
    path: str  # the resource part of the URL path ("/a/b"), without the stage
    domain: str  # the Host the client called, without port
    request_id: str = field(default_factory=request_id)
    extended_id: str = field(default_factory=extended_request_id)
    started: float = field(default_factory=time.time)
    route: Route | None = None
    log: ExecutionLog | None = None  # None: logging is off for this method
    # Makes the execution log once the route (and so the method's log settings) is known.
    log_factory: Callable[[Invocation], ExecutionLog | None] | None = None
    test_invoke: bool = False
    # the method request, as the client sent it
    headers: dict[str, str] = field(init=False)  # last value per name, names as sent
    _multi_headers: dict[str, list[str]] | None = None
    query: dict[str, str] = field(init=False)  # last value per name
    _multi_query: dict[str, list[str]] | None = None
    body: bytes = field(init=False)
    # what the integration and the mapping steps produced
    integration_status: int | None = None
    integration_latency_ms: int | None = None
    integration_error: str | None = None
    failure: Failure | None = None
    _context: Doc | None = None
    _mapping_params: dict[str, dict[str, str]] | None = None

    def __post_init__(self) -> None:
        self.body = self.request.body
        raw = self.request.raw_headers
        self.headers = dict(raw) if raw is not None else dict(self.request.headers)
        # the last value of a repeated name, as API Gateway's single-value maps hold
        q = self.request.query
        self.query = dict(parse_qsl(q.decode("latin-1"), keep_blank_values=True)) if q else {}

    @property
    def multi_headers(self) -> dict[str, list[str]]:
        """Every value of each header, names as sent (built when first needed)."""
        if self._multi_headers is None:
            raw = self.request.raw_headers
            multi: dict[str, list[str]] = {}
            for name, value in raw if raw is not None else self.request.headers.items():
                multi.setdefault(name, []).append(value)
            self._multi_headers = multi
        return self._multi_headers

    @property
    def multi_query(self) -> dict[str, list[str]]:
        """Every value of each query string parameter (built when first needed)."""
        if self._multi_query is None:
            multi: dict[str, list[str]] = {}
            if self.request.query:
                for k, v in parse_qsl(self.request.query.decode("latin-1"), keep_blank_values=True):
                    multi.setdefault(k, []).append(v)
            self._multi_query = multi
        return self._multi_query

    @property
    def mapping_params(self) -> dict[str, dict[str, str]]:
        """`$input.params()`: the method request's path, query string and header values (read-only)."""
        if self._mapping_params is None:
            path = self.route.path_params if self.route else {}
            self._mapping_params = {"path": path, "querystring": self.query, "header": self.headers}
        return self._mapping_params

    def header(self, name: str) -> str | None:
        """A request header by its lower-case name (repeated values joined with ",")."""
        return self.request.headers.get(name)

    @property
    def stage_variables(self) -> dict[str, str]:
        return self.deployed.stage.get("variables") or {}

    def build_context(self) -> Doc:
        """`$context` as of now (resource fields are absent before routing)."""
        route = self.route
        req = self.request
        resource = route.resource if route else {}
        ctx: Doc = {
            "accountId": self.deployed.account,
            "apiId": self.deployed.api_id,
            "deploymentId": self.deployed.deployment_id,
            "domainName": self.domain,
            "domainPrefix": self.domain.split(".", 1)[0],
            "extendedRequestId": self.extended_id,
            "httpMethod": req.method,
            "identity": {**_NO_IDENTITY, "sourceIp": req.client, "userAgent": self.header("user-agent")},
            "path": f"/{self.stage}{self.path}" if self.path != "/" else f"/{self.stage}/",
            "protocol": "HTTP/1.1",
            "requestId": self.request_id,
            "requestTime": clf_time(self.started),
            "requestTimeEpoch": int(self.started * 1000),
            "resourceId": resource.get("id"),
            "resourcePath": resource.get("path"),
            "stage": self.stage,
            "authorizer": {},
            "error": {"message": None, "messageString": None, "responseType": None,
                      "validationErrorString": None},
            "requestOverride": {"header": {}, "querystring": {}, "path": {}},
            "responseOverride": {"header": {}, "status": None},
        }
        self._context = ctx
        return ctx

    @property
    def context(self) -> Doc:
        """`$context`, built when first needed (many requests never read it)."""
        return self._context if self._context is not None else self.build_context()
