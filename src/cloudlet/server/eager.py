"""Run a request's coroutine at once, without an asyncio Task.

A Task costs a scheduling round and its bookkeeping per request (about 5% of a DynamoDB GetItem
at 8 connections, measured); most JSON-protocol operations never suspend (the SQLite store reads
inline) or suspend once (a write waits for its group commit). `start` runs the coroutine up to its
first suspension right away and resumes it from the awaited future's done callback, as a Task
would, and hands back a future of its result.

What a Task gives and this does not: `asyncio.current_task()` is None inside (so no
`asyncio.timeout()`, nor `asyncio.wait_for()` on Python 3.12+, which is built on it: use
`first_done` below), and cancelling the returned future does not cancel the coroutine (it runs
to its end, its result is dropped). Only handlers that need neither are started this way (see
Router.eager).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Sequence
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


async def first_done(loop: asyncio.AbstractEventLoop, futures: Sequence[asyncio.Future[Any]], timeout: float) -> bool:
    """Wait until one of `futures` is done (True) or `timeout` seconds passed (False), with or without
    a Task. (asyncio.wait does the same with more bookkeeping, and wait_for needs a Task on 3.12+;
    the loop is passed in because asyncio.get_running_loop() makes a getpid() system call.)"""
    if any(f.done() for f in futures):
        return True
    if timeout <= 0:
        return False
    waiter: asyncio.Future[None] = loop.create_future()

    def wake(_: object = None) -> None:
        if not waiter.done():
            waiter.set_result(None)

    for f in futures:
        f.add_done_callback(wake)
    timer = loop.call_later(timeout, wake)
    try:
        await waiter
    finally:
        timer.cancel()
        for f in futures:
            f.remove_done_callback(wake)
    return any(f.done() for f in futures)
