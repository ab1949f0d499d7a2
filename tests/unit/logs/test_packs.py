"""Stored log events: service-written lines are stored a flush at a time as packs (one row per stream),
PutLogEvents' events one per row; reads give every event once, in (timestamp, arrival) order,
whatever the mix (see services/logs/engine/packs.py). Each case is checked against a plain sort
of everything that was written."""

from __future__ import annotations

import random
from typing import Any

import orjson

from cloudlet.services.logs.engine import events, packs
from cloudlet.services.logs.engine.catalog import Group, LogCatalog, Stream, now_ms
from cloudlet.store.base import Txn
from logs_catalog import ACCOUNT, GROUP, REGION, with_catalog


async def rows_of(cat: LogCatalog, g: Group, s: Stream) -> list[tuple[bytes, bytes, int]]:
    def read(txn: Txn) -> list[tuple[bytes, bytes, int]]:
        return list(txn.item_range(g.table_id, 0, s.name.encode(), None, True, None, True, True))

    return await cat.store.run(read)


async def page_all(cat: LogCatalog, g: Group, s: Stream, forward: bool, limit: int, **bounds: int) -> list[str]:
    """Every message GetLogEvents gives, following its tokens until they stop moving."""
    params: dict[str, Any] = {"startFromHead": forward, "limit": limit, **bounds}
    out: list[str] = []
    token = None
    while True:
        got = await events.get(cat, g, s, {**params, "nextToken": token} if token else params)
        msgs = [e["message"] for e in got["events"]]
        out = out + msgs if forward else msgs + out
        nxt = got["nextForwardToken" if forward else "nextBackwardToken"]
        if nxt == token:
            return out
        token = nxt


