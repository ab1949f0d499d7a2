"""DynamoDB side of the benchmark: workloads and their tables, a minimal raw JSON-protocol
client (stdlib, keep-alive, dummy SigV4 header), table creation and bulk loading."""

from __future__ import annotations

import contextlib
import http.client
import json
import random
import string
import threading
import time

from . import BENCH_DIR, log
from .client import KeepAliveClient

LUA_DIR = BENCH_DIR / "lua"  # one <workload>.lua per workload, sharing common.lua

WORKLOADS = ("put", "get", "query", "update")
OP_NAME = {"put": "PutItem", "get": "GetItem", "query": "Query", "update": "UpdateItem"}
TABLE_FOR = {"put": "bench_put", "get": "bench_kv", "query": "bench_q", "update": "bench_ctr"}
TABLE_KEYS = {"bench_put": ("pk",), "bench_kv": ("pk",), "bench_q": ("pk", "sk"),
              "bench_ctr": ("pk",), "bench_mem": ("pk",)}
CEILING_WORKLOADS = ("put", "get")
# the ceiling's workload a DynamoDB workload is compared with (the hello app ignores the body)
CEILING_FOR = {"put": "put", "get": "get", "query": "get", "update": "get"}
PAD = 170  # bytes of the "data" attribute -> items of ~200 bytes
GET_KEYS = 10_000
QUERY_PARTS = 100
QUERY_PARTS_NOW = [QUERY_PARTS]  # --query-parts (quick mode: 20)
QUERY_PER_PART = 100
HOT_KEYS = 16

AUTH = ("AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=00")
THROTTLES = ("ProvisionedThroughputExceededException", "ThrottlingException",
             "RequestLimitExceeded")


def wrk_env() -> dict[str, str]:
    """The BENCH_* variables the workload scripts read (key counts of the preloaded tables)."""
    return {"BENCH_GET_KEYS": str(GET_KEYS), "BENCH_QUERY_PARTS": str(QUERY_PARTS_NOW[0]),
            "BENCH_HOT_KEYS": str(HOT_KEYS)}


class DdbError(Exception):
    def __init__(self, op: str, status: int, body: object):
        self.status = status
        self.type = ""
        if isinstance(body, dict):
            self.type = str(body.get("__type", "")).rsplit("#", 1)[-1]
        super().__init__(f"{op}: HTTP {status} {str(body)[:300]}")


class Ddb(KeepAliveClient):
    """Minimal keep-alive JSON-protocol client (stdlib), for loading and reads."""

    def raw(self, op: str, body: dict, tries: int = 3) -> tuple[int, bytes]:
        data = json.dumps(body, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/x-amz-json-1.0",
                   "X-Amz-Target": "DynamoDB_20120810." + op,
                   "X-Amz-Date": "20260101T000000Z", "Authorization": AUTH}
        for attempt in range(tries):
            try:
                status, _, out, _ = self.send("POST", "/", data, headers)
                return status, out
            except (OSError, http.client.HTTPException):
                if attempt == tries - 1:
                    raise
                time.sleep(0.2)
        raise AssertionError("unreachable")

    def call(self, op: str, body: dict) -> dict:
        for attempt in range(50):
            status, raw = self.raw(op, body)
            try:
                doc = json.loads(raw) if raw else {}
            except ValueError:
                doc = {"raw": raw[:300].decode("utf-8", "replace")}
            if status == 200:
                return doc
            err = DdbError(op, status, doc)
            if err.type not in THROTTLES:
                raise err
            time.sleep(min(1.0, 0.02 * (attempt + 1)))
        raise err


def answers_list_tables(port: int) -> bool:
    """One ListTables try: the start-up readiness probe."""
    ddb = Ddb(port, timeout=10)
    try:
        status, _ = ddb.raw("ListTables", {}, tries=1)
        return status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        ddb.close()


