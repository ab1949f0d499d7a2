"""Wiring, in one place: settings → store → engines → services → router → ASGI app."""

from __future__ import annotations

from cloudlet.config import Settings
from cloudlet.server.asgi import App
from cloudlet.server.internal import Internal
from cloudlet.server.router import Router
from cloudlet.services.dynamodb.api import build_service as build_dynamodb
from cloudlet.services.dynamodb.engine.catalog import Catalog
from cloudlet.store.sqlite import SqliteStore


def build_app(settings: Settings) -> App:
    store = SqliteStore(settings.db_path, settings.durability)
    catalog = Catalog(store)

    async def startup() -> None:
        await store.open()
        await catalog.load()

    async def shutdown() -> None:
        await store.close()

    async def reset() -> None:
        await store.reset()
        catalog.clear()

    internal = Internal({"dynamodb": "running"}, reset)
    router = Router(settings, internal, {"DynamoDB_20120810": build_dynamodb(store, catalog)})
    return App(router.route, startup, shutdown)
