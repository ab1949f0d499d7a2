"""boto3 round-trips each DynamoDB server must pass before any of its numbers is taken."""

from __future__ import annotations

from . import HOST
from .ddb import PAD, QUERY_PARTS_NOW, QUERY_PER_PART


def boto3_checks(port: int, workloads: list[str]) -> list[dict]:
    """Run the checks of the given workloads against the preloaded tables; one dict per check
    (check, workload, ok, detail); ok None for all if boto3 is not importable."""
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        return [{"check": "boto3", "ok": None, "detail": "boto3 not importable: checks skipped"}]
    c = boto3.client("dynamodb", endpoint_url=f"http://{HOST}:{port}", region_name="us-east-1",
                     aws_access_key_id="test", aws_secret_access_key="test",
                     config=Config(retries={"max_attempts": 2}, read_timeout=30))
    out: list[dict] = []
    nparts = QUERY_PARTS_NOW[0]

    def get_existing() -> tuple[bool, object]:
        it = c.get_item(TableName="bench_kv", Key={"pk": {"S": "g04242"}})["Item"]
        ok = it["pk"]["S"] == "g04242" and len(it["data"]["S"]) == PAD and it["n"]["N"] == "4242"
        return ok, it["pk"]

    def get_missing() -> tuple[bool, object]:
        r = c.get_item(TableName="bench_kv", Key={"pk": {"S": "nope"}})
        return "Item" not in r, sorted(r)

    def query_limit() -> tuple[bool, object]:
        r = c.query(TableName="bench_q", KeyConditionExpression="pk = :p",
                    ExpressionAttributeValues={":p": {"S": "q007"}}, Limit=10)
        sks = [i["sk"]["S"] for i in r["Items"]]
        lek = r.get("LastEvaluatedKey", {}).get("sk", {}).get("S")
        return r["Count"] == 10 and sks == [f"s{i:03d}" for i in range(10)] and lek == "s009", sks

    def query_all() -> tuple[bool, object]:
        pages = c.get_paginator("query").paginate(
            TableName="bench_q", KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": f"q{42 % nparts:03d}"}}, PaginationConfig={"PageSize": 30})
        n = sum(pg["Count"] for pg in pages)
        return n == QUERY_PER_PART, n

    def update_add() -> tuple[bool, object]:
        k = {"pk": {"S": "h00"}}
        item = c.get_item(TableName="bench_ctr", Key=k, ConsistentRead=True)["Item"]
        before = int(item["counter"]["N"])
        r = c.update_item(TableName="bench_ctr", Key=k, UpdateExpression="ADD #c :one",
                          ExpressionAttributeNames={"#c": "counter"},
                          ExpressionAttributeValues={":one": {"N": "1"}},
                          ReturnValues="UPDATED_NEW")
        after = int(r["Attributes"]["counter"]["N"])
        return after == before + 1, (before, after)

    def put_roundtrip() -> tuple[bool, object]:
        item = {"pk": {"S": "check-put"}, "data": {"S": "x" * PAD}, "n": {"N": "1"}}
        c.put_item(TableName="bench_put", Item=item)
        got = c.get_item(TableName="bench_put", Key={"pk": {"S": "check-put"}})["Item"]
        return got == item, sorted(got)

    checks = {"put": [put_roundtrip], "get": [get_existing, get_missing],
              "query": [query_limit, query_all], "update": [update_add]}
    for w in workloads:
        for fn in checks[w]:
            try:
                ok, detail = fn()
            except Exception as e:
                ok, detail = False, f"{type(e).__name__}: {e}"
            out.append({"check": fn.__name__, "workload": w, "ok": bool(ok),
                        "detail": str(detail)[:300]})
    return out
