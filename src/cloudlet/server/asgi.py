"""The ASGI adapter: lets any ASGI server (uvicorn with `--http asgi`) serve cloudlet.

A request's path: `App.__call__` reads headers and body → `Router.route` picks the plane
(internal `/_cloudlet/*`, or an AWS service identified by the protocol layer) → the plane returns
a `Response` → written back. Nothing here knows any service's rules.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from cloudlet.server.http import Request, Response

log = logging.getLogger("cloudlet")

Handler = Callable[[Request], Awaitable[Response]]
Scope = dict[str, Any]


class App:
    def __init__(
        self,
        route: Handler,
        on_startup: Callable[[], Awaitable[None]],
        on_shutdown: Callable[[], Awaitable[None]],
    ) -> None:
        self._route = route
        self._startup = on_startup
        self._shutdown = on_shutdown

    async def __call__(self, scope: Scope, receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    async def _http(self, scope: Scope, receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        msg = await receive()
        body: bytes = msg.get("body", b"")
        if msg.get("more_body"):
            parts = [body]
            while msg.get("more_body"):
                msg = await receive()
                parts.append(msg.get("body", b""))
            body = b"".join(parts)
        headers: dict[str, str] = {}
        for k, v in scope["headers"]:
            name = k.decode("latin-1").lower()
            value = v.decode("latin-1")
            headers[name] = headers[name] + "," + value if name in headers else value
        client = scope.get("client")
        request = Request(
            scope["method"], scope["path"], scope["query_string"], headers, body,
            client[0] if client else "127.0.0.1",
        )
        try:
            response = await self._route(request)
        except Exception:  # a bug: answer like AWS does, keep serving, keep the traceback in our log
            log.exception("unhandled error for %s %s", request.method, request.path)
            response = Response(
                500,
                b'{"__type":"InternalFailure","message":"An internal error occurred"}',
                [(b"content-type", b"application/json")],
            )
        headers_out = response.headers
        headers_out.append((b"content-length", str(len(response.body)).encode()))
        await send({"type": "http.response.start", "status": response.status, "headers": headers_out})
        await send({"type": "http.response.body", "body": response.body})

    async def _lifespan(self, receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        while True:
            msg = await receive()
            if msg["type"] == "lifespan.startup":
                try:
                    await self._startup()
                except Exception as e:
                    log.exception("start-up failed")
                    await send({"type": "lifespan.startup.failed", "message": str(e)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif msg["type"] == "lifespan.shutdown":
                await self._shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return
