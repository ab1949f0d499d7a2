"""Pre-started runtime processes: a cold start without the interpreter's own start-up.

Starting `python` with the bootstrap's imports takes ~35 ms here and `node` ~30 ms, most of a cold
start. So after an environment of a runtime family starts (and when a function of that family is
created), one more process of that family is started with no function: its bootstrap connects to
its Runtime API and asks which function it is to run (runtime_api.ASSIGNMENT). The next cold start
of any function of the family takes it, hands it the function's environment and working
directory, and the bootstrap goes on exactly as a new process would: loads the handler (the
function's init), then polls /next. Init Duration counts from the hand-over.

Only what an interpreter reads when it starts cannot be handed over later, so a function keeps the
old path (a process started for it) when it sets such variables (PYTHON*, NODE_*, UV_*, LD_*, LC_*,
LANG, MALLOC_*) or ships a `lib/` directory (Lambda puts /var/task/lib on LD_LIBRARY_PATH, which the
dynamic loader reads at start). One spare per family is kept; it is stopped with the server.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from typing import Protocol

from cloudlet.services.lambda_.runtime.envvars import spare_env
from cloudlet.services.lambda_.runtime.process import RuntimeProcess, spawn
from cloudlet.services.lambda_.runtime.runtimes import Runtime, RuntimeUnavailable, get_runtime

log = logging.getLogger(__name__)

_START_VARIABLES = ("PYTHON", "NODE_", "UV_", "LD_", "LC_", "LANG", "MALLOC_")


class _Spec(Protocol):
    env: dict[str, str]
    code_dir: str


def usable(spec: _Spec) -> bool:
    """Whether a function's environment can be handed to an already running interpreter."""
    if any(name.startswith(_START_VARIABLES) for name in spec.env):
        return False
    return not os.path.isdir(os.path.join(spec.code_dir, "lib"))


class SparePool:
    def __init__(self) -> None:
        self._spares: dict[str, RuntimeProcess] = {}  # runtime family -> its spare
        self._starting: dict[str, asyncio.Task[None]] = {}

    def take(self, runtime: Runtime, spec: _Spec) -> RuntimeProcess | None:
        """The family's spare for a function that can use it (None: start a process for it)."""
        if not usable(spec):
            return None
        p = self._spares.pop(runtime.family, None)
        if p is not None and p.proc.returncode is not None:  # died meanwhile
            _discard(p)
            return None
        return p

    def prepare(self, runtime: Runtime | str) -> None:
        """Start the family's spare in the background if there is none (a runtime the host cannot
        run is ignored: its functions fail when invoked, with their own error)."""
        if isinstance(runtime, str):
            try:
                runtime = get_runtime(runtime)
            except RuntimeUnavailable:
                return
        family = runtime.family
        if family in self._spares or family in self._starting:
            return
        self._starting[family] = asyncio.get_running_loop().create_task(self._start(runtime))

    async def _start(self, runtime: Runtime) -> None:
        try:
            command = runtime.command()
            self._spares[runtime.family] = await spawn(
                command, lambda api: spare_env(runtime, api, command[0]), "/")
        except (RuntimeUnavailable, OSError) as e:
            log.info("no spare %s runtime: %s", runtime.family, e)
        finally:
            self._starting.pop(runtime.family, None)

    async def close(self) -> None:
        for task in list(self._starting.values()):
            task.cancel()
        for task in list(self._starting.values()):
            try:
                await task
            except asyncio.CancelledError:
                pass
        for p in self._spares.values():
            _discard(p)
            await p.proc.wait()
        self._spares.clear()


def _discard(p: RuntimeProcess) -> None:
    try:
        os.killpg(p.proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    p.api.close()
    p.pipe.close()
