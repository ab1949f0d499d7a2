"""One wrk run against a server, with the Lua protocol of bench/lua/common.lua.

The script's done() prints `BENCHJSON {...}` (requests, duration_us, err_*, p50_us/p99_us ...).
In verify mode (BENCH_VERIFY=1) it checks each response body and, after BENCH_VERIFY_MAX of
them, prints `BENCHVERIFY {"checked": n, "bad": n}` (+ `BENCHBAD <first bad response>`) and
exits wrk early. Around the run the CPU of the server's process tree, of wrk and of the whole
machine is measured, so that `other_cpu_pct` shows what else used the cores.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

from . import HOST
from .procs import Server, cpu_seconds, sys_cpu, tree_pids

NOISY_PCT = 50  # other% above which a run is flagged "noisy"
VERIFY_MAX = 200  # responses checked in verify mode


def run_wrk(srv: Server, workload: str, script: Path, conns: int, duration: float, threads: int,
            env: Mapping[str, str] | None = None, verify: bool = False) -> dict:
    """Run wrk (`-t1` at one connection, else up to `threads`; 5 s timeout) with `script` and
    `env` (extra BENCH_* variables for the script). Returns the BENCHJSON fields plus rps,
    socket_errors, server/wrk/other CPU %, cpu_us_per_req; "error" if wrk gave no BENCHJSON."""
    t = 1 if conns == 1 else max(1, min(threads, conns))
    cmd = ["wrk", f"-t{t}", f"-c{conns}", f"-d{duration}s", "--timeout", "5s",
           "-s", str(script), f"http://{HOST}:{srv.port}/"]
    env = dict(os.environ, BENCH_VERIFY="1" if verify else "0", BENCH_VERIFY_MAX=str(VERIFY_MAX),
               **(env or {}))
    pids = tree_pids(srv.pid)
    cpu0, s0 = cpu_seconds(pids), sys_cpu()
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    w0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=duration + 60)
    wall = time.perf_counter() - w0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu1, s1 = cpu_seconds(pids), sys_cpu()
    res: dict = {"workload": workload, "conns": conns, "threads": t, "duration_s": duration}
    for line in p.stdout.splitlines():
        if line.startswith("BENCHJSON "):
            res.update(json.loads(line[len("BENCHJSON "):]))
        elif line.startswith("BENCHVERIFY "):  # verify mode: wrk exited early from Lua
            res.update(json.loads(line[len("BENCHVERIFY "):]))
        elif line.startswith("BENCHBAD "):
            res["bad_sample"] = line[len("BENCHBAD "):][:400]
    if verify and "checked" in res:
        return res
    if "requests" not in res:
        res["error"] = (p.stdout + p.stderr)[-600:] or f"wrk exit {p.returncode}"
        return res
    secs = res["duration_us"] / 1e6
    res["rps"] = round(res["requests"] / secs, 1) if secs else 0.0
    res["socket_errors"] = sum(res[k] for k in ("err_connect", "err_read", "err_write",
                                                "err_timeout"))
    busy = 100.0 * (os.cpu_count() or 1) * (s1[0] - s0[0]) / max(1, s1[1] - s0[1])
    wrk_pct = 100.0 * (ru1.ru_utime - ru0.ru_utime + ru1.ru_stime - ru0.ru_stime) / wall
    res["server_cpu_pct"] = round(100.0 * (cpu1 - cpu0) / wall, 1)
    res["wrk_cpu_pct"] = round(wrk_pct, 1)
    res["other_cpu_pct"] = round(max(0.0, busy - wrk_pct - res["server_cpu_pct"]), 1)
    if res["requests"]:
        res["cpu_us_per_req"] = round(1e6 * (cpu1 - cpu0) / res["requests"], 1)
    return res