def create_table(ddb: Ddb, name: str) -> None:
    keys = TABLE_KEYS[name]
    spec = {"TableName": name,
            "KeySchema": [{"AttributeName": k, "KeyType": "RANGE" if i else "HASH"}
                          for i, k in enumerate(keys)],
            "AttributeDefinitions": [{"AttributeName": k, "AttributeType": "S"} for k in keys]}
    try:
        ddb.call("CreateTable", {**spec, "BillingMode": "PAY_PER_REQUEST"})
    except DdbError as e:
        if e.type != "ResourceInUseException":
            log(f"    CreateTable PAY_PER_REQUEST failed ({e}); retrying provisioned")
            with contextlib.suppress(DdbError):
                ddb.call("CreateTable", {**spec, "ProvisionedThroughput": {
                    "ReadCapacityUnits": 10000, "WriteCapacityUnits": 10000}})
    deadline = time.time() + 120
    while time.time() < deadline:
        status = ddb.call("DescribeTable", {"TableName": name})["Table"].get("TableStatus")
        if status in ("ACTIVE", None):
            return
        time.sleep(0.1)
    raise RuntimeError(f"table {name} not ACTIVE after 120 s")


def load_items(port: int, table: str, items: list[dict], threads: int = 4) -> float:
    """BatchWriteItem (25 per call, retrying UnprocessedItems); PutItem if batches fail."""
    chunks = [items[i : i + 25] for i in range(0, len(items), 25)]
    use_put = threading.Event()
    errors: list[BaseException] = []

    def put_each(ddb: Ddb, chunk: list[dict]) -> None:
        for it in chunk:
            ddb.call("PutItem", {"TableName": table, "Item": it})

    def worker(mine: list[list[dict]]) -> None:
        ddb = Ddb(port)
        try:
            for chunk in mine:
                if errors:
                    return
                if use_put.is_set():
                    put_each(ddb, chunk)
                    continue
                req = {table: [{"PutRequest": {"Item": it}} for it in chunk]}
                try:
                    for attempt in range(200):
                        req = ddb.call("BatchWriteItem", {"RequestItems": req}).get(
                            "UnprocessedItems") or {}
                        if not req:
                            break
                        time.sleep(min(0.5, 0.01 * (attempt + 1)))
                    else:
                        raise RuntimeError("UnprocessedItems never drained")
                except DdbError as e:
                    if not use_put.is_set():
                        log(f"    BatchWriteItem failed ({e}); loading with PutItem")
                    use_put.set()
                    put_each(ddb, chunk)
        except BaseException as e:
            errors.append(e)
        finally:
            ddb.close()

    ts = [threading.Thread(target=worker, args=(chunks[i::threads],), daemon=True)
          for i in range(threads)]
    t0 = time.perf_counter()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errors:
        raise errors[0]
    return round(time.perf_counter() - t0, 2)


def counter_sum(port: int) -> int:
    """Sum of the hot counters of bench_ctr (consistent reads)."""
    ddb = Ddb(port)
    total = 0
    try:
        for i in range(HOT_KEYS):
            it = ddb.call("GetItem", {"TableName": "bench_ctr", "Key": {"pk": {"S": f"h{i:02d}"}},
                                      "ConsistentRead": True}).get("Item") or {}
            total += int(it.get("counter", {}).get("N", "0"))
    finally:
        ddb.close()
    return total


def mem_items(n: int) -> list[dict]:
    """n items of ~200 bytes (random PAD-char data, fixed seed) for the memory/disk phase."""
    rnd = random.Random(1)
    letters = string.ascii_letters + string.digits
    return [{"pk": {"S": f"m{i:06d}"}, "data": {"S": "".join(rnd.choices(letters, k=PAD))},
             "n": {"N": str(i)}} for i in range(n)]


def preload_items(workload: str) -> list[dict] | None:
    """The items a workload's table is preloaded with (None: the table starts empty)."""
    data = "v" * PAD
    if workload == "get":
        return [{"pk": {"S": f"g{i:05d}"}, "data": {"S": data}, "n": {"N": str(i)}}
                for i in range(GET_KEYS)]
    if workload == "query":
        return [{"pk": {"S": f"q{p:03d}"}, "sk": {"S": f"s{s:03d}"}, "data": {"S": data}}
                for p in range(QUERY_PARTS_NOW[0]) for s in range(QUERY_PER_PART)]
    if workload == "update":
        return [{"pk": {"S": f"h{i:02d}"}, "counter": {"N": "0"}} for i in range(HOT_KEYS)]
    return None
