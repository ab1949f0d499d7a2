"""Which plane serves a request: cloudlet's own endpoints, or the AWS service it addresses."""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING

import orjson

from cloudlet.config import Settings
from cloudlet.protocol.context import Context, credential_scope
from cloudlet.protocol.json_rpc import JsonService
from cloudlet.protocol.query import QueryService
from cloudlet.server.http import Request, Response, json_response, new_request_id
from cloudlet.server.internal import Internal
from cloudlet.services.apigateway.execute.urls import execute_target

if TYPE_CHECKING:
    from cloudlet.protocol.rest_json import RestJsonService
    from cloudlet.services.apigateway.execute.plane import ExecuteApi

_ACTION = re.compile(rb"(?:^|&)Action=([A-Za-z0-9]+)")
_NO_TARGET: tuple[None, None] = (None, None)


class Router:
    def __init__(
        self,
        settings: Settings,
        internal: Internal,
        json_services: dict[str, JsonService],
        query_services: dict[str, QueryService],
        rest_services: dict[str, RestJsonService],
        execute_api: ExecuteApi | None = None,
    ) -> None:
        self._settings = settings
        self._internal = internal
        self._json = json_services  # X-Amz-Target prefix -> service
        self._query = query_services  # SigV4 signing name (credential scope service) -> service
        self._rest = rest_services  # SigV4 signing name -> service (operations matched by URI template)
        self._execute = execute_api  # deployed REST APIs (invoke URLs)
        # Set once every service is registered (see add_services): start-up answers DynamoDB and
        # CloudWatch Logs first, requests for the others wait for it.
        self.complete = asyncio.Event()
        self.complete.set()
        # The deployed-API target `eager` found for the request it looked at last.
        self._target: tuple[Request | None, tuple[str, str, str, str] | None] = _NO_TARGET

    def add_services(self, rest_services: dict[str, RestJsonService], execute_api: ExecuteApi | None) -> None:
        """Register the services loaded after start-up, and let the requests waiting for them in."""
        self._rest.update(rest_services)
        self._execute = execute_api
        self.complete.set()

    def eager(self, request: Request) -> bool:
        """Whether `route` may serve this request without a Task (server/eager.py): requests for
        deployed APIs, and the reads of the JSON-protocol services. Their paths use no task-bound
        asyncio feature (API Gateway's Lambda timeout waits with eager.first_done)."""
        if self._execute is not None:
            api = execute_target(request)
            self._target = (request, api)  # route() reads it back, right after this
            if api is not None:
                return True
        if request.method != "POST":
            return False
        target = request.headers.get("x-amz-target")
        if target is None:
            return False
        prefix, _, op = target.partition(".")
        service = self._json.get(prefix)
        return service is not None and op in service.eager_operations

    async def route(self, request: Request) -> Response:
        if request.path.startswith(("/_cloudlet/", "/_localstack/")):
            return await self._internal.handle(request)
        if not self.complete.is_set() and not (request.method == "POST" and "x-amz-target" in request.headers):
            await self.complete.wait()
        if self._execute is not None:
            seen, api = self._target
            if seen is not request:
                api = execute_target(request)
            self._target = _NO_TARGET
            if api is not None:
                return await self._execute.handle(request, api)
        scope = credential_scope(request.headers)
        ctx = self._context(scope)
        target = request.headers.get("x-amz-target")
        if target is not None and request.method == "POST":
            prefix, _, op = target.partition(".")
            json_service = self._json.get(prefix)
            if json_service is not None:
                return await json_service.handle(op, request.body, ctx)
        query = self._query_service(request, scope[2] if scope else None)
        if query is not None:
            return await query.handle(request, ctx)
        rest = self._rest.get(scope[2]) if scope else None
        candidates = [rest] if rest is not None else list(self._rest.values())
        for service in candidates:
            matched = service.match(request)
            if matched is not None:
                return await service.handle(request, ctx, matched)
        return json_response(
            400,
            orjson.dumps({
                "__type": "UnknownOperationException",
                "message": f"cloudlet has no service for {request.method} {request.path}"
                + (f" (X-Amz-Target {target})" if target else ""),
            }),
            ctx.request_id,
        )

    def _query_service(self, request: Request, signing_name: str | None) -> QueryService | None:
        """The query-protocol service of a form-encoded POST (or a GET with Action=...)."""
        if request.method == "POST" and request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"
        ):
            form = request.body
        elif request.method == "GET" and b"Action=" in request.query:
            form = request.query
        else:
            return None
        if signing_name and signing_name in self._query:
            return self._query[signing_name]
        m = _ACTION.search(form)  # unsigned requests (e.g. AssumeRoleWithWebIdentity): by action name
        action = m.group(1).decode() if m else ""
        return next((s for s in self._query.values() if s.has_action(action)), None)

    def _context(self, scope: tuple[str, str, str] | None) -> Context:
        if scope is None:
            return Context(self._settings.default_region, self._settings.account_id, new_request_id())
        access_key, region, _service = scope
        return Context(region or self._settings.default_region, self._settings.account_id,
                       new_request_id(), access_key)
