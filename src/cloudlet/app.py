"""Wiring, in one place: settings → store → engines → services → router.

`Cloudlet.route` is the whole request path (served by `server.http11`, or through the ASGI
adapter `Cloudlet.asgi()` by any ASGI server); `startup`/`shutdown` open and close the store,
load the catalogs and run the background work (log retention).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from cloudlet.config import Settings
from cloudlet.server.asgi import App, Handler
from cloudlet.server.internal import Internal
from cloudlet.server.router import Router
from cloudlet.services.apigateway.api import build_service as build_apigateway
from cloudlet.services.apigateway.engine.apis import RestApis
from cloudlet.services.apigateway.execute.integrations.aws_service import AwsServiceIntegration
from cloudlet.services.apigateway.execute.integrations.lambda_ import LambdaIntegration
from cloudlet.services.apigateway.execute.mapping import TemplateEngine
from cloudlet.services.apigateway.execute.pipeline import Pipeline
from cloudlet.services.apigateway.execute.plane import ExecuteApi
from cloudlet.services.dynamodb.api import build_service as build_dynamodb
from cloudlet.services.dynamodb.engine.catalog import Catalog
from cloudlet.services.iam.api import build_service as build_iam
from cloudlet.services.iam.engine.state import IamState
from cloudlet.services.lambda_.api import build_service as build_lambda
from cloudlet.services.lambda_.engine.async_queue import AsyncQueue
from cloudlet.services.lambda_.engine.code import CodeStore
from cloudlet.services.lambda_.engine.functions import Functions
from cloudlet.services.lambda_.engine.invoke import Invoker
from cloudlet.services.logs.api import build_service as build_logs
from cloudlet.services.logs.engine.catalog import LogCatalog
from cloudlet.services.logs.engine.events import purge_expired
from cloudlet.services.sts.api import build_service as build_sts
from cloudlet.services.sts.engine import Sts
from cloudlet.store.sqlite import SqliteStore

log = logging.getLogger("cloudlet")
RETENTION_SWEEP_S = 3600.0


@dataclass
class Cloudlet:
    settings: Settings
    store: SqliteStore
    tables: Catalog
    log_groups: LogCatalog
    iam: IamState
    functions: Functions
    invoker: Invoker
    rest_apis: RestApis
    route: Handler = field(init=False)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def startup(self) -> None:
        await self.store.open()
        await self.tables.load()
        await self.log_groups.load()
        await self.iam.load()
        await self.functions.load()
        await self.rest_apis.load()
        self._tasks.append(asyncio.create_task(self._sweep_retention()))
        self._tasks.append(asyncio.create_task(self._reap_environments()))
        self._tasks.append(asyncio.create_task(self.invoker.queue.work(self._run_event)))

    async def shutdown(self) -> None:
        for t in self._tasks:
            t.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await t
        self._tasks.clear()
        await self.invoker.close()
        await self.log_groups.settle()
        await self.store.close()

    async def reset(self) -> None:
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
        fn = self.functions.get(account, region, name)
        result, _ = await self.invoker.run(fn, version, payload, None)
        return result.error is None

    async def _reap_environments(self) -> None:
        while True:
            await asyncio.sleep(min(60.0, max(1.0, self.invoker.idle_s / 4)))
            try:
                await self.invoker.reap_idle()
            except Exception:
                log.exception("stopping idle Lambda environments failed")

    def asgi(self) -> App:
        return App(self.route, self.startup, self.shutdown)


def build_app(settings: Settings) -> Cloudlet:
    store = SqliteStore(settings.db_path, settings.durability, cache_mib=settings.cache_mib)
    iam = IamState(store)
    code = CodeStore(settings.code_dir)
    logs = LogCatalog(store)
    app = Cloudlet(settings, store, Catalog(store), logs, iam, Functions(store, iam, code),
                   Invoker(logs, AsyncQueue(store, settings.lambda_retry_s), settings.endpoint,
                           settings.lambda_max_environments, settings.lambda_idle_s), RestApis(store))
    json_services = [build_dynamodb(store, app.tables), build_logs(app.log_groups)]
    query_services = {"iam": build_iam(app.iam), "sts": build_sts(Sts(app.iam))}
    # execute-api: AWS integrations call services in-process through the router itself.
    aws_integration = AwsServiceIntegration(app.iam, {s.target_prefix: s for s in json_services})
    pipeline = Pipeline(TemplateEngine(), LambdaIntegration(app.functions, app.invoker), aws_integration)
    execute_api = ExecuteApi(app.rest_apis, pipeline, app.log_groups)
    rest_services = {"lambda": build_lambda(app.functions, app.invoker, settings.endpoint),
                     "apigateway": build_apigateway(app.rest_apis, execute_api.test_invoke, endpoint=settings.endpoint)}
    states = {name: "running" for name in ("dynamodb", "logs", "iam", "sts", "lambda", "apigateway")}
    internal = Internal(states, app.reset, code.root)
    router = Router(settings, internal, {s.target_prefix: s for s in json_services}, query_services, rest_services,
                    execute_api)
    aws_integration.dispatch = router.route
    app.route = router.route
    return app
