#!/usr/bin/env python3
"""Benchmark cloudlet's DynamoDB API against the peers that install here, in one run.

    python bench/dynamodb_bench.py [--quick] [--install]
        [--peers cloudlet,dynalite-mem,dynalite-disk,ddblocal-mem,ddblocal-disk,moto,uvicorn-hello]
        [--workloads put,get,query,update] [--conns 1,8,64] [--duration 10] [--runs 1]

Phases (each peer is a fresh server process on a free loopback port, in its own process group):
  startup  spawn -> first ListTables answered 200 (fresh data dir; median of --startup-runs)
  memory   RSS (VmRSS of the process tree) after loading --mem-items ~200-byte items with
           BatchWriteItem, and on-disk size of the data dir after a graceful stop
  bench    all peers started at once and preloaded (10,000 items for GetItem, 100 x 100 for
           Query, 16 hot counters), checked with boto3 and a wrk body-check pass, then the wrk
           workloads (bench/lua/*.lua) run interleaved: for each workload and connection count
           every peer runs once before the next step, so machine noise hits all of them alike.

Prints req/s, p50/p99 and the ratio cloudlet/peer, then the goals (at 8 connections) with
PASS/FAIL, and saves everything as JSON in bench/results-local/. Needs wrk; Python deps: the
stdlib and boto3 (only for the correctness checks). Peer installs live in PEERS_DIR
(default /tmp/cloudlet-peers); servers that cannot be installed or started are reported as
skipped. Every server started is stopped (SIGTERM, then SIGKILL of its process group) on exit,
error or Ctrl-C. Only loopback addresses are used.
"""

# The command line only; the work is done by bench/harness/ (see harness/__init__.py).

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import sys
import time

from harness import Unavailable, log
from harness.ddb import QUERY_PARTS, QUERY_PARTS_NOW, QUERY_PER_PART, WORKLOADS
from harness.ddb_phases import phase_bench, phase_memory, phase_startup
from harness.ddb_report import report
from harness.peers import CLOUDLET_CMD, DEFAULT_PEERS, DEFAULT_PEERS_DIR, PEERS, Ctx, install
from harness.procs import install_cleanup, stop_all
from harness.report import machine_info, save_json
from harness.wrk import NOISY_PCT


