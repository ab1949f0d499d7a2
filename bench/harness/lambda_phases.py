"""Lambda measurements: the raw HTTP invoke client, and the cold-start, warm-latency, throughput
and RSS phases. Each function returns plain dicts (stored in the JSON as they are).

Client: one http.client keep-alive connection per caller thread, POST
/2015-03-31/functions/NAME/invocations with a dummy SigV4 header and the body `{}`; an answer counts
as ok when it is 200, has no X-Amz-Function-Error and its body is {"ok": true}.
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import json
import os
import statistics
import threading
import time

from .client import KeepAliveClient
from .lambda_peers import CASES, HEADERS, LIST_PATH, create_function
from .procs import Server, cpu_seconds, du_mib, sys_cpu, tree_pids

OK_BODY = {"ok": True}


class Invoker(KeepAliveClient):
    """One keep-alive connection; invoke() returns (ok, ns, detail) and reconnects after errors."""

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, dict, bytes, int]:
        return self.send(method, path, body, HEADERS)

    def invoke(self, fn: str) -> tuple[bool, int, str]:
        try:
            st, hdrs, data, ns = self.request("POST", f"/2015-03-31/functions/{fn}/invocations", b"{}")
        except (OSError, http.client.HTTPException) as e:
            return False, 0, f"{type(e).__name__}: {e}"
        if st != 200 or "x-amz-function-error" in hdrs:
            return False, ns, f"HTTP {st} {hdrs.get('x-amz-function-error', '')} {data[:300]!r}"
        try:
            ok = json.loads(data) == OK_BODY
        except ValueError:
            ok = False
        return ok, ns, "" if ok else f"unexpected body {data[:200]!r}"

    def warm_up(self) -> None:
        with contextlib.suppress(OSError, http.client.HTTPException):
            self.request("GET", LIST_PATH)


def pct(ms: list[float], p: float) -> float | None:
    if not ms:
        return None
    s = sorted(ms)
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s)) - 1))]


def lat_stats(ns: list[int]) -> dict:
    ms = [x / 1e6 for x in ns]
    return {"n": len(ms), "p50_ms": pct(ms, 50), "p99_ms": pct(ms, 99), "mean_ms": statistics.fmean(ms) if ms else None,
            "min_ms": min(ms, default=None), "max_ms": max(ms, default=None)}


# ------------------------------------------------------------------------------ process split
def split_pids(srv: Server) -> tuple[list[int], list[int]]:
    """(the server's own processes, the function environments = processes born after ready)."""
    pids = tree_pids(srv.pid)
    base = srv.base_pids  # type: ignore[attr-defined]
    return [p for p in pids if p in base], [p for p in pids if p not in base]


def rss_kib(pids: list[int]) -> int:
    total = 0
    for p in pids:
        with contextlib.suppress(OSError, ValueError), open(f"/proc/{p}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total


def rss_split(srv: Server) -> dict:
    own, envs = split_pids(srv)
    return {"server_mib": round(rss_kib(own) / 1024, 1), "envs_mib": round(rss_kib(envs) / 1024, 1),
            "n_envs": len(envs)}


# ------------------------------------------------------------------------------ phases
def cold_start(srv: Server, lam, role: str, case: str, name: str) -> dict:
    """CreateFunction (boto3) returned -> first Invoke (raw HTTP, connection already open) answered."""
    inv = Invoker(srv.port)
    inv.warm_up()
    t0 = time.perf_counter()
    try:
        create_function(lam, role, case, name)
    except Exception as e:  # botocore ClientError / connection errors: the server refused this runtime
        inv.close()
        return {"error": f"CreateFunction {CASES[case][0]}: {str(e)[:300]}"}
    t1 = time.perf_counter()
    ok, _ns, detail = inv.invoke(name)
    t2 = time.perf_counter()
    inv.close()
    out = {"create_ms": round((t1 - t0) * 1000, 2), "cold_ms": round((t2 - t1) * 1000, 2)}
    if not ok:
        out["error"] = f"first Invoke of {CASES[case][0]}: {detail}"
    return out


def warm_latency(srv: Server, fn: str, n: int, warmups: int = 20, path: str | None = None) -> dict:
    """n sequential invokes on one keep-alive connection after `warmups` (path: a plain POST instead,
    for the hello app)."""
    inv = Invoker(srv.port)
    ns: list[int] = []
    errors, first_error = 0, ""
    for i in range(warmups + n):
        if path is None:
            ok, t, detail = inv.invoke(fn)
        else:
            try:
                st, _h, _d, t = inv.request("POST", path, b"{}")
                ok, detail = st == 200, f"HTTP {st}"
            except (OSError, http.client.HTTPException) as e:
                ok, t, detail = False, 0, str(e)
        if not ok:
            errors += 1
            first_error = first_error or detail
        elif i >= warmups:
            ns.append(t)
    inv.close()
    return {**lat_stats(ns), "errors": errors, "first_error": first_error[:300]}


def _callers(port: int, fn: str | None, conns: int, duration: float | None, count: int | None,
             path: str | None) -> tuple[list[int], int, str, float]:
    """conns threads invoking until `duration` s passed or `count` invokes were started in total."""
    lats: list[list[int]] = [[] for _ in range(conns)]
    errs = [0] * conns
    first_err: list[str] = []
    ticket = itertools.count()
    start = threading.Barrier(conns + 1)
    stop_at = [0.0]

    def caller(i: int) -> None:
        inv = Invoker(port)
        inv.warm_up()
        start.wait()
        while True:
            if duration is not None and time.perf_counter() >= stop_at[0]:
                break
            if count is not None and next(ticket) >= count:
                break
            if path is None:
                ok, t, detail = inv.invoke(fn or "")
            else:
                try:
                    st, _h, _d, t = inv.request("POST", path, b"{}")
                    ok, detail = st == 200, f"HTTP {st}"
                except (OSError, http.client.HTTPException) as e:
                    ok, t, detail = False, 0, str(e)
            if ok:
                lats[i].append(t)
            else:
                errs[i] += 1
                if not first_err:
                    first_err.append(detail)
        inv.close()

    threads = [threading.Thread(target=caller, args=(i,), daemon=True) for i in range(conns)]
    for t in threads:
        t.start()
    stop_at[0] = time.perf_counter() + (duration or 0)
    start.wait()
    t0 = time.perf_counter()
    stop_at[0] = t0 + (duration or 0)
    for t in threads:
        t.join()
    return [x for lst in lats for x in lst], sum(errs), (first_err or [""])[0], time.perf_counter() - t0


def throughput(srv: Server, fn: str | None, conns: int, duration: float | None = None, count: int | None = None,
               path: str | None = None) -> dict:
    """Invokes/s at `conns` concurrent callers, and where the CPU went: the server's own processes,
    the function environments, this client, the rest of the machine; in % of one core and in us
    per invoke."""
    own0, envs0 = split_pids(srv)
    cpu_own0, cpu_env0 = cpu_seconds(own0), {p: cpu_seconds([p]) for p in envs0}
    me0, (b0, j0) = os.times(), sys_cpu()
    lats, errors, first_err, wall = _callers(srv.port, fn, conns, duration, count, path)
    me1, (b1, j1) = os.times(), sys_cpu()
    own1, envs1 = split_pids(srv)
    # environments started during the run count from 0; those that exited during it are lost
    cpu_own = cpu_seconds(own1) - cpu_own0
    cpu_env = cpu_seconds(envs1) - sum(cpu_env0.get(p, 0.0) for p in envs1)
    cpu_me = (me1.user + me1.system) - (me0.user + me0.system)
    cores = os.cpu_count() or 1
    busy = (b1 - b0) / max(1, j1 - j0) * cores * wall
    n = len(lats)

    def share(sec: float) -> dict:
        return {"pct": round(100 * sec / wall, 1), "us_per_invoke": round(1e6 * sec / n, 1) if n else None}

    return {"conns": conns, "wall_s": round(wall, 2), "ok": n, "errors": errors, "first_error": first_err[:300],
            "rps": round(n / wall, 1) if wall else None, **lat_stats(lats), "n_envs": len(envs1),
            "cpu": {"server": share(cpu_own), "functions": share(cpu_env), "client": share(cpu_me),
                    "other": share(max(0.0, busy - cpu_own - cpu_env - cpu_me)),
                    "idle": {"pct": round(100 * max(0.0, cores * wall - busy) / wall, 1)}}}


def rss_run(srv: Server, fn: str, conns: int, total: int, samples: int = 5) -> dict:
    """RSS of the server's own processes and of the environments before, during and after `total`
    warm invokes (conns callers), sampled `samples` times; 1 s settle before the first and last. The
    data dir's size too: what the server stored meanwhile (function logs) may sit in its page cache."""
    time.sleep(1)
    out = {"invokes": total, "conns": conns, "before": rss_split(srv), "samples": [], "errors": 0,
           "data_dir_mib_before": du_mib(srv.data)}
    step = max(1, total // samples)
    done = 0
    while done < total:
        k = min(step, total - done)
        r = throughput(srv, fn, conns, count=k)
        done += k
        out["errors"] += r["errors"]
        out["samples"].append({"after": done, **rss_split(srv), "rps": r["rps"]})
    time.sleep(1)
    out["after"] = rss_split(srv)
    out["data_dir_mib_after"] = du_mib(srv.data)
    out["server_growth_mib"] = round(out["after"]["server_mib"] - out["before"]["server_mib"], 1)
    out["envs_growth_mib"] = round(out["after"]["envs_mib"] - out["before"]["envs_mib"], 1)
    return out
