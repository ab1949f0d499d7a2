"""For the unit tests of CloudWatch Logs' engine: a fresh in-memory store and catalog per test."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from cloudlet.services.logs.engine.catalog import LogCatalog
from cloudlet.store.sqlite import SqliteStore

ACCOUNT, REGION, GROUP = "000000000000", "us-east-1", "/aws/lambda/fn"


def with_catalog(test: Callable[[LogCatalog], Awaitable[None]]) -> Callable[[], None]:
    """Run an async test in its own loop with a fresh in-memory store and catalog."""

    def wrapper() -> None:
        async def main() -> None:
            store = SqliteStore(None)
            await store.open()
            cat = LogCatalog(store)
            await cat.load()
            try:
                await test(cat)
            finally:
                await store.close()

        asyncio.run(main())

    wrapper.__name__ = test.__name__  # not functools.wraps: pytest would look for a `cat` fixture
    return wrapper
