"""Which plane serves a request: cloudlet's own endpoints, or the AWS service it addresses."""

from __future__ import annotations

import orjson

from cloudlet.config import Settings
from cloudlet.protocol.context import Context, credential_scope
from cloudlet.protocol.json_rpc import JsonService
from cloudlet.server.http import Request, Response, json_response, new_request_id
from cloudlet.server.internal import Internal


class Router:
    def __init__(self, settings: Settings, internal: Internal, json_services: dict[str, JsonService]) -> None:
        self._settings = settings
        self._internal = internal
        self._json = json_services  # X-Amz-Target prefix -> service

    async def route(self, request: Request) -> Response:
        if request.path.startswith(("/_cloudlet/", "/_localstack/")):
            return await self._internal.handle(request)
        ctx = self._context(request)
        target = request.headers.get("x-amz-target")
        if target is not None and request.method == "POST":
            prefix, _, op = target.partition(".")
            service = self._json.get(prefix)
            if service is not None:
                return await service.handle(op, request.body, ctx)
        return json_response(
            400,
            orjson.dumps({
                "__type": "UnknownOperationException",
                "message": f"cloudlet has no service for {request.method} {request.path}"
                + (f" (X-Amz-Target {target})" if target else ""),
            }),
            ctx.request_id,
        )

    def _context(self, request: Request) -> Context:
        scope = credential_scope(request.headers)
        if scope is None:
            return Context(self._settings.default_region, self._settings.account_id, new_request_id())
        access_key, region, _service = scope
        return Context(region or self._settings.default_region, self._settings.account_id,
                       new_request_id(), access_key)
