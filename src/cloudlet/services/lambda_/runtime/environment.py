"""One Lambda execution environment: a runtime process on the host and its Runtime API listener.

`Environment.start` spawns the process (its own process group, stdin on /dev/null, stdout and stderr
on one pipe, cwd = the code, only Lambda's variables) and returns at once; init runs while the
caller gets on with it. `invoke` runs one invocation at a time and returns the function's answer
with the output it printed. An environment whose invoke timed out, crashed or ran out of memory is
dead (the process is killed); the caller starts a new one.
https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html

Limits, as Lambda applies them:
- timeout: counted from the moment the runtime receives the event; past it the process is killed.
  Init has its own 10 s (as on AWS); a slower init eats into the first invoke's timeout.
- memory: the process's peak RSS (VmHWM in /proc/<pid>/status) must stay within MemorySize. It is
  checked every 50 ms while an invoke runs and once more when the runtime answers (cloudlet's
  bootstraps send their own VmHWM with the answer; otherwise /proc is read here),
  so a spike between two checks is still seen; over the limit, the process group is SIGKILLed and the invoke
  fails with Runtime.OutOfMemory. No rlimit is used: RLIMIT_AS counts reserved address space
  (node reserves ~700 MB of it at start and fails under 256 MB), and RLIMIT_DATA counts thread
  stacks and turns the kill into a MemoryError the handler could catch, which Lambda never does.
"""

from __future__ import annotations

import asyncio
import math
import os
import random
import signal
import time
from dataclasses import dataclass, field

import orjson

from cloudlet.server.eager import first_done
from cloudlet.services.lambda_.runtime.envvars import build_env
from cloudlet.services.lambda_.runtime.logpipe import LogPipe
from cloudlet.services.lambda_.runtime.process import spawn
from cloudlet.services.lambda_.runtime.runtime_api import Invocation, Outcome, RuntimeApi
from cloudlet.services.lambda_.runtime.runtimes import Runtime, get_runtime
from cloudlet.services.lambda_.runtime.spares import SparePool

INIT_LIMIT_S = 10.0
MEMORY_POLL_S = 0.05
EXIT_WAIT_S = 2.0  # for a killed process to be reaped and its output read to the end

# Go's names for signals: the Lambda platform reports "Runtime exited with error: signal: killed".
_SIGNAL_NAMES = {
    signal.SIGHUP: "hangup", signal.SIGINT: "interrupt", signal.SIGQUIT: "quit",
    signal.SIGILL: "illegal instruction", signal.SIGTRAP: "trace/breakpoint trap", signal.SIGABRT: "aborted",
    signal.SIGBUS: "bus error", signal.SIGFPE: "floating point exception", signal.SIGKILL: "killed",
    signal.SIGUSR1: "user defined signal 1", signal.SIGSEGV: "segmentation fault",
    signal.SIGUSR2: "user defined signal 2", signal.SIGPIPE: "broken pipe", signal.SIGALRM: "alarm clock",
    signal.SIGTERM: "terminated",
}


@dataclass
class EnvSpec:
    function_name: str
    function_version: str
    function_arn: str
    runtime: str
    handler: str
    code_dir: str  # the unzipped code (or a hot-reload folder): LAMBDA_TASK_ROOT and the cwd
    memory_mb: int
    timeout_s: float
    env: dict[str, str]  # the function's own variables
    region: str
    account: str
    log_group: str
    log_stream: str
    endpoint_url: str  # exported as AWS_ENDPOINT_URL
    credentials: tuple[str, str, str | None]  # access key, secret key, session token


@dataclass
class InvokeResult:
    payload: bytes  # the function's response, or the error document
    error: str | None  # None | "Unhandled"
    log: str  # the output of this invoke (with init's on a cold start), one line per event
    duration_ms: float
    init_duration_ms: float | None  # the first invoke of an environment only
    max_memory_mb: int  # peak RSS of the process so far
    error_type: str | None = None  # e.g. "ValueError", "Runtime.ExitError", "Sandbox.Timedout"
    log_events: list[tuple[int, str]] = field(default_factory=list)  # (epoch ms, message), for CloudWatch


class EnvironmentDead(RuntimeError):
    """invoke() on an environment that was stopped or whose process is gone."""


