"""The throughput ceiling: a 1-worker uvicorn (uvloop + httptools) ASGI app that drains the
request body and answers 200 with a fixed small body, whatever the request."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from . import HOST

CEILING_REQS = ("uvicorn==0.54.0", "uvloop==0.23.0", "httptools==0.9.0")

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


def venv_dir(peers_dir: Path) -> Path:
    return peers_dir / "ceiling-venv"


def find_python(peers_dir: Path) -> str | None:
    """This interpreter if it has uvicorn + uvloop + httptools, else PEERS_DIR/ceiling-venv's."""
    for py in (sys.executable, str(venv_dir(peers_dir) / "bin" / "python")):
        if Path(py).is_file() and subprocess.run(
                [py, "-c", "import uvicorn, uvloop, httptools"],
                capture_output=True).returncode == 0:
            return py
    return None


def command(py: str, peers_dir: Path, port: int) -> list[str]:
    """Writes the app to PEERS_DIR/ceiling/hello_asgi.py (if changed) and returns its argv."""
    app_dir = peers_dir / "ceiling"
    app_dir.mkdir(parents=True, exist_ok=True)
    app = app_dir / "hello_asgi.py"
    if not app.is_file() or app.read_text() != HELLO_APP:
        app.write_text(HELLO_APP)
    return [py, "-m", "uvicorn", "hello_asgi:app", "--app-dir", str(app_dir),
            "--host", HOST, "--port", str(port), "--workers", "1", "--loop", "uvloop",
            "--http", "httptools", "--no-access-log", "--log-level", "warning"]


def install(peers_dir: Path, run: Callable[[list[str]], None]) -> None:
    """Create PEERS_DIR/ceiling-venv with the pinned uvicorn, uvloop and httptools."""
    venv = venv_dir(peers_dir)
    run([sys.executable, "-m", "venv", str(venv)])
    run([str(venv / "bin/pip"), "install", *CEILING_REQS])
