"""Requests started without a Task (server/eager.py) and which requests the router starts so."""

from __future__ import annotations

import asyncio

import pytest

from cloudlet.config import Settings
from cloudlet.protocol.json_rpc import JsonService
from cloudlet.server import eager
from cloudlet.server.http import Request
from cloudlet.server.internal import Internal
from cloudlet.server.router import Router


def test_a_coroutine_that_never_suspends_is_done_at_once() -> None:
    async def main() -> None:
        async def answer() -> int:
            return 42

        fut = eager.start(answer(), asyncio.get_running_loop())
        assert fut.done() and fut.result() == 42

    asyncio.run(main())


def test_a_coroutine_resumes_when_what_it_awaits_is_done() -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        gate: asyncio.Future[str] = loop.create_future()
        steps: list[str] = []

        async def handler() -> str:
            steps.append("before")
            got = await gate
            steps.append("after")
            await asyncio.sleep(0)  # a bare yield gives the loop a turn
            return got + "!"

        fut = eager.start(handler(), loop)
        assert steps == ["before"] and not fut.done()  # ran up to its first await, synchronously
        gate.set_result("ok")
        assert await fut == "ok!"
        assert steps == ["before", "after"]

    asyncio.run(main())


def test_errors_reach_the_caller_as_a_task_would_hand_them() -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        gate: asyncio.Future[None] = loop.create_future()

        async def fails_now() -> None:
            raise KeyError("now")

        async def fails_later() -> None:
            await gate

        with pytest.raises(KeyError):
            await eager.start(fails_now(), loop)
        fut = eager.start(fails_later(), loop)
        gate.set_exception(ValueError("later"))
        with pytest.raises(ValueError, match="later"):
            await fut

    asyncio.run(main())


def test_dropping_the_answer_does_not_stop_the_work() -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        gate: asyncio.Future[None] = loop.create_future()
        finished: list[bool] = []

        async def write() -> None:
            await gate
            finished.append(True)

        fut = eager.start(write(), loop)
        fut.cancel()  # the client went away
        gate.set_result(None)
        await asyncio.sleep(0)
        assert finished == [True]

    asyncio.run(main())


def _request(method: str, headers: dict[str, str], path: str = "/") -> Request:
    return Request(method, path, b"", headers, b"{}", None, list(headers.items()))


def test_router_starts_only_reads_of_json_services_eagerly() -> None:
    async def op(params: dict, ctx: object) -> dict:  # type: ignore[type-arg]
        return {}

    ddb = JsonService("DynamoDB", "DynamoDB_20120810", {"GetItem": op, "PutItem": op},
                      content_type="application/x-amz-json-1.0", error_type=str,
                      eager_operations=frozenset(("GetItem",)))
    router = Router(Settings(), Internal.__new__(Internal), {"DynamoDB_20120810": ddb}, {}, {})
    target = lambda op: {"x-amz-target": f"DynamoDB_20120810.{op}"}  # noqa: E731
    assert router.eager(_request("POST", target("GetItem")))
    assert not router.eager(_request("POST", target("PutItem")))  # writes wait for a commit: a Task
    assert not router.eager(_request("GET", target("GetItem")))
    assert not router.eager(_request("POST", {"x-amz-target": "Logs_20140328.GetLogEvents"}))
    assert not router.eager(_request("POST", {}))


def test_router_starts_requests_for_deployed_apis_eagerly() -> None:
    class _Apis:  # stands for the execute-api plane: only its presence matters to `eager`
        pass

    router = Router(Settings(), Internal.__new__(Internal), {}, {}, {}, _Apis())  # type: ignore[arg-type]
    call = _request("GET", {"host": "localhost:4566"}, "/restapis/a1b2c3/prod/_user_request_/items")
    assert router.eager(call)
    assert router._target == (call, ("a1b2c3", "prod", "/items", "localhost"))  # route() reuses it
    assert not router.eager(_request("GET", {"host": "localhost:4566"}, "/2015-03-31/functions"))


def test_first_done_waits_with_a_timeout_outside_any_task() -> None:
    """Eager coroutines have no current Task, so neither asyncio.timeout nor (on Python 3.12+)
    asyncio.wait_for works in them; first_done does, with and without a Task."""

    async def main() -> None:
        loop = asyncio.get_running_loop()
        late: asyncio.Future[None] = loop.create_future()
        soon: asyncio.Future[None] = loop.create_future()
        loop.call_later(0.01, soon.set_result, None)

        async def handler() -> tuple[bool, bool, bool]:
            gave_up = await eager.first_done(loop, (late,), 0.02)
            assert asyncio.current_task() is None  # resumed from a callback, as eager requests are
            woke = await eager.first_done(loop, (late, soon), 5.0)
            at_once = await eager.first_done(loop, (soon,), 0.0)
            return gave_up, woke, at_once

        t0 = loop.time()
        assert await eager.start(handler(), loop) == (False, True, True)
        assert loop.time() - t0 < 1.0  # woken by `soon`, not by the 5 s timer
        assert not late.done()  # nothing waited on is touched
        assert await eager.first_done(loop, (late,), 0.01) is False  # in a Task too

    asyncio.run(main())
