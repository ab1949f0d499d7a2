"""The DynamoDB benchmark's report: throughput table, start-up/memory/disk table, goals."""

from __future__ import annotations

from .ddb import CEILING_FOR, OP_NAME
from .peers import Ctx
from .report import fmt, ratio, summarize
from .wrk import NOISY_PCT

GOAL_CONNS = 8
GOAL_CEILING_RATIO = 0.6
GOAL_P99_MS = 10.0
GOAL_STARTUP_S = 0.3


def report(ctx: Ctx, names: list[str], results: dict) -> list[dict]:
    """Summarize the runs into results[name]["summary"], print the tables and the goals (stdout);
    return the goals."""
    a = ctx.args
    ours = next((n for n in names if ctx.role(n).role == "ours"), None)
    for name in names:
        results[name]["summary"] = summarize(results[name].get("runs", []))

    def get(name: str | None, w: str, c: int) -> dict | None:
        return results[name]["summary"].get(f"{w}/{c}") if name else None

    print(f"\n## Throughput: median of {a.runs} run(s) of {a.duration} s, wrk -t{a.threads} "
          f"(closed loop); cloudlet/peer = {ours or 'cloudlet'} req/s / peer req/s")
    hdr = (f"{'workload':<10} {'conns':>5}  {'peer':<14} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
           f"{'us/req':>7} {'err':>6} {'other%':>6}  {'cloudlet/peer':>13}")
    print(hdr)
    print("-" * len(hdr))
    for w in a.workloads:
        for c in a.conns:
            rows = [(n, get(n, w, c)) for n in names]
            errs = [(n, x["error"]) for n in names for x in results[n].get("runs", [])
                    if x["workload"] == w and x["conns"] == c and "error" in x]
            rows = [(n, s) for n, s in rows if s]
            mine = get(ours, w, c)
            for n, e in errs:
                one_line = " ".join(e.split())[-150:]
                print(f"{OP_NAME[w]:<10} {c:>5}  {n:<14} wrk ERROR: {one_line}")
            for i, (n, s) in enumerate(rows):
                err = f"{s['non2xx']}/{s['socket_errors']}"
                flag = ""
                if not s["counter_ok"]:
                    flag += " counter-MISMATCH"
                if any(c_["ok"] is False for c_ in results[n].get("checks", [])
                       if c_.get("workload") == w) or any(
                           not v["ok"] for v in results[n].get("verify", []) if v["workload"] == w):
                    flag += " CHECK-FAILED"
                rat = ratio(mine and mine["rps"], s["rps"])
                rat = "" if n == ours or rat is None else f"{rat:.2f}x"
                if (s["other_cpu_pct"] or 0) > NOISY_PCT:
                    flag += " noisy"
                print(f"{OP_NAME[w] if i == 0 else '':<10} {c if i == 0 else '':>5}  {n:<14} "
                      f"{s['rps']:>9,.0f} {s['p50_ms']:>8.2f} {s['p99_ms']:>8.2f} "
                      f"{fmt(s['cpu_us_per_req']):>7} {err:>6} {fmt(s['other_cpu_pct']):>6}  "
                      f"{rat:>13}{flag}")
    print("(us/req = server CPU time per request, whole process tree; err = non-2xx/socket "
          "errors; other% = CPU of everything else on the machine during the run, in % of one "
          "core)")
    all_runs = [x for n in names for x in results[n].get("runs", []) if "rps" in x]
    noisy = [x for x in all_runs if x["other_cpu_pct"] > NOISY_PCT]
    if noisy:
        print(f"WARNING: {len(noisy)} of {len(all_runs)} runs had other% > {NOISY_PCT} (another "
              "process used the cores): absolute req/s are low; the interleaved ratios are "
              "fairer; us/req is the steadiest figure. Re-run on a quiet machine.")

    n_items = a.mem_items
    print(f"\n## Start-up, memory, disk ({n_items:,} items of ~200 B for RSS/disk)")
    hdr = (f"{'peer':<14} {'start-up s':>10} {'RSS idle':>9} {'RSS loaded':>10} {'x peer':>7} "
           f"{'disk MiB':>9} {'load s':>7} {'RSS after bench':>15}  checks / status")
    print(hdr)
    print("-" * len(hdr))
    my_rss = results[ours].get("rss_loaded_mib") if ours else None
    for n in names:
        r = results[n]
        if r.get("skipped"):
            print(f"{n:<14} SKIPPED: {r['skipped'][:200]}")
            continue
        checks = r.get("checks", []) + r.get("verify", [])
        st = (f"{sum(1 for c in checks if c['ok'])}/{len(checks)} ok" if checks
              else "n/a" if ctx.role(n).role == "ceiling" else "-")
        for key in ("memory_error", "died"):
            if r.get(key):
                st += f"; {key}: {r[key][:120]}"
        if r.get("mem_check_ok") is False:
            st += "; loaded item check FAILED"
        rat = "" if n == ours else fmt(ratio(my_rss, r.get("rss_loaded_mib")), ".2f")
        print(f"{n:<14} {fmt(r.get('startup_s_median'), '.3f'):>10} "
              f"{fmt(r.get('rss_idle_mib'), '.0f'):>9} {fmt(r.get('rss_loaded_mib'), '.0f'):>10} "
              f"{rat:>7} {fmt(r.get('disk_mib'), '.1f'):>9} {fmt(r.get('mem_load_s'), '.1f'):>7} "
              f"{fmt(r.get('rss_after_bench_mib'), '.0f'):>15}  {st}")
    print("(RSS in MiB, VmRSS summed over the process tree; 'x peer' = cloudlet RSS loaded / "
          "peer's; disk = data dir after a graceful stop, in-memory modes have none)")

    goals = compute_goals(ctx, names, results, ours)
    print(f"\n## Goals ({ours or 'cloudlet'} at {GOAL_CONNS} connections)")
    for g in goals:
        mark = {True: "PASS", False: "FAIL", None: "n/a "}[g["ok"]]
        print(f"[{mark}] {g['goal']:<52} {g['detail']}")
    if a.quick or a.mem_items != 100_000:
        print(f"(RSS goal measured after {a.mem_items:,} items instead of 100,000)")
    if GOAL_CONNS not in a.conns:
        print(f"(throughput goals need --conns to include {GOAL_CONNS})")
    return goals


