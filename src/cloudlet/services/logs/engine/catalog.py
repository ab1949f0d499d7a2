"""Log groups and log streams: kept in memory, persisted as metadata documents.

A group's events live in an item table of its own (see events.py); its streams are metadata
documents in a namespace of the group, so deleting a group drops both at once.
https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_LogGroup.html
https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_LogStream.html
"""

from __future__ import annotations

import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

import orjson

from cloudlet.services.logs.engine import errors
from cloudlet.services.logs.engine.ingest import Ingest
from cloudlet.store.base import Store, Txn

GROUPS = "logs/groups"


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class Stream:
    name: str
    created: int
    first_event: int | None = None
    last_event: int | None = None
    last_ingestion: int | None = None
    seq: int = 0  # events stored so far: orders events of equal timestamp

    def describe(self, group: Group) -> dict[str, Any]:
        d: dict[str, Any] = {
            "logStreamName": self.name,
            "creationTime": self.created,
            "arn": f"{group.arn_base}:log-stream:{self.name}",
            "storedBytes": 0,  # deprecated by AWS, always 0
            "uploadSequenceToken": f"{self.seq + 1:056d}",
        }
        if self.first_event is not None:
            d["firstEventTimestamp"] = self.first_event
            d["lastEventTimestamp"] = self.last_event
            d["lastIngestionTime"] = self.last_ingestion
        return d


def _stream(doc: dict[str, Any]) -> Stream:
    doc.pop("stored_bytes", None)  # kept by earlier versions; a stream's storedBytes is always 0 on AWS
    return Stream(**doc)


@dataclass
class Group:
    account: str
    region: str
    name: str
    table_id: str
    created: int
    retention_days: int | None = None
    tags: dict[str, str] = field(default_factory=dict)
    kms_key_id: str | None = None
    group_class: str = "STANDARD"
    deletion_protection: bool = False

    @property
    def arn_base(self) -> str:
        return f"arn:aws:logs:{self.region}:{self.account}:log-group:{self.name}"

    @property
    def streams_ns(self) -> str:
        return f"logs/streams/{self.table_id}"

    def describe(self, stored_bytes: int) -> dict[str, Any]:
        d: dict[str, Any] = {
            "logGroupName": self.name,
            "creationTime": self.created,
            "metricFilterCount": 0,
            "arn": self.arn_base + ":*",
            "logGroupArn": self.arn_base,
            "storedBytes": stored_bytes,
            "logGroupClass": self.group_class,
            "deletionProtectionEnabled": self.deletion_protection,
        }
        if self.retention_days is not None:
            d["retentionInDays"] = self.retention_days
        if self.kms_key_id:
            d["kmsKeyId"] = self.kms_key_id
        return d


def _key(account: str, region: str, name: str) -> str:
    return f"{account}/{region}/{name}"


