"""Asynchronous (Event) invocations: queued durably, run in the background, retried twice.

An event is in the store before Invoke answers 202, so a restart loses none: pending events are
picked up again at start-up. A run that ends in a function error is retried twice, after the
retry delay and then twice that (AWS waits about one and then two minutes).
https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html
https://docs.aws.amazon.com/lambda/latest/dg/invocation-retries.html
"""

from __future__ import annotations

import asyncio
import base64
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import orjson

from cloudlet.store.base import Store

NS = "lambda/async"
MAX_RETRIES = 2
log = logging.getLogger("cloudlet.lambda")

# Runs one event: (account, region, function name, version, payload) -> True when it succeeded.
Runner = Callable[[str, str, str, str, bytes], Awaitable[bool]]


class AsyncQueue:
    def __init__(self, store: Store, retry_s: float = 60.0, poll_s: float = 0.2) -> None:
        self.store = store
        self.retry_s = retry_s
        self.poll_s = poll_s
        self._wake = asyncio.Event()
        self._running: set[str] = set()

    async def enqueue(self, account: str, region: str, function: str, version: str, payload: bytes) -> None:
        key = f"{time.time_ns():020d}-{uuid.uuid4().hex}"
        doc = orjson.dumps({"account": account, "region": region, "function": function, "version": version,
                            "payload": base64.b64encode(payload).decode(), "attempts": 0, "not_before": 0.0})
        await self.store.run(lambda txn: txn.meta_put(NS, key, doc), write=True)
        self._wake.set()

    async def pending(self) -> int:
        return len(await self.store.run(lambda txn: txn.meta_list(NS)))

    async def work(self, run: Runner) -> None:
        """The background loop: start every due event (several run at once), forever."""
        tasks: set[asyncio.Task[None]] = set()
        while True:
            now = time.time()
            for key, raw in await self.store.run(lambda txn: txn.meta_list(NS)):
                if key in self._running:
                    continue
                event = orjson.loads(raw)
                if event["not_before"] <= now:
                    self._running.add(key)
                    t = asyncio.create_task(self._one(run, key, event))
                    tasks.add(t)
                    t.add_done_callback(tasks.discard)
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), self.poll_s)
            except TimeoutError:
                pass

    async def _one(self, run: Runner, key: str, event: dict[str, Any]) -> None:
        try:
            try:
                ok = await run(event["account"], event["region"], event["function"], event["version"],
                               base64.b64decode(event["payload"]))
            except Exception:  # e.g. the function was deleted or throttled: counts as a failed attempt
                log.exception("asynchronous invoke of %s failed", event["function"])
                ok = False
            attempts = event["attempts"] + 1
            if ok or attempts > MAX_RETRIES:
                await self.store.run(lambda txn: txn.meta_delete(NS, key), write=True)
                return
            event.update(attempts=attempts, not_before=time.time() + self.retry_s * attempts)
            doc = orjson.dumps(event)
            await self.store.run(lambda txn: txn.meta_put(NS, key, doc), write=True)
        finally:
            self._running.discard(key)
