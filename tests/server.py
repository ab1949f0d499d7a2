"""Start and stop real cloudlet servers for tests (a subprocess on a free loopback port)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    port: int
    data_dir: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self, sig: int = signal.SIGINT, timeout: float = 10) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout)
        return self.proc.returncode


def start(
    data_dir: str, store: str = "sqlite", port: int | None = None, timeout: float = 20, extra: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
) -> Server:
    port = port or free_port()
    log = open(os.path.join(data_dir, f"server-{port}.log"), "ab")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "cloudlet", "start", "--port", str(port), "--data-dir", data_dir,
         "--store", store, *extra],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
    )
    server = Server(proc, port, data_dir)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"cloudlet exited with {proc.returncode}; see {log.name}")
        try:
            with urllib.request.urlopen(server.url + "/_cloudlet/health", timeout=1) as r:
                if r.status == 200:
                    return server
        except OSError:
            time.sleep(0.05)
    server.stop(signal.SIGKILL)
    raise RuntimeError("cloudlet did not start in time")
