"""Server processes: /proc figures, quiet-machine wait, spawn in an own process group, stop.

Every server spawned is kept in LIVE until stopped; `install_cleanup()` makes exit, SIGTERM and
SIGHUP stop whatever is still running (SIGTERM to the group, SIGKILL of what is left).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shlex
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from . import HOST, log

# ------------------------------------------------------------------------------ /proc helpers
CLK_TCK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int | str) -> list[str]:
    with open(f"/proc/{pid}/stat") as f:
        s = f.read()
    return s[s.rindex(")") + 2 :].split()


def tree_pids(root: int) -> list[int]:
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                kids.setdefault(int(_stat(d)[1]), []).append(int(d))
    out, i = [root], 0
    while i < len(out):
        out += kids.get(out[i], [])
        i += 1
    return out


def start_time(pid: int) -> str | None:
    try:
        return _stat(pid)[19]
    except (OSError, IndexError):
        return None


def rss_mib(root: int) -> float:
    total = 0
    for p in tree_pids(root):
        with contextlib.suppress(OSError, ValueError), open(f"/proc/{p}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return round(total / 1024, 1)


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for p in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            r = _stat(p)
            total += int(r[11]) + int(r[12])
    return total / CLK_TCK


def sys_cpu() -> tuple[int, int]:
    """(busy, total) jiffies over all cores."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    return sum(v) - v[3] - v[4], sum(v)


def wait_quiet(max_wait: float, threshold_pct: float) -> float | None:
    """Wait up to max_wait s until the machine uses < threshold_pct of one core; return it."""
    if max_wait <= 0:
        return None
    t0 = time.perf_counter()
    while True:
        b0, j0 = sys_cpu()
        time.sleep(0.5)
        b1, j1 = sys_cpu()
        pct = 100.0 * (b1 - b0) / max(1, j1 - j0) * (os.cpu_count() or 1)
        if pct < threshold_pct or time.perf_counter() - t0 >= max_wait:
            return round(pct, 1)


def du_mib(path: Path | None) -> float | None:
    if path is None or not path.exists():
        return None
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, f)).st_blocks * 512
    return round(total / 2**20, 2)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------------------ server lifecycle
@dataclass
class Server:
    name: str
    proc: subprocess.Popen
    port: int
    data: Path
    log_path: Path
    startup_s: float = 0.0

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None


LIVE: list[Server] = []


def log_tail(path: Path, lines: int = 3) -> str:
    """The server log's last lines (where a traceback ends), joined with ' | '."""
    try:
        text = path.read_bytes()[-4000:].decode("utf-8", "replace")
    except OSError:
        return ""
    tail = [ln.strip()[:200] for ln in text.strip().splitlines()[-lines:]]
    return " | ".join(tail) + f" (log: {path})"


def spawn(name: str, argv: list[str], *, port: int, data: Path, log_path: Path, cwd: Path,
          env: Mapping[str, str], ready: Callable[[int], bool], ready_what: str = "answer",
          timeout: float = 90.0) -> Server:
    """Start argv in its own session (= process group), output appended to log_path, and poll
    ready(port) every 10 ms until it returns True; startup_s = spawn -> ready. On failure the
    server is stopped and RuntimeError raised (with the log's last lines if it exited)."""
    with open(log_path, "ab") as logf:
        logf.write(f"\n=== {time.strftime('%F %T')} {shlex.join(argv)}\n".encode())
        logf.flush()
        t0 = time.perf_counter()
        # own session = own process group: stopped as a group, not hit by our terminal's ^C
        proc = subprocess.Popen(argv, stdout=logf, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True,
                                cwd=cwd, env=env)
    srv = Server(name, proc, port, data, log_path)
    LIVE.append(srv)
    try:
        while True:
            if not srv.alive():
                raise RuntimeError(f"exited with code {proc.returncode}: {log_tail(log_path)}")
            if ready(port):
                break
            if time.perf_counter() - t0 > timeout:
                raise RuntimeError(f"no {ready_what} after {timeout} s")
            time.sleep(0.01)
        srv.startup_s = round(time.perf_counter() - t0, 3)
    except BaseException:
        stop_server(srv)
        raise
    return srv


def stop_server(srv: Server, grace: float = 15.0) -> None:
    """SIGTERM the server's process group, wait, then SIGKILL what is left of group and tree."""
    pgid = srv.pid
    tree = [(p, start_time(p)) for p in tree_pids(srv.pid) if p != srv.pid]
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGTERM)
    try:
        srv.proc.wait(grace)
    except subprocess.TimeoutExpired:
        log(f"  {srv.name}: no exit {grace} s after SIGTERM, SIGKILL")
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)
    for p, st in tree:  # children that left the group (same pid and start time only)
        if st is not None and start_time(p) == st:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(p, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        srv.proc.wait(5)
    if srv in LIVE:
        LIVE.remove(srv)


def stop_all() -> None:
    for srv in list(LIVE):
        stop_server(srv, grace=5)


def _on_signal(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def install_cleanup() -> None:
    """SIGTERM / SIGHUP raise KeyboardInterrupt (so `finally` blocks run); stop_all at exit."""
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGHUP, _on_signal)
    atexit.register(stop_all)
