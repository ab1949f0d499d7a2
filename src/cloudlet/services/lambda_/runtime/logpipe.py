"""The read end of a function process's stdout+stderr: split into log events as they arrive.

Both streams share one pipe, so their lines keep the order the process wrote them in. A line is
one event; a "\\r" inside a line (how the bootstrap writes a multi-line logging record or error
report) becomes a newline inside that event. Events wait in a buffer until the environment takes
them at the end of an invoke: init output goes with the first invoke, output written between
invokes with the next one.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import sys
import termios
import time

MAX_EVENT_BYTES = 256 * 1024  # CloudWatch Logs' event size; a longer line is split
MAX_BUFFERED_BYTES = 16 * 1024 * 1024  # held between takes; past it lines are dropped and counted
_INT_ZERO = bytes(4)  # FIONREAD's int argument (an immutable buffer: ioctl returns a copy)


class LogPipe(asyncio.Protocol):
    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._partial = b""
        self._events: list[tuple[int, str]] = []  # (epoch ms, message)
        self._size = 0
        self._dropped = 0
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._transport: asyncio.ReadTransport | None = None

    @classmethod
    async def open(cls, fd: int) -> LogPipe:
        loop = asyncio.get_running_loop()
        pipe = cls(fd)
        await loop.connect_read_pipe(lambda: pipe, os.fdopen(fd, "rb", buffering=0))
        return pipe

    # -- asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        buf = self._partial + data if self._partial else data
        start = 0
        while True:
            nl = buf.find(b"\n", start)
            if nl < 0:
                break
            self._add(buf[start:nl])
            start = nl + 1
        rest = buf[start:]
        while len(rest) >= MAX_EVENT_BYTES:
            self._add(rest[:MAX_EVENT_BYTES])
            rest = rest[MAX_EVENT_BYTES:]
        self._partial = rest

    def eof_received(self) -> bool | None:
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.flush_partial()
        self._transport = None
        if not self.closed.done():
            self.closed.set_result(None)

    # -- events
    def _add(self, line: bytes) -> None:
        if line.endswith(b"\r"):
            line = line[:-1]
        if self._size + len(line) > MAX_BUFFERED_BYTES:
            self._dropped += 1
            return
        self._size += len(line)
        self._events.append((int(time.time() * 1000), line.decode("utf-8", "replace").replace("\r", "\n")))

    def add(self, message: str) -> None:
        """An event written by the environment itself (a timeout or exit notice)."""
        self._events.append((int(time.time() * 1000), message))

    def flush_partial(self) -> None:
        if self._partial:
            self._add(self._partial)
            self._partial = b""

    def take(self) -> list[tuple[int, str]]:
        self.flush_partial()
        events = self._events
        if self._dropped:
            events.append((int(time.time() * 1000), f"[cloudlet] {self._dropped} log lines dropped (buffer full)"))
        self._events = []
        self._size = 0
        self._dropped = 0
        return events

    def pending_bytes(self) -> int:
        """Bytes written by the process and not read yet (FIONREAD on the pipe)."""
        if self._transport is None:
            return 0
        try:
            return int.from_bytes(fcntl.ioctl(self._fd, termios.FIONREAD, _INT_ZERO), sys.byteorder)
        except OSError:
            return 0

    async def drain(self, max_wait_s: float = 0.5) -> None:
        """Let the event loop read what the process has already written (called once the runtime
        has answered: its output was written before its answer, but may not have been read yet).
        Callers check pending_bytes() first: most invokes have nothing left to read."""
        end = time.monotonic() + max_wait_s
        while self.pending_bytes() > 0 and time.monotonic() < end:
            await asyncio.sleep(0)

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
