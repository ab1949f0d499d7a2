"""Run a request's coroutine at once, without an asyncio Task.

A Task costs a scheduling round and its bookkeeping per request (about 5% of a DynamoDB GetItem
at 8 connections, measured); most JSON-protocol operations never suspend (the SQLite store reads
inline) or suspend once (a write waits for its group commit). `start` runs the coroutine up to its
first suspension right away and resumes it from the awaited future's done callback, as a Task
would, and hands back a future of its result.

What a Task gives and this does not: `asyncio.current_task()` is None inside (so no
`asyncio.timeout()`), and cancelling the returned future does not cancel the coroutine (it runs
to its end, its result is dropped). Only handlers that need neither are started this way (see
Router.eager).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def start(coro: Coroutine[Any, Any, T], loop: asyncio.AbstractEventLoop) -> asyncio.Future[T]:
    out: asyncio.Future[T] = loop.create_future()
    _step(coro, out, loop)
    return out


def _step(coro: Coroutine[Any, Any, T], out: asyncio.Future[T], loop: asyncio.AbstractEventLoop) -> None:
    try:
        awaited = coro.send(None)
    except StopIteration as e:
        if not out.done():
            out.set_result(e.value)
        return
    except BaseException as e:  # handed to whoever awaits `out`, as a Task would
        if not out.done():
            out.set_exception(e)
        return
    if getattr(awaited, "_asyncio_future_blocking", None):
        # `await future`: resume once it is done (the future's __await__ then returns its result).
        awaited._asyncio_future_blocking = False
        awaited.add_done_callback(lambda _: _step(coro, out, loop))
    elif awaited is None:
        # A bare yield (asyncio.sleep(0)): give the loop a turn.
        loop.call_soon(_step, coro, out, loop)
    else:  # not something asyncio code yields
        coro.close()
        if not out.done():
            out.set_exception(RuntimeError(f"eager.start cannot await {awaited!r}"))
