"""Result helpers for any benchmark: medians per workload/connections, number formatting,
ratios, the machine's description, and the JSON results file."""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import time
from pathlib import Path

from . import BENCH_DIR, REPO

RESULTS_DIR = BENCH_DIR / "results-local"  # gitignored


def summarize(runs: list[dict]) -> dict:
    """Per "workload/conns": medians (rps, p50/p99 ms, us/req, other%) over the wrk runs,
    error totals and whether every run's counter check held."""
    groups: dict[tuple[str, int], list[dict]] = {}
    for r in runs:
        if "rps" in r:
            groups.setdefault((r["workload"], r["conns"]), []).append(r)
    out = {}
    for (w, c), rs in groups.items():
        def med(key: str, rs: list[dict] = rs) -> float | None:
            vals = [x[key] for x in rs if x.get(key) is not None]
            return statistics.median(vals) if vals else None

        out[f"{w}/{c}"] = {
            "workload": w, "conns": c, "n_runs": len(rs), "rps": med("rps"),
            "rps_min": min(x["rps"] for x in rs), "rps_max": max(x["rps"] for x in rs),
            "p50_ms": med("p50_us") / 1000, "p99_ms": med("p99_us") / 1000,
            "non2xx": sum(x["err_status"] for x in rs),
            "socket_errors": sum(x["socket_errors"] for x in rs),
            "counter_ok": all(x.get("counter_ok", True) for x in rs),
            "cpu_us_per_req": med("cpu_us_per_req"), "other_cpu_pct": med("other_cpu_pct"),
        }
    return out


def fmt(x: float | None, spec: str = ",.0f", none: str = "-") -> str:
    return none if x is None else format(x, spec)


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def machine_info() -> dict:
    info: dict = {"cpus": os.cpu_count(), "loadavg": os.getloadavg()}

    def ver(cmd: list[str]) -> str | None:
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
            return ((p.stdout or "") + (p.stderr or "")).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.SubprocessError):
            return None

    info["wrk"] = ver(["wrk", "-v"])
    info["node"] = ver(["node", "--version"])
    info["java"] = ver(["java", "-version"])
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        info["repo_commit"] = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"],
                                             capture_output=True, text=True).stdout.strip()
    return info


def save_json(out: dict, path: str | Path | None = None) -> Path:
    """Write `out` to path (default bench/results-local/<time>.json); return the path."""
    p = Path(path) if path else RESULTS_DIR / f"{time.strftime('%Y%m%d-%H%M%S')}.json"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(json.dumps(out, indent=1, default=str))
    return p
