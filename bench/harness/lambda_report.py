"""The Lambda benchmark's report: cold start, warm latency, throughput / CPU split and RSS tables
(cloudlet vs the peer, with ratios), and the goals."""

from __future__ import annotations

import argparse
import statistics

from .lambda_peers import CASES
from .report import fmt, ratio

OURS, PEER, HELLO = "cloudlet", "ministack", "uvicorn-hello"
GOAL_WARM_X = 10.0  # cloudlet's warm p50 at least 10x lower than the peer's, same function
GOAL_HELLO_X = 20.0  # ... and within 20x of the bare loopback round trip
GOAL_COLD_X = 3.0  # cold start at least 3x faster than the peer's first invoke
GOAL_RSS_MIB = 2.0  # server RSS growth over the RSS run (function processes reported apart)
TP_CASE = "py-silent"


def _case(res: dict, n: str, case: str) -> dict:
    return res.get(n, {}).get("cases", {}).get(case, {})


def cold_ms(res: dict, n: str, case: str) -> float | None:
    runs = [r["cold_ms"] for r in _case(res, n, case).get("cold", [])]
    return statistics.median(runs) if runs else None


def warm(res: dict, n: str, case: str) -> dict:
    return _case(res, n, case).get("warm") or {}


def short(text: str, n: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 3] + "..."


def why_not(res: dict, n: str, case: str | None = None) -> str:
    if n not in res:
        return f"{n} not in --peers"
    if "skipped" in res[n]:
        return short(f"{n} skipped: {res[n]['skipped']}")
    if case and "skipped" in _case(res, n, case):
        return short(_case(res, n, case)["skipped"])
    return f"{n}: not measured (phase not run, or interrupted)"


def report(a: argparse.Namespace, res: dict) -> list[dict]:
    """Print the tables and the goals (stdout); return the goals."""
    peer = PEER if PEER in res else next((n for n in res if res[n]["role"] == "peer"), PEER)
    for n in res:
        if "skipped" in res[n]:
            print(f"{n}: SKIPPED — {short(res[n]['skipped'], 300)}")
        for case, c in res[n].get("cases", {}).items():
            if "skipped" in c:
                print(f"{n} {case}: SKIPPED — {short(c['skipped'], 300)}")

    print(f"\n## Cold start: CreateFunction returned -> first Invoke answered, ms (median of {a.cold_runs})")
    print(f"{'function':<12} {'runtime':<11} {OURS:>9} {peer:>10} {peer + '/cloudlet':>20}")
    for case in a.cases:
        c, p = cold_ms(res, OURS, case), cold_ms(res, peer, case)
        r = ratio(p, c)
        print(f"{case:<12} {CASES[case][0]:<11} {fmt(c, '.1f'):>9} {fmt(p, '.1f'):>10} "
              f"{fmt(r, '.1f') + 'x' if r else '-':>20}")

    hello = res.get(HELLO, {}).get("warm") or {}
    print(f"\n## Warm Invoke latency, ms: {a.invokes} sequential invokes after {a.warmups} warm-ups, one "
          f"keep-alive connection")
    print(f"{'function':<12} {'cloudlet p50':>12} {'p99':>7} {peer + ' p50':>14} {'p99':>7} "
          f"{peer + '/cloudlet p50':>24} {'cloudlet/hello p50':>19}")
    for case in a.cases:
        c, p = warm(res, OURS, case), warm(res, peer, case)
        r, h = ratio(p.get("p50_ms"), c.get("p50_ms")), ratio(c.get("p50_ms"), hello.get("p50_ms"))
        errs = c.get("errors", 0) + p.get("errors", 0)
        print(f"{case:<12} {fmt(c.get('p50_ms'), '.3f'):>12} {fmt(c.get('p99_ms'), '.2f'):>7} "
              f"{fmt(p.get('p50_ms'), '.2f'):>14} {fmt(p.get('p99_ms'), '.2f'):>7} "
              f"{fmt(r, '.0f') + 'x' if r else '-':>24} {fmt(h, '.1f') + 'x' if h else '-':>19}"
              f"{f'  ERRORS {errs}' if errs else ''}")
    print(f"{'hello (bare round trip)':<24} p50 {fmt(hello.get('p50_ms'), '.3f')} ms, "
          f"p99 {fmt(hello.get('p99_ms'), '.3f')} ms (uvicorn-hello, same client and request)")

    print(f"\n## Throughput: {TP_CASE} at {a.conns} concurrent callers, {a.duration:g} s; CPU in % of one "
          f"core (us per invoke)")
    print(f"{'server':<14} {'inv/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'err':>4} {'envs':>4}  "
          f"{'server':>12} {'functions':>12} {'client':>12} {'other':>6} {'idle':>5}")
    for n in (OURS, peer, HELLO):
        t = res.get(n, {}).get("throughput")
        if not t:
            continue
        cpu = t["cpu"]

        def cell(k: str, cpu: dict = cpu) -> str:
            return f"{cpu[k]['pct']:.0f} ({fmt(cpu[k]['us_per_invoke'], '.0f')})"
        print(f"{n:<14} {t['rps']:>7,.0f} {fmt(t['p50_ms'], '.2f'):>7} {fmt(t['p99_ms'], '.2f'):>7} "
              f"{t['errors']:>4} {t['n_envs']:>4}  {cell('server'):>12} {cell('functions'):>12} "
              f"{cell('client'):>12} {cpu['other']['pct']:>6.0f} {cpu['idle']['pct']:>5.0f}")
    tc, tp = res.get(OURS, {}).get("throughput"), res.get(peer, {}).get("throughput")
    if tc and tp:
        print(f"cloudlet/{peer} invokes/s: {fmt(ratio(tc['rps'], tp['rps']), '.1f')}x")
    print("(server = the server's own processes; functions = the function processes it started; client = "
          "this script's caller threads; other = the rest of the machine and the kernel; idle = cores unused)")

    print(f"\n## RSS over {a.rss_invokes:,} warm {TP_CASE} invokes at {a.conns} callers, MiB")
    print(f"{'server':<12} {'server before':>13} {'after':>7} {'growth':>7}   {'functions before':>16} "
          f"{'after':>7} {'processes':>9}  {'data dir growth':>15}")
    for n in (OURS, peer):
        r = res.get(n, {}).get("rss")
        if r:
            errs = f"  ERRORS {r['errors']}" if r["errors"] else ""
            dd = (r.get("data_dir_mib_after") or 0) - (r.get("data_dir_mib_before") or 0)
            print(f"{n:<12} {r['before']['server_mib']:>13.1f} {r['after']['server_mib']:>7.1f} "
                  f"{r['server_growth_mib']:>+7.1f}   {r['before']['envs_mib']:>16.1f} {r['after']['envs_mib']:>7.1f} "
                  f"{r['after']['n_envs']:>9}  {dd:>+15.1f}{errs}")
            trend = " ".join(f"{x['server_mib']:.1f}" for x in r["samples"])
            print(f"{'':<12} server MiB after each {r['samples'][0]['after']:,} invokes: {trend}")
    print("(data dir growth: what the server wrote to disk meanwhile, e.g. the functions' logs; a store's page "
          "cache can hold it in RSS)")
    return goals(a, res, peer)


