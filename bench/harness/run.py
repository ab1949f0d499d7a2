"""What every benchmark run keeps: its servers, their results, a rotating order and quiet waits."""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Callable
from typing import Any

from . import Unavailable, log
from .procs import Server, wait_quiet


class BenchRun:
    """The servers of one run and what was measured; `quiet()` before each measurement."""

    def __init__(self, a: argparse.Namespace, ctx: Any):
        self.a = a
        self.ctx = ctx
        self.servers: dict[str, Server] = {}
        self.res: dict = {n: {"what": ctx.role(n).what, "role": ctx.role(n).role} for n in a.peers}
        self.turn = 0

    def rotated(self, names: list[str]) -> list[str]:
        """A rotating order, so that a burst of machine noise does not always hit the same server."""
        self.turn += 1
        k = self.turn % max(1, len(names))
        return names[k:] + names[:k]

    def quiet(self) -> None:
        pct = wait_quiet(self.a.quiet_wait, self.a.quiet_pct)
        if pct is not None and pct >= self.a.quiet_pct:
            log(f"    (machine busy: {pct:.0f} % of a core in use by others)")

    def start_one(self, n: str, start: Callable[[Any, str], Server], note: str = "") -> Server | None:
        """Start server `n` (recorded in `servers`), or record why it was skipped."""
        r = self.res[n]
        try:
            r["cmd"] = shlex.join(self.ctx.command(n, 0, self.ctx.data_dir(n)))
            srv = start(self.ctx, n)
        except (Unavailable, RuntimeError, OSError) as e:
            r["skipped"] = str(e)
            log(f"{n}: SKIPPED ({e})")
            return None
        self.servers[n] = srv
        r["startup_s"] = srv.startup_s
        log(f"{n}: ready on port {srv.port} in {srv.startup_s:.2f} s{note}")
        return srv
