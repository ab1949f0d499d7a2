"""cloudlet's HTTP/1.1 server: an asyncio protocol on httptools (the parser uvicorn uses).

Why not uvicorn's ASGI server: measured on the DynamoDB GetItem path, uvicorn's per-request
work (ASGI message dicts, header re-validation, a write syscall for the head and another for
the body) took about a third of the server's CPU. Here a request is parsed into our own
`Request`, handed to the router, and the whole response goes out in one write. Keep-alive,
pipelining (responses in request order), chunked request bodies, `Expect: 100-continue` and
HEAD are handled; anything the parser rejects gets a 400 and the connection is closed.
Flow control: a connection stops being read while it has many pipelined requests in progress or
while the client does not read its responses (the transport's write buffer is full).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from email.utils import formatdate
from urllib.parse import unquote_to_bytes

import httptools

from cloudlet.server import eager
from cloudlet.server.http import Request, Response

log = logging.getLogger("cloudlet.http")

Handler = Callable[[Request], Awaitable[Response]]
# Answers a request on the spot when it can (None: the request goes to the Handler, in a task).
QuickHandler = Callable[[Request], Response | None]
# Whether a request's handler may run without a Task (see eager.py).
EagerTest = Callable[[Request], bool]

# The largest request read: Lambda's CreateFunction takes a 50 MB zip, base64-encoded in JSON (~67 MB);
# each service enforces its own, smaller limits (API Gateway 10 MB, DynamoDB items 400 KB).
MAX_BODY = 72 * 1024 * 1024
MAX_IN_FLIGHT = 32  # pipelined requests of one connection being served at once

_REASONS = {
    100: b"Continue", 200: b"OK", 201: b"Created", 202: b"Accepted", 204: b"No Content",
    301: b"Moved Permanently", 302: b"Found", 304: b"Not Modified", 400: b"Bad Request",
    401: b"Unauthorized", 403: b"Forbidden", 404: b"Not Found", 405: b"Method Not Allowed",
    409: b"Conflict", 413: b"Payload Too Large", 415: b"Unsupported Media Type",
    429: b"Too Many Requests", 500: b"Internal Server Error", 502: b"Bad Gateway",
    503: b"Service Unavailable", 504: b"Gateway Timeout",
}
_INTERNAL_ERROR = Response(
    500,
    b'{"__type":"InternalFailure","message":"An internal error occurred"}',
    [(b"content-type", b"application/json")],
)


class _Coalesce(bytes):
    """A rendered response that may wait for the next pipelined one (Response.coalesce)."""


class _Clock:
    """The Date header, rendered at most once a second."""

    def __init__(self) -> None:
        self._second = 0
        self._value = b""

    def header(self, loop: asyncio.AbstractEventLoop) -> bytes:
        now = int(loop.time())
        if now != self._second:
            self._second = now
            self._value = b"date: " + formatdate(usegmt=True).encode() + b"\r\n"
        return self._value


class HttpProtocol(asyncio.Protocol):
    def __init__(
        self,
        handler: Handler,
        clock: _Clock,
        max_body: int,
        quick: QuickHandler | None = None,
        eager_ok: EagerTest | None = None,
    ) -> None:
        self._handler = handler
        self._quick = quick
        self._eager_ok = eager_ok
        self._clock = clock
        self._max_body = max_body
        self._loop = asyncio.get_event_loop()
        self._parser = httptools.HttpRequestParser(self)
        self._transport: asyncio.Transport | None = None
        self._url = b""
        self._headers: dict[str, str] = {}
        self._raw: list[tuple[str, str]] = []
        self._body: list[bytes] = []
        self._body_size = 0
        self._client = "127.0.0.1"
        # Requests answered in order (pipelining): each entry is a task producing bytes.
        self._queue: deque[asyncio.Future[bytes]] = deque()
        self._closing = False
        self._read_paused = False
        self._write_paused = False

    # -- asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]
        peer = transport.get_extra_info("peername")
        if peer:
            self._client = peer[0]

    def pause_writing(self) -> None:
        self._write_paused = True
        self._update_reading()

    def resume_writing(self) -> None:
        self._write_paused = False
        self._update_reading()

    def _update_reading(self) -> None:
        t = self._transport
        if t is None:
            return
        stop = self._write_paused or len(self._queue) >= MAX_IN_FLIGHT
        if stop and not self._read_paused:
            t.pause_reading()
            self._read_paused = True
        elif not stop and self._read_paused:
            t.resume_reading()
            self._read_paused = False

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        for fut in self._queue:
            fut.cancel()
        self._queue.clear()

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(b"upgrades are not supported")
        except httptools.HttpParserError as e:
            self._fail(str(e).encode())

    def _fail(self, why: bytes) -> None:
        t = self._transport
        if t is not None:
            body = b'{"message":"bad request: ' + why.replace(b'"', b"'") + b'"}'
            t.write(
                b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nconnection: close\r\n"
                b"content-length: " + str(len(body)).encode() + b"\r\n\r\n" + body
            )
            t.close()
            self._transport = None

    # -- httptools callbacks
    def on_message_begin(self) -> None:
        self._url = b""
        self._headers = {}
        self._raw = []
        self._body = []
        self._body_size = 0

    def on_url(self, url: bytes) -> None:
        self._url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        raw = name.decode("latin-1")
        key = raw.lower()
        v = value.decode("latin-1")
        self._raw.append((raw, v))
        headers = self._headers
        headers[key] = headers[key] + "," + v if key in headers else v

    def on_headers_complete(self) -> None:
        if self._headers.get("expect", "").lower() == "100-continue" and self._transport is not None:
            self._transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")

    def on_body(self, body: bytes) -> None:
        self._body_size += len(body)
        if self._body_size <= self._max_body:
            self._body.append(body)

    def on_message_complete(self) -> None:
        if self._closing:  # requests pipelined after "Connection: close" are not answered
            return
        parser = self._parser
        path, query = _split_url(self._url)
        method = parser.get_method().decode("ascii")
        request = Request(
            method,
            path,
            query,
            self._headers,
            b"".join(self._body) if len(self._body) != 1 else self._body[0],
            self._client,
            self._raw,
        )
        keep_alive = parser.should_keep_alive()
        if self._body_size > self._max_body:
            fut: asyncio.Future[bytes] = self._loop.create_future()
            fut.set_result(self._render(Response(413, b'{"message":"Request entity too large"}'), method, False))
            keep_alive = False
        elif self._quick is not None and (now := self._answer_now(request, keep_alive)) is not None:
            fut = self._loop.create_future()
            fut.set_result(now)
        elif self._eager_ok is not None and self._eager_ok(request):
            fut = eager.start(self._serve(request, keep_alive), self._loop)
        else:
            fut = self._loop.create_task(self._serve(request, keep_alive))
        self._queue.append(fut)
        fut.add_done_callback(self._flush)
        if not keep_alive:
            self._closing = True
        if len(self._queue) >= MAX_IN_FLIGHT:
            self._update_reading()

    # -- answering
    async def _serve(self, request: Request, keep_alive: bool) -> bytes:
        try:
            response = await self._handler(request)
        except Exception:
            log.exception("unhandled error for %s %s", request.method, request.path)
            response = _INTERNAL_ERROR
        return self._render(response, request.method, keep_alive)

    def _answer_now(self, request: Request, keep_alive: bool) -> bytes | None:
        assert self._quick is not None
        try:
            response = self._quick(request)
        except Exception:
            log.exception("unhandled error for %s %s", request.method, request.path)
            response = _INTERNAL_ERROR
        return None if response is None else self._render(response, request.method, keep_alive)

    def _render(self, response: Response, method: str, keep_alive: bool) -> bytes:
        status = response.status
        head = [b"HTTP/1.1 %d %s\r\n" % (status, _REASONS.get(status, b"Unknown"))]
        for k, v in response.headers:
            head.append(k + b": " + v + b"\r\n")
        head.append(self._clock.header(self._loop))
        if not keep_alive:
            head.append(b"connection: close\r\n")
        body = response.body
        head.append(b"content-length: %d\r\n\r\n" % len(body))
        if method != "HEAD":
            head.append(body)
        if response.coalesce and keep_alive:
            return _Coalesce(b"".join(head))
        return b"".join(head)

    def _flush(self, _: asyncio.Future[bytes]) -> None:
        # Write finished responses from the front of the queue, in request order, in one write.
        q = self._queue
        t = self._transport
        out: list[bytes] = []
        while q and q[0].done():
            fut = q[0]
            if not fut.cancelled():
                data = fut.result()
                if type(data) is _Coalesce and len(q) > 1 and not q[1].done():
                    break  # written with the next pipelined answer, when that one is ready
                out.append(data)
            q.popleft()
        if out and t is not None:
            t.write(out[0] if len(out) == 1 else b"".join(out))
        if t is not None and not q and self._closing:
            t.close()
            self._transport = None
        elif self._read_paused:
            self._update_reading()


def _split_url(url: bytes) -> tuple[str, bytes]:
    """(percent-decoded path, raw query) of an origin-form or absolute-form request target."""
    if url[:1] != b"/":
        parsed = httptools.parse_url(url)
        url = (parsed.path or b"/") + (b"?" + parsed.query if parsed.query else b"")
    q = url.find(b"?")
    path, query = (url, b"") if q < 0 else (url[:q], url[q + 1 :])
    if b"%" in path:
        return unquote_to_bytes(path).decode("utf-8", "surrogateescape"), query
    return path.decode("utf-8", "surrogateescape"), query


async def serve(
    handler: Handler,
    host: str,
    port: int,
    max_body: int = MAX_BODY,
    quick: QuickHandler | None = None,
    eager_ok: EagerTest | None = None,
) -> asyncio.base_events.Server:
    """Serve `handler` on host:port; `quick`, when given, is asked first (see QuickHandler), and
    requests `eager_ok` accepts are started without a Task (see eager.py)."""
    loop = asyncio.get_running_loop()
    clock = _Clock()
    return await loop.create_server(
        lambda: HttpProtocol(handler, clock, max_body, quick, eager_ok), host, port, reuse_address=True,
        backlog=2048,
    )
