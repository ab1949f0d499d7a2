"""Consumed capacity, computed as DynamoDB bills it.

Reads: one unit per 4 KB (strongly consistent), half for eventually consistent.
Writes: one unit per 1 KB of the larger of the old and new item.
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html
"""

from __future__ import annotations

from typing import Any


def read_units(size: int, consistent: bool) -> float:
    units = max(1, -(-size // 4096))
    return float(units) if consistent else units / 2


def write_units(*sizes: int) -> float:
    return float(max(1, -(-max(sizes) // 1024)))


def report(mode: str | None, table_name: str, units: float) -> dict[str, Any] | None:
    """The `ConsumedCapacity` member for ReturnConsumedCapacity=`mode`, or None."""
    if mode == "TOTAL":
        return {"TableName": table_name, "CapacityUnits": units}
    if mode == "INDEXES":
        return {"TableName": table_name, "CapacityUnits": units, "Table": {"CapacityUnits": units}}
    return None
