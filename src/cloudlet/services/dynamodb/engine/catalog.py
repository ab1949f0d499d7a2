"""The tables that exist: kept in memory for the hot path, persisted as metadata documents."""

from __future__ import annotations

import time
from typing import Any

import orjson

from cloudlet.services.dynamodb.engine import errors, tables
from cloudlet.services.dynamodb.engine.tables import TableDef
from cloudlet.store.base import Store, Txn

NS = "dynamodb/tables"
MAX_TABLES = 2500  # default per-account, per-region table quota


def _key(account: str, region: str, name: str) -> str:
    return f"{account}/{region}/{name}"


class Catalog:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._tables: dict[str, TableDef] = {}

    async def load(self) -> None:
        docs = await self._store.run(lambda txn: txn.meta_list(NS))
        self._tables = {k: TableDef.from_doc(orjson.loads(v)) for k, v in docs}

    def clear(self) -> None:
        self._tables.clear()

    # -- lookups (the hot path: one dict access)
    def get(self, account: str, region: str, name: str, named: bool = False) -> TableDef:
        """The table called `name` (or its ARN). Control-plane operations name the missing
        table in their error (`named`); item operations don't, as on AWS."""
        t = self._tables.get(f"{account}/{region}/{name}")
        if t is None:
            if name.startswith("arn:"):
                return self.by_arn(name)
            raise errors.table_not_found(name if named else None)
        return t

    def by_arn(self, arn: str) -> TableDef:
        # arn:aws:dynamodb:{region}:{account}:table/{name}[/...]
        parts = arn.split(":", 5)
        if len(parts) == 6 and parts[2] == "dynamodb" and parts[5].startswith("table/"):
            name = parts[5][6:].split("/", 1)[0]
            t = self._tables.get(_key(parts[4], parts[3], name))
            if t is not None:
                return t
        raise errors.resource_not_found(f"Requested resource not found: ResourceArn: {arn} not found")

    def names(self, account: str, region: str) -> list[str]:
        prefix = f"{account}/{region}/"
        return sorted(t.name for k, t in self._tables.items() if k.startswith(prefix))

    # -- changes (store first, then memory, so a failed write changes nothing)
    async def create(self, params: dict[str, Any], account: str, region: str) -> TableDef:
        name = params["TableName"]
        if _key(account, region, name) in self._tables:
            raise errors.resource_in_use(f"Table already exists: {name}")
        if len(self.names(account, region)) >= MAX_TABLES:
            raise errors.limit_exceeded(
                f"Subscriber limit exceeded: You have exceeded the maximum number of tables "
                f"({MAX_TABLES})"
            )
        table = tables.build(params, account, region, name)

        def work(txn: Txn) -> None:
            txn.create_item_table(table.table_id)
            txn.meta_put(NS, _key(account, region, name), orjson.dumps(table.to_doc()))

        await self._store.run(work, write=True)
        self._tables[_key(account, region, name)] = table
        return table

    async def save(self, table: TableDef) -> None:
        doc = orjson.dumps(table.to_doc())
        key = _key(table.account, table.region, table.name)
        await self._store.run(lambda txn: txn.meta_put(NS, key, doc), write=True)
        self._tables[key] = table

    async def delete(self, table: TableDef) -> tuple[int, int]:
        if table.deletion_protection:
            raise errors.validation(
                "Resource cannot be deleted as it is currently protected against deletion. "
                "Disable deletion protection first."
            )
        key = _key(table.account, table.region, table.name)

        def work(txn: Txn) -> tuple[int, int]:
            stats = txn.item_stats(table.table_id)
            txn.drop_item_table(table.table_id)
            txn.meta_delete(NS, key)
            return stats

        stats = await self._store.run(work, write=True)
        self._tables.pop(key, None)
        return stats

    async def stats(self, table: TableDef) -> tuple[int, int]:
        return await self._store.run(lambda txn: txn.item_stats(table.table_id))


def now() -> float:
    return round(time.time(), 3)
