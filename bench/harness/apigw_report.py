"""The API Gateway benchmark's report: setup / answer checks, latency and throughput tables (cloudlet
vs MiniStack, with ratios, and cloudlet's own GetItem as the reference of the DynamoDB path), the
goals, and the py-spy top frames when a run was profiled."""

from __future__ import annotations

import argparse
import statistics

from .apigw_peers import PATHS
from .report import fmt, ratio
from .wrk import NOISY_PCT

OURS, PEER = "cloudlet", "ministack"
GOAL_P50_X = 10.0  # proxy path p50 at least 10x lower than MiniStack's
GOAL_DDB_SHARE = 0.5  # DynamoDB path req/s at least half of cloudlet's own GetItem req/s, same conns
GETITEM = "getitem"  # the reference row's key in res[OURS]["throughput"]


def short(text: str, n: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 3] + "..."


def status(res: dict, n: str, path: str) -> tuple[str, str]:
    """(state, detail) of a server's path: ok / unsupported / check-failed / setup-failed / skipped."""
    r = res.get(n)
    if r is None:
        return "n/a", f"{n} not in --peers"
    if "skipped" in r:
        return "skipped", r["skipped"]
    p = r.get("paths", {}).get(path)
    if p is None:
        return "n/a", "path not selected or not reached"
    if "setup_error" in p:
        return "setup-failed", p["setup_error"]
    c = p.get("check")
    if c is None:
        return "n/a", "not checked (interrupted)"
    if not c["ok"]:
        return ("unsupported" if n != OURS else "check-failed"), f"GET {p['path']} -> {c.get('answer', '')}"
    return "ok", f"first answer {c.get('first_ms')} ms"


def tp(res: dict, n: str, key: str) -> dict:
    return res.get(n, {}).get("throughput", {}).get(key) or {}


def lat(res: dict, n: str, path: str) -> dict:
    return res.get(n, {}).get("paths", {}).get(path, {}).get("latency") or {}


def report(a: argparse.Namespace, res: dict) -> list[dict]:
    """Print the tables and the goals (stdout); return the goals."""
    names = [n for n in (OURS, PEER) if n in res] + [n for n in res if n not in (OURS, PEER)]
    print("\n## Setup and first answer (GET of the invoke URL: 200 with the expected body)")
    for path in a.paths:
        print(f"  {path}: {PATHS[path].what}")
    print(f"{'server':<10} {'path':<9} {'state':<13} detail")
    for n in names:
        if "skipped" in res[n]:
            print(f"{n:<10} {'-':<9} {'skipped':<13} {short(res[n]['skipped'], 300)}")
            continue
        for path in a.paths:
            st, detail = status(res, n, path)
            print(f"{n:<10} {path:<9} {st:<13} {short(detail, 300)}")

    print(f"\n## Latency, ms: {a.requests:,} sequential GETs on one keep-alive connection after {a.warmups} "
          f"warm-ups (Python stdlib client)")
    print(f"{'path':<9} {'cloudlet p50':>12} {'p99':>7} {'mean':>7} {PEER + ' p50':>14} {'p99':>7} {'mean':>7} "
          f"{PEER + '/cloudlet p50':>22}")
    for path in a.paths:
        c, p = lat(res, OURS, path), lat(res, PEER, path)
        r = ratio(p.get("p50_ms"), c.get("p50_ms"))
        errs = c.get("errors", 0) + p.get("errors", 0)
        pst = status(res, PEER, path)[0]
        peer_cells = (f"{fmt(p.get('p50_ms'), '.2f'):>14} {fmt(p.get('p99_ms'), '.2f'):>7} "
                      f"{fmt(p.get('mean_ms'), '.2f'):>7}" if p else f"{pst:>30}")
        print(f"{path:<9} {fmt(c.get('p50_ms'), '.3f'):>12} {fmt(c.get('p99_ms'), '.2f'):>7} "
              f"{fmt(c.get('mean_ms'), '.2f'):>7} {peer_cells} {fmt(r, '.1f') + 'x' if r else '-':>22}"
              f"{f'  ERRORS {errs}' if errs else ''}")

    runs = f"median of {a.runs} runs" if a.runs > 1 else "1 run"
    print(f"\n## Throughput at {a.conns} connections: wrk -t1, {a.duration:g} s, {runs}")
    print(f"{'server':<10} {'row':<20} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'non2xx':>6} {'sockerr':>7} "
          f"{'srv us/req':>10} {'other%':>6}")
    rows = [(n, path) for path in a.paths for n in names] + [(OURS, GETITEM)]
    for n, key in rows:
        if n not in res:
            continue
        t = tp(res, n, key)
        label = "GetItem (direct)" if key == GETITEM else f"{key} path"
        if not t:
            st = "not measured" if key == GETITEM else status(res, n, key)[0]
            print(f"{n:<10} {label:<20} {'not measured' if st == 'ok' else st:>8}")
            continue
        noisy = "  noisy" if (t.get("other_cpu_pct") or 0) > NOISY_PCT else ""
        print(f"{n:<10} {label:<20} {fmt(t.get('rps')):>8} {fmt(t.get('p50_ms'), '.2f'):>7} "
              f"{fmt(t.get('p99_ms'), '.2f'):>7} {t.get('non2xx', 0):>6} {t.get('socket_errors', 0):>7} "
              f"{fmt(t.get('cpu_us_per_req')):>10} {fmt(t.get('other_cpu_pct')):>6}{noisy}")
    print("(srv us/req = CPU of the server's process tree per request, incl. its function processes; other% = "
          "the rest of the machine, in % of one core)")
    for path in a.paths:
        r = ratio(tp(res, OURS, path).get("rps"), tp(res, PEER, path).get("rps"))
        if r:
            print(f"{path} path req/s cloudlet/{PEER}: {r:.1f}x")
    share = ratio(tp(res, OURS, "dynamodb").get("rps"), tp(res, OURS, GETITEM).get("rps"))
    if share:
        c_us = tp(res, OURS, "dynamodb").get("cpu_us_per_req")
        g_us = tp(res, OURS, GETITEM).get("cpu_us_per_req")
        print(f"cloudlet dynamodb path / its own GetItem req/s: {share:.2f}  "
              f"(server CPU {fmt(c_us)} vs {fmt(g_us)} us/req: the gateway adds {fmt((c_us or 0) - (g_us or 0))} "
              f"us/req)")
    goals_out = goals(a, res)
    profiles(res)
    return goals_out


