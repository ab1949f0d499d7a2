"""Log events: PutLogEvents, GetLogEvents, FilterLogEvents, and retention.

Events of a group live in its item table: partition = stream name, sort key = timestamp (biased
to sort as unsigned) + a per-stream sequence number, so a stream's events in a time range are
one ordered range read, and equal timestamps keep their arrival order.
https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html
https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogEvents.html
https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html
"""

from __future__ import annotations

import base64
import heapq
import itertools
import zlib
from typing import Any

import orjson

from cloudlet.services.logs.engine import errors
from cloudlet.services.logs.engine.catalog import Group, LogCatalog, Stream, now_ms
from cloudlet.services.logs.engine.filter_pattern import compile_pattern
from cloudlet.store.base import Txn

DAY_MS = 86_400_000
MAX_SPAN_MS = DAY_MS  # one PutLogEvents batch may not span more than 24 hours
TOO_OLD_MS = 14 * DAY_MS
TOO_NEW_MS = 2 * 3_600_000
MAX_EVENTS = 10_000
MAX_BYTES = 1_048_576
EVENT_OVERHEAD = 26  # bytes AWS adds per event when sizing a batch or a response
RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
                  2557, 2922, 3288, 3653)
_BIAS = 1 << 63
_ZERO = b"\x00" * 16


def sort_key(ts: int, seq: int) -> bytes:
    return (ts + _BIAS).to_bytes(8, "big") + seq.to_bytes(8, "big")


def _ts(sk: bytes) -> int:
    return int.from_bytes(sk[:8], "big") - _BIAS


def cutoff(group: Group, now: int) -> int | None:
    return None if group.retention_days is None else now - group.retention_days * DAY_MS


# ---------------------------------------------------------------- PutLogEvents
async def put(cat: LogCatalog, g: Group, s: Stream, events: list[dict[str, Any]]) -> dict[str, Any]:
    now = now_ms()
    stamps = [e["timestamp"] for e in events]
    if any(b < a for a, b in itertools.pairwise(stamps)):
        raise errors.invalid("Log events in a single PutLogEvents request must be in chronological order.")
    if stamps[-1] - stamps[0] > MAX_SPAN_MS:
        raise errors.invalid("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
    rejected: dict[str, int] = {}
    new_start = next((i for i, t in enumerate(stamps) if t > now + TOO_NEW_MS), len(stamps))
    old_end = sum(1 for t in stamps if t < now - TOO_OLD_MS)
    expired = cutoff(g, now)
    expired_end = sum(1 for t in stamps if expired is not None and t < expired)
    if new_start < len(stamps):
        rejected["tooNewLogEventStartIndex"] = new_start
    if old_end:
        rejected["tooOldLogEventEndIndex"] = old_end
    if expired_end:
        rejected["expiredLogEventEndIndex"] = expired_end
    accepted = events[max(old_end, expired_end) : new_start]
    if accepted:
        # The stream's counters change before the store is awaited, so concurrent puts to one stream
        # take distinct sequence numbers (each event is its own row) and the last doc written holds all.
        pk = s.name.encode()
        rows = _take(s, [(e["timestamp"], e["message"]) for e in accepted], now)
        doc = orjson.dumps(s.__dict__)

        def work(txn: Txn) -> None:
            for sk, data, size in rows:
                txn.item_put(g.table_id, 0, pk, sk, data, size)
            txn.meta_put(g.streams_ns, s.name, doc)

        await cat.store.run(work, write=True)
    out: dict[str, Any] = {"nextSequenceToken": f"{s.seq + 1:056d}"}
    if rejected:
        out["rejectedLogEventsInfo"] = rejected
    return out


def _take(s: Stream, events: list[tuple[int, str]], now: int) -> list[tuple[bytes, bytes, int]]:
    """Rows for `events` (timestamp order) and the stream's counters moved past them."""
    rows = []
    seq = s.seq
    for ts, msg in events:
        data = orjson.dumps({"t": ts, "m": msg, "i": now})
        rows.append((sort_key(ts, seq), data, len(msg.encode()) + EVENT_OVERHEAD))
        seq += 1
    s.seq = seq
    first, last = events[0][0], events[-1][0]
    s.first_event = first if s.first_event is None else min(s.first_event, first)
    s.last_event = last if s.last_event is None else max(s.last_event, last)
    s.last_ingestion = now
    s.stored_bytes += sum(size for _, _, size in rows)
    return rows


def append(cat: LogCatalog, g: Group, s: Stream, events: list[tuple[int, str]]) -> None:
    """Lines written by a service (a function's output, API Gateway's logs), in timestamp order:
    in the stream at once, stored by the ingest buffer shortly after (see ingest.py)."""
    if events:
        cat.ingest.add(g.table_id, g.streams_ns, s, _take(s, events, now_ms()))


def _event(data: bytes) -> dict[str, Any]:
    d = orjson.loads(data)
    return {"timestamp": d["t"], "message": d["m"], "ingestionTime": d["i"]}


# ---------------------------------------------------------------- GetLogEvents
def _token_pos(token: str) -> tuple[str, bytes]:
    kind, _, pos = token.partition("/")
    try:
        raw = bytes.fromhex(pos)
    except ValueError:
        raw = b""
    if kind not in ("f", "b") or len(raw) != 16:
        raise errors.invalid("The specified nextToken is invalid.")
    return kind, raw


async def get(cat: LogCatalog, g: Group, s: Stream, params: dict[str, Any]) -> dict[str, Any]:
    await cat.settle()
    limit = min(params.get("limit") or MAX_EVENTS, MAX_EVENTS)
    start, end = params.get("startTime"), params.get("endTime")
    lo = sort_key(start, 0) if start is not None else None
    expired = cutoff(g, now_ms())
    if expired is not None and (lo is None or lo < sort_key(expired, 0)):
        lo = sort_key(expired, 0)
    hi = sort_key(end, 0) if end is not None else None  # endTime is exclusive
    token = params.get("nextToken")
    if token:
        kind, pos = _token_pos(token)
        forward = kind == "f"
        lo_inc = True
        if forward:
            lo, lo_inc = (pos, False) if lo is None or pos >= lo else (lo, True)
        elif hi is None or pos < hi:
            hi = pos
    else:
        forward = bool(params.get("startFromHead"))
        lo_inc = True

    def read(txn: Txn) -> list[tuple[bytes, bytes]]:
        out, size = [], 0
        for sk, data, n in txn.item_range(g.table_id, 0, s.name.encode(), lo, lo_inc, hi, False, forward):
            size += n
            if len(out) >= limit or size > MAX_BYTES:
                break
            out.append((sk, data))
        return out if forward else out[::-1]

    rows = await cat.store.run(read)
    if rows:
        fwd, back = rows[-1][0], rows[0][0]
    elif token:  # nothing further: the same position again, which is how callers see the end
        fwd = back = _token_pos(token)[1]
    else:
        fwd = back = lo or _ZERO
    return {
        "events": [_event(d) for _, d in rows],
        "nextForwardToken": "f/" + fwd.hex(),
        "nextBackwardToken": "b/" + back.hex(),
    }


# ---------------------------------------------------------------- FilterLogEvents
def _filter_token(ts: int, stream: str, seq: int) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([ts, stream, seq])).decode()