class Environment:
    def __init__(self, spec: EnvSpec, runtime: Runtime, api: RuntimeApi, proc: asyncio.subprocess.Process,
                 pipe: LogPipe, spawned_at: float) -> None:
        self.spec = spec
        self.runtime = runtime
        self._api = api
        self._proc = proc
        self._pipe = pipe
        self._spawned_at = spawned_at
        self._loop = asyncio.get_running_loop()
        self._exit: asyncio.Task[int] = asyncio.ensure_future(proc.wait())
        self._status_path = f"/proc/{proc.pid}/status"
        self._invoked = False
        self._busy = False
        self._dead = False
        self._oom = False
        self._peak_kb = 0

    @classmethod
    async def start(cls, spec: EnvSpec, spares: SparePool | None = None) -> Environment:
        """A new environment for `spec`: a pre-started runtime process from `spares` when one is
        there and the function can use it (see spares.py), else a process started now."""
        runtime = get_runtime(spec.runtime)
        command = runtime.command()
        p = spares.take(runtime, spec) if spares is not None else None
        if p is not None:
            p.api.assign(build_env(spec, runtime, f"127.0.0.1:{p.api.port}", command[0]), spec.code_dir)
            p.spawned_at = time.monotonic()  # Init Duration: from here to the handler's module loaded
        else:
            p = await spawn(command, lambda api: build_env(spec, runtime, api, command[0]), spec.code_dir)
        if spares is not None:
            spares.prepare(runtime)  # for the next cold start
        return cls(spec, runtime, p.api, p.proc, p.pipe, p.spawned_at)

    @property
    def alive(self) -> bool:
        """The process is running and the environment was not killed (timeout, crash, memory,
        stop, a cancelled invoke): it can take the next invocation."""
        return not self._dead and not self._exit.done()

    @property
    def pid(self) -> int:
        return self._proc.pid

    async def stop(self) -> None:
        self._dead = True
        self._kill()
        await self._reap()
        self._api.close()
        self._pipe.close()

    # -- invoking
    async def invoke(self, request_id: str, payload: bytes, client_context: str | None = None,
                     cognito_identity: str | None = None, trace_id: str | None = None) -> InvokeResult:
        """Run one invocation. `client_context` and `cognito_identity` are JSON documents (the
        client context already base64-decoded), passed to the runtime in their headers. The first
        invoke of an environment whose init failed returns that failure (even if the process is
        already gone); after that, and after stop(), invoke raises EnvironmentDead."""
        if self._dead or (self._invoked and self._exit.done()):
            raise EnvironmentDead(f"the environment of {self.spec.function_name} is not running")
        if self._busy:
            raise RuntimeError("an environment runs one invocation at a time")
        self._busy = True
        try:
            loop = self._loop
            inv = Invocation(request_id, payload, self.spec.function_arn, self.spec.timeout_s,
                             trace_id or new_trace_id(), client_context, cognito_identity,
                             delivered=loop.create_future(), outcome=loop.create_future())
            return await self._invoke(inv)
        except asyncio.CancelledError:
            # The caller gave up: the runtime may still be running the handler, in a state
            # nobody will read. The environment is not reused.
            self._kill()
            raise
        finally:
            self._busy = False

    async def _invoke(self, inv: Invocation) -> InvokeResult:
        api = self._api
        first = not self._invoked
        self._invoked = True
        started = time.monotonic()
        api.submit(inv)
        # Until the runtime picks the event up it has the function's timeout, plus what is left of
        # its 10 s init; from then on, the timeout. One wait, woken every MEMORY_POLL_S to check the
        # process's memory (a fast invoke makes one timer and no memory read).
        budget = self.spec.timeout_s
        if not api.ready.done():
            budget += max(0.0, self._spawned_at + INIT_LIMIT_S - started)
        watched = (inv.outcome, self._exit, api.init_error)
        while not inv.outcome.done():
            delivered = inv.delivered.done()
            if not delivered and api.init_error.done():
                api.withdraw(inv)
                return await self._init_failed(api.init_error.result(), first, started)
            if self._exit.done():
                api.withdraw(inv)
                return await self._crashed(inv, first, inv.delivered_at if delivered else started)
            now = time.monotonic()
            left = (inv.delivered_at + self.spec.timeout_s if delivered else started + budget) - now
            if left <= 0:
                api.withdraw(inv)
                return await self._timed_out(inv, first, inv.delivered_at if delivered else started)
            if await first_done(self._loop, watched, min(left, MEMORY_POLL_S)):
                continue
            self._read_memory()
            if self._peak_kb > self.spec.memory_mb * 1024:
                self._oom = True
                self._kill()
                await asyncio.shield(self._exit)
        outcome = inv.outcome.result()
        if outcome.max_rss_kb is not None:
            self._peak_kb = max(self._peak_kb, outcome.max_rss_kb)
        else:
            self._read_memory()
        if self._oom or self._peak_kb > self.spec.memory_mb * 1024:
            self._oom = True
            self._kill()
            return await self._crashed(inv, first, inv.delivered_at)
        if self._pipe.pending_bytes():
            await self._pipe.drain()
        return self._result(outcome.body, outcome.error_type, (outcome.at - inv.delivered_at) * 1000, first)

    def _result(self, payload: bytes, error_type: str | None, duration_ms: float, first: bool) -> InvokeResult:
        events = self._pipe.take()
        init_ms = None
        if first:
            ready = self._api.ready.result() if self._api.ready.done() else None
            if ready is None and self._api.init_error.done():
                ready = self._api.init_error.result().at
            init_ms = ((ready if ready is not None else time.monotonic()) - self._spawned_at) * 1000
        return InvokeResult(
            payload=payload,
            error=None if error_type is None else "Unhandled",
            log="".join(message + "\n" for _, message in events),
            duration_ms=duration_ms,
            init_duration_ms=init_ms,
            max_memory_mb=math.ceil(self._peak_kb / 1024),
            error_type=error_type,
            log_events=events,
        )

    async def _init_failed(self, outcome: Outcome, first: bool, started: float) -> InvokeResult:
        self._kill()
        await self._reap()
        return self._result(outcome.body, outcome.error_type or "Runtime.Unknown",
                            (time.monotonic() - started) * 1000, first)

    async def _crashed(self, inv: Invocation, first: bool, started: float) -> InvokeResult:
        """The process exited (or was killed for memory) before answering."""
        self._kill()  # whatever it left behind in its process group
        code = await self._reap()
        if self._oom:
            error_type, reason = "Runtime.OutOfMemory", "Runtime exited with error: signal: killed"
        else:
            error_type, reason = "Runtime.ExitError", _exit_reason(code)
        message = f"RequestId: {inv.request_id} Error: {reason}"
        self._pipe.add(f"{message}\n{error_type}")
        payload = orjson.dumps({"errorType": error_type, "errorMessage": message})
        return self._result(payload, error_type, (time.monotonic() - started) * 1000, first)

    async def _timed_out(self, inv: Invocation, first: bool, started: float) -> InvokeResult:
        self._kill()
        await self._reap()
        message = f"{iso_now()} {inv.request_id} Task timed out after {self.spec.timeout_s:.2f} seconds"
        self._pipe.add(message)
        payload = orjson.dumps({"errorMessage": message})
        return self._result(payload, "Sandbox.Timedout", (time.monotonic() - started) * 1000, first)

    # -- process
    def _kill(self) -> None:
        self._dead = True
        try:
            os.killpg(self._proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    async def _reap(self) -> int | None:
        """Wait for the process to be gone and its output read to the end; its exit code."""
        await first_done(self._loop, (self._exit,), EXIT_WAIT_S)
        # grandchildren that kept the pipe open are killed with the group
        await first_done(self._loop, (self._pipe.closed,), EXIT_WAIT_S)
        return self._exit.result() if self._exit.done() else None

    # -- memory
    def _read_memory(self) -> None:
        try:
            with open(self._status_path, "rb") as f:
                status = f.read()
        except OSError:
            return
        i = status.find(b"VmHWM:")
        if i >= 0:
            kb = int(status[i + 6 : status.index(b"kB", i)])
            if kb > self._peak_kb:
                self._peak_kb = kb


def _exit_reason(code: int | None) -> str:
    if code is None or code == 0:
        return "Runtime exited without providing a reason"
    if code < 0:
        return f"Runtime exited with error: signal: {_SIGNAL_NAMES.get(-code, f'signal {-code}')}"
    return f"Runtime exited with error: exit status {code}"


def iso_now() -> str:
    """2024-01-31T12:00:00.123Z"""
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t * 1000) % 1000:03d}Z"


def new_trace_id() -> str:
    """An X-Ray trace header like Lambda's: Root=1-<epoch hex>-<96 bits>;Parent=<64 bits>;Sampled=0."""
    # random, not os.urandom: a trace id needs no secrecy, and a system call per invoke showed in profiles
    return f"Root=1-{int(time.time()):08x}-{random.getrandbits(96):024x};Parent={random.getrandbits(64):016x};Sampled=0"