def parse_args() -> argparse.Namespace:
    csv = lambda s: [x for x in s.split(",") if x]  # noqa: E731
    ints = lambda s: [int(x) for x in csv(s)]  # noqa: E731
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--peers", type=csv, default=DEFAULT_PEERS,
                    help=f"comma list (default: {','.join(DEFAULT_PEERS)}; also: cloudlet-mem)")
    ap.add_argument("--workloads", type=csv, default=list(WORKLOADS))
    ap.add_argument("--conns", type=ints, default=None, help="default 1,8,64 (quick: 8)")
    ap.add_argument("--duration", type=int, default=None, help="s per run (10; quick: 3)")
    ap.add_argument("--runs", type=int, default=1, help="repetitions; tables show medians")
    ap.add_argument("--quick", action="store_true",
                    help="3 s runs, c=8 only, 20k items for RSS, 1 start-up: ~2-3 min")
    ap.add_argument("--install", action="store_true",
                    help="install missing peers into PEERS_DIR (npm, pip venvs, apt wrk)")
    ap.add_argument("--phases", type=csv, default=["startup", "memory", "bench"],
                    help="subset of startup,memory,bench (default all)")
    ap.add_argument("--mem-items", type=int, default=None, help="default 100000 (quick: 20000)")
    ap.add_argument("--startup-runs", type=int, default=None, help="default 3 (quick: 1)")
    ap.add_argument("--query-parts", type=int, default=None,
                    help=f"Query table partitions of {QUERY_PER_PART} items (100; quick: 20)")
    ap.add_argument("--threads", type=int, default=1, help="wrk threads when conns > 1")
    ap.add_argument("--quiet-wait", type=float, default=None,
                    help="before each run wait up to N s for an idle machine (5; quick 1; 0 off)")
    ap.add_argument("--noisy-retries", type=int, default=1,
                    help=f"re-run a run whose other%% > {NOISY_PCT} up to N times, keeping the "
                         "least noisy (default 1)")
    ap.add_argument("--quiet-pct", type=float, default=25.0,
                    help="idle = all CPU use below this %% of one core (default 25)")
    ap.add_argument("--peers-dir", default=os.environ.get("PEERS_DIR", DEFAULT_PEERS_DIR),
                    help=f"peer installs, data dirs, logs (env PEERS_DIR, default "
                         f"{DEFAULT_PEERS_DIR})")
    ap.add_argument("--cloudlet-cmd", default=CLOUDLET_CMD,
                    help="start command template ({port}, {data}, {repo}); default: %(default)s")
    ap.add_argument("--extra", action="append", metavar="NAME=CMD",
                    help="extra server, e.g. 'cloudlet-mem=... --port {port} --data-dir {data}' "
                         "(name cloudlet* = ours, else a peer); add NAME to --peers too")
    ap.add_argument("--json", help="results file (default bench/results-local/<time>.json)")
    a = ap.parse_args()
    q = a.quick
    a.conns = a.conns or ([8] if q else [1, 8, 64])
    a.duration = a.duration or (3 if q else 10)
    a.mem_items = a.mem_items if a.mem_items is not None else (20_000 if q else 100_000)
    a.startup_runs = a.startup_runs or (1 if q else 3)
    a.query_parts = a.query_parts or (20 if q else QUERY_PARTS)
    QUERY_PARTS_NOW[0] = max(8, a.query_parts)  # the checks read partition q007
    a.quiet_wait = a.quiet_wait if a.quiet_wait is not None else (1 if q else 5)
    extra = {s.partition("=")[0] for s in a.extra or []}
    bad = [p for p in a.peers if p not in PEERS and p not in extra]
    bad += [w for w in a.workloads if w not in WORKLOADS]
    bad += [p for p in a.phases if p not in ("startup", "memory", "bench")]
    if bad:
        ap.error(f"unknown: {', '.join(bad)}")
    return a


def main() -> int:
    a = parse_args()
    ctx = Ctx(a)
    if a.install:
        install(ctx, a.peers)
    if not shutil.which("wrk") and "bench" in a.phases:
        sys.exit("wrk not found: apt-get install -y wrk (or run with --install)")
    install_cleanup()
    names = a.peers
    results: dict = {n: {"what": ctx.role(n).what, "role": ctx.role(n).role} for n in names}
    for n in names:  # skip what is not installed, before spending time on the rest
        try:
            results[n]["cmd"] = shlex.join(ctx.command(n, 0, ctx.data_dir(n)))
        except Unavailable as e:
            results[n]["skipped"] = str(e)
            log(f"{n}: SKIPPED ({e})")
    out = {"started": time.strftime("%Y-%m-%dT%H:%M:%S"), "args": vars(a),
           "machine": machine_info(), "peers": results}
    interrupted = False
    t0 = time.perf_counter()
    try:
        if "startup" in a.phases:
            phase_startup(ctx, names, results)
        if "memory" in a.phases:
            phase_memory(ctx, names, results)
        if "bench" in a.phases:
            phase_bench(ctx, names, results)
    except KeyboardInterrupt as e:
        interrupted = True
        log(f"\ninterrupted ({str(e) or 'Ctrl-C'}): stopping servers, reporting what was measured")
    finally:
        stop_all()
    out["elapsed_s"] = round(time.perf_counter() - t0, 1)
    out["interrupted"] = interrupted
    out["goals"] = report(ctx, names, results)
    path = save_json(out, a.json)
    print(f"\nresults: {path}  ({out['elapsed_s']:.0f} s)")
    return 130 if interrupted else 0


if __name__ == "__main__":
    sys.exit(main())
