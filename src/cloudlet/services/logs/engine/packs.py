"""How a stream's events are stored: rows of one event or packs of many, and reading them in order.

A row's key is the sort key of its last event: timestamp (biased to sort as unsigned) + the
stream's sequence number, so equal timestamps keep their arrival order. PutLogEvents stores each
event in a row of its own (`{"t","m","i"}`). Lines written by cloudlet's services (a function's
output, API Gateway's logs) are stored a flush at a time as packs (`[[t, seq, m, i], ...]`): one
row per stream per flush instead of one per line, which was the largest part of a warm invoke's
cost in the server (see ingest.py).

A pack spans at most PACK_SPAN_MS, but packs and single rows may interleave (an out-of-order
PutLogEvents into a function's stream, a clock stepping back), so reads merge: every event of a
row with key K lies within [K - PACK_SPAN_MS, K]. Reading forward, an event is final once a row
with a key more than PACK_SPAN_MS past it has been read; backward, once a row with a smaller key
has. A range with an upper bound reads rows up to PACK_SPAN_MS past it.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator

import orjson

PACK_SPAN_MS = 1_000
PACK_EVENTS = 1_000
PACK_BYTES = 256 * 1024
EVENT_OVERHEAD = 26  # bytes AWS adds per event when sizing a batch or a response
_BIAS = 1 << 63

# (timestamp, sequence number, message, ingestion time); tuples order by timestamp, then sequence
Event = tuple[int, int, str, int]
Pos = tuple[int, int]  # (timestamp, sequence number): an event's place in its stream
Row = tuple[bytes, bytes, int]  # (sort key, stored data, size)


def sort_key(ts: int, seq: int) -> bytes:
    return (ts + _BIAS).to_bytes(8, "big") + seq.to_bytes(8, "big")


def position(sk: bytes) -> Pos:
    return int.from_bytes(sk[:8], "big") - _BIAS, int.from_bytes(sk[8:], "big")


def size(message: str) -> int:
    return len(message.encode()) + EVENT_OVERHEAD


def single(ts: int, seq: int, message: str, ingested: int) -> Row:
    return sort_key(ts, seq), orjson.dumps({"t": ts, "m": message, "i": ingested}), size(message)


def pack(events: list[Event]) -> Iterator[Row]:
    """Rows for a stream's events (any order): packs of at most PACK_SPAN_MS, PACK_EVENTS events
    and PACK_BYTES (a bigger event is a pack of its own)."""
    events = sorted(events)  # arrival order is nearly always time order already
    start = 0
    total = 0
    for i, ev in enumerate(events):
        n = size(ev[2])
        if i > start and (ev[0] - events[start][0] > PACK_SPAN_MS or i - start >= PACK_EVENTS
                          or total + n > PACK_BYTES):
            yield _pack_row(events[start:i], total)
            start, total = i, 0
        total += n
    if start < len(events):
        yield _pack_row(events[start:], total)


def _pack_row(events: list[Event], total: int) -> Row:
    last = events[-1]
    return sort_key(last[0], last[1]), orjson.dumps(events), total


def decode(sk: bytes, data: bytes) -> list[Event]:
    if data[:1] == b"[":
        return [tuple(e) for e in orjson.loads(data)]  # type: ignore[misc]
    d = orjson.loads(data)
    return [(d["t"], position(sk)[1], d["m"], d["i"])]


def forward(rows: Iterable[tuple[bytes, bytes, int]], after: Pos | None, before: Pos | None) -> Iterator[Event]:
    """Events of `rows` (ascending keys) with `after` < position < `before`, in order."""
    heap: list[Event] = []
    for sk, data, _ in rows:
        if heap:
            safe = position(sk)[0] - PACK_SPAN_MS  # later rows hold nothing before this
            while heap and heap[0][0] < safe:
                yield heapq.heappop(heap)
        for ev in decode(sk, data):
            p = (ev[0], ev[1])
            if (after is None or p > after) and (before is None or p < before):
                heapq.heappush(heap, ev)
    while heap:
        yield heapq.heappop(heap)


def backward(rows: Iterable[tuple[bytes, bytes, int]], after: Pos | None, before: Pos | None) -> Iterator[Event]:
    """Events of `rows` (descending keys) with `after` < position < `before`, last first."""
    heap: list[tuple[int, int, Event]] = []  # negated positions: a max-heap
    for sk, data, _ in rows:
        if heap:
            key = position(sk)  # later rows hold nothing from this key on
            while heap and (-heap[0][0], -heap[0][1]) > key:
                yield heapq.heappop(heap)[2]
        for ev in decode(sk, data):
            p = (ev[0], ev[1])
            if (after is None or p > after) and (before is None or p < before):
                heapq.heappush(heap, (-ev[0], -ev[1], ev))
    while heap:
        yield heapq.heappop(heap)[2]


def upper_row_key(before: Pos) -> bytes:
    """Rows past this key hold no event before `before`."""
    return sort_key(before[0] + PACK_SPAN_MS + 1, 0)
