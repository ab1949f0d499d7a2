"""Invoke: warm environments per function version, concurrency limits, and the function's logs.

Each invoke takes an idle environment of the function's current code and configuration (or
starts one), runs the event, writes START / output / END / REPORT to `/aws/lambda/<name>`, and
returns the payload. A new code or configuration revision retires the old environments.
https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html
"""

from __future__ import annotations

import base64
import math
import os
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import orjson

from cloudlet import ids
from cloudlet.protocol.errors import AwsError
from cloudlet.services.lambda_.engine.async_queue import AsyncQueue
from cloudlet.services.lambda_.engine.functions import LATEST, Function
from cloudlet.services.lambda_.runtime.environment import Environment, EnvSpec, InvokeResult
from cloudlet.services.lambda_.runtime.spares import SparePool
from cloudlet.services.logs.engine import events as log_events
from cloudlet.services.logs.engine.catalog import LogCatalog

MAX_SYNC_PAYLOAD = 6 * 1024 * 1024
MAX_ASYNC_PAYLOAD = 256 * 1024
TAIL_BYTES = 4096  # LogType=Tail returns the last 4 KB of the log


@dataclass
class _Pool:
    idle: list[tuple[float, Environment]] = field(default_factory=list)  # (last used, environment)
    busy: int = 0


def _latest_mtime(directory: str) -> int:
    latest = 0
    for root, dirs, files in os.walk(directory):
        dirs[:] = [d for d in dirs if d not in ("__pycache__", "node_modules", ".git")]
        for name in files:
            try:
                latest = max(latest, os.stat(os.path.join(root, name)).st_mtime_ns)
            except OSError:
                pass
    return latest


