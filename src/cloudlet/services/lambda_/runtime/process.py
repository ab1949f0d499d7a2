"""Starting a runtime process: its Runtime API listener, the process, and the pipe of its output.

The process gets its own process group (killed as one), stdin on /dev/null, stdout and stderr on
one pipe, and only the environment it is given (the host's is not inherited).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass

from cloudlet.services.lambda_.runtime.logpipe import LogPipe
from cloudlet.services.lambda_.runtime.runtime_api import RuntimeApi


@dataclass
class RuntimeProcess:
    api: RuntimeApi
    proc: asyncio.subprocess.Process
    pipe: LogPipe
    spawned_at: float  # time.monotonic()


async def spawn(command: list[str], env_for: Callable[[str], dict[str, str]], cwd: str) -> RuntimeProcess:
    """Start `command` with the environment `env_for(runtime API address)` in `cwd`."""
    api = RuntimeApi()
    port = await api.start()
    env = env_for(f"127.0.0.1:{port}")
    read_fd, write_fd = os.pipe()
    spawned_at = time.monotonic()
    try:
        proc = await asyncio.create_subprocess_exec(
            *command, stdin=subprocess.DEVNULL, stdout=write_fd, stderr=write_fd,
            cwd=cwd, env=env, start_new_session=True,
        )
    except BaseException:
        os.close(read_fd)
        api.close()
        raise
    finally:
        os.close(write_fd)
    return RuntimeProcess(api, proc, await LogPipe.open(read_fd), spawned_at)
