#!/usr/bin/env python3
"""Benchmark cloudlet's API Gateway (REST APIs, execute-api) against MiniStack, in one run:

  proxy     HTTP GET -> API Gateway -> AWS_PROXY -> a silent python3.12 Lambda function
            (returns {"statusCode": 200, "body": "ok"}) -> 200 "ok"
  dynamodb  HTTP GET /movies/{name} -> API Gateway -> AWS integration dynamodb:action/GetItem with a
            request mapping template -> DynamoDB -> response mapping template -> 200 {"name", "movie"}

    python bench/apigateway_bench.py [--quick] [--peers cloudlet,ministack] [--paths proxy,dynamodb]
        [--requests 1000] [--duration 10] [--conns 8] [--runs 1] [--profile dynamodb]

Each server is a fresh process on a free loopback port, in its own process group, set up with boto3
(IAM roles, CreateFunction, CreateRestApi .. CreateDeployment of stage "bench", the `movies` table).
Invoke URL (both servers): /restapis/{apiId}/bench/_user_request_/{path}; before anything is timed
the URL must answer 200 with the expected body, else the path is reported as unsupported (peer) or
check-failed (cloudlet) with what it answered.

  latency     --requests sequential GETs on one keep-alive connection after --warmups: p50/p99
  throughput  wrk -t1 at --conns connections for --duration s (lua/apigw.lua), after a 1 s warm-up;
              for the DynamoDB path also cloudlet's own GetItem at the same connections
              (lua/get.lua, the DynamoDB benchmark's 10,000-item bench_kv table), run right after it
  --profile   extra runs of the named rows (dynamodb, proxy, getitem) on cloudlet with py-spy
              sampling the server; prints the top frames by own time

Prints the tables, the ratios and the goals (PASS/FAIL) and saves the JSON in bench/results-local/.
A server that cannot run is reported as skipped with the reason. Every server started is stopped on
exit, error or Ctrl-C. Only loopback addresses are used.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from harness import log
from harness.apigw_peers import APIGW_PEERS, DEFAULT_APIGW_PEERS, PATHS, ApigwCtx, Setup, SetupError, start_server
from harness.apigw_phases import check, getitem, latency, prepare_getitem, profiled, wrk_path
from harness.apigw_report import GETITEM, OURS, median_of, report
from harness.lambda_peers import install
from harness.peers import CLOUDLET_CMD, DEFAULT_PEERS_DIR
from harness.procs import install_cleanup, stop_all
from harness.report import RESULTS_DIR, fmt, machine_info, save_json
from harness.run import BenchRun

PROFILE_ROWS = ("dynamodb", "proxy", GETITEM)


def parse_args() -> argparse.Namespace:
    csv = lambda s: [x for x in s.split(",") if x]  # noqa: E731
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--peers", type=csv, default=DEFAULT_APIGW_PEERS,
                    help=f"comma list (default: {','.join(DEFAULT_APIGW_PEERS)})")
    ap.add_argument("--paths", type=csv, default=list(PATHS), help=f"comma list (default: {','.join(PATHS)})")
    ap.add_argument("--quick", action="store_true", help="200 requests, 3 s throughput runs: ~1-2 min")
    ap.add_argument("--requests", type=int, default=None, help="sequential GETs of the latency phase (1000; quick 200)")
    ap.add_argument("--warmups", type=int, default=50, help="GETs before the timed ones (50)")
    ap.add_argument("--conns", type=int, default=8, help="wrk connections of the throughput runs (8)")
    ap.add_argument("--duration", type=int, default=None, help="s per throughput run (10; quick 3)")
    ap.add_argument("--runs", type=int, default=1, help="throughput runs per row, interleaved; median shown (1)")
    ap.add_argument("--profile", type=csv, default=[],
                    help=f"rows to profile on cloudlet with py-spy in extra runs: {','.join(PROFILE_ROWS)}")
    ap.add_argument("--quiet-wait", type=float, default=None,
                    help="before each measurement wait up to N s for an idle machine (3; quick 1; 0 off)")
    ap.add_argument("--quiet-pct", type=float, default=25.0,
                    help="idle = all CPU use below this %% of one core (default 25)")
    ap.add_argument("--install", action="store_true", help="install MiniStack into PEERS_DIR")
    ap.add_argument("--peers-dir", default=os.environ.get("PEERS_DIR", DEFAULT_PEERS_DIR),
                    help=f"installs, data dirs, logs (env PEERS_DIR, default {DEFAULT_PEERS_DIR})")
    ap.add_argument("--cloudlet-cmd", default=CLOUDLET_CMD,
                    help="start command template ({port}, {data}, {repo}); default: %(default)s")
    ap.add_argument("--json", help="results file (default bench/results-local/apigateway-<time>.json)")
    a = ap.parse_args()
    q = a.quick
    a.extra = None  # what harness.peers.Ctx reads
    a.requests = a.requests or (200 if q else 1000)
    a.duration = a.duration or (3 if q else 10)
    a.quiet_wait = a.quiet_wait if a.quiet_wait is not None else (1.0 if q else 3.0)
    bad = [p for p in a.peers if p not in APIGW_PEERS] + [p for p in a.paths if p not in PATHS]
    bad += [p for p in a.profile if p not in PROFILE_ROWS]
    if bad:
        ap.error(f"unknown: {', '.join(bad)}")
    return a


class Run(BenchRun):
    """One API Gateway benchmark run (harness.run.BenchRun) and its set-up per server."""

    def __init__(self, a: argparse.Namespace):
        super().__init__(a, ApigwCtx(a))
        self.stamp = time.strftime("%Y%m%d-%H%M%S")

    def ready(self, n: str, path: str) -> dict | None:
        """The path's record if it answered as expected (measurable), else None."""
        p = self.res[n].get("paths", {}).get(path)
        return p if n in self.servers and p and p.get("check", {}).get("ok") else None

    def start(self) -> None:
        for n in self.a.peers:
            r = self.res[n]
            srv = self.start_one(n, start_server, "; setting up")
            if srv is None:
                continue
            setup = Setup(srv.port)
            try:
                setup.run(self.a.paths)
            except SetupError as e:
                r["skipped"] = f"setup failed: {e}"
                log(f"{n}: SKIPPED ({r['skipped']})")
            except Exception as e:  # boto3 could not even be used against it
                r["skipped"] = f"setup failed: {type(e).__name__}: {e}"
                log(f"{n}: SKIPPED ({r['skipped']})")
            r["setup"] = setup.record()
            if "skipped" in r:
                del self.servers[n]
                continue
            r["paths"] = {}
            for path, s in setup.paths.items():
                r["paths"][path] = {"path": s["path"]}
                if "error" in s:
                    r["paths"][path]["setup_error"] = s["error"]
                    log(f"  {n} {path}: setup failed: {s['error']}")
            if n == OURS and "dynamodb" in self.a.paths:
                log(f"  {n}: loading bench_kv (10,000 items) for the GetItem reference")
                try:
                    r["getitem_setup"] = prepare_getitem(srv)
                except Exception as e:
                    r["getitem_setup"] = {"error": f"{type(e).__name__}: {e}"[:400]}
                    log(f"  {n}: GetItem reference setup failed: {r['getitem_setup']['error']}")

    def check(self) -> None:
        """Every path must answer 200 with the expected body (Python client, then wrk's verify pass)."""
        for n, srv in self.servers.items():
            for path, p in self.res[n]["paths"].items():
                if "setup_error" in p:
                    continue
                c = check(srv, p["path"], PATHS[path].expect)
                if c["ok"]:
                    v = wrk_path(srv, path, p["path"], PATHS[path].expect_lua, 1, 2, verify=True)
                    c["wrk_verify"] = v
                    if v.get("bad") or not v.get("checked"):
                        c["ok"] = False
                        c["answer"] = f"wrk verify: {v.get('bad_sample') or v.get('error') or v}"
                p["check"] = c
                log(f"  check {n:10} {path:9} {'ok' if c['ok'] else 'FAILED: ' + c.get('answer', '')[:300]}")
            if n == OURS and "dynamodb" in self.a.paths and "error" not in self.res[n].get("getitem_setup", {}):
                v = getitem(srv, 1, 2, verify=True)
                self.res[n]["getitem_verify"] = v
                if v.get("bad") or not v.get("checked"):
                    self.res[n]["getitem_setup"]["error"] = f"wrk verify: {v.get('bad_sample') or v}"
                log(f"  check {n:10} {'getitem':9} {'ok' if 'error' not in self.res[n]['getitem_setup'] else 'FAILED'}")

    def latency(self) -> None:
        for path in self.a.paths:
            for n in self.rotated(list(self.servers)):
                p = self.ready(n, path)
                if p is None:
                    continue
                self.quiet()
                r = latency(self.servers[n], p["path"], PATHS[path].expect, self.a.requests, self.a.warmups)
                p["latency"] = r
                log(f"  latency {path:9} {n:10} p50 {fmt(r['p50_ms'], '.3f')} ms  p99 {fmt(r['p99_ms'], '.2f')} ms  "
                    f"err {r['errors']} {r['first_error']}")

    def _wrk(self, n: str, key: str, duration: int) -> dict:
        srv = self.servers[n]
        if key == GETITEM:
            return getitem(srv, self.a.conns, duration)
        p = self.res[n]["paths"][key]
        return wrk_path(srv, key, p["path"], PATHS[key].expect_lua, self.a.conns, duration)

    def throughput(self) -> None:
        rows: dict[tuple[str, str], list[dict]] = {}
        warmed: set[tuple[str, str]] = set()
        getitem_ok = "error" not in self.res.get(OURS, {}).get("getitem_setup", {"error": ""})
        for run in range(self.a.runs):
            for path in self.a.paths:
                for n in self.rotated(list(self.servers)):
                    if self.ready(n, path) is None:
                        continue
                    keys = [path] + ([GETITEM] if n == OURS and path == "dynamodb" and getitem_ok else [])
                    for key in keys:
                        if (n, key) not in warmed:  # starts the function environments for 8 callers
                            self._wrk(n, key, 1)
                            warmed.add((n, key))
                        self.quiet()
                        r = self._wrk(n, key, self.a.duration)
                        r["run"] = run + 1
                        rows.setdefault((n, key), []).append(r)
                        if "error" in r:
                            log(f"  wrk {key:9} {n:10} ERROR {r['error'][-300:]}")
                            continue
                        log(f"  wrk {key:9} c={self.a.conns} {n:10} {r['rps']:8.0f} req/s  "
                            f"p50 {r['p50_us'] / 1000:6.2f}  p99 {r['p99_us'] / 1000:7.2f} ms  "
                            f"non2xx {r['err_status']} sockerr {r['socket_errors']}  srv {r['server_cpu_pct']:.0f}% "
                            f"({fmt(r.get('cpu_us_per_req'))} us/req) other {r['other_cpu_pct']:.0f}%")
        for (n, key), runs in rows.items():
            self.res[n].setdefault("throughput_runs", {})[key] = runs
            self.res[n].setdefault("throughput", {})[key] = median_of(runs)

    def profile(self) -> None:
        if OURS not in self.servers:
            return
        out_dir = RESULTS_DIR / f"apigateway-{self.stamp}-pyspy"
        for key in self.a.profile:
            if key != GETITEM and self.ready(OURS, key) is None:
                continue
            if key == GETITEM and "error" in self.res[OURS].get("getitem_setup", {"error": ""}):
                continue
            self.quiet()
            log(f"  profile {key}: py-spy on cloudlet (pid {self.servers[OURS].pid}), {self.a.duration:g} s run")
            r = profiled(self.servers[OURS], lambda key=key: self._wrk(OURS, key, self.a.duration), out_dir, key)
            prof = r.pop("profile")
            prof["rps"] = r.get("rps")
            prof["run"] = r
            self.res[OURS].setdefault("profiles", {})[key] = prof


def main() -> int:
    a = parse_args()
    run = Run(a)
    if a.install:
        install(run.ctx, a.peers)
    install_cleanup()
    out = {"benchmark": "apigateway", "started": time.strftime("%Y-%m-%dT%H:%M:%S"), "args": vars(a),
           "machine": machine_info(), "peers": run.res}
    interrupted = False
    t0 = time.perf_counter()
    try:
        run.start()
        log("phase check")
        run.check()
        for ph in ("latency", "throughput", "profile"):
            log(f"phase {ph}")
            getattr(run, ph)()
    except KeyboardInterrupt as e:
        interrupted = True
        log(f"\ninterrupted ({str(e) or 'Ctrl-C'}): stopping servers, reporting what was measured")
    finally:
        stop_all()
    out["elapsed_s"] = round(time.perf_counter() - t0, 1)
    out["interrupted"] = interrupted
    out["goals"] = report(a, run.res)
    path = save_json(out, a.json or Path(RESULTS_DIR) / f"apigateway-{run.stamp}.json")
    print(f"\nresults: {path}  ({out['elapsed_s']:.0f} s)")
    return 130 if interrupted else 0


if __name__ == "__main__":
    sys.exit(main())
