"""Log events written by cloudlet's own services: Lambda function output, API Gateway execution
and access logs.

On AWS these reach CloudWatch Logs asynchronously, a moment after the invoke or request that
produced them. Here they are taken into their stream at once (the stream's sequence numbers and
timestamps change in memory, so DescribeLogStreams shows them) and stored shortly after, many
invokes' events in one write transaction and each stream's in one row (a pack, see packs.py):
storing each invoke's lines on its own, then each line in a row of its own, was the largest part
of a warm invoke's cost in the server. Nothing reads around the buffer: every Logs API call,
a log group or stream deletion, the retention sweep, a reset and shutdown store what is pending
first (`LogCatalog.settle`), so a GetLogEvents sent after an Invoke returned sees its lines.
What a kill -9 can lose is the last FLUSH_DELAY_S of these lines (the API's PutLogEvents is never
deferred).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from typing import Any

import orjson

from cloudlet.services.logs.engine.packs import Event, pack
from cloudlet.store.base import Store, Txn

log = logging.getLogger(__name__)

FLUSH_DELAY_S = 0.1
FLUSH_EVENTS = 5_000  # stored at once past this many pending events


class _Pending:
    __slots__ = ("events", "ns", "stream")

    def __init__(self, ns: str, stream: Any) -> None:
        self.ns = ns
        self.stream = stream
        self.events: list[Event] = []


class Ingest:
    """The buffer between service-written log lines and the store. `live(table_id, stream)` says
    whether a stream is still in the catalog (not deleted, not reset): lines of a stream deleted
    meanwhile are dropped rather than bringing it back."""

    def __init__(self, store: Store, live: Callable[[str, Any], bool]) -> None:
        self._store = store
        self._live = live
        self._pending: dict[tuple[str, str], _Pending] = {}  # (group table id, stream name)
        self._count = 0
        self._timer: asyncio.TimerHandle | None = None
        self._flushing: asyncio.Task[None] | None = None

    @property
    def pending(self) -> bool:
        return bool(self._pending) or (self._flushing is not None and not self._flushing.done())

    def add(self, table_id: str, streams_ns: str, stream: Any, events: list[Event]) -> None:
        """Queue events of one stream; the stream's document is stored as it is at flush time."""
        key = (table_id, stream.name)
        p = self._pending.get(key)
        if p is None or p.stream is not stream:
            p = self._pending[key] = _Pending(streams_ns, stream)
        p.events.extend(events)
        self._count += len(events)
        if self._count >= FLUSH_EVENTS:
            self._start_flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(FLUSH_DELAY_S, self._start_flush)

    def discard(self) -> None:
        """Forget what is pending (a reset drops every log group anyway)."""
        self._cancel_timer()
        self._pending, self._count = {}, 0

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _start_flush(self) -> None:
        self._cancel_timer()
        loop = asyncio.get_running_loop()
        if self._flushing is None or self._flushing.done():
            self._flushing = loop.create_task(self._flush_logged())
        else:  # one is under way: these lines go with the next
            self._timer = loop.call_later(FLUSH_DELAY_S, self._start_flush)

    async def _flush_logged(self) -> None:
        try:
            await self._store_pending()
        except Exception:  # these lines are lost; the server goes on
            log.exception("storing function and gateway log lines failed")

    async def flush(self) -> None:
        """Store what is pending now, and what a flush under way is storing; returns once committed.
        (Lines added meanwhile wait for their own flush: under a steady stream of invokes, waiting
        for an empty buffer could take forever.)"""
        self._cancel_timer()
        running = self._flushing
        if running is not None and not running.done() and running is not asyncio.current_task():
            await asyncio.shield(running)
        await self._store_pending()
        if self._pending and self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(FLUSH_DELAY_S, self._start_flush)

    async def _store_pending(self) -> None:
        """One transaction with the lines pending now (lines added while it commits wait for the next
        timer: storing them at once made many tiny transactions)."""
        if not self._pending:
            return
        batch, self._pending, self._count = self._pending, {}, 0
        await self._store.run(functools.partial(_write, batch, self._live), write=True)


def _write(batch: dict[tuple[str, str], _Pending], live: Callable[[str, Any], bool], txn: Txn) -> None:
    for (tid, name), p in batch.items():
        if not live(tid, p.stream):
            continue
        pk = name.encode()
        for sk, data, size in pack(p.events):
            txn.item_put(tid, 0, pk, sk, data, size)
        txn.meta_put(p.ns, name, orjson.dumps(p.stream.__dict__))
