"""Single-item operations: GetItem, PutItem, DeleteItem, UpdateItem.

Each write is one store transaction: read the old item, check the condition, compute the new
item (all validation done), write. A failed check raises before anything is written.
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html (and siblings)
"""

from __future__ import annotations

from typing import Any

import orjson

from cloudlet.services.dynamodb.engine import capacity, errors, keys, plans, values
from cloudlet.services.dynamodb.engine.tables import TableDef
from cloudlet.services.dynamodb.expressions import Update
from cloudlet.store.base import RowKey, Store, Txn

Item = dict[str, Any]


def _load(raw: bytes | None) -> Item | None:
    return orjson.loads(raw) if raw is not None else None


def _failed(old: Item | None, params: dict[str, Any]) -> errors.AwsError:
    if params.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and old is not None:
        return errors.conditional_check_failed(old)
    return errors.conditional_check_failed()


def _consumed(params: dict[str, Any], table: TableDef, units: float) -> dict[str, Any]:
    c = capacity.report(params.get("ReturnConsumedCapacity"), table.name, units)
    return {"ConsumedCapacity": c} if c else {}


# ---------------------------------------------------------------- GetItem
async def get_item(store: Store, table: TableDef, params: dict[str, Any]) -> dict[str, Any] | bytes:
    plan = plans.build(params, table, operation="GetItem", projection=True)
    h, pk, sk = keys.from_key(table, params["Key"])
    tid = table.table_id
    raw = await store.run(lambda txn: txn.item_get(tid, h, pk, sk))
    mode = params.get("ReturnConsumedCapacity")
    if plan.projection is None and mode in (None, "NONE"):
        # Hot path: the stored wire JSON is the answer.
        return b"{}" if raw is None else b'{"Item":' + raw + b"}"
    out: dict[str, Any] = {}
    size = 0
    if raw is not None:
        item = orjson.loads(raw)
        size = values.item_size(item)
        out["Item"] = plan.projection.apply(item) if plan.projection else item
    units = capacity.read_units(size, bool(params.get("ConsistentRead")))
    out.update(_consumed(params, table, units))
    return out


# ---------------------------------------------------------------- PutItem
async def put_item(store: Store, table: TableDef, params: dict[str, Any]) -> dict[str, Any]:
    rv = plans.return_values(params, ("NONE", "ALL_OLD"))
    item = values.validate_item(params["Item"])
    plan = plans.build(params, table, operation="PutItem", condition=True)
    row = keys.from_item(table, item)
    size = values.item_size(item)
    if size > values.MAX_ITEM_SIZE:
        raise errors.validation("Item size has exceeded the maximum allowed size")
    data = orjson.dumps(item)
    tid = table.table_id
    cond = plan.condition
    want_old = cond is not None or rv == "ALL_OLD" or params.get("ReturnConsumedCapacity")

    if not want_old:
        await store.run(lambda txn: txn.item_put(tid, *row, data, size), write=True)
        return {}

    def work(txn: Txn) -> Item | None:
        old = _load(txn.item_get(tid, *row))
        if cond is not None and not cond.evaluate(old):
            raise _failed(old, params)
        txn.item_put(tid, *row, data, size)
        return old

    old = await store.run(work, write=True)
    out: dict[str, Any] = {}
    if rv == "ALL_OLD" and old is not None:
        out["Attributes"] = old
    old_size = values.item_size(old) if old else 0
    out.update(_consumed(params, table, capacity.write_units(size, old_size)))
    return out


# ---------------------------------------------------------------- DeleteItem
async def delete_item(store: Store, table: TableDef, params: dict[str, Any]) -> dict[str, Any]:
    rv = plans.return_values(params, ("NONE", "ALL_OLD"))
    plan = plans.build(params, table, operation="DeleteItem", condition=True)
    row = keys.from_key(table, params["Key"])
    tid = table.table_id
    cond = plan.condition

    def work(txn: Txn) -> Item | None:
        old = _load(txn.item_get(tid, *row))
        if cond is not None and not cond.evaluate(old):
            raise _failed(old, params)
        if old is not None:
            txn.item_delete(tid, *row)
        return old

    old = await store.run(work, write=True)
    out: dict[str, Any] = {}
    if rv == "ALL_OLD" and old is not None:
        out["Attributes"] = old
    out.update(_consumed(params, table, capacity.write_units(values.item_size(old) if old else 0)))
    return out


# ---------------------------------------------------------------- UpdateItem
_UPDATE_RV = ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW")


async def update_item(store: Store, table: TableDef, params: dict[str, Any]) -> dict[str, Any]:
    rv = plans.return_values(params, _UPDATE_RV)
    plan = plans.build(params, table, operation="UpdateItem", condition=True, update=True)
    key = params["Key"]
    row: RowKey = keys.from_key(table, key)
    upd = plan.update
    if upd is not None:
        touched = upd.changed_top_names
        for name in table.key_names:
            if name in touched:
                raise errors.invalid_params(
                    f"Cannot update attribute {name}. This attribute is part of the key"
                )
    tid = table.table_id
    cond = plan.condition

    def work(txn: Txn) -> tuple[Item | None, Item, int]:
        old = _load(txn.item_get(tid, *row))
        if cond is not None and not cond.evaluate(old):
            raise _failed(old, params)
        base = old if old is not None else dict(key)
        new = upd.apply(base, existed=old is not None) if upd is not None else base
        size = values.item_size(new)
        if size > values.MAX_ITEM_SIZE:
            raise errors.validation("Item size to update has exceeded the maximum allowed size")
        txn.item_put(tid, *row, orjson.dumps(new), size)
        return old, new, size

    old, new, size = await store.run(work, write=True)
    out: dict[str, Any] = {}
    if rv != "NONE":
        attrs = _returned(rv, old, new, upd)
        if attrs:
            out["Attributes"] = attrs
    old_size = values.item_size(old) if old else 0
    out.update(_consumed(params, table, capacity.write_units(size, old_size)))
    return out


def _returned(rv: str, old: Item | None, new: Item, upd: Update | None) -> Item | None:
    if rv == "ALL_OLD":
        return old
    if rv == "ALL_NEW":
        return new
    src = old if rv == "UPDATED_OLD" else new
    if not src or upd is None:
        return None
    # Only the updated paths, nested ones included, as DynamoDB returns them.
    return upd.updated_attributes(src)
