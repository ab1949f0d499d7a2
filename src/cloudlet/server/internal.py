"""cloudlet's own endpoints: /_cloudlet/health, /_cloudlet/reset (and LocalStack's health URL)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import orjson

from cloudlet import __version__
from cloudlet.server.http import Request, Response, json_response


class Internal:
    def __init__(self, services: dict[str, str], reset: Callable[[], Awaitable[None]]) -> None:
        self._services = services  # name -> state, e.g. {"dynamodb": "running"}
        self._reset = reset

    async def handle(self, request: Request) -> Response:
        path = request.path.rstrip("/")
        if path in ("/_cloudlet/health", "/_localstack/health") and request.method in ("GET", "HEAD"):
            body = {"services": self._services, "edition": "cloudlet", "version": __version__}
            return json_response(200, orjson.dumps(body))
        if path == "/_cloudlet/reset" and request.method == "POST":
            await self._reset()
            return json_response(200, b'{"reset":true}')
        return json_response(404, orjson.dumps({"message": f"no such endpoint: {request.path}"}))