class Invoker:
    def __init__(
        self, logs: LogCatalog, queue: AsyncQueue, endpoint: str, max_environments: int = 64, idle_s: float = 600.0
    ) -> None:
        self.logs = logs
        self.queue = queue  # Event invokes
        self.endpoint = endpoint
        self.max_environments = max_environments
        self.idle_s = idle_s  # environments unused for this long are stopped (see reap_idle)
        self._pools: dict[tuple[str, ...], _Pool] = {}
        self._current: dict[tuple[str, ...], tuple[str, ...]] = {}  # (account, region, name, version) -> pool key
        self.spares = SparePool()  # pre-started runtime processes for cold starts

    def prepare(self, runtime: str) -> None:
        """A function of `runtime` was created: have a process of its runtime ready (spares.py)."""
        self.spares.prepare(runtime)

    async def close(self) -> None:
        await self.spares.close()
        for pool in self._pools.values():
            for _, env in pool.idle:
                await env.stop()
        self._pools.clear()
        self._current.clear()

    async def retire(self, fn: Function) -> None:
        """Stop the idle environments of a deleted function (busy ones end with their invoke)."""
        for key in [k for k in self._current if k[:3] == (fn.account, fn.region, fn.name)]:
            del self._current[key]
        for key in [k for k in self._pools if k[:3] == (fn.account, fn.region, fn.name)]:
            pool = self._pools[key]
            for _, env in pool.idle:
                await env.stop()
            pool.idle.clear()
            if pool.busy == 0:
                del self._pools[key]

    async def reap_idle(self) -> int:
        """Stop environments idle for longer than `idle_s`; returns how many were stopped."""
        cutoff = time.monotonic() - self.idle_s
        stopped = 0
        for pool in self._pools.values():
            old = [e for used, e in pool.idle if used < cutoff]
            pool.idle = [(used, e) for used, e in pool.idle if used >= cutoff]
            for env in old:
                await env.stop()
                stopped += 1
        return stopped

    # -- the operation
    async def invoke(self, fn: Function, p: dict[str, Any]) -> dict[str, Any]:
        version = self._version(fn, p.get("Qualifier"))
        kind = p.get("InvocationType") or "RequestResponse"
        payload: bytes = p.get("Payload") or b"{}"
        limit = MAX_SYNC_PAYLOAD if kind != "Event" else MAX_ASYNC_PAYLOAD
        if len(payload) > limit:
            raise AwsError("RequestTooLargeException",
                           f"Request must be smaller than {limit} bytes for the InvokeFunction operation", 413)
        try:
            orjson.loads(payload)
        except orjson.JSONDecodeError as e:
            raise AwsError("InvalidRequestContentException",
                           f"Could not parse request body into json: {e}", 400) from None
        if kind == "DryRun":
            return {"StatusCode": 204}
        if kind == "Event":
            await self.queue.enqueue(fn.account, fn.region, fn.name, version, payload)
            return {"StatusCode": 202}
        result, entries = await self.run(fn, version, payload, p.get("ClientContext"))
        out: dict[str, Any] = {"StatusCode": 200, "Payload": result.payload, "ExecutedVersion": version}
        if result.error:
            out["FunctionError"] = result.error
        if p.get("LogType") == "Tail":
            log_text = "".join(m for _, m in entries)
            out["LogResult"] = base64.b64encode(log_text.encode()[-TAIL_BYTES:]).decode()
        return out

    @staticmethod
    def _version(fn: Function, qualifier: str | None) -> str:
        return fn.resolve(qualifier)

    # -- environments
    def _key(self, fn: Function, version: str) -> tuple[str, ...]:
        v = fn.versions.get(version)
        revision = fn.revision if v is None else v["revision"]
        code = fn.code if v is None else v["code"]
        if code.get("hot_reload"):
            # Edits in a hot-reload folder take effect on the next invoke: a changed folder is a new revision.
            revision += f"@{_latest_mtime(code['directory'])}"
        return (fn.account, fn.region, fn.name, version, revision)

    async def _take(self, fn: Function, version: str) -> tuple[tuple[str, ...], _Pool, Environment]:
        """(the version's key, its pool, a warm or new environment), the pool's busy count taken."""
        key = self._key(fn, version)
        if self._current.get(key[:4]) != key:  # a new code or configuration revision
            await self._retire_stale(fn, key)
            self._current[key[:4]] = key
        pool = self._pools.setdefault(key, _Pool())
        limit = fn.reserved_concurrency
        if limit is not None and pool.busy >= limit:
            raise AwsError("TooManyRequestsException", "Rate Exceeded.", 429,
                           extra={"Reason": "ReservedFunctionConcurrentInvocationLimitExceeded"})
        if sum(p.busy for p in self._pools.values()) >= self.max_environments:
            raise AwsError("TooManyRequestsException", "Rate Exceeded.", 429,
                           extra={"Reason": "ConcurrentInvocationLimitExceeded"})
        pool.busy += 1
        while pool.idle:
            _, env = pool.idle.pop()
            if env.alive:
                return key, pool, env
        try:
            env = await Environment.start(await self._spec(fn, version), self.spares)
        except BaseException:
            pool.busy -= 1
            raise
        return key, pool, env

    async def _retire_stale(self, fn: Function, current: tuple[str, ...]) -> None:
        for key in [k for k in self._pools if k[:4] == current[:4] and k != current]:
            pool = self._pools[key]
            for _, env in pool.idle:
                await env.stop()
            pool.idle.clear()
            if pool.busy == 0:
                del self._pools[key]

    async def _spec(self, fn: Function, version: str) -> EnvSpec:
        config = fn.config if version == LATEST else fn.versions[version]["config"]
        code = fn.code if version == LATEST else fn.versions[version]["code"]
        group = (config.get("LoggingConfig") or {}).get("LogGroup") or f"/aws/lambda/{fn.name}"
        stream = time.strftime("%Y/%m/%d/", time.gmtime()) + f"[{version}]{uuid.uuid4().hex}"
        await self._ensure_stream(fn, group, stream)
        return EnvSpec(
            function_name=fn.name, function_version=version,
            function_arn=fn.arn if version == LATEST else f"{fn.arn}:{version}",
            runtime=config["Runtime"], handler=config["Handler"], code_dir=code["directory"],
            memory_mb=config.get("MemorySize", 128), timeout_s=float(config.get("Timeout", 3)),
            env=dict((config.get("Environment") or {}).get("Variables") or {}),
            region=fn.region, account=fn.account, log_group=group, log_stream=stream,
            endpoint_url=self.endpoint, credentials=("test", "test", None),
        )

    async def _ensure_stream(self, fn: Function, group: str, stream: str) -> None:
        await self.logs.ensure_stream(fn.account, fn.region, group, stream)

    async def run(
        self, fn: Function, version: str, payload: bytes, client_context: str | None
    ) -> tuple[InvokeResult, list[tuple[int, str]]]:
        """One invoke in a warm (or new) environment, logged to CloudWatch Logs: (result, its log lines)."""
        key, pool, env = await self._take(fn, version)
        request_id = ids.uuid_id()
        started = time.time()
        try:
            result = await env.invoke(request_id, payload, client_context)
        finally:
            pool.busy -= 1
        if env.alive and self._pools.get(key) is pool:
            pool.idle.append((time.monotonic(), env))
        elif env.alive:  # the function changed or was deleted during the invoke
            await env.stop()
        entries = self._log_entries(request_id, version, env.spec, result, int(started * 1000))
        if not self._write_log(fn, env.spec, entries):
            await self._write_log_new_stream(fn, env.spec, entries)
        return result, entries

    @staticmethod
    def _log_entries(
        request_id: str, version: str, spec: EnvSpec, r: InvokeResult, start_ms: int
    ) -> list[tuple[int, str]]:
        """START, what the function printed (with its own times), END and REPORT, as Lambda logs them."""
        report = (f"REPORT RequestId: {request_id}\tDuration: {r.duration_ms:.2f} ms\t"
                  f"Billed Duration: {max(1, math.ceil(r.duration_ms))} ms\tMemory Size: {spec.memory_mb} MB\t"
                  f"Max Memory Used: {r.max_memory_mb} MB\t")
        if r.init_duration_ms is not None:
            report += f"Init Duration: {r.init_duration_ms:.2f} ms\t"
        end_ms = max([start_ms, *(t for t, _ in r.log_events)])
        body = [(max(t, start_ms), m if m.endswith("\n") else m + "\n") for t, m in r.log_events]
        return [(start_ms, f"START RequestId: {request_id} Version: {version}\n"), *body,
                (end_ms, f"END RequestId: {request_id}\n"), (end_ms, report + "\n")]

    def _write_log(self, fn: Function, spec: EnvSpec, entries: list[tuple[int, str]]) -> bool:
        """Hand the lines to CloudWatch Logs (stored shortly after, see logs/engine/ingest.py); False
        when the environment's group or stream is gone (deleted while it lives)."""
        try:
            g = self.logs.group(fn.account, fn.region, spec.log_group)
            s = self.logs.stream(g, spec.log_stream)
        except AwsError:
            return False
        log_events.append(self.logs, g, s, entries)
        return True

    async def _write_log_new_stream(self, fn: Function, spec: EnvSpec, entries: list[tuple[int, str]]) -> None:
        """The group or stream is created again, as Lambda does, and the lines go there."""
        found = await self.logs.ensure_stream(fn.account, fn.region, spec.log_group, spec.log_stream)
        assert found is not None
        log_events.append(self.logs, *found, entries)
