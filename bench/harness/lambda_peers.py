"""The Lambda servers compared: cloudlet, MiniStack (Python, runs functions as local processes,
no Docker) and the uvicorn hello app (the bare loopback round trip); their start commands,
--install, starting one, and the boto3 setup (IAM role, function zips, CreateFunction).

Installs, data dirs (data/NAME), logs (logs/NAME.log) live in PEERS_DIR, as for the DynamoDB bench.
"""

from __future__ import annotations

import http.client
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

from . import HOST, Unavailable, ceiling, log, peers
from .peers import Ctx, PeerDef
from .procs import Server, tree_pids

MINISTACK_REQ = "ministack==1.5.33"
LAMBDA_PEERS = {
    "cloudlet": PeerDef("ours", True, "cloudlet, default persistent SQLite store"),
    "ministack": PeerDef("peer", False, "MiniStack 1.5.33 (Python, hypercorn), LAMBDA_EXECUTOR=local"),
    "uvicorn-hello": PeerDef("ceiling", False, "uvicorn 1 worker hello ASGI app (bare round trip)"),
}
DEFAULT_LAMBDA_PEERS = list(LAMBDA_PEERS)

AUTH = ("AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/lambda/aws4_request, "
        "SignedHeaders=host, Signature=0")
HEADERS = {"Authorization": AUTH, "Content-Type": "application/json"}
LIST_PATH = "/2015-03-31/functions/"

# case -> (runtime, file in the zip, code). Each returns {"ok": true}.
CASES = {
    "py-silent": ("python3.11", "index.py", 'def handler(event, context):\n    return {"ok": True}\n'),
    "py-print": ("python3.11", "index.py",
                 'def handler(event, context):\n    print("bench: one line")\n    return {"ok": True}\n'),
    "node-silent": ("nodejs20.x", "index.js", "exports.handler = async () => ({ ok: true });\n"),
}
ROLE_NAME = "bench-lambda-role"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


class LambdaCtx(Ctx):
    """Ctx (PEERS_DIR, cloudlet command template, dummy-credential env) plus MiniStack."""

    def role(self, name: str) -> PeerDef:
        return LAMBDA_PEERS.get(name) or super().role(name)

    def ministack_bin(self) -> Path:
        return self.peers_dir / "ministack-venv" / "bin" / "ministack"

    def command(self, name: str, port: int, data: Path) -> list[str]:
        if name == "ministack":
            exe = self.ministack_bin()
            if not exe.is_file():
                raise Unavailable(f"MiniStack not installed in {self.peers_dir} (--install: pip install "
                                  f"{MINISTACK_REQ})")
            return [str(exe)]  # port and bind address come from the environment
        return super().command(name, port, data)

    def server_env(self, name: str, port: int, data: Path) -> dict[str, str]:
        env = dict(self.env)
        if name == "ministack":
            # GATEWAY_PORT: its port; BIND_HOST: loopback only (default 0.0.0.0); TMPDIR, STATE_DIR,
            # S3_DATA_DIR: keep its files in the data dir; LAMBDA_EXECUTOR=local: functions as host
            # processes (its default; the other executor needs Docker).
            env.update(GATEWAY_PORT=str(port), BIND_HOST=HOST, LAMBDA_EXECUTOR="local",
                       TMPDIR=str(data), STATE_DIR=str(data / "state"), S3_DATA_DIR=str(data / "s3"),
                       LOG_LEVEL="WARNING")
        return env


def answers_200(path: str):
    def ready(port: int) -> bool:
        try:
            c = http.client.HTTPConnection(HOST, port, timeout=2)
            try:
                c.request("GET", path, headers=HEADERS)
                r = c.getresponse()
                r.read()
                return r.status == 200
            finally:
                c.close()
        except OSError:
            return False
    return ready


def start_server(ctx: LambdaCtx, name: str, timeout: float = 90.0) -> Server:
    """A fresh server, ready when ListFunctions answers 200 (the hello app: any request).
    srv.base_pids = its process tree at that moment (not functions)."""
    srv = peers.start_server(
        ctx, name, timeout, ready=answers_200(LIST_PATH), ready_what="200 to ListFunctions",
        env=lambda port, data: ctx.server_env(name, port, data), log_name=f"lambda-{name}",
    )
    srv.base_pids = set(tree_pids(srv.pid))  # type: ignore[attr-defined]
    return srv


def install(ctx: LambdaCtx, names: list[str]) -> None:
    """Install MiniStack (own venv) and the ceiling app if selected and missing."""
    pd = ctx.peers_dir
    pd.mkdir(parents=True, exist_ok=True)

    def run(cmd: list[str]) -> None:
        log(f"  $ {' '.join(cmd)}")
        subprocess.run(cmd, check=True)

    done = False
    try:
        if "ministack" in names and not ctx.ministack_bin().is_file():
            done = True
            log("install ministack")
            venv = pd / "ministack-venv"
            run([sys.executable, "-m", "venv", str(venv)])
            run([str(venv / "bin/pip"), "install", MINISTACK_REQ])
        if "uvicorn-hello" in names and not ctx.ceiling_python():
            done = True
            log("install uvicorn-hello")
            ceiling.install(pd, run)
            ctx._ceiling_py = False
    except (OSError, subprocess.CalledProcessError) as e:
        log(f"  install FAILED: {e}")
    if not done:
        log("install: everything selected is already installed")


# ------------------------------------------------------------------------------ boto3 setup
def clients(port: int):
    import boto3  # only for the setup; the timed invokes are raw HTTP
    from botocore.config import Config

    kw = dict(endpoint_url=f"http://{HOST}:{port}", region_name="us-east-1", aws_access_key_id="test",
              aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}, read_timeout=120))
    return boto3.client("iam", **kw), boto3.client("lambda", **kw)


def ensure_role(iam) -> str:
    try:
        return iam.create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        return iam.get_role(RoleName=ROLE_NAME)["Role"]["Arn"]


def zip_of(case: str) -> bytes:
    _rt, fname, code = CASES[case]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(fname, code)
    return buf.getvalue()


def create_function(lam, role_arn: str, case: str, name: str) -> dict:
    return lam.create_function(FunctionName=name, Runtime=CASES[case][0], Role=role_arn, Handler="index.handler",
                               Code={"ZipFile": zip_of(case)}, Timeout=30, MemorySize=256)
