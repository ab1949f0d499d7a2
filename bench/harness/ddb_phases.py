"""The three phases of the DynamoDB benchmark; each fills results[name] (one dict per server).

  startup  spawn -> first ListTables answered 200, fresh data dir, --startup-runs times
  memory   RSS after loading --mem-items items, data dir size after a graceful stop
  bench    all servers started and preloaded, checked (boto3 + wrk body checks), then the wrk
           runs interleaved: every server runs each workload/connections step before the next
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import time

from . import Unavailable, log
from .ddb import (
    CEILING_WORKLOADS,
    LUA_DIR,
    TABLE_FOR,
    Ddb,
    counter_sum,
    create_table,
    load_items,
    mem_items,
    preload_items,
    wrk_env,
)
from .ddb_checks import boto3_checks
from .peers import Ctx, start_server
from .procs import Server, du_mib, log_tail, rss_mib, stop_server, wait_quiet
from .report import fmt
from .wrk import NOISY_PCT, run_wrk


def run_workload(srv: Server, w: str, conns: int, duration: float, threads: int,
                 verify: bool = False) -> dict:
    """wrk with bench/lua/<w>.lua against srv."""
    return run_wrk(srv, w, LUA_DIR / f"{w}.lua", conns, duration, threads, wrk_env(), verify=verify)


def phase_startup(ctx: Ctx, names: list[str], results: dict) -> None:
    n = ctx.args.startup_runs
    log(f"\n== start-up: spawn -> first ListTables 200, fresh data dir, {n}x per peer")
    for i in range(n):
        for name in names:
            if results[name].get("skipped"):
                continue
            wait_quiet(ctx.args.quiet_wait, ctx.args.quiet_pct)
            try:
                srv = start_server(ctx, name)
            except Unavailable as e:
                results[name]["skipped"] = str(e)
                log(f"  {name}: SKIPPED ({e})")
                continue
            except Exception as e:
                results[name]["skipped"] = f"start failed: {e}"[:800]
                log(f"  {name}: SKIPPED (start failed: {str(e)[:300]})")
                continue
            rss = rss_mib(srv.pid)
            stop_server(srv)
            r = results[name]
            r.setdefault("startup_s", []).append(srv.startup_s)
            r["rss_idle_mib"] = rss
            log(f"  {name:<14} #{i + 1}: {srv.startup_s:.3f} s  (RSS right after start "
                f"{rss:.0f} MiB)")
    for name in names:
        if results[name].get("startup_s"):
            results[name]["startup_s_median"] = statistics.median(results[name]["startup_s"])


def phase_memory(ctx: Ctx, names: list[str], results: dict) -> None:
    n = ctx.args.mem_items
    todo = [x for x in names if ctx.role(x).role != "ceiling" and not results[x].get("skipped")]
    if not todo or n <= 0:
        return
    log(f"\n== memory/disk: RSS after loading {n:,} ~200-byte items (BatchWriteItem, 4 threads)")
    items = mem_items(n)
    for name in todo:
        r = results[name]
        try:
            srv = start_server(ctx, name)
        except Exception as e:
            r["memory_error"] = f"start failed: {e}"[:800]
            log(f"  {name}: start failed: {str(e)[:300]}")
            continue
        try:
            time.sleep(1)
            r["rss_idle_mib"] = rss_mib(srv.pid)
            ddb = Ddb(srv.port)
            create_table(ddb, "bench_mem")
            r["mem_load_s"] = load_items(srv.port, "bench_mem", items)
            time.sleep(2)
            r["rss_loaded_mib"] = rss_mib(srv.pid)
            last = ddb.call("GetItem", {"TableName": "bench_mem",
                                        "Key": {"pk": {"S": f"m{n - 1:06d}"}}}).get("Item", {})
            r["mem_check_ok"] = last.get("n", {}).get("N") == str(n - 1)
            if ctx.role(name).disk:
                r["disk_running_mib"] = du_mib(srv.data)
            ddb.close()
        except Exception as e:
            r["memory_error"] = f"{type(e).__name__}: {e}"[:800]
            log(f"  {name}: memory phase failed: {str(e)[:300]}")
        finally:
            stop_server(srv)
        if ctx.role(name).disk:
            r["disk_mib"] = du_mib(srv.data)
        if "rss_loaded_mib" in r:
            log(f"  {name:<14} load {r['mem_load_s']:6.1f} s  RSS {r['rss_idle_mib']:.0f} -> "
                f"{r['rss_loaded_mib']:.0f} MiB  disk {fmt(r.get('disk_mib'), '.1f')} MiB  "
                f"check={'ok' if r['mem_check_ok'] else 'FAIL'}")


def setup_peer(ctx: Ctx, srv: Server, workloads: list[str], r: dict) -> list[str]:
    """Create and preload the tables; run the checks. Returns the workloads it can run."""
    ddb = Ddb(srv.port)
    ok: list[str] = []
    r["preload_s"] = {}
    for w in workloads:
        try:
            create_table(ddb, TABLE_FOR[w])
            items = preload_items(w)
            if items is not None:
                r["preload_s"][w] = load_items(srv.port, TABLE_FOR[w], items)
            ok.append(w)
        except Exception as e:
            r.setdefault("unsupported", {})[w] = f"setup failed: {type(e).__name__}: {e}"[:500]
            log(f"  {srv.name}: {w} setup failed, not benchmarked: {str(e)[:300]}")
    ddb.close()
    r["checks"] = boto3_checks(srv.port, ok)
    r["verify"] = []
    for w in ok:
        v = run_workload(srv, w, 1, 5, 1, verify=True)
        good = "error" not in v and v.get("checked", 0) > 0 and v.get("bad", 1) == 0
        r["verify"].append({"workload": w, "ok": good, "checked": v.get("checked"),
                            "bad": v.get("bad"), "sample": v.get("bad_sample") or v.get("error")})
    bad = [c for c in r["checks"] if c["ok"] is False] + [v for v in r["verify"] if not v["ok"]]
    n_ok = len(r["checks"]) + len(r["verify"]) - len(bad)
    log(f"  {srv.name:<14} ready: preload {r['preload_s']} s, checks {n_ok}/"
        f"{len(r['checks']) + len(r['verify'])} ok"
        + "".join(f"\n    FAIL {json.dumps(b)[:400]}" for b in bad))
    return ok


def phase_bench(ctx: Ctx, names: list[str], results: dict) -> None:
    a = ctx.args
    servers: dict[str, Server] = {}
    can: dict[str, list[str]] = {}
    log("\n== throughput: starting all peers, preloading, checking")
    for name in names:
        r = results[name]
        if r.get("skipped"):
            continue
        role = ctx.role(name).role
        wl = [w for w in a.workloads if role != "ceiling" or w in CEILING_WORKLOADS]
        if not wl:
            continue
        try:
            servers[name] = start_server(ctx, name)
        except Exception as e:
            r["skipped"] = f"start failed: {e}"[:800]
            log(f"  {name}: SKIPPED (start failed: {str(e)[:300]})")
            continue
        if role == "ceiling":
            can[name] = wl
            log(f"  {name:<14} ready (no DynamoDB: ceiling for {','.join(wl)})")
        else:
            can[name] = setup_peer(ctx, servers[name], wl, r)
        r["runs"] = []
    steps = [(w, c) for w in a.workloads for c in a.conns]
    n_runs = sum(len([x for x in can if w in can[x]]) for w, _ in steps) * a.runs
    log(f"\n== {n_runs} wrk runs of {a.duration} s, interleaved "
        f"(~{n_runs * (a.duration + 1.5) / 60:.1f} min)")
    k = 0
    for run in range(a.runs):
        for w, conns in steps:
            order = [x for x in names if w in can.get(x, [])]
            if not order:
                continue
            k += 1
            order = order[k % len(order):] + order[: k % len(order)]  # rotate who goes first
            for name in order:
                srv, r = servers[name], results[name]
                if not srv.alive():
                    if not r.get("died"):
                        r["died"] = f"exit {srv.proc.returncode}: {log_tail(srv.log_path)}"
                        log(f"  {name} DIED: {r['died'][:300]}")
                    continue
                res = one_run(srv, w, conns, a)
                for attempt in range(a.noisy_retries):
                    if "error" in res or res["other_cpu_pct"] <= NOISY_PCT:
                        break
                    log(f"  {w:<6} c={conns:<3} {name:<14} noisy (other "
                        f"{res['other_cpu_pct']:.0f}%): again")
                    again = one_run(srv, w, conns, a, quiet_wait=max(a.quiet_wait, 5))
                    again["noisy_retry"] = attempt + 1
                    if "error" not in again and again["other_cpu_pct"] < res["other_cpu_pct"]:
                        res, again = again, res
                    r.setdefault("noisy_discarded", []).append(again)
                res["run"] = run + 1
                r["runs"].append(res)
                if "error" in res:
                    log(f"  {w:<6} c={conns:<3} {name:<14} ERROR {res['error'][-300:]}")
                    continue
                log(f"  {w:<6} c={conns:<3} {name:<14} {res['rps']:9.0f} req/s  "
                    f"p50 {res['p50_us'] / 1000:6.2f}  p99 {res['p99_us'] / 1000:7.2f} ms  "
                    f"non2xx {res['err_status']} sockerr {res['socket_errors']}  "
                    f"srv {res['server_cpu_pct']:.0f}% wrk {res['wrk_cpu_pct']:.0f}% "
                    f"other {res['other_cpu_pct']:.0f}%"
                    + ("" if "counter_ok" not in res
                       else f"  counter {'ok' if res['counter_ok'] else 'MISMATCH'}"))
    for name, srv in servers.items():
        if srv.alive():
            results[name]["rss_after_bench_mib"] = rss_mib(srv.pid)
        stop_server(srv)


def one_run(srv: Server, w: str, conns: int, a: argparse.Namespace,
            quiet_wait: float | None = None) -> dict:
    """One wrk run (after waiting for a quiet machine); for `update` checks the counters."""
    before = None
    if w == "update":
        with contextlib.suppress(Exception):
            before = counter_sum(srv.port)
    pre = wait_quiet(a.quiet_wait if quiet_wait is None else quiet_wait, a.quiet_pct)
    res = run_workload(srv, w, conns, a.duration, a.threads)
    res["pre_busy_pct"] = pre
    if before is not None and "requests" in res:
        time.sleep(0.3)
        try:
            delta = counter_sum(srv.port) - before
            res["counter_delta"] = delta
            # requests in flight when wrk stops may still be applied
            ok2xx = res["requests"] - res["err_status"]
            res["counter_ok"] = ok2xx <= delta <= res["requests"] + conns
        except Exception as e:
            res["counter_ok"], res["counter_error"] = False, str(e)[:300]
    return res


