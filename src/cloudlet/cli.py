"""`cloudlet start ...`: parse flags, build the app, serve it with uvicorn (uvloop + httptools)."""

from __future__ import annotations

import argparse
import os
import sys

from cloudlet import __version__
from cloudlet.config import DURABILITIES, STORES, Settings


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cloudlet", description=__doc__)
    p.add_argument("--version", action="version", version=f"cloudlet {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    start = sub.add_parser("start", help="run the server (all services on one port)")
    start.add_argument("--host", help="listen address (env CLOUDLET_HOST, default 127.0.0.1)")
    start.add_argument("--port", type=int, help="listen port (env CLOUDLET_PORT, default 4566)")
    start.add_argument("--data-dir", help="where state lives (env CLOUDLET_DATA_DIR, default ./.cloudlet)")
    start.add_argument("--store", choices=STORES, help="sqlite (default, persistent) or memory")
    start.add_argument(
        "--durability", choices=DURABILITIES,
        help="process (default: survives kill -9), os (also an OS crash), full (fsync per write)",
    )
    start.add_argument("--log-level", help="uvicorn log level (env CLOUDLET_LOG_LEVEL, default warning)")
    return p


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env(
            host=args.host, port=args.port, data_dir=args.data_dir, store=args.store,
            durability=args.durability, log_level=args.log_level,
        )
    except ValueError as e:
        sys.exit(f"cloudlet: {e}")
    serve(settings)


def serve(settings: Settings) -> None:
    import uvicorn

    from cloudlet.app import build_app

    app = build_app(settings)
    where = "memory (nothing kept)" if settings.db_path is None else os.path.abspath(settings.data_dir)
    print(f"cloudlet {__version__} on http://{settings.host}:{settings.port}  data: {where}", flush=True)
    uvicorn.run(
        app, host=settings.host, port=settings.port, loop="uvloop", http="httptools",
        lifespan="on", access_log=False, log_level=settings.log_level, server_header=False,
        date_header=True,
    )