def compute_goals(ctx: Ctx, names: list[str], results: dict, ours: str | None) -> list[dict]:
    """One dict per goal: goal, ok (True / False / None = not measured), detail, value, target."""
    goals: list[dict] = []

    def noisy(*rows: dict) -> str:
        bad = any((x.get("other_cpu_pct") or 0) > NOISY_PCT for x in rows)
        return "  [noisy run: re-check]" if bad else ""

    if ours is None or results[ours].get("skipped"):
        why = results[ours]["skipped"] if ours else "not selected"
        return [{"goal": "all goals", "ok": None, "detail": f"cloudlet did not run: {why}"[:300]}]
    peers = [n for n in names if ctx.role(n).role == "peer" and not results[n].get("skipped")]
    ceilings = [n for n in names if ctx.role(n).role == "ceiling"]
    summ = {n: results[n]["summary"] for n in names}
    for w in ctx.args.workloads:
        mine = summ[ours].get(f"{w}/{GOAL_CONNS}")
        op = OP_NAME[w]
        best = max(((summ[p][f"{w}/{GOAL_CONNS}"]["rps"], p) for p in peers
                    if f"{w}/{GOAL_CONNS}" in summ[p]), default=None)
        if mine and best:
            goals.append({"goal": f"{op} req/s >= fastest peer", "ok": mine["rps"] >= best[0],
                          "value": mine["rps"], "target": best[0],
                          "detail": f"{mine['rps']:,.0f} vs {best[1]} {best[0]:,.0f} "
                                    f"({mine['rps'] / best[0]:.2f}x)"
                                    + noisy(mine, summ[best[1]][f"{w}/{GOAL_CONNS}"])})
        else:
            goals.append({"goal": f"{op} req/s >= fastest peer", "ok": None,
                          "detail": "no cloudlet result" if not mine else "no peer result"})
        cw = CEILING_FOR[w]
        ceil = max(((summ[c][f"{cw}/{GOAL_CONNS}"]["rps"], c) for c in ceilings
                    if f"{cw}/{GOAL_CONNS}" in summ[c]), default=None)
        name = f"{op} req/s >= {GOAL_CEILING_RATIO} x uvicorn-hello ({cw})"
        if mine and ceil:
            goals.append({"goal": name, "ok": mine["rps"] >= GOAL_CEILING_RATIO * ceil[0],
                          "value": mine["rps"], "target": GOAL_CEILING_RATIO * ceil[0],
                          "detail": f"{mine['rps']:,.0f} vs {ceil[0]:,.0f} "
                                    f"({mine['rps'] / ceil[0]:.2f}x)"
                                    + noisy(mine, summ[ceil[1]][f"{cw}/{GOAL_CONNS}"])})
        else:
            goals.append({"goal": name, "ok": None, "detail": "no result"})
        name = f"{op} p99 < {GOAL_P99_MS:g} ms"
        if mine:
            goals.append({"goal": name, "ok": mine["p99_ms"] < GOAL_P99_MS,
                          "value": mine["p99_ms"],
                          "detail": f"{mine['p99_ms']:.2f} ms" + noisy(mine)})
        else:
            goals.append({"goal": name, "ok": None, "detail": "-"})
    mine_rss = results[ours].get("rss_loaded_mib")
    others = [(results[p]["rss_loaded_mib"], p) for p in peers if results[p].get("rss_loaded_mib")]
    goal = f"RSS after {ctx.args.mem_items:,} items < every peer's"
    if mine_rss and others:
        lo = min(others)
        goals.append({"goal": goal, "ok": mine_rss < lo[0], "value": mine_rss, "target": lo[0],
                      "detail": f"{mine_rss:.0f} MiB vs lowest {lo[1]} {lo[0]:.0f} MiB"})
    else:
        goals.append({"goal": goal, "ok": None, "detail": "no result"})
    st = results[ours].get("startup_s_median")
    goals.append({"goal": f"start-up to first ListTables <= {GOAL_STARTUP_S} s",
                  "ok": None if st is None else st <= GOAL_STARTUP_S, "value": st,
                  "detail": "no result" if st is None else f"{st:.3f} s (median)"})
    return goals
