"""The storage interface engines talk to.

Engines never see SQL. A unit of work is a plain (synchronous) function over a `Txn`, handed to
`Store.run`: the embedded SQLite store runs it inline on the event loop (its calls take
microseconds, a thread hop would cost more than the work), a networked store runs it in a worker
thread. Either way the function sees one transaction: its reads and writes are atomic together,
and `run` returns only after a write transaction is committed, so an acknowledged write is in the
database before the response leaves. A unit's writes take effect when it returns: its reads see the
state before them, and a unit that raises changes nothing.

Two kinds of data:
- metadata: small JSON documents by (namespace, key), e.g. DynamoDB table descriptions;
- item tables: one per DynamoDB table (and later per index), rows keyed by
  (scan hash, partition bytes, sort bytes) holding the item's wire JSON and its size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol, TypeVar

T = TypeVar("T")

# (scan hash, partition key bytes, sort key bytes): a row's position in its item table.
RowKey = tuple[int, bytes, bytes]


class Txn(Protocol):
    # -- metadata documents
    def meta_get(self, ns: str, key: str) -> bytes | None: ...
    def meta_put(self, ns: str, key: str, value: bytes) -> None: ...
    def meta_delete(self, ns: str, key: str) -> None: ...
    def meta_list(self, ns: str) -> list[tuple[str, bytes]]: ...
    def meta_clear(self, ns: str) -> None: ...

    # -- item tables
    def create_item_table(self, table_id: str) -> None: ...
    def drop_item_table(self, table_id: str) -> None: ...
    def item_get(self, table_id: str, h: int, pk: bytes, sk: bytes) -> bytes | None: ...
    def item_put(
        self, table_id: str, h: int, pk: bytes, sk: bytes, data: bytes, size: int
    ) -> None: ...
    def item_delete(self, table_id: str, h: int, pk: bytes, sk: bytes) -> None: ...
    def item_delete_range(self, table_id: str, h: int, pk: bytes, below: bytes) -> None:
        """Delete the rows of one partition whose sort key is < `below`."""
        ...
    def item_range(
        self,
        table_id: str,
        h: int,
        pk: bytes,
        lo: bytes | None,
        lo_inclusive: bool,
        hi: bytes | None,
        hi_inclusive: bool,
        forward: bool,
        limit: int | None = None,
    ) -> Iterator[tuple[bytes, bytes, int]]:
        """Rows of one partition with lo <(=) sort <(=) hi, in sort order: (sk, data, size);
        at most `limit` of them."""
        ...

    def item_scan(
        self, table_id: str, after: RowKey | None, h_lo: int, h_hi: int
    ) -> Iterator[tuple[int, bytes, bytes, bytes, int]]:
        """Rows in scan order with h_lo <= h < h_hi, strictly after `after`:
        (h, pk, sk, data, size)."""
        ...

    def item_stats(self, table_id: str) -> tuple[int, int]:
        """(item count, total item bytes)."""
        ...


class Store(Protocol):
    name: str

    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def run(self, fn: Callable[[Txn], T], write: bool = False) -> T: ...
    async def reset(self) -> None:
        """Drop every piece of state (POST /_cloudlet/reset)."""
        ...
