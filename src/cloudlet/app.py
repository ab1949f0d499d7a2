"""Wiring, in one place: settings → store → engines → services → router.

`Cloudlet.route` is the whole request path (served by `server.http11`, or through the ASGI
adapter `Cloudlet.asgi()` by any ASGI server); `startup`/`shutdown` open and close the store,
load the catalogs and run the background work (log retention, Lambda's queue and reaper).

Start-up comes in two steps, so the server answers within the start-up goal: the catalogs of
DynamoDB, CloudWatch Logs and IAM are loaded when `startup` returns; Lambda and API Gateway (about
half of the server's imports) are imported in a worker thread right after, wired, loaded, and
registered with the router. Until then the router answers JSON-protocol calls (DynamoDB, Logs) and
holds every other request (about 0.1 s).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cloudlet.config import Settings
from cloudlet.server.asgi import App, Handler
from cloudlet.server.internal import Internal
from cloudlet.server.router import Router
from cloudlet.services.dynamodb.api import build_service as build_dynamodb
from cloudlet.services.dynamodb.engine.catalog import Catalog
from cloudlet.services.iam.api import build_service as build_iam
from cloudlet.services.iam.engine.state import IamState
from cloudlet.services.logs.api import build_service as build_logs
from cloudlet.services.logs.engine.catalog import LogCatalog
from cloudlet.services.logs.engine.events import purge_expired
from cloudlet.services.sts.api import build_service as build_sts
from cloudlet.services.sts.engine import Sts
from cloudlet.store.sqlite import SqliteStore

if TYPE_CHECKING:
    from cloudlet.protocol.json_rpc import JsonService
    from cloudlet.services.apigateway.engine.apis import RestApis
    from cloudlet.services.lambda_.engine.functions import Functions
    from cloudlet.services.lambda_.engine.invoke import Invoker

log = logging.getLogger("cloudlet")
RETENTION_SWEEP_S = 3600.0
SERVICES = ("dynamodb", "logs", "iam", "sts", "lambda", "apigateway")


@dataclass
class Cloudlet:
    settings: Settings
    store: SqliteStore
    tables: Catalog
    log_groups: LogCatalog
    iam: IamState
    router: Router
    json_services: list[JsonService]
    # Lambda and API Gateway: set by _start_late once they are loaded.
    functions: Functions | None = None
    invoker: Invoker | None = None
    rest_apis: RestApis | None = None
    route: Handler = field(init=False)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _late: asyncio.Task[None] | None = None

    def __post_init__(self) -> None:
        self.route = self.router.route

    async def startup(self) -> None:
        await self.store.open()
        await self.tables.load()
        await self.log_groups.load()
        await self.iam.load()
        self._tasks.append(asyncio.create_task(self._sweep_retention()))
        self.router.complete.clear()
        self._late = asyncio.create_task(self._start_late())

    async def loaded(self) -> None:
        """Until Lambda and API Gateway are loaded (a failure to load them is raised here)."""
        if self._late is not None:
            await asyncio.shield(self._late)

    async def _start_late(self) -> None:
        try:
            # A thread of its own that ends with the imports (the loop's default executor would keep one
            # idle thread for the server's life).
            with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="cloudlet-import") as pool:
                await asyncio.get_running_loop().run_in_executor(pool, _import_late)
            self._wire_late()
            assert self.functions is not None and self.rest_apis is not None and self.invoker is not None
            await self.functions.load()
            await self.rest_apis.load()
            self._tasks.append(asyncio.create_task(self._reap_environments()))
            self._tasks.append(asyncio.create_task(self.invoker.queue.work(self._run_event)))
        except BaseException:
            log.exception("loading Lambda and API Gateway failed")
            self.router.complete.set()  # waiting requests get "no service" instead of hanging
            raise

    def _wire_late(self) -> None:
        from cloudlet.services.apigateway.api import build_service as build_apigateway
        from cloudlet.services.apigateway.engine.apis import RestApis
        from cloudlet.services.apigateway.execute.integrations.aws_service import AwsServiceIntegration
        from cloudlet.services.apigateway.execute.integrations.lambda_ import LambdaIntegration
        from cloudlet.services.apigateway.execute.mapping import TemplateEngine
        from cloudlet.services.apigateway.execute.pipeline import Pipeline
        from cloudlet.services.apigateway.execute.plane import ExecuteApi
        from cloudlet.services.lambda_.api import build_service as build_lambda
        from cloudlet.services.lambda_.engine.async_queue import AsyncQueue
        from cloudlet.services.lambda_.engine.code import CodeStore
        from cloudlet.services.lambda_.engine.functions import Functions
        from cloudlet.services.lambda_.engine.invoke import Invoker

        s = self.settings
        functions = self.functions = Functions(self.store, self.iam, CodeStore(s.code_dir))
        invoker = self.invoker = Invoker(self.log_groups, AsyncQueue(self.store, s.lambda_retry_s), s.endpoint,
                                         s.lambda_max_environments, s.lambda_idle_s)
        rest_apis = self.rest_apis = RestApis(self.store)
        # execute-api: AWS integrations call services in-process through the router itself.
        aws_integration = AwsServiceIntegration(self.iam, {svc.target_prefix: svc for svc in self.json_services})
        aws_integration.dispatch = self.router.route
        pipeline = Pipeline(TemplateEngine(), LambdaIntegration(functions, invoker), aws_integration)
        execute_api = ExecuteApi(rest_apis, pipeline, self.log_groups)
        self.router.add_services(
            {"lambda": build_lambda(functions, invoker, s.endpoint),
             "apigateway": build_apigateway(rest_apis, execute_api.test_invoke, endpoint=s.endpoint)},
            execute_api,
        )

    async def shutdown(self) -> None:
        if self._late is not None:
            with contextlib.suppress(Exception):
                await self.loaded()
        for t in self._tasks:
            t.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await t
        self._tasks.clear()
        if self.invoker is not None:
            await self.invoker.close()
        await self.log_groups.settle()
        await self.store.close()

    async def reset(self) -> None:
        await self.loaded()
        assert self.invoker is not None and self.functions is not None and self.rest_apis is not None
        await self.invoker.close()
        self.log_groups.ingest.discard()
        await self.store.reset()
        self.tables.clear()
        self.log_groups.clear()
        self.iam.clear()
        self.functions.clear()
        self.rest_apis.clear()

    async def _sweep_retention(self) -> None:
        while True:
            try:
                await purge_expired(self.log_groups)
            except Exception:  # keep sweeping; a failed sweep is retried next time
                log.exception("log retention sweep failed")
            await asyncio.sleep(RETENTION_SWEEP_S)

    async def _run_event(self, account: str, region: str, name: str, version: str, payload: bytes) -> bool:
        assert self.functions is not None and self.invoker is not None
        fn = self.functions.get(account, region, name)
        result, _ = await self.invoker.run(fn, version, payload, None)
        return result.error is None

    async def _reap_environments(self) -> None:
        assert self.invoker is not None
        while True:
            await asyncio.sleep(min(60.0, max(1.0, self.invoker.idle_s / 4)))
            try:
                await self.invoker.reap_idle()
            except Exception:
                log.exception("stopping idle Lambda environments failed")

    def asgi(self) -> App:
        return App(self.route, self.startup, self.shutdown)


def _import_late() -> None:
    """Import Lambda's and API Gateway's modules (in a worker thread: the event loop keeps serving)."""
    import cloudlet.services.apigateway.api
    import cloudlet.services.apigateway.execute.pipeline
    import cloudlet.services.apigateway.execute.plane
    import cloudlet.services.lambda_.api
    import cloudlet.services.lambda_.engine.invoke  # noqa: F401


def build_app(settings: Settings) -> Cloudlet:
    store = SqliteStore(settings.db_path, settings.durability, cache_mib=settings.cache_mib)
    iam = IamState(store)
    tables, logs = Catalog(store), LogCatalog(store)
    json_services = [build_dynamodb(store, tables), build_logs(logs)]
    query_services = {"iam": build_iam(iam), "sts": build_sts(Sts(iam))}
    app: Cloudlet
    internal = Internal({name: "running" for name in SERVICES}, lambda: app.reset(), settings.code_dir)
    router = Router(settings, internal, {svc.target_prefix: svc for svc in json_services}, query_services, {})
    app = Cloudlet(settings, store, tables, logs, iam, router, json_services)
    return app