def test_pack_rows_bound_span_count_and_bytes() -> None:
    evs = [(1000 + i * 10, i, f"m{i}", 5) for i in range(300)]  # 3 s of events
    rows = list(packs.pack(list(reversed(evs))))  # any order in, sorted out
    got = [e for sk, d, _ in rows for e in packs.decode(sk, d)]
    assert got == evs
    for sk, d, size in rows:
        inside = packs.decode(sk, d)
        assert inside[-1][0] - inside[0][0] <= packs.PACK_SPAN_MS
        assert packs.position(sk) == inside[-1][:2]  # keyed by the last event
        assert size == sum(packs.size(e[2]) for e in inside)
    many = [(1000, i, "x", 0) for i in range(packs.PACK_EVENTS + 1)]
    assert [len(packs.decode(sk, d)) for sk, d, _ in packs.pack(many)] == [packs.PACK_EVENTS, 1]
    big = "y" * (packs.PACK_BYTES // 2 - packs.EVENT_OVERHEAD)  # two fit in a pack
    assert len(list(packs.pack([(1000, i, big, 0) for i in range(3)]))) == 2


@with_catalog
async def test_service_lines_are_one_row_per_stream_per_flush(cat: LogCatalog) -> None:
    g, s = await cat.ensure_stream(ACCOUNT, REGION, GROUP, "s1")  # type: ignore[misc]
    t = now_ms()
    for i in range(50):  # 50 invokes' lines before the flush
        events.append(cat, g, s, [(t + i, f"START {i}"), (t + i, f"line {i}"), (t + i, f"END {i}")])
    await cat.settle()
    assert len(await rows_of(cat, g, s)) == 1
    assert await page_all(cat, g, s, True, 7) == [f"{w} {i}" for i in range(50) for w in ("START", "line", "END")]


@with_catalog
async def test_single_rows_written_before_packs_read_as_before(cat: LogCatalog) -> None:
    """Rows of one event (PutLogEvents, and every service line stored before packs existed)."""
    g, s = await cat.ensure_stream(ACCOUNT, REGION, GROUP, "s1")  # type: ignore[misc]
    t = now_ms()
    await events.put(cat, g, s, [{"timestamp": t, "message": "api 1"}, {"timestamp": t + 5, "message": "api 2"}])
    events.append(cat, g, s, [(t + 2, "svc 1"), (t + 7, "svc 2")])
    await cat.settle()
    assert [len(packs.decode(sk, d)) for sk, d, _ in await rows_of(cat, g, s)] == [1, 1, 2]
    assert await page_all(cat, g, s, True, 1) == ["api 1", "svc 1", "api 2", "svc 2"]
    assert await page_all(cat, g, s, False, 1) == ["api 1", "svc 1", "api 2", "svc 2"]
    got = await events.get(cat, g, s, {"startFromHead": True, "startTime": t + 1, "endTime": t + 7})
    assert [e["message"] for e in got["events"]] == ["svc 1", "api 2"]


def _check_mixed(seed: int) -> None:
    """Random service lines (clock jitter, flushes in between) and PutLogEvents batches into one
    stream; every read must equal the sorted truth."""
    rnd = random.Random(seed)

    async def test(cat: LogCatalog) -> None:
        g, s = await cat.ensure_stream(ACCOUNT, REGION, GROUP, "s1")  # type: ignore[misc]
        base = now_ms() - 60_000
        truth: list[tuple[int, int, str]] = []
        for step in range(40):
            if rnd.random() < 0.3:  # a PutLogEvents batch anywhere in the last minute
                ts = sorted(base + rnd.randrange(0, 60_000) for _ in range(rnd.randrange(1, 4)))
                seq = s.seq
                msgs = [f"api {step}.{i}" for i in range(len(ts))]
                await events.put(cat, g, s, [{"timestamp": t, "message": m} for t, m in zip(ts, msgs, strict=True)])
            else:  # an invoke's lines, its clock a little behind or ahead of the last one's
                start = base + step * 1_500 + rnd.randrange(-1_200, 1_200)
                ts = sorted(start + rnd.randrange(0, 1_500) for _ in range(rnd.randrange(1, 6)))
                seq = s.seq
                msgs = [f"svc {step}.{i}" for i in range(len(ts))]
                events.append(cat, g, s, list(zip(ts, msgs, strict=True)))
            truth += [(t, seq + i, m) for i, (t, m) in enumerate(zip(ts, msgs, strict=True))]
            if rnd.random() < 0.3:
                await cat.settle()
        await cat.settle()
        truth.sort()
        want = [m for _, _, m in truth]
        for limit in (1, 3, 10_000):
            assert await page_all(cat, g, s, True, limit) == want
            assert await page_all(cat, g, s, False, limit) == want
        for _ in range(5):
            lo = base + rnd.randrange(0, 60_000)
            hi = lo + rnd.randrange(0, 20_000)
            inside = [m for t, _, m in truth if lo <= t < hi]
            assert await page_all(cat, g, s, True, 2, startTime=lo, endTime=hi) == inside
            assert await page_all(cat, g, s, False, 2, startTime=lo, endTime=hi) == inside
        filtered, token = [], None
        while True:
            got = await events.filter_events(cat, g, {"limit": 4, **({"nextToken": token} if token else {})})
            filtered += [e["message"] for e in got["events"]]
            token = got.get("nextToken")
            if not token:
                break
        assert filtered == want

    with_catalog(test)()


def test_mixed_rows_and_packs_read_in_order() -> None:
    for seed in range(12):
        _check_mixed(seed)


@with_catalog
async def test_retention_inside_a_pack(cat: LogCatalog) -> None:
    """A pack across the retention cutoff: its expired events are not read, its live ones stay."""
    g, s = await cat.ensure_stream(ACCOUNT, REGION, GROUP, "s1")  # type: ignore[misc]
    edge = now_ms() - events.DAY_MS
    events.append(cat, g, s, [(edge - 10_000, "gone"), (edge - 300, "old"), (edge + 600, "new")])
    await cat.settle()
    rows = [[e[2] for e in packs.decode(sk, d)] for sk, d, _ in await rows_of(cat, g, s)]
    assert rows == [["gone"], ["old", "new"]]
    g.retention_days = 1
    await events.purge_expired(cat, [g])
    assert len(await rows_of(cat, g, s)) == 1  # the pack that ends after the cutoff stays
    assert await page_all(cat, g, s, True, 10) == ["new"]
    assert await page_all(cat, g, s, False, 10) == ["new"]
    found = await events.filter_events(cat, g, {})
    assert [e["message"] for e in found["events"]] == ["new"]


@with_catalog
async def test_stream_documents_of_earlier_versions_load(cat: LogCatalog) -> None:
    """Earlier versions kept a stream's byte count in its document (AWS reports 0 for streams)."""
    g, s = await cat.ensure_stream(ACCOUNT, REGION, GROUP, "old")  # type: ignore[misc]
    doc = {**s.__dict__, "stored_bytes": 123}

    def write(txn: Txn) -> None:
        txn.meta_put(g.streams_ns, "old", orjson.dumps(doc))

    await cat.store.run(write, write=True)
    await cat.load()
    g2 = cat.group(ACCOUNT, REGION, GROUP)
    assert cat.stream(g2, "old").describe(g2)["storedBytes"] == 0
