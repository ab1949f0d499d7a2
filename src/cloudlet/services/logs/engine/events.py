"""Log events: PutLogEvents, GetLogEvents, FilterLogEvents, and retention.

Events of a group live in its item table: partition = stream name, rows of one event or packs of
several (see packs.py), so a stream's events in a time range are one ordered range read.
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

from cloudlet.services.logs.engine import errors, packs
from cloudlet.services.logs.engine.catalog import Group, LogCatalog, Stream, now_ms
from cloudlet.services.logs.engine.filter_pattern import compile_pattern
from cloudlet.services.logs.engine.packs import EVENT_OVERHEAD, Event, Pos, sort_key
from cloudlet.store.base import Txn

DAY_MS = 86_400_000
MAX_SPAN_MS = DAY_MS  # one PutLogEvents batch may not span more than 24 hours
TOO_OLD_MS = 14 * DAY_MS
TOO_NEW_MS = 2 * 3_600_000
MAX_EVENTS = 10_000
MAX_BYTES = 1_048_576
RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
                  2557, 2922, 3288, 3653)
_ZERO = b"\x00" * 16


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
        rows = [packs.single(*e) for e in _take(s, [(e["timestamp"], e["message"]) for e in accepted], now)]
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


def _take(s: Stream, events: list[tuple[int, str]], now: int) -> list[Event]:
    """`events` (timestamp order) numbered, and the stream's counters moved past them."""
    seq = s.seq
    taken = [(ts, seq + i, msg, now) for i, (ts, msg) in enumerate(events)]
    s.seq = seq + len(events)
    first, last = events[0][0], events[-1][0]
    s.first_event = first if s.first_event is None else min(s.first_event, first)
    s.last_event = last if s.last_event is None else max(s.last_event, last)
    s.last_ingestion = now
    return taken


def append(cat: LogCatalog, g: Group, s: Stream, events: list[tuple[int, str]]) -> None:
    """Lines written by a service (a function's output, API Gateway's logs), in timestamp order:
    in the stream at once, stored by the ingest buffer shortly after (see ingest.py)."""
    if events:
        cat.ingest.add(g.table_id, g.streams_ns, s, _take(s, events, now_ms()))


def _event(ev: Event) -> dict[str, Any]:
    return {"timestamp": ev[0], "message": ev[2], "ingestionTime": ev[3]}


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
    # events after `after` and before `before` (positions; endTime is exclusive)
    after: Pos | None = (start, -1) if start is not None else None
    expired = cutoff(g, now_ms())
    if expired is not None and (after is None or after[0] < expired):
        after = (expired, -1)
    before: Pos | None = (end, -1) if end is not None else None
    token = params.get("nextToken")
    if token:
        kind, raw = _token_pos(token)
        pos = packs.position(raw)
        forward = kind == "f"
        if forward:
            after = pos if after is None or pos > after else after
        elif before is None or pos < before:
            before = pos
    else:
        forward = bool(params.get("startFromHead"))

    def read(txn: Txn) -> list[Event]:
        lo = sort_key(after[0], after[1] + 1) if after is not None else None
        hi = packs.upper_row_key(before) if before is not None else None
        rows = txn.item_range(g.table_id, 0, s.name.encode(), lo, True, hi, False, forward)
        out: list[Event] = []
        size = 0
        for ev in (packs.forward if forward else packs.backward)(rows, after, before):
            size += len(ev[2].encode()) + EVENT_OVERHEAD
            if len(out) >= limit or size > MAX_BYTES:
                break
            out.append(ev)
        return out if forward else out[::-1]

    found = await cat.store.run(read)
    if found:
        fwd, back = sort_key(*found[-1][:2]), sort_key(*found[0][:2])
    elif token:  # nothing further: the same position again, which is how callers see the end
        fwd = back = _token_pos(token)[1]
    else:
        fwd = back = sort_key(after[0], 0) if after is not None else _ZERO
    return {
        "events": [_event(ev) for ev in found],
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
    resume = _parse_filter_token(params["nextToken"]) if params.get("nextToken") else None
    first = resume[0] if resume else start
    after: Pos | None = (first, -1) if first is not None else None
    before: Pos | None = (end, -1) if end is not None else None  # endTime is exclusive
    lo = sort_key(first, 0) if first is not None else None
    hi = packs.upper_row_key(before) if before is not None else None

    def read(txn: Txn) -> tuple[list[dict[str, Any]], str | None]:
        def stream_events(name: str) -> Any:
            rows = txn.item_range(g.table_id, 0, name.encode(), lo, True, hi, False, True)
            for ev in packs.forward(rows, after, before):
                yield ev[0], name, ev[1], ev

        out: list[dict[str, Any]] = []
        size = 0
        for ts, name, seq, raw in heapq.merge(*(stream_events(n) for n in chosen)):
            if resume is not None and (ts, name, seq) <= resume:
                continue
            if not match(raw[2]):
                continue
            size += len(raw[2].encode()) + EVENT_OVERHEAD
            if len(out) >= limit or size > MAX_BYTES:
                last = out[-1]
                return out, _filter_token(last["timestamp"], last["logStreamName"], last["_seq"])
            ev = _event(raw)
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
