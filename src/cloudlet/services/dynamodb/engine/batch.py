"""BatchGetItem (up to 100 keys) and BatchWriteItem (up to 25 puts/deletes).

Everything in a batch is validated before anything is read or written; a BatchWriteItem is
then written in one transaction, so nothing is left unprocessed.
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from cloudlet.services.dynamodb.engine import capacity, errors, keys, plans, values
from cloudlet.services.dynamodb.engine.tables import TableDef
from cloudlet.store.base import RowKey, Store, Txn

MAX_GET_KEYS = 100
MAX_WRITES = 25
MAX_GET_RESPONSE = 16 * 1024 * 1024

Lookup = Callable[[str], TableDef]


def _not_null(value: Any, path: str) -> Any:
    # The model validator lets null collection elements through (AWS's DynamoDB model does
    # not summarise them); a null where a request structure must be is AWS's not-null error.
    if value is None:
        raise errors.validation(
            f"1 validation error detected: Value null at '{path}' failed to satisfy constraint: "
            "Member must not be null"
        )
    return value


async def batch_get(store: Store, lookup: Lookup, params: dict[str, Any]) -> dict[str, Any]:
    request_items: dict[str, Any] = params["RequestItems"]
    for name, req in request_items.items():
        _not_null(req, f"requestItems.{name}.member")
    total = sum(len(r.get("Keys") or ()) for r in request_items.values())
    if total > MAX_GET_KEYS:
        raise errors.validation(
            "Too many items requested for the BatchGetItem call"
        )
    work_list: list[tuple[TableDef, dict[str, Any], plans.Plan, list[RowKey]]] = []
    for name, req in request_items.items():
        table = lookup(name)
        plan = plans.build(req, table, operation="BatchGetItem", projection=True)
        rows = [keys.from_key(table, k) for k in req["Keys"]]
        if len(set(rows)) != len(rows):
            raise errors.validation("Provided list of item keys contains duplicates")
        work_list.append((table, req, plan, rows))

    def work(txn: Txn) -> tuple[dict[str, list[Any]], dict[str, Any], dict[str, float]]:
        responses: dict[str, list[Any]] = {}
        unprocessed: dict[str, Any] = {}
        units: dict[str, float] = {}
        size_so_far = 0
        for table, req, plan, rows in work_list:
            got = responses.setdefault(table.name, [])
            consistent = bool(req.get("ConsistentRead"))
            for i, row in enumerate(rows):
                if size_so_far >= MAX_GET_RESPONSE:
                    rest = unprocessed.setdefault(table.name, {k: v for k, v in req.items() if k != "Keys"})
                    rest.setdefault("Keys", []).append(req["Keys"][i])
                    continue
                raw = txn.item_get(table.table_id, *row)
                size = 0
                if raw is not None:
                    item = orjson.loads(raw)
                    size = values.item_size(item)
                    size_so_far += size
                    got.append(plan.projection.apply(item) if plan.projection else item)
                units[table.name] = units.get(table.name, 0.0) + capacity.read_units(size, consistent)
        return responses, unprocessed, units

    responses, unprocessed, units = await store.run(work)
    out: dict[str, Any] = {"Responses": responses, "UnprocessedKeys": unprocessed}
    mode = params.get("ReturnConsumedCapacity")
    if mode in ("TOTAL", "INDEXES"):
        out["ConsumedCapacity"] = [capacity.report(mode, n, u) for n, u in units.items()]
    return out


async def batch_write(store: Store, lookup: Lookup, params: dict[str, Any]) -> dict[str, Any]:
    request_items: dict[str, Any] = params["RequestItems"]
    for name, reqs in request_items.items():
        _not_null(reqs, f"requestItems.{name}.member")
        for i, req in enumerate(reqs, 1):
            _not_null(req, f"requestItems.{name}.member.{i}.member")
    total = sum(len(r) for r in request_items.values())
    if total > MAX_WRITES:
        raise errors.validation(
            "1 validation error detected: Value at 'requestItems' failed to satisfy constraint: "
            "Map value must satisfy constraint: [Member must have length less than or equal to "
            "25, Member must have length greater than or equal to 1]"
        )
    # (table, row key, item JSON or None for a delete, size)
    writes: list[tuple[TableDef, RowKey, bytes | None, int]] = []
    for name, reqs in request_items.items():
        table = lookup(name)
        seen: set[RowKey] = set()
        for req in reqs:
            put, delete = req.get("PutRequest"), req.get("DeleteRequest")
            if (put is None) == (delete is None):
                raise errors.validation(
                    "Supplied AttributeValue has more than one datatypes set, must contain "
                    "exactly one of the supported datatypes"
                    if put is not None
                    else "Unexpected value type in payload"
                )
            if put is not None:
                item = values.validate_item(put["Item"])
                row = keys.from_item(table, item)
                size = values.item_size(item)
                if size > values.MAX_ITEM_SIZE:
                    raise errors.validation("Item size has exceeded the maximum allowed size")
                writes.append((table, row, orjson.dumps(item), size))
            else:
                row = keys.from_key(table, delete["Key"])
                writes.append((table, row, None, 0))
            if row in seen:
                raise errors.validation("Provided list of item keys contains duplicates")
            seen.add(row)

    def work(txn: Txn) -> None:
        for table, row, data, size in writes:
            if data is None:
                txn.item_delete(table.table_id, *row)
            else:
                txn.item_put(table.table_id, *row, data, size)

    await store.run(work, write=True)
    out: dict[str, Any] = {"UnprocessedItems": {}}
    mode = params.get("ReturnConsumedCapacity")
    if mode in ("TOTAL", "INDEXES"):
        units: dict[str, float] = {}
        for table, _, _, size in writes:
            units[table.name] = units.get(table.name, 0.0) + capacity.write_units(size)
        out["ConsumedCapacity"] = [capacity.report(mode, n, u) for n, u in units.items()]
    return out
