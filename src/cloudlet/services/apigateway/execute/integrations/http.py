"""HTTP and HTTP_PROXY integrations: one request to the endpoint URL, its answer as it came.

The call runs with the stdlib client in a worker thread: integrations are user endpoints of any
speed, and a thread keeps a slow one from holding the event loop. Redirects are not followed
(API Gateway returns them to the client).
https://docs.aws.amazon.com/apigateway/latest/developerguide/setup-http-integrations.html
"""

from __future__ import annotations

import asyncio
import http.client
from urllib.parse import urlencode, urlsplit

from cloudlet.services.apigateway.execute.integrations.base import (
    EndpointRequest,
    EndpointResponse,
    IntegrationFailure,
)

# Hop-by-hop and per-connection headers are not forwarded.
_DROP = frozenset(("host", "connection", "keep-alive", "transfer-encoding", "te", "upgrade", "content-length",
                   "proxy-authorization", "proxy-authenticate", "trailer", "expect"))


def _send(req: EndpointRequest, timeout_s: float) -> EndpointResponse:
    parts = urlsplit(req.uri)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise IntegrationFailure(f"Execution failed due to configuration error: Invalid endpoint address {req.uri}")
    conn_cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = conn_cls(parts.hostname, parts.port, timeout=timeout_s)
    target = parts.path or "/"
    query = parts.query
    extra = urlencode([(k, v) for k, vs in req.query.items() for v in vs])
    if extra:
        query = f"{query}&{extra}" if query else extra
    if query:
        target += "?" + query
    headers = {k: v for k, v in req.headers.items() if k.lower() not in _DROP}
    try:
        conn.request(req.method, target, req.body or None, headers)
        resp = conn.getresponse()
        body = resp.read()
        return EndpointResponse(resp.status, [(k, v) for k, v in resp.getheaders()
                                              if k.lower() not in ("transfer-encoding", "connection")], body)
    except TimeoutError:
        raise IntegrationFailure("Execution failed due to a timeout error", "INTEGRATION_TIMEOUT", 504) from None
    except (OSError, http.client.HTTPException) as e:
        raise IntegrationFailure(f"Execution failed due to configuration error: {e}", "INTEGRATION_FAILURE",
                                 502) from None
    finally:
        conn.close()


async def call_http(req: EndpointRequest, timeout_s: float) -> EndpointResponse:
    return await asyncio.to_thread(_send, req, timeout_s)
