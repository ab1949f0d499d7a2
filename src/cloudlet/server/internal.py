"""cloudlet's own endpoints: /_cloudlet/health, /_cloudlet/reset (and LocalStack's health URL)."""

from __future__ import annotations

import os
import re
from collections.abc import Awaitable, Callable

import orjson

from cloudlet import __version__
from cloudlet.server.http import Request, Response, json_response

_CODE = re.compile(r"/_cloudlet/lambda/code/([0-9a-f]{64})\.zip")


class Internal:
    def __init__(
        self, services: dict[str, str], reset: Callable[[], Awaitable[None]], code_root: str | None = None
    ) -> None:
        self._services = services  # name -> state, e.g. {"dynamodb": "running"}
        self._reset = reset
        self._code_root = code_root  # where Lambda code zips are kept (GetFunction's Code.Location)

    async def handle(self, request: Request) -> Response:
        path = request.path.rstrip("/")
        if path in ("/_cloudlet/health", "/_localstack/health") and request.method in ("GET", "HEAD"):
            body = {"services": self._services, "edition": "cloudlet", "version": __version__}
            return json_response(200, orjson.dumps(body))
        m = _CODE.fullmatch(path)
        if m and self._code_root and request.method == "GET":
            try:
                with open(os.path.join(self._code_root, m.group(1) + ".zip"), "rb") as f:
                    return Response(200, f.read(), [(b"content-type", b"application/zip")])
            except FileNotFoundError:
                pass
        if path == "/_cloudlet/reset" and request.method == "POST":
            await self._reset()
            return json_response(200, b'{"reset":true}')
        return json_response(404, orjson.dumps({"message": f"no such endpoint: {request.path}"}))