class LogCatalog:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._groups: dict[str, Group] = {}
        self._streams: dict[str, dict[str, Stream]] = {}  # group table_id -> name -> stream
        self.ingest = Ingest(store, self._is_live)  # lines written by Lambda and API Gateway

    def _is_live(self, table_id: str, stream: Stream) -> bool:
        streams = self._streams.get(table_id)
        return streams is not None and streams.get(stream.name) is stream

    async def settle(self) -> None:
        """Store the service-written lines still in the ingest buffer (before reading events)."""
        if self.ingest.pending:
            await self.ingest.flush()

    async def load(self) -> None:
        def read(txn: Txn) -> list[tuple[Group, list[Stream]]]:
            out = []
            for _, doc in txn.meta_list(GROUPS):
                g = Group(**orjson.loads(doc))
                out.append((g, [_stream(orjson.loads(s)) for _, s in txn.meta_list(g.streams_ns)]))
            return out

        self.ingest.discard()
        self._groups.clear()
        self._streams.clear()
        for g, streams in await self.store.run(read):
            self._groups[_key(g.account, g.region, g.name)] = g
            self._streams[g.table_id] = {s.name: s for s in streams}

    def clear(self) -> None:
        self.ingest.discard()
        self._groups.clear()
        self._streams.clear()

    # -- lookups
    def group(self, account: str, region: str, name_or_arn: str) -> Group:
        name = name_or_arn
        if name.startswith("arn:"):
            # arn:aws:logs:{region}:{account}:log-group:{name}[:*]
            parts = name.split(":")
            if len(parts) < 7 or parts[5] != "log-group":
                raise errors.no_group()
            region, account, name = parts[3], parts[4], parts[6]
        g = self._groups.get(_key(account, region, name))
        if g is None:
            raise errors.no_group()
        return g

    def groups(self, account: str, region: str) -> list[Group]:
        prefix = f"{account}/{region}/"
        return sorted((g for k, g in self._groups.items() if k.startswith(prefix)), key=lambda g: g.name)

    def all_groups(self) -> list[Group]:
        return list(self._groups.values())

    def streams(self, group: Group) -> dict[str, Stream]:
        return self._streams[group.table_id]

    def stream(self, group: Group, name: str) -> Stream:
        s = self._streams[group.table_id].get(name)
        if s is None:
            raise errors.no_stream()
        return s

    # -- changes: the store first, then memory
    async def create_group(self, account: str, region: str, params: dict[str, Any]) -> Group:
        name = params["logGroupName"]
        if _key(account, region, name) in self._groups:
            raise errors.group_exists()
        g = Group(
            account, region, name, uuid.uuid4().hex, now_ms(), tags=dict(params.get("tags") or {}),
            kms_key_id=params.get("kmsKeyId"), group_class=params.get("logGroupClass") or "STANDARD",
            deletion_protection=bool(params.get("deletionProtectionEnabled")),
        )

        def work(txn: Txn) -> None:
            txn.create_item_table(g.table_id)
            txn.meta_put(GROUPS, _key(account, region, name), orjson.dumps(asdict(g)))

        # In memory first, so a concurrent create of the same name sees it (and fails) while this one is stored.
        self._groups[_key(account, region, name)] = g
        self._streams[g.table_id] = {}
        try:
            await self.store.run(work, write=True)
        except BaseException:
            self._groups.pop(_key(account, region, name), None)
            self._streams.pop(g.table_id, None)
            raise
        return g

    async def save_group(self, g: Group) -> None:
        doc = orjson.dumps(asdict(g))
        await self.store.run(lambda txn: txn.meta_put(GROUPS, _key(g.account, g.region, g.name), doc), write=True)

    async def delete_group(self, g: Group) -> None:
        if g.deletion_protection:
            raise errors.invalid("Log group deletion protection is enabled")
        await self.settle()

        def work(txn: Txn) -> None:
            txn.drop_item_table(g.table_id)
            txn.meta_clear(g.streams_ns)
            txn.meta_delete(GROUPS, _key(g.account, g.region, g.name))

        await self.store.run(work, write=True)
        self._groups.pop(_key(g.account, g.region, g.name), None)
        self._streams.pop(g.table_id, None)

    async def create_stream(self, g: Group, name: str) -> Stream:
        streams = self._streams[g.table_id]
        if name in streams:
            raise errors.stream_exists()
        s = Stream(name, now_ms())
        doc = orjson.dumps(asdict(s))
        streams[name] = s  # before the await: a concurrent create of the same name sees it
        try:
            await self.store.run(lambda txn: txn.meta_put(g.streams_ns, name, doc), write=True)
        except BaseException:
            streams.pop(name, None)
            raise
        return s

    async def ensure_stream(self, account: str, region: str, group: str, stream: str,
                            create_group: bool = True) -> tuple[Group, Stream] | None:
        """The group and stream a service writes to, created when missing (the group only with
        `create_group`; without it, and no group, None). Safe against concurrent creators."""
        try:
            g = self.group(account, region, group)
        except errors.AwsError:
            if not create_group:
                return None
            try:
                g = await self.create_group(account, region, {"logGroupName": group})
            except errors.AwsError:  # created meanwhile
                g = self.group(account, region, group)
        s = self._streams[g.table_id].get(stream)
        if s is None:
            try:
                s = await self.create_stream(g, stream)
            except errors.AwsError:
                s = self.stream(g, stream)
        return g, s

    async def delete_stream(self, g: Group, s: Stream) -> None:
        await self.settle()
        def work(txn: Txn) -> None:
            txn.item_delete_range(g.table_id, 0, s.name.encode(), b"\xff" * 17)
            txn.meta_delete(g.streams_ns, s.name)

        await self.store.run(work, write=True)
        self._streams[g.table_id].pop(s.name, None)
