"""Pre-started runtime processes (runtime/spares.py): a function started from a spare must see
exactly what a process started for it sees (environment, working directory, import paths), and
functions that set start-time variables or ship a lib/ directory never get one."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest

from cloudlet.services.lambda_.runtime.environment import Environment, EnvSpec
from cloudlet.services.lambda_.runtime.runtimes import get_runtime
from cloudlet.services.lambda_.runtime.spares import SparePool, usable

T = TypeVar("T")
Run = Callable[[Awaitable[T]], T]

PY = '''
import os, sys, time

def handler(event, context):
    return {"env": dict(os.environ), "cwd": os.getcwd(), "path0": sys.path[0], "tz": time.tzname[0],
            "fn": context.function_name, "group": context.log_group_name}
'''
JS = '''
exports.handler = async (event, context) => {
  let sdk = null;
  try { sdk = require.resolve('@aws-sdk/client-dynamodb'); } catch (e) { sdk = null; }
  return { env: process.env, cwd: process.cwd(), sdk, fn: context.functionName,
           tz: Intl.DateTimeFormat().resolvedOptions().timeZone };
};
'''


@pytest.fixture(scope="module")
def code_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("spare-fn")
    (root / "app.py").write_text(PY)
    (root / "index.js").write_text(JS)
    return str(root)


def spec(code_dir: str, runtime: str = "python3.11", **kw: Any) -> EnvSpec:
    values: dict[str, Any] = {
        "function_name": "fn", "function_version": "$LATEST",
        "function_arn": "arn:aws:lambda:us-east-1:123456789012:function:fn", "runtime": runtime,
        "handler": "app.handler" if runtime.startswith("python") else "index.handler",
        "code_dir": code_dir, "memory_mb": 256, "timeout_s": 5.0, "env": {"GREETING": "hello"},
        "region": "us-east-1", "account": "123456789012", "log_group": "/aws/lambda/fn",
        "log_stream": "2024/01/01/[$LATEST]0123456789abcdef", "endpoint_url": "http://127.0.0.1:4566",
        "credentials": ("AKIDEXAMPLE", "secret", None),
    }
    values.update(kw)
    return EnvSpec(**values)


async def ready_spare(pool: SparePool, runtime: str) -> int:
    """Prepare the family's spare and wait until it is started; its pid."""
    rt = get_runtime(runtime)
    pool.prepare(rt)
    for _ in range(200):
        p = pool._spares.get(rt.family)
        if p is not None:
            return p.proc.pid
        await asyncio.sleep(0.01)
    raise AssertionError("no spare started")


async def invoke(s: EnvSpec, pool: SparePool | None) -> tuple[Environment, dict[str, Any]]:
    env = await Environment.start(s, pool)
    r = await env.invoke("req-1", b"{}")
    assert r.error is None, r.payload
    return env, json.loads(r.payload)


@pytest.mark.parametrize("runtime", ["python3.11", "nodejs20.x"])
def test_a_spare_started_function_sees_what_a_new_process_sees(run: Run[Any], code_dir: str, runtime: str) -> None:
    async def scenario() -> None:
        pool = SparePool()
        try:
            pid = await ready_spare(pool, runtime)
            await asyncio.sleep(0.3)  # let it reach its assignment call (either way must work)
            from_spare, a = await invoke(spec(code_dir, runtime), pool)
            assert from_spare.pid == pid  # the spare was used...
            fresh, b = await invoke(spec(code_dir, runtime), None)
            assert fresh.pid != pid
            # ...and is indistinguishable from a process started for the function
            for doc in (a, b):
                doc["env"].pop("AWS_LAMBDA_RUNTIME_API")  # each environment has its own listener
                doc["env"].pop("_X_AMZN_TRACE_ID", None)
            assert set(a["env"].items()) ^ set(b["env"].items()) == set()
            assert a == b
            assert a["env"]["GREETING"] == "hello" and "_CLOUDLET_SPARE" not in a["env"]
            assert a["cwd"] == os.path.realpath(code_dir) or a["cwd"] == code_dir
            if runtime.startswith("python"):
                assert a["path0"] == code_dir and a["tz"] == "UTC"
            else:
                assert a["tz"] == "UTC"
            await from_spare.stop()
            await fresh.stop()
        finally:
            await pool.close()

    run(scenario())


def test_a_spare_is_started_again_after_use_and_stopped_with_the_pool(run: Run[Any], code_dir: str) -> None:
    async def scenario() -> None:
        pool = SparePool()
        first = await ready_spare(pool, "python3.11")
        env = await Environment.start(spec(code_dir), pool)
        assert env.pid == first
        second = await ready_spare(pool, "python3.11")  # prepared again by the start
        assert second != first
        await env.stop()
        await pool.close()
        with pytest.raises(ProcessLookupError):
            os.kill(second, 0)

    run(scenario())


@pytest.mark.parametrize("variables", [{"PYTHONPATH": "/x"}, {"NODE_OPTIONS": "--enable-source-maps"},
                                       {"LD_PRELOAD": "/x.so"}, {"LANG": "C"}, {"LC_ALL": "C"}])
def test_start_time_variables_need_a_new_process(code_dir: str, variables: dict[str, str]) -> None:
    assert not usable(spec(code_dir, env=variables))
    assert usable(spec(code_dir, env={"TABLE": "t"}))


def test_a_lib_directory_needs_a_new_process(run: Run[Any], tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "app.py").write_text(PY)
    (tmp_path / "lib").mkdir()
    assert not usable(spec(str(tmp_path)))

    async def scenario() -> None:
        pool = SparePool()
        try:
            pid = await ready_spare(pool, "python3.11")
            env, _ = await invoke(spec(str(tmp_path)), pool)
            assert env.pid != pid  # started for it; the spare is kept for another function
            assert pool._spares["python"].proc.pid == pid
            await env.stop()
        finally:
            await pool.close()

    run(scenario())
