"""A keep-alive HTTP client for the benchmarks' own requests (stdlib only)."""

from __future__ import annotations

import http.client
import time

from . import HOST


class KeepAliveClient:
    """One keep-alive connection to a loopback server; reconnects on the next call after an error."""

    def __init__(self, port: int, timeout: float = 60.0):
        self.port, self.timeout = port, timeout
        self.conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]
             ) -> tuple[int, dict[str, str], bytes, int]:
        """(status, lower-cased headers, body, nanoseconds) of one request; errors close the connection."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        t0 = time.perf_counter_ns()
        try:
            self.conn.request(method, path, body, headers)
            r = self.conn.getresponse()
            data = r.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        ns = time.perf_counter_ns() - t0
        if r.will_close:
            self.close()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data, ns
