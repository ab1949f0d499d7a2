"""The SQLite store: group commit, per-unit rollback, persistence, the data-dir lock."""

from __future__ import annotations

import asyncio
import os

import pytest

from cloudlet.store.sqlite import SqliteStore, SqliteTxn


def put(key: bytes, fail: bool = False):  # type: ignore[no-untyped-def]
    def work(txn: SqliteTxn) -> None:
        txn.item_put("t", 1, key, b"", b"{}", 2)
        if fail:
            raise ValueError("unit fails after writing")

    return work


async def scan(store: SqliteStore) -> list[bytes]:
    return await store.run(lambda txn: sorted(r[1] for r in txn.item_scan("t", None, 0, 1 << 32)))


def test_group_commit_rolls_back_only_the_failing_unit(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = os.path.join(tmp_path, "db.sqlite")

    async def main() -> None:
        store = SqliteStore(path)
        await store.open()
        await store.run(lambda txn: txn.create_item_table("t"), write=True)
        results = await asyncio.gather(
            store.run(put(b"a"), write=True),
            store.run(put(b"b", fail=True), write=True),
            store.run(put(b"c"), write=True),
            return_exceptions=True,
        )
        assert results[0] is None and isinstance(results[1], ValueError) and results[2] is None
        assert await scan(store) == [b"a", b"c"]
        await store.close()
        again = SqliteStore(path)
        await again.open()
        assert await scan(again) == [b"a", b"c"]  # committed before the callers were answered
        await again.close()

    asyncio.run(main())


def test_reset_drops_tables_and_metadata() -> None:
    async def main() -> None:
        store = SqliteStore(None)
        await store.open()
        await store.run(lambda txn: txn.create_item_table("t"), write=True)
        await store.run(lambda txn: txn.meta_put("ns", "k", b"v"), write=True)
        await store.reset()
        assert await store.run(lambda txn: txn.meta_list("ns")) == []
        await store.run(lambda txn: txn.create_item_table("t"), write=True)
        assert await scan(store) == []
        await store.close()

    asyncio.run(main())


def test_one_server_per_database(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = os.path.join(tmp_path, "db.sqlite")

    async def main() -> None:
        first = SqliteStore(path)
        await first.open()
        with pytest.raises(OSError, match="in use by another cloudlet server"):
            await SqliteStore(path).open()
        await first.close()
        second = SqliteStore(path)
        await second.open()  # free again once the first is closed
        await second.close()

    asyncio.run(main())


# The page cache is bounded by its setting: the server's memory stops growing there.
def test_cache_size_follows_the_setting(tmp_path) -> None:  # type: ignore[no-untyped-def]
    async def main() -> None:
        store = SqliteStore(str(tmp_path / "c.db"), cache_mib=3)
        await store.open()
        try:
            assert store._conn is not None
            assert store._conn.execute("PRAGMA cache_size").fetchone()[0] == -3 * 1024
        finally:
            await store.close()

    asyncio.run(main())


async def _store_with_table() -> SqliteStore:
    store = SqliteStore(None)
    await store.open()
    await store.run(lambda txn: txn.create_item_table("t"), write=True)
    return store


async def _put_after(store: SqliteStore, turns: int, key: bytes) -> None:
    """put(key), after `turns` turns of the event loop (a request arriving a little later)."""
    for _ in range(turns):
        await asyncio.sleep(0)
    await store.run(put(key), write=True)


def _count_commits(store: SqliteStore) -> list[int]:
    """Sizes of the groups committed from now on."""
    sizes: list[int] = []
    commit = store._commit_group

    def counted() -> None:
        sizes.append(len(store._pending or ()))
        commit()

    store._commit_group = counted  # type: ignore[method-assign]
    return sizes


def test_a_lone_write_commits_on_the_next_turn() -> None:
    async def main() -> None:
        store = await _store_with_table()
        sizes = _count_commits(store)
        loop = asyncio.get_running_loop()
        turns = 0

        def tick() -> None:
            nonlocal turns
            turns += 1
            loop.call_soon(tick)

        loop.call_soon(tick)
        await store.run(put(b"a"), write=True)
        assert sizes == [1]
        assert turns <= 2  # no waiting for writers that are not coming
        await store.close()

    asyncio.run(main())


def test_writers_joining_turn_after_turn_share_one_commit() -> None:
    async def main() -> None:
        store = await _store_with_table()
        sizes = _count_commits(store)
        # Two writers join in the first turn, one more in each of the next turns (as requests of
        # concurrent clients arrive): the commit waits while the group keeps growing.
        await asyncio.gather(*(_put_after(store, t, k) for t, k in ((0, b"a"), (0, b"b"), (1, b"c"), (2, b"d"))))
        assert sizes == [4]
        assert await scan(store) == [b"a", b"b", b"c", b"d"]
        await store.close()

    asyncio.run(main())


def test_a_growing_group_waits_a_bounded_number_of_turns() -> None:
    from cloudlet.store.sqlite import MAX_COMMIT_WAITS

    async def main() -> None:
        store = await _store_with_table()
        sizes = _count_commits(store)
        n = MAX_COMMIT_WAITS + 4
        await asyncio.gather(_put_after(store, 0, b"x"), *(_put_after(store, i, b"k%02d" % i) for i in range(n)))
        assert len(sizes) >= 2 and sum(sizes) == n + 1  # the first group did not wait for all
        await store.close()

    asyncio.run(main())


def test_a_unit_of_many_statements_is_applied_in_order_or_not_at_all() -> None:
    async def main() -> None:
        store = await _store_with_table()

        def many(txn: SqliteTxn) -> None:  # runs of one statement, then another, then the first again
            for k in (b"a", b"b", b"c"):
                txn.item_put("t", 1, k, b"", b"{}", 2)
            txn.item_delete("t", 1, b"b", b"")
            txn.meta_put("ns", "k", b"v")
            txn.item_put("t", 1, b"d", b"", b"{}", 2)

        await store.run(many, write=True)
        assert await scan(store) == [b"a", b"c", b"d"]

        def fails_in_sql(txn: SqliteTxn) -> None:
            txn.item_put("t", 1, b"e", b"", b"{}", 2)
            txn.item_put("t", 1, b"f", b"", b"{}", 2)
            txn.item_put("missing_table", 1, b"g", b"", b"{}", 2)  # SQLite refuses this one

        with pytest.raises(Exception, match="no such table"):
            await store.run(fails_in_sql, write=True)
        assert await scan(store) == [b"a", b"c", b"d"]
        assert await store.run(lambda txn: txn.meta_get("ns", "k")) == b"v"
        await store.close()

    asyncio.run(main())