def _parse_filter_token(token: str) -> tuple[int, str, int]:
    try:
        ts, stream, seq = orjson.loads(base64.urlsafe_b64decode(token.encode()))
        return int(ts), str(stream), int(seq)
    except (ValueError, TypeError, orjson.JSONDecodeError):
        raise errors.invalid("The specified nextToken is invalid.") from None


async def filter_events(cat: LogCatalog, g: Group, params: dict[str, Any]) -> dict[str, Any]:
    await cat.settle()
    names, prefix = params.get("logStreamNames"), params.get("logStreamNamePrefix")
    if names and prefix:
        raise errors.invalid("Cannot specify both logStreamNames and logStreamNamePrefix")
    streams = cat.streams(g)
    chosen = sorted(
        n for n in streams if (not names or n in names) and (not prefix or n.startswith(prefix))
    )
    match = compile_pattern(params.get("filterPattern") or "")
    limit = min(params.get("limit") or MAX_EVENTS, MAX_EVENTS)
    start, end = params.get("startTime"), params.get("endTime")
    expired = cutoff(g, now_ms())
    if expired is not None and (start is None or start < expired):
        start = expired
    after = _parse_filter_token(params["nextToken"]) if params.get("nextToken") else None
    lo = sort_key(after[0] if after else start if start is not None else -_BIAS, 0)
    hi = sort_key(end, 0) if end is not None else None  # endTime is exclusive

    def read(txn: Txn) -> tuple[list[dict[str, Any]], str | None]:
        def rows(name: str) -> Any:
            for sk, data, _ in txn.item_range(g.table_id, 0, name.encode(), lo, True, hi, False, True):
                yield _ts(sk), name, int.from_bytes(sk[8:], "big"), data

        out: list[dict[str, Any]] = []
        size = 0
        for ts, name, seq, data in heapq.merge(*(rows(n) for n in chosen)):
            if after is not None and (ts, name, seq) <= after:
                continue
            ev = _event(data)
            if not match(ev["message"]):
                continue
            size += len(ev["message"].encode()) + EVENT_OVERHEAD
            if len(out) >= limit or size > MAX_BYTES:
                last = out[-1]
                return out, _filter_token(last["timestamp"], last["logStreamName"], last["_seq"])
            ev["logStreamName"] = name
            ev["eventId"] = f"{ts:020d}{zlib.crc32(name.encode()):010d}{seq:020d}"
            ev["_seq"] = seq
            out.append(ev)
        return out, None

    events, token = await cat.store.run(read)
    for ev in events:
        del ev["_seq"]
    out: dict[str, Any] = {
        "events": events,
        "searchedLogStreams": [{"logStreamName": n, "searchedCompletely": token is None} for n in chosen],
    }
    if token:
        out["nextToken"] = token
    return out


# ---------------------------------------------------------------- retention
async def purge_expired(cat: LogCatalog, groups: list[Group] | None = None) -> int:
    """Delete events older than their group's retention. Returns how many streams were swept."""
    await cat.settle()
    now = now_ms()
    work_list = []
    for g in groups if groups is not None else cat.all_groups():
        limit_ts = cutoff(g, now)
        if limit_ts is not None:
            below = sort_key(limit_ts, 0)
            work_list.extend((g.table_id, name.encode(), below) for name in cat.streams(g))
    if work_list:

        def work(txn: Txn) -> None:
            for tid, pk, below in work_list:
                txn.item_delete_range(tid, 0, pk, below)

        await cat.store.run(work, write=True)
    return len(work_list)
