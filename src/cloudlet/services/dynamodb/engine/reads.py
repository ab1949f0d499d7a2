"""Query and Scan: one ordered range read of the store, then filter, project, page.

Paging rules (Limit counts items read before the filter; a page stops at 1 MB of read data;
LastEvaluatedKey is the last item read):
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.Pagination.html
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Scan.html#Scan.ParallelScan
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from cloudlet.services.dynamodb.engine import capacity, errors, keys, plans, values
from cloudlet.services.dynamodb.engine.tables import TableDef
from cloudlet.store import keycodec
from cloudlet.store.base import Store, Txn

PAGE_BYTES = 1024 * 1024
SMALL_LIMIT = 100  # a Query with a Limit up to this reads its rows in one go
_ALL = "ALL_ATTRIBUTES"


def _select(params: dict[str, Any], plan: plans.Plan) -> str:
    select = params.get("Select")
    if params.get("IndexName"):
        raise errors.validation("cloudlet does not support reading secondary indexes yet")
    if select == "ALL_PROJECTED_ATTRIBUTES":
        raise errors.validation(
            "One or more parameter values were invalid: Select type ALL_PROJECTED_ATTRIBUTES "
            "is not valid when not querying an index"
        )
    if select == "SPECIFIC_ATTRIBUTES" and plan.projection is None:
        raise errors.validation(
            "One or more parameter values were invalid: Select type SPECIFIC_ATTRIBUTES "
            "requires AttributesToGet or ProjectionExpression"
        )
    if plan.projection is not None and select not in (None, "SPECIFIC_ATTRIBUTES"):
        which = "ProjectionExpression" if "ProjectionExpression" in params else "AttributesToGet"
        raise errors.validation(
            f"One or more parameter values were invalid: Cannot specify the {which} when "
            f"choosing to get {select}"
        )
    return select or _ALL


def _page(
    rows: Iterable[tuple[bytes, int]] | list[tuple[bytes, int]],
    limit: int | None,
    plan: plans.Plan,
    count_only: bool,
) -> tuple[list[bytes | dict[str, Any]], int, int, bytes | None, int]:
    """Read rows until Limit or 1 MB: (items, count, scanned, last raw item, bytes read)."""
    flt, proj = plan.filter, plan.projection
    raw_ok = flt is None and proj is None
    if raw_ok and isinstance(rows, list) and limit is not None and len(rows) <= limit:
        # The store read at most Limit rows (Query with Limit): take them whole unless they reach 1 MB.
        read = sum(size for _, size in rows)
        if read < PAGE_BYTES:
            n = len(rows)
            last_row = rows[-1][0] if n and n == limit else None
            return [] if count_only else [d for d, _ in rows], n, n, last_row, read
    out: list[bytes | dict[str, Any]] = []
    count: int = 0
    scanned: int = 0
    read = 0
    last: bytes | None = None
    for data, size in rows:
        scanned += 1
        read += size
        last = data
        if raw_ok:
            count += 1
            if not count_only:
                out.append(data)
        else:
            item = orjson.loads(data)
            if flt is None or flt.evaluate(item):
                count += 1
                if not count_only:
                    out.append(proj.apply(item) if proj is not None else item)
        if (limit is not None and scanned >= limit) or read >= PAGE_BYTES:
            return out, count, scanned, last, read
    return out, count, scanned, None, read


def _render(
    table: TableDef,
    params: dict[str, Any],
    page: tuple[list[bytes | dict[str, Any]], int, int, bytes | None, int],
    count_only: bool,
    raw: bool,
) -> bytes:
    items, count, scanned, last, read = page
    parts: list[bytes] = []
    if not count_only:
        if raw:  # stored wire JSON, spliced as it is
            parts.append(b'"Items":[' + b",".join(items) + b"]")  # type: ignore[arg-type]
        else:
            parts.append(b'"Items":[' + b",".join(orjson.dumps(i) for i in items) + b"]")
    parts.append(b'"Count":%d,"ScannedCount":%d' % (count, scanned))
    if last is not None:
        parts.append(b'"LastEvaluatedKey":' + orjson.dumps(keys.key_of(table, orjson.loads(last))))
    mode = params.get("ReturnConsumedCapacity")
    if mode is not None and mode != "NONE":
        consistent = bool(params.get("ConsistentRead"))
        units = capacity.read_units(read, consistent) if read else (1.0 if consistent else 0.5)
        cc = capacity.report(mode, table.name, units)
        if cc:
            parts.append(b'"ConsumedCapacity":' + orjson.dumps(cc))
    return b"{" + b",".join(parts) + b"}"


def _limit(params: dict[str, Any]) -> int | None:
    return params.get("Limit")


# ---------------------------------------------------------------- Query
async def query(store: Store, table: TableDef, params: dict[str, Any]) -> bytes:
    plan = plans.build(
        params, table, operation="Query", key_condition=True, filter_param="QueryFilter", projection=True
    )
    if plan.filter is not None:
        for name in table.key_names:
            if name in plan.filter.top_names:
                # https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.FilterExpression.html
                which = "Filter Expression" if "FilterExpression" in params else "QueryFilter"
                raise errors.validation(
                    f"{which} can only contain non-primary key attributes: Primary key attribute: {name}"
                )
    select = _select(params, plan)
    kc = plan.key_condition
    if kc is None:
        raise errors.validation(
            "Either the KeyConditions or KeyConditionExpression parameter must be specified in "
            "the request."
        )
    h, pk = keys.partition(table, kc.hash_value)
    lo, lo_inc, hi, hi_inc = _bounds(table, kc)
    forward = params.get("ScanIndexForward", True) is not False
    esk = params.get("ExclusiveStartKey")
    if esk is not None:
        _eh, epk, esk_sk = _start_key(table, esk)
        if epk != pk:
            raise errors.validation(
                "The provided starting key is outside query boundaries based on provided conditions"
            )
        if forward and (lo is None or esk_sk >= lo):
            lo, lo_inc = esk_sk, False
        elif not forward and (hi is None or esk_sk <= hi):
            hi, hi_inc = esk_sk, False
    count_only = select == "COUNT"
    tid = table.table_id
    limit = _limit(params)

    def work(txn: Txn) -> Any:
        # Limit counts the items read (before any filter), so the store reads no more than that.
        rows = txn.item_range(tid, h, pk, lo, lo_inc, hi, hi_inc, forward, limit)
        if limit is not None and limit <= SMALL_LIMIT:
            return _page([(d, s) for _, d, s in rows], limit, plan, count_only)
        return _page(((d, s) for _, d, s in rows), limit, plan, count_only)

    return _render(table, params, await store.run(work), count_only, plan.filter is None and plan.projection is None)


def _bounds(table: TableDef, kc: Any) -> tuple[bytes | None, bool, bytes | None, bool]:
    op = kc.range_op
    if op is None:
        return None, True, None, True
    assert table.range_type is not None
    assert table.range_name is not None
    enc = [keys.condition_value(table, table.range_name, table.range_type, v) for v in kc.range_values]
    if op == "EQ":
        return enc[0], True, enc[0], True
    if op == "LT":
        return None, True, enc[0], False
    if op == "LE":
        return None, True, enc[0], True
    if op == "GT":
        return enc[0], False, None, True
    if op == "GE":
        return enc[0], True, None, True
    if op == "BETWEEN":
        return enc[0], True, enc[1], True
    # BEGINS_WITH: [prefix, next prefix)
    return enc[0], True, _next_prefix(enc[0]), False


def _next_prefix(prefix: bytes) -> bytes | None:
    p = bytearray(prefix)
    while p and p[-1] == 0xFF:
        p.pop()
    if not p:
        return None
    p[-1] += 1
    return bytes(p)


def _start_key(table: TableDef, esk: Any) -> tuple[int, bytes, bytes]:
    if not isinstance(esk, dict):
        raise errors.validation("The provided starting key is invalid")
    for av in esk.values():
        values.validate_value(av)
    try:
        return keys.from_key(table, esk)
    except errors.AwsError:
        raise errors.validation(
            "The provided starting key is invalid: The provided key element does not match the schema"
        ) from None


# ---------------------------------------------------------------- Scan
async def scan(store: Store, table: TableDef, params: dict[str, Any]) -> bytes:
    plan = plans.build(params, table, operation="Scan", filter_param="ScanFilter", projection=True)
    select = _select(params, plan)
    segment, total = params.get("Segment"), params.get("TotalSegments")
    if (segment is None) != (total is None):
        missing = "TotalSegments" if total is None else "Segment"
        present = "Segment" if total is None else "TotalSegments"
        raise errors.validation(
            f"The {missing} parameter is required but was not present in the request when "
            f"parameter {present} is present"
        )
    h_lo, h_hi = 0, 1 << 32
    if segment is not None and total is not None:
        if segment >= total:
            raise errors.validation(
                "The Segment parameter is zero-based and must be less than parameter "
                f"TotalSegments: Segment: {segment} is not less than TotalSegments: {total}"
            )
        h_lo, h_hi = keycodec.segment_range(segment, total)
    after = None
    esk = params.get("ExclusiveStartKey")
    if esk is not None:
        after = _start_key(table, esk)
        if not h_lo <= after[0] < h_hi:
            raise errors.validation(
                "The provided Exclusive start key does not map to the provided Segment and "
                "TotalSegments values."
            )
    count_only = select == "COUNT"
    tid = table.table_id
    limit = _limit(params)

    def work(txn: Txn) -> Any:
        rows: Iterator[tuple[int, bytes, bytes, bytes, int]] = txn.item_scan(tid, after, h_lo, h_hi)
        return _page(((d, s) for _, _, _, d, s in rows), limit, plan, count_only)

    return _render(table, params, await store.run(work), count_only, plan.filter is None and plan.projection is None)
