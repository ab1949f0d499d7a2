"""Benchmark harness shared by the bench/*_bench.py entry points.

Generic (any HTTP server under test):
  procs    /proc figures (RSS, CPU of a process tree, machine busy %), quiet-machine wait, disk
           usage, free ports; spawning servers in their own process group and stopping them
  wrk      one wrk run with a Lua script, its BENCHJSON / BENCHVERIFY lines, CPU accounting
  report   medians per workload/connections, number formatting, ratios, machine info, JSON save
  ceiling  the uvicorn hello-world ASGI app used as the throughput ceiling
DynamoDB:
  peers        peer definitions, their start commands and --install
  ddb          workloads/tables, a raw JSON-protocol client, table creation, bulk loading
  ddb_checks   boto3 correctness round-trips run before any number is taken
  ddb_phases   the start-up, memory/disk and throughput phases
  ddb_report   the throughput / memory tables and the goals

This module holds the few names every module needs.
"""

from __future__ import annotations

import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent.parent
REPO = BENCH_DIR.parent
HOST = "127.0.0.1"  # only loopback addresses are used


def log(*a: object) -> None:
    """Progress output: stderr, so that stdout holds only the report."""
    print(*a, file=sys.stderr, flush=True)


class Unavailable(Exception):
    """The peer is not installed / cannot be started here."""
