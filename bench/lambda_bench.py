#!/usr/bin/env python3
"""Benchmark cloudlet's Lambda Invoke against MiniStack (functions as local processes, no Docker),
with the bare loopback round trip to a uvicorn hello app as the floor, in one run.

    python bench/lambda_bench.py [--quick] [--install] [--peers cloudlet,ministack,uvicorn-hello]
        [--cases py-silent,py-print,node-silent] [--invokes 500] [--duration 10] [--rss-invokes 10000]

Each server is a fresh process on a free loopback port, in its own process group. Setup (IAM role,
CreateFunction) uses boto3; every timed request is raw HTTP (http.client, one keep-alive connection
per caller thread, dummy SigV4 header). Functions return {"ok": true}: py-silent does nothing else,
py-print prints one line, node-silent is the Node version of py-silent.

  cold        CreateFunction returned -> first Invoke answered (a new function each run; median)
  warm        p50/p99 of --invokes sequential invokes after --warmups (one connection); the hello
              app gets the same requests: the bare loopback HTTP round trip with this client
  throughput  py-silent at --conns concurrent callers for --duration s (after a 1 s warm-up that
              starts the environments); CPU split: server / function processes / client / other
  rss         RSS of the server's own processes and of the function processes before and after
              --rss-invokes warm invokes (at --conns callers)

Prints the tables, ratios and the goals (PASS/FAIL) and saves the JSON in bench/results-local/.
A server or a case that cannot run (not installed, runtime refused) is reported as skipped with the
reason. Every server started is stopped on exit, error or Ctrl-C. Only loopback addresses are used.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import time

from harness import log
from harness.lambda_peers import CASES, DEFAULT_LAMBDA_PEERS, LAMBDA_PEERS, LambdaCtx, clients, ensure_role, install
from harness.lambda_peers import start_server as start_lambda_server
from harness.lambda_phases import cold_start, rss_run, throughput, warm_latency
from harness.lambda_report import report
from harness.peers import CLOUDLET_CMD, DEFAULT_PEERS_DIR
from harness.procs import install_cleanup, stop_all
from harness.report import fmt, machine_info, save_json
from harness.run import BenchRun

PHASES = ("cold", "warm", "throughput", "rss")
TP_CASE = "py-silent"


def parse_args() -> argparse.Namespace:
    csv = lambda s: [x for x in s.split(",") if x]  # noqa: E731
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--peers", type=csv, default=DEFAULT_LAMBDA_PEERS,
                    help=f"comma list (default: {','.join(DEFAULT_LAMBDA_PEERS)})")
    ap.add_argument("--cases", type=csv, default=list(CASES), help=f"functions (default: {','.join(CASES)})")
    ap.add_argument("--phases", type=csv, default=list(PHASES),
                    help="subset of cold,warm,throughput,rss (the functions are always created: cold)")
    ap.add_argument("--quick", action="store_true",
                    help="3 s throughput, 2,000 RSS invokes, 3 cold runs: ~2-3 min")
    ap.add_argument("--invokes", type=int, default=500, help="warm invokes per case (500)")
    ap.add_argument("--warmups", type=int, default=20, help="warm invokes before the timed ones (20)")
    ap.add_argument("--cold-runs", type=int, default=None, help="new functions per case for cold start (5; quick 3)")
    ap.add_argument("--conns", type=int, default=8, help="concurrent callers for throughput and rss (8)")
    ap.add_argument("--duration", type=float, default=None, help="s of the throughput run (10; quick 3)")
    ap.add_argument("--rss-invokes", type=int, default=None, help="invokes of the RSS run (10000; quick 2000)")
    ap.add_argument("--quiet-wait", type=float, default=None,
                    help="before each measurement wait up to N s for an idle machine (3; quick 1; 0 off)")
    ap.add_argument("--quiet-pct", type=float, default=25.0,
                    help="idle = all CPU use below this %% of one core (default 25)")
    ap.add_argument("--install", action="store_true", help="install MiniStack / the hello app into PEERS_DIR")
    ap.add_argument("--peers-dir", default=os.environ.get("PEERS_DIR", DEFAULT_PEERS_DIR),
                    help=f"installs, data dirs, logs (env PEERS_DIR, default {DEFAULT_PEERS_DIR})")
    ap.add_argument("--cloudlet-cmd", default=CLOUDLET_CMD,
                    help="start command template ({port}, {data}, {repo}); default: %(default)s")
    ap.add_argument("--json", help="results file (default bench/results-local/lambda-<time>.json)")
    a = ap.parse_args()
    q = a.quick
    a.extra = None  # what harness.peers.Ctx reads; the DynamoDB bench's --extra is not offered here
    a.cold_runs = a.cold_runs or (3 if q else 5)
    a.duration = a.duration or (3.0 if q else 10.0)
    a.rss_invokes = a.rss_invokes or (2_000 if q else 10_000)
    a.quiet_wait = a.quiet_wait if a.quiet_wait is not None else (1.0 if q else 3.0)
    bad = [p for p in a.peers if p not in LAMBDA_PEERS] + [c for c in a.cases if c not in CASES]
    bad += [p for p in a.phases if p not in PHASES]
    if bad:
        ap.error(f"unknown: {', '.join(bad)}")
    return a


class Run(BenchRun):
    """One Lambda benchmark run (harness.run.BenchRun) and the functions it created."""

    def __init__(self, a: argparse.Namespace):
        super().__init__(a, LambdaCtx(a))
        self.fns: dict = {}  # (server, case) -> function name for the warm phases

    def lambda_names(self) -> list[str]:
        return [n for n in self.servers if self.ctx.role(n).role != "ceiling"]

    def start(self) -> None:
        for n in self.a.peers:
            srv = self.start_one(n, start_lambda_server)
            if srv is None:
                continue
            if self.ctx.role(n).role == "ceiling":
                continue
            try:
                iam, lam = clients(srv.port)
                self.res[n]["_lam"], self.res[n]["_role"] = lam, ensure_role(iam)
            except Exception as e:  # botocore errors: the server cannot be set up
                self.res[n]["skipped"] = f"IAM CreateRole failed: {str(e)[:300]}"
                log(f"{n}: SKIPPED ({self.res[n]['skipped']})")
                del self.servers[n]

    def cold(self) -> None:
        node = shutil.which("node")
        for case in self.a.cases:
            for run in range(self.a.cold_runs):
                for n in self.rotated(self.lambda_names()):
                    cases = self.res[n].setdefault("cases", {})
                    c = cases.setdefault(case, {"cold": []})
                    if "skipped" in c:
                        continue
                    if case.startswith("node") and not node:
                        c["skipped"] = "no `node` on the PATH"
                        continue
                    self.quiet()
                    name = f"bench-{case}-{run}"
                    r = cold_start(self.servers[n], self.res[n]["_lam"], self.res[n]["_role"], case, name)
                    log(f"  cold {case:12} {n:10} {r.get('cold_ms', '-')} ms {r.get('error', '')}")
                    if "error" in r:
                        c["skipped"] = f"{n} answered an error for {CASES[case][0]}: {r['error']}"
                        log(f"  {n} {case}: SKIPPED ({c['skipped']})")
                        continue
                    c["cold"].append(r)
                    if self.fns.setdefault((n, case), name) != name:  # only the first one is used later
                        with contextlib.suppress(Exception):
                            self.res[n]["_lam"].delete_function(FunctionName=name)

    def warm(self) -> None:
        for case in self.a.cases:
            for n in self.rotated(self.lambda_names()):
                if (n, case) in self.fns:
                    self.quiet()
                    r = warm_latency(self.servers[n], self.fns[n, case], self.a.invokes, self.a.warmups)
                    self.res[n]["cases"][case]["warm"] = r
                    log(f"  warm {case:12} {n:10} p50 {fmt(r['p50_ms'], '.3f')} ms  p99 {fmt(r['p99_ms'], '.3f')} ms"
                        f"  err {r['errors']} {r['first_error']}")
        if "uvicorn-hello" in self.servers:
            self.quiet()
            r = warm_latency(self.servers["uvicorn-hello"], "", self.a.invokes, self.a.warmups,
                             path="/2015-03-31/functions/hello/invocations")
            self.res["uvicorn-hello"]["warm"] = r
            log(f"  warm {'round trip':12} uvicorn-hello p50 {fmt(r['p50_ms'], '.3f')} ms  "
                f"p99 {fmt(r['p99_ms'], '.3f')} ms")

    def throughput(self) -> None:
        for n in self.rotated(list(self.servers)):
            hello = self.ctx.role(n).role == "ceiling"
            fn = None if hello else self.fns.get((n, TP_CASE))
            if not hello and fn is None:
                continue
            path = "/2015-03-31/functions/hello/invocations" if hello else None
            throughput(self.servers[n], fn, self.a.conns, duration=1.0, path=path)  # starts the environments
            self.quiet()
            r = throughput(self.servers[n], fn, self.a.conns, duration=self.a.duration, path=path)
            self.res[n]["throughput"] = r
            cpu = r["cpu"]
            log(f"  throughput c={self.a.conns} {n:13} {r['rps']} /s  p50 {fmt(r['p50_ms'], '.2f')} ms  "
                f"err {r['errors']}  "
                f"cpu% server {cpu['server']['pct']} functions {cpu['functions']['pct']} client "
                f"{cpu['client']['pct']} other {cpu['other']['pct']}")

    def rss(self) -> None:
        for n in self.lambda_names():
            if (n, TP_CASE) in self.fns:
                log(f"  rss {n}: {self.a.rss_invokes} invokes at c={self.a.conns} ...")
                r = rss_run(self.servers[n], self.fns[n, TP_CASE], self.a.conns, self.a.rss_invokes)
                self.res[n]["rss"] = r
                log(f"  rss {n}: server {r['before']['server_mib']} -> {r['after']['server_mib']} MiB, "
                    f"functions {r['before']['envs_mib']} -> {r['after']['envs_mib']} MiB "
                    f"({r['after']['n_envs']} processes)")


def main() -> int:
    a = parse_args()
    run = Run(a)
    if a.install:
        install(run.ctx, a.peers)
    install_cleanup()
    out = {"benchmark": "lambda", "started": time.strftime("%Y-%m-%dT%H:%M:%S"), "args": vars(a),
           "machine": machine_info(), "peers": run.res}
    interrupted = False
    t0 = time.perf_counter()
    try:
        run.start()
        run.cold()
        for ph in ("warm", "throughput", "rss"):
            if ph in a.phases:
                log(f"phase {ph}")
                getattr(run, ph)()
    except KeyboardInterrupt as e:
        interrupted = True
        log(f"\ninterrupted ({str(e) or 'Ctrl-C'}): stopping servers, reporting what was measured")
    finally:
        stop_all()
    for r in run.res.values():
        r.pop("_lam", None)
        r.pop("_role", None)
    out["elapsed_s"] = round(time.perf_counter() - t0, 1)
    out["interrupted"] = interrupted
    out["goals"] = report(a, run.res)
    path = save_json(out, a.json or os.path.join(os.path.dirname(os.path.abspath(__file__)), "results-local",
                                                 f"lambda-{time.strftime('%Y%m%d-%H%M%S')}.json"))
    print(f"\nresults: {path}  ({out['elapsed_s']:.0f} s)")
    return 130 if interrupted else 0


if __name__ == "__main__":
    sys.exit(main())
