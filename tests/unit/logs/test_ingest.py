"""The ingest buffer for log lines written by cloudlet's services (Lambda output, API Gateway logs):
lines are in their stream at once, stored shortly after in one transaction, and every read path
stores what is pending first (see services/logs/engine/ingest.py)."""

from __future__ import annotations

import asyncio

from cloudlet.services.logs.engine import events, ingest, packs
from cloudlet.services.logs.engine.catalog import LogCatalog
from cloudlet.store.base import Txn
from logs_catalog import ACCOUNT, GROUP, REGION, with_catalog


async def stored(cat: LogCatalog, stream: str) -> list[str]:
    """The messages in the store, read around the catalog (no settle)."""
    g = cat.group(ACCOUNT, REGION, GROUP)

    def read(txn: Txn) -> list[str]:
        rows = txn.item_range(g.table_id, 0, stream.encode(), None, True, None, True, True)
        return [ev[2] for sk, data, _ in rows for ev in packs.decode(sk, data)]

    return await cat.store.run(read)


@with_catalog
async def test_lines_are_in_the_stream_at_once_and_stored_after_the_delay(cat: LogCatalog) -> None:
    g, s = await cat.ensure_stream(ACCOUNT, REGION, GROUP, "s1")  # type: ignore[misc]
    events.append(cat, g, s, [(1000, "START\n"), (1001, "hello\n")])
    # the stream's counters moved (DescribeLogStreams shows it), the store has nothing yet
    assert (s.first_event, s.last_event, s.seq) == (1000, 1001, 2)
    assert cat.ingest.pending and await stored(cat, "s1") == []
    await asyncio.sleep(ingest.FLUSH_DELAY_S * 3)
    assert not cat.ingest.pending
    assert await stored(cat, "s1") == ["START\n", "hello\n"]


@with_catalog
async def test_reads_store_pending_lines_first(cat: LogCatalog) -> None:
    g, s = await cat.ensure_stream(ACCOUNT, REGION, GROUP, "s1")  # type: ignore[misc]
    events.append(cat, g, s, [(1000, "a"), (1000, "b")])
    got = await events.get(cat, g, s, {"startFromHead": True})
    assert [e["message"] for e in got["events"]] == ["a", "b"]
    events.append(cat, g, s, [(1002, "c")])
    found = await events.filter_events(cat, g, {"filterPattern": "c"})
    assert [e["message"] for e in found["events"]] == ["c"]


@with_catalog
async def test_many_lines_are_stored_without_waiting_for_the_timer(cat: LogCatalog) -> None:
    g, s = await cat.ensure_stream(ACCOUNT, REGION, GROUP, "s1")  # type: ignore[misc]
    events.append(cat, g, s, [(1000 + i, f"line {i}") for i in range(ingest.FLUSH_EVENTS)])
    for _ in range(20):  # the flush task runs on the next turns of the loop
        await asyncio.sleep(0)
    assert len(await stored(cat, "s1")) == ingest.FLUSH_EVENTS


@with_catalog
async def test_a_deleted_stream_is_not_brought_back(cat: LogCatalog) -> None:
    g, s = await cat.ensure_stream(ACCOUNT, REGION, GROUP, "s1")  # type: ignore[misc]
    events.append(cat, g, s, [(1000, "before")])
    await cat.delete_stream(g, s)  # stores the pending line, then deletes the stream with it
    events.append(cat, g, s, [(1001, "late")])  # a writer that still holds the old stream
    await cat.settle()
    assert await stored(cat, "s1") == []
    assert "s1" not in cat.streams(g)
    await cat.load()  # and nothing of it came back in the store's documents
    assert "s1" not in cat.streams(cat.group(ACCOUNT, REGION, GROUP))


@with_catalog
async def test_deleting_the_group_with_pending_lines(cat: LogCatalog) -> None:
    g, s = await cat.ensure_stream(ACCOUNT, REGION, GROUP, "s1")  # type: ignore[misc]
    events.append(cat, g, s, [(1000, "x")])
    await cat.delete_group(g)
    events.append(cat, g, s, [(1001, "late")])
    await cat.settle()  # the group's table is gone: the late line is dropped, nothing fails
    assert cat.groups(ACCOUNT, REGION) == []


@with_catalog
async def test_ensure_stream_creates_once_under_concurrency(cat: LogCatalog) -> None:
    got = await asyncio.gather(*(cat.ensure_stream(ACCOUNT, REGION, GROUP, "s") for _ in range(5)))
    assert len({id(pair[1]) for pair in got if pair}) == 1
    assert await cat.ensure_stream(ACCOUNT, REGION, "/none", "s", create_group=False) is None


@with_catalog
async def test_lines_added_while_a_flush_commits_wait_for_the_next_one(cat: LogCatalog) -> None:
    """Under load, invokes end while a flush commits: their lines go with the next timed flush,
    not in a transaction each right away (which is what made small transactions back to back)."""
    g, s = await cat.ensure_stream(ACCOUNT, REGION, GROUP, "s1")  # type: ignore[misc]
    writes = 0
    real_run = cat.store.run

    async def run_with_an_invoke_ending_meanwhile(fn, write=False):  # type: ignore[no-untyped-def]
        nonlocal writes
        if write:
            writes += 1
            if writes <= 5:
                events.append(cat, g, s, [(2000 + writes, f"during flush {writes}")])
        return await real_run(fn, write=write)

    cat.store.run = run_with_an_invoke_ending_meanwhile  # type: ignore[method-assign]
    events.append(cat, g, s, [(1000, "first")])
    await asyncio.sleep(ingest.FLUSH_DELAY_S * 1.5)  # the timed flush ran, its commit is done
    assert writes == 1
    assert await stored(cat, "s1") == ["first"]
    await cat.settle()  # a read stores the rest
    assert len(await stored(cat, "s1")) >= 2