def goals(a: argparse.Namespace, res: dict, peer: str) -> list[dict]:
    out: list[dict] = []

    def goal(text: str, ok: bool | None, value: str, why: str = "") -> None:
        out.append({"goal": text, "pass": ok, "value": value, "why": why})

    hello = (res.get(HELLO, {}).get("warm") or {}).get("p50_ms")
    for case in a.cases:
        c, p = warm(res, OURS, case).get("p50_ms"), warm(res, peer, case).get("p50_ms")
        r = ratio(p, c)
        goal(f"warm p50 {case} >= {GOAL_WARM_X:g}x lower than {peer}", None if r is None else r >= GOAL_WARM_X,
             f"{fmt(c, '.3f')} vs {fmt(p, '.2f')} ms = {fmt(r, '.0f')}x",
             "" if r else why_not(res, OURS if c is None else peer, case))
        h = ratio(c, hello)
        goal(f"warm p50 {case} within {GOAL_HELLO_X:g}x of the bare round trip",
             None if h is None else h <= GOAL_HELLO_X,
             f"{fmt(c, '.3f')} vs {fmt(hello, '.3f')} ms = {fmt(h, '.1f')}x",
             "" if h else why_not(res, OURS if c is None else HELLO, case if c is None else None))
    for case in a.cases:
        c, p = cold_ms(res, OURS, case), cold_ms(res, peer, case)
        r = ratio(p, c)
        goal(f"cold start {case} >= {GOAL_COLD_X:g}x faster than {peer}", None if r is None else r >= GOAL_COLD_X,
             f"{fmt(c, '.1f')} vs {fmt(p, '.1f')} ms = {fmt(r, '.1f')}x",
             "" if r else why_not(res, OURS if c is None else peer, case))
    t = res.get(OURS, {}).get("throughput")
    if t:
        s, f = t["cpu"]["server"], t["cpu"]["functions"]
        ok = (s["us_per_invoke"] or 0) <= (f["us_per_invoke"] or 0) and s["pct"] < 90
        goal(f"throughput at {a.conns} callers limited by the functions, not by cloudlet (server CPU per invoke "
             "<= the functions', server < 90% of a core)", ok,
             f"{t['rps']:,.0f}/s; server {s['pct']:.0f}% ({s['us_per_invoke']} us/invoke), functions "
             f"{f['pct']:.0f}% ({f['us_per_invoke']} us/invoke), client {t['cpu']['client']['pct']:.0f}%")
    else:
        goal(f"throughput at {a.conns} callers limited by the functions", None, "-", why_not(res, OURS, TP_CASE))
    r = res.get(OURS, {}).get("rss")
    goal(f"no server RSS growth (<= {GOAL_RSS_MIB:g} MiB) over {a.rss_invokes:,} warm invokes"
         + (" (--quick: fewer than the goal's 10,000)" if a.rss_invokes < 10_000 else ""),
         None if not r else r["server_growth_mib"] <= GOAL_RSS_MIB and not r["errors"],
         "-" if not r else f"server {r['before']['server_mib']} -> {r['after']['server_mib']} MiB "
         f"({r['server_growth_mib']:+.1f}); functions {r['before']['envs_mib']} -> {r['after']['envs_mib']} MiB; "
         f"data dir {(r.get('data_dir_mib_after') or 0) - (r.get('data_dir_mib_before') or 0):+.1f} MiB",
         "" if r else why_not(res, OURS, TP_CASE))

    print("\n## Goals (ratios measured in this run)")
    for g in out:
        mark = "n/a " if g["pass"] is None else ("PASS" if g["pass"] else "FAIL")
        print(f"  {mark}  {g['goal']}: {g['value']}" + (f"  [{g['why']}]" if g["why"] else ""))
    return out