def goals(a: argparse.Namespace, res: dict) -> list[dict]:
    out: list[dict] = []

    def goal(text: str, ok: bool | None, value: str, why: str = "") -> None:
        out.append({"goal": text, "pass": ok, "value": value, "why": why})

    def noisy(*ts: dict) -> str:
        return " [noisy run: re-check]" if any((t.get("other_cpu_pct") or 0) > NOISY_PCT for t in ts) else ""

    def why(n: str, path: str) -> str:
        st, detail = status(res, n, path)
        if st == "ok":
            return f"{n} {path}: not measured (phase not reached: interrupted)"
        return short(f"{n} {path}: {st}: {detail}", 240)

    if "proxy" in a.paths:
        c, p = lat(res, OURS, "proxy").get("p50_ms"), lat(res, PEER, "proxy").get("p50_ms")
        r = ratio(p, c)
        goal(f"proxy path p50 >= {GOAL_P50_X:g}x lower than {PEER}'s", None if r is None else r >= GOAL_P50_X,
             f"{fmt(c, '.3f')} vs {fmt(p, '.2f')} ms = {fmt(r, '.1f')}x",
             "" if r else why(OURS if c is None else PEER, "proxy"))
    if "dynamodb" in a.paths:
        d, g = tp(res, OURS, "dynamodb"), tp(res, OURS, GETITEM)
        r = ratio(d.get("rps"), g.get("rps"))
        goal(f"dynamodb path req/s >= {GOAL_DDB_SHARE:g} x cloudlet's own GetItem req/s at {a.conns} connections",
             None if r is None else r >= GOAL_DDB_SHARE,
             f"{fmt(d.get('rps'))} vs {fmt(g.get('rps'))} req/s = {fmt(r, '.2f')}" + noisy(d, g),
             "" if r else (why(OURS, "dynamodb") if not d.get("rps") else "GetItem reference not measured"))
        st, detail = status(res, PEER, "dynamodb")
        if st != "ok" and PEER in res:
            print(f"\n{PEER} dynamodb path: {st} ({short(detail, 300)}): no ratio")

    print("\n## Goals (ratios measured in this run)")
    for g in out:
        mark = "n/a " if g["pass"] is None else ("PASS" if g["pass"] else "FAIL")
        print(f"  {mark}  {g['goal']}: {g['value']}" + (f"  [{g['why']}]" if g["why"] else ""))
    return out


def profiles(res: dict) -> None:
    for n, r in res.items():
        for key, prof in (r.get("profiles") or {}).items():
            label = "GetItem (direct)" if key == GETITEM else f"{key} path"
            run = prof.get("run") or {}
            print(f"\n## py-spy: {n}'s main process during an extra {label} run (wrk -t1 -c{run.get('conns', '?')}, "
                  f"{run.get('duration_s', '?')} s); own = the sampled leaf frame, total = anywhere in the stack")
            if "error" in prof:
                print(f"  {prof['error']}")
                continue
            print(f"{prof['samples']} samples at {prof['rate']}/s, idle frames excluded; raw stacks: "
                  f"{prof['file']}; the run under py-spy: {fmt(prof.get('rps'))} req/s")
            print(f"{'own %':>6} {'total %':>7}  function (file)")
            for x in prof["own"]:
                print(f"{x['pct']:>6.1f} {fmt(x.get('total_pct'), '.1f'):>7}  {x['frame']}")
            print("(own time of Runner.run / run (uvloop): the event loop's C code, socket I/O included; of "
                  "HttpProtocol._flush: mostly the transport's write syscall)")


def median_of(runs: list[dict]) -> dict:
    """Medians of the wrk runs of one row (rps, p50/p99 ms, us/req, other%), error totals."""
    ok = [r for r in runs if "rps" in r]
    if not ok:
        return {"error": runs[-1].get("error", "no run") if runs else "no run"}

    def med(k: str) -> float | None:
        v = [r[k] for r in ok if r.get(k) is not None]
        return statistics.median(v) if v else None
    return {"n_runs": len(ok), "rps": med("rps"), "p50_ms": (med("p50_us") or 0) / 1000,
            "p99_ms": (med("p99_us") or 0) / 1000, "non2xx": sum(r["err_status"] for r in ok),
            "socket_errors": sum(r["socket_errors"] for r in ok), "cpu_us_per_req": med("cpu_us_per_req"),
            "server_cpu_pct": med("server_cpu_pct"), "other_cpu_pct": med("other_cpu_pct"),
            "rps_all": [r["rps"] for r in ok]}
