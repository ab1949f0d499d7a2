"""`cloudlet start ...`: parse flags, build the app, serve it on uvloop.

The default HTTP server is cloudlet's own httptools protocol (`server/http11.py`; see there
for why); `--http asgi` serves the same app through uvicorn instead.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys

from cloudlet import __version__
from cloudlet.config import DURABILITIES, HTTP_SERVERS, STORES, Settings


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cloudlet", description="AWS's serverless REST stack, local.")
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
    start.add_argument("--cache-mib", type=int,
                       help="SQLite page cache in MiB (env CLOUDLET_CACHE_MIB, default 16)")
    start.add_argument("--http", choices=HTTP_SERVERS, help="cloudlet (default) or asgi (uvicorn)")
    start.add_argument("--log-level", help="log level (env CLOUDLET_LOG_LEVEL, default warning)")
    logs = sub.add_parser("logs", help="read CloudWatch Logs of a running cloudlet").add_subparsers(
        dest="logs_command", required=True
    )
    tail = logs.add_parser("tail", help="print a log group's events (like `aws logs tail`)")
    tail.add_argument("group", help="log group name, e.g. /aws/lambda/my-function")
    tail.add_argument("--follow", action="store_true", help="keep printing new events as they arrive")
    tail.add_argument("--since", default="10m", help="how far back to start: 10m, 2h, 1d, or an ISO time")
    tail.add_argument("--filter-pattern", help="a CloudWatch Logs filter pattern")
    tail.add_argument("--endpoint", help="cloudlet URL (default http://127.0.0.1:$CLOUDLET_PORT or :4566)")
    tail.add_argument("--region", default=None, help="region (default $AWS_REGION or us-east-1)")
    return p


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.command == "logs":
        _logs(args)
        return
    try:
        settings = Settings.from_env(
            host=args.host, port=args.port, data_dir=args.data_dir, store=args.store,
            durability=args.durability, cache_mib=args.cache_mib, http=args.http, log_level=args.log_level,
        )
    except ValueError as e:
        sys.exit(f"cloudlet: {e}")
    serve(settings)


def _logs(args: argparse.Namespace) -> None:
    import time

    from cloudlet import tail

    port = os.environ.get("CLOUDLET_PORT", "4566")
    endpoint = args.endpoint or f"http://127.0.0.1:{port}"
    region = args.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    client = tail.LogsClient(endpoint, region)
    try:
        tail.tail(client, args.group, tail.parse_since(args.since, time.time()), args.follow, args.filter_pattern)
    except KeyboardInterrupt:
        pass
    except OSError as e:
        sys.exit(f"cloudlet: cannot reach {endpoint}: {e}")


def _banner(settings: Settings) -> None:
    where = "memory (nothing kept)" if settings.db_path is None else os.path.abspath(settings.data_dir)
    print(f"cloudlet {__version__} on http://{settings.host}:{settings.port}  data: {where}", flush=True)


def serve(settings: Settings) -> None:
    import logging

    import uvloop

    from cloudlet.app import build_app

    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = build_app(settings)
    if settings.http == "asgi":
        import uvicorn

        _banner(settings)
        uvicorn.run(
            app.asgi(), host=settings.host, port=settings.port, loop="uvloop", http="httptools",
            lifespan="on", access_log=False, log_level=settings.log_level, server_header=False,
        )
        return
    try:
        uvloop.run(_serve(app, settings))
    except OSError as e:  # e.g. the port is taken or the data dir is locked
        sys.exit(f"cloudlet: {e}")


async def _serve(app: object, settings: Settings) -> None:
    from cloudlet.app import Cloudlet
    from cloudlet.server import http11

    assert isinstance(app, Cloudlet)
    await app.startup()
    try:
        server = await http11.serve(app.route, settings.host, settings.port, eager_ok=app.router.eager)
        _banner(settings)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        server.close()
    finally:
        await app.shutdown()
