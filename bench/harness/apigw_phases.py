"""API Gateway measurements: the answer check, the sequential latency phase (one keep-alive
connection, stdlib client), the wrk throughput runs of an invoke URL, cloudlet's own GetItem
reference (bench/lua/get.lua on the DynamoDB benchmark's bench_kv table) and an optional py-spy
profile of the server during a run. Each returns plain dicts (stored in the JSON as they are).
"""

from __future__ import annotations

import http.client
import json
import re
import shutil
import subprocess
import time
from collections import Counter
from pathlib import Path

from . import REPO
from .client import KeepAliveClient
from .ddb import LUA_DIR, Ddb, create_table, load_items, preload_items
from .ddb_phases import run_workload
from .lambda_phases import lat_stats
from .procs import Server
from .wrk import run_wrk

HEADERS = {"Accept": "application/json"}  # unsigned, as a browser or curl would call a NONE method
SCRIPT = LUA_DIR / "apigw.lua"


def body_ok(data: bytes, expect: dict | str) -> bool:
    if isinstance(expect, str):
        return data == expect.encode()
    try:
        return json.loads(data) == expect
    except ValueError:
        return False


def one(cli: KeepAliveClient, path: str, expect: dict | str) -> tuple[bool, int, str]:
    """One GET: (as expected, ns, what came back if not)."""
    try:
        st, hdrs, data, ns = cli.send("GET", path, None, HEADERS)
    except (OSError, http.client.HTTPException) as e:
        return False, 0, f"{type(e).__name__}: {e}"
    if st == 200 and body_ok(data, expect):
        return True, ns, ""
    err = hdrs.get("x-amzn-errortype", "")
    return False, ns, f"HTTP {st}{' ' + err if err else ''} {data[:300]!r}"


def check(srv: Server, path: str, expect: dict | str, tries: int = 3) -> dict:
    """The first answers of the invoke URL (a function's first call may start its environment):
    ok when one of `tries` GETs is 200 with the expected body; else the last answer."""
    cli = KeepAliveClient(srv.port, timeout=60)
    out: dict = {"ok": False}
    try:
        for i in range(tries):
            t0 = time.perf_counter()
            ok, _ns, detail = one(cli, path, expect)
            out.setdefault("first_ms", round((time.perf_counter() - t0) * 1000, 1))
            if ok:
                return {**out, "ok": True, "tries": i + 1}
            out["answer"] = detail
            time.sleep(0.2)
    finally:
        cli.close()
    return out


def latency(srv: Server, path: str, expect: dict | str, n: int, warmups: int) -> dict:
    """n sequential GETs on one keep-alive connection after `warmups`; p50/p99 of those answered
    as expected, the others counted as errors."""
    cli = KeepAliveClient(srv.port, timeout=60)
    ns: list[int] = []
    errors, first_error = 0, ""
    t0 = time.perf_counter()
    try:
        for i in range(warmups + n):
            ok, t, detail = one(cli, path, expect)
            if not ok:
                errors += 1
                first_error = first_error or detail
            elif i >= warmups:
                ns.append(t)
    finally:
        cli.close()
    return {**lat_stats(ns), "errors": errors, "first_error": first_error[:300], "warmups": warmups,
            "wall_s": round(time.perf_counter() - t0, 2)}


def wrk_path(srv: Server, label: str, path: str, expect_lua: str, conns: int, duration: int,
             verify: bool = False) -> dict:
    """wrk (-t1) GET of the invoke URL at `conns` connections for `duration` whole seconds; verify: check
    200 bodies (1 connection)."""
    return run_wrk(srv, label, SCRIPT, 1 if verify else conns, duration, 1,
                   {"BENCH_PATH": path, "BENCH_EXPECT": expect_lua}, verify=verify)


# ------------------------------------------------------------------------------ GetItem reference
def prepare_getitem(srv: Server) -> dict:
    """bench_kv with the DynamoDB benchmark's 10,000 ~200-byte items (keys g00000..g09999)."""
    ddb = Ddb(srv.port)
    try:
        create_table(ddb, "bench_kv")
    finally:
        ddb.close()
    return {"load_s": load_items(srv.port, "bench_kv", preload_items("get") or [])}


def getitem(srv: Server, conns: int, duration: int, verify: bool = False) -> dict:
    """The DynamoDB benchmark's `get` workload (lua/get.lua, random existing keys, -t1)."""
    return run_workload(srv, "get", 1 if verify else conns, duration, 1, verify=verify)


# ------------------------------------------------------------------------------ py-spy
def py_spy() -> str | None:
    exe = REPO / ".venv" / "bin" / "py-spy"
    return str(exe) if exe.is_file() else shutil.which("py-spy")


def profiled(srv: Server, run, out_dir: Path, label: str, rate: int = 100) -> dict:
    """run() (a wrk run) while `py-spy record` samples the server's main process (raw collapsed
    stacks, idle frames excluded); returns run()'s result with a "profile" entry: the top frames by
    own time (leaf of the sampled stack) and by total time (anywhere in it), per function."""
    exe = py_spy()
    if exe is None:
        return {**run(), "profile": {"error": "py-spy not found (.venv/bin/pip install py-spy)"}}
    out_dir.mkdir(parents=True, exist_ok=True)
    raw = out_dir / f"{label}.txt"
    raw.unlink(missing_ok=True)
    # blocking sampling (py-spy pauses the process at each sample: ~6 % fewer req/s here); --nonblocking
    # costs less, but about half of its samples of cloudlet's event loop came back as truncated stacks
    p = subprocess.Popen([exe, "record", "-p", str(srv.pid), "-r", str(rate), "-f", "raw", "-o", str(raw)],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(1.0)  # py-spy attaches
    try:
        res = run()
    finally:
        p.send_signal(2)  # SIGINT: py-spy writes the file and exits
        try:
            log_out = p.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:
            p.kill()
            log_out = p.communicate()[0]
    if not raw.is_file():
        return {**res, "profile": {"error": f"py-spy wrote nothing: {log_out[-400:]}"}}
    return {**res, "profile": {"file": str(raw), "rate": rate, **top_frames(raw)}}


_FRAME = re.compile(r"^(?P<fn>.*) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")


def top_frames(raw: Path, n: int = 15) -> dict:
    """From py-spy's raw output (`frame;frame;... count` per line, root first): samples per
    function (name + file) as the leaf (own) and anywhere in the stack (total, once per sample)."""
    own: Counter[str] = Counter()
    own_line: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        k = int(count)
        samples += k
        frames = [f for f in stack.split(";") if not f.startswith(("process ", "thread "))]
        if not frames:
            continue
        names = [_fn(f) for f in frames]
        own[names[-1]] += k
        own_line[frames[-1]] += k
        for name in set(names):
            total[name] += k

    def pct(s: int) -> float | None:
        return round(100 * s / samples, 1) if samples else None

    def rows(c: Counter[str]) -> list[dict]:
        return [{"frame": f, "samples": s, "pct": pct(s)} for f, s in c.most_common(n)]
    return {"samples": samples, "own": [{**r, "total_pct": pct(total[r["frame"]])} for r in rows(own)],
            "own_by_line": rows(own_line), "total": rows(total)}


def _fn(frame: str) -> str:
    m = _FRAME.match(frame)
    return f"{m.group('fn')} ({m.group('file')})" if m else frame
