"""The Lambda Runtime API of one execution environment: a loopback HTTP listener the runtime polls.

One listener per environment (127.0.0.1, an ephemeral port), served by `cloudlet.server.http11`.
The runtime's loop is: GET /next (long poll, answered when an invocation is submitted), then POST
/invocation/{id}/response or /invocation/{id}/error; a runtime that cannot start POSTs /init/error.
https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html (OpenAPI spec: samples/runtime-api.zip)

Status codes as the spec lists them: 202 {"status":"OK"} when accepted; 400 for a request id that is
not the invocation in progress; 403 for a call out of sequence (a second response, /init/error after
init, /next while an invocation is unanswered); 413 for a response over the synchronous payload limit.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import orjson

from cloudlet.server import http11
from cloudlet.server.http import Request, Response

PREFIX = "/2018-06-01/runtime/"
# cloudlet's own call (not part of Lambda's API): a pre-started runtime process (spares.py) asks here
# for the function it is to become: {"env": {...}, "cwd": "..."}; answered by `assign`.
ASSIGNMENT = "cloudlet/assignment"
MAX_RESPONSE_BYTES = 6_291_556  # the synchronous invocation payload limit (6 MB), as Lambda counts it
_LISTENER_MAX_BODY = 256 * 1024 * 1024  # past MAX_RESPONSE_BYTES so the 413 is ours, with Lambda's error
_JSON = [(b"content-type", b"application/json")]
_ACCEPTED = Response(202, b'{"status":"OK"}', _JSON)
# The 202 to a /response or /error: a runtime that pipelines its next GET /next behind it (the
# Python bootstrap does) gets both answers in one write, when the next invocation comes.
_ACCEPTED_REPORT = Response(202, b'{"status":"OK"}', _JSON, coalesce=True)
# Sent by cloudlet's bootstraps with a report: the process's peak RSS (its VmHWM), which saves
# reading /proc/<pid>/status after every invoke for Max Memory Used and the memory limit.
MAX_RSS_HEADER = "x-cloudlet-max-rss-kb"


@dataclass(slots=True)
class Outcome:
    """How an invocation (or init) ended, as the runtime reported it."""

    kind: str  # "response" | "error"
    body: bytes
    error_type: str | None
    at: float  # time.monotonic() when it was reported
    max_rss_kb: int | None = None  # the process's peak RSS, when its runtime reported it


@dataclass(slots=True)
class Invocation:
    request_id: str
    payload: bytes
    function_arn: str
    timeout_s: float
    trace_id: str
    client_context: str | None = None
    cognito_identity: str | None = None
    delivered_at: float = 0.0  # time.monotonic() when the runtime received it from /next
    deadline_ms: int = 0  # Lambda-Runtime-Deadline-Ms
    delivered: asyncio.Future[None] = field(default_factory=asyncio.Future)
    outcome: asyncio.Future[Outcome] = field(default_factory=asyncio.Future)


def _error(status: int, error_type: str, message: str) -> Response:
    return Response(status, orjson.dumps({"errorMessage": message, "errorType": error_type}), list(_JSON))


_METHOD_NOT_ALLOWED = _error(405, "MethodNotAllowed", "Method not allowed")


def _header_value(value: str) -> bytes:
    # Header values carry JSON documents (client context, Cognito identity): keep them on one line.
    return value.replace("\r", " ").replace("\n", " ").encode()


class RuntimeApi:
    """State of one environment's Runtime API. `submit` hands an invocation to the runtime; its
    `delivered` and `outcome` futures tell the environment when the runtime took it and answered."""

    def __init__(self) -> None:
        loop = asyncio.get_running_loop()
        self._loop = loop
        self.ready: asyncio.Future[float] = loop.create_future()  # first /next: init is done (time.monotonic())
        self.init_error: asyncio.Future[Outcome] = loop.create_future()
        self.assignment: asyncio.Future[bytes] = loop.create_future()  # see ASSIGNMENT
        self._pending: Invocation | None = None  # submitted, not yet taken by /next
        self._current: Invocation | None = None  # taken by /next
        self._waiter: asyncio.Future[None] | None = None  # a /next waiting for an invocation
        self._server: asyncio.base_events.Server | None = None
        self.port = 0

    async def start(self) -> int:
        self._server = await http11.serve(self.handle, "127.0.0.1", 0, max_body=_LISTENER_MAX_BODY,
                                          quick=self.answer_now)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._waiter is not None and not self._waiter.done():
            self._waiter.cancel()

    def assign(self, env: dict[str, str], cwd: str) -> None:
        """Tell a pre-started runtime which function it runs (its environment and working directory)."""
        self.assignment.set_result(orjson.dumps({"env": env, "cwd": cwd}))

    def submit(self, inv: Invocation) -> None:
        """Queue `inv` for the runtime; delivered at once if a /next is waiting."""
        if self._pending is not None:
            raise RuntimeError("an invocation is already waiting for the runtime")
        self._pending = inv
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def withdraw(self, inv: Invocation) -> None:
        """Forget `inv` (its invoke ended: timed out, the process died)."""
        if self._pending is inv:
            self._pending = None
        if self._current is inv:
            self._current = None

    # -- HTTP
    async def handle(self, request: Request) -> Response:
        answer = self.answer_now(request)
        if answer is not None:
            return answer
        if request.path == PREFIX + ASSIGNMENT:
            return Response(200, await self.assignment, list(_JSON))
        return await self._next_wait()

    def answer_now(self, request: Request) -> Response | None:
        """The answer to `request` when it needs no waiting: everything but a /next that finds no
        invocation queued (None: `handle` waits for one). The HTTP server calls this first, so most
        Runtime API calls are answered without a task."""
        path = request.path
        if not path.startswith(PREFIX):
            return _error(404, "InvalidURLPath", f"Invalid URL path: {path}")
        rest = path[len(PREFIX):]
        if rest == "invocation/next":
            return self._next_now() if request.method == "GET" else _METHOD_NOT_ALLOWED
        if rest == ASSIGNMENT:
            if request.method != "GET":
                return _METHOD_NOT_ALLOWED
            return Response(200, self.assignment.result(), list(_JSON)) if self.assignment.done() else None
        if rest == "init/error":
            return self._init_error(request) if request.method == "POST" else _METHOD_NOT_ALLOWED
        parts = rest.split("/")
        if len(parts) == 3 and parts[0] == "invocation" and parts[1] and parts[2] in ("response", "error"):
            return self._report(parts[1], parts[2], request) if request.method == "POST" else _METHOD_NOT_ALLOWED
        return _error(404, "InvalidURLPath", f"Invalid URL path: {path}")

    def _next_now(self) -> Response | None:
        if self.init_error.done():
            return _error(403, "InvalidStateTransition", "State transition from InitError to Ready failed")
        cur = self._current
        if cur is not None and not cur.outcome.done():
            return _error(403, "InvalidStateTransition",
                          "State transition from Invoking to Ready failed: the invocation has no response")
        self._current = None
        if not self.ready.done():
            self.ready.set_result(time.monotonic())
        if self._pending is None:
            if self._waiter is not None and not self._waiter.done():
                return _error(403, "InvalidStateTransition", "Another /next request is already waiting")
            return None
        return self._deliver()

    async def _next_wait(self) -> Response:
        while self._pending is None:
            if self._waiter is not None and not self._waiter.done():
                return _error(403, "InvalidStateTransition", "Another /next request is already waiting")
            self._waiter = self._loop.create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._deliver()

    def _deliver(self) -> Response:
        inv = self._pending
        assert inv is not None
        self._pending = None
        self._current = inv
        inv.delivered_at = time.monotonic()
        inv.deadline_ms = int(time.time() * 1000 + inv.timeout_s * 1000)
        if not inv.delivered.done():
            inv.delivered.set_result(None)
        headers = [
            (b"content-type", b"application/json"),
            (b"lambda-runtime-aws-request-id", inv.request_id.encode()),
            (b"lambda-runtime-deadline-ms", str(inv.deadline_ms).encode()),
            (b"lambda-runtime-invoked-function-arn", inv.function_arn.encode()),
            (b"lambda-runtime-trace-id", inv.trace_id.encode()),
        ]
        if inv.client_context is not None:
            headers.append((b"lambda-runtime-client-context", _header_value(inv.client_context)))
        if inv.cognito_identity is not None:
            headers.append((b"lambda-runtime-cognito-identity", _header_value(inv.cognito_identity)))
        return Response(200, inv.payload, headers)

    def _report(self, request_id: str, kind: str, request: Request) -> Response:
        cur = self._current
        if cur is None or cur.request_id != request_id:
            return _error(400, "InvalidRequestID", "Invalid request ID")
        if cur.outcome.done():
            return _error(403, "InvalidStateTransition",
                          f"State transition from {kind.capitalize()}Sent failed: the invocation already has a result")
        now = time.monotonic()
        rss = request.headers.get(MAX_RSS_HEADER)
        max_rss = int(rss) if rss is not None and rss.isdigit() else None
        if kind == "response":
            if len(request.body) > MAX_RESPONSE_BYTES:
                body = orjson.dumps({
                    "errorMessage": "Response payload size exceeded maximum allowed payload size "
                                    f"({MAX_RESPONSE_BYTES} bytes).",
                    "errorType": "Function.ResponseSizeTooLarge",
                })
                cur.outcome.set_result(Outcome("error", body, "Function.ResponseSizeTooLarge", now))
                return _error(413, "RequestEntityTooLarge",
                              f"Exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes).")
            cur.outcome.set_result(Outcome("response", request.body, None, now, max_rss))
            return _ACCEPTED_REPORT
        body, error_type = _error_body(request)
        cur.outcome.set_result(Outcome("error", body, error_type, now, max_rss))
        return _ACCEPTED_REPORT

    def _init_error(self, request: Request) -> Response:
        if self.ready.done() or self.init_error.done():
            return _error(403, "InvalidStateTransition", "State transition from Ready to InitError failed")
        body, error_type = _error_body(request)
        self.init_error.set_result(Outcome("error", body, error_type, time.monotonic()))
        return _ACCEPTED


def _error_body(request: Request) -> tuple[bytes, str]:
    """The error document a runtime posted, and its type. A body that is not a JSON object is
    replaced by one built from Lambda-Runtime-Function-Error-Type (the spec's default behaviour)."""
    header_type = request.headers.get("lambda-runtime-function-error-type")
    try:
        doc = orjson.loads(request.body) if request.body else None
    except orjson.JSONDecodeError:
        doc = None
    if isinstance(doc, dict):
        doc_type = doc.get("errorType")
        return request.body, doc_type if isinstance(doc_type, str) and doc_type else (header_type or "Unhandled")
    error_type = header_type or "Unhandled"
    return orjson.dumps({"errorMessage": "", "errorType": error_type}), error_type
