"""Control plane: tables, throughput, tags, limits. Tables are ACTIVE as soon as they exist.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB.html
"""

from __future__ import annotations

from typing import Any

from cloudlet.services.dynamodb.engine import errors
from cloudlet.services.dynamodb.engine.catalog import Catalog, now
from cloudlet.services.dynamodb.engine.tables import PAY_PER_REQUEST, PROVISIONED, TableDef

MAX_TAGS = 50


async def create_table(cat: Catalog, params: dict[str, Any], account: str, region: str) -> dict[str, Any]:
    table = await cat.create(params, account, region)
    return {"TableDescription": table.describe(0, 0, "ACTIVE")}


async def describe_table(cat: Catalog, table: TableDef) -> dict[str, Any]:
    count, size = await cat.stats(table)
    return {"Table": table.describe(count, size)}


async def delete_table(cat: Catalog, table: TableDef) -> dict[str, Any]:
    count, size = await cat.delete(table)
    return {"TableDescription": table.describe(count, size, "DELETING")}


def list_tables(cat: Catalog, params: dict[str, Any], account: str, region: str) -> dict[str, Any]:
    names = cat.names(account, region)
    start = params.get("ExclusiveStartTableName")
    if start is not None:
        names = [n for n in names if n > start]
    limit = params.get("Limit") or 100
    out: dict[str, Any] = {"TableNames": names[:limit]}
    if len(names) > limit:
        out["LastEvaluatedTableName"] = names[limit - 1]
    return out


async def update_table(cat: Catalog, table: TableDef, params: dict[str, Any]) -> dict[str, Any]:
    unsupported = [k for k in ("GlobalSecondaryIndexUpdates", "ReplicaUpdates") if params.get(k)]
    if unsupported:
        raise errors.validation(f"cloudlet does not support {unsupported[0]} yet")
    changed = False
    mode = params.get("BillingMode")
    pt = params.get("ProvisionedThroughput")
    if mode == PAY_PER_REQUEST and pt:
        raise errors.invalid_params(
            "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode "
            "is PAY_PER_REQUEST"
        )
    if mode and mode != table.billing_mode:
        if mode == PROVISIONED and not pt:
            raise errors.invalid_params(
                "ProvisionedThroughput must be specified when BillingMode is PROVISIONED"
            )
        table.billing_mode = mode
        table.billing_explicit = True
        if mode == PAY_PER_REQUEST:
            table.read_units = table.write_units = 0
            table.pay_per_request_since = now()
        changed = True
    if pt:
        if table.billing_mode == PAY_PER_REQUEST:
            raise errors.validation(
                "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
                "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"
            )
        read, write = pt["ReadCapacityUnits"], pt["WriteCapacityUnits"]
        if (read, write) == (table.read_units, table.write_units) and not changed:
            raise errors.validation(
                "The provisioned throughput for the table will not change. The requested value "
                "equals the current value. Current ReadCapacityUnits provisioned for the table: "
                f"{table.read_units}. Requested ReadCapacityUnits: {read}. Current "
                f"WriteCapacityUnits provisioned for the table: {table.write_units}. Requested "
                f"WriteCapacityUnits: {write}. Refer to the Amazon DynamoDB Developer Guide for "
                "current limits and how to request higher limits."
            )
        t = now()
        if read > table.read_units or write > table.write_units:
            table.last_increase = t
        if read < table.read_units or write < table.write_units:
            table.last_decrease = t
        table.read_units, table.write_units = read, write
        changed = True
    for member, attr in (
        ("StreamSpecification", "stream"),
        ("TableClass", "table_class"),
        ("SSESpecification", "sse"),
    ):
        if member in params:
            setattr(table, attr, params[member])
            changed = True
    if "DeletionProtectionEnabled" in params:
        table.deletion_protection = bool(params["DeletionProtectionEnabled"])
        changed = True
    if not changed:
        raise errors.validation(
            "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
            "GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required"
        )
    await cat.save(table)
    count, size = await cat.stats(table)
    return {"TableDescription": table.describe(count, size, "ACTIVE")}


# ---------------------------------------------------------------- tags
async def tag_resource(cat: Catalog, params: dict[str, Any]) -> dict[str, Any]:
    table = cat.by_arn(params["ResourceArn"])
    tags = {t["Key"]: t["Value"] for t in table.tags}
    tags.update({t["Key"]: t["Value"] for t in params["Tags"]})
    if len(tags) > MAX_TAGS:
        raise errors.limit_exceeded("The number of tags exceeds the limit of 50")
    table.tags = [{"Key": k, "Value": v} for k, v in tags.items()]
    await cat.save(table)
    return {}


async def untag_resource(cat: Catalog, params: dict[str, Any]) -> dict[str, Any]:
    table = cat.by_arn(params["ResourceArn"])
    drop = set(params["TagKeys"])
    table.tags = [t for t in table.tags if t["Key"] not in drop]
    await cat.save(table)
    return {}


def list_tags(cat: Catalog, params: dict[str, Any]) -> dict[str, Any]:
    table = cat.by_arn(params["ResourceArn"])
    return {"Tags": table.tags} if table.tags else {}


# ---------------------------------------------------------------- account-level
def describe_limits() -> dict[str, Any]:
    # The default quotas: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
    return {
        "AccountMaxReadCapacityUnits": 80000,
        "AccountMaxWriteCapacityUnits": 80000,
        "TableMaxReadCapacityUnits": 40000,
        "TableMaxWriteCapacityUnits": 40000,
    }


def describe_endpoints(region: str, host: str | None) -> dict[str, Any]:
    return {
        "Endpoints": [
            {"Address": host or f"dynamodb.{region}.amazonaws.com", "CachePeriodInMinutes": 1440}
        ]
    }
