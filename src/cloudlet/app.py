"""Wiring, in one place: settings → store → engines → services → router.

`Cloudlet.route` is the whole request path (served by `server.http11`, or through the ASGI
adapter `Cloudlet.asgi()` by any ASGI server); `startup`/`shutdown` open and close the store.
"""

from __future__ import annotations

from dataclasses import dataclass

from cloudlet.config import Settings
from cloudlet.server.asgi import App, Handler
from cloudlet.server.internal import Internal
from cloudlet.server.router import Router
from cloudlet.services.dynamodb.api import build_service as build_dynamodb
from cloudlet.services.dynamodb.engine.catalog import Catalog
from cloudlet.store.sqlite import SqliteStore


@dataclass
class Cloudlet:
    settings: Settings
    store: SqliteStore
    catalog: Catalog
    route: Handler

    async def startup(self) -> None:
        await self.store.open()
        await self.catalog.load()

    async def shutdown(self) -> None:
        await self.store.close()

    def asgi(self) -> App:
        return App(self.route, self.startup, self.shutdown)


def build_app(settings: Settings) -> Cloudlet:
    store = SqliteStore(settings.db_path, settings.durability)
    catalog = Catalog(store)
    json_services = [build_dynamodb(store, catalog)]

    async def reset() -> None:
        await store.reset()
        catalog.clear()

    internal = Internal({"dynamodb": "running"}, reset)
    router = Router(settings, internal, {s.target_prefix: s for s in json_services})
    return Cloudlet(settings, store, catalog, router.route)
